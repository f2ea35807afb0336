"""Shopify (GraphQL Admin API): the merchant's store, read and written by its own custom app.

Settings under ``[shops.NAME]`` with ``kind = "shopify"``:

- ``store``: the store's myshopify name, ``"my-shop"`` or ``"my-shop.myshopify.com"``;
- ``access_token_env``: the environment variable holding the app's Admin API access token
  (``shpat_…``); or ``access_token`` itself, only in a config file only its owner can read;
- ``api_version`` (``"2026-10"``), ``notify_customer`` and ``push_tracking`` (true);
- ``base_url``: another address for the Admin API (a simulator; plain http to this machine
  only), ``connect_timeout_s`` and ``read_timeout_s``.

What goes back to the store: a fulfillment with tracking for the lines a supplier shipped
(through the order's fulfillment orders; never what the store has fulfilled already), a
change of that tracking, and refunds against the order's payment. Each carries the outbox's
key — in the fulfillment's message and the refund's note, and as the refund's idempotency
key — so that after a send whose outcome is unknown ``was_applied`` can tell from the
store's order whether it took effect.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, ClassVar

from ordertui.adapters import AdapterContext, Applied, http_settings_problems
from ordertui.domain.errors import ConfigError, SupplierNotFound, SupplierRejected
from ordertui.domain.money import Money
from ordertui.domain.shop import ShopCapability, ShopFulfillment, ShopOrder, ShopRefund
from ordertui.i18n import _
from ordertui.secrets import resolve_secret
from ordertui.shops.base import ShopAction, ShopAdapter, ShopOrderPage, TrackingPush
from ordertui.shops.shopify import queries
from ordertui.shops.shopify.client import ShopifyClient, endpoint_base
from ordertui.shops.shopify.mapping import (
    end_cursor,
    has_more,
    money,
    nodes_of,
    parse_time,
    shop_fulfillment,
    tracking_input,
)
from ordertui.shops.shopify.sync import ShopifySync

DEFAULT_API_VERSION = "2026-10"
_STORE = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_VERSION = re.compile(r"20\d\d-(01|04|07|10)|unstable")
#: fulfillment orders that can still be fulfilled
FULFILLABLE = frozenset({"OPEN", "IN_PROGRESS"})
#: fulfillment orders the merchant holds back: nothing is sent from them until released
HELD = frozenset({"ON_HOLD", "SCHEDULED"})
#: a refund's parent: a payment that took the customer's money
PAYMENT_KINDS = frozenset({"SALE", "CAPTURE"})
KEY_NAMESPACE = uuid.UUID("5b0f6a0e-3c52-4a51-9d0c-2f5d3c1c9e8a")


def store_name(value: Any) -> str | None:
    """``"My-Shop.myshopify.com"`` → ``"my-shop"``; None when it is no store name."""
    if not isinstance(value, str):
        return None
    name = value.strip().lower()
    if name.endswith(".myshopify.com"):
        name = name[: -len(".myshopify.com")]
    return name if _STORE.fullmatch(name) else None


def marker(key: str) -> str:
    """What a write carries of its outbox key, to be recognised in the store later."""
    return f"[ordertui {key}]"


def idempotency_key(shop: str, key: str) -> str:
    """Shopify's idempotency key for the outbox action ``key``: a UUID, the same every time
    the action is sent."""
    return str(uuid.uuid5(KEY_NAMESPACE, f"{shop}\0{key}"))


class ShopifyAdapter(ShopAdapter):
    kind = "shopify"
    title = "Shopify"
    capabilities: ClassVar[frozenset[ShopCapability]] = frozenset(ShopCapability)
    secret_keys = ("access_token",)

    def __init__(self, name: str, settings: Mapping[str, Any], context: AdapterContext) -> None:
        super().__init__(name, settings, context)
        where = f"{context.config_path or 'config'} [shops.{name}]"
        problems = self.validate_settings(settings)
        if problems:
            key, message = problems[0]
            raise ConfigError(where, message, key=key)
        self.store = store_name(settings["store"]) or ""
        token = resolve_secret(settings, "access_token", where=where)
        if not token:
            raise ConfigError(where, _("needs access_token_env = \"VARIABLE\" (the Admin API "
                                       "access token)"), key="access_token_env")
        base = endpoint_base(self.store, settings.get("base_url"))
        self.client = ShopifyClient(
            name, base, token, api_version=str(settings.get("api_version",
                                                            DEFAULT_API_VERSION)),
            connect_timeout=float(settings.get("connect_timeout_s", 10)),
            read_timeout=float(settings.get("read_timeout_s", 30)))
        self.sync = ShopifySync(self.client, name, self.store, context.directory)

    def __repr__(self) -> str:
        return f"ShopifyAdapter({self.name!r}, store={self.store!r})"

    @classmethod
    def validate_settings(cls, settings: Mapping[str, Any]) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        if store_name(settings.get("store")) is None:
            problems.append(("store", _("store must be the store's myshopify name, like "
                                        "store = \"my-shop\" or \"my-shop.myshopify.com\"")))
        for key in ("access_token", "access_token_env", "api_version", "base_url"):
            if key in settings and not isinstance(settings[key], str):
                problems.append((key, _("{key} must be a string").format(key=key)))
        if not settings.get("access_token") and not settings.get("access_token_env"):
            problems.append(("access_token_env", _(
                "needs access_token_env = \"VARIABLE\" naming the variable that holds the "
                "app's Admin API access token (shpat_…), or access_token in a config file only "
                "you can read")))
        version = settings.get("api_version", DEFAULT_API_VERSION)
        if isinstance(version, str) and not _VERSION.fullmatch(version):
            problems.append(("api_version", _(
                "api_version must be a Shopify API version like \"{version}\"").format(
                    version=DEFAULT_API_VERSION)))
        for key in ("notify_customer", "push_tracking"):
            if key in settings and not isinstance(settings[key], bool):
                problems.append((key, _("{key} must be true or false").format(key=key)))
        problems += http_settings_problems(settings)
        return problems

    async def aclose(self) -> None:
        await self.client.aclose()

    # --- reading -------------------------------------------------------------------------
    async def list_orders(self, cursor: str | None, *, page_size: int = 50) -> ShopOrderPage:
        return await self.sync.next_page(cursor, page_size)

    async def get_order(self, shop_order_id: str) -> ShopOrder:
        return await self.sync.order(shop_order_id)

    async def _fulfillment_orders(self, order: ShopOrder) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        after: str | None = None
        while True:
            data = await self.client.query(queries.FULFILLMENT_ORDERS,
                                           {"id": order.shop_order_id, "after": after})
            node = data.get("order")
            if not isinstance(node, dict):
                raise SupplierNotFound(self.name, _("Shopify has no order {order}").format(
                    order=order.name))
            connection = node.get("fulfillmentOrders")
            found += nodes_of(connection)
            after = end_cursor(connection) if has_more(connection) else None
            if after is None:
                return found

    # --- writing -------------------------------------------------------------------------
    async def create_fulfillment(self, order: ShopOrder, lines: Sequence[tuple[str, int]],
                                 tracking: TrackingPush, key: str) -> ShopFulfillment:
        """Fulfil ``lines`` through the order's open fulfillment orders, as much of each as
        the store has still to send; refused when the store has sent them all already."""
        fulfillment_orders = await self._fulfillment_orders(order)
        # (fulfillment order, its line item, quantity left) for each of the order's lines
        left: dict[str, list[list[Any]]] = {}
        held: set[str] = set()  # what is still to send but on hold or scheduled at the store
        for fo in fulfillment_orders:
            open_ = fo.get("status") in FULFILLABLE
            for item in nodes_of(fo.get("lineItems")):
                line = item.get("lineItem") or {}
                remaining = int(item.get("remainingQuantity") or 0)
                if remaining and fo.get("status") in HELD:
                    held.add(str(fo.get("status")))
                left.setdefault(str(line.get("id", "")), []).append(
                    [fo["id"], item["id"], remaining if open_ else 0])
        groups: dict[str, list[dict[str, Any]]] = {}
        for line_id, quantity in lines:
            if line_id not in left:
                raise SupplierRejected(self.name, _(
                    "{order} has no line {line} to fulfil at the store").format(
                        order=order.name, line=line_id))
            want = quantity
            for entry in left[line_id]:
                take = min(want, entry[2])
                if take > 0:
                    groups.setdefault(entry[0], []).append({"id": entry[1], "quantity": take})
                    entry[2] -= take
                    want -= take
        if not groups and held:
            message = _("{order} is on hold and scheduled at the store; release it in "
                        "Shopify's admin first") if held == HELD else \
                _("{order} is on hold at the store; release it in Shopify's admin first") \
                if "ON_HOLD" in held else \
                _("{order} is scheduled at the store; release it in Shopify's admin first")
            raise SupplierRejected(self.name, message.format(order=order.name))
        if not groups:
            raise SupplierRejected(self.name, _(
                "{order} is fulfilled at the store already: nothing of these lines is left to "
                "send, so it is not fulfilled again").format(order=order.name))
        fulfillment = {
            "lineItemsByFulfillmentOrder": [
                {"fulfillmentOrderId": fo_id, "fulfillmentOrderLineItems": items}
                for fo_id, items in groups.items()],
            "trackingInfo": tracking_input(tracking.company, tracking.number, tracking.url),
            "notifyCustomer": self.notify_customer,
        }
        payload = await self.client.mutate(queries.FULFILLMENT_CREATE, {
            "fulfillment": fulfillment, "message": marker(key)}, "fulfillmentCreate")
        return self._fulfillment(payload)

    async def update_tracking(self, order: ShopOrder, fulfillment_id: str,
                              tracking: TrackingPush, key: str) -> ShopFulfillment:
        payload = await self.client.mutate(queries.TRACKING_UPDATE, {
            "fulfillmentId": fulfillment_id,
            "trackingInfoInput": tracking_input(tracking.company, tracking.number,
                                                tracking.url),
            "notifyCustomer": self.notify_customer}, "fulfillmentTrackingInfoUpdate")
        return self._fulfillment(payload)

    def _fulfillment(self, payload: Mapping[str, Any]) -> ShopFulfillment:
        node = payload.get("fulfillment")
        if not isinstance(node, dict):
            raise SupplierRejected(self.name, _("Shopify made no fulfillment and gave no "
                                                "reason"))
        return shop_fulfillment(node)

    async def create_refund(self, order: ShopOrder, amount: Money, note: str,
                            key: str) -> ShopRefund:
        """Refund ``amount`` against the order's successful payments (each refund names the
        SALE or CAPTURE it returns money from), never more than they have left."""
        if amount.currency != order.currency:
            raise SupplierRejected(self.name, _(
                "the store refunds {order} in {currency}, not {other}").format(
                    order=order.name, currency=order.currency, other=amount.currency))
        if amount.amount <= 0:
            raise SupplierRejected(self.name, _("a refund must be more than zero"))
        data = await self.client.query(queries.REFUND_CONTEXT, {"id": order.shop_order_id})
        node = data.get("order")
        if not isinstance(node, dict):
            raise SupplierNotFound(self.name, _("Shopify has no order {order}").format(
                order=order.name))
        if node.get("presentmentCurrencyCode") not in (None, node.get("currencyCode")):
            raise SupplierRejected(self.name, _(
                "{order} was paid in {currency}, not the store's {store_currency}; refund it in "
                "Shopify's admin").format(order=order.name,
                                          currency=node.get("presentmentCurrencyCode"),
                                          store_currency=node.get("currencyCode")))
        parents = refundable_payments(node.get("transactions"), order.currency)
        available = sum((left for _t, left in parents), Decimal(0))
        if not node.get("refundable", True) or available <= 0:
            raise SupplierRejected(self.name, _(
                "{order} has nothing left to refund at the store").format(order=order.name))
        if amount.amount > available:
            most = Money(available, order.currency).display()
            raise SupplierRejected(self.name, _(
                "at most {most} of {order} can be refunded at the store, not {amount}").format(
                    most=most, order=order.name, amount=amount.display()))
        transactions = []
        want = amount.amount
        for parent, left in parents:
            take = min(want, left)
            if take <= 0:
                continue
            transactions.append({"orderId": order.shop_order_id, "parentId": parent["id"],
                                 "gateway": parent.get("gateway") or "manual",
                                 "kind": "REFUND",
                                 "amount": str(Money(take, order.currency).quantized().amount)})
            want -= take
        refund_input = {"orderId": order.shop_order_id,
                        "note": f"{note.strip()} {marker(key)}".strip(),
                        "notify": self.notify_customer, "transactions": transactions}
        payload = await self.client.mutate(queries.REFUND_CREATE, {
            "input": refund_input, "key": idempotency_key(self.name, key)}, "refundCreate")
        refund = payload.get("refund")
        if not isinstance(refund, dict):
            raise SupplierRejected(self.name, _("Shopify made no refund and gave no reason"))
        return ShopRefund(refund_id=str(refund.get("id", "")),
                          at=parse_time(refund.get("createdAt")) or self.context.clock(),
                          amount=money(refund.get("totalRefundedSet"), order.currency),
                          note=str(refund.get("note") or ""))

    # --- after an unknown outcome ----------------------------------------------------------
    async def was_applied(self, action: ShopAction, order: ShopOrder) -> Applied:
        """Read the store's order: a fulfillment with the action's tracking number for (some
        of) its lines, the fulfillment carrying the new number, or a refund whose note
        carries the action's key for its amount."""
        kind = action.kind.removeprefix("shop_")
        p = action.payload
        if kind == "refund":
            data = await self.client.query(queries.ORDER_REFUNDS, {"id": action.shop_order_id})
            refunds = nodes_of((data.get("order") or {}).get("refunds"))
            want = Decimal(str(p["amount"])) if p.get("amount") is not None else None
            for refund in refunds:
                if marker(action.key) not in str(refund.get("note") or ""):
                    continue
                got = money(refund.get("totalRefundedSet"), order.currency).amount
                if want is None or got == want:
                    return Applied.YES
            return Applied.NO
        data = await self.client.query(queries.ORDER_FULFILLMENTS,
                                       {"id": action.shop_order_id})
        fulfillments = nodes_of((data.get("order") or {}).get("fulfillments"))
        number = str(p.get("number", ""))
        lines = {str(x[0]) for x in p.get("lines") or []}
        for f in fulfillments:
            if str(f.get("status", "")).upper() == "CANCELLED":
                continue
            numbers = {str(t.get("number")) for t in f.get("trackingInfo") or []
                       if isinstance(t, dict)}
            if number not in numbers:
                continue
            if kind in ("tracking", "update_tracking"):
                if f.get("id") == p.get("fulfillment_id"):
                    return Applied.YES
                continue
            mine = {line_id for line_id, _q in shop_fulfillment(f).lines}
            truncated = has_more(f.get("fulfillmentLineItems"))
            if not lines or lines & mine or (truncated and not mine):
                return Applied.YES
        return Applied.NO


def refundable_payments(transactions: Any, currency: str
                        ) -> list[tuple[dict[str, Any], Decimal]]:
    """The order's successful payments with what each has left to refund, most first."""
    nodes = [t for t in transactions or [] if isinstance(t, dict)]
    refunded: dict[str, Decimal] = {}
    for t in nodes:
        if t.get("kind") == "REFUND" and t.get("status") == "SUCCESS":
            parent = (t.get("parentTransaction") or {}).get("id")
            if parent:
                refunded[parent] = refunded.get(parent, Decimal(0)) + \
                    money(t.get("amountSet"), currency).amount
    payments = []
    for t in nodes:
        if t.get("kind") in PAYMENT_KINDS and t.get("status") == "SUCCESS" and t.get("id"):
            left = money(t.get("amountSet"), currency).amount - refunded.get(t["id"], 0)
            if left > 0:
                payments.append((t, left))
    payments.sort(key=lambda x: x[1], reverse=True)
    return payments
