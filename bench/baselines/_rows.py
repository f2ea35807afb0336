"""The rows the anchor tables show: the orders screen's columns, read from an ordertui store.

Both anchors get exactly these rows, formatted by SQLite as the strings the orders screen
shows, so the comparison is about the table widgets and not about who formats money faster.
Reading them is part of the anchors' time to first paint: a developer who picks "add every
row" has to read every row first.
"""

from __future__ import annotations

import sqlite3

COLUMNS = ["Order", "Date", "Status", "Customer", "Cty", "Items", "Total", "Cost", "Profit",
           "Supplier", "Tracking"]

_SQL = """
    SELECT name, strftime('%Y-%m-%d', created_at, 'unixepoch'), status, customer_name,
           country, items_summary, printf('$%.2f', total_price / 10000.0),
           printf('$%.2f', total_cost / 10000.0), printf('$%.2f', profit / 10000.0),
           supplier, tracking_number
    FROM orders ORDER BY created_at DESC, id DESC LIMIT ?
"""


def read_rows(store: str, limit: int) -> list[tuple[str, ...]]:
    con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        return con.execute(_SQL, (limit,)).fetchall()
    finally:
        con.close()
