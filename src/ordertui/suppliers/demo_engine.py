"""The simulated supplier behind the demo adapter and the wire-compatible simulators.

It behaves like a remote party: its orders and decisions live in its own SQLite file, apart
from the merchant's store, and it answers requests after a delay, as a supplier's staff do.

Orders are a pure function of ``(seed, index)``, so a million of them cost no storage and the
same seed always gives the same shop. Only what changed since (cancellations, disputes,
status changes) is stored, each change numbered so that a client can sync incrementally.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from ordertui.domain import codec
from ordertui.domain.errors import OrdertuiError, SupplierNotFound, SupplierRejected
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
from ordertui.domain.states import (
    CANCELLABLE,
    DISPUTABLE,
    DISPUTE_ESCALATE_STATES,
    DISPUTE_REPLY_STATES,
    DISPUTE_WITHDRAW_STATES,
    CancellationState,
    DisputeReason,
    DisputeState,
    OrderStatus,
)
from ordertui.sqlite_file import transaction
from ordertui.suppliers import demo_data as data

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


def _fraction(*parts: object) -> float:
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
        text = data.DISPUTE_OFFER.format(amount=d.offer.display())
    elif roll < 0.45:
        text = data.DISPUTE_REJECT.format(tracking=tracking or "on file")
    elif roll < 0.80:
        d.state = DisputeState.RESOLVED_REFUNDED
        d.refunded = amount
        text = data.DISPUTE_ACCEPT.format(amount=amount.display())
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


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS overrides (
    idx INTEGER PRIMARY KEY, data TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS overrides_seq ON overrides (seq);
CREATE TABLE IF NOT EXISTS reviews (
    idx INTEGER NOT NULL, kind TEXT NOT NULL, due_at REAL NOT NULL, PRIMARY KEY (idx, kind));
CREATE TABLE IF NOT EXISTS actions (
    key TEXT PRIMARY KEY, idx INTEGER NOT NULL, kind TEXT NOT NULL, at REAL NOT NULL,
    result TEXT NOT NULL);
"""


class DemoEngine:
    """The simulated supplier's back office. Thread- and process-safe through SQLite."""

    def __init__(self, path: Path, *, supplier: str = "demo", review_delay_s: float = 5.0,
                 scheme: IdScheme | None = None, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.supplier = supplier
        self.review_delay_s = review_delay_s
        self.scheme = scheme or IdScheme()
        self.clock = clock
        self._meta: dict[str, str] | None = None

    # --- storage -----------------------------------------------------------------------
    def _db(self, write: bool = False) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return transaction(self.path, write=write)

    def exists(self) -> bool:
        if not self.path.exists():
            return False
        try:
            self.meta()
        except (sqlite3.Error, OrdertuiError):
            return False
        return True

    def create(self, *, seed: int, count: int, epoch: float | None = None) -> None:
        """(Re)create the supplier with ``count`` orders; forgets everything that happened."""
        if count < 0:
            raise ValueError("count must be >= 0")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)
        if epoch is None:
            now = datetime.now(UTC)
            epoch = now.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
        con = sqlite3.connect(self.path, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.executescript(_SCHEMA)
            con.executemany("INSERT INTO meta VALUES (?, ?)", [
                ("seed", str(seed)), ("count", str(count)), ("epoch", str(epoch)),
                ("seq", "0"), ("created", str(self.clock()))])
        finally:
            con.close()
        self._meta = None

    def ensure(self, *, seed: int, count: int) -> None:
        if not self.exists():
            self.create(seed=seed, count=count)

    def meta(self) -> dict[str, str]:
        if self._meta is None:
            if not self.path.exists():
                raise OrdertuiError(f"the demo supplier has no data at {self.path}")
            with self._db() as con:
                self._meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        return self._meta

    @property
    def count(self) -> int:
        return int(self.meta()["count"])

    @property
    def seed(self) -> int:
        return int(self.meta()["seed"])

    @property
    def epoch(self) -> float:
        return float(self.meta()["epoch"])

    # --- reading -----------------------------------------------------------------------
    def _index(self, order_id: str) -> int:
        idx = self.scheme.index(order_id, self.count)
        if idx is None:
            raise SupplierNotFound(self.supplier, f"order {order_id} not found")
        return idx

    def _base(self, idx: int) -> Order:
        return generate(self.seed, idx, self.count, self.epoch, self.scheme, self.supplier)

    def _apply(self, order: Order, data: dict[str, Any]) -> Order:
        order.status = OrderStatus(data["status"])
        order.supplier_status = order.status.value
        order.updated_at = codec._req_ts(data["updated_at"])
        order.cancellation = (codec.cancellation_from(data["cancellation"])
                              if data.get("cancellation") else None)
        order.dispute = codec.dispute_from(data["dispute"]) if data.get("dispute") else None
        return order

    def _load(self, con: sqlite3.Connection, idx: int) -> Order:
        order = self._base(idx)
        row = con.execute("SELECT data FROM overrides WHERE idx = ?", (idx,)).fetchone()
        return self._apply(order, json.loads(row[0])) if row else order

    def get(self, order_id: str) -> Order:
        self.process_due()
        idx = self._index(order_id)
        with self._db() as con:
            return self._load(con, idx)

    def list_changes(self, cursor: str | None, limit: int = 500
                     ) -> tuple[list[Order], str, bool, int]:
        """Orders changed since ``cursor``: (orders, next cursor, more follow, total)."""
        self.process_due()
        count = self.count
        with self._db() as con:
            seq_now = int(con.execute("SELECT value FROM meta WHERE key='seq'").fetchone()[0])
            if cursor is None:
                cursor = f"b:0:{seq_now}"
            kind, _, rest = cursor.partition(":")
            if kind == "b":
                start_s, _, seq0_s = rest.partition(":")
                start, seq0 = int(start_s), int(seq0_s)
                end = min(start + limit, count)
                over = dict(con.execute(
                    "SELECT idx, data FROM overrides WHERE idx >= ? AND idx < ?",
                    (start, end)).fetchall())
                orders = []
                for idx in range(start, end):
                    order = self._base(idx)
                    if idx in over:
                        self._apply(order, json.loads(over[idx]))
                    orders.append(order)
                if end >= count:
                    return orders, f"s:{seq0}", True, count
                return orders, f"b:{end}:{seq0}", True, count
            if kind == "s":
                after = int(rest)
                rows = con.execute(
                    "SELECT idx, data, seq FROM overrides WHERE seq > ? ORDER BY seq LIMIT ?",
                    (after, limit)).fetchall()
                orders = [self._apply(self._base(idx), json.loads(d)) for idx, d, _ in rows]
                last = rows[-1][2] if rows else after
                total = int(con.execute("SELECT COUNT(*) FROM overrides WHERE seq > ?",
                                        (after,)).fetchone()[0])
                return orders, f"s:{last}", len(rows) == limit, total
        raise OrdertuiError(f"the demo supplier does not understand cursor {cursor!r}")

    def action_counts(self) -> dict[str, int]:
        with self._db() as con:
            return dict(con.execute("SELECT kind, COUNT(*) FROM actions GROUP BY kind"))

    def lookup(self, key: str) -> tuple[str, dict[str, Any]] | None:
        """The result of the action sent with ``key``, if the supplier received it."""
        with self._db() as con:
            row = con.execute("SELECT kind, result FROM actions WHERE key = ?", (key,)).fetchone()
        return (row[0], json.loads(row[1])) if row else None

    # --- writing -----------------------------------------------------------------------
    def _save(self, con: sqlite3.Connection, idx: int, order: Order) -> None:
        seq = int(con.execute("SELECT value FROM meta WHERE key='seq'").fetchone()[0]) + 1
        con.execute("UPDATE meta SET value = ? WHERE key = 'seq'", (str(seq),))
        data = {"status": order.status.value, "updated_at": codec.ts(order.updated_at),
                "cancellation": (codec.cancellation_to(order.cancellation)
                                 if order.cancellation else None),
                "dispute": codec.dispute_to(order.dispute) if order.dispute else None}
        con.execute("INSERT INTO overrides (idx, data, seq) VALUES (?, ?, ?) "
                    "ON CONFLICT(idx) DO UPDATE SET data = excluded.data, seq = excluded.seq",
                    (idx, json.dumps(data, ensure_ascii=False), seq))

    def _schedule(self, con: sqlite3.Connection, idx: int, kind: str, delay: float) -> None:
        con.execute("INSERT OR REPLACE INTO reviews (idx, kind, due_at) VALUES (?, ?, ?)",
                    (idx, kind, self.clock() + delay))

    def _act(self, kind: str, order_id: str, key: str,
             change: Callable[[sqlite3.Connection, int, Order, datetime], dict[str, Any]]
             ) -> dict[str, Any]:
        """Apply an action once per ``key``; a repeated key returns the first result."""
        self.process_due()
        idx = self._index(order_id)
        with self._db(write=True) as con:
            row = con.execute("SELECT result FROM actions WHERE key = ?", (key,)).fetchone()
            if row:
                return dict(json.loads(row[0]))
            order = self._load(con, idx)
            now = datetime.fromtimestamp(int(self.clock()), UTC)
            result = change(con, idx, order, now)
            order.updated_at = now
            self._save(con, idx, order)
            con.execute("INSERT INTO actions (key, idx, kind, at, result) VALUES (?, ?, ?, ?, ?)",
                        (key, idx, kind, self.clock(), json.dumps(result, ensure_ascii=False)))
            return result

    def _reject(self, message: str) -> SupplierRejected:
        return SupplierRejected(self.supplier, message)

    def request_cancellation(self, order_id: str, reason: str, key: str) -> CancellationRequest:
        def change(con: sqlite3.Connection, idx: int, order: Order, now: datetime
                   ) -> dict[str, Any]:
            if order.cancellation and order.cancellation.state.active:
                raise self._reject("a cancellation request for this order is already open")
            if order.status in (OrderStatus.CANCELLED, OrderStatus.CLOSED):
                raise self._reject(f"the order is already {order.status.value}")
            order.cancellation = CancellationRequest(
                state=CancellationState.REQUESTED, reason=reason, requested_at=now,
                updated_at=now, client_key=key, history=[StateChange(now, "requested", reason)])
            self._schedule(con, idx, "cancel", self.review_delay_s)
            return codec.cancellation_to(order.cancellation)
        return codec.cancellation_from(self._act("cancel", order_id, key, change))

    def answer_cancellation(self, order_id: str, message: str, key: str) -> CancellationRequest:
        def change(con: sqlite3.Connection, idx: int, order: Order, now: datetime
                   ) -> dict[str, Any]:
            c = order.cancellation
            if c is None or c.state is not CancellationState.INFO_REQUESTED:
                raise self._reject("we did not ask for details on this order")
            c.state = CancellationState.REQUESTED
            c.updated_at = now
            c.history.append(StateChange(now, "requested", message))
            self._schedule(con, idx, "cancel", self.review_delay_s)
            return codec.cancellation_to(c)
        return codec.cancellation_from(self._act("cancel_answer", order_id, key, change))

    def open_dispute(self, order_id: str, *, reason: DisputeReason, amount: Money,
                     description: str, evidence: list[Evidence], key: str) -> Dispute:
        def change(con: sqlite3.Connection, idx: int, order: Order, now: datetime
                   ) -> dict[str, Any]:
            if order.dispute and not order.dispute.state.terminal:
                raise self._reject("a dispute on this order is already open")
            if order.status not in DISPUTABLE:
                raise self._reject(f"an order that is {order.status.value} cannot be disputed")
            if amount > order.total_cost or amount.amount <= 0:
                raise self._reject(f"the refund must be between 0 and {order.total_cost}")
            n = 1 + (int(order.dispute.supplier_dispute_id.rsplit("D", 1)[-1])
                     if order.dispute and order.dispute.supplier_dispute_id[-1:].isdigit() else 0)
            order.dispute = Dispute(
                state=DisputeState.OPEN, reason=reason, amount=amount, description=description,
                opened_at=now, updated_at=now, supplier_dispute_id=f"{order_id}D{n}",
                evidence=list(evidence), client_key=key,
                messages=[DisputeMessage(now, "merchant", description, client_key=key)],
                history=[StateChange(now, "open")])
            self._schedule(con, idx, "dispute", self.review_delay_s)
            return codec.dispute_to(order.dispute)
        return codec.dispute_from(self._act("dispute_open", order_id, key, change))

    def _dispute_action(self, kind: str, order_id: str, key: str, allowed: frozenset[DisputeState],
                        apply: Callable[[sqlite3.Connection, int, Dispute, datetime], None]
                        ) -> Dispute:
        def change(con: sqlite3.Connection, idx: int, order: Order, now: datetime
                   ) -> dict[str, Any]:
            d = order.dispute
            if d is None or d.state not in allowed:
                state = d.state.value if d else "none"
                raise self._reject(f"the dispute is {state}; that is not possible now")
            apply(con, idx, d, now)
            d.updated_at = now
            return codec.dispute_to(d)
        return codec.dispute_from(self._act(kind, order_id, key, change))

    def reply_dispute(self, order_id: str, message: str, key: str) -> Dispute:
        def apply(con: sqlite3.Connection, idx: int, d: Dispute, now: datetime) -> None:
            d.messages.append(DisputeMessage(now, "merchant", message, client_key=key))
            if d.state is not DisputeState.ESCALATED:
                d.state = DisputeState.AWAITING_SUPPLIER
                d.history.append(StateChange(now, d.state.value))
                self._schedule(con, idx, "dispute", self.review_delay_s)
        return self._dispute_action("dispute_reply", order_id, key, DISPUTE_REPLY_STATES, apply)

    def escalate_dispute(self, order_id: str, key: str) -> Dispute:
        def apply(con: sqlite3.Connection, idx: int, d: Dispute, now: datetime) -> None:
            d.state = DisputeState.ESCALATED
            d.history.append(StateChange(now, d.state.value))
            d.messages.append(DisputeMessage(now, "platform", "The case was escalated. The "
                                             "platform will review it and decide."))
            con.execute("DELETE FROM reviews WHERE idx = ? AND kind = 'dispute'", (idx,))
            self._schedule(con, idx, "platform", self.review_delay_s * 2)
        return self._dispute_action("dispute_escalate", order_id, key, DISPUTE_ESCALATE_STATES,
                                    apply)

    def withdraw_dispute(self, order_id: str, key: str) -> Dispute:
        def apply(con: sqlite3.Connection, idx: int, d: Dispute, now: datetime) -> None:
            d.state = DisputeState.WITHDRAWN
            d.history.append(StateChange(now, d.state.value))
            con.execute("DELETE FROM reviews WHERE idx = ? AND kind IN ('dispute', 'platform')",
                        (idx,))
        return self._dispute_action("dispute_withdraw", order_id, key, DISPUTE_WITHDRAW_STATES,
                                    apply)

    def accept_offer(self, order_id: str, key: str) -> Dispute:
        def apply(con: sqlite3.Connection, idx: int, d: Dispute, now: datetime) -> None:
            if d.offer is None:
                raise self._reject("there is no offer to accept")
            d.state = DisputeState.RESOLVED_REFUNDED
            d.refunded = d.offer
            d.messages.append(DisputeMessage(now, "merchant", f"I accept the partial refund of "
                                             f"{d.offer.display()}.", client_key=key))
            d.history.append(StateChange(now, d.state.value, f"refunded {d.offer.display()}"))
            con.execute("DELETE FROM reviews WHERE idx = ? AND kind = 'dispute'", (idx,))
        return self._dispute_action("dispute_accept", order_id, key,
                                    frozenset({DisputeState.AWAITING_MERCHANT}), apply)

    # --- the supplier's side: reviews that come due ---------------------------------------
    def process_due(self) -> int:
        """Make the decisions whose time has come. Returns how many were made."""
        now = self.clock()
        if not self.path.exists():
            return 0
        with self._db() as con:
            due = con.execute("SELECT 1 FROM reviews WHERE due_at <= ? LIMIT 1", (now,)).fetchone()
        if not due:
            return 0
        made = 0
        with self._db(write=True) as con:
            rows = con.execute("SELECT idx, kind FROM reviews WHERE due_at <= ? ORDER BY due_at",
                               (now,)).fetchall()
            for idx, kind in rows:
                con.execute("DELETE FROM reviews WHERE idx = ? AND kind = ?", (idx, kind))
                order = self._load(con, idx)
                at = datetime.fromtimestamp(int(now), UTC)
                changed = {"cancel": self._review_cancel, "dispute": self._review_dispute,
                           "platform": self._review_platform}[kind](order, idx, at)
                if changed:
                    order.updated_at = at
                    self._save(con, idx, order)
                    made += 1
        return made

    def _review_cancel(self, order: Order, idx: int, at: datetime) -> bool:
        c = order.cancellation
        if c is None or c.state is not CancellationState.REQUESTED:
            return False
        asked_before = any(h.state == "info_requested" for h in c.history)
        if order.status in CANCELLABLE:
            if not asked_before and _fraction(self.seed, idx, "ask", len(c.history)) < 0.3:
                c.state = CancellationState.INFO_REQUESTED
                c.supplier_message = data.INFO_QUESTIONS[idx % len(data.INFO_QUESTIONS)]
            else:
                c.state = CancellationState.APPROVED
                c.supplier_message = (f"Cancelled. We will not ship the order; "
                                      f"{order.total_cost.display()} goes back to your balance.")
                order.status = OrderStatus.CANCELLED
                order.supplier_status = order.status.value
        else:
            c.state = CancellationState.REJECTED
            c.supplier_message = data.REJECT_SHIPPED.format(
                tracking=order.tracking_number or "tracking on file")
        c.updated_at = at
        c.history.append(StateChange(at, c.state.value, c.supplier_message))
        return True

    def _review_dispute(self, order: Order, idx: int, at: datetime) -> bool:
        d = order.dispute
        if d is None or d.state not in (DisputeState.OPEN, DisputeState.AWAITING_SUPPLIER):
            return False
        rounds = sum(1 for m in d.messages if m.author == "supplier")
        roll = _fraction(self.seed, idx, "dispute", rounds, d.supplier_dispute_id)
        if rounds == 0:
            if roll < 0.40:
                self._refund(d, d.amount, data.DISPUTE_ACCEPT, at)
            elif roll < 0.75:
                d.offer = Money((d.amount.amount / 2).quantize(Decimal("0.01")),
                                d.amount.currency)
                self._say(d, DisputeState.AWAITING_MERCHANT,
                          data.DISPUTE_OFFER.format(amount=d.offer.display()), at)
            else:
                self._say(d, DisputeState.AWAITING_MERCHANT, data.DISPUTE_REJECT.format(
                    tracking=order.tracking_number or "on file"), at)
        elif roll < 0.5:
            self._refund(d, d.amount, data.DISPUTE_AFTER_REPLY_ACCEPT, at)
        elif d.offer is not None:
            self._say(d, DisputeState.AWAITING_MERCHANT,
                      data.DISPUTE_AFTER_REPLY_KEEP.format(amount=d.offer.display()), at)
        else:
            d.offer = Money((d.amount.amount / 2).quantize(Decimal("0.01")), d.amount.currency)
            self._say(d, DisputeState.AWAITING_MERCHANT,
                      data.DISPUTE_OFFER.format(amount=d.offer.display()), at)
        return True

    def _review_platform(self, order: Order, idx: int, at: datetime) -> bool:
        d = order.dispute
        if d is None or d.state is not DisputeState.ESCALATED:
            return False
        wins = (d.reason is DisputeReason.NOT_RECEIVED
                or _fraction(self.seed, idx, "platform", d.supplier_dispute_id) < 0.6)
        if wins:
            self._refund(d, d.amount, data.PLATFORM_REFUND, at, author="platform")
        else:
            self._say(d, DisputeState.RESOLVED_REJECTED, data.PLATFORM_REJECT, at,
                      author="platform")
        return True

    @staticmethod
    def _say(d: Dispute, state: DisputeState, text: str, at: datetime,
             author: str = "supplier") -> None:
        d.state = state
        d.updated_at = at
        d.messages.append(DisputeMessage(at, author, text))
        d.history.append(StateChange(at, state.value, text))

    def _refund(self, d: Dispute, amount: Money, template: str, at: datetime,
                author: str = "supplier") -> None:
        d.refunded = amount
        self._say(d, DisputeState.RESOLVED_REFUNDED, template.format(amount=amount.display()),
                  at, author)

    def pending_reviews(self) -> int:
        with self._db() as con:
            return int(con.execute("SELECT COUNT(*) FROM reviews").fetchone()[0])

    def next_review_at(self) -> float | None:
        with self._db() as con:
            row = con.execute("SELECT MIN(due_at) FROM reviews").fetchone()
        return float(row[0]) if row and row[0] is not None else None

    def shift_clock_for_tests(self, seconds: float) -> None:
        """Bring every pending review forward by ``seconds`` (used by tests and demos)."""
        with self._db(write=True) as con:
            con.execute("UPDATE reviews SET due_at = due_at - ?", (seconds,))


def epoch_of(days_ago: float = 0.0) -> float:
    now = datetime.now(UTC) - timedelta(days=days_ago)
    return now.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
