"""The demo supplier's back office: the remote party behind the demo adapter and the
wire-compatible simulators.

It behaves like a remote party: its orders and decisions live in its own SQLite file, apart
from the merchant's store, and it answers requests after a delay, as a supplier's staff do
(``reviews``). Orders come from the generator (``generator``), a pure function of
``(seed, index)``; only what changed since (cancellations, disputes, status changes) is
stored, each change numbered so that a client can sync incrementally.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ordertui.domain import codec
from ordertui.domain.errors import OrdertuiError, SupplierNotFound, SupplierRejected
from ordertui.domain.models import (
    CancellationRequest,
    Dispute,
    DisputeMessage,
    Evidence,
    Order,
    StateChange,
)
from ordertui.domain.money import Money
from ordertui.domain.states import (
    DISPUTABLE,
    DISPUTE_ESCALATE_STATES,
    DISPUTE_REPLY_STATES,
    DISPUTE_WITHDRAW_STATES,
    CancellationState,
    DisputeReason,
    DisputeState,
    OrderStatus,
)
from ordertui.simulators.demo.generator import IdScheme, generate
from ordertui.simulators.demo.reviews import SupplierReviews
from ordertui.sqlite_file import transaction

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


class DemoEngine(SupplierReviews):
    """The simulated supplier's back office: its state, and the merchant-facing actions.
    Thread- and process-safe through SQLite."""

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
            self._drop_reviews(con, idx, "dispute")
            self._schedule(con, idx, "platform", self.review_delay_s * 2)
        return self._dispute_action("dispute_escalate", order_id, key, DISPUTE_ESCALATE_STATES,
                                    apply)

    def withdraw_dispute(self, order_id: str, key: str) -> Dispute:
        def apply(con: sqlite3.Connection, idx: int, d: Dispute, now: datetime) -> None:
            d.state = DisputeState.WITHDRAWN
            d.history.append(StateChange(now, d.state.value))
            self._drop_reviews(con, idx, "dispute", "platform")
        return self._dispute_action("dispute_withdraw", order_id, key, DISPUTE_WITHDRAW_STATES,
                                    apply)

    def accept_offer(self, order_id: str, key: str) -> Dispute:
        def apply(con: sqlite3.Connection, idx: int, d: Dispute, now: datetime) -> None:
            if d.offer is None:
                raise self._reject("there is no offer to accept")
            d.state = DisputeState.RESOLVED_REFUNDED
            d.refunded = d.offer
            d.messages.append(DisputeMessage(now, "merchant", f"I accept the partial refund of "
                                             f"{d.offer.english()}.", client_key=key))
            d.history.append(StateChange(now, d.state.value, f"refunded {d.offer.english()}"))
            self._drop_reviews(con, idx, "dispute")
        return self._dispute_action("dispute_accept", order_id, key,
                                    frozenset({DisputeState.AWAITING_MERCHANT}), apply)
