"""The services' read pool: store reads off the event loop, and a read the caller gave up on
stops in the store instead of holding a thread."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from ordertui.services.reads import ReadPool
from ordertui.store import Store

#: a query that would run for hours unless interrupted
ENDLESS = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
           "WHERE i < 1000000000000) SELECT COUNT(*) FROM n")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "store.sqlite3")


async def _until(flag: threading.Event) -> None:
    for _ in range(3000):  # a bound that only keeps a broken test from hanging
        if flag.is_set():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("never happened")


async def test_a_cancelled_read_interrupts_its_query_and_frees_its_thread(
        store: Store) -> None:
    pool = ReadPool(store, workers=1)
    started = threading.Event()

    def endless() -> object:
        started.set()
        return store.con.execute(ENDLESS).fetchall()
    task = asyncio.create_task(pool.run(endless))
    await _until(started)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # the one thread is free again: a read behind an endless query would never run
    assert await pool.run(lambda: store.con.execute("SELECT 42").fetchone()) == (42,)
    pool.shutdown()


async def test_a_read_cancelled_before_its_turn_never_runs(store: Store) -> None:
    pool = ReadPool(store, workers=1)
    gate, busy = threading.Event(), threading.Event()
    ran: list[int] = []

    def hold() -> None:
        busy.set()
        gate.wait(30)
    blocker = asyncio.create_task(pool.run(hold))
    await _until(busy)
    queued = asyncio.create_task(pool.run(ran.append, 1))
    await asyncio.sleep(0.05)
    queued.cancel()
    gate.set()
    await blocker
    with pytest.raises(asyncio.CancelledError):
        await queued
    await pool.run(lambda: None)  # whatever was queued before this has run or never will
    assert ran == []
    pool.shutdown()


async def test_a_reads_own_error_reaches_the_caller(store: Store) -> None:
    pool = ReadPool(store, workers=1)
    with pytest.raises(ZeroDivisionError):
        await pool.run(lambda: 1 / 0)
    pool.shutdown()
