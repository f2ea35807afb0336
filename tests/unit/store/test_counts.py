"""The counts the screens show, kept by triggers: they follow every change (a sync, a
local status, a request, deletes) and agree with ``COUNT(*)``, also with a search or dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from ordertui.domain.models import CancellationRequest
from ordertui.domain.query import OrderQuery
from ordertui.domain.states import CancellationState, OrderStatus, Source
from ordertui.simulators.demo import IdScheme
from ordertui.store import Store
from support.demo import OrderFactory
from support.store import EPOCH, assert_counts_true, demo_orders, true_count


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
    assert filled.count(q) == true_count(filled, "WHERE created_at >= ? AND supplier = 'demo'",
                                          (int(since.timestamp()),))
