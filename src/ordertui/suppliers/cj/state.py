"""What the CJ adapter remembers between calls, in its own directory.

CJ's order list has no "changed since" filter and its items carry neither products nor
disputes, so the adapter keeps a small mirror of what CJ last told it:

- every order's last list item (to notice changes, to know which orders were still open at
  the last pass, and to rebuild an order that left CJ's lists), the details and tracking
  fetched when the merchant opened it, and the time ordertui first saw its present state;
- disputes by id, with the order they belong to (CJ's dispute list does not say);
- product names by variant id: from the dispute products (``names``), and from CJ's product
  API (``variants``: the product's name, the variant's key and its SKU, asked once a vid);
- a journal of the writes the adapter sent, written *before* each send, which is what lets
  ``was_applied`` tell a new dispute from one that existed before.

The mirror is a cache: deleting it costs one slower sync, never an action. The journal is
not: when several servers share one store, it lives in their shared state instead of this
file (``shared``), so that one server's runner can settle an action another's sent before
it died; the mirror stays on each machine.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ordertui.adapters import SharedState
from ordertui.sqlite_file import transaction

#: the kind of the journal's entries in the shared state
JOURNAL = "journal"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS orders (
    order_id TEXT PRIMARY KEY, status TEXT NOT NULL, item TEXT NOT NULL,
    detail TEXT, tracking TEXT, fp TEXT NOT NULL DEFAULT '', updated_at INTEGER NOT NULL,
    seen_pass INTEGER NOT NULL DEFAULT 0, gone INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS orders_status ON orders (status, gone);
CREATE TABLE IF NOT EXISTS disputes (
    dispute_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, item TEXT NOT NULL,
    client_key TEXT NOT NULL DEFAULT '', kind TEXT NOT NULL DEFAULT 'dispute',
    requested TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS disputes_order ON disputes (order_id);
CREATE TABLE IF NOT EXISTS journal (
    key TEXT PRIMARY KEY, action TEXT NOT NULL, order_id TEXT NOT NULL, route TEXT NOT NULL,
    before TEXT NOT NULL, at INTEGER NOT NULL, dispute_id TEXT NOT NULL DEFAULT '',
    payload TEXT NOT NULL DEFAULT '{}');
CREATE TABLE IF NOT EXISTS names (vid TEXT PRIMARY KEY, name TEXT NOT NULL, sku TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS variants (
    vid TEXT PRIMARY KEY, name TEXT NOT NULL, variant TEXT NOT NULL, sku TEXT NOT NULL,
    fetched_at INTEGER NOT NULL, pid TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS variants_pid ON variants (pid);
"""


@dataclass(slots=True)
class Known:
    order_id: str
    status: str
    item: dict[str, Any]
    detail: dict[str, Any] | None
    tracking: list[dict[str, Any]]
    fp: str
    updated_at: int
    gone: bool


@dataclass(slots=True)
class JournalEntry:
    key: str
    action: str
    order_id: str
    route: str  # "delete", "dispute", "withdraw"
    before: list[str]  # dispute ids on the order before the send
    at: int
    dispute_id: str
    payload: dict[str, Any]


class CJState:
    """The mirror in a SQLite file of the adapter's directory; the journal there too, or —
    with ``shared`` (several servers on one store) — in the state they share, under the
    adapter's name, so that any server's runner can settle what another's sent."""

    def __init__(self, path: Path, shared: SharedState | None = None, adapter: str = "") -> None:
        self.path = path
        self.shared = shared
        self.adapter = adapter
        path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(path, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.executescript(_SCHEMA)
        finally:
            con.close()
        with contextlib.suppress(OSError):
            os.chmod(path, 0o600)

    def _db(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return transaction(self.path, wal=False)

    # --- passes --------------------------------------------------------------------------
    def next_pass(self) -> int:
        with self._db() as con:
            row = con.execute("SELECT value FROM meta WHERE key = 'pass'").fetchone()
            n = int(row[0]) + 1 if row else 1
            con.execute("INSERT INTO meta VALUES ('pass', ?) ON CONFLICT (key) DO UPDATE SET "
                        "value = excluded.value", (str(n),))
            return n

    # --- orders ----------------------------------------------------------------------------
    def known(self, order_ids: Iterable[str]) -> dict[str, Known]:
        ids = list(dict.fromkeys(order_ids))
        out: dict[str, Known] = {}
        with self._db() as con:
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                for row in con.execute(
                        "SELECT order_id, status, item, detail, tracking, fp, updated_at, gone "
                        f"FROM orders WHERE order_id IN ({', '.join('?' for _ in chunk)})",
                        chunk):
                    out[row[0]] = _known(row)
        return out

    def save_orders(self, rows: Iterable[tuple[str, str, dict[str, Any], dict[str, Any] | None,
                                               list[dict[str, Any]] | None, str, int]],
                    *, seen_pass: int | None = None) -> None:
        """(order id, status, item, detail or None to keep, tracking or None to keep, fp,
        updated_at) for each order; ``seen_pass`` marks them as listed in that pass."""
        with self._db() as con:
            for oid, status, item, detail, tracking, fp, updated in rows:
                con.execute(
                    "INSERT INTO orders (order_id, status, item, detail, tracking, fp, "
                    "updated_at, seen_pass, gone) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0) "
                    "ON CONFLICT (order_id) DO UPDATE SET status = excluded.status, "
                    "item = excluded.item, detail = COALESCE(excluded.detail, detail), "
                    "tracking = COALESCE(excluded.tracking, tracking), fp = excluded.fp, "
                    "updated_at = excluded.updated_at, "
                    "seen_pass = MAX(seen_pass, excluded.seen_pass), gone = excluded.gone",
                    (oid, status, _dumps(item), _dumps(detail) if detail is not None else None,
                     _dumps(tracking) if tracking is not None else None, fp, updated,
                     seen_pass or 0))

    def mark_gone(self, order_id: str) -> None:
        with self._db() as con:
            con.execute("UPDATE orders SET gone = 1 WHERE order_id = ?", (order_id,))

    def unseen(self, pass_id: int, statuses: Iterable[str] | None = None,
               exclude: Iterable[str] = ()) -> list[str]:
        """Orders not listed in pass ``pass_id`` (optionally: last seen in ``statuses``,
        or in none of ``exclude``)."""
        sql = "SELECT order_id FROM orders WHERE gone = 0 AND seen_pass < ?"
        params: list[Any] = [pass_id]
        if statuses is not None:
            st = list(statuses)
            sql += f" AND status IN ({', '.join('?' for _ in st)})"
            params += st
        ex = list(exclude)
        if ex:
            sql += f" AND status NOT IN ({', '.join('?' for _ in ex)})"
            params += ex
        with self._db() as con:
            return [r[0] for r in con.execute(sql + " ORDER BY order_id", params)]

    def count(self, status: str) -> int:
        with self._db() as con:
            return int(con.execute("SELECT COUNT(*) FROM orders WHERE status = ? AND gone = 0",
                                   (status,)).fetchone()[0])

    # --- disputes --------------------------------------------------------------------------
    def disputes_of(self, order_id: str) -> list[tuple[str, dict[str, Any], str, str, str]]:
        """(dispute id, last item, client key, kind, requested text), oldest first."""
        with self._db() as con:
            return [(r[0], json.loads(r[1]), r[2], r[3], r[4]) for r in con.execute(
                "SELECT dispute_id, item, client_key, kind, requested FROM disputes "
                "WHERE order_id = ? ORDER BY rowid", (order_id,))]

    def disputes_for(self, order_ids: Iterable[str]
                     ) -> dict[str, list[tuple[str, dict[str, Any], str, str, str]]]:
        ids = list(dict.fromkeys(order_ids))
        out: dict[str, list[tuple[str, dict[str, Any], str, str, str]]] = {}
        with self._db() as con:
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                for r in con.execute(
                        "SELECT order_id, dispute_id, item, client_key, kind, requested FROM "
                        f"disputes WHERE order_id IN ({', '.join('?' for _ in chunk)}) "
                        "ORDER BY rowid", chunk):
                    out.setdefault(r[0], []).append((r[1], json.loads(r[2]), r[3], r[4], r[5]))
        return out

    def dispute_orders(self, dispute_ids: Iterable[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        ids = list(dispute_ids)
        if not ids:
            return {}
        with self._db() as con:
            return {r[0]: (r[1], json.loads(r[2])) for r in con.execute(
                "SELECT dispute_id, order_id, item FROM disputes WHERE dispute_id IN "
                f"({', '.join('?' for _ in ids)})", ids)}

    def save_dispute(self, dispute_id: str, order_id: str, item: dict[str, Any], *,
                     client_key: str = "", kind: str = "", requested: str = "") -> None:
        with self._db() as con:
            con.execute(
                "INSERT INTO disputes (dispute_id, order_id, item, client_key, kind, requested) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dispute_id) DO UPDATE SET "
                "item = excluded.item, order_id = excluded.order_id, "
                "client_key = CASE WHEN excluded.client_key != '' THEN excluded.client_key "
                "ELSE client_key END, kind = CASE WHEN excluded.kind != '' THEN excluded.kind "
                "ELSE kind END, requested = CASE WHEN excluded.requested != '' THEN "
                "excluded.requested ELSE requested END",
                (dispute_id, order_id, _dumps(item), client_key, kind or "dispute", requested))

    # --- the journal of writes -------------------------------------------------------------
    # shared, an entry is kept under "<order id>/<outbox key>", so that an order's entries
    # are read by prefix

    def journal(self, entry: JournalEntry) -> None:
        if self.shared is not None:
            self.shared.put(self.adapter, JOURNAL, f"{entry.order_id}/{entry.key}",
                            asdict(entry))
            return
        with self._db() as con:
            con.execute("INSERT INTO journal (key, action, order_id, route, before, at, "
                        "dispute_id, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) "
                        "DO UPDATE SET route = excluded.route, before = excluded.before, "
                        "at = excluded.at, dispute_id = excluded.dispute_id, "
                        "payload = excluded.payload",
                        (entry.key, entry.action, entry.order_id, entry.route,
                         _dumps(entry.before), entry.at, entry.dispute_id,
                         _dumps(entry.payload)))

    def journal_entry(self, key: str, order_id: str) -> JournalEntry | None:
        """The entry of the write with outbox key ``key`` on CJ's order ``order_id``."""
        if self.shared is not None:
            return _entry(self.shared.get(self.adapter, JOURNAL, f"{order_id}/{key}"))
        with self._db() as con:
            row = con.execute("SELECT key, action, order_id, route, before, at, dispute_id, "
                              "payload FROM journal WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        return JournalEntry(row[0], row[1], row[2], row[3], json.loads(row[4]), row[5], row[6],
                            json.loads(row[7]))

    def open_journal(self, order_id: str) -> list[JournalEntry]:
        """Sent dispute creations on the order whose dispute CJ has not yet shown us."""
        if self.shared is not None:
            entries = [e for e in map(_entry, self.shared.items(
                self.adapter, JOURNAL, f"{order_id}/").values()) if e is not None]
            return sorted((e for e in entries if e.order_id == order_id
                           and e.route == "dispute" and not e.dispute_id),
                          key=lambda e: (e.at, e.key))
        with self._db() as con:
            rows = con.execute("SELECT key FROM journal WHERE order_id = ? AND route = "
                               "'dispute' AND dispute_id = '' ORDER BY at", (order_id,)).fetchall()
        return [e for e in (self.journal_entry(r[0], order_id) for r in rows) if e is not None]

    # --- product names (CJ's order details carry none) ----------------------------------
    def names(self, vids: Iterable[str]) -> dict[str, tuple[str, str]]:
        ids = list(set(vids))
        if not ids:
            return {}
        with self._db() as con:
            return {r[0]: (r[1], r[2]) for r in con.execute(
                f"SELECT vid, name, sku FROM names WHERE vid IN ({', '.join('?' for _ in ids)})",
                ids)}

    def save_names(self, rows: Iterable[tuple[str, str, str]]) -> None:
        with self._db() as con:
            con.executemany("INSERT INTO names VALUES (?, ?, ?) ON CONFLICT (vid) DO UPDATE "
                            "SET name = excluded.name, sku = excluded.sku", list(rows))

    def variants(self, vids: Iterable[str]) -> dict[str, tuple[str, str, str]]:
        """(product name, variant, SKU) of each variant the product API answered for."""
        ids = list(set(vids))
        out: dict[str, tuple[str, str, str]] = {}
        with self._db() as con:
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                for r in con.execute(
                        "SELECT vid, name, variant, sku FROM variants WHERE vid IN "
                        f"({', '.join('?' for _ in chunk)})", chunk):
                    out[r[0]] = (r[1], r[2], r[3])
        return out

    def named(self, vids: Iterable[str]) -> set[str]:
        """The variants among ``vids`` whose name is known already (from the product API
        or the dispute products): nothing to ask CJ for them."""
        ids = list(set(vids))
        if not ids:
            return set()
        marks = ", ".join("?" for _ in ids)
        with self._db() as con:
            return {r[0] for r in con.execute(
                f"SELECT vid FROM variants WHERE vid IN ({marks}) UNION "
                f"SELECT vid FROM names WHERE name != '' AND vid IN ({marks})", ids + ids)}

    def product_name(self, pid: str) -> str:
        """The name a variant of product ``pid`` was saved with, or ""."""
        with self._db() as con:
            row = con.execute("SELECT name FROM variants WHERE pid = ? AND name != '' LIMIT 1",
                              (pid,)).fetchone()
        return str(row[0]) if row else ""

    def save_variant(self, vid: str, *, pid: str, name: str, variant: str, sku: str,
                     fetched_at: int) -> None:
        with self._db() as con:
            con.execute("INSERT INTO variants (vid, name, variant, sku, fetched_at, pid) "
                        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (vid) DO UPDATE SET "
                        "name = excluded.name, variant = excluded.variant, sku = excluded.sku, "
                        "fetched_at = excluded.fetched_at, pid = excluded.pid",
                        (vid, name, variant, sku, fetched_at, pid))


def _entry(value: Any) -> JournalEntry | None:
    """A journal entry as the shared state keeps it (a dict of its fields)."""
    if not isinstance(value, dict):
        return None
    try:
        return JournalEntry(**value)
    except TypeError:
        return None


def _known(row: tuple[Any, ...]) -> Known:
    return Known(row[0], row[1], json.loads(row[2]), json.loads(row[3]) if row[3] else None,
                 json.loads(row[4]) if row[4] else [], row[5], int(row[6]), bool(row[7]))


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True,
                      default=str)
