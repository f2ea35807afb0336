"""Where the app's time goes on a big store: pyinstrument around a pilot-driven session.

    python bench/profile_app.py bench/.data/orders-1000000-s1042 [-o profile.txt] [--html]

``run.py`` says *how long* from outside; this says *why*, inside one process: the import
and first window, then the same keys as ``run.py`` (j, pagedown, G, the filter "willia",
sort by total, an order's details), each waited for until the table is idle. It prints
the profile (pyinstrument's text report: the event loop's thread only; store queries run in
the query threads and show as waits) and, with ``--heap``, the Python heap against the
resident memory, which tells a large Python structure from SQLite's page cache.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path


def rss_mb() -> float:
    text = Path("/proc/self/status").read_text()
    m = re.search(r"^VmRSS:\s+(\d+) kB", text, re.M)
    return int(m.group(1)) / 1024 if m else 0.0


async def session(store: Path, marks: list[tuple[str, float]], first_only: bool) -> None:
    from ordertui import config as config_mod
    from ordertui.services import Services
    from ordertui.tui.app import OrderTUI
    from ordertui.tui.widgets.order_table import OrderTable

    cfg = Path(tempfile.mkdtemp(prefix="ordertui-profile-")) / "config.toml"
    cfg.write_text("[app]\nsync_interval_s = 3600\n")
    config = config_mod.load(cfg, store)
    config.data_dir = store
    app = OrderTUI(Services(config))
    t0 = time.perf_counter()

    def mark(what: str) -> None:
        marks.append((what, time.perf_counter() - t0))

    async with app.run_test(size=(120, 40)) as pilot:
        table = None
        while table is None or not table.buffer:
            await pilot.pause(0.01)
            tables = app.screen.query(OrderTable)
            table = tables.first() if tables else None
        mark("first window")
        if first_only:
            await app.action_quit()
            return

        async def press(*keys: str) -> None:
            assert table is not None
            await pilot.press(*keys)
            await pilot.pause()
            await table.wait_idle()
            await pilot.pause()

        for _ in range(3):
            await press("j")
        mark("j ×3")
        for _ in range(3):
            await press("pagedown")
        mark("pagedown ×3")
        await press("G")
        mark("G")
        await press("g")
        await press("slash", *"willia")
        await asyncio.sleep(0.5)  # the filter may wait for the typist to pause
        await table.wait_idle()
        mark("filter willia")
        await press("escape")
        await press("s", *["down"] * 6, "enter")
        mark("sort by total")
        await press("enter")
        await pilot.pause(0.3)
        mark("details")
        await press("escape")
        await app.action_quit()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store", type=Path, help="a data directory made by ordertui demo seed")
    ap.add_argument("-o", "--output", type=Path, help="write the profile here (default: stdout)")
    ap.add_argument("--html", action="store_true", help="an HTML profile instead of text")
    ap.add_argument("--first-only", action="store_true", help="stop at the first window")
    ap.add_argument("--heap", action="store_true",
                    help="trace the Python heap too (slows everything down)")
    opts = ap.parse_args()
    from pyinstrument import Profiler

    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    marks: list[tuple[str, float]] = []
    if opts.heap:
        tracemalloc.start()
    profiler = Profiler(interval=0.001, async_mode="enabled")
    profiler.start()
    asyncio.run(session(opts.store.resolve(), marks, opts.first_only))
    profiler.stop()
    heap, peak = tracemalloc.get_traced_memory() if opts.heap else (0, 0)
    report = profiler.output_html() if opts.html else profiler.output_text(
        unicode=True, show_all=False, timeline=False)
    if opts.output:
        opts.output.write_text(report)
    else:
        print(report)
    for what, t in marks:
        print(f"{t:8.3f} s  {what}", file=sys.stderr)
    print(f"RSS {rss_mb():.1f} MB (with the profiler's own)"
          + (f"; Python heap {heap / 2**20:.1f} MB, peak {peak / 2**20:.1f} MB"
             if opts.heap else ""), file=sys.stderr)


if __name__ == "__main__":
    main()
