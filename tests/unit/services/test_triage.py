"""Morning triage: Needs attention holds what the merchant must act on — tracking that
stopped moving, buyer protection running out on an order still on its way, a cancelled
order that still owes its customer a refund — and the protection view is sorted by days
left; a cancelled order's sale, cost and profit count for nothing in the table."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from ordertui.domain.models import Order, TrackingEvent
from ordertui.domain.query import OrderQuery, SortKey, View
from ordertui.domain.rules import protection_ending, tracking_stalled
from ordertui.domain.states import OrderStatus
from ordertui.services import Services
from support.returns import NOW, make_config, make_order, order_id, services_with

DAY = timedelta(days=1)
SHIPPED, PROCESSING = OrderStatus.SHIPPED, OrderStatus.PROCESSING


def _shipped(n: int, days_ago: float, *, last_event_days_ago: float | None = None,
             **kw: object) -> Order:
    events = [] if last_event_days_ago is None else [TrackingEvent(
        at=NOW - last_event_days_ago * DAY, description="Arrived in destination country")]
    return make_order(n, status=SHIPPED, shipped_at=NOW - days_ago * DAY,
                      created_at=NOW - (days_ago + 2) * DAY, tracking_number=f"LP{n}",
                      tracking_events=events, **kw)


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Services]:
    # buyer protection of 30 days counted from the order: a parcel still on its way loses it
    config = make_config(tmp_path, suppliers={"demo": {"kind": "demo", "policy": {
        "protection_days": 30, "protection_from": "order"}}})
    s = services_with(config, [
        _shipped(1, 26, last_event_days_ago=20),  # stopped 20 days ago: stalled
        _shipped(2, 8, last_event_days_ago=3),  # moving
        _shipped(3, 12),  # shipped 12 days ago, no event since: stalled
        _shipped(4, 9),  # 9 days: not yet
        make_order(5, status=PROCESSING, created_at=NOW - 27 * DAY),  # 3 days left
        make_order(6, status=PROCESSING, created_at=NOW - 10 * DAY),  # 20 days left
        make_order(7, created_at=NOW - 27 * DAY),  # delivered: nobody complained
        make_order(8, status=PROCESSING, created_at=NOW - 28 * DAY),  # disputed below
        make_order(9, status=PROCESSING, created_at=NOW - 5 * DAY),  # cancelled below
        make_order(10, status=OrderStatus.CANCELLED),  # first seen cancelled: settled
        make_order(11, status=PROCESSING, created_at=NOW - 29 * DAY),  # 1 day left
    ])
    s.returns.sync_protection()
    s.store.con.execute("UPDATE orders SET dispute_state = 'open' WHERE name = '#8'")
    yield s
    s.store.close()


def _names(s: Services, q: OrderQuery) -> list[str]:
    rows = s.store.window(q, limit=1000)
    assert s.store.count(q) == len(rows)
    return [r.name for r in rows]


def test_needs_attention_holds_stalled_tracking_and_protection_running_out(
        svc: Services) -> None:
    q = svc.view_query(View.ATTENTION)
    assert sorted(_names(svc, q)) == ["#1", "#11", "#3", "#5"]
    assert svc.view_counts()["attention"] == 4


def test_the_thresholds_come_from_the_config(svc: Services) -> None:
    svc.config.stalled_tracking_days = 8
    assert sorted(_names(svc, svc.view_query(View.ATTENTION))) == ["#1", "#11", "#3", "#4",
                                                                  "#5"]
    svc.config.protection_warning_days = 21  # every order on its way but #9 (25 days left)
    assert sorted(_names(svc, svc.view_query(View.ATTENTION))) == [
        "#1", "#11", "#2", "#3", "#4", "#5", "#6"]


def test_a_cancelled_order_owing_a_refund_needs_attention_until_refunded(
        svc: Services) -> None:
    oid = order_id(svc, 9)
    svc.store.set_order_status(oid, OrderStatus.CANCELLED)
    q = svc.view_query(View.ATTENTION)
    assert "#9" in _names(svc, q)
    [row] = [r for r in svc.store.window(q, limit=100) if r.name == "#9"]
    assert row.refund_due
    money = svc.returns.money(oid)
    assert money.owed_to_customer == money.paid and money.net.amount == 0
    svc.returns.record_refund(oid, "20", "part of it")
    assert "#9" in _names(svc, q)  # still owes the rest
    assert svc.returns.money(oid).owed_to_customer == money.paid - svc.returns.money(
        oid).refunded
    svc.returns.record_refund(oid, "full", "the rest")
    assert "#9" not in _names(svc, q)
    assert svc.returns.money(oid).owed_to_customer.amount == 0
    # an order first seen cancelled was settled before ordertui knew it
    assert svc.returns.money(order_id(svc, 10)).owed_to_customer.amount == 0


def test_the_protection_view_is_sorted_by_days_left(svc: Services) -> None:
    q = svc.view_query(View.PROTECTION)
    assert q.sort is SortKey.ENDS and not q.descending
    rows = svc.store.window(q, limit=100)
    ends = [r.protection_ends for r in rows]
    assert None not in ends and ends == sorted(e for e in ends if e is not None)
    assert [r.name for r in rows][:3] == ["#11", "#1", "#5"]  # 1, 2 and 3 days left


def test_a_cancelled_order_counts_for_nothing_in_the_table(svc: Services) -> None:
    oid = order_id(svc, 6)
    before = svc.store.window(OrderQuery(sort=SortKey.PROFIT), limit=1)[0]
    assert before.profit.amount > 0
    svc.store.set_order_status(oid, OrderStatus.CANCELLED)
    [row] = [r for r in svc.store.window(OrderQuery(), limit=100) if r.id == oid]
    assert row.total_price.amount > 0  # what the customer paid is kept
    assert (row.sale.amount, row.cost.amount, row.profit.amount) == (0, 0, 0)
    for key in (SortKey.TOTAL, SortKey.COST, SortKey.PROFIT):
        lowest = svc.store.window(OrderQuery(sort=key, descending=False), limit=2)
        assert oid in {r.id for r in lowest}, key  # sorted as the nothing it counts for


def test_the_rules_agree_with_the_store_at_the_edges() -> None:
    assert tracking_stalled(SHIPPED, NOW - 10 * DAY - timedelta(seconds=1), NOW, 10)
    assert not tracking_stalled(SHIPPED, NOW - 10 * DAY, NOW, 10)
    assert not tracking_stalled(OrderStatus.DELIVERED, NOW - 30 * DAY, NOW, 10)
    assert not tracking_stalled(SHIPPED, None, NOW, 10)
    assert protection_ending(PROCESSING, NOW + 5 * DAY, NOW, 5)
    assert not protection_ending(PROCESSING, NOW + 5 * DAY + timedelta(seconds=1), NOW, 5)
    assert not protection_ending(PROCESSING, NOW, NOW, 5)  # ended already
    assert not protection_ending(OrderStatus.DELIVERED, NOW + DAY, NOW, 5)
    assert not protection_ending(PROCESSING, NOW + DAY, NOW, 5, disputed=True)
