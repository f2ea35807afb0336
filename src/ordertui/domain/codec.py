"""Plain-dict forms of the domain objects, for JSON: the store's blobs, the demo supplier's
and the demo shop's state, and ``ordertui show --format json``. Money inside an order is
written as a decimal string in the order's currency."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ordertui.domain.models import (
    Address,
    CancellationRequest,
    Customer,
    Dispute,
    DisputeMessage,
    Evidence,
    LineItem,
    Order,
    StateChange,
    TrackingEvent,
)
from ordertui.domain.money import Money
from ordertui.domain.shop import (
    FinancialStatus,
    FulfillmentStatus,
    ShopFulfillment,
    ShopLine,
    ShopOrder,
    ShopRefund,
)
from ordertui.domain.states import (
    CancellationState,
    DisputeReason,
    DisputeState,
    OrderStatus,
    Source,
)

Json = dict[str, Any]


def ts(value: datetime | None) -> str | None:
    """ISO 8601 with offset, in UTC."""
    return value.astimezone(UTC).isoformat() if value is not None else None


def parse_ts(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _req_ts(value: str) -> datetime:
    parsed = parse_ts(value)
    assert parsed is not None
    return parsed


def money(value: Money | None) -> str | None:
    return value.plain() if value is not None else None


def parse_money(value: str | None, currency: str) -> Money | None:
    return Money(Decimal(value), currency) if value is not None else None


# --- parts ---------------------------------------------------------------------------

def item_to(i: LineItem) -> Json:
    return {"title": i.title, "variant": i.variant, "sku": i.sku, "quantity": i.quantity,
            "unit_cost": money(i.unit_cost), "unit_price": money(i.unit_price),
            "product_id": i.product_id, "line_id": i.line_id, "shop_line_id": i.shop_line_id}


def item_from(d: Json, currency: str) -> LineItem:
    return LineItem(title=d["title"], quantity=int(d["quantity"]),
                    unit_cost=Money(Decimal(d["unit_cost"]), currency),
                    unit_price=Money(Decimal(d["unit_price"]), currency),
                    variant=d.get("variant", ""), sku=d.get("sku", ""),
                    product_id=d.get("product_id", ""), line_id=d.get("line_id", ""),
                    shop_line_id=d.get("shop_line_id", ""))


def event_to(e: TrackingEvent) -> Json:
    return {"at": ts(e.at), "description": e.description, "location": e.location,
            "status": e.status}


def event_from(d: Json) -> TrackingEvent:
    return TrackingEvent(at=_req_ts(d["at"]), description=d["description"],
                         location=d.get("location", ""), status=d.get("status", ""))


def change_to(c: StateChange) -> Json:
    return {"at": ts(c.at), "state": c.state, "note": c.note, "source": c.source.value}


def change_from(d: Json) -> StateChange:
    return StateChange(at=_req_ts(d["at"]), state=d["state"], note=d.get("note", ""),
                       source=Source(d.get("source", "api")))


def address_to(a: Address) -> Json:
    return {"line1": a.line1, "line2": a.line2, "city": a.city, "province": a.province,
            "zip": a.zip, "country": a.country}


def address_from(d: Json) -> Address:
    return Address(**{k: str(d.get(k, "")) for k in
                      ("line1", "line2", "city", "province", "zip", "country")})


def customer_to(c: Customer) -> Json:
    return {"name": c.name, "email": c.email, "phone": c.phone, "address": address_to(c.address)}


def customer_from(d: Json) -> Customer:
    return Customer(name=d.get("name", ""), email=d.get("email", ""), phone=d.get("phone", ""),
                    address=address_from(d.get("address", {})))


def cancellation_to(c: CancellationRequest) -> Json:
    return {"state": c.state.value, "reason": c.reason, "requested_at": ts(c.requested_at),
            "updated_at": ts(c.updated_at), "source": c.source.value,
            "supplier_message": c.supplier_message, "client_key": c.client_key,
            "history": [change_to(h) for h in c.history]}


def cancellation_from(d: Json) -> CancellationRequest:
    return CancellationRequest(
        state=CancellationState(d["state"]), reason=d.get("reason", ""),
        requested_at=_req_ts(d["requested_at"]), updated_at=_req_ts(d["updated_at"]),
        source=Source(d.get("source", "api")), supplier_message=d.get("supplier_message", ""),
        client_key=d.get("client_key", ""),
        history=[change_from(h) for h in d.get("history", [])])


def message_to(m: DisputeMessage) -> Json:
    return {"at": ts(m.at), "author": m.author, "body": m.body, "client_key": m.client_key,
            "source": m.source.value}


def message_from(d: Json) -> DisputeMessage:
    return DisputeMessage(at=_req_ts(d["at"]), author=d["author"], body=d["body"],
                          client_key=d.get("client_key", ""),
                          source=Source(d.get("source", "api")))


def dispute_to(x: Dispute) -> Json:
    return {"state": x.state.value, "reason": x.reason.value, "amount": money(x.amount),
            "currency": x.amount.currency, "description": x.description,
            "opened_at": ts(x.opened_at), "updated_at": ts(x.updated_at),
            "supplier_dispute_id": x.supplier_dispute_id,
            "evidence": [{"path": e.path, "name": e.name, "size": e.size} for e in x.evidence],
            "messages": [message_to(m) for m in x.messages], "offer": money(x.offer),
            "refunded": money(x.refunded), "source": x.source.value, "client_key": x.client_key,
            "history": [change_to(h) for h in x.history]}


def dispute_from(d: Json) -> Dispute:
    cur = d["currency"]
    amount = parse_money(d["amount"], cur)
    assert amount is not None
    return Dispute(
        state=DisputeState(d["state"]), reason=DisputeReason(d["reason"]), amount=amount,
        description=d.get("description", ""), opened_at=_req_ts(d["opened_at"]),
        updated_at=_req_ts(d["updated_at"]),
        supplier_dispute_id=d.get("supplier_dispute_id", ""),
        evidence=[Evidence(e["path"], e["name"], int(e["size"])) for e in d.get("evidence", [])],
        messages=[message_from(m) for m in d.get("messages", [])],
        offer=parse_money(d.get("offer"), cur), refunded=parse_money(d.get("refunded"), cur),
        source=Source(d.get("source", "api")), client_key=d.get("client_key", ""),
        history=[change_from(h) for h in d.get("history", [])])


def order_to(o: Order) -> Json:
    return {
        "supplier": o.supplier, "supplier_order_id": o.supplier_order_id, "name": o.name,
        "status": o.status.value, "supplier_status": o.supplier_status,
        "created_at": ts(o.created_at), "updated_at": ts(o.updated_at),
        "paid_at": ts(o.paid_at), "payment": o.payment, "currency": o.currency,
        "items": [item_to(i) for i in o.items], "customer": customer_to(o.customer),
        "total_price": money(o.total_price), "total_cost": money(o.total_cost),
        "shipping_cost": money(o.shipping_cost), "carrier": o.carrier,
        "tracking_number": o.tracking_number, "tracking_url": o.tracking_url,
        "tracking_events": [event_to(e) for e in o.tracking_events],
        "shipped_at": ts(o.shipped_at), "delivered_at": ts(o.delivered_at),
        "cancellation": cancellation_to(o.cancellation) if o.cancellation else None,
        "dispute": dispute_to(o.dispute) if o.dispute else None,
        "supplier_url": o.supplier_url,
    }


def order_from(d: Json) -> Order:
    cur = d["currency"]
    total_price = parse_money(d["total_price"], cur)
    total_cost = parse_money(d["total_cost"], cur)
    assert total_price is not None and total_cost is not None
    return Order(
        supplier=d["supplier"], supplier_order_id=d["supplier_order_id"], name=d.get("name", ""),
        status=OrderStatus(d["status"]), supplier_status=d.get("supplier_status", ""),
        created_at=_req_ts(d["created_at"]), updated_at=_req_ts(d["updated_at"]),
        paid_at=parse_ts(d.get("paid_at")), payment=d.get("payment", ""), currency=cur,
        items=[item_from(i, cur) for i in d.get("items", [])],
        customer=customer_from(d.get("customer", {})), total_price=total_price,
        total_cost=total_cost, shipping_cost=parse_money(d.get("shipping_cost"), cur),
        carrier=d.get("carrier", ""), tracking_number=d.get("tracking_number", ""),
        tracking_url=d.get("tracking_url", ""),
        tracking_events=[event_from(e) for e in d.get("tracking_events", [])],
        shipped_at=parse_ts(d.get("shipped_at")), delivered_at=parse_ts(d.get("delivered_at")),
        cancellation=cancellation_from(d["cancellation"]) if d.get("cancellation") else None,
        dispute=dispute_from(d["dispute"]) if d.get("dispute") else None,
        supplier_url=d.get("supplier_url", ""),
    )


def epoch(value: datetime) -> int:
    return int(value.timestamp())


def from_epoch(value: int | float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


# --- the shop's side ----------------------------------------------------------------------

def shop_order_to(o: ShopOrder) -> Json:
    return {
        "shop": o.shop, "shop_order_id": o.shop_order_id, "name": o.name,
        "created_at": ts(o.created_at), "updated_at": ts(o.updated_at),
        "cancelled_at": ts(o.cancelled_at), "currency": o.currency,
        "financial_status": o.financial_status.value,
        "fulfillment_status": o.fulfillment_status.value,
        "lines": [{"line_id": x.line_id, "title": x.title, "quantity": x.quantity,
                   "unit_price": money(x.unit_price), "total": money(x.total), "sku": x.sku,
                   "variant": x.variant, "product_id": x.product_id} for x in o.lines],
        "shipping": money(o.shipping), "taxes": money(o.taxes), "total": money(o.total),
        "refunded": money(o.refunded), "discounts": money(o.discounts),
        "taxes_included": o.taxes_included,
        "customer": customer_to(o.customer), "closed": o.closed, "test": o.test,
        "fulfillments": [{"fulfillment_id": f.fulfillment_id, "status": f.status,
                          "company": f.company, "number": f.number, "url": f.url,
                          "lines": [list(x) for x in f.lines], "created_at": ts(f.created_at)}
                         for f in o.fulfillments],
        "refunds": [{"refund_id": r.refund_id, "at": ts(r.at), "amount": money(r.amount),
                     "note": r.note} for r in o.refunds],
        "url": o.url,
    }


def _status(kind: type[FinancialStatus] | type[FulfillmentStatus], value: Any) -> Any:
    try:
        return kind(value)
    except ValueError:
        return kind("unknown")


def shop_order_from(d: Json, *, local_id: int | None = None) -> ShopOrder:
    cur = d["currency"]

    def m(key: str) -> Money:
        return parse_money(d.get(key), cur) or Money.zero(cur)

    return ShopOrder(
        shop=d["shop"], shop_order_id=d["shop_order_id"], name=d["name"],
        created_at=_req_ts(d["created_at"]), updated_at=_req_ts(d["updated_at"]),
        cancelled_at=parse_ts(d.get("cancelled_at")), currency=cur,
        financial_status=_status(FinancialStatus, d.get("financial_status")),
        fulfillment_status=_status(FulfillmentStatus, d.get("fulfillment_status")),
        lines=[ShopLine(line_id=x["line_id"], title=x["title"], quantity=int(x["quantity"]),
                        unit_price=Money(Decimal(x["unit_price"]), cur),
                        total=Money(Decimal(x["total"]), cur), sku=x.get("sku", ""),
                        variant=x.get("variant", ""), product_id=x.get("product_id", ""))
               for x in d.get("lines", [])],
        shipping=m("shipping"), taxes=m("taxes"), total=m("total"), refunded=m("refunded"),
        discounts=parse_money(d.get("discounts"), cur),
        taxes_included=bool(d.get("taxes_included")),
        customer=customer_from(d["customer"]), closed=bool(d.get("closed")),
        test=bool(d.get("test")),
        fulfillments=[ShopFulfillment(
            fulfillment_id=f["fulfillment_id"], status=f.get("status", ""),
            company=f.get("company", ""), number=f.get("number", ""), url=f.get("url", ""),
            lines=tuple((str(a), int(b)) for a, b in f.get("lines", [])),
            created_at=parse_ts(f.get("created_at"))) for f in d.get("fulfillments", [])],
        refunds=[ShopRefund(refund_id=r["refund_id"], at=_req_ts(r["at"]),
                            amount=Money(Decimal(r["amount"]), cur), note=r.get("note", ""))
                 for r in d.get("refunds", [])],
        url=d.get("url", ""), id=local_id)
