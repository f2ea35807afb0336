"""AliExpress (Open Platform, DS API): order details and tracking by API; the rest by hand.

The DS API has no order list, no buyer-side cancellation and no dispute API. So the merchant
adds orders by their AliExpress ids (``ordertui add``), after which they sync one by one
like any other; cancelling and disputing happen in the AliExpress buyer centre, reached from
the order's detail page (``web_url``), and the merchant records there what they did and what
the seller answered, so the order's history in ordertui stays complete. What AliExpress's
order status does say about a cancellation (``IN_CANCEL``) or a dispute (``IN_ISSUE``,
``IN_FROZEN``) is shown as confirmed by the supplier.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import sqlite3
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

from ordertui.domain.capabilities import Action, Capability
from ordertui.domain.errors import ConfigError, SupplierNotFound, SupplierProtocolError
from ordertui.domain.models import (
    CancellationRequest,
    Customer,
    Dispute,
    DisputeMessage,
    LineItem,
    Order,
    StateChange,
    TrackingEvent,
)
from ordertui.domain.money import MAX_AMOUNT, Money
from ordertui.domain.states import CancellationState, DisputeReason, DisputeState, OrderStatus
from ordertui.secrets import resolve_secret
from ordertui.sqlite_file import transaction
from ordertui.suppliers.aliexpress.client import DEFAULT_BASE_URL, AEClient
from ordertui.suppliers.base import (
    AdapterContext,
    Applied,
    PendingAction,
    SupplierAdapter,
    Tracking,
)
from ordertui.suppliers.http import check_base_url

#: AliExpress writes times without an offset; taken as China time (UNCONFIRMED)
AE_TZ = timezone(timedelta(hours=8))
WEB_BASE = "https://www.aliexpress.com"

AWAITING = ("PLACE_ORDER_SUCCESS", "PAYMENT_PROCESSING", "WAIT_SELLER_EXAMINE_MONEY",
            "RISK_CONTROL", "RISK_CONTROL_HOLD", "WAIT_GROUP", "WAIT_COMPLETE_ADDRESS",
            "FUND_PROCESSING")
STATUS_MAP: dict[str, OrderStatus] = {
    **{s: OrderStatus.AWAITING_PAYMENT for s in AWAITING},
    "WAIT_SELLER_SEND_GOODS": OrderStatus.PROCESSING, "IN_CANCEL": OrderStatus.PROCESSING,
    "SELLER_PART_SEND_GOODS": OrderStatus.SHIPPED,
    "WAIT_BUYER_ACCEPT_GOODS": OrderStatus.SHIPPED,
    "FINISH": OrderStatus.DELIVERED, "ARCHIVE": OrderStatus.CLOSED,
}
DISPUTE_STATUSES = ("IN_ISSUE", "IN_FROZEN")
#: where an order in dispute stands, by its logistics status
LOGISTICS_MAP = {
    "WAIT_SELLER_SEND_GOODS": OrderStatus.PROCESSING,
    "SELLER_SEND_PART_GOODS": OrderStatus.SHIPPED, "SELLER_SEND_GOODS": OrderStatus.SHIPPED,
    "BUYER_ACCEPT_GOODS": OrderStatus.DELIVERED,
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    order_id TEXT PRIMARY KEY, fp TEXT NOT NULL, updated_at INTEGER NOT NULL,
    last_status TEXT NOT NULL DEFAULT '', cancel_at INTEGER NOT NULL DEFAULT 0,
    issue_at INTEGER NOT NULL DEFAULT 0, tracking TEXT NOT NULL DEFAULT '');
"""


class AEState:
    """What the adapter remembers per order: when it first saw a cancellation or a dispute
    (AliExpress does not say), the last status it could place, the tracking it read, and
    when the order last changed as far as ordertui could see."""

    def __init__(self, path: Path) -> None:
        self.path = path
        con = sqlite3.connect(path, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.executescript(_SCHEMA)
        finally:
            con.close()

    def _db(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return transaction(self.path, wal=False)

    def get(self, order_id: str) -> dict[str, Any]:
        with self._db() as con:
            row = con.execute("SELECT fp, updated_at, last_status, cancel_at, issue_at, "
                              "tracking FROM orders WHERE order_id = ?", (order_id,)).fetchone()
        if row is None:
            return {}
        return {"fp": row[0], "updated_at": row[1], "last_status": row[2],
                "cancel_at": row[3], "issue_at": row[4],
                "tracking": json.loads(row[5]) if row[5] else None}

    def put(self, order_id: str, **values: Any) -> None:
        if "tracking" in values:
            values["tracking"] = json.dumps(values["tracking"]) if values["tracking"] else ""
        cols = list(values)
        with self._db() as con:
            con.execute("INSERT INTO orders (order_id, fp, updated_at) VALUES (?, '', 0) "
                        "ON CONFLICT (order_id) DO NOTHING", (order_id,))
            con.execute(f"UPDATE orders SET {', '.join(f'{c} = ?' for c in cols)} "
                        "WHERE order_id = ?", [*values.values(), order_id])


def parse_time(value: Any) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=AE_TZ)
    if not 1970 <= dt.year <= 2200:  # no time AliExpress can mean; year 1 or 9999 overflow
        return None
    return dt.astimezone(UTC).replace(microsecond=0)


def _ms(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value) / 1000, UTC).replace(microsecond=0)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def unwrap(value: Any) -> list[Any]:
    """AliExpress wraps each list in an object (``{"aeop_child_order_info": [...]}``) unless
    ``simplify=true``: accept both."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        for inner in value.values():
            if isinstance(inner, list):
                return inner
            if isinstance(inner, dict):
                return [inner]
    return []


def _money(value: Any, currency: str) -> Money:
    amount: Any = value
    cents = False
    if isinstance(value, dict):
        amount = value.get("amount", value.get("cent"))
        code = value.get("currency_code")
        # a currency is three letters; anything else (markup, escapes) is not shown as one
        currency = code.upper() if isinstance(code, str) and len(code) == 3 and \
            code.isascii() and code.isalpha() else currency
        cents = "amount" not in value and value.get("cent") is not None
    try:
        d = Decimal(str(amount)) if amount not in (None, "") else Decimal(0)
    except InvalidOperation:
        d = Decimal(0)
    if not d.is_finite() or d.copy_abs() >= MAX_AMOUNT:  # no amount AliExpress can mean
        d = Decimal(0)
    return Money(d / 100 if cents else d, currency or "USD")


def _count(value: Any) -> int:
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else 1


class AliExpressAdapter(SupplierAdapter):
    kind = "aliexpress"
    title = "AliExpress"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({
        Capability.GET_ORDER, Capability.ADD_BY_ID, Capability.TRACKING})
    secret_keys = ("app_secret", "access_token", "refresh_token")
    rate_limit = 2.0  # AliExpress's per-app limit is UNCONFIRMED; stay well below it

    def __init__(self, name: str, settings: Mapping[str, Any], context: AdapterContext) -> None:
        super().__init__(name, settings, context)
        where = f"{context.config_path or 'config'} [suppliers.{name}]"
        app_key = settings.get("app_key")
        secret = resolve_secret(settings, "app_secret", where=where)
        if not isinstance(app_key, str | int) or not str(app_key) or not secret:
            raise ConfigError(where, "needs app_key and app_secret (or app_secret_env) from "
                              "the AliExpress Open Platform console", key="app_secret")
        base_url = check_base_url(str(settings.get("base_url", DEFAULT_BASE_URL)), where=where)
        self.language = str(settings.get("language", "en_US"))
        self.web_base = str(settings.get("web_url", WEB_BASE)).rstrip("/")
        self.client = AEClient(
            name, base_url, str(app_key), secret,
            access_token=resolve_secret(settings, "access_token", where=where),
            refresh_token=resolve_secret(settings, "refresh_token", where=where),
            directory=context.directory, clock=context.clock,
            rate=float(settings.get("rate_limit", self.rate_limit)),
            connect_timeout=float(settings.get("connect_timeout_s", 10)),
            read_timeout=float(settings.get("read_timeout_s", 30)),
            simplify=settings.get("simplify") is True)
        self.state = AEState(context.directory / "ae-state.sqlite3")

    @classmethod
    def validate_settings(cls, settings: Mapping[str, Any]) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        if not isinstance(settings.get("app_key"), str | int) or isinstance(
                settings.get("app_key"), bool):
            problems.append(("app_key", "needs app_key = \"...\" from the AliExpress Open "
                             "Platform console"))
        if not settings.get("app_secret") and not settings.get("app_secret_env"):
            problems.append(("app_secret", "needs app_secret = \"...\" or app_secret_env = "
                             "\"VARIABLE\""))
        if not any(settings.get(k) for k in ("access_token", "access_token_env",
                                              "refresh_token", "refresh_token_env")):
            problems.append(("access_token", "needs access_token (or access_token_env) and "
                             "refresh_token (or refresh_token_env) from authorizing the app"))
        for key in ("app_secret", "app_secret_env", "access_token", "access_token_env",
                    "refresh_token", "refresh_token_env", "base_url", "web_url", "language"):
            if key in settings and not isinstance(settings[key], str):
                problems.append((key, f"{key} must be a string"))
        if isinstance(settings.get("base_url"), str):
            try:
                check_base_url(settings["base_url"], where="config")
            except ConfigError as exc:
                problems.append(("base_url", exc.message.split(": ", 1)[-1]))
        for key, low, high in (("rate_limit", 0.01, 100), ("connect_timeout_s", 0.1, 300),
                               ("read_timeout_s", 0.1, 600)):
            value = settings.get(key)
            if value is not None and (not isinstance(value, int | float)
                                      or isinstance(value, bool) or not low <= value <= high):
                problems.append((key, f"{key} must be a number from {low} to {high}"))
        if "simplify" in settings and not isinstance(settings["simplify"], bool):
            problems.append(("simplify", "simplify must be true or false"))
        if "policy" in settings and not isinstance(settings["policy"], Mapping):
            problems.append(("policy", "policy must be a table, [suppliers.NAME.policy]"))
        return problems

    async def aclose(self) -> None:
        await self.client.aclose()

    def web_url(self, order: Order, action: Action | None = None) -> str | None:
        """The buyer centre's order page: cancelling ("Cancel order", before the seller
        ships) and disputes ("Open dispute", after) start from there."""
        oid = quote(order.supplier_order_id, safe="")
        return f"{self.web_base}/p/order/detail.html?orderId={oid}"

    def _now(self) -> datetime:
        return self.context.clock().replace(microsecond=0)

    # --- reading ------------------------------------------------------------------------------
    async def get_order(self, supplier_order_id: str) -> Order:
        oid = supplier_order_id.strip()
        if not oid.isdigit():
            raise SupplierNotFound(self.name, f"{oid!r} is not an AliExpress order id (those "
                                   "are numbers, like 8190000000000001)")
        answer = await self.client.call("aliexpress.trade.ds.order.get", {
            "single_order_query": json.dumps({"order_id": oid}, separators=(",", ":"))})
        result = answer.get("result")
        inner = result if isinstance(result, dict) else {}
        rsp = answer.get("rsp_code", inner.get("rsp_code"))
        if rsp not in (None, "", 200, "200", 0, "0"):
            msg = answer.get("rsp_msg") or inner.get("rsp_msg") or "no message"
            raise SupplierNotFound(self.name, f"AliExpress: {msg} ({rsp})") \
                if "not" in str(msg).lower() else SupplierProtocolError(
                    self.name, f"AliExpress answered {rsp}: {msg}")
        if not isinstance(result, dict) or not result.get("order_status"):
            raise SupplierProtocolError(self.name, f"AliExpress's answer for {oid} has no "
                                        "order status", request_id=_rid(answer))
        state = await asyncio.to_thread(self.state.get, oid)
        status = self._status(result, state)
        tracking = state.get("tracking")
        moving = status is OrderStatus.SHIPPED or str(result.get("order_status")) in \
            DISPUTE_STATUSES
        if moving or (status is OrderStatus.DELIVERED and not tracking):
            tracking = _plain(await self._tracking(oid)) or tracking
        return await asyncio.to_thread(self._finish, oid, result, state, tracking)

    def _status(self, result: dict[str, Any], state: dict[str, Any]) -> OrderStatus:
        raw = str(result.get("order_status"))
        if raw in DISPUTE_STATUSES:
            placed = LOGISTICS_MAP.get(str(result.get("logistics_status")))
            if placed is not None:
                return placed
            last = state.get("last_status")
            return OrderStatus(last) if last else OrderStatus.UNKNOWN
        status = STATUS_MAP.get(raw, OrderStatus.UNKNOWN)
        children = [c for c in unwrap(result.get("child_order_list")) if isinstance(c, dict)]
        if raw == "FINISH" and children and all(
                str(c.get("end_reason", "")).upper() in ("CANCELED", "CANCELLED")
                for c in children):
            return OrderStatus.CANCELLED
        return status

    def _finish(self, oid: str, result: dict[str, Any], state: dict[str, Any],
                tracking: dict[str, Any] | None) -> Order:
        """Build the order; remember what AliExpress does not keep for us."""
        raw = str(result.get("order_status"))
        status = self._status(result, state)
        now = self._now()
        total = _money(result.get("order_amount"), "USD")
        currency = total.currency
        created = parse_time(result.get("gmt_create")) or now
        items = []
        for c in unwrap(result.get("child_order_list")):
            if not isinstance(c, dict):
                continue
            items.append(LineItem(
                title=str(c.get("product_name") or f"AliExpress product {c.get('product_id')}"),
                quantity=_count(c.get("product_count")),
                unit_cost=_money(c.get("product_price"), currency),
                unit_price=Money.zero(currency), sku=str(c.get("sku_id") or ""),
                product_id=str(c.get("product_id") or ""),
                line_id=str(c.get("child_order_id") or c.get("product_id") or "")))
        logistics = [x for x in unwrap(result.get("logistics_info_list")) if isinstance(x, dict)]
        carrier = str((tracking or {}).get("carrier") or
                      (logistics[0].get("logistics_service") if logistics else "") or "")
        number = str((tracking or {}).get("number") or
                     (logistics[0].get("logistics_no") if logistics else "") or "")
        events = [TrackingEvent(datetime.fromtimestamp(e[0], UTC), e[1], e[2], e[3])
                  for e in (tracking or {}).get("events", [])]
        delivered = None
        if status in (OrderStatus.DELIVERED, OrderStatus.CLOSED) and events:
            delivered = events[-1].at
        cancel_at, issue_at = int(state.get("cancel_at") or 0), int(state.get("issue_at") or 0)
        if raw == "IN_CANCEL" and not cancel_at:
            cancel_at = int(now.timestamp())
        if raw in DISPUTE_STATUSES and not issue_at:
            issue_at = int(now.timestamp())
        order = Order(
            supplier=self.name, supplier_order_id=oid, name="", status=status,
            supplier_status=raw, created_at=created, updated_at=created, currency=currency,
            items=items, customer=Customer(), total_price=Money.zero(currency),
            total_cost=total, paid_at=parse_time(result.get("order_paidtime_string")),
            payment="AliExpress" if result.get("order_paidtime_string") else "",
            carrier=carrier, tracking_number=number,
            tracking_url=f"https://global.cainiao.com/detail.htm?mailNoList={number}"
            if number else "", tracking_events=events,
            shipped_at=events[0].at if events else None, delivered_at=delivered)
        order.supplier_url = self.web_url(order) or ""
        order.cancellation = self._cancellation(raw, status, created, cancel_at)
        if raw in DISPUTE_STATUSES:
            opened = datetime.fromtimestamp(issue_at, UTC)
            text = ("AliExpress shows a dispute open on this order" +
                    (" and the payment frozen" if raw == "IN_FROZEN" else "") +
                    f" ({raw}); follow it in the buyer centre and record its outcome")
            order.dispute = Dispute(
                state=DisputeState.OPEN, reason=DisputeReason.OTHER, amount=total,
                description=text, opened_at=opened, updated_at=opened,
                supplier_dispute_id=f"{oid}-issue",
                messages=[DisputeMessage(opened, "platform", text)],
                history=[StateChange(opened, "open", raw)])
        fp = hashlib.sha1(repr(replace(order, updated_at=created)).encode()).hexdigest()
        before = int(state.get("updated_at") or 0)
        # a change gets a later time than the one before, even within the same second
        updated = before if state.get("fp") == fp else max(int(now.timestamp()), before + 1)
        order.updated_at = datetime.fromtimestamp(updated, UTC)
        last = status.value if status is not OrderStatus.UNKNOWN else \
            state.get("last_status", "")
        self.state.put(oid, fp=fp, updated_at=int(order.updated_at.timestamp()),
                       last_status=last, cancel_at=cancel_at, issue_at=issue_at,
                       tracking=tracking)
        return order

    @staticmethod
    def _cancellation(raw: str, status: OrderStatus, created: datetime, cancel_at: int
                      ) -> CancellationRequest | None:
        """What AliExpress's status says of a cancellation; None when it says nothing."""
        asked = datetime.fromtimestamp(cancel_at, UTC) if cancel_at else created
        if raw == "IN_CANCEL":
            note = "AliExpress shows a cancellation request; the seller decides"
            return CancellationRequest(
                state=CancellationState.REQUESTED, reason="cancellation requested on AliExpress",
                requested_at=asked, updated_at=asked, supplier_message=note,
                history=[StateChange(asked, "requested", note)])
        if status is OrderStatus.CANCELLED:
            note = "AliExpress lists the order as cancelled"
            return CancellationRequest(
                state=CancellationState.APPROVED, reason="cancelled on AliExpress",
                requested_at=asked, updated_at=asked, supplier_message=note,
                history=[StateChange(asked, "approved", note)])
        if cancel_at and status in (OrderStatus.PROCESSING, OrderStatus.SHIPPED,
                                    OrderStatus.DELIVERED, OrderStatus.CLOSED):
            note = "the seller went on with the order: the cancellation was not granted"
            return CancellationRequest(
                state=CancellationState.REJECTED, reason="cancellation requested on AliExpress",
                requested_at=asked, updated_at=asked, supplier_message=note,
                history=[StateChange(asked, "rejected", note)])
        return None

    async def _tracking(self, oid: str) -> Tracking | None:
        answer = await self.client.call("aliexpress.ds.order.tracking.get",
                                        {"ae_order_id": oid, "language": self.language})
        result = answer.get("result", answer)
        if not isinstance(result, dict):
            raise SupplierProtocolError(self.name, "AliExpress's tracking answer has no result",
                                        request_id=_rid(answer))
        if result.get("ret") in (False, "false"):
            if str(result.get("code")) == "1001" or "NOT FOUND" in str(result.get("msg", "")
                                                                       ).upper():
                return None  # nothing shipped yet
            raise SupplierProtocolError(self.name, f"AliExpress's tracking failed: "
                                        f"{result.get('msg')} ({result.get('code')})",
                                        request_id=_rid(answer))
        data = result.get("data") or {}
        lines = [x for x in unwrap(data.get("tracking_detail_line_list") if isinstance(
            data, dict) else data) if isinstance(x, dict)]
        if not lines:
            return None
        events: list[TrackingEvent] = []
        for line in lines:
            for node in unwrap(line.get("detail_node_list")):
                if not isinstance(node, dict):
                    continue
                at = _ms(node.get("time_stamp"))
                if at is None:
                    continue
                name = str(node.get("tracking_name") or "")
                desc = str(node.get("tracking_detail_desc") or name)
                events.append(TrackingEvent(at, name or desc, _location(desc, name), name))
        events.sort(key=lambda e: e.at)
        first = lines[0]
        number = ", ".join(str(x.get("mail_no")) for x in lines if x.get("mail_no"))
        return Tracking(carrier=str(first.get("carrier_name") or ""), tracking_number=number,
                        events=events, status=events[-1].description if events else "")

    async def get_tracking(self, order: Order) -> Tracking:
        found = await self._tracking(order.supplier_order_id)
        if found is None:
            return Tracking(order.carrier, order.tracking_number, [], status="not shipped yet")
        state = await asyncio.to_thread(self.state.get, order.supplier_order_id)
        if state:
            await asyncio.to_thread(self.state.put, order.supplier_order_id,
                                    tracking=_plain(found))
        return found

    async def was_applied(self, pending: PendingAction, order: Order) -> Applied:
        """Nothing is ever sent to AliExpress by API (no action capability), so nothing
        can have taken effect there on ordertui's behalf."""
        return Applied.NO


def _location(desc: str, name: str) -> str:
    if " — " in desc:
        return desc.split(" — ", 1)[1]
    return ""


def _plain(t: Tracking | None) -> dict[str, Any] | None:
    if t is None:
        return None
    return {"carrier": t.carrier, "number": t.tracking_number,
            "events": [[int(e.at.timestamp()), e.description, e.location, e.status]
                       for e in t.events]}


def _rid(answer: Mapping[str, Any]) -> str | None:
    rid = answer.get("request_id")
    return rid if isinstance(rid, str) else None
