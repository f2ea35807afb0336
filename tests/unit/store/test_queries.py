"""Reading orders (store/queries.py): windows in every sort and direction, keyset paging
forward and back, filtered windows, a window at any position, an index walked in every sort,
and resolving what a person types into one order."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from ordertui.domain.errors import AmbiguousOrder, OrderNotFound
from ordertui.domain.query import OrderQuery, SortKey
from ordertui.domain.states import OrderStatus
from ordertui.store import Store
from support.demo import OrderFactory
from support.store import N_DEMO, N_OTHER, demo_orders, expected_ids, ids

#: every sort of the whole table (when protection ends is a sort of the protection view
#: only: tests/unit/services/test_triage.py)
SORTS = [pytest.param(s, d, id=f"{s.value}-{'desc' if d else 'asc'}")
         for s in SortKey if s is not SortKey.ENDS for d in (True, False)]


@pytest.mark.parametrize(("sort", "descending"), SORTS)
def test_window_in_every_sort(filled: Store, sort: SortKey, descending: bool) -> None:
    q = OrderQuery(sort=sort, descending=descending)
    want = expected_ids(filled, q)
    assert len(want) == N_DEMO + N_OTHER
    assert ids(filled.window(q, limit=10_000)) == want
    assert ids(filled.window(q, limit=25)) == want[:25]
    assert ids(filled.window(q, limit=25, offset=300)) == want[300:325]
    assert ids(filled.window(q, limit=25, from_end=True)) == want[-25:]
    assert ids(filled.window(q, limit=25, from_end=True, offset=10)) == want[-35:-10]
    assert list(_flatten(filled.iter_ids(q, batch=97))) == want


def _flatten(batches: Iterator[list[int]]) -> Iterator[int]:
    for batch in batches:
        yield from batch


@pytest.mark.parametrize(("sort", "descending"), SORTS)
def test_keyset_paging_forward_and_back(filled: Store, sort: SortKey, descending: bool) -> None:
    q = OrderQuery(sort=sort, descending=descending)
    want = expected_ids(filled, q)
    page = 37
    forward: list[int] = []
    rows = filled.window(q, limit=page)
    while rows:
        forward.extend(ids(rows))
        rows = filled.window(q, limit=page, after=rows[-1].key)
    assert forward == want  # no duplicate, no gap, in order

    backward: list[int] = []
    rows = filled.window(q, limit=page, from_end=True)
    while rows:
        backward[:0] = ids(rows)
        rows = filled.window(q, limit=page, before=rows[0].key)
    assert backward == want

    # paging from a row in the middle, both ways, and the row's position
    middle = filled.window(q, limit=1, offset=401)[0]
    assert ids(filled.window(q, limit=5, after=middle.key)) == want[402:407]
    assert ids(filled.window(q, limit=5, before=middle.key)) == want[396:401]
    assert filled.position_of(q, middle.key) == 401


QUERIES = [
    pytest.param(OrderQuery(statuses=(OrderStatus.SHIPPED,)), id="shipped"),
    pytest.param(OrderQuery(statuses=(OrderStatus.PROCESSING, OrderStatus.AWAITING_PAYMENT),
                            sort=SortKey.CUSTOMER, descending=False), id="unshipped-by-customer"),
    pytest.param(OrderQuery(supplier="other", sort=SortKey.TOTAL), id="other-by-total"),
    pytest.param(OrderQuery(attention=True, sort=SortKey.STATUS), id="attention"),
    pytest.param(OrderQuery(statuses=(OrderStatus.DELIVERED,), supplier="demo",
                            sort=SortKey.TRACKING, descending=False), id="delivered-demo"),
]


@pytest.mark.parametrize("q", QUERIES)
def test_filtered_windows_and_paging(filled: Store, q: OrderQuery) -> None:
    want = expected_ids(filled, q)
    assert want, "the filter should match something"
    got: list[int] = []
    rows = filled.window(q, limit=13)
    while rows:
        got.extend(ids(rows))
        rows = filled.window(q, limit=13, after=rows[-1].key)
    assert got == want
    assert filled.count(q) == len(want)
    assert ids(filled.window(q, limit=7, from_end=True)) == want[-7:]


def test_filtered_paging_with_search(filled: Store) -> None:
    q = OrderQuery(search="gmail", sort=SortKey.PROFIT)
    hits = {r[0] for r in filled.con.execute(
        "SELECT id FROM orders WHERE customer_email LIKE '%@gmail.com'")}
    want = expected_ids(filled, q, keep=hits)
    assert 0 < len(want) < N_DEMO + N_OTHER
    got: list[int] = []
    rows = filled.window(q, limit=11)
    while rows:
        got.extend(ids(rows))
        rows = filled.window(q, limit=11, after=rows[-1].key)
    assert got == want
    assert filled.count(q) == len(want)


@pytest.mark.parametrize("position", [0, 1, 5, 300, 740, 749, 750, 790, 800, 5000])
def test_window_at_reads_from_the_nearer_end(filled: Store, position: int) -> None:
    q = OrderQuery(sort=SortKey.CUSTOMER)
    want = expected_ids(filled, q)
    total = filled.count(q)
    assert total == len(want)
    start = max(0, min(position, total - 50))
    assert ids(filled.window_at(q, position, 50, total)) == want[start:start + 50]


def test_window_at_on_a_short_list(filled: Store) -> None:
    q = OrderQuery(statuses=(OrderStatus.AWAITING_PAYMENT,))
    want = expected_ids(filled, q)
    assert 0 < len(want) < 50
    for position in (0, 3, 100):
        assert ids(filled.window_at(q, position, 50, len(want))) == want


def _plan(con: sqlite3.Connection, sql: str) -> list[str]:
    return [row[3] for row in con.execute(f"EXPLAIN QUERY PLAN {sql}")]


@pytest.mark.sqlite_only  # SQLite's query plans; PostgreSQL's planner picks by its costs
@pytest.mark.parametrize(("sort", "descending"), SORTS)
def test_windows_use_an_index_in_every_sort(filled: Store, sort: SortKey,
                                            descending: bool) -> None:
    """Unfiltered windows walk an index in the sort's order: no full scan then sort, which
    would cost seconds at a million orders."""
    q = OrderQuery(sort=sort, descending=descending)
    con = filled.con
    middle = filled.window(q, limit=1, offset=400)[0]
    calls: list[str] = []
    con.set_trace_callback(calls.append)
    try:
        filled.window(q, limit=50)
        filled.window(q, limit=50, after=middle.key)
        filled.window(q, limit=50, before=middle.key)
        filled.window(q, limit=50, from_end=True)
    finally:
        con.set_trace_callback(None)
    selects = [c for c in calls if c.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 4
    for sql in selects:
        plan = _plan(con, sql)
        text = " | ".join(plan)
        assert "TEMP B-TREE" not in text, f"{sort.value}: sorts in memory: {text}"
        assert not any(step.startswith("SCAN orders") and "INDEX" not in step
                       for step in plan), f"{sort.value}: full table scan: {text}"


# --- resolving what a person typed -----------------------------------------------------

def test_resolve(store: Store, make_order: OrderFactory) -> None:
    store.bulk_insert(demo_orders(30))  # ids 1..30, names #1001.., supplier ids DM2000000x
    assert store.resolve("5") == 5  # the id shown by `ordertui orders`
    assert store.resolve(" 5 ") == 5
    assert store.resolve("#1005") == 5  # the shop's order name
    assert store.resolve("1005") == 5  # ... typed without '#'
    assert store.resolve("DM20000004") == 5  # the supplier's order id
    for ref in ("", "  ", "#99999", "99999", "DM99999999", "nonsense"):
        with pytest.raises(OrderNotFound) as info:
            store.resolve(ref)
        assert info.value.exit_code == 2

    # the same supplier order id at two suppliers, the same shop name twice
    store.bulk_insert([make_order(1, supplier="cj", supplier_order_id="DM20000004",
                                  name="#1006")])
    with pytest.raises(AmbiguousOrder, match="matches 2 orders") as amb:
        store.resolve("DM20000004")
    assert "demo:DM20000004" in str(amb.value) and "cj:DM20000004" in str(amb.value)
    assert amb.value.exit_code == 2
    with pytest.raises(AmbiguousOrder):
        store.resolve("#1006")
    # a supplier order id that looks like an id wins over the id
    store.bulk_insert([make_order(2, supplier_order_id="7", name="#77777")])
    assert store.resolve("7") == store.order_ref("demo", "7")
