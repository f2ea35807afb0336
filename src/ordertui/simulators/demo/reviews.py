"""How the demo supplier decides, as its staff would: a merchant's request waits in a queue
of reviews, and when its time comes the supplier approves a cancellation, asks for details
first, or refuses one for an order already shipped; answers a dispute with a refund, an
offer or a refusal; and the platform rules on an escalated one.

Every decision is a pure function of the shop's seed, the order's index and the case so
far (``fraction``), so the same shop decides the same way every time, and tests can know
what it will say. ``SupplierReviews`` is the back office's mixin for this; the back office
provides the storage (``_db``, ``_load``, ``_save``).
"""

from __future__ import annotations

import abc
import contextlib
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from ordertui.domain.models import Dispute, DisputeMessage, Order, StateChange
from ordertui.domain.money import Money
from ordertui.domain.states import (
    CANCELLABLE,
    CancellationState,
    DisputeReason,
    DisputeState,
    OrderStatus,
)
from ordertui.simulators.demo import data
from ordertui.simulators.demo.generator import fraction


class SupplierReviews(abc.ABC):
    """The queue of reviews (SQLite table ``reviews``: an order's index, the kind of case —
    "cancel", "dispute" or "platform" — and when it comes due) and the decisions made when
    they do."""

    path: Path
    clock: Callable[[], float]

    # --- what the back office provides ----------------------------------------------------
    @property
    @abc.abstractmethod
    def seed(self) -> int: ...

    @abc.abstractmethod
    def _db(self, write: bool = False
            ) -> contextlib.AbstractContextManager[sqlite3.Connection]: ...

    @abc.abstractmethod
    def _load(self, con: sqlite3.Connection, idx: int) -> Order: ...

    @abc.abstractmethod
    def _save(self, con: sqlite3.Connection, idx: int, order: Order) -> None: ...

    # --- the queue ------------------------------------------------------------------------
    def _schedule(self, con: sqlite3.Connection, idx: int, kind: str, delay: float) -> None:
        con.execute("INSERT OR REPLACE INTO reviews (idx, kind, due_at) VALUES (?, ?, ?)",
                    (idx, kind, self.clock() + delay))

    @staticmethod
    def _drop_reviews(con: sqlite3.Connection, idx: int, *kinds: str) -> None:
        """The order's pending reviews of ``kinds`` are off (the case moved on)."""
        marks = ", ".join("?" * len(kinds))
        con.execute(f"DELETE FROM reviews WHERE idx = ? AND kind IN ({marks})", (idx, *kinds))

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

    # --- the decisions --------------------------------------------------------------------
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
            if not asked_before and fraction(self.seed, idx, "ask", len(c.history)) < 0.3:
                c.state = CancellationState.INFO_REQUESTED
                c.supplier_message = data.INFO_QUESTIONS[idx % len(data.INFO_QUESTIONS)]
            else:
                c.state = CancellationState.APPROVED
                c.supplier_message = (f"Cancelled. We will not ship the order; "
                                      f"{order.total_cost.english()} goes back to your balance.")
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
        roll = fraction(self.seed, idx, "dispute", rounds, d.supplier_dispute_id)
        if rounds == 0:
            if roll < 0.40:
                self._refund(d, d.amount, data.DISPUTE_ACCEPT, at)
            elif roll < 0.75:
                d.offer = Money((d.amount.amount / 2).quantize(Decimal("0.01")),
                                d.amount.currency)
                self._say(d, DisputeState.AWAITING_MERCHANT,
                          data.DISPUTE_OFFER.format(amount=d.offer.english()), at)
            else:
                self._say(d, DisputeState.AWAITING_MERCHANT, data.DISPUTE_REJECT.format(
                    tracking=order.tracking_number or "on file"), at)
        elif roll < 0.5:
            self._refund(d, d.amount, data.DISPUTE_AFTER_REPLY_ACCEPT, at)
        elif d.offer is not None:
            self._say(d, DisputeState.AWAITING_MERCHANT,
                      data.DISPUTE_AFTER_REPLY_KEEP.format(amount=d.offer.english()), at)
        else:
            d.offer = Money((d.amount.amount / 2).quantize(Decimal("0.01")), d.amount.currency)
            self._say(d, DisputeState.AWAITING_MERCHANT,
                      data.DISPUTE_OFFER.format(amount=d.offer.english()), at)
        return True

    def _review_platform(self, order: Order, idx: int, at: datetime) -> bool:
        d = order.dispute
        if d is None or d.state is not DisputeState.ESCALATED:
            return False
        wins = (d.reason is DisputeReason.NOT_RECEIVED
                or fraction(self.seed, idx, "platform", d.supplier_dispute_id) < 0.6)
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
        self._say(d, DisputeState.RESOLVED_REFUNDED, template.format(amount=amount.english()),
                  at, author)
