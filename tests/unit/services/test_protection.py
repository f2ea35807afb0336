"""Buyer protection: days left, the same from every time zone, across month ends, leap days
and summer time; and the orders filter "protection ends within N days" at the store level,
checked against the day counting and against its query plan."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ordertui.domain.models import Order
from ordertui.domain.policy import (
    ProtectionBasis,
    ProtectionState,
    ProtectionStatus,
    ShippingPayer,
    SupplierPolicy,
    protection_status,
)
from ordertui.domain.query import OrderQuery
from ordertui.domain.states import OrderStatus
from ordertui.store import Store
from ordertui.store.returns import ReturnsStore
from support.returns import NOW, make_config, make_order, order_id, services_with

PLUS14 = timezone(timedelta(hours=14))
MINUS10 = timezone(timedelta(hours=-10))


def policy(days: int = 15, basis: ProtectionBasis = ProtectionBasis.DELIVERY) -> SupplierPolicy:
    return SupplierPolicy(False, 0, days, basis, ShippingPayer.CUSTOMER)


def status(delivered: datetime | None, now: datetime, days: int = 15,
           basis: ProtectionBasis = ProtectionBasis.DELIVERY,
           ordered: datetime | None = None) -> ProtectionStatus:
    return protection_status(policy(days, basis), ordered_at=ordered or datetime(
        2026, 1, 10, tzinfo=UTC), delivered_at=delivered, now=now)


DELIVERED = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(("asked", "left", "state"), [
    (DELIVERED, 15, ProtectionState.ACTIVE),
    (DELIVERED + timedelta(seconds=1), 15, ProtectionState.ACTIVE),
    (DELIVERED + timedelta(hours=24), 14, ProtectionState.ACTIVE),
    (DELIVERED + timedelta(hours=24, seconds=1), 14, ProtectionState.ACTIVE),
    # 2026-02-15 19:00 UTC: 4.5 hours left, one (started) day
    (datetime(2026, 2, 15, 19, tzinfo=UTC), 1, ProtectionState.ACTIVE),
    (datetime(2026, 2, 15, 23, 29, 59, tzinfo=UTC), 1, ProtectionState.ACTIVE),
    (datetime(2026, 2, 15, 23, 30, tzinfo=UTC), 0, ProtectionState.ENDED),
    (datetime(2026, 3, 1, tzinfo=UTC), 0, ProtectionState.ENDED),
])
@pytest.mark.parametrize("zone", [UTC, PLUS14, MINUS10, ZoneInfo("Europe/Berlin"),
                                  ZoneInfo("Pacific/Kiritimati"), ZoneInfo("Pacific/Honolulu")])
def test_same_answer_from_every_zone(asked: datetime, left: int, state: ProtectionState,
                                     zone: timezone | ZoneInfo) -> None:
    """Delivered 2026-01-31 23:30 UTC (already 1 February in UTC+14, still the 31st at
    13:30 in UTC-10), 15 days: protection ends 2026-02-15 23:30 UTC, whoever asks."""
    local = asked.astimezone(zone)
    s = status(DELIVERED.astimezone(zone), local)
    assert (s.days_left, s.state) == (left, state)
    assert s.ends_at == datetime(2026, 2, 15, 23, 30, tzinfo=UTC)
    assert s.ends_at is not None and s.ends_at.tzinfo is UTC and s.ends_on_utc == "2026-02-15"


def test_local_calendar_dates_do_not_matter() -> None:
    """At 2026-02-16 09:00 in UTC+14 the merchant's calendar says the 16th, a day past the
    15th, but 4.5 hours of protection are still left; at 2026-02-15 13:30 in UTC-10 the
    calendar still says the 15th, but protection has just ended."""
    assert status(DELIVERED, datetime(2026, 2, 16, 9, tzinfo=PLUS14)).days_left == 1
    assert status(DELIVERED, datetime(2026, 2, 15, 13, 30, tzinfo=MINUS10)).state is \
        ProtectionState.ENDED


@pytest.mark.parametrize(("delivered", "days", "ends"), [
    ((2026, 1, 31, 23, 30), 30, (2026, 3, 2, 23, 30)),  # February has 28 days in 2026
    ((2028, 1, 31, 23, 30), 30, (2028, 3, 1, 23, 30)),  # and 29 in 2028
    ((2028, 2, 14, 12, 0), 15, (2028, 2, 29, 12, 0)),  # ends on a leap day
    ((2027, 2, 14, 12, 0), 15, (2027, 3, 1, 12, 0)),
    ((2024, 2, 29, 0, 0), 365, (2025, 2, 28, 0, 0)),
    ((2100, 2, 14, 0, 0), 15, (2100, 3, 1, 0, 0)),  # 2100 is no leap year
    ((2026, 12, 31, 23, 59), 1, (2027, 1, 1, 23, 59)),  # over the year end
    ((2026, 3, 28, 12, 0), 2, (2026, 3, 30, 12, 0)),  # over Europe's summer-time change
])
def test_month_ends_and_leap_years(delivered: tuple[int, ...], days: int,
                                   ends: tuple[int, ...]) -> None:
    start = datetime(*delivered, tzinfo=UTC)
    s = status(start, start, days=days)
    assert s.ends_at == datetime(*ends, tzinfo=UTC)
    assert s.days_left == days
    assert status(start, s.ends_at - timedelta(seconds=1), days=days).days_left == 1


def test_summer_time_changes_nothing() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    delivered = datetime(2026, 3, 28, 12, 0, tzinfo=berlin)  # CET, the day before the change
    asked = datetime(2026, 3, 30, 11, 30, tzinfo=berlin)  # CEST: 46.5 hours later
    s = status(delivered, asked, days=2)
    assert s.days_left == 1 and s.ends_at == datetime(2026, 3, 30, 11, 0, tzinfo=UTC)


def test_counted_from_the_order() -> None:
    ordered = datetime(2026, 1, 1, tzinfo=UTC)
    s = status(None, datetime(2026, 2, 20, tzinfo=UTC), days=60, basis=ProtectionBasis.ORDER,
               ordered=ordered)
    assert s.state is ProtectionState.ACTIVE and s.days_left == 10
    assert s.ends_at == datetime(2026, 3, 2, tzinfo=UTC)


def test_not_started_none_and_naive_times() -> None:
    s = status(None, NOW)
    assert s.state is ProtectionState.NOT_STARTED and s.days_left is None
    assert "not delivered yet" in s.describe()
    assert status(DELIVERED, NOW, days=0).state is ProtectionState.NONE
    naive = status(DELIVERED.replace(tzinfo=None), datetime(2026, 2, 15, 19))
    assert naive.days_left == 1  # naive means UTC
    assert status(DELIVERED, DELIVERED).describe() == \
        "buyer protection: 15 days left (ends 2026-02-15 23:30 UTC)"
    assert status(DELIVERED, datetime(2026, 2, 15, 19, tzinfo=UTC)).describe().startswith(
        "buyer protection: 1 day left")
    assert status(DELIVERED, datetime(2026, 3, 1, tzinfo=UTC)).describe() == \
        "buyer protection ended 2026-02-15 23:30 UTC"


def test_the_service_uses_the_supplier_policy_and_its_clock(tmp_path: Path) -> None:
    config = make_config(tmp_path, suppliers={"demo": {"kind": "demo", "policy": {
        "protection_days": 20}}})
    s = services_with(config, [make_order(1, delivered_at=NOW - timedelta(days=5, hours=1))])
    p = s.returns.protection(order_id(s, 1))
    assert (p.days, p.days_left) == (20, 15)
    assert s.returns.overview(order_id(s, 1)).protection == p
    s.store.close()


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
    where, params = store._where(q)
    plan = " | ".join(r[3] for r in store.con.execute(
        f"EXPLAIN QUERY PLAN SELECT COUNT(*) FROM orders{where}", params))
    assert "SEARCH o USING INDEX orders_supplier_delivered (supplier=? AND delivered_at>? " \
        "AND delivered_at<?)" in plan
    assert "SEARCH o USING INDEX orders_supplier (supplier=? AND created_at>? AND " \
        "created_at<?)" in plan
    assert "SCAN orders" not in plan and "SCAN o " not in plan


#: the credentials each adapter requires (Services checks every supplier's settings)
ALI = {"kind": "aliexpress", "app_key": "1", "app_secret": "s", "access_token": "a"}
CJ = {"kind": "cj", "api_key": "k"}


def test_services_write_the_windows_from_the_config(tmp_path: Path) -> None:
    config = make_config(tmp_path, suppliers={
        "demo": {"kind": "demo"}, "ali": ALI,
        "cj": {**CJ, "policy": {"protection_days": 20, "protection_from": "order"}},
        "broken": {**ALI, "policy": {"protection_days": "soon"}}})
    s = services_with(config, [_delivered(1, "ali", 24 * 10), _delivered(2, "cj", 24 * 3)])
    assert ReturnsStore(s.store).protection_windows() == {
        "demo": (15, "delivery"), "ali": (15, "delivery"), "cj": (20, "order")}
    q = OrderQuery(protection_ends_within_days=7, as_of=AS_OF)
    assert {r.name for r in s.window(q, limit=10)} == {"#1"}
    s.store.close()
