"""The outbox: every action meant for a supplier is written here first, in the same
transaction as its local effect, and performed later by the runner (invariant 2 in
docs/architecture.md)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ordertui.domain.capabilities import Action
from ordertui.domain.shop import ShopActionKind

if TYPE_CHECKING:
    from ordertui.store import Store

PENDING, SENDING, DONE, FAILED = "pending", "sending", "done", "failed"


@dataclass(slots=True)
class OutboxEntry:
    id: int
    key: str
    order_id: int
    supplier: str
    action: Action | ShopActionKind  # for a supplier, or for the shop (``supplier``: the shop)
    payload: dict[str, Any]
    state: str
    attempts: int
    ambiguous: bool
    created_at: datetime
    next_at: datetime
    first_sent_at: datetime | None
    last_error: str


_COLUMNS = ("id, key, order_id, supplier, action, payload, state, attempts, ambiguous, "
            "created_at, next_at, first_sent_at, last_error")


def _entry(row: tuple[Any, ...]) -> OutboxEntry:
    return OutboxEntry(
        id=row[0], key=row[1], order_id=row[2], supplier=row[3], action=_action(row[4]),
        payload=json.loads(row[5]), state=row[6], attempts=row[7], ambiguous=bool(row[8]),
        created_at=datetime.fromtimestamp(row[9], UTC),
        next_at=datetime.fromtimestamp(row[10], UTC),
        first_sent_at=datetime.fromtimestamp(row[11], UTC) if row[11] else None,
        last_error=row[12])


def _action(value: str) -> Action | ShopActionKind:
    return ShopActionKind(value) if value.startswith("shop_") else Action(value)


class Outbox:
    def __init__(self, store: Store) -> None:
        self.store = store

    def enqueue(self, con: sqlite3.Connection, *, key: str, order_id: int, supplier: str,
                action: Action | ShopActionKind, payload: dict[str, Any], now: int) -> int:
        """Add an action; call inside the transaction that writes its local effect."""
        cur = con.execute(
            "INSERT INTO outbox (key, order_id, supplier, action, payload, state, created_at, "
            "updated_at, next_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
            (key, order_id, supplier, action.value,
             json.dumps(payload, ensure_ascii=False), now, now, now))
        return int(cur.lastrowid or 0)

    def claim(self, now: int, *, suppliers: set[str] | None = None) -> OutboxEntry | None:
        """Take the next due action. One found in ``sending`` was being sent when its runner
        died: it is marked ambiguous, so the supplier's state is read before any resend.

        Actions on one order go out in the order they were made."""
        with self.store.write() as con:
            rows = con.execute(
                f"SELECT {_COLUMNS} FROM outbox o WHERE state IN ('pending', 'sending') "
                "AND next_at <= ? AND NOT EXISTS (SELECT 1 FROM outbox p WHERE "
                "p.order_id = o.order_id AND p.id < o.id AND p.state IN ('pending', 'sending')) "
                "ORDER BY id LIMIT 20", (now,)).fetchall()
            for row in rows:
                entry = _entry(row)
                if suppliers is not None and entry.supplier not in suppliers:
                    continue
                ambiguous = entry.ambiguous or entry.state == SENDING
                con.execute("UPDATE outbox SET state = 'sending', attempts = attempts + 1, "
                            "ambiguous = ?, first_sent_at = COALESCE(first_sent_at, ?), "
                            "updated_at = ? WHERE id = ?", (int(ambiguous), now, now, entry.id))
                entry.state, entry.attempts, entry.ambiguous = SENDING, entry.attempts + 1, \
                    ambiguous
                if entry.first_sent_at is None:
                    entry.first_sent_at = datetime.fromtimestamp(now, UTC)
                return entry
        return None

    def finish(self, entry_id: int, state: str, *, now: int, error: str = "",
               result: Any = None) -> None:
        with self.store.write() as con:
            con.execute("UPDATE outbox SET state = ?, last_error = ?, result = ?, updated_at = ? "
                        "WHERE id = ?", (state, error,
                                         json.dumps(result, ensure_ascii=False)
                                         if result is not None else None, now, entry_id))

    def retry(self, entry_id: int, *, now: int, next_at: int, error: str,
              ambiguous: bool) -> None:
        with self.store.write() as con:
            con.execute("UPDATE outbox SET state = 'pending', next_at = ?, last_error = ?, "
                        "ambiguous = CASE WHEN ambiguous > ? THEN ambiguous ELSE ? END, "
                        "updated_at = ? WHERE id = ?",
                        (next_at, error, int(ambiguous), int(ambiguous), now, entry_id))

    def entries(self, *, states: tuple[str, ...] = (PENDING, SENDING), order_id: int | None = None,
                limit: int = 200, to: str | None = None) -> list[OutboxEntry]:
        """The entries in ``states``, oldest first; ``to``: only those for the suppliers
        ("supplier") or for the shops ("shop")."""
        clauses = [f"state IN ({', '.join('?' for _ in states)})"]
        params: list[Any] = list(states)
        if order_id is not None:
            clauses.append("order_id = ?")
            params.append(order_id)
        if to is not None:
            clauses.append("action LIKE 'shop\\_%' ESCAPE '\\'" if to == "shop"
                           else "action NOT LIKE 'shop\\_%' ESCAPE '\\'")
        rows = self.store.con.execute(
            f"SELECT {_COLUMNS} FROM outbox WHERE {' AND '.join(clauses)} ORDER BY id LIMIT ?",
            [*params, limit]).fetchall()
        return [_entry(r) for r in rows]

    def get(self, entry_id: int) -> OutboxEntry | None:
        row = self.store.con.execute(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?",
                                     (entry_id,)).fetchone()
        return _entry(row) if row else None

    def by_key(self, key: str) -> OutboxEntry | None:
        row = self.store.con.execute(f"SELECT {_COLUMNS} FROM outbox WHERE key = ?",
                                     (key,)).fetchone()
        return _entry(row) if row else None

    def due_count(self) -> int:
        return int(self.store.con.execute(
            "SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')").fetchone()[0])

    def next_due(self) -> datetime | None:
        row = self.store.con.execute(
            "SELECT MIN(next_at) FROM outbox WHERE state IN ('pending', 'sending')").fetchone()
        return datetime.fromtimestamp(row[0], UTC) if row and row[0] else None
