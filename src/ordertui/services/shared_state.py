"""The adapters' shared state (``adapters.SharedState``) over a store that several ordertui
share: values in the store's ``adapter_state`` table, locks the store holds by name (an
advisory lock of PostgreSQL's on a connection of its own)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from ordertui.adapters import SharedState
from ordertui.store import Store


class StoreSharedState(SharedState):
    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, adapter: str, kind: str, key: str) -> Any:
        text = self.store.adapter_value(adapter, kind, key)
        return None if text is None else json.loads(text)

    def put(self, adapter: str, kind: str, key: str, value: Any) -> None:
        self.store.put_adapter_value(adapter, kind, key,
                                     json.dumps(value, separators=(",", ":"), sort_keys=True))

    def items(self, adapter: str, kind: str, prefix: str = "") -> dict[str, Any]:
        return {k: json.loads(v) for k, v in
                self.store.adapter_values(adapter, kind, prefix).items()}

    @contextlib.asynccontextmanager
    async def lock(self, name: str, *, timeout_s: float = 60.0) -> AsyncIterator[None]:
        lock = self.store.exclusive(name)
        # waiting happens on a thread; a task cancelled meanwhile lets the lock go once the
        # thread has it, instead of leaving it held by a connection nobody closes
        taking = asyncio.ensure_future(asyncio.to_thread(lock.acquire, timeout_s))
        try:
            got = await asyncio.shield(taking)
        except asyncio.CancelledError:
            taking.add_done_callback(lambda _done: lock.release())
            raise
        if not got:
            raise TimeoutError(name)
        try:
            yield
        finally:
            await asyncio.to_thread(lock.release)
