"""Two servers on one PostgreSQL store (separate data directories, as two machines of a team
have them), both reaching the CJ simulator over loopback: the state that must be single
lives in the store, not in either data directory.

- syncing at once, they log in to CJ once between them (CJ refuses a second login within
  five minutes), and keep no token file of their own;
- a write one server's runner sent before it stopped is found by the other's ``was_applied``
  in the shared journal, and is not sent again;
- the shared state's values and locks themselves (``StoreSharedState``), and who may read
  the tokens in the database.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ordertui import config as config_mod
from ordertui.adapters import Applied
from ordertui.domain.capabilities import Action
from ordertui.services.core import Services
from ordertui.services.shared_state import StoreSharedState
from ordertui.simulators.cj import CJSimConfig, CJSimulator
from ordertui.simulators.common import RunningSim
from ordertui.store import Store
from ordertui.suppliers.base import PendingAction
from ordertui.suppliers.cj import CJAdapter
from support.postgres import login_role
from support.sims import Clock, cj_settings, serve


@pytest.fixture
def sim() -> Iterator[RunningSim]:
    # CJ's own rule: one getAccessToken per five minutes
    yield from serve(CJSimulator(CJSimConfig(orders=120, auth_interval_s=300,
                                             review_delay_s=3600)))


def server(root: Path, sim: RunningSim, url: str | None, clock: Clock, **extra: Any
           ) -> Services:
    """A server's services: its data directory under ``root``, its store at ``url`` (None:
    SQLite in the data directory)."""
    config = config_mod.parse({"suppliers": {"cj": cj_settings(sim, **extra)}},
                              root / "config.toml", root / "data")
    config.store_url = url
    return Services(config, clock=clock)


def cj(s: Services) -> CJAdapter:
    adapter = s.adapter("cj")
    assert isinstance(adapter, CJAdapter)
    return adapter


async def test_two_servers_syncing_at_once_log_in_to_cj_once(
        tmp_path: Path, sim: RunningSim, pg_url: str) -> None:
    clock = Clock()
    a, b = (server(tmp_path / n, sim, pg_url, clock) for n in ("a", "b"))
    try:
        ra, rb = await asyncio.gather(a.sync("cj"), b.sync("cj"))
        assert not ra.errors and not rb.errors, (ra.errors, rb.errors)
        counters = sim.stats()["counters"]
        assert counters.get("token_get") == 1, counters
        assert not counters.get("token_refresh"), counters
        # the pair is the team's, not either machine's
        for s in (a, b):
            assert not (s.data_dir / "suppliers" / "cj" / "cj-token.json").exists()
        assert cj(a).client._pair is not None and cj(b).client._pair is not None
        assert cj(a).client._pair.access == cj(b).client._pair.access
        # a third server starting later reads the saved pair too
        c = server(tmp_path / "c", sim, pg_url, clock)
        try:
            assert not (await c.sync("cj")).errors
        finally:
            await c.aclose()
        assert sim.stats()["counters"].get("token_get") == 1
    finally:
        await a.aclose()
        await b.aclose()


async def test_a_token_this_directory_had_is_taken_over_by_the_shared_store(
        tmp_path: Path, sim: RunningSim, pg_url: str) -> None:
    """Moving to a shared store costs no login: the pair kept in the data directory is
    the team's first."""
    clock = Clock()
    local = server(tmp_path / "a", sim, None, clock)
    try:
        assert not (await local.sync("cj")).errors
    finally:
        await local.aclose()
    assert (tmp_path / "a" / "data" / "suppliers" / "cj" / "cj-token.json").exists()
    shared = server(tmp_path / "a", sim, pg_url, clock)
    try:
        assert not (await shared.sync("cj")).errors
    finally:
        await shared.aclose()
    assert sim.stats()["counters"].get("token_get") == 1


async def test_a_write_one_server_sent_is_settled_from_the_journal_by_the_other(
        tmp_path: Path, pg_url: str) -> None:
    for sim in serve(CJSimulator(CJSimConfig(orders=200, auth_interval_s=0,
                                             review_delay_s=3600, stall_s=0.6))):
        clock = Clock()
        a = server(tmp_path / "a", sim, pg_url, clock, read_timeout_s=0.3)
        b = server(tmp_path / "b", sim, pg_url, clock)
        try:
            assert not (await a.sync("cj")).errors
            soid = sorted(o for o, st in sim.sim.truth().items()  # type: ignore[attr-defined]
                          if st == "DELIVERED")[3]
            order_id = a.resolve(soid)
            a.open_dispute(order_id, reason="not_as_described", amount="",
                           description="broken on arrival")
            key = a.order(order_id).dispute.client_key  # type: ignore[union-attr]
            # A sends; CJ makes the dispute, and its answer is lost: A cannot tell
            sim.sim.config.faults, sim.sim.config.fault_rate = ("after_write",), 1.0
            runner = a.runner()
            assert runner.acquire()
            try:
                await runner.drain()
            finally:
                runner.release()
            sim.sim.config.fault_rate = 0.0
            assert sim.stats()["applied"] == {"dispute_create": 1}
            await a.aclose()  # and A is gone

            # B never sent it, yet finds it in the journal A wrote before sending (asked
            # without the first attempt's time, the stop-gap that reads CJ's state of the
            # order alone does not answer)
            order = b.order(order_id)
            pending = PendingAction(Action.DISPUTE_OPEN, key, soid, {})
            entry = cj(b).state.journal_entry(key, soid)
            assert entry is not None and entry.route == "dispute"
            assert await cj(b).was_applied(pending, order) is Applied.YES
            # B's runner settles it without sending it again, and knows it as A's
            clock.advance(3600)
            runner = b.runner()
            assert runner.acquire()
            try:
                for _ in range(20):
                    await runner.drain()
                    if not b.store.outbox.due_count():
                        break
                    clock.advance(3600)
            finally:
                runner.release()
            stats = sim.stats()
            assert stats["applied"] == {"dispute_create": 1} and stats["duplicates"] == {}
            assert b.store.outbox.entries(states=("pending", "sending")) == []
            dispute = b.order(order_id).dispute
            assert dispute is not None and dispute.supplier_dispute_id
            assert dispute.client_key == key
        finally:
            await b.aclose()


async def test_without_a_shared_store_the_journal_and_token_stay_in_the_directory(
        tmp_path: Path, sim: RunningSim) -> None:
    s = server(tmp_path, sim, None, Clock())
    try:
        assert s.shared_state() is None and cj(s).state.shared is None
        assert not (await s.sync("cj")).errors
        assert (s.data_dir / "suppliers" / "cj" / "cj-token.json").exists()
        assert s.store.con.execute("SELECT COUNT(*) FROM adapter_state").fetchone()[0] == 0
    finally:
        await s.aclose()


# --- the shared state itself -------------------------------------------------------------


def test_values_by_adapter_kind_and_key_and_by_prefix(pg_url: str) -> None:
    store = Store(pg_url)
    try:
        shared = StoreSharedState(store)
        assert shared.get("cj", "journal", "o1/k1") is None
        shared.put("cj", "journal", "o1/k1", {"at": 1, "before": ["d1"]})
        shared.put("cj", "journal", "o1/k2", {"at": 2})
        shared.put("cj", "journal", "o10/k3", {"at": 3})
        shared.put("cj", "token", "o1/k1", "other kind")
        shared.put("cj2", "journal", "o1/k9", "other adapter")
        shared.put("cj", "journal", "o1/k2", {"at": 5})  # replaced
        assert shared.get("cj", "journal", "o1/k1") == {"at": 1, "before": ["d1"]}
        assert shared.items("cj", "journal", "o1/") == {"o1/k1": {"at": 1, "before": ["d1"]},
                                                        "o1/k2": {"at": 5}}
        assert set(shared.items("cj", "journal")) == {"o1/k1", "o1/k2", "o10/k3"}
    finally:
        store.close()


async def test_a_named_lock_is_held_by_one_process_at_a_time(pg_url: str) -> None:
    one, two = Store(pg_url), Store(pg_url)  # two sessions, as two servers have
    try:
        first, second = StoreSharedState(one), StoreSharedState(two)
        order: list[str] = []

        async def hold(shared: StoreSharedState, name: str) -> None:
            async with shared.lock("cj-token:x"):
                order.append(f"{name} in")
                await asyncio.sleep(0.3)
                order.append(f"{name} out")

        await asyncio.gather(hold(first, "a"), hold(second, "b"))
        assert order in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])
        async with first.lock("cj-token:x"):
            with pytest.raises(TimeoutError):
                async with second.lock("cj-token:x", timeout_s=0.2):
                    pass
            async with second.lock("another name", timeout_s=0.2):
                pass
        async with second.lock("cj-token:x", timeout_s=1):  # let go
            pass
    finally:
        one.close()
        two.close()


def test_only_roles_that_sync_or_send_may_read_the_adapters_state(pg_url: str) -> None:
    store = Store(pg_url)
    try:
        StoreSharedState(store).put("cj", "token", "fp", {"access": "secret"})
        names = {"viewer": f"v_{secrets.token_hex(3)}", "staff": f"s_{secrets.token_hex(3)}"}
        passwords = {k: secrets.token_hex(8) for k in names}
        urls = {k: login_role(names[k], passwords[k], database=pg_url) for k in names}
        store.grant({names["viewer"]: frozenset({"view", "export"}),
                     names["staff"]: frozenset({"view", "sync", "cancel"})})
        with psycopg.connect(urls["viewer"], password=passwords["viewer"],
                             autocommit=True) as con:
            assert con.execute("SELECT COUNT(*) FROM orders").fetchone() == (0,)
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute("SELECT value FROM adapter_state")
        with psycopg.connect(urls["staff"], password=passwords["staff"],
                             autocommit=True) as con:
            assert con.execute("SELECT COUNT(*) FROM adapter_state").fetchone() == (1,)
            con.execute("UPDATE adapter_state SET updated_at = 2")
    finally:
        store.close()
