"""Starting the wire-compatible simulators on a free loopback port, and a ``Services`` whose
config points a supplier at one: the real adapters, over real sockets, nothing mocked."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ordertui import config as config_mod
from ordertui.http import RetryPolicy
from ordertui.services.core import Services
from ordertui.simulators.common import RunningSim, start_app, start_in_thread

__all__ = ["Clock", "ae_settings", "cj_settings", "drain", "fast_retries", "serve", "services_for",
           "start_app", "start_in_thread", "sync_until_clean"]


class Clock:
    """The app's clock: real time, plus however far a test moved it on (to make the
    outbox's back-off come due without waiting for it)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return (datetime.now(UTC) + self.offset).replace(microsecond=0)

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


def services_for(tmp: Path, suppliers: dict[str, dict[str, Any]],
                 clock: Clock | None = None) -> Services:
    path = tmp / "config.toml"
    config = config_mod.parse({"suppliers": suppliers}, path, tmp / "data")
    return Services(config, clock=clock or Clock())


def cj_settings(sim: RunningSim, **extra: Any) -> dict[str, Any]:
    return {"kind": "cj", "base_url": sim.base_url, "api_key": sim.sim.config.api_key,
            "rate_limit": 100, **extra}


def ae_settings(sim: RunningSim, **extra: Any) -> dict[str, Any]:
    c = sim.sim.config
    return {"kind": "aliexpress", "base_url": sim.base_url, "app_key": c.app_key,
            "app_secret": c.app_secret, "access_token": c.access_token,
            "refresh_token": c.refresh_token, "rate_limit": 100, **extra}


def fast_retries(services: Services, supplier: str) -> None:
    """Shorter back-off between retries, so that fault tests do not sit in sleeps: the same
    HTTP client and retry rules, with smaller numbers."""
    adapter: Any = services.adapter(supplier)
    adapter.client.http.policy = RetryPolicy(attempts=4, base_s=0.02, cap_s=0.2)


def serve(sim: Any) -> Iterator[RunningSim]:
    running = start_in_thread(sim)
    try:
        yield running
    finally:
        running.stop()


async def drain(services: Services, clock: Clock, *, rounds: int = 200) -> list[Any]:
    """Run the outbox until nothing is left to send, moving the clock past each back-off."""
    runner = services.runner()
    assert runner.acquire()
    events: list[Any] = []
    try:
        for _ in range(rounds):
            events += await runner.drain()
            if not services.store.outbox.due_count():
                return events
            nxt = services.store.outbox.next_due()
            if nxt is not None:
                clock.advance(max((nxt - clock()).total_seconds(), 0) + 1)
            await asyncio.sleep(0)
        raise AssertionError("the outbox did not empty")
    finally:
        runner.release()


async def sync_until_clean(services: Services, supplier: str, *, rounds: int = 50) -> int:
    """Sync until one pass ends without an error (faults interrupt a pass; the cursor
    lets the next one carry on). Returns how many tries it took."""
    for n in range(1, rounds + 1):
        report = await services.sync(supplier)
        if not report.errors:
            return n
    raise AssertionError(f"no clean sync in {rounds} tries: {report.errors}")
