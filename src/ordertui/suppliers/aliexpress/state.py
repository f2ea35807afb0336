"""What the AliExpress adapter remembers per order, in its own directory.

AliExpress keeps no history ordertui can read, so the adapter notes when it first saw a
cancellation or a dispute, the last status it could place, the tracking it read, and when
the order last changed as far as ordertui could see. Like CJ's, it is a cache: deleting it
costs only those first-seen times.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path
from typing import Any

from ordertui.sqlite_file import transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    order_id TEXT PRIMARY KEY, fp TEXT NOT NULL, updated_at INTEGER NOT NULL,
    last_status TEXT NOT NULL DEFAULT '', cancel_at INTEGER NOT NULL DEFAULT 0,
    issue_at INTEGER NOT NULL DEFAULT 0, tracking TEXT NOT NULL DEFAULT '');
"""


class AEState:
    """What the adapter remembers per order: when it first saw a cancellation or a dispute
    (AliExpress does not say), the last status it could place, the tracking it read, and
    when the order last changed as far as ordertui could see."""

    def __init__(self, path: Path) -> None:
        self.path = path
        con = sqlite3.connect(path, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.executescript(_SCHEMA)
        finally:
            con.close()

    def _db(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return transaction(self.path, wal=False)

    def get(self, order_id: str) -> dict[str, Any]:
        with self._db() as con:
            row = con.execute("SELECT fp, updated_at, last_status, cancel_at, issue_at, "
                              "tracking FROM orders WHERE order_id = ?", (order_id,)).fetchone()
        if row is None:
            return {}
        return {"fp": row[0], "updated_at": row[1], "last_status": row[2],
                "cancel_at": row[3], "issue_at": row[4],
                "tracking": json.loads(row[5]) if row[5] else None}

    def put(self, order_id: str, **values: Any) -> None:
        if "tracking" in values:
            values["tracking"] = json.dumps(values["tracking"]) if values["tracking"] else ""
        cols = list(values)
        with self._db() as con:
            con.execute("INSERT INTO orders (order_id, fp, updated_at) VALUES (?, '', 0) "
                        "ON CONFLICT (order_id) DO NOTHING", (order_id,))
            con.execute(f"UPDATE orders SET {', '.join(f'{c} = ?' for c in cols)} "
                        "WHERE order_id = ?", [*values.values(), order_id])
