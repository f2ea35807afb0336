"""The contract every supplier adapter fulfils: one abstract class, a declaration of what
the supplier can do by API, and typed errors.

Adapters are found by ``kind`` through the ``ordertui.suppliers`` entry-point group, so a
third party can add a supplier by installing a package.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from ordertui.adapters import Applied, PlatformAdapter
from ordertui.domain.capabilities import Action, Capability
from ordertui.domain.errors import CapabilityMissing
from ordertui.domain.models import (
    CancellationRequest,
    Dispute,
    Evidence,
    Order,
    TrackingEvent,
)
from ordertui.domain.money import Money
from ordertui.domain.policy import SupplierPolicy
from ordertui.domain.states import DisputeReason


@dataclass(slots=True)
class OrderPage:
    """One page of orders changed since a cursor."""

    orders: list[Order]
    cursor: str | None  # where the next call continues; stored with the page's orders
    more: bool  # True while another page follows right away
    total: int | None = None  # how many orders this whole pass will bring, when known


@dataclass(slots=True)
class Tracking:
    carrier: str
    tracking_number: str
    events: list[TrackingEvent]
    url: str = ""
    status: str = ""


@dataclass(slots=True)
class DisputeDraft:
    reason: DisputeReason
    amount: Money
    description: str
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class PendingAction:
    """An action from the outbox, as an adapter needs it to send or to look it up."""

    action: Action
    key: str  # idempotency key, unique per action
    supplier_order_id: str
    payload: dict[str, Any]
    first_attempt_at: datetime | None = None


class SupplierAdapter(PlatformAdapter):
    """One supplier account, configured under ``[suppliers.<name>]``."""

    #: what this supplier does by API
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    #: requests per second the supplier allows by default
    rate_limit: ClassVar[float | None] = None
    #: whether list_orders gives whole orders; if not, items and tracking are read one order
    #: at a time, when the merchant opens it or in the background within the rate limit
    list_has_details: ClassVar[bool] = True
    #: seconds between syncs while the app waits on this supplier's answer (a cancellation
    #: or a dispute it is deciding): sooner than the regular sync (every 5 minutes by
    #: default), so that a decision shows soon after it is made, yet rare enough that a
    #: supplier taking hours to decide costs few requests; the app polls at the pace of the
    #: most eager supplier configured
    follow_up_s: ClassVar[float] = 30.0
    #: the supplier's own return policy, for an adapter that knows it (a third party's); the
    #: built-in kinds' documented policies are in ``ordertui.domain.policy.default_policy``
    return_policy: ClassVar[SupplierPolicy | None] = None

    # --- declarations ----------------------------------------------------------------
    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def web_url(self, order: Order, action: Action | None = None) -> str | None:
        """The supplier's own page for this order or for doing ``action`` on it by hand."""
        return order.supplier_url or None

    def _missing(self, capability: Capability, order: Order | None = None) -> CapabilityMissing:
        action = capability.value.replace("_", " ")
        url = self.web_url(order) if order is not None else None
        return CapabilityMissing(self.name, action, url)

    # --- reading ---------------------------------------------------------------------
    async def list_orders(self, cursor: str | None, *, page_size: int = 200) -> OrderPage:
        """Orders changed since ``cursor`` (all of them when ``None``), one page at a time."""
        raise self._missing(Capability.LIST_ORDERS)

    async def get_order(self, supplier_order_id: str) -> Order:
        raise self._missing(Capability.GET_ORDER)

    async def get_tracking(self, order: Order) -> Tracking:
        raise self._missing(Capability.TRACKING, order)

    async def get_disputes(self, order: Order) -> list[Dispute]:
        raise self._missing(Capability.DISPUTE_LIST, order)

    # --- writing (each carries an idempotency key from the outbox) --------------------
    async def request_cancellation(self, order: Order, reason: str,
                                   key: str) -> CancellationRequest:
        raise self._missing(Capability.CANCEL, order)

    async def answer_cancellation_info(self, order: Order, message: str,
                                       key: str) -> CancellationRequest:
        raise self._missing(Capability.ANSWER_CANCEL_INFO, order)

    async def open_dispute(self, order: Order, draft: DisputeDraft, key: str) -> Dispute:
        raise self._missing(Capability.DISPUTE_OPEN, order)

    async def reply_dispute(self, order: Order, message: str, key: str) -> Dispute:
        raise self._missing(Capability.DISPUTE_REPLY, order)

    async def escalate_dispute(self, order: Order, key: str) -> Dispute:
        raise self._missing(Capability.DISPUTE_ESCALATE, order)

    async def withdraw_dispute(self, order: Order, key: str) -> Dispute:
        raise self._missing(Capability.DISPUTE_WITHDRAW, order)

    async def accept_dispute_offer(self, order: Order, key: str) -> Dispute:
        raise self._missing(Capability.DISPUTE_ACCEPT_OFFER, order)

    @abc.abstractmethod
    async def was_applied(self, pending: PendingAction, order: Order) -> Applied:
        """After an ambiguous failure: read the supplier's state and say whether the action
        already took effect there. The outbox never resends before asking this."""

    async def aclose(self) -> None:
        """Release connections and files."""
