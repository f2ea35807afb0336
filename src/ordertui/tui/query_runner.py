"""Store queries off the event loop, cancellable for real.

Screens run every store read on a small pool of threads (each with its own SQLite
connection, kept for the app's life). When the coroutine waiting for a query is cancelled —
a new keystroke in the filter supersedes the last one — the statement still running in
SQLite is interrupted, so stale work never queues up behind the query that matters.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from ordertui.store import Store

T = TypeVar("T")


class Cancelled(Exception):
    """The query was superseded before or while it ran."""


class QueryRunner:
    def __init__(self, store: Store, workers: int = 2) -> None:
        self.store = store
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ordertui-query")

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        state: dict[str, Any] = {"cancelled": False, "con": None}
        lock = threading.Lock()

        def task() -> T:
            with lock:
                if state["cancelled"]:
                    raise Cancelled
                state["con"] = self.store.con
            try:
                return fn(*args, **kwargs)
            except sqlite3.OperationalError as exc:
                if state["cancelled"] and "interrupt" in str(exc):
                    raise Cancelled from None
                raise
            finally:
                with lock:
                    state["con"] = None

        future = loop.run_in_executor(self.pool, task)
        try:
            return await future
        except asyncio.CancelledError:
            with lock:
                state["cancelled"] = True
                con = state["con"]
                if con is not None:
                    con.interrupt()
            raise

    def shutdown(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
