"""The local store: windows in every sort, keyset paging, counts, search, resolving what a
person types, migrations from an old schema, the append-only audit log, one live request per
order across connections, and bulk loading (also after a crash halfway)."""

from __future__ import annotations

import json
import re
import sqlite3
import string
import subprocess
import sys
import textwrap
import threading
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ordertui.domain.errors import (
    AmbiguousOrder,
    CancellationAlreadyActive,
    DisputeAlreadyOpen,
    OrderNotFound,
)
from ordertui.domain.models import CancellationRequest, Dispute, Order
from ordertui.domain.money import Money
from ordertui.domain.query import OrderQuery, SortKey
from ordertui.domain.states import (
    CancellationState,
    DisputeReason,
    DisputeState,
    OrderStatus,
    Source,
)
from ordertui.simulators.demo import IdScheme, generate
from ordertui.store import Store
from ordertui.store.rows import _ORDER_COLUMNS, order_params
from ordertui.store.schema import LATEST, MIGRATIONS
from support.demo import OrderFactory

EPOCH = datetime(2024, 6, 13, tzinfo=UTC).timestamp()
N_DEMO, N_OTHER = 600, 200


def demo_orders(count: int, *, seed: int = 3, supplier: str = "demo",
                scheme: IdScheme | None = None) -> list[Order]:
    scheme = scheme or IdScheme()
    return [generate(seed, i, count, EPOCH, scheme, supplier) for i in range(count)]


# --- a read-only store shared by the window tests -------------------------------------

@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Two suppliers, 800 orders, with the ties real data has (status, country, the empty
    tracking number of every unshipped order)."""
    s = Store(tmp_path_factory.mktemp("filled") / "store.sqlite3")
    s.bulk_insert(demo_orders(N_DEMO))
    s.bulk_insert(demo_orders(N_OTHER, seed=9, supplier="other", scheme=IdScheme("OT")))
    yield s
    s.close()


_NOCASE = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _nocase(value: str) -> str:
    """SQLite's NOCASE folds ASCII letters only; code point order equals UTF-8 byte order."""
    return value.translate(_NOCASE)


_SORT_VALUE_SQL = ("SELECT id, created_at, name_num, status, customer_name, country, "
                   "items_summary, total_price, total_cost, profit, supplier, tracking_number, "
                   "attention FROM orders")


def _sort_key(sort: SortKey, r: dict[str, Any]) -> tuple[Any, ...]:
    return {
        SortKey.CREATED: (r["created_at"], r["id"]),
        SortKey.NAME: (r["name_num"], r["id"]),
        SortKey.STATUS: (r["status"], r["created_at"], r["id"]),
        SortKey.CUSTOMER: (_nocase(r["customer_name"]), r["id"]),
        SortKey.COUNTRY: (r["country"], r["created_at"], r["id"]),
        SortKey.ITEMS: (_nocase(r["items_summary"]), r["id"]),
        SortKey.TOTAL: (r["total_price"], r["id"]),
        SortKey.COST: (r["total_cost"], r["id"]),
        SortKey.PROFIT: (r["profit"], r["id"]),
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


SORTS = [pytest.param(s, d, id=f"{s.value}-{'desc' if d else 'asc'}")
         for s in SortKey for d in (True, False)]


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


# --- counts ----------------------------------------------------------------------------

def _true_count(store: Store, where: str = "", params: tuple[Any, ...] = ()) -> int:
    return int(store.con.execute(f"SELECT COUNT(*) FROM orders {where}", params).fetchone()[0])


def assert_counts_true(store: Store) -> None:
    """Every count the screens show, from the kept counts, equals COUNT(*)."""
    assert store.count(OrderQuery()) == _true_count(store)
    assert store.count(OrderQuery(attention=True)) == _true_count(store, "WHERE attention = 1")
    for supplier in ("demo", "other", "nobody"):
        assert store.count(OrderQuery(supplier=supplier)) == _true_count(
            store, "WHERE supplier = ?", (supplier,))
    for status in OrderStatus:
        q = OrderQuery(statuses=(status,))
        assert store.count(q) == _true_count(store, "WHERE status = ?", (status.value,))
        assert store.count(replace(q, supplier="demo", attention=True)) == _true_count(
            store, "WHERE status = ? AND supplier = 'demo' AND attention = 1", (status.value,))
    views = store.count_by_view()
    assert views["all"] == _true_count(store)
    assert views["attention"] == _true_count(store, "WHERE attention = 1")
    for status, n in store.con.execute("SELECT status, COUNT(*) FROM orders GROUP BY status"):
        assert views[status] == n
    assert all(n >= 0 for (n,) in store.con.execute("SELECT n FROM order_counts"))


def test_kept_counts_follow_every_change(store: Store, make_order: OrderFactory) -> None:
    store.bulk_insert(demo_orders(150))
    store.bulk_insert(demo_orders(40, seed=9, supplier="other", scheme=IdScheme("OT")))
    assert_counts_true(store)

    # new orders and changed ones arriving from a sync
    fresh = [make_order(n, supplier="other", status=OrderStatus.SHIPPED) for n in range(1, 6)]
    store.apply_sync_page("other", fresh, "c1")
    assert_counts_true(store)
    moved = [replace(o, status=OrderStatus.DELIVERED,
                     updated_at=o.updated_at + timedelta(days=1)) for o in fresh[:3]]
    store.apply_sync_page("other", moved, "c2")
    assert_counts_true(store)

    # a status set locally, an order needing attention and no longer needing it
    oid = store.resolve("S4")
    store.set_order_status(oid, OrderStatus.CLOSED)
    assert_counts_true(store)
    now = datetime.now(UTC)
    req = CancellationRequest(state=CancellationState.INFO_REQUESTED, reason="r",
                              requested_at=now, updated_at=now, source=Source.API)
    cid = store.add_cancellation(oid, req)
    assert store.count(OrderQuery(attention=True)) >= 1
    assert_counts_true(store)
    req.id, req.state = cid, CancellationState.REJECTED
    store.update_cancellation(req, oid)
    assert_counts_true(store)

    # deletes: one order by hand, then a whole supplier
    with store.write() as con:
        con.execute("DELETE FROM orders WHERE id = ?", (store.resolve("S5"),))
    assert_counts_true(store)
    assert store.delete_supplier_orders("other") == 40 + 4
    assert store.count(OrderQuery(supplier="other")) == 0
    assert_counts_true(store)


def test_counts_with_search_and_dates(filled: Store) -> None:
    q = OrderQuery(search="gmail")
    assert filled.count(q) == len(filled.window(q, limit=10_000))
    since = datetime.fromtimestamp(EPOCH, UTC) - timedelta(days=7)
    q = OrderQuery(since=since, supplier="demo")
    assert filled.count(q) == _true_count(filled, "WHERE created_at >= ? AND supplier = 'demo'",
                                          (int(since.timestamp()),))


# --- search ----------------------------------------------------------------------------

@pytest.fixture
def searchable(store: Store, make_order: OrderFactory) -> dict[str, int]:
    store.bulk_insert(demo_orders(30))  # #1001 ... #1030, supplier ids DM2000000x
    special = {
        "mueller": make_order(1042, customer="Jürgen Müller", email="j.mueller@example.de",
                              country="DE", title="Electric Milk Frother",
                              tracking_number="YT2024123456789CN", carrier="YunExpress",
                              status=OrderStatus.SHIPPED),
        "wang": make_order(2001, customer="王芳", email="wang.fang@qq.com", country="CN",
                           title="Desk lamp"),
        "zoe": make_order(2002, customer="Zoë Ünal", email="zoe.unal@example.fr",
                          title="Milk jug", country="FR"),
        "obrien": make_order(2003, customer="Seán O'Brien", email="sean@example.ie",
                             title="Electric kettle", country="IE"),
        "underscore": make_order(2004, customer="Jane Doe", email="jane_doe@example.com",
                                 title="Phone case", country="US"),
    }
    store.bulk_insert(special.values())
    return {k: store.resolve(o.supplier_order_id) for k, o in special.items()}


def search(store: Store, text: str) -> set[int]:
    q = OrderQuery(search=text)
    found = set(ids(store.window(q, limit=10_000)))
    assert store.count(q) == len(found)
    return found


@pytest.mark.parametrize("text", ["muller", "Müller", "MÜLLER", "mülle", "jurgen muller",
                                  "müller jürgen", "JÜRG MÜL"])
def test_search_names_prefix_and_diacritics(searchable: dict[str, int], store: Store,
                                            text: str) -> None:
    assert search(store, text) == {searchable["mueller"]}


def _folded_words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return re.findall(r"\w+", plain)


@pytest.mark.parametrize("prefix", ["mül", "mu", "ü", "lamp", "bri", "j"])
def test_search_short_prefixes(searchable: dict[str, int], store: Store, prefix: str) -> None:
    """Every hit has a word starting with the prefix (diacritics aside), and every order
    with such a word is a hit."""
    folded = _folded_words(prefix)[0]
    fields = store.con.execute(
        "SELECT id, name || ' ' || supplier_order_id || ' ' || customer_name || ' ' || "
        "customer_email || ' ' || tracking_number || ' ' || items_text FROM orders").fetchall()
    want = {oid for oid, text in fields
            if any(w.startswith(folded) for w in _folded_words(text))}
    assert want
    assert search(store, prefix) == want


def test_search_everything_a_merchant_types(searchable: dict[str, int], store: Store) -> None:
    m = searchable["mueller"]
    assert search(store, "#1042") == {m}
    assert search(store, "1042") == {m}
    assert search(store, "S1042") == {m}  # the supplier's order id
    assert search(store, "j.mueller@example.de") == {m}  # the whole e-mail
    assert search(store, "mueller") == {m}  # a part of it
    assert search(store, "example.de") == {m}
    assert search(store, "YT2024123456789CN") == {m}  # the tracking number
    assert search(store, "yt20241") == {m}  # its start
    assert search(store, "frother") == {m} | _titled(store, "frother")
    assert search(store, "milk frother müller") == {m}  # words from different fields
    assert search(store, "milk") == _titled(store, "milk") | {m, searchable["zoe"]}
    assert search(store, "王芳") == {searchable["wang"]}
    assert search(store, "王") == {searchable["wang"]}
    assert search(store, "zoe unal") == {searchable["zoe"]}
    assert search(store, "o'brien") == {searchable["obrien"]}
    assert search(store, "jane_doe") == {searchable["underscore"]}  # "_" splits words
    assert search(store, "jane_doe@example.com") == {searchable["underscore"]}
    assert search(store, "DM20000007") == {store.resolve("DM20000007")}
    assert search(store, "nobody-by-this-name") == set()


def _titled(store: Store, word: str) -> set[int]:
    return {oid for oid, text in store.con.execute("SELECT id, items_text FROM orders")
            if any(w.lower().startswith(word) for w in text.split())}


@pytest.mark.parametrize("text", [
    '"', '""', "'", "*", "a*", "*a", "AND", "OR", "NOT", "a AND", "NOT a", "a OR b",
    "NEAR(a b)", "NEAR(", "(", ")", "()", "{a b}", ":", "customer_name:müller", "name:1042",
    "^", "^a", "-", "-a", "+", "a + b", "\\", "%", "_", "a\x00b", '"unterminated', "a\"b",
    "🙂", "\u202e", "0_0", "a__b", "_", "\x1b[31m", ";", "'; DROP TABLE orders; --", "col:",
    "a:b:c", "#",
    " ".join(f"w{i}" for i in range(40)),
])
def test_search_syntax_typed_by_a_person_never_raises(searchable: dict[str, int],
                                                     store: Store, text: str) -> None:
    q = OrderQuery(search=text)
    rows = store.window(q, limit=50)
    assert store.count(q) >= len(rows)
    assert store.window(q, limit=5, from_end=True) is not None
    assert _true_count(store) == 35  # nothing happened to the table


def test_search_for_words_like_operators_finds_them(store: Store,
                                                     make_order: OrderFactory) -> None:
    store.bulk_insert([make_order(1, customer="Near Orr", title="Not a lamp"),
                       make_order(2, customer="Andrea And")])
    assert search(store, "near") == {store.resolve("S1")}
    assert search(store, "NOT") == {store.resolve("S1")}
    assert search(store, "and") == {store.resolve("S2")}


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=40))
def test_any_search_text_is_safe(filled: Store, text: str) -> None:
    q = OrderQuery(search=text)
    filled.window(q, limit=5)
    filled.count(q)


def test_search_follows_changes(store: Store, make_order: OrderFactory) -> None:
    o = make_order(7, customer="Ada Lovelace")
    store.apply_sync_page("demo", [o], None)
    oid = store.resolve("S7")
    assert search(store, "lovelace") == {oid}
    renamed = replace(o, customer=replace(o.customer, name="Grace Hopper"),
                      updated_at=o.updated_at + timedelta(hours=1))
    store.apply_sync_page("demo", [renamed], None)
    assert search(store, "lovelace") == set()
    assert search(store, "hopper") == {oid}
    with store.write() as con:
        con.execute("DELETE FROM orders WHERE id = ?", (oid,))
    assert search(store, "hopper") == set()


def test_empty_and_punctuation_only_search(searchable: dict[str, int], store: Store) -> None:
    assert len(search(store, "   ")) == 35  # blank: no filter at all
    assert search(store, "#") == set()  # nothing to look for: nothing found
    assert search(store, "!!!") == set()


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


# --- migrations ------------------------------------------------------------------------

def _old_store(path: Path, version: int, orders: list[Order]) -> None:
    """A store as an older ordertui left it: only the first ``version`` migrations."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    for script in MIGRATIONS[:version]:
        con.executescript(script)
    con.execute(f"PRAGMA user_version = {version}")
    marks = ", ".join("?" for _ in _ORDER_COLUMNS)
    con.executemany(f"INSERT INTO orders ({', '.join(_ORDER_COLUMNS)}) VALUES ({marks})",
                    [order_params(o, 1_700_000_000) for o in orders])
    first = con.execute("SELECT id FROM orders ORDER BY id LIMIT 1").fetchone()[0]
    con.execute("UPDATE orders SET cancellation_state = 'info_requested' WHERE id = ?",
                (first,))
    if version >= 2:  # that version's code kept the "needs attention" flag itself
        con.execute("UPDATE orders SET attention = 1 WHERE id = ?", (first,))
    con.execute("INSERT INTO cancellations (order_id, state, reason, requested_at, updated_at, "
                "source) VALUES (?, 'info_requested', 'wrong size', 1700000000, 1700000000, "
                "'api')", (first,))
    con.execute("INSERT INTO audit (at, order_id, actor, action, detail) VALUES "
                "(1700000000, ?, 'merchant', 'cancel', 'old entry')", (first,))
    con.close()


@pytest.mark.parametrize("version", range(1, LATEST))
def test_an_old_store_is_migrated_with_its_data(tmp_path: Path, make_order: OrderFactory,
                                                version: int) -> None:
    path = tmp_path / "old.sqlite3"
    orders = demo_orders(120)
    orders.append(make_order(9042, customer="Jürgen Wüstenhagen", email="jw@example.de"))
    _old_store(path, version, orders)

    store = Store(path)
    try:
        assert store.version == LATEST
        assert store.integrity_check() == "ok"
        assert store.count(OrderQuery()) == 121
        # the data is intact
        for original in (orders[0], orders[57], orders[-1]):
            got = store.get_order(store.order_ref("demo", original.supplier_order_id) or 0)
            assert (got.name, got.customer, got.items, got.total_cost, got.status) == (
                original.name, original.customer, original.items, original.total_cost,
                original.status)
            assert got.tracking_events == original.tracking_events
        first = store.get_order(1)
        assert first.cancellation is not None
        assert first.cancellation.state is CancellationState.INFO_REQUESTED
        assert [a.detail for a in store.audit_for(1)] == ["old entry"]
        # and searchable, counted, flagged and sorted as a new store's would be
        assert search(store, "wustenhagen") == {store.resolve("S9042")}
        assert search(store, "#9042") == {store.resolve("S9042")}
        assert store.count(OrderQuery(attention=True)) == 1
        assert_counts_true(store)
        q = OrderQuery(sort=SortKey.CUSTOMER, descending=False)
        assert ids(store.window(q, limit=500)) == expected_ids(store, q)
    finally:
        store.close()
    # opening again changes nothing
    again = Store(path)
    assert again.version == LATEST and again.count(OrderQuery()) == 121
    again.close()


def test_a_new_store_has_every_migration(store: Store) -> None:
    assert store.version == LATEST == len(MIGRATIONS)
    journal = store.con.execute("PRAGMA journal_mode").fetchone()[0]
    assert journal == "wal"


# --- the audit log ---------------------------------------------------------------------

def test_the_audit_log_is_append_only(store: Store, make_order: OrderFactory) -> None:
    store.bulk_insert([make_order(1)])
    store.audit(1, "merchant", "cancel", "requested cancellation")
    store.audit(None, "sync", "sync", "500 orders")
    before = store.con.execute("SELECT * FROM audit ORDER BY id").fetchall()
    assert len(before) == 2
    for sql in ("UPDATE audit SET detail = 'rewritten'", "DELETE FROM audit",
                "DELETE FROM audit WHERE id = 1"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"), store.write() as con:
            con.execute(sql)
    other = sqlite3.connect(store.path)  # not even from another connection
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        other.execute("UPDATE audit SET actor = 'x'")
    other.close()
    assert store.con.execute("SELECT * FROM audit ORDER BY id").fetchall() == before
    assert [e.action for e in store.audit_for(1)] == ["cancel"]


def test_an_audit_entry_is_stamped_as_told_and_joins_an_open_write(
        store: Store, make_order: OrderFactory) -> None:
    store.bulk_insert([make_order(1)])
    at = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
    store.audit(1, "merchant", "as a datetime", at=at)
    store.audit(1, "merchant", "as epoch seconds", at=int(at.timestamp()) + 1)
    assert [(e.action, e.at) for e in store.audit_for(1)] == [
        ("as a datetime", at), ("as epoch seconds", at + timedelta(seconds=1))]

    class Undone(Exception):
        pass

    with pytest.raises(Undone), store.write():
        store.audit(1, "merchant", "rolled back with its change")
        raise Undone
    assert [e.action for e in store.audit_for(1)] == ["as a datetime", "as epoch seconds"]


# --- one live request per order, even across sessions -----------------------------------

def _race(path: Path, attempt: Any) -> list[Any]:
    """Run ``attempt(store)`` in two threads, each with its own Store (connection), at the
    same moment; returns what each returned or raised."""
    stores = [Store(path), Store(path)]
    barrier = threading.Barrier(2)
    results: list[Any] = [None, None]

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = attempt(stores[i])
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    return results


def test_one_live_cancellation_per_order_across_connections(store: Store,
                                                             make_order: OrderFactory) -> None:
    store.bulk_insert([make_order(1)])
    now = datetime.now(UTC)

    def request(s: Store) -> int:
        return s.add_cancellation(1, CancellationRequest(
            state=CancellationState.REQUESTED, reason="race", requested_at=now,
            updated_at=now, source=Source.LOCAL))

    results = _race(store.path, request)
    assert sum(isinstance(r, int) for r in results) == 1
    assert sum(isinstance(r, CancellationAlreadyActive) for r in results) == 1
    assert store.con.execute("SELECT COUNT(*) FROM cancellations").fetchone()[0] == 1
    # once that one is decided, a new request may follow
    live = store.get_order(1).cancellation
    assert live is not None
    live.state = CancellationState.REJECTED
    store.update_cancellation(live, 1)
    request(store)
    assert store.get_order(1).cancellation.state is CancellationState.REQUESTED


def test_one_open_dispute_per_order_across_connections(store: Store,
                                                       make_order: OrderFactory) -> None:
    store.bulk_insert([make_order(1, status=OrderStatus.DELIVERED)])
    now = datetime.now(UTC)

    def open_dispute(s: Store) -> int:
        return s.add_dispute(1, Dispute(
            state=DisputeState.OPEN, reason=DisputeReason.NOT_RECEIVED,
            amount=Money.parse("5", "USD"), description="race", opened_at=now,
            updated_at=now, source=Source.LOCAL))

    results = _race(store.path, open_dispute)
    assert sum(isinstance(r, int) for r in results) == 1
    assert sum(isinstance(r, DisputeAlreadyOpen) for r in results) == 1
    assert store.con.execute("SELECT COUNT(*) FROM disputes").fetchone()[0] == 1


# --- bulk loading ----------------------------------------------------------------------

def _schema(path: Path) -> set[tuple[str, str]]:
    con = sqlite3.connect(path)
    try:
        return {(t, n) for t, n in con.execute(
            "SELECT type, name FROM sqlite_master WHERE type IN ('index', 'trigger', 'table')")}
    finally:
        con.close()


def test_bulk_load_restores_indexes_and_search(tmp_path: Path) -> None:
    reference = _schema(Store(tmp_path / "ref.sqlite3").path)
    store = Store(tmp_path / "bulk.sqlite3")
    with store.bulk_load():
        store.bulk_insert(demo_orders(300))
        during = _schema(store.path)
        assert ("index", "orders_created") not in during  # dropped for speed
        assert ("table", "bulk_restore") in during  # and written down
    assert _schema(store.path) == reference
    assert store.integrity_check() == "ok"
    assert search(store, "#1042") == {store.resolve("#1042")}
    assert_counts_true(store)
    # the search triggers are back: a later write is found
    store.apply_sync_page("demo", [replace(demo_orders(1, seed=5)[0], supplier_order_id="X1",
                                           name="#777777")], None)
    assert search(store, "#777777") == {store.resolve("X1")}
    store.close()


def test_a_crash_in_the_middle_of_a_bulk_load_is_finished_on_the_next_open(
        tmp_path: Path) -> None:
    reference = _schema(Store(tmp_path / "ref.sqlite3").path)
    path = tmp_path / "crashed.sqlite3"
    script = textwrap.dedent(f"""
        import os
        from ordertui.store import Store
        from ordertui.simulators.demo import IdScheme, generate
        store = Store({str(path)!r})
        load = store.bulk_load()
        load.__enter__()
        store.bulk_insert(generate(3, i, 200, {EPOCH!r}, IdScheme(), "demo")
                          for i in range(200))
        os._exit(9)  # killed: no cleanup, no finally
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 9, proc.stderr
    left = _schema(path)
    assert ("table", "bulk_restore") in left and ("index", "orders_customer") not in left

    store = Store(path)
    try:
        assert _schema(path) == reference
        assert store.integrity_check() == "ok"
        assert store.count(OrderQuery()) == 200
        assert search(store, "#1042") == {store.resolve("#1042")}
        name = store.get_order(17).customer.name
        assert store.resolve("17") in search(store, name)
        assert_counts_true(store)
        q = OrderQuery(sort=SortKey.TRACKING)
        assert ids(store.window(q, limit=1000)) == expected_ids(store, q)
    finally:
        store.close()


# --- round trip of an order -------------------------------------------------------------

def test_an_order_comes_back_as_it_went_in(store: Store) -> None:
    originals = [o for o in demo_orders(200) if len(o.items) > 1 and o.tracking_events][:5]
    originals += [o for o in demo_orders(200) if o.dispute is not None][:3]
    store.bulk_insert(originals)
    for o in originals:
        got = store.get_order(store.order_ref("demo", o.supplier_order_id) or 0)
        for attr in ("name", "status", "created_at", "updated_at", "paid_at", "currency",
                     "items", "customer", "total_price", "total_cost", "shipping_cost",
                     "carrier", "tracking_number", "tracking_events", "shipped_at",
                     "delivered_at"):
            assert getattr(got, attr) == getattr(o, attr), attr
        if o.dispute is not None:
            assert got.dispute is not None
            assert (got.dispute.state, got.dispute.amount, got.dispute.messages) == (
                o.dispute.state, o.dispute.amount, o.dispute.messages)
    assert json.loads(store.con.execute("SELECT items FROM orders LIMIT 1").fetchone()[0])


def test_a_decision_within_the_same_second_is_not_skipped(store: Store,
                                                          make_order: OrderFactory) -> None:
    """Suppliers give updated_at in whole seconds; a decision made in the second of the last
    change we saw must still reach the store."""
    at = datetime(2024, 6, 1, 12, tzinfo=UTC)
    asked = CancellationRequest(state=CancellationState.REQUESTED, reason="r",
                                requested_at=at, updated_at=at, client_key="k")
    o = make_order(1, updated_at=at, cancellation=asked)
    store.apply_sync_page("demo", [o], None)
    decided = replace(asked, state=CancellationState.APPROVED, supplier_message="ok")
    events = store.apply_sync_page("demo", [replace(o, cancellation=decided)], None)
    assert [(e.kind, e.new) for e in events] == [("cancellation", "approved")]
    assert store.get_order(1).cancellation.state is CancellationState.APPROVED
    # and an order that really did not change is not written again
    before = store.con.execute("SELECT synced_at FROM orders WHERE id = 1").fetchone()
    assert store.apply_sync_page("demo", [replace(o, cancellation=decided)], None,
                                 now=1) == []
    assert store.con.execute("SELECT synced_at FROM orders WHERE id = 1").fetchone() == before


# --- for the screens: noticing other sessions' commits, interrupting a query ------------

def test_a_watch_sees_every_other_connections_commit(store: Store,
                                                     make_order: OrderFactory) -> None:
    watch = store.watch()
    try:
        first = watch.version()
        assert watch.version() == first  # nothing committed: no change
        store.bulk_insert([make_order(1)])  # this store's own connection is another one
        second = watch.version()
        assert second != first
        other = sqlite3.connect(store.path)  # and so is another session's
        with other:
            other.execute("INSERT INTO audit (at, order_id, actor, action, detail) "
                          "VALUES (1, NULL, 'other', 'session', '')")
        other.close()
        assert watch.version() != second
    finally:
        watch.close()
    watch.close()  # closing twice is harmless


def test_an_interrupter_stops_the_query_its_thread_runs(store: Store) -> None:
    endless = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
               "WHERE i < 1000000000000) SELECT COUNT(*) FROM n")
    took: list[Any] = []
    result: dict[str, Any] = {}

    def run() -> None:
        took.append(store.interrupter())  # on the thread whose connection runs the query
        try:
            result["rows"] = store.con.execute(endless).fetchall()
        except sqlite3.OperationalError as exc:
            result["error"] = exc
        result["after"] = store.con.execute("SELECT 1").fetchone()  # still usable

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    deadline = time.monotonic() + 30
    while worker.is_alive() and time.monotonic() < deadline:
        if took:
            took[0]()  # from this thread; again until the query has started and stopped
        worker.join(0.05)
    assert not worker.is_alive()
    assert "rows" not in result
    assert "interrupted" in str(result["error"])
    assert result["after"] == (1,)
