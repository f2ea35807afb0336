"""The orders filter "protection ends within N days" at the store level: which orders it
holds, how changed windows move it, that it agrees with the day counting of
domain/policy.py, and that it reads index ranges."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ordertui.domain.models import Order
from ordertui.domain.policy import (
    ProtectionBasis,
    ProtectionState,
    ShippingPayer,
    SupplierPolicy,
    protection_status,
)
from ordertui.domain.query import OrderQuery
from ordertui.domain.states import OrderStatus
from ordertui.store import Store
from ordertui.store.returns import ReturnsStore
from support.returns import make_order


def policy(days: int = 15, basis: ProtectionBasis = ProtectionBasis.DELIVERY) -> SupplierPolicy:
    return SupplierPolicy(False, 0, days, basis, ShippingPayer.CUSTOMER)


# --- the orders filter -------------------------------------------------------------------

AS_OF = datetime(2026, 2, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "store.sqlite3")
    yield s
    s.close()


def _delivered(n: int, supplier: str, hours_ago: float, **kw: object) -> Order:
    at = AS_OF - timedelta(hours=hours_ago)
    return make_order(n, supplier=supplier, delivered_at=at, created_at=at - timedelta(days=9),
                      **kw)


def _names(store: Store, q: OrderQuery) -> set[str]:
    rows = store.window(q, limit=10_000)
    assert store.count(q) == len(rows)
    return {r.name for r in rows}


def test_the_filter_at_the_store(store: Store) -> None:
    ReturnsStore(store).set_protection_windows({
        "ali": (15, "delivery"), "cj": (30, "delivery"), "slow": (60, "order")})
    d = 24
    store.bulk_insert([
        _delivered(1, "ali", 8 * d),  # ends in 7 days exactly: in
        _delivered(2, "ali", 8 * d - 1),  # 7 days and 1 hour: out
        _delivered(3, "ali", 15 * d - 1),  # 1 hour left: in
        _delivered(4, "ali", 15 * d),  # ends right now: out (ended)
        _delivered(5, "ali", 20 * d),  # long over: out
        _delivered(6, "cj", 25 * d),  # 5 days of 30 left: in
        _delivered(7, "cj", 10 * d),  # 20 left: out
        _delivered(8, "ali", 10 * d, status=OrderStatus.CANCELLED),  # cancelled: out
        _delivered(9, "other", 10 * d),  # no window known for the supplier: out
        make_order(10, supplier="ali", status=OrderStatus.SHIPPED, delivered_at=None),
        # counted from the order: ordered 57 days ago, 3 left: in; 40 days ago: out
        make_order(11, supplier="slow", status=OrderStatus.SHIPPED, delivered_at=None,
                   created_at=AS_OF - timedelta(days=57)),
        make_order(12, supplier="slow", status=OrderStatus.SHIPPED, delivered_at=None,
                   created_at=AS_OF - timedelta(days=40)),
        _delivered(13, "ali", 10 * d),  # 5 left, but a dispute is open: out
        _delivered(14, "ali", 12 * d, status=OrderStatus.CLOSED),  # closed, 3 left: in
    ])
    store.con.execute("UPDATE orders SET dispute_state = 'open' WHERE name = '#13'")
    q = OrderQuery(protection_ends_within_days=7, as_of=AS_OF)
    assert _names(store, q) == {"#1", "#3", "#6", "#11", "#14"}
    assert store.count(OrderQuery()) == 14  # unfiltered, from the kept counts
    assert _names(store, q.with_(protection_ends_within_days=0)) == set()
    assert _names(store, q.with_(protection_ends_within_days=1)) == {"#3"}
    assert _names(store, q.with_(protection_ends_within_days=30)) == {
        "#1", "#2", "#3", "#6", "#7", "#11", "#12", "#14"}
    # combined with the other filters
    assert _names(store, q.with_(supplier="cj")) == {"#6"}
    assert _names(store, q.with_(statuses=(OrderStatus.DELIVERED,))) == {"#1", "#3", "#6"}
    assert store.count(q.with_(supplier="ali", statuses=(OrderStatus.CLOSED,))) == 1
    assert q.filtered and "buyer protection ends within 7 days" in q.describe()
    # paging through the filtered rows finds the same ones
    first = store.window(q, limit=2)
    rest = store.window(q, limit=10, after=first[-1].key)
    assert {r.name for r in first + rest} == {"#1", "#3", "#6", "#11", "#14"}


def test_changed_windows_move_the_filter(store: Store) -> None:
    rs = ReturnsStore(store)
    store.bulk_insert([_delivered(1, "ali", 24 * 8), _delivered(2, "ali", 24 * 10)])
    q = OrderQuery(protection_ends_within_days=7, as_of=AS_OF)
    assert rs.set_protection_windows({"ali": (15, "delivery")})
    assert _names(store, q) == {"#1", "#2"}
    assert not rs.set_protection_windows({"ali": (15, "delivery")})  # unchanged: no write
    rs.set_protection_windows({"ali": (18, "delivery")})  # now 10 and 8 days left
    assert _names(store, q) == set()
    rs.set_protection_windows({"ali": (0, "delivery")})  # no protection at all
    assert _names(store, q.with_(protection_ends_within_days=365)) == set()
    rs.set_protection_windows({})
    assert _names(store, q) == set()


def test_the_filter_agrees_with_the_day_counting(store: Store) -> None:
    """Random orders: the SQL picks exactly those the Python clock says end within N days."""
    rng = random.Random(20260131)
    windows = {"ali": (15, "delivery"), "cj": (30, "delivery"), "slow": (45, "order")}
    ReturnsStore(store).set_protection_windows(windows)
    orders = []
    for n in range(1, 600):
        supplier = rng.choice(["ali", "cj", "slow", "gone"])
        created = AS_OF - timedelta(seconds=rng.randrange(0, 80 * 86400))
        delivered = (created + timedelta(seconds=rng.randrange(3 * 86400, 30 * 86400))
                     if rng.random() < 0.7 else None)
        if delivered is not None and delivered > AS_OF:
            delivered = None
        orders.append(make_order(n, supplier=supplier, created_at=created,
                                 delivered_at=delivered,
                                 status=OrderStatus.DELIVERED if delivered else
                                 OrderStatus.SHIPPED))
    store.bulk_insert(orders)
    for within in (0, 1, 3, 7, 14, 40):
        expected = set()
        for o in orders:
            if o.supplier not in windows:
                continue
            days, basis = windows[o.supplier]
            s = protection_status(policy(days, ProtectionBasis(basis)), ordered_at=o.created_at,
                                  delivered_at=o.delivered_at, now=AS_OF)
            if s.state is ProtectionState.ACTIVE and s.ends_at is not None \
                    and s.ends_at <= AS_OF + timedelta(days=within):
                expected.add(o.name)
        got = _names(store, OrderQuery(protection_ends_within_days=within, as_of=AS_OF))
        assert got == expected, within


def test_the_filter_reads_index_ranges(store: Store) -> None:
    q = OrderQuery(protection_ends_within_days=7, as_of=AS_OF)
    calls: list[str] = []
    store.con.set_trace_callback(calls.append)  # the statement the count runs, values in place
    try:
        store.count(q)
    finally:
        store.con.set_trace_callback(None)
    [counting] = [sql for sql in calls if "COUNT(" in sql.upper()]
    plan = " | ".join(r[3] for r in store.con.execute(f"EXPLAIN QUERY PLAN {counting}"))
    assert "SEARCH o USING INDEX orders_supplier_delivered (supplier=? AND delivered_at>? " \
        "AND delivered_at<?)" in plan
    assert "SEARCH o USING INDEX orders_supplier (supplier=? AND created_at>? AND " \
        "created_at<?)" in plan
    assert "SCAN orders" not in plan and "SCAN o " not in plan
