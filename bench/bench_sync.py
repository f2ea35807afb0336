"""A sync of many changed orders, on the SQLite store and on its PostgreSQL copy.

The demo supplier changes N orders (each one step further: awaiting payment → processing →
shipped → delivered; an order already past that is touched, its ``updated_at`` moved), as
its back office does when its staff act, and ``ordertui sync`` is timed on each store: it
lists the N changes (pages of 500) and writes them. Both run on throw-away clones (the SQLite
file copied, the database created from the cached copy as its template), so the cached stores
stay as seeded; each clone is synced first, untimed, so only the N changes are waiting. The
runs alternate SQLite and PostgreSQL, each run on another N orders.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pg
from ordertui.domain.states import OrderStatus
from ordertui.simulators.demo.backoffice import DemoEngine

NEXT = {OrderStatus.AWAITING_PAYMENT: OrderStatus.PROCESSING,
        OrderStatus.PROCESSING: OrderStatus.SHIPPED,
        OrderStatus.SHIPPED: OrderStatus.DELIVERED}


def change_orders(state: Path, n: int, round_: int) -> int:
    """The demo supplier at ``state`` changes ``n`` orders spread over its range (another
    ``n`` in each round); returns how many."""
    engine = DemoEngine(state)
    count = engine.count
    step = max(1, count // n)
    now = datetime.fromtimestamp(int(time.time()), UTC)
    changed = 0
    with engine._db(write=True) as con:
        for i in range(min(n, count)):
            idx = (i * step + round_) % count
            order = engine._load(con, idx)
            if order.status in NEXT:
                order.status = NEXT[order.status]
                order.supplier_status = order.status.value
            order.updated_at = now
            engine._save(con, idx, order)
            changed += 1
    return changed


def _sync(argv: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    done = subprocess.run([*argv, "sync"], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if done.returncode:
        raise RuntimeError(f"ordertui sync failed: {done.stderr.strip()[-500:]}")
    return seconds


def measure(store: Path, twin: pg.Twin, server_url: str, n: int, runs: int,
            argv: list[str], env_for: Callable[[Path], dict[str, str]],
            log: Callable[[str], None]) -> dict[str, list[float]]:
    """Seconds of ``ordertui sync`` after ``n`` changes, ``runs`` times on each backend."""
    scratch = store.with_name(store.name + "-sync")
    clone_db = "bench_sync_clone"
    sqlite_dir, pg_dir = scratch / "sqlite", scratch / "pg"
    shutil.rmtree(scratch, ignore_errors=True)
    out: dict[str, list[float]] = {"sqlite": [], "postgres": []}
    try:
        log(f"  cloning the stores for the sync ({store.name}) …")
        pg.copy_data_dir(store, sqlite_dir)
        for suffix in ("", "-wal"):
            source = store / f"store.sqlite3{suffix}"
            if source.exists():
                subprocess.run(["cp", "--reflink=auto", str(source), str(sqlite_dir)],
                               check=True)
        pg.copy_data_dir(twin.store, pg_dir)
        pg.drop(server_url, clone_db)
        pg.create(server_url, clone_db, template=pg.database_name(twin.url))
        sides = {"sqlite": (sqlite_dir, env_for(sqlite_dir)),
                 "postgres": (pg_dir, {**env_for(pg_dir),
                                       "ORDERTUI_STORE_URL": pg.with_database(server_url,
                                                                              clone_db)})}
        for _side, (_directory, env) in sides.items():
            _sync(argv, env)  # whatever the supplier decided since: not what we measure
        for r in range(runs):
            for side, (directory, env) in sides.items():
                changed = change_orders(directory / "suppliers/demo/state.sqlite3", n, r)
                seconds = _sync(argv, env)
                log(f"  sync of {changed:,} changed orders, {side}: {seconds:.2f} s")
                out[side].append(seconds)
    finally:
        pg.drop(server_url, clone_db)
        shutil.rmtree(scratch, ignore_errors=True)
    return out
