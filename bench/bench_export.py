"""Export speed against bare baselines, and peak memory as the export grows.

    python bench/bench_export.py                    # 100,000 orders; memory at 1,000,000
    python bench/bench_export.py --large 300000     # a quicker memory comparison
    python bench/bench_export.py --large 0          # speed only
    python bench/bench_export.py --memory-only      # memory only

For each format it times, in the same run and on the same store:

- ``ours``: ``run_export`` end to end (store -> rows -> neutralised cells -> file, fsync,
  rename);
- ``read``: reading the same orders from the store alone (``Store.iter_ids`` and
  ``Store.load_orders``), the floor that every export of these orders pays;
- ``bare``: the bare writer alone on the same rows, materialised in memory first: Python's
  ``csv`` writer for CSV, openpyxl's write-only mode (plain values, no styles) for XLSX.

and prints ``ours / (read + bare)``, the cost of our export against the simplest program
that reads these orders and writes them with the bare writer (target: 1.3x at most), and
``(ours - read) / bare``, our row building and cell conversion against the writer alone.

Peak memory (the process's own resident high-water mark) is measured in a fresh process
per export, for the small and the large store, next to a process that only loads the modules
and opens the store, so that flat memory shows as the same figure at both sizes. Stores are
made with ``ordertui demo seed`` and cached under ``bench/.data/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"
SEED = 7
FORMATS = ("csv-excel", "csv", "xlsx")


def ensure_store(orders: int) -> Path:
    """A data directory holding ``orders`` demo orders, made once and reused."""
    directory = DATA / f"store-{orders}"
    marker = directory / ".seeded"
    if marker.exists():
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    print(f"seeding a demo store with {orders:,} orders in {directory} (once) ...",
          file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-m", "ordertui", "--config", str(_config()),
                    "--data-dir", str(directory), "demo", "seed", "--orders", str(orders),
                    "--seed", str(SEED)], check=True)
    marker.write_text(f"{orders}\n")
    return directory


def _config() -> Path:
    path = DATA / "config.toml"  # empty: the demo supplier, nothing from the user's config
    DATA.mkdir(parents=True, exist_ok=True)
    path.touch()
    return path


def _services(directory: Path) -> Any:
    from ordertui.config import parse
    from ordertui.services import Services

    return Services(parse({}, _config(), directory))


def _batches(services: Any) -> Any:
    """The export's batches: the orders, and what went back to their customers and came
    back from their supplier."""
    from ordertui.domain.query import OrderQuery
    from ordertui.export.service import BATCH_SIZE

    store = services.store
    for ids in store.iter_ids(OrderQuery(sort=OrderQuery().sort, descending=False),
                              BATCH_SIZE):
        yield store.load_orders(ids), store.money_moved(ids)


def _orders(services: Any) -> Any:
    for orders, _moved in _batches(services):
        yield from orders


def time_read(services: Any) -> float:
    started = time.perf_counter()
    for _ in _orders(services):
        pass
    return time.perf_counter() - started


def materialise(services: Any, per: str) -> tuple[list[str], list[list[Any]], list[list[Any]]]:
    """The header and the exact cells of our files: strings as our CSV holds them, plain
    values (text, int, Decimal, naive datetime) as our XLSX holds them."""
    from ordertui.domain.money import Money
    from ordertui.export.columns import resolve_columns, row_builder
    from ordertui.export.safety import cell_text
    from ordertui.export.writers import _CSV_CONVERTERS, amount

    columns = resolve_columns(None, per)
    build = row_builder(columns, per)
    to_csv = [_CSV_CONVERTERS[c.kind] for c in columns]

    def plain(v: Any) -> Any:
        if isinstance(v, Money):
            return amount(v)
        if isinstance(v, str):
            return cell_text(v) or None
        return v

    csv_rows: list[list[Any]] = []
    xlsx_rows: list[list[Any]] = []
    for orders, moved in _batches(services):
        for row in build(orders, moved):
            csv_rows.append([f(v) for f, v in zip(to_csv, row, strict=True)])
            xlsx_rows.append([plain(v) for v in row])
    return [c.label for c in columns], csv_rows, xlsx_rows


def bare_csv(path: Path, header: list[str], rows: list[list[Any]], bom: bool) -> float:
    started = time.perf_counter()
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
        f.flush()
        os.fsync(f.fileno())
    return time.perf_counter() - started


def bare_xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> float:
    from openpyxl import Workbook

    started = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Orders")
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return time.perf_counter() - started


def ours(services: Any, fmt: str, path: Path, per: str) -> tuple[float, int]:
    from ordertui.domain.query import OrderQuery
    from ordertui.export.request import ExportRequest

    started = time.perf_counter()
    result = services.export(ExportRequest(OrderQuery(descending=False), fmt, path,
                                                per=per, force=True))
    return time.perf_counter() - started, result.rows


def speed(orders: int, repeat: int, per: str, formats: tuple[str, ...]) -> None:
    directory = ensure_store(orders)
    services = _services(directory)
    out = DATA / "out"
    out.mkdir(exist_ok=True)
    suffix = {f: ".xlsx" if f == "xlsx" else ".csv" for f in formats}
    # ours first, on a clean heap: the rows materialised for the baselines are millions of
    # live objects that the garbage collector would otherwise walk during our run
    read = min(time_read(services) for _ in range(repeat))
    mine = {f: min(ours(services, f, out / f"ours-{f}{suffix[f]}", per)[0]
                   for _ in range(repeat)) for f in formats}
    header, csv_rows, xlsx_rows = materialise(services, per)
    gc.collect()
    gc.freeze()  # the same courtesy for the baselines
    bare = {}
    for f in formats:
        if f == "xlsx":
            bare[f] = min(bare_xlsx(out / "bare.xlsx", header, xlsx_rows) for _ in range(repeat))
        else:
            bare[f] = min(bare_csv(out / f"bare-{f}.csv", header, csv_rows, f == "csv-excel")
                          for _ in range(repeat))
    del csv_rows, xlsx_rows
    gc.unfreeze()
    gc.collect()
    print(f"\n{orders:,} orders ({per} layout, {len(header)} columns), best of {repeat}\n")
    print(f"{'format':<10} {'ours':>8} {'read':>7} {'bare':>7} {'read+bare':>10} "
          f"{'ratio':>7} {'(ours-read)/bare':>17}")
    for f in formats:
        ratio = mine[f] / (read + bare[f])
        print(f"{f:<10} {mine[f]:7.2f}s {read:6.2f}s {bare[f]:6.2f}s {read + bare[f]:9.2f}s "
              f"{ratio:6.2f}x {(mine[f] - read) / bare[f]:16.2f}x"
              + ("" if ratio <= 1.3 else "   (above 1.3x)"), flush=True)


def peak_rss(args: list[str]) -> int:
    """Peak resident memory in MB of a fresh process running this script with ``args``.

    The child reports its own high-water mark (VmHWM) when it is done: the rusage of a
    child would also count the pages of this process, which it shares until exec."""
    out = subprocess.run([sys.executable, __file__, *args], check=True, stdout=subprocess.PIPE,
                         text=True).stdout
    return int(out.strip().splitlines()[-1]) // 1024


def _own_peak_kb() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KB on Linux


def memory(small: int, large: int, formats: tuple[str, ...], per: str) -> None:
    dirs = {n: ensure_store(n) for n in (small, large)}
    idle = peak_rss(["--child-idle", str(dirs[small])])
    print(f"\npeak memory (VmHWM of a fresh process per export; {idle} MB with the modules "
          "loaded and the store open)\n")
    print(f"{'format':<10} {small:>12,} {large:>12,}   orders")
    for fmt in formats:
        figures = []
        for n in (small, large):
            started = time.perf_counter()
            mb = peak_rss(["--child-export", fmt, str(dirs[n]), per])
            figures.append(f"{mb:>9} MB")
            print(f"  ({fmt}, {n:,} orders: {time.perf_counter() - started:.0f} s)",
                  file=sys.stderr, flush=True)
        print(f"{fmt:<10} {figures[0]:>12} {figures[1]:>12}", flush=True)


def child_export(fmt: str, directory: str, per: str) -> None:
    services = _services(Path(directory))
    suffix = ".xlsx" if fmt == "xlsx" else ".csv"
    ours(services, fmt, DATA / "out" / f"memory-{fmt}{suffix}", per)


def child_idle(directory: str) -> None:
    """The fixed part: interpreter, modules and an open store, no export."""
    import openpyxl  # noqa: F401

    from ordertui.domain.query import OrderQuery
    from ordertui.export import service  # noqa: F401

    _services(Path(directory)).count(OrderQuery())


def main() -> None:
    if sys.argv[1:2] == ["--child-export"]:
        child_export(*sys.argv[2:5])
        print(_own_peak_kb())
        return
    if sys.argv[1:2] == ["--child-idle"]:
        child_idle(sys.argv[2])
        print(_own_peak_kb())
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=1_000_000,
                        help="store size for the memory comparison (0: skip it)")
    parser.add_argument("--repeat", type=int, default=1, help="best of this many runs")
    parser.add_argument("--per", choices=("order", "line-item"), default="order")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--memory-only", action="store_true", help="skip the timings")
    args = parser.parse_args()
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    (DATA / "out").mkdir(parents=True, exist_ok=True)
    if not args.memory_only:
        speed(args.orders, args.repeat, args.per, formats)
    if args.large:
        memory(args.orders, args.large, formats, args.per)


if __name__ == "__main__":
    main()
