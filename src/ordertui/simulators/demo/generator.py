"""The demo supplier's shop: every order a pure function of ``(seed, index)``.

``generate`` builds order number ``index`` of a shop with ``count`` orders as it stood at the
shop's epoch — customers from the countries dropshipping shops sell to, a realistic
catalogue (``data``), and the lifecycle an order of that age would have had: paid, shipped,
tracked, delivered, sometimes cancelled or disputed. A million orders cost no storage, and
the same seed always gives the same shop; the back office stores only what changed since.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

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
from ordertui.domain.money import Money
from ordertui.domain.states import CancellationState, DisputeReason, DisputeState, OrderStatus
from ordertui.simulators.demo import data

DAY = 86400.0
CURRENCY = "USD"

_COUNTRY_CODES = list(data.COUNTRIES)
_COUNTRY_WEIGHTS = [data.COUNTRIES[c][0] for c in _COUNTRY_CODES]
_CUM_WEIGHTS: list[int] = []
_acc = 0
for _w in _COUNTRY_WEIGHTS:
    _acc += _w
    _CUM_WEIGHTS.append(_acc)


@dataclass(frozen=True, slots=True)
class IdScheme:
    """How the simulated supplier numbers its orders: ``prefix`` + (``base`` + index)."""

    prefix: str = "DM"
    base: int = 20_000_000

    def order_id(self, index: int) -> str:
        return f"{self.prefix}{self.base + index}"

    def index(self, order_id: str, count: int) -> int | None:
        if not order_id.startswith(self.prefix):
            return None
        digits = order_id[len(self.prefix):]
        if not digits.isdigit():
            return None
        idx = int(digits) - self.base
        return idx if 0 <= idx < count else None


def fraction(*parts: object) -> float:
    """A deterministic number in [0, 1) from the parts, for the supplier's decisions."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _zip(rng: random.Random, pattern: str) -> str:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    return "".join(str(rng.randrange(10)) if ch == "#" else
                   (rng.choice(letters) if ch == "@" else ch) for ch in pattern)


def _ascii(text: str) -> str:
    table = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "å": "a", "ø": "o", "æ": "ae",
             "é": "e", "è": "e", "ê": "e", "ë": "e", "á": "a", "à": "a", "í": "i", "ï": "i",
             "ó": "o", "ô": "o", "ú": "u", "ñ": "n", "ç": "c", "ł": "l", "ś": "s", "ń": "n",
             "ż": "z", "ź": "z", "ą": "a", "ę": "e", "ć": "c", "ò": "o", "î": "i", "û": "u"}
    out = "".join(table.get(ch, ch) for ch in text.lower())
    return "".join(ch for ch in out if ch.isascii() and (ch.isalnum() or ch in ".-"))


def generate(seed: int, index: int, count: int, epoch: float, scheme: IdScheme,
             supplier: str) -> Order:
    """Order number ``index`` of a simulated shop with ``count`` orders, as it stood at
    ``epoch`` (seconds). Pure: the same arguments give the same order."""
    rng = random.Random(seed * 1_000_003 + index)
    rand = rng.random
    span = min(max(count / 40.0, 30.0), 1095.0) * DAY
    created = epoch - span + span * (index + rand()) / count
    age = (epoch - created) / DAY
    oid = scheme.order_id(index)

    # customer ---------------------------------------------------------------------
    country = _COUNTRY_CODES[_bisect(_CUM_WEIGHTS, rand() * _acc)]
    first = rng.choice(data.FIRST_NAMES[country])
    last = rng.choice(data.LAST_NAMES[country])
    name = f"{last}{first}" if country in ("JP", "TW") else f"{first} {last}"
    local = _ascii(first) or f"kunde{index % 997}"
    domain = rng.choice(("gmail.com", "outlook.com", "yahoo.com", "web.de", "icloud.com",
                         "gmx.net", "proton.me"))
    email = f"{local}.{_ascii(last) or 'shop'}{rng.randrange(10, 99)}@{domain}"
    city, province, zip_pattern = rng.choice(data.CITIES[country])
    street = rng.choice(data.STREETS[country])
    phone_prefix = data.COUNTRIES[country][2]
    customer = Customer(
        name=name, email=email,
        phone=f"{phone_prefix} {rng.randrange(100, 999)} {rng.randrange(1000000, 9999999)}",
        address=Address(line1=f"{street} {rng.randrange(1, 180)}",
                        line2=(f"Apt {rng.randrange(1, 60)}" if rand() < 0.15 else ""),
                        city=city, province=province, zip=_zip(rng, zip_pattern),
                        country=country))

    # items ------------------------------------------------------------------------
    r = rand()
    lines = 1 if r < 0.70 else 2 if r < 0.90 else 3 if r < 0.97 else 4
    items: list[LineItem] = []
    for n in range(lines):
        title, variants, sku, cost, price = data.PRODUCTS[rng.randrange(len(data.PRODUCTS))]
        variant = rng.choice(variants)
        q = rand()
        qty = 1 if q < 0.80 else 2 if q < 0.95 else 3
        unit_cost = Decimal(cost) + Decimal(rng.randrange(-30, 31)) / 100
        unit_price = Decimal(price)
        items.append(LineItem(
            title=title, variant=variant,
            sku=f"{sku}-{variant.upper().replace(' ', '')[:6]}", quantity=qty,
            unit_cost=Money(unit_cost, CURRENCY), unit_price=Money(unit_price, CURRENCY),
            product_id=f"P{sku}", line_id=f"{oid}-{n + 1}"))
    shipping_cost = Decimal(rng.choice(("0.00", "1.99", "2.49", "3.80", "4.60")))
    shipping_charged = Decimal(rng.choice(("0.00", "0.00", "4.99")))
    total_cost = sum((i.unit_cost.amount * i.quantity for i in items), Decimal(0)) + shipping_cost
    total_price = (sum((i.unit_price.amount * i.quantity for i in items), Decimal(0))
                   + shipping_charged)

    # lifecycle --------------------------------------------------------------------
    status = OrderStatus.PROCESSING
    paid_at: float | None = created + rand() * 0.3 * DAY
    events: list[TrackingEvent] = []
    shipped_at = delivered_at = None
    carrier = tracking = ""
    cancellation = None
    dispute = None
    stuck = False
    updated = created
    roll = rand()
    if roll < 0.04 and age > 0.2:
        status = OrderStatus.CANCELLED
        at = created + min(age, 1.0) * DAY * 0.5
        cancellation = CancellationRequest(
            state=CancellationState.APPROVED, reason=rng.choice(data.CUSTOMER_REASONS),
            requested_at=_dt(created + 0.1 * DAY), updated_at=_dt(at),
            history=[StateChange(_dt(created + 0.1 * DAY), "requested"),
                     StateChange(_dt(at), "approved", "Order cancelled; payment returned.")])
        updated = at
    elif age < 0.5:
        status = OrderStatus.AWAITING_PAYMENT if rand() < 0.4 else OrderStatus.PROCESSING
        if status is OrderStatus.AWAITING_PAYMENT:
            paid_at = None
    elif age < 2.0:
        status = OrderStatus.PROCESSING
    else:
        ship = created + (2.0 + rand() * 2.0) * DAY
        if ship > epoch:
            status = OrderStatus.PROCESSING
        else:
            shipped_at = ship
            carrier = data.CARRIERS[rng.randrange(len(data.CARRIERS))]
            tracking = f"{carrier[:2].upper()}{rng.randrange(10**9, 10**10)}CN"
            stuck = rand() < 0.05
            steps = data.TRACKING_STEPS[:5] if stuck else data.TRACKING_STEPS
            for days, desc, where in steps:
                at = ship + (days + rand() * 0.4) * DAY
                if at > epoch:
                    break
                events.append(TrackingEvent(
                    _dt(at), desc, where.format(country=country, city=city)))
            updated = max(updated, events[-1].at.timestamp() if events else ship)
            if len(events) == len(data.TRACKING_STEPS):
                delivered_at = events[-1].at.timestamp()
                status = OrderStatus.DELIVERED
                if age > 120 and rand() < 0.6:
                    status = OrderStatus.CLOSED
            else:
                status = OrderStatus.SHIPPED
    if status is OrderStatus.PROCESSING and age > 0.2 and rand() < 0.02:
        at = created + 0.2 * DAY
        cancellation = CancellationRequest(
            state=CancellationState.INFO_REQUESTED, reason=rng.choice(data.CUSTOMER_REASONS),
            requested_at=_dt(created + 0.1 * DAY), updated_at=_dt(at),
            supplier_message=rng.choice(data.INFO_QUESTIONS),
            history=[StateChange(_dt(created + 0.1 * DAY), "requested"),
                     StateChange(_dt(at), "info_requested")])
        cancellation.history[-1].note = cancellation.supplier_message
        updated = max(updated, at)
    elif status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED) and rand() < (
            0.35 if stuck else 0.035):
        dispute = _seeded_dispute(rng, oid, stuck, total_cost, shipped_at or created, epoch,
                                  tracking)
        updated = max(updated, dispute.updated_at.timestamp())

    return Order(
        supplier=supplier, supplier_order_id=oid, name=f"#{1001 + index}", status=status,
        supplier_status=status.value, created_at=_dt(created), updated_at=_dt(updated),
        paid_at=_dt(paid_at) if paid_at else None,
        payment="Supplier balance" if paid_at else "",
        currency=CURRENCY, items=items, customer=customer,
        total_price=Money(total_price, CURRENCY), total_cost=Money(total_cost, CURRENCY),
        shipping_cost=Money(shipping_cost, CURRENCY), carrier=carrier, tracking_number=tracking,
        tracking_url=f"https://t.17track.net/en#nums={tracking}" if tracking else "",
        tracking_events=events, shipped_at=_dt(shipped_at) if shipped_at else None,
        delivered_at=_dt(delivered_at) if delivered_at else None, cancellation=cancellation,
        dispute=dispute)


def _seeded_dispute(rng: random.Random, oid: str, stuck: bool, total_cost: Decimal,
                    since: float, epoch: float, tracking: str) -> Dispute:
    reason = DisputeReason.NOT_RECEIVED if stuck else rng.choice(
        (DisputeReason.NOT_AS_DESCRIBED, DisputeReason.NOT_AS_DESCRIBED, DisputeReason.OTHER))
    opened = min(since + 25 * DAY, epoch - 2 * DAY) if stuck else min(since + 14 * DAY,
                                                                       epoch - 1 * DAY)
    opened = max(opened, since)
    amount = Money(total_cost, CURRENCY)
    description = ("Tracking has not moved for weeks; the customer never got the parcel."
                   if stuck else "The customer says the colour and size differ from the photos.")
    answer_at = opened + 1.5 * DAY
    d = Dispute(state=DisputeState.AWAITING_MERCHANT, reason=reason, amount=amount,
                description=description, opened_at=_dt(opened), updated_at=_dt(answer_at),
                supplier_dispute_id=f"{oid}D1",
                messages=[DisputeMessage(_dt(opened), "merchant", description)],
                history=[StateChange(_dt(opened), "open")])
    roll = rng.random()
    if roll < 0.30:
        d.offer = Money((total_cost / 2).quantize(Decimal("0.01")), CURRENCY)
        text = data.DISPUTE_OFFER.format(amount=d.offer.english())
    elif roll < 0.45:
        text = data.DISPUTE_REJECT.format(tracking=tracking or "on file")
    elif roll < 0.80:
        d.state = DisputeState.RESOLVED_REFUNDED
        d.refunded = amount
        text = data.DISPUTE_ACCEPT.format(amount=amount.english())
    elif roll < 0.90:
        d.state = DisputeState.RESOLVED_REJECTED
        text = data.DISPUTE_REJECT.format(tracking=tracking or "on file")
    else:
        d.state = DisputeState.WITHDRAWN
        text = "The merchant withdrew the dispute."
    d.messages.append(DisputeMessage(_dt(answer_at), "supplier", text))
    d.history.append(StateChange(_dt(answer_at), d.state.value, text))
    return d


def _bisect(cum: list[int], x: float) -> int:
    lo, hi = 0, len(cum)
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] <= x:
            lo = mid + 1
        else:
            hi = mid
    return min(lo, len(cum) - 1)


def _dt(seconds: float) -> datetime:
    return datetime.fromtimestamp(int(seconds), UTC)


def epoch_of(days_ago: float = 0.0) -> float:
    """Midnight (UTC) ``days_ago`` days ago, in seconds: an epoch to generate a shop at."""
    now = datetime.now(UTC) - timedelta(days=days_ago)
    return now.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
