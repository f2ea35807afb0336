"""Orders for the store tests and the oracles they check the store against: demo orders
from the generator, the rows a query must give sorted in Python (independently of the store's
SQL), counts by ``COUNT(*)``, and a search that checks its count."""

from __future__ import annotations

import sqlite3
import string
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ordertui.domain.models import Order
from ordertui.domain.query import OrderQuery, SortKey
from ordertui.domain.states import OrderStatus
from ordertui.simulators.demo import IdScheme, generate
from ordertui.store import Store
from ordertui.store.rows import ORDER_COLUMNS, order_params

EPOCH = datetime(2024, 6, 13, tzinfo=UTC).timestamp()
N_DEMO, N_OTHER = 600, 200


def demo_orders(count: int, *, seed: int = 3, supplier: str = "demo",
                scheme: IdScheme | None = None) -> list[Order]:
    scheme = scheme or IdScheme()
    return [generate(seed, i, count, EPOCH, scheme, supplier) for i in range(count)]


_NOCASE = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _nocase(value: str) -> str:
    """SQLite's NOCASE folds ASCII letters only; code point order equals UTF-8 byte order."""
    return value.translate(_NOCASE)


_SORT_VALUE_SQL = ("SELECT id, created_at, name_num, status, customer_name, country, "
                   "items_summary, total_price, total_cost, profit, supplier, tracking_number, "
                   "attention FROM orders")


def _sort_key(sort: SortKey, r: dict[str, Any]) -> tuple[Any, ...]:
    cancelled = r["status"] == "cancelled"
    return {
        SortKey.CREATED: (r["created_at"], r["id"]),
        SortKey.NAME: (r["name_num"], r["id"]),
        SortKey.STATUS: (r["status"], r["created_at"], r["id"]),
        SortKey.CUSTOMER: (_nocase(r["customer_name"]), r["id"]),
        SortKey.COUNTRY: (r["country"], r["created_at"], r["id"]),
        SortKey.ITEMS: (_nocase(r["items_summary"]), r["id"]),
        # a cancelled order counts for nothing
        SortKey.TOTAL: (0 if cancelled else r["total_price"], r["id"]),
        SortKey.COST: (0 if cancelled else r["total_cost"], r["id"]),
        SortKey.PROFIT: (0 if cancelled else r["total_price"] - r["total_cost"], r["id"]),
        SortKey.SUPPLIER: (r["supplier"], r["created_at"], r["id"]),
        SortKey.TRACKING: (r["tracking_number"], r["id"]),
    }[sort]


def expected_ids(store: Store, q: OrderQuery, keep: Any = None) -> list[int]:
    """The query's rows sorted in Python, independently of the store's SQL."""
    cur = store.con.execute(_SORT_VALUE_SQL)
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    if q.statuses:
        rows = [r for r in rows if r["status"] in {s.value for s in q.statuses}]
    if q.supplier:
        rows = [r for r in rows if r["supplier"] == q.supplier]
    if q.attention:
        rows = [r for r in rows if r["attention"]]
    if keep is not None:
        rows = [r for r in rows if r["id"] in keep]
    rows.sort(key=lambda r: _sort_key(q.sort, r), reverse=q.descending)
    return [r["id"] for r in rows]


def ids(rows: list[Any]) -> list[int]:
    return [r.id for r in rows]


# --- counts ----------------------------------------------------------------------------

def true_count(store: Store, where: str = "", params: tuple[Any, ...] = ()) -> int:
    return int(store.con.execute(f"SELECT COUNT(*) FROM orders {where}", params).fetchone()[0])


def assert_counts_true(store: Store) -> None:
    """Every count the screens show, from the kept counts, equals COUNT(*)."""
    assert store.count(OrderQuery()) == true_count(store)
    assert store.count(OrderQuery(attention=True)) == true_count(store, "WHERE attention = 1")
    for supplier in ("demo", "other", "nobody"):
        assert store.count(OrderQuery(supplier=supplier)) == true_count(
            store, "WHERE supplier = ?", (supplier,))
    for status in OrderStatus:
        q = OrderQuery(statuses=(status,))
        assert store.count(q) == true_count(store, "WHERE status = ?", (status.value,))
        assert store.count(replace(q, supplier="demo", attention=True)) == true_count(
            store, "WHERE status = ? AND supplier = 'demo' AND attention = 1", (status.value,))
    views = store.count_by_view()
    assert views["all"] == true_count(store)
    assert views["attention"] == true_count(store, "WHERE attention = 1")
    for status, n in store.con.execute("SELECT status, COUNT(*) FROM orders GROUP BY status"):
        assert views[status] == n
    assert all(n >= 0 for (n,) in store.con.execute("SELECT n FROM order_counts"))


def search(store: Store, text: str) -> set[int]:
    q = OrderQuery(search=text)
    found = set(ids(store.window(q, limit=10_000)))
    assert store.count(q) == len(found)
    return found


def insert_old_orders(con: sqlite3.Connection, orders: Iterable[Order],
                      synced_at: int = 1_700_000_000) -> None:
    """Write ``orders`` into a store an older ordertui left, as that version would have: the
    values ``order_params`` gives, for the columns its ``orders`` table has (the migrations
    after it add the others)."""
    have = {row[1] for row in con.execute("PRAGMA table_info(orders)")}
    keep = [i for i, column in enumerate(ORDER_COLUMNS) if column in have]
    columns = ", ".join(ORDER_COLUMNS[i] for i in keep)
    marks = ", ".join("?" for _ in keep)
    con.executemany(f"INSERT INTO orders ({columns}) VALUES ({marks})",
                    [tuple(values[i] for i in keep)
                     for values in (order_params(o, synced_at) for o in orders)])


def other_connection(target: str | Path) -> Any:
    """A connection of another session to the store at ``target``, made without ordertui:
    ``sqlite3`` on a SQLite file, psycopg (autocommit) on a PostgreSQL URL."""
    if isinstance(target, str):
        import psycopg
        return psycopg.connect(target, autocommit=True)
    return sqlite3.connect(target)


def database_errors() -> tuple[type[BaseException], ...]:
    """What either backend's own driver raises for a statement the database refuses."""
    import psycopg
    return (sqlite3.DatabaseError, psycopg.Error)


def eventually(check: Any, within_s: float = 2.0) -> bool:
    """Whether ``check()`` comes true within ``within_s`` seconds (a notification travels)."""
    import time
    deadline = time.monotonic() + within_s
    while True:
        if check():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
