"""Conversions between the store's rows and the domain's objects: an order's column values,
the readers that build orders, summaries, cancellations, disputes, items and tracking events
from rows, and the small helpers they share (epoch seconds, money in units, compact JSON)."""

from __future__ import annotations

import json
import re
import sqlite3
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ordertui.domain import codec
from ordertui.domain.models import (
    Address,
    CancellationRequest,
    Customer,
    Dispute,
    Evidence,
    LineItem,
    Order,
    OrderSummary,
    TrackingEvent,
    items_summary,
)
from ordertui.domain.money import Money
from ordertui.domain.states import (
    CancellationState,
    DisputeReason,
    DisputeState,
    OrderStatus,
    Source,
)

#: what ``_summary`` reads, in its order
_SUMMARY_COLUMNS = ("id, name, supplier, supplier_order_id, status, created_at, customer_name, "
                    "country, items_summary, currency, total_price, total_cost, carrier, "
                    "tracking_number, cancellation_state, dispute_state, refund_due, "
                    "last_event_at, shipped_at, revenue, revenue_currency, cost_converted")
#: how many columns ``_SUMMARY_COLUMNS`` reads
SUMMARY_WIDTH = len(_SUMMARY_COLUMNS.split(","))

#: the columns of an order's row that ``order_params`` gives values for, in its order
ORDER_COLUMNS = (
    "supplier", "supplier_order_id", "name", "name_num", "status", "supplier_status",
    "created_at", "updated_at", "paid_at", "shipped_at", "delivered_at", "payment", "currency",
    "total_price", "total_cost", "profit", "shipping_cost", "customer_name", "customer_email",
    "customer_phone", "address1", "address2", "city", "province", "zip", "country",
    "items_summary", "items_text", "quantity", "items", "carrier", "tracking_number",
    "tracking_url", "events", "last_event", "last_event_at", "supplier_url", "synced_at",
    "counted_price", "counted_cost",
)

_DIGITS = re.compile(r"\d+")
#: a name's number sorts by value; longer digit runs (a supplier's garbage) sort last
_NAME_NUMBER_MAX = 10**18


# --- values ------------------------------------------------------------------------------

def _now() -> int:
    return int(datetime.now(UTC).timestamp())


def _epoch(value: datetime | None) -> int | None:
    return int(value.timestamp()) if value is not None else None


def _dt(value: int | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value is not None else None


def _units(value: Money | None) -> int | None:
    return value.to_units() if value is not None else None


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _status(value: str) -> OrderStatus:
    try:
        return OrderStatus(value)
    except ValueError:
        return OrderStatus.UNKNOWN


# --- an order into its row ---------------------------------------------------------------

def _pack_events(order: Order) -> bytes | None:
    if not order.tracking_events:
        return None
    rows = [[int(e.at.timestamp()), e.description, e.location, e.status]
            for e in order.tracking_events]
    return zlib.compress(json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode(), 1)


def _unpack_events(blob: bytes | None) -> list[Any]:
    if not blob:
        return []
    return list(json.loads(zlib.decompress(blob)))


def _pack_items(order: Order) -> str:
    rows = [[i.title, i.variant, i.sku, i.quantity, str(i.unit_cost.amount),
             str(i.unit_price.amount), i.product_id, i.line_id, i.shop_line_id]
            for i in order.items]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def order_params(order: Order, synced_at: int) -> tuple[Any, ...]:
    """The values of ``ORDER_COLUMNS`` for one order."""
    c, a = order.customer, order.customer.address
    last = order.tracking_events[-1] if order.tracking_events else None
    num = _DIGITS.findall(order.name)
    items_text = " ".join(f"{i.title} {i.variant} {i.sku}" for i in order.items)
    return (
        order.supplier, order.supplier_order_id, order.name,
        (int(num[-1]) if len(num[-1]) <= 18 else _NAME_NUMBER_MAX) if num else 0,
        order.status.value, order.supplier_status, _epoch(order.created_at),
        _epoch(order.updated_at), _epoch(order.paid_at), _epoch(order.shipped_at),
        _epoch(order.delivered_at), order.payment, order.currency,
        order.total_price.to_units(), order.total_cost.to_units(), order.profit.to_units(),
        _units(order.shipping_cost), c.name, c.email, c.phone, a.line1, a.line2, a.city,
        a.province, a.zip, a.country, items_summary(order.items), items_text, order.quantity,
        _pack_items(order), order.carrier, order.tracking_number, order.tracking_url,
        _pack_events(order), last.description if last else "",
        _epoch(last.at) if last else None, order.supplier_url, synced_at,
        order.sale.to_units(), order.cost.to_units(),
    )


# --- rows into objects -------------------------------------------------------------------

def _item(row: list[Any], currency: str) -> LineItem:
    return LineItem(title=row[0], variant=row[1], sku=row[2], quantity=int(row[3]),
                    unit_cost=Money(Decimal(row[4]), currency),
                    unit_price=Money(Decimal(row[5]), currency), product_id=row[6],
                    line_id=row[7],
                    # rows written before the shops came have no shop line
                    shop_line_id=row[8] if len(row) > 8 else "")


def _event(row: list[Any]) -> TrackingEvent:
    return TrackingEvent(at=datetime.fromtimestamp(row[0], UTC), description=row[1],
                         location=row[2], status=row[3])


def _summary(row: sqlite3.Row | Sequence[Any], key_width: int, *,
             with_ends: bool = False) -> OrderSummary:
    """A row of ``_SUMMARY_COLUMNS`` followed by ``key_width`` sort key columns (and, for
    the protection view, when the protection ends)."""
    cur = row[9]
    w = SUMMARY_WIDTH
    ends = row[w + key_width] if with_ends else None
    moved = row[17] if row[17] is not None else row[18]
    return OrderSummary(
        id=row[0], name=row[1], supplier=row[2], supplier_order_id=row[3],
        status=_status(row[4]), created_at=datetime.fromtimestamp(row[5], UTC),
        customer_name=row[6], country=row[7], items_summary=row[8],
        total_price=Money.from_units(row[10], cur), total_cost=Money.from_units(row[11], cur),
        carrier=row[12], tracking_number=row[13],
        cancellation_state=CancellationState(row[14]) if row[14] else None,
        dispute_state=DisputeState(row[15]) if row[15] else None,
        refund_due=bool(row[16]),
        moved_at=datetime.fromtimestamp(moved, UTC) if moved is not None else None,
        revenue=_shop_money(row[19], row[20]), cost_converted=_shop_money(row[21], row[20]),
        key=tuple(row[w:w + key_width]),
        protection_ends=datetime.fromtimestamp(ends, UTC) if ends is not None else None)


def _order(row: sqlite3.Row) -> Order:
    """A whole ``orders`` row, read with ``sqlite3.Row``; without its cancellation and
    dispute, which live in tables of their own."""
    cur = row["currency"]
    items = [_item(i, cur) for i in json.loads(row["items"])]
    events = [_event(e) for e in _unpack_events(row["events"])]
    return Order(
        id=row["id"], supplier=row["supplier"], supplier_order_id=row["supplier_order_id"],
        name=row["name"], status=_status(row["status"]),
        supplier_status=row["supplier_status"],
        created_at=datetime.fromtimestamp(row["created_at"], UTC),
        updated_at=datetime.fromtimestamp(row["updated_at"], UTC),
        paid_at=_dt(row["paid_at"]), payment=row["payment"], currency=cur, items=items,
        customer=Customer(name=row["customer_name"], email=row["customer_email"],
                          phone=row["customer_phone"],
                          address=Address(row["address1"], row["address2"], row["city"],
                                          row["province"], row["zip"], row["country"])),
        total_price=Money.from_units(row["total_price"], cur),
        total_cost=Money.from_units(row["total_cost"], cur),
        shipping_cost=(Money.from_units(row["shipping_cost"], cur)
                       if row["shipping_cost"] is not None else None),
        carrier=row["carrier"], tracking_number=row["tracking_number"],
        tracking_url=row["tracking_url"], tracking_events=events,
        shipped_at=_dt(row["shipped_at"]), delivered_at=_dt(row["delivered_at"]),
        supplier_url=row["supplier_url"], refund_due=bool(row["refund_due"]),
        revenue=_shop_money(row["revenue"], row["revenue_currency"]),
        cost_converted=_shop_money(row["cost_converted"], row["revenue_currency"]))


def _shop_money(units: int | None, currency: str | None) -> Money | None:
    """A linked order's amount in its shop's currency (None: not linked, or no rate)."""
    return Money.from_units(units, currency) if units is not None and currency else None


def _cancellation(row: Sequence[Any]) -> CancellationRequest:
    """A row of: id, state, reason, requested_at, updated_at, source, supplier_message,
    client_key, history."""
    (cid, state, reason, requested, updated, source, message, key, history) = row
    return CancellationRequest(
        id=cid, state=CancellationState(state), reason=reason,
        requested_at=datetime.fromtimestamp(requested, UTC),
        updated_at=datetime.fromtimestamp(updated, UTC), source=Source(source),
        supplier_message=message, client_key=key,
        history=[codec.change_from(h) for h in json.loads(history)])


def _dispute(row: Sequence[Any]) -> Dispute:
    (did, state, reason, amount, cur, description, opened, updated, sdid, evidence, messages,
     offer, refunded, source, key, history) = row
    return Dispute(
        id=did, state=DisputeState(state), reason=DisputeReason(reason),
        amount=Money.from_units(amount, cur), description=description,
        opened_at=datetime.fromtimestamp(opened, UTC),
        updated_at=datetime.fromtimestamp(updated, UTC), supplier_dispute_id=sdid,
        evidence=[Evidence(e["path"], e["name"], int(e["size"])) for e in json.loads(evidence)],
        messages=[codec.message_from(m) for m in json.loads(messages)],
        offer=Money.from_units(offer, cur) if offer is not None else None,
        refunded=Money.from_units(refunded, cur) if refunded is not None else None,
        source=Source(source), client_key=key,
        history=[codec.change_from(h) for h in json.loads(history)])
