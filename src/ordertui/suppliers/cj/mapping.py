"""CJ's wire format and the domain's objects, each read into the other.

CJ sends amounts as numbers or strings, counts as either, times in China time without an
offset, and lists that may turn out to be anything: the parsers here turn each into a value
or a harmless default, never an exception. ``OrderBuilder`` turns a list item — merged with
the order's details, the tracking history ordertui saw and the order's disputes, all from
the adapter's state — into an ``Order``, and records what it built, so that an order whose
content did not change keeps its time. The few helpers at the end go the other way: which
of CJ's dispute reasons to pick, and how to spread a refund over the disputed lines.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from ordertui.domain.errors import SupplierProtocolError
from ordertui.domain.models import (
    Address,
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
from ordertui.suppliers.cj.state import CJState

CURRENCY = "USD"  # CJ's amounts are in US dollars
#: CJ writes most times without an offset; its servers and examples use China time
#: (UNCONFIRMED), while ISO times with an offset are taken as they say
CJ_TZ = timezone(timedelta(hours=8))
STATUS_MAP = {
    "CREATED": OrderStatus.AWAITING_PAYMENT, "IN_CART": OrderStatus.AWAITING_PAYMENT,
    "UNPAID": OrderStatus.AWAITING_PAYMENT, "UNSHIPPED": OrderStatus.PROCESSING,
    "SHIPPED": OrderStatus.SHIPPED, "DELIVERED": OrderStatus.DELIVERED,
    "CANCELLED": OrderStatus.CANCELLED,
}
UNPAID = ("CREATED", "IN_CART", "UNPAID")
OPEN = ("CREATED", "IN_CART", "UNPAID", "UNSHIPPED", "SHIPPED")
TERMINAL = ("DELIVERED", "CANCELLED")
#: "OTHER" is a filter value only: orders in statuses outside the documented set
LIST_STATUSES = (*OPEN, *TERMINAL, "OTHER")
CANCEL_REASON = "unfulfilled order cancellation"
GONE = "DELETED"  # our word for an order CJ no longer lists (deleted before payment)
_REASON_WORDS = {
    DisputeReason.NOT_RECEIVED: ("not received", "lost", "never arrived", "delay", "tracking"),
    DisputeReason.NOT_AS_DESCRIBED: ("not as described", "damaged", "wrong", "defect",
                                     "quality", "missing"),
    DisputeReason.BILLING: ("price", "billing", "charge", "payment"),
    DisputeReason.OTHER: ("other",),
}
CENT = Decimal("0.01")

#: a dispute CJ knows, as the state keeps it: (dispute id, CJ's last item, the outbox key
#: that opened it or "", "cancel" or "dispute", the request ordertui sent as JSON or "")
DisputeRow = tuple[str, dict[str, Any], str, str, str]


# --- parsers --------------------------------------------------------------------------------


def parse_time(value: Any) -> datetime | None:
    """CJ's times: ISO with an offset, or "YYYY-MM-DD HH:MM:SS" in China time."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip().replace("T", " ", 1) if "+" not in value and "Z" not in value \
        else value.strip()
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=CJ_TZ)
    if not 1970 <= dt.year <= 2200:  # no time CJ can mean; year 1 or 9999 overflow later
        return None
    return dt.astimezone(UTC).replace(microsecond=0)


def dec(value: Any) -> Decimal:
    """An amount CJ wrote as a number or a string, to the cent; 0 for anything else."""
    if value is None or value == "" or isinstance(value, bool):
        return Decimal(0)
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)
    if not d.is_finite() or d.copy_abs() >= MAX_AMOUNT:  # no amount CJ can mean
        return Decimal(0)
    return d.quantize(CENT)


def count_of(value: Any, default: int = 1) -> int:
    """A count CJ wrote as a number or a string of (ASCII) digits; ``default`` otherwise."""
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else default


def int_or_0(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def list_of(value: Any) -> list[Any]:
    """A list CJ sent, or none: ``productList: true`` is not a list of products."""
    return value if isinstance(value, list) else []


def usd(value: Any) -> Money:
    return Money(dec(value), CURRENCY)


def epoch_s(dt: datetime | None) -> int:
    return int(dt.timestamp()) if dt else 0


def from_epoch(ts: float) -> datetime:
    return datetime.fromtimestamp(int(ts), UTC)


def is_cancel_reason(name: Any) -> bool:
    return isinstance(name, str) and " ".join(name.lower().split()) == CANCEL_REASON


def withdrawn(status: str) -> bool:
    s = status.lower()
    return any(w in s for w in ("cancel", "close", "withdr", "revoke"))


def page_items(supplier: str, data: Any, id_field: str
               ) -> tuple[list[dict[str, Any]], int | None]:
    """The items of one of CJ's list pages and the list's total (None when not given)."""
    if data is None:
        return [], 0
    if isinstance(data, list):  # a bare list instead of a page object
        items, total = data, None
    elif isinstance(data, dict):
        items = data.get("list") or []
        raw_total = data.get("total")
        total = count_of(raw_total, -1)
        total = total if total >= 0 else None
    else:
        raise SupplierProtocolError(supplier, _("CJ's list answer is neither a page nor a "
                                                "list"))
    if not isinstance(items, list) or not all(
            isinstance(i, dict) and i.get(id_field) not in (None, "") for i in items):
        raise SupplierProtocolError(supplier, _("CJ's list has items without {field}").format(
            field=id_field))
    return items, total


def tracking_event(e: dict[str, Any]) -> TrackingEvent:
    """A tracking event as the state keeps it (``at`` in seconds)."""
    return TrackingEvent(at=from_epoch(e["at"]), description=str(e.get("description", "")),
                         location=str(e.get("location", "")), status=str(e.get("status", "")))


def page_url(web_base: str, order_id: str, *, disputes: bool = False) -> str:
    """My CJ's page for the order, or for its disputes (deep links UNCONFIRMED: My CJ opens
    at its start page when it does not know the fragment, and the order id is there to
    search for)."""
    oid = quote(order_id, safe="")
    if disputes:
        return f"{web_base}/myCJ.html#/disputes?orderId={oid}"
    return f"{web_base}/myCJ.html#/orders?orderId={oid}"


def fingerprint(order: Order) -> str:
    """What the merchant can see of an order, apart from when it last changed."""
    frozen = replace(order, updated_at=from_epoch(0))
    return hashlib.sha1(repr(frozen).encode()).hexdigest()


def dispute_view(item: dict[str, Any]) -> tuple[Any, ...]:
    """What of a dispute in CJ's list matters to the merchant: a change here is news."""
    return (item.get("status"), item.get("finallyDeal"), str(item.get("money")),
            item.get("resendOrderCode"))


def reason_from(text: str) -> DisputeReason:
    low = text.lower()
    for reason in (DisputeReason.NOT_RECEIVED, DisputeReason.NOT_AS_DESCRIBED,
                   DisputeReason.BILLING):
        if any(w in low for w in _REASON_WORDS[reason]):
            return reason
    return DisputeReason.OTHER


# --- CJ's items into orders -----------------------------------------------------------------


class OrderBuilder:
    """Builds one account's orders from CJ's items and what the adapter's state remembers,
    and records in the state what it built. Its methods touch SQLite: they run in a worker
    thread."""

    def __init__(self, supplier: str, state: CJState, clock: Callable[[], datetime], *,
                 web_base: str) -> None:
        self.supplier = supplier
        self.state = state
        self.clock = clock
        self.web_base = web_base

    def _now(self) -> int:
        return int(self.clock().timestamp())

    def materialise(self, items: list[dict[str, Any]], *, seen_pass: int | None = None,
                    details: dict[str, dict[str, Any]] | None = None,
                    trackings: dict[str, list[dict[str, Any]]] | None = None,
                    gone: Iterable[str] = ()) -> list[Order]:
        """The orders of CJ's list ``items``; ``details`` and ``trackings`` read just now
        (by order id) are kept, ``seen_pass`` marks the orders as listed in that pass, and
        the orders in ``gone`` are ones CJ no longer knows."""
        ids = [str(i["orderId"]) for i in items]
        known = self.state.known(ids)
        disputes = self.state.disputes_for(ids)
        gone_ids = set(gone)
        details = details or {}
        trackings = trackings or {}
        vids = []
        for oid in ids:
            d = details.get(oid) or (known[oid].detail if oid in known else None) or {}
            vids += [str(p.get("vid")) for p in list_of(d.get("productList"))
                     if isinstance(p, dict)]
        names = {v: (n, "", sku) for v, (n, sku) in self.state.names(vids).items()}
        names.update(self.state.variants(vids))  # the product API's, where it answered
        now = self._now()
        orders, rows = [], []
        for item, oid in zip(items, ids, strict=True):
            k = known.get(oid)
            detail = details.get(oid) or (k.detail if k else None)
            tracking = trackings.get(oid, k.tracking if k else [])
            merged = {**(detail or {}), **item}
            order = self.order(merged, detail or {}, tracking, disputes.get(oid, []), names,
                               gone=oid in gone_ids)
            fp = fingerprint(order)
            # a change gets a later time than the one before, even within the same second:
            # the store keeps an order whose time and status are unchanged as it is
            updated = k.updated_at if k is not None and k.fp == fp else \
                max(now, (k.updated_at + 1) if k is not None else 0)
            order.updated_at = from_epoch(updated)
            orders.append(order)
            rows.append((oid, GONE if oid in gone_ids else str(item.get("orderStatus") or ""),
                         item, details.get(oid), trackings.get(oid), fp, updated))
        self.state.save_orders(rows, seen_pass=seen_pass)
        for oid in gone_ids:
            self.state.mark_gone(oid)
        return orders

    def gone(self, order_id: str) -> list[Order]:
        """The order CJ knows no more, as CJ last listed it, marked deleted."""
        known = self.state.known([order_id]).get(order_id)
        if known is None:
            return []
        return self.materialise([known.item], gone=[order_id])

    def rebuild(self, order_ids: list[str]) -> list[Order]:
        """The orders again from what the state holds (after their disputes changed)."""
        known = self.state.known(order_ids)
        items = [known[o].item for o in order_ids if o in known and not known[o].gone]
        gone = [o for o in order_ids if o in known and known[o].gone]
        orders = self.materialise(items) if items else []
        for oid in gone:
            orders += self.materialise([known[oid].item], gone=[oid])
        return orders

    def order(self, m: dict[str, Any], detail: dict[str, Any], tracking: list[dict[str, Any]],
              disputes: list[DisputeRow], names: dict[str, tuple[str, str, str]], *,
              gone: bool = False) -> Order:
        """One order from ``m`` (the list item over its details), its tracking events, its
        disputes and the product names the state knows (by variant id: name, variant,
        SKU)."""
        raw = str(m.get("orderStatus") or "")
        status = OrderStatus.CANCELLED if gone else STATUS_MAP.get(raw, OrderStatus.UNKNOWN)
        store_created = parse_time(m["storeCreateDate"] + "+00:00") \
            if isinstance(m.get("storeCreateDate"), str) and m["storeCreateDate"] else None
        created = parse_time(m.get("createDate")) or store_created or from_epoch(self._now())
        items = []
        for p in list_of(detail.get("productList")) or list_of(m.get("productList")):
            if not isinstance(p, dict):
                continue
            vid = str(p.get("vid") or "")
            name, variant, sku = names.get(vid, (
                str(p.get("productName") or p.get("productNameEn") or ""), "",
                str(p.get("sku") or p.get("variantSku") or "")))
            title = name or (f"CJ product {sku}" if sku else
                             f"CJ variant {vid[:8].lower()}" if vid else "CJ product")
            items.append(LineItem(
                title=title, quantity=count_of(p.get("quantity")),
                unit_cost=usd(p.get("sellPrice")),
                unit_price=Money.zero(CURRENCY), variant=variant, sku=sku, product_id=vid,
                line_id=str(p.get("lineItemId") or ""),
                shop_line_id=str(p.get("storeLineItemId") or "")))
        events = [tracking_event(e) for e in tracking]
        track = str(m.get("trackNumber") or "")
        delivered = None
        if status is OrderStatus.DELIVERED:
            delivered = next((e.at for e in reversed(events) if "deliver" in
                              e.description.lower()), None)
        total_cost = usd(m.get("orderAmount"))
        order = Order(
            supplier=self.supplier, supplier_order_id=str(m["orderId"]),
            name=str(m.get("orderNum") or ""), status=status,
            supplier_status="deleted at CJ" if gone else raw,
            created_at=created, updated_at=created, currency=CURRENCY, items=items,
            customer=Customer(
                name=str(m.get("shippingCustomerName") or ""), phone=str(
                    m.get("shippingPhone") or ""),
                address=Address(line1=str(m.get("shippingAddress") or ""),
                                line2=str(m.get("shippingAddress2") or ""),
                                city=str(m.get("shippingCity") or ""),
                                province=str(m.get("shippingProvince") or ""),
                                zip=str(m.get("shippingZip") or ""),
                                country=str(m.get("shippingCountryCode") or ""))),
            # what the customer paid the shop: CJ knows it only for orders created with it
            # (createOrderV2's shopAmount); otherwise it shows as 0
            total_price=usd(m.get("shopAmount")), total_cost=total_cost,
            shipping_cost=usd(m.get("postageAmount")),
            paid_at=parse_time(m.get("paymentDate")),
            payment="CJ" if m.get("paymentDate") else "", carrier=str(m.get("logisticName") or ""),
            tracking_number=track, tracking_url=str(m.get("trackingUrl") or ""),
            tracking_events=events, shipped_at=parse_time(m.get("outWarehouseTime")),
            delivered_at=delivered, supplier_url=page_url(self.web_base, str(m["orderId"])))
        cancels = [d for d in disputes if d[3] == "cancel" or is_cancel_reason(
            d[1].get("disputeReason"))]
        others = [d for d in disputes if d not in cancels]
        if cancels:
            order.cancellation = self.cancellation(*cancels[-1][1:3], cancels[-1][4])
        elif status is OrderStatus.CANCELLED:
            note = "CJ deleted the unpaid order" if gone else "CJ lists the order as cancelled"
            order.cancellation = CancellationRequest(
                state=CancellationState.APPROVED, reason="cancelled at CJ", requested_at=created,
                updated_at=created, supplier_message=note,
                history=[StateChange(created, "approved", note)])
        if others:
            _id, item, key, _kind, requested = others[-1]
            order.dispute = self.dispute(item, key, requested, total_cost)
        return order

    def cancellation(self, item: dict[str, Any], key: str, requested: str
                     ) -> CancellationRequest:
        """A cancellation, from the "Unfulfilled Order Cancellation" dispute that asks it."""
        req = json.loads(requested) if requested else {}
        at = parse_time(item.get("createDate")) or from_epoch(self._now())
        decided = from_epoch(item["_decided_at"]) if item.get("_decided_at") else at
        deal, status = item.get("finallyDeal"), str(item.get("status") or "")
        history = [StateChange(at, "requested", str(req.get("reason", "")))]
        if deal == 1:
            state = CancellationState.APPROVED
            refund = usd(item.get("money")).english()
            message = f"CJ approved the cancellation and refunds {refund}"
        elif deal in (2, 3):
            state = CancellationState.REJECTED
            message = "CJ rejected the cancellation (dispute " + str(item.get("id")) + ")"
        elif withdrawn(status):
            state = CancellationState.REJECTED
            message = f"the cancellation dispute was closed on CJ ({status})"
        else:
            state = CancellationState.REQUESTED
            message = f"CJ is reviewing dispute {item.get('id')} ({status or 'open'})"
        if state is not CancellationState.REQUESTED:
            history.append(StateChange(decided, state.value, message))
        return CancellationRequest(state=state, reason=str(req.get("reason") or
                                                          "Unfulfilled order cancellation"),
                                   requested_at=at, updated_at=decided, supplier_message=message,
                                   history=history, client_key=key)

    def dispute(self, item: dict[str, Any], key: str, requested: str, total_cost: Money
                ) -> Dispute:
        """A dispute from CJ's last item of it and the request ordertui sent, if any."""
        req = json.loads(requested) if requested else {}
        opened = parse_time(item.get("createDate")) or from_epoch(self._now())
        decided = from_epoch(item["_decided_at"]) if item.get("_decided_at") else opened
        deal, status = item.get("finallyDeal"), str(item.get("status") or "")
        products = sum((dec(p.get("price")) for p in list_of(item.get("productList"))
                        if isinstance(p, dict)), Decimal(0))
        amount = dec(req.get("amount")) or products or total_cost.amount
        reason_text = str(item.get("disputeReason") or "")
        try:
            reason = DisputeReason(req["reason"])
        except (KeyError, ValueError):
            reason = reason_from(reason_text)
        description = str(req.get("description") or f"Opened on CJ: {reason_text}")
        messages = [DisputeMessage(opened, "merchant", description, client_key=key)]
        history = [StateChange(opened, "open")]
        refunded = None
        if deal == 1:
            state = DisputeState.RESOLVED_REFUNDED
            refunded = usd(item.get("money"))
            text = f"CJ refunds {refunded.english()}."
        elif deal == 2:
            state = DisputeState.RESOLVED_REFUNDED
            text = "CJ resends the products" + (f" (order {item['resendOrderCode']})"
                                               if item.get("resendOrderCode") else "") + "."
        elif deal == 3:
            state, text = DisputeState.RESOLVED_REJECTED, "CJ rejected the dispute."
        elif withdrawn(status):
            state, text = DisputeState.WITHDRAWN, f"The dispute was closed ({status})."
        else:
            state, text = DisputeState.AWAITING_SUPPLIER, ""
        if state is DisputeState.AWAITING_SUPPLIER:
            history.append(StateChange(opened, state.value, status))
        else:
            messages.append(DisputeMessage(decided, "supplier", text))
            history.append(StateChange(decided, state.value, text))
        return Dispute(state=state, reason=reason,
                       amount=Money(min(amount, total_cost.amount) or amount, CURRENCY),
                       description=description, opened_at=opened, updated_at=decided,
                       supplier_dispute_id=str(item.get("id") or ""), messages=messages,
                       refunded=refunded, history=history, client_key=key)

    # --- disputes, as CJ lists them -------------------------------------------------------
    def dispute_changes(self, items: list[dict[str, Any]]) -> set[str]:
        """Store what changed among the listed disputes; the orders whose dispute did."""
        mapping = self.state.dispute_orders([str(i["id"]) for i in items])
        changed: set[str] = set()
        for item in items:
            did = str(item["id"])
            if did in mapping:
                oid, old = mapping[did]
            elif item.get("orderId"):
                oid, old = str(item["orderId"]), {}
            else:
                continue  # a dispute on an order ordertui has not opened yet
            if dispute_view(old) != dispute_view(item):
                self.state.save_dispute(did, oid, self._stamp(item, old))
                changed.add(oid)
        return changed

    def remember_disputes(self, order_id: str, items: list[dict[str, Any]]) -> None:
        """Store the order's disputes as CJ lists them; a new one is matched with the write
        in the journal that opened it (its outbox key, what was asked)."""
        mapping = self.state.dispute_orders([str(i["id"]) for i in items])
        pending = self.state.open_journal(order_id)
        for item in sorted(items, key=lambda i: str(i.get("createDate") or "")):
            did = str(item["id"])
            old = mapping.get(did, ("", {}))[1]
            key = kind = requested = ""
            if did not in mapping:
                entry = next((e for e in pending if did not in e.before), None)
                if entry is not None:
                    pending.remove(entry)
                    key, kind = entry.key, str(entry.payload.get("kind", "dispute"))
                    requested = json.dumps(entry.payload)
                    entry.dispute_id = did
                    self.state.journal(entry)
                elif is_cancel_reason(item.get("disputeReason")):
                    kind = "cancel"
            self.state.save_dispute(did, order_id, self._stamp(item, old), client_key=key,
                                    kind=kind, requested=requested)

    def _stamp(self, item: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
        """Keep when ordertui first saw CJ's decision: CJ's list does not say."""
        item = dict(item)
        if old.get("_decided_at"):
            item["_decided_at"] = old["_decided_at"]
        elif item.get("finallyDeal") or withdrawn(str(item.get("status") or "")):
            item["_decided_at"] = self._now()
        return item


# --- the domain's requests in CJ's terms ------------------------------------------------------


def pick_reason(reasons: list[dict[str, Any]], reason: DisputeReason, *, cancel: bool
                ) -> dict[str, Any] | None:
    """CJ's reason ids come per order from its confirmation: choose by name."""
    usable = [r for r in reasons if r.get("disputeReasonId") is not None]
    if cancel:
        return next((r for r in usable if is_cancel_reason(r.get("reasonName"))), None)
    usable = [r for r in usable if not is_cancel_reason(r.get("reasonName"))]
    for word in _REASON_WORDS[reason]:
        for r in usable:
            if word in str(r.get("reasonName", "")).lower():
                return r
    other = next((r for r in usable if "other" in str(r.get("reasonName", "")).lower()), None)
    return other or (usable[0] if usable else None)


def spread(lines: list[dict[str, Any]], total: Decimal) -> list[dict[str, Any]]:
    """Share the refund over the disputed lines in proportion to their value (CJ takes a
    price per line; that it is the line's refund is our reading, UNCONFIRMED)."""
    weights = [dec(line["price"]) * line["quantity"] for line in lines]
    whole = sum(weights, Decimal(0))
    out, given = [], Decimal(0)
    for n, (line, weight) in enumerate(zip(lines, weights, strict=True)):
        if n == len(lines) - 1:
            share = total - given
        else:
            share = ((total * weight / whole) if whole else total / len(lines)).quantize(
                CENT, rounding=ROUND_HALF_UP)
        given += share
        out.append({"lineItemId": line["lineItemId"], "quantity": line["quantity"],
                    "price": float(share)})
    return out
