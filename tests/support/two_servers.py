"""Two ordertui "servers" on one PostgreSQL store: each a data directory of its own (its own
config, logs and supplier caches; the supplier's token and journal are the store's) whose
``[store] url`` names one database, both reaching one supplier — the CJ simulator on
loopback (``support.sims``), so that what the supplier received is counted where it was
received.

The test starts the processes below (``python -m support.two_servers ROLE ...``) and kills
some of them; each prints one JSON line per thing worth telling, flushed at once.

    watch ORDER_ID         print {"ready": v} then {"changed": v} and {"seen": state} once
                           the order has a cancellation request (another process asked)
    cancel ORDER_ID        ask for the order's cancellation, print {"queued": key}
    act TARGETS N SEED GO  try N actions on the targets (a JSON file: [[id, "cancel" or
                           "dispute"], ...]) from 4 threads at once, while the outbox runner
                           sends; all start when the file GO appears; print the tally
    work TARGETS SEED      queue an action on one or two free targets, then sync while
                           the outbox runner sends
    settle                 sync, then send everything queued (moving the clock past back-off)
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ordertui.config import load
from ordertui.domain.errors import OrdertuiError
from ordertui.services import Services

SUPPLIER = "cj"


def say(**what: Any) -> None:
    print(json.dumps(what), flush=True)


def services(clock: Any = None) -> Services:
    config = load(Path(os.environ["ORDERTUI_CONFIG"]), Path(os.environ["ORDERTUI_DATA_DIR"]))
    return Services(config, clock=clock) if clock is not None else Services(config)


def targets(path: str) -> list[tuple[int, str]]:
    return [(int(i), str(kind)) for i, kind in json.loads(Path(path).read_text())]


def attempt(s: Services, order_id: int, kind: str, n: int) -> str:
    """One merchant action; "" when it was queued, else why the store or the rules said no."""
    try:
        if kind == "cancel":
            s.request_cancellation(order_id, f"two servers {os.getpid()} {n}")
        else:
            s.open_dispute(order_id, reason="not_received", amount="0.10",
                           description=f"two servers {os.getpid()} {n}")
    except OrdertuiError as exc:
        return type(exc).__name__
    return ""


async def watch(order_id: int) -> None:
    s = services()
    try:
        w = s.watch()
        first = w.version()
        say(ready=first)
        changed = False
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            v = w.version()
            if v != first and not changed:
                changed = True
                say(changed=v)
            if changed:
                c = s.order(order_id).cancellation
                if c is not None:
                    say(seen=c.state.value)
                    return
            await asyncio.sleep(0.02)
        say(timeout=True)
    finally:
        await s.aclose()


async def cancel(order_id: int) -> None:
    s = services()
    try:
        s.request_cancellation(order_id, "asked on the other server")
        order = s.order(order_id)
        assert order.cancellation is not None
        say(queued=order.cancellation.client_key)
    finally:
        await s.aclose()


async def act(path: str, n: int, seed: int, go: str) -> None:
    s = services()
    rng = random.Random(seed)
    every = targets(path)
    plan = [every[i % len(every)] for i in range(n)]
    rng.shuffle(plan)
    tally: dict[str, int] = {}
    done = threading.Event()
    lock = threading.Lock()
    # the store and the adapter opened before the start, so that the attempts overlap
    s.order(plan[0][0])
    while not Path(go).exists():
        await asyncio.sleep(0.005)

    def one(i: int) -> None:
        order_id, kind = plan[i]
        said = attempt(s, order_id, kind, i) or "queued"
        with lock:
            tally[said] = tally.get(said, 0) + 1

    def all_of_them() -> None:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(one, range(len(plan))))
        done.set()

    worker = threading.Thread(target=all_of_them)
    worker.start()
    runs = sent = 0
    deadline = time.monotonic() + 30
    try:
        # the runner sends while the attempts go on, and until nothing is left to send
        while time.monotonic() < deadline:
            finished = done.is_set()
            ran, events = await s.run_outbox()
            runs += ran
            sent += sum(e.kind == "sent" for e in events)
            if finished and not s.store.outbox.due_count():
                break
            await asyncio.sleep(0.01)
        worker.join()
        say(tally=tally, runner_turns=runs, sent=sent)
    finally:
        await s.aclose()


async def work(path: str, seed: int) -> None:
    s = services()
    rng = random.Random(seed)
    try:
        free = [(i, kind) for i, kind in targets(path)
                if not s.store.outbox.entries(states=("pending", "sending", "done", "failed"),
                                              order_id=i)]
        for order_id, kind in rng.sample(free, min(len(free), rng.choice((1, 2)))):
            if not attempt(s, order_id, kind, seed):
                say(queued=order_id)
        # as a server does: the runner sends while the sync reads
        report, (ran, events) = await asyncio.gather(s.sync(SUPPLIER), s.run_outbox())
        say(synced=len(report.errors) == 0, ran=ran, events=len(events))
    finally:
        await s.aclose()


async def settle() -> None:
    from support.sims import Clock, drain, sync_until_clean

    clock = Clock()
    s = services(clock)
    try:
        await sync_until_clean(s, SUPPLIER)
        await drain(s, clock, rounds=500)
        say(settled=True)
    finally:
        await s.aclose()


def main(argv: list[str]) -> None:
    role, args = argv[0], argv[1:]
    if role == "watch":
        asyncio.run(watch(int(args[0])))
    elif role == "cancel":
        asyncio.run(cancel(int(args[0])))
    elif role == "act":
        asyncio.run(act(args[0], int(args[1]), int(args[2]), args[3]))
    elif role == "work":
        asyncio.run(work(args[0], int(args[1])))
    elif role == "settle":
        asyncio.run(settle())
    else:
        raise SystemExit(f"unknown role {role!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
