"""A Shopify shop's sync against what Shopify's limits allow, over loopback HTTP.

    python bench/bench_shops.py                  # 100,000 orders; 1,000 changed
    python bench/bench_shops.py --quick          # 10,000 orders; 200 changed
    python bench/bench_shops.py --orders 20000 --changed 500

Two figures, each beside its baseline:

- **first import**: ``ShopService.sync`` of a fresh store from the Shopify simulator
  (``ordertui.simulators.shopify``) at the standard plan's limits, in a child process of
  its own: its wall time (from the sync's call to its return: the order count, the bulk
  operation, its polls, the download, every page of the file into the store, and the
  link pass) and its peak memory (the child's VmHWM), beside a child that only loads the
  same modules and opens the store. The time's baseline is what reading the same orders by
  paged queries would take at that plan's restore rate: pages of ``ORDERS_PER_PAGE``
  orders, each costing what the simulator charges for one (the mean actual cost of the
  first pages, priced by the simulator itself), less the bucket's initial credit.
- **incremental sync**: after that import, ``touch`` (a merchant's edit in the admin) some
  orders, fill the bucket, and time ``ShopService.sync`` again. Every request the
  simulator answers is recorded with its requested and actual cost, so the least time the
  leaky bucket allows is known exactly: the last request can only be sent once the bucket
  has been refilled with everything the earlier ones took (their actual cost: Shopify
  returns the difference) plus the last one's requested cost, i.e.
  ``(Σ actual before the last + requested of the last − initial credit) / restore rate``.
  The target is at most 1.1× that.

The standard plan's limits, from Shopify's rate-limit page
(https://shopify.dev/docs/api/usage/limits):
100 points restored per second; the bucket's size per plan is not published, so it is
the 1,000 points Shopify's answers have long reported (``maximumAvailable``).

The simulator's orders are generated once per size and cached in ``bench/.data/``
(git-ignored), copied to a temporary directory for each run so that its touches do not
accumulate. ``run.py`` calls ``measure()`` and prints these rows in its table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"
SEED = 1042
#: Shopify's standard plan: points restored per second, and the bucket (see the module)
STANDARD_RESTORE = 100.0
STANDARD_BUCKET = 1000.0
SHOP = "main"
#: pages whose actual cost is averaged for the paged baseline
SAMPLE_PAGES = 20


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --- the simulator -------------------------------------------------------------------------
def sim_template(orders: int) -> Path:
    """The simulator's state for ``orders`` demo shop orders, generated once."""
    from ordertui.simulators.shopify import ShopifySimConfig, ShopifySimulator

    directory = DATA / f"shopify-sim-{orders}-s{SEED}"
    marker = directory / "bench.json"
    if marker.exists():
        return directory
    shutil.rmtree(directory, ignore_errors=True)
    log(f"generating the Shopify simulator's {orders:,} orders in "
        f"{directory.relative_to(HERE.parent)} (once) …")
    started = time.perf_counter()
    sim = ShopifySimulator(ShopifySimConfig(orders=orders, seed=SEED, state_dir=directory))
    count = sim.office.count
    sim.close()
    marker.write_text(json.dumps({"orders": orders, "shop_orders": count,
                                  "seconds": round(time.perf_counter() - started, 2)}))
    return directory


class Recorder:
    """Every GraphQL answer the simulator gives: operation, requested and actual cost, and
    the bucket after it; a bench-side wrapper of ``ShopifySimulator.answer``."""

    def __init__(self, sim: Any) -> None:
        self.calls: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        inner = sim.answer

        def answer(query: str, variables: Any, operation_name: Any, *args: Any,
                   **kwargs: Any) -> dict[str, Any]:
            began = time.perf_counter()
            out: dict[str, Any] = inner(query, variables, operation_name, *args, **kwargs)
            took = time.perf_counter() - began
            cost = (out.get("extensions") or {}).get("cost") or {}
            codes = {(e.get("extensions") or {}).get("code") for e in out.get("errors") or []
                     if isinstance(e, dict)}
            with self._lock:
                self.calls.append({"op": operation_name, "at": time.time(),
                                   "requested": cost.get("requestedQueryCost") or 0,
                                   "actual": cost.get("actualQueryCost") or 0,
                                   "server_s": took,
                                   "throttled": "THROTTLED" in codes})
            return out

        sim.answer = answer

    def since(self, start: int) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.calls[start:])


def start_sim(template: Path, workdir: Path) -> tuple[Any, Any, Recorder]:
    from ordertui.simulators.common import start_in_thread
    from ordertui.simulators.shopify import ShopifySimConfig, ShopifySimulator

    state = workdir / "sim"
    shutil.copytree(template, state, ignore=shutil.ignore_patterns("bulk", "bench.json"))
    info = json.loads((template / "bench.json").read_text())
    sim = ShopifySimulator(ShopifySimConfig(orders=info["orders"], seed=SEED, state_dir=state,
                                            bucket=STANDARD_BUCKET,
                                            restore_rate=STANDARD_RESTORE))
    recorder = Recorder(sim)
    return sim, start_in_thread(sim), recorder


def settings(sim: Any, running: Any) -> dict[str, Any]:
    return {"shops": {SHOP: {"kind": "shopify", "store": sim.config.store,
                             "base_url": running.root_url,
                             "access_token": sim.config.token}}}


# --- the children ----------------------------------------------------------------------------
def _services(raw: dict[str, Any], data: Path) -> Any:
    from ordertui.config import parse
    from ordertui.services.core import Services

    return Services(parse(raw, data.parent / "config.toml", data))


def _own_peak_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


async def _import(raw: dict[str, Any], data: Path) -> dict[str, Any]:
    services = _services(raw, data)
    try:
        started, wall = time.perf_counter(), time.time()
        report = await services.shops.sync(SHOP)
        seconds = time.perf_counter() - started
        client = services.shops.adapter(SHOP).client
        return {"seconds": seconds, "orders": report.orders, "errors": report.errors,
                "start_wall": wall, "end_wall": time.time(),
                "requests": client.counts["requests"], "waited_s": client.counts["waited_s"]}
    finally:
        await services.shops.aclose()
        await services.aclose()


def child_import(raw: dict[str, Any], data: Path) -> dict[str, Any]:
    return asyncio.run(_import(raw, data)) | {"peak_kb": _own_peak_kb()}


def child_idle(raw: dict[str, Any], data: Path) -> dict[str, Any]:
    """The fixed part: interpreter, the same modules, the store and the adapter, no sync."""
    from ordertui.shops.shopify import sync  # noqa: F401

    services = _services(raw, data)
    services.shops.adapter(SHOP)
    services.store.shop_cursor(SHOP)
    return {"peak_kb": _own_peak_kb()}


def run_child(kind: str, raw: dict[str, Any], data: Path) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, f"--child-{kind}", json.dumps(raw),
                          str(data)], check=True, stdout=subprocess.PIPE, text=True).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


# --- the figures -----------------------------------------------------------------------------
def page_cost(sim: Any, pages: int) -> tuple[float, float]:
    """Mean requested and actual cost of the first ``pages`` full pages of the adapter's
    order query, priced by the simulator in-process (its bucket refilled after)."""
    from ordertui.shops.shopify import queries

    requested: list[float] = []
    actual: list[float] = []
    after = None
    for _ in range(pages):
        sim.set_bucket(available=STANDARD_BUCKET)
        out = sim.answer(queries.ORDERS_PAGE, {"first": queries.ORDERS_PER_PAGE,
                                               "after": after, "query": None}, "OrdersPage")
        cost = out["extensions"]["cost"]
        requested.append(cost["requestedQueryCost"])
        actual.append(cost["actualQueryCost"])
        info = out["data"]["orders"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    sim.set_bucket(available=STANDARD_BUCKET)
    return sum(requested) / len(requested), sum(actual) / len(actual)


def breakdown(sim: Any, calls: list[dict[str, Any]], first: dict[str, Any]
              ) -> dict[str, float]:
    """Where the first import's time went: the simulator running the bulk operation, the
    wait from its completion to the poll that saw it (the adapter's poll interval grows
    1.5× a time), and ordertui's own work after that poll (download, pages of the file
    into the store, the link pass, the first incremental page)."""
    ops = [op for op in sim.bulk.ops.values() if op.completed_at is not None]
    polls = [c["at"] for c in calls if c["op"] == "BulkPoll"]
    if not ops or not polls:
        return {}
    op = ops[-1]
    return {"bulk_run_s": op.completed_at - op.created_at,
            "poll_wait_s": max(polls[-1] - op.completed_at, 0.0),
            "after_poll_s": first["end_wall"] - polls[-1]}


def implied_seconds(calls: list[dict[str, Any]], credit: float, rate: float) -> float:
    """The least time from the first request to sending the last that the bucket allows."""
    sent = [c for c in calls if not c["throttled"]]
    if not sent:
        return 0.0
    before = sum(c["actual"] for c in sent[:-1])
    return max(before + sent[-1]["requested"] - credit, 0.0) / rate


def measure(orders: int, changed: int) -> dict[str, Any]:
    """Both figures, with their baselines; a dict of plain numbers."""
    from ordertui.shops.shopify import queries

    template = sim_template(orders)
    out: dict[str, Any] = {"orders": orders, "changed": changed,
                           "restore_rate": STANDARD_RESTORE, "bucket": STANDARD_BUCKET}
    with tempfile.TemporaryDirectory(prefix="ordertui-bench-shops-") as tmp:
        workdir = Path(tmp)
        sim, running, recorder = start_sim(template, workdir)
        try:
            shop_orders = sim.office.count
            requested, actual = page_cost(sim, SAMPLE_PAGES)
            pages = math.ceil(shop_orders / queries.ORDERS_PER_PAGE)
            paged = max((pages - 1) * actual + requested - STANDARD_BUCKET, 0) \
                / STANDARD_RESTORE
            out |= {"shop_orders": shop_orders, "page_requested": requested,
                    "page_actual": actual, "paged_pages": pages, "paged_s": paged}
            raw = settings(sim, running)
            data = workdir / "data"
            out["idle_mb"] = run_child("idle", raw, workdir / "idle")["peak_kb"] / 1024
            log(f"first import of {shop_orders:,} shop orders from the simulator …")
            first = run_child("import", raw, data)
            if first["errors"]:
                raise RuntimeError(f"the first import failed: {first['errors']}")
            out |= {"import_s": first["seconds"], "import_orders": first["orders"],
                    "import_requests": first["requests"], "import_mb": first["peak_kb"] / 1024}
            out |= breakdown(sim, recorder.since(0), first)

            log(f"incremental sync of {changed:,} changed orders at "
                f"{STANDARD_RESTORE:g} points/s …")
            step = max(1, shop_orders // changed)
            ids = [sim.office.base(i).order_id for i in range(0, shop_orders, step)][:changed]
            sim.touch(ids)
            out |= asyncio.run(_incremental(raw, data, sim, recorder))
        finally:
            running.stop()
    return out


async def _incremental(raw: dict[str, Any], data: Path, sim: Any, recorder: Recorder
                       ) -> dict[str, Any]:
    services = _services(raw, data)
    try:
        services.shops.adapter(SHOP)
        status = sim.set_bucket(available=STANDARD_BUCKET)
        credit = float(status["currentlyAvailable"])
        start = len(recorder.since(0))
        started = time.perf_counter()
        report = await services.shops.sync(SHOP)
        seconds = time.perf_counter() - started
        calls = recorder.since(start)
        if report.errors:
            raise RuntimeError(f"the incremental sync failed: {report.errors}")
        return {"incr_s": seconds, "incr_orders": report.orders,
                "incr_requests": len(calls),
                "incr_throttled": sum(c["throttled"] for c in calls),
                "incr_requested": sum(c["requested"] for c in calls if not c["throttled"]),
                "incr_actual": sum(c["actual"] for c in calls if not c["throttled"]),
                "incr_credit": credit,
                "incr_server_s": sum(c["server_s"] for c in calls),
                "incr_server_max_s": max((c["server_s"] for c in calls), default=0.0),
                "incr_implied_s": implied_seconds(calls, credit, STANDARD_RESTORE)}
    finally:
        await services.shops.aclose()
        await services.aclose()


def report(r: dict[str, Any]) -> str:
    hours = r["paged_s"] / 3600
    ratio = r["incr_s"] / r["incr_implied_s"] if r["incr_implied_s"] else float("nan")
    lines = [
        f"Shopify at the standard plan's limits: {r['restore_rate']:g} points/s, bucket "
        f"{r['bucket']:,.0f}",
        f"first import of {r['shop_orders']:,} shop orders (bulk operation)",
        f"  time                 {r['import_s']:10.1f} s   ({r['import_orders']:,} orders, "
        f"{r['import_requests']} requests)",
        f"  paged at the limit   {r['paged_s']:10.0f} s   ({hours:.1f} h: "
        f"{r['paged_pages']:,} pages of 8 at {r['page_actual']:.0f} points actual, "
        f"{r['page_requested']:.0f} requested)",
        f"  faster by            {r['paged_s'] / r['import_s']:10.0f} ×",
        f"  of which             {r.get('bulk_run_s', 0):10.1f} s   the simulator running the "
        f"bulk operation, {r.get('poll_wait_s', 0):.1f} s until the next poll saw it done, "
        f"{r.get('after_poll_s', 0):.1f} s ordertui's download and storing",
        f"  peak memory          {r['import_mb']:10.0f} MB  (idle: {r['idle_mb']:.0f} MB, "
        "the same modules and store, no sync)",
        f"incremental sync of {r['changed']:,} changed orders ({r['incr_orders']:,} synced)",
        f"  time                 {r['incr_s']:10.1f} s   ({r['incr_requests']} requests, "
        f"{r['incr_throttled']} throttled; {r['incr_actual']:,} points actual, "
        f"{r['incr_requested']:,} requested)",
        f"  implied by limit     {r['incr_implied_s']:10.1f} s",
        f"  simulator answering  {r['incr_server_s']:10.1f} s   (the slowest answer "
        f"{r['incr_server_max_s']:.2f} s; a page costing ~200 points refills in 2 s)",
        f"  ratio                {ratio:10.3f}     (target ≤ 1.10)",
    ]
    return "\n".join(lines)


def main() -> None:
    if sys.argv[1:2] in (["--child-import"], ["--child-idle"]):
        fn = child_import if sys.argv[1] == "--child-import" else child_idle
        print(json.dumps(fn(json.loads(sys.argv[2]), Path(sys.argv[3]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 orders, 200 changed")
    parser.add_argument("--orders", type=int, help="orders of the demo shop (100,000)")
    parser.add_argument("--changed", type=int, help="orders changed before the incremental "
                        "sync (1,000)")
    args = parser.parse_args()
    orders = args.orders or (10_000 if args.quick else 100_000)
    changed = args.changed or (200 if args.quick else 1_000)
    result = measure(orders, changed)
    print(report(result))
    ratio = result["incr_s"] / result["incr_implied_s"] if result["incr_implied_s"] else 0
    sys.exit(0 if ratio <= 1.10 and not result["incr_throttled"] else 1)


if __name__ == "__main__":
    main()
