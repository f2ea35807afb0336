"""Shared by the migration tests: orders written into a store as an older ordertui left it."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from ordertui.domain.models import Order
from ordertui.store.rows import _ORDER_COLUMNS, order_params


def insert_as_then(con: sqlite3.Connection, orders: Sequence[Order],
                   synced_at: int = 1_700_000_000) -> None:
    """Insert ``orders`` into the columns the ``orders`` table has at this migration (later
    migrations add more)."""
    then = {r[1] for r in con.execute("PRAGMA table_info(orders)")}
    cols = [c for c in _ORDER_COLUMNS if c in then]
    rows = [dict(zip(_ORDER_COLUMNS, order_params(o, synced_at), strict=True))
            for o in orders]
    con.executemany(f"INSERT INTO orders ({', '.join(cols)}) "
                    f"VALUES ({', '.join('?' for _ in cols)})",
                    [[r[c] for c in cols] for r in rows])
