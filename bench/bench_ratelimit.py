"""How close a full sync comes to a supplier's rate limit, without tripping it.

Starts the CJ simulator limited to N requests per second (it answers CJ's "Too much
request" beyond that, counted in its stats), points a CJ supplier at it with the same
limit, and runs a full sync of 1,000 orders through the real services. Prints the time, the
time the limit implies for the requests made ((requests - 1) / N: the first goes at once),
their ratio (target <= 1.10) and how many requests the simulator refused (target 0).

    python bench/bench_ratelimit.py [--orders 1000] [--rate 5] [--page-size 20]

A benchmark that prints figures, not a timed test.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from ordertui import config as config_mod
from ordertui.services.core import Services
from ordertui.simulators.cj import CJSimConfig, CJSimulator
from ordertui.simulators.common import start_in_thread


async def run(orders: int, rate: float, page_size: int, latency_ms: float) -> int:
    sim = CJSimulator(CJSimConfig(orders=orders, rate_limit=rate, auth_interval_s=0,
                                  latency_ms=latency_ms))
    running = start_in_thread(sim)
    try:
        with tempfile.TemporaryDirectory(prefix="ordertui-bench-") as tmp:
            settings = {"kind": "cj", "base_url": running.base_url,
                        "api_key": sim.config.api_key, "rate_limit": rate,
                        "page_size": page_size}
            config = config_mod.parse({"suppliers": {"cj": settings}},
                                      Path(tmp) / "config.toml", Path(tmp) / "data")
            services = Services(config)
            started = time.monotonic()
            report = await services.sync("cj")
            elapsed = time.monotonic() - started
            await services.aclose()
        stats = sim.stats.snapshot()
        requests = stats["counters"].get("requests", 0)
        refused = stats["counters"].get("rate_limited", 0)
        implied = max(requests - 1, 0) / rate
        ratio = elapsed / implied if implied else float("nan")
        print(f"full sync of {report.orders:,} orders at {rate:g} req/s "
              f"(page size {page_size}, latency {latency_ms:g} ms)")
        print(f"  requests            {requests}")
        print(f"  time                {elapsed:.2f} s")
        print(f"  implied by limit    {implied:.2f} s")
        print(f"  ratio               {ratio:.3f}   (target <= 1.10)")
        print(f"  rate-limit errors   {refused}   (target 0)")
        if report.errors:
            print(f"  sync errors         {report.errors}")
        return 0 if not report.errors and refused == 0 and ratio <= 1.10 else 1
    finally:
        running.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=5.0, help="requests per second")
    parser.add_argument("--page-size", type=int, default=20, help="CJ's default is 20")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args()
    sys.exit(asyncio.run(run(args.orders, args.rate, args.page_size, args.latency_ms)))


if __name__ == "__main__":
    main()
