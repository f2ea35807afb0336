"""The contract every shop adapter fulfils, in the manner of ``suppliers/base.py``: one
abstract class, what the shop platform can do by API, and the pages of orders it reads.

Adapters are found by ``kind`` through the ``ordertui.shops`` entry-point group, so a
third party can add a shop platform (WooCommerce, …) by installing a package. Every write
(a fulfillment with tracking, a change of tracking, a refund) comes from the outbox with a
key of its own; after a send whose outcome is unknown, ``was_applied`` reads the shop before
anything is sent again.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ordertui.adapters import Applied, PlatformAdapter
from ordertui.domain.errors import OrdertuiError
from ordertui.domain.money import Money
from ordertui.domain.shop import ShopCapability, ShopFulfillment, ShopOrder, ShopRefund
from ordertui.i18n import N_, _

#: what a shop platform without the capability cannot do, a sentence each
MISSING: dict[ShopCapability, str] = {
    ShopCapability.LIST_ORDERS: N_("{shop} cannot list orders by API"),
    ShopCapability.GET_ORDER: N_("{shop} cannot get order by API"),
    ShopCapability.BULK_IMPORT: N_("{shop} cannot bulk import by API"),
    ShopCapability.FULFILL: N_("{shop} cannot fulfill by API"),
    ShopCapability.UPDATE_TRACKING: N_("{shop} cannot update tracking by API"),
    ShopCapability.REFUND: N_("{shop} cannot refund by API"),
}


class ShopCapabilityMissing(OrdertuiError):
    exit_code = 2

    def __init__(self, shop: str, capability: ShopCapability) -> None:
        super().__init__(_(MISSING[capability]).format(shop=shop))
        self.capability = capability


@dataclass(slots=True)
class ShopOrderPage:
    """Shop orders changed since a cursor, one page of them."""

    orders: list[ShopOrder]
    cursor: str | None  # where the next call continues; stored with the page's orders
    more: bool  # True while another page follows right away
    total: int | None = None  # how many orders this whole pass will bring, when known


@dataclass(frozen=True, slots=True)
class TrackingPush:
    """The tracking a fulfillment gives the customer."""

    company: str  # the carrier as the supplier names it ("4PX", "YunExpress")
    number: str
    url: str = ""


@dataclass(slots=True)
class ShopAction:
    """An action from the outbox, as a shop adapter needs it to send or to look it up."""

    kind: str  # "fulfill", "update_tracking" or "refund"
    key: str  # idempotency key, unique per action
    shop_order_id: str
    payload: dict[str, Any]


class ShopAdapter(PlatformAdapter):
    """One shop, configured under ``[shops.<name>]``."""

    #: what this shop platform does by API
    capabilities: ClassVar[frozenset[ShopCapability]] = frozenset()

    def can(self, capability: ShopCapability) -> bool:
        return capability in self.capabilities

    @property
    def notify_customer(self) -> bool:
        """Whether the shop e-mails the customer about a fulfillment or a refund."""
        return bool(self.settings.get("notify_customer", True))

    @property
    def push_tracking(self) -> bool:
        """Whether tracking goes back to this shop when a supplier ships."""
        return bool(self.settings.get("push_tracking", True))

    def web_url(self, order: ShopOrder) -> str | None:
        """The order in the shop's admin."""
        return order.url or None

    def _missing(self, capability: ShopCapability) -> ShopCapabilityMissing:
        return ShopCapabilityMissing(self.name, capability)

    # --- reading -----------------------------------------------------------------------
    async def list_orders(self, cursor: str | None, *, page_size: int = 50) -> ShopOrderPage:
        """Orders changed since ``cursor`` (every order when ``None``), one page at a time.
        A pass from ``None`` over a large shop may use a bulk operation."""
        raise self._missing(ShopCapability.LIST_ORDERS)

    async def get_order(self, shop_order_id: str) -> ShopOrder:
        raise self._missing(ShopCapability.GET_ORDER)

    # --- writing (each carries an idempotency key from the outbox) ----------------------
    async def create_fulfillment(self, order: ShopOrder, lines: Sequence[tuple[str, int]],
                                 tracking: TrackingPush, key: str) -> ShopFulfillment:
        """Mark ``lines`` (shop line id, quantity) sent, with ``tracking``."""
        raise self._missing(ShopCapability.FULFILL)

    async def update_tracking(self, order: ShopOrder, fulfillment_id: str,
                              tracking: TrackingPush, key: str) -> ShopFulfillment:
        raise self._missing(ShopCapability.UPDATE_TRACKING)

    async def create_refund(self, order: ShopOrder, amount: Money, note: str,
                            key: str) -> ShopRefund:
        """Refund ``amount`` to the customer through the order's payment; never more than
        the shop says is refundable."""
        raise self._missing(ShopCapability.REFUND)

    @abc.abstractmethod
    async def was_applied(self, action: ShopAction, order: ShopOrder) -> Applied:
        """After an ambiguous failure: read the shop and say whether the action already took
        effect there. The outbox never resends before asking this."""

    async def aclose(self) -> None:
        """Release connections and files."""
