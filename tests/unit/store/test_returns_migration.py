"""The migration that brought the returns tables: a store from before it gains them, keeps
its orders, and serves the returns service end to end."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ordertui.domain.query import OrderQuery
from ordertui.domain.returns import ReturnState
from ordertui.domain.states import OrderStatus
from ordertui.services.core import Services
from ordertui.store import Store
from ordertui.store.returns import ReturnsStore
from ordertui.store.schema import LATEST, MIGRATIONS
from support.returns import ADDRESS, NOW, FixedClock, make_config, make_order
from support.store import insert_old_orders

R = ReturnState

RETURNS_MIGRATION = 3  # the migration that brought the returns tables


def test_a_store_from_before_returns_gains_the_returns_tables(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    con = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:RETURNS_MIGRATION - 1]:
        con.executescript(script)
    con.execute(f"PRAGMA user_version = {RETURNS_MIGRATION - 1}")
    old = [make_order(1), make_order(2, status=OrderStatus.SHIPPED)]
    insert_old_orders(con, old)
    con.close()

    store = Store(path)
    try:
        assert store.version == LATEST
        assert store.integrity_check() == "ok"
        tables = {r[0] for r in store.con.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'index')")}
        assert {"returns", "return_items", "refunds", "recoveries", "stock", "stock_uses",
                "supplier_protection", "orders_supplier_delivered"} <= tables
        assert store.count(OrderQuery()) == 2
        ReturnsStore(store).set_protection_windows({"demo": (15, "delivery")})
        q = OrderQuery(protection_ends_within_days=15, as_of=NOW)
        assert [o.name for o in store.window(q, limit=10)] == ["#1"]
    finally:
        store.close()
    # and a Services on it works end to end
    config = make_config(tmp_path, returns={"address": ADDRESS})
    config.data_dir.mkdir(parents=True)
    path.rename(config.data_dir / "store.sqlite3")
    s = Services(config, clock=FixedClock())
    r = s.returns.open_return(s.store.resolve("#1"), {"LAMP-01": 1}, "fine")
    assert r.state is R.REQUESTED
    s.store.close()
