"""Loading many orders at once: indexes, search and triggers dropped for speed and put
back after, also when the loading process was killed halfway."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

from ordertui.domain.query import OrderQuery, SortKey
from ordertui.store import Store
from support.store import EPOCH, assert_counts_true, demo_orders, expected_ids, ids, search


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
