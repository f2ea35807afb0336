"""Reads from the store off the event loop, cancellable for real.

The terminal app runs every store read on a small pool of threads (each thread has its own
store connection, kept for the app's life). When the coroutine waiting for a read is
cancelled — a new keystroke in the filter supersedes the last one — the statement still
running in the store is interrupted, so stale work never queues up in front of the read that
matters.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from ordertui.store import Store

T = TypeVar("T")
P = ParamSpec("P")


class Cancelled(Exception):
    """The read was superseded before or while it ran."""


class ReadPool:
    def __init__(self, store: Store, workers: int = 2) -> None:
        self.store = store
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ordertui-read")

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args, **kwargs)`` on a pool thread. Cancelling the caller interrupts the
        store statement in flight; the read then raises :class:`Cancelled`."""
        loop = asyncio.get_running_loop()
        state: dict[str, Any] = {"cancelled": False, "interrupt": None}
        lock = threading.Lock()

        def task() -> T:
            with lock:
                if state["cancelled"]:
                    raise Cancelled
                state["interrupt"] = self.store.interrupter()
            try:
                return fn(*args, **kwargs)
            except Exception:
                if state["cancelled"]:  # the interruption, whatever the store called it
                    raise Cancelled from None
                raise
            finally:
                with lock:
                    state["interrupt"] = None

        future = loop.run_in_executor(self.pool, task)
        try:
            return await future
        except asyncio.CancelledError:
            with lock:
                state["cancelled"] = True
                interrupt = state["interrupt"]
                if interrupt is not None:
                    interrupt()
            raise

    def shutdown(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
