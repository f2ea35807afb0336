"""AliExpress's wire format read into domain objects.

The DS API's answers wrap lists in objects (unless ``simplify=true``), write amounts as
strings, numbers or cents in a money object, and times in China time without an offset:
the parsers here turn each into a value or a harmless default, never an exception. The
builders turn one ``aliexpress.trade.ds.order.get`` result into an ``Order`` and one
``aliexpress.ds.order.tracking.get`` answer into a ``Tracking``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from ordertui.domain.errors import SupplierProtocolError
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
from ordertui.i18n import _
from ordertui.suppliers.base import Tracking

#: AliExpress writes times without an offset; taken as China time (UNCONFIRMED)
AE_TZ = timezone(timedelta(hours=8))

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


# --- parsers --------------------------------------------------------------------------------


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


def from_ms(value: Any) -> datetime | None:
    """A time in milliseconds since the epoch (the tracking nodes' ``time_stamp``)."""
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


def money_of(value: Any, currency: str) -> Money:
    """An amount as a number or string in ``currency``, or a money object with its own
    currency and ``amount`` (or ``cent``)."""
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


def count_of(value: Any) -> int:
    """A count as a number or a string of (ASCII) digits; 1 otherwise."""
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else 1


def request_id(answer: Mapping[str, Any]) -> str | None:
    rid = answer.get("request_id")
    return rid if isinstance(rid, str) else None


def page_url(web_base: str, order_id: str) -> str:
    """The buyer centre's order page."""
    return f"{web_base}/p/order/detail.html?orderId={quote(order_id, safe='')}"


# --- an order -------------------------------------------------------------------------------


def order_status(result: dict[str, Any], state: dict[str, Any]) -> OrderStatus:
    """Where the order stands; an order in dispute by its logistics status, else by the
    last status the adapter could place (``state``)."""
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


def build_order(supplier: str, oid: str, result: dict[str, Any], status: OrderStatus,
                tracking: dict[str, Any] | None, *, now: datetime, cancel_at: int,
                issue_at: int, web_base: str) -> Order:
    """The order from AliExpress's ``result``, the tracking the adapter keeps
    (``tracking_plain``'s form) and when the adapter first saw a cancellation or a dispute
    (seconds; 0: not yet)."""
    raw = str(result.get("order_status"))
    total = money_of(result.get("order_amount"), "USD")
    currency = total.currency
    created = parse_time(result.get("gmt_create")) or now
    items = []
    for c in unwrap(result.get("child_order_list")):
        if not isinstance(c, dict):
            continue
        items.append(LineItem(
            title=str(c.get("product_name") or f"AliExpress product {c.get('product_id')}"),
            quantity=count_of(c.get("product_count")),
            unit_cost=money_of(c.get("product_price"), currency),
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
    order = Order(
        supplier=supplier, supplier_order_id=oid, name="", status=status,
        supplier_status=raw, created_at=created, updated_at=created, currency=currency,
        items=items, customer=Customer(), total_price=Money.zero(currency),
        total_cost=total, paid_at=parse_time(result.get("order_paidtime_string")),
        payment="AliExpress" if result.get("order_paidtime_string") else "",
        carrier=carrier, tracking_number=number,
        tracking_url=f"https://global.cainiao.com/detail.htm?mailNoList={number}"
        if number else "", tracking_events=events,
        shipped_at=events[0].at if events else None, delivered_at=delivered)
    order.supplier_url = page_url(web_base, oid)
    order.cancellation = cancellation_from(raw, status, created, cancel_at)
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
    return order


def cancellation_from(raw: str, status: OrderStatus, created: datetime, cancel_at: int
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


# --- tracking -------------------------------------------------------------------------------


def tracking_from(supplier: str, answer: dict[str, Any]) -> Tracking | None:
    """The parcel's tracking from the tracking call's answer; None when nothing has
    shipped yet."""
    result = answer.get("result", answer)
    if not isinstance(result, dict):
        raise SupplierProtocolError(supplier, _("AliExpress's tracking answer has no result"),
                                    request_id=request_id(answer))
    if result.get("ret") in (False, "false"):
        if str(result.get("code")) == "1001" or "NOT FOUND" in str(result.get("msg", "")
                                                                   ).upper():
            return None  # nothing shipped yet
        # Translators: message is AliExpress's own text, code its answer's code
        raise SupplierProtocolError(supplier, _(
            "AliExpress's tracking failed: {message} ({code})").format(
                message=result.get("msg"), code=result.get("code")),
            request_id=request_id(answer))
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
            at = from_ms(node.get("time_stamp"))
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


def _location(desc: str, name: str) -> str:
    if " — " in desc:
        return desc.split(" — ", 1)[1]
    return ""


def tracking_plain(t: Tracking | None) -> dict[str, Any] | None:
    """The tracking as the adapter's state keeps it (JSON)."""
    if t is None:
        return None
    return {"carrier": t.carrier, "number": t.tracking_number,
            "events": [[int(e.at.timestamp()), e.description, e.location, e.status]
                       for e in t.events]}
