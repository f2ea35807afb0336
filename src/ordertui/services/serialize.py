"""The JSON shapes of ``ordertui orders`` and ``ordertui show``: stable keys, money as
strings, times as ISO 8601 with offset."""

from __future__ import annotations

import json
import re
from typing import Any

from ordertui.domain import codec
from ordertui.domain.models import AuditEntry, CancellationRequest, Dispute, Order, OrderSummary
from ordertui.domain.returns import OrderMoney
from ordertui.domain.shop import ShopLink, ShopRef
from ordertui.domain.states import Source
from ordertui.store.outbox import OutboxEntry

# characters JSON allows raw that a terminal could act on: C1 controls, bidi and
# zero-width formatting, line separators, tag characters (as domain.text.visible defuses);
# written as \\u escapes (same string, inert bytes)
_RISKY = re.compile("[\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2028\u2029"
                    "\u2060-\u2064\u2066-\u206f\ufeff\U000e0000-\U000e007f]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code > 0xFFFF:  # JSON writes a character beyond the BMP as a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def dumps(value: Any, *, indent: int | None = 2) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _RISKY.sub(_escape, text)


#: the keys of :func:`summary`, in order (the header of an empty CSV too)
SUMMARY_KEYS = ("id", "name", "supplier", "supplier_order_id", "status", "created_at",
                "customer_name", "country", "items", "total_cost", "total_price", "profit",
                "currency", "carrier", "tracking_number", "cancellation", "dispute",
                "customer_paid", "supplier_charged", "supplier_currency", "refund_due", "shop",
                "shop_order_id", "shop_order")


def summary(row: OrderSummary, shop: ShopRef | None = None) -> dict[str, Any]:
    """A row of the orders table; ``shop``: the shop order it is linked to (then its amounts
    are the shop's, in the shop's currency)."""
    return {
        "id": row.id, "name": row.name, "supplier": row.supplier,
        "supplier_order_id": row.supplier_order_id, "status": row.status.value,
        "created_at": codec.ts(row.created_at), "customer_name": row.customer_name,
        "country": row.country, "items": row.items_summary,
        # as they count (a cancelled order's count for nothing), then as they were
        # null: a linked order whose cost has no exchange rate to the shop's currency
        "total_cost": row.cost.plain() if row.profit_known else None,
        "total_price": row.sale.plain(),
        "profit": row.profit.plain() if row.profit_known else None,
        "currency": row.sale.currency,
        "carrier": row.carrier, "tracking_number": row.tracking_number,
        "cancellation": row.cancellation_state.value if row.cancellation_state else None,
        "dispute": row.dispute_state.value if row.dispute_state else None,
        # what the customer paid (the shop's sale for a linked order) and what the supplier
        # charged, in its own currency, cancelled or not
        "customer_paid": row.sold.plain(), "supplier_charged": row.total_cost.plain(),
        "supplier_currency": row.total_cost.currency,
        "refund_due": row.refund_due,
        "shop": shop.shop if shop else None,
        "shop_order_id": shop.shop_order_id if shop else None,
        "shop_order": shop.name if shop else None,
    }


def shop_link(link: ShopLink | None) -> dict[str, Any] | None:
    """The shop order a supplier order was placed for, with the sale as the shop made it;
    ``cost`` and ``rate`` null when no exchange rate is known (``rate_note`` says why)."""
    if link is None:
        return None
    return {"shop": link.shop, "shop_order_id": link.shop_order_id, "name": link.name,
            "linked": link.source.value, "currency": link.currency,
            "revenue": link.revenue.plain(),
            "cost": link.cost.plain() if link.cost is not None else None,
            "rate": str(link.rate) if link.rate is not None else None,
            "rate_note": link.rate_note, "tracking": link.tracking, "url": link.url or None}


def cancellation(c: CancellationRequest | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {"state": c.state.value, "reason": c.reason, "source": c.source.value,
            "recorded_by_hand": c.source is Source.MANUAL,
            "supplier_message": c.supplier_message, "requested_at": codec.ts(c.requested_at),
            "updated_at": codec.ts(c.updated_at),
            "history": [codec.change_to(h) for h in c.history]}


def dispute(d: Dispute | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {"state": d.state.value, "reason": d.reason.value, "amount": d.amount.plain(),
            "currency": d.amount.currency, "offer": d.offer.plain() if d.offer else None,
            "refunded": d.refunded.plain() if d.refunded else None,
            "description": d.description, "supplier_dispute_id": d.supplier_dispute_id,
            "source": d.source.value, "recorded_by_hand": d.source is Source.MANUAL,
            "opened_at": codec.ts(d.opened_at), "updated_at": codec.ts(d.updated_at),
            "evidence": [{"name": e.name, "path": e.path, "size": e.size} for e in d.evidence],
            "messages": [{"at": codec.ts(m.at), "author": m.author, "body": m.body,
                          "source": m.source.value} for m in d.messages],
            "history": [codec.change_to(h) for h in d.history]}


def money(m: OrderMoney) -> dict[str, Any]:
    """What the customer paid and the supplier charged, what went back each way, and what
    counts (``net``); a cancelled order counts for nothing and may still owe the customer."""
    return {"paid": m.paid.plain(), "cost": m.cost.plain(), "refunded": m.refunded.plain(),
            "recovered": m.recovered.plain(), "cancelled": m.cancelled,
            "sale_price": m.sale_price.plain(),
            # null: no exchange rate from the supplier's currency to the sale's
            "supplier_cost": m.supplier_cost.plain() if m.supplier_cost else None,
            "net": m.net.plain() if m.net is not None else None,
            "owed_to_customer": m.owed_to_customer.plain()}


def order(o: Order, audit: list[AuditEntry], pending: list[OutboxEntry]) -> dict[str, Any]:
    assert o.id is not None
    c, a = o.customer, o.customer.address
    return {
        "id": o.id, "name": o.name, "supplier": o.supplier,
        "supplier_order_id": o.supplier_order_id, "status": o.status.value,
        "supplier_status": o.supplier_status, "created_at": codec.ts(o.created_at),
        "updated_at": codec.ts(o.updated_at), "paid_at": codec.ts(o.paid_at),
        "payment": o.payment, "customer_name": c.name, "country": a.country,
        "total_cost": o.total_cost.plain(), "total_price": o.total_price.plain(),
        "profit": o.profit.plain(), "currency": o.currency,
        "shipping_cost": o.shipping_cost.plain() if o.shipping_cost else None,
        "carrier": o.carrier, "tracking_number": o.tracking_number,
        "tracking_url": o.tracking_url, "shipped_at": codec.ts(o.shipped_at),
        "delivered_at": codec.ts(o.delivered_at),
        "cancellation": cancellation(o.cancellation), "dispute": dispute(o.dispute),
        "items": [{"title": i.title, "variant": i.variant, "sku": i.sku,
                   "quantity": i.quantity, "unit_cost": i.unit_cost.plain(),
                   "unit_price": i.unit_price.plain()} for i in o.items],
        "customer": {"name": c.name, "email": c.email, "phone": c.phone,
                     "address": codec.address_to(a)},
        "tracking_events": [codec.event_to(e) for e in o.tracking_events],
        "audit": [{"at": codec.ts(e.at), "actor": e.actor, "action": e.action,
                   "detail": e.detail, "login": e.login, "db_user": e.db_user}
                  for e in audit],
        "pending_actions": [{"action": p.action.value, "state": p.state,
                             "attempts": p.attempts, "last_error": p.last_error}
                            for p in pending],
        "supplier_url": o.supplier_url,
    }
