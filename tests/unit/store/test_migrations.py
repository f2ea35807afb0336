"""The store's migrations (store/schema.py): a store an older ordertui left is brought up
to date with its data intact, searchable, counted and sorted as a new one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ordertui.domain.models import Order
from ordertui.domain.query import OrderQuery, SortKey
from ordertui.domain.states import CancellationState
from ordertui.store import Store
from ordertui.store.schema import LATEST, MIGRATIONS
from support.demo import OrderFactory
from support.store import (
    assert_counts_true,
    demo_orders,
    expected_ids,
    ids,
    insert_old_orders,
    search,
)


def _old_store(path: Path, version: int, orders: list[Order]) -> None:
    """A store as an older ordertui left it: only the first ``version`` migrations."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    for script in MIGRATIONS[:version]:
        con.executescript(script)
    con.execute(f"PRAGMA user_version = {version}")
    insert_old_orders(con, orders)
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
    if store.backend == "sqlite":
        journal = store.con.execute("PRAGMA journal_mode").fetchone()[0]
        assert journal == "wal"
