"""What the screens need of the store beside reading: a watch that notices every other
connection's commit (store/watch.py), and an interrupter that stops the query its thread
runs."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from ordertui.store import Store
from support.demo import OrderFactory
from support.store import eventually, other_connection


def test_a_watch_sees_every_other_connections_commit(store: Store, store_target: Path | str,
                                                     make_order: OrderFactory) -> None:
    watch = store.watch()
    try:
        first = watch.version()
        assert watch.version() == first  # nothing committed: no change
        store.bulk_insert([make_order(1)])  # this store's own connection is another one
        assert eventually(lambda: watch.version() != first)
        second = watch.version()
        other = other_connection(store_target)  # and so is another session's
        with other:
            other.execute("INSERT INTO audit (at, order_id, actor, action, detail) "
                          "VALUES (1, NULL, 'other', 'session', '')")
        other.close()
        assert eventually(lambda: watch.version() != second)
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
