"""ordertui against its baselines, through a real pseudo-terminal, in one table.

    python bench/run.py              # 1,000 / 100,000 / 1,000,000 orders, anchors at 100,000
    python bench/run.py --quick      # about 3 minutes: 1,000 and 100,000 orders (what CI runs)
    python bench/run.py --markdown   # the same table in Markdown, for the README
    python bench/run.py --postgres   # SQLite and PostgreSQL side by side, largest store only

The largest store is measured on PostgreSQL too, its copy made with ``ordertui store copy``
(``pg.py``), with a sync of changed orders on both backends (``bench_sync.py``). The Shopify
shop's sync (``bench_shops.py``) runs last, in the same table.

Why a pty and not Textual's pilot: the merchant's experience is the process start, the
imports, the bytes over the wire and the moment the terminal shows the answer; the pilot
sees none of those. Every figure here is timed from outside the app (see ``ptyapp.py``).

Stores are made with ``ordertui demo seed`` and cached in ``bench/.data/`` (git-ignored);
``--reseed`` makes them again. Each figure is the median of several runs, shown with its
min and max. Targets missed are reported, not failures: the exit status is non-zero only if
the harness could not measure something (a screen never appeared), or with ``--strict``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pg  # beside this file: on sys.path
from bench_shops import measure as measure_shops
from bench_sync import measure as measure_sync
from ptyapp import Lines, PtyApp, Timeout, clean_env

BENCH = Path(__file__).resolve().parent
DATA = BENCH / ".data"
RESULTS = BENCH / "results"
SEED = 1042
FILTER = "willia"  # typing "williams": a customer-name prefix common in every demo shop
CLI_SEARCH = "Mary Williams"
SORT_TOTAL_INDEX = 6  # Date, Order, Status, Customer, Country, Items, Total
TYPING_GAP_S = 0.06  # a fast typist; pastes arrive faster, slow typists slower

#: a table row: its order name and its date, as English (2026-12-06) or German (06.12.2026)
#: writes it
ROW = re.compile(r"#\d+\s+(?:\d{4}-\d\d-\d\d|\d\d\.\d\d\.\d{4})")
#: the language of the German starts (read from LANG, as over ssh)
GERMAN = {"LANG": "de_DE.UTF-8"}
GERMAN_STATUS = re.compile(r"^\s*(?:[\d.]+ von [\d.]+|≥[\d.]+ Bestellungen|0 Bestellungen)")
STATUS = re.compile(r"^\s*((?:[\d,]+ of [\d,]+)|(?:≥[\d,]+ orders)|(?:0 orders))(?: · |$)")


# --- reading the screen ------------------------------------------------------------------
def table_rows(lines: Lines) -> list[str]:
    return [line for line in lines if ROW.search(line)]


def position(lines: Lines) -> str | None:
    """The status line's first part: "37 of 1,000,000" (or "≥500 orders" before a count)."""
    for line in reversed(lines):
        m = STATUS.match(line)
        if m:
            return m.group(1)
    return None


def status_line(lines: Lines) -> str:
    return next((line for line in reversed(lines) if STATUS.match(line)), "")


def header(lines: Lines) -> str:
    return next((line for line in lines if "Order" in line and "Customer" in line), "")


def orders_painted(lines: Lines) -> bool:
    """The orders screen's first useful frame: its title, a table row and the status line
    (in German: its title, a row and the status line's count)."""
    if not lines or not table_rows(lines):
        return False
    if "ordertui · Orders" in lines[0]:
        return position(lines) is not None
    return "ordertui · Bestellungen" in lines[0] and any(
        GERMAN_STATUS.match(line) for line in lines)


def details_painted(lines: Lines) -> bool:
    text = "\n".join(lines)
    return bool(lines) and "ordertui · Order #" in lines[0] and "Items" in text \
        and "Customer and shipping" in text


# --- figures -----------------------------------------------------------------------------
@dataclass
class Series:
    values: list[float] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.values)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def spread(self) -> float:
        """(max - min) / median: how much the runs disagreed."""
        m = self.median
        return (max(self.values) - min(self.values)) / m if m else 0.0


class Results:
    def __init__(self) -> None:
        self.series: dict[tuple[str, str], Series] = {}
        self.notes: list[str] = []
        self.errors: list[str] = []

    def get(self, figure: str, subject: str) -> Series:
        return self.series.setdefault((figure, subject), Series())

    def add(self, figure: str, subject: str, value: float) -> None:
        self.get(figure, subject).values.append(value)

    def fail(self, figure: str, subject: str, error: str) -> None:
        s = self.get(figure, subject)
        s.error = s.error or error
        self.errors.append(f"{figure} [{subject}]: {error}")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --- data --------------------------------------------------------------------------------
def ordertui_argv() -> list[str]:
    script = Path(sys.executable).with_name("ordertui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ordertui"]


class Env:
    """A throw-away home and config: no sync during measurement, nothing of the caller's."""

    def __init__(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="ordertui-bench-")
        self.home = Path(self._tmp.name)
        self.config = self.home / "config.toml"
        self.config.write_text("[app]\nsync_interval_s = 3600\n")

    def for_store(self, store: Path) -> dict[str, str]:
        return clean_env(self.home, {"ORDERTUI_DATA_DIR": str(store),
                                     "ORDERTUI_CONFIG": str(self.config)})

    def close(self) -> None:
        self._tmp.cleanup()


def catch_up(env: Env, store: Path, extra: dict[str, str] | None = None) -> float:
    """Sync the store with ``ordertui sync`` before each start of the app, timed.

    Every start should meet the same store: synced, so the app's own start-up sync has
    nothing to do. Otherwise a backlog (the demo supplier decides cancellations as
    wall-clock time passes; a lost sync cursor means relisting every order) is worked
    through while we measure: minutes, megabytes of terminal output and tens of MB of
    memory at 1,000,000 orders. The time is reported, so such a backlog still shows.
    """
    return timed_command([*ordertui_argv(), "sync"], {**env.for_store(store), **(extra or {})})


def prepare_store(env: Env, n: int, reseed: bool) -> tuple[Path, dict[str, object]]:
    """The cached store of ``n`` demo orders, made once; returns it and how it was made."""
    store = DATA / f"orders-{n}-s{SEED}"
    marker = store / "bench.json"
    if marker.exists() and not reseed:
        return store, json.loads(marker.read_text()) | {"cached": True}
    if store.exists():
        subprocess.run(["rm", "-rf", str(store)], check=True)
    store.mkdir(parents=True)
    log(f"seeding {n:,} demo orders into {store.relative_to(BENCH.parent)} …")
    t0 = time.perf_counter()
    subprocess.run([*ordertui_argv(), "demo", "seed", "--orders", str(n), "--seed", str(SEED)],
                   env=env.for_store(store), check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)
    info: dict[str, object] = {"orders": n, "seed": SEED,
                               "seconds": round(time.perf_counter() - t0, 2),
                               "when": time.strftime("%Y-%m-%d %H:%M")}
    marker.write_text(json.dumps(info))
    return store, info | {"cached": False}


# --- measuring ordertui ------------------------------------------------------------------
START_QUIET_S = 2.5  # longer than the app's 2 s watcher, whose first tick follows start-up


def settle(app: PtyApp, quiet: float = 0.5, timeout: float = 300) -> None:
    """Until no sync is running and the app has been quiet for ``quiet`` seconds."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        app.wait_quiet(quiet, timeout)
        if "syncing" not in status_line(app.lines()):
            return
        time.sleep(0.2)
    raise Timeout("the start-up sync never finished")


def key_latency(app: PtyApp, key: str, done: Callable[[str | None, str | None], bool]
                ) -> tuple[float, int]:
    """Latency of one key (written → the status line's position shows the move) and the
    bytes the app wrote for it (until it was quiet for 0.3 s again)."""
    app.wait_quiet(0.2, 30)
    before = position(app.lines())
    t = app.key(key)
    hit = app.wait_for(lambda lines: done(before, position(lines)), 60, after=t)
    app.wait_quiet(0.3, 30)
    return hit - t, app.bytes_between(t, app.last_output)


def changed(before: str | None, now: str | None) -> bool:
    return now is not None and now != before


def at_last(before: str | None, now: str | None) -> bool:
    if now is None or " of " not in now:
        return False
    row, total = now.split(" of ")
    return row == total


def final_state_time(app: PtyApp, t: float, first: Callable[[Lines], bool],
                     quiet: float = 1.0) -> float:
    """When the screen first showed its final answer: wait for a plausible answer, let the
    app settle, then find the first recorded state equal to the final one, so an early
    answer for a shorter prefix or a stale window does not count."""
    app.wait_for(first, 120, after=t)
    app.wait_stable(quiet, 120)
    final = table_rows(app.lines())
    hit = app.first(lambda lines: first(lines) and table_rows(lines) == final, t)
    assert hit is not None
    return hit


class Session:
    """One start of ordertui on one store, and the interactions measured in it."""

    def __init__(self, env: Env, store: Path, subject: str, res: Results,
                 extra: dict[str, str] | None = None) -> None:
        """``extra``: more environment, for the app and its catch-up (LANG, the PostgreSQL
        store's ORDERTUI_STORE_URL)."""
        self.env, self.store, self.subject, self.res = env, store, subject, res
        self.extra = extra or {}
        self.app = PtyApp(ordertui_argv(), {**env.for_store(store), **self.extra})

    def run(self, steps: list[str], opts: argparse.Namespace) -> None:
        self.res.add("catch_up", self.subject, catch_up(self.env, self.store, self.extra))
        try:
            self.start(settled=bool(steps))
            for step in steps:
                getattr(self, f"step_{step}")(opts)
        finally:
            self.app.stop()

    def measure(self, figure: str, fn: Callable[[], float]) -> None:
        try:
            self.res.add(figure, self.subject, fn())
        except Timeout as exc:
            self.res.fail(figure, self.subject, str(exc).splitlines()[0])
            log(f"  {figure} [{self.subject}]: {exc}")
            self.app.key("escape")
            settle(self.app)

    def start(self, settled: bool) -> None:
        """First paint; then, before keys are measured, wait out the start-up work."""
        t0 = self.app.start()
        hit = self.app.wait_for(orders_painted, 180, after=t0)
        self.res.add("paint", self.subject, hit - t0)
        settle(self.app, START_QUIET_S if settled else 0.5)
        self.res.add("rss_paint", self.subject, self.app.rss_kb() / 1024)
        if settled:
            self.res.add("start_bytes", self.subject, self.app.bytes_total)

    def step_idle(self, opts: argparse.Namespace) -> None:
        b0 = self.app.bytes_total
        time.sleep(opts.idle)
        self.res.add("idle_bytes", self.subject, self.app.bytes_total - b0)

    def step_keys(self, opts: argparse.Namespace) -> None:
        for _ in range(opts.reps):
            self.measure("key_j", lambda: key_latency(self.app, "j", changed)[0])
        for _ in range(opts.reps):
            def pagedown() -> float:
                latency, nbytes = key_latency(self.app, "pagedown", changed)
                self.res.add("pagedown_bytes", self.subject, nbytes)
                return latency
            self.measure("key_pagedown", pagedown)

    def step_repaint(self, opts: argparse.Namespace) -> None:
        """Bytes of one full repaint of this screen: SIGWINCH at the same size, which
        Textual answers by redrawing everything (a re-attached tmux does the same)."""
        app = self.app
        app.wait_quiet(0.5, 30)
        b0 = app.bytes_total
        app.winch()
        app.wait_quiet(0.5, 30)
        nbytes = app.bytes_total - b0
        if nbytes < 1000:  # no repaint for a same-size SIGWINCH: force one by a real resize
            app.resize(app.cols, app.rows - 1)
            app.wait_quiet(0.5, 30)
            b0 = app.bytes_total
            app.resize(app.cols, app.rows + 1)
            app.wait_quiet(0.5, 30)
            nbytes = app.bytes_total - b0
        self.res.add("repaint_bytes", self.subject, nbytes)

    def step_last(self, opts: argparse.Namespace) -> None:
        self.measure("key_G", lambda: key_latency(self.app, "G", at_last)[0])
        settle(self.app)
        self.res.add("rss_last", self.subject, self.app.rss_kb() / 1024)
        with contextlib.suppress(Timeout):
            key_latency(self.app, "g", changed)

    def step_details(self, opts: argparse.Namespace) -> None:
        app = self.app
        for i in range(opts.reps):
            if i:
                key_latency(app, "j", changed)  # another order, not a cached one
            app.wait_quiet(0.2, 30)

            def open_details() -> float:
                t = app.key("enter")
                return app.wait_for(details_painted, 60, after=t) - t
            self.measure("details", open_details)
            app.wait_quiet(0.2, 30)
            t = app.key("escape")
            app.wait_for(orders_painted, 60, after=t)
            settle(app)

    def step_filter(self, opts: argparse.Namespace) -> None:
        app = self.app
        app.wait_quiet(0.2, 30)
        rows0 = table_rows(app.lines())
        app.key("/")
        app.wait_stable(0.3, 30)  # the box opens; its cursor blinks, so bytes never stop
        app.record()
        t = 0.0
        for ch in FILTER:
            t = app.key(ch)
            time.sleep(TYPING_GAP_S)

        def answered(lines: Lines) -> bool:
            return f'search "{FILTER}"' in status_line(lines) and table_rows(lines) != rows0
        self.measure("filter", lambda: final_state_time(app, t, answered) - t)
        app.history = None
        app.key("escape")
        settle(app)

    def step_sort(self, opts: argparse.Namespace) -> None:
        app = self.app
        app.wait_quiet(0.2, 30)
        rows0 = table_rows(app.lines())
        t = app.key("s")
        app.wait_for(lambda lines: "Sort orders by" in "\n".join(lines), 30, after=t)
        for _ in range(SORT_TOTAL_INDEX):
            app.key("down")
            time.sleep(0.03)
        app.wait_quiet(0.2, 30)
        app.record()
        t = app.key("enter")

        def sorted_by_total(lines: Lines) -> bool:
            return re.search(r"Total [▼▲]", header(lines)) is not None \
                and table_rows(lines) != rows0
        self.measure("sort_total", lambda: final_state_time(app, t, sorted_by_total) - t)
        app.history = None


# --- measuring the baselines ---------------------------------------------------------------
def baseline_paint(env: Env, argv: list[str], subject: str, res: Results, min_rows: int,
                   timeout: float) -> None:
    """Start to the first frame that shows ``min_rows`` table rows, and memory then."""
    app = PtyApp(argv, clean_env(env.home))
    try:
        t0 = app.start()
        hit = app.wait_for(lambda lines: len(table_rows(lines)) >= min_rows, timeout, after=t0)
        res.add("paint", subject, hit - t0)
        app.wait_quiet(0.5, timeout)
        res.add("rss_paint", subject, app.rss_kb() / 1024)
    except Timeout as exc:
        res.fail("paint", subject, str(exc).splitlines()[0])
    finally:
        app.stop()


def timed_command(argv: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


# --- the table -----------------------------------------------------------------------------
@dataclass
class Row:
    figure: str
    ours: Series
    ours_label: str
    base: Series | None
    base_label: str
    target: str  # "≤ 1.3×", "≥ 10×", "= 0", "" (reported only)
    unit: str  # "s", "ms", "MB", "B"
    inverse: bool = False  # ratio = base / ours (we must be faster or smaller)

    def ratio(self) -> float | None:
        if not (self.ours.ok and self.base is not None and self.base.ok):
            return None
        a, b = self.ours.median, self.base.median
        if self.inverse:
            a, b = b, a
        return a / b if b else None

    def passed(self) -> bool | None:
        if not self.target or not self.ours.ok:
            return None
        limit = float(re.sub(r"[^\d.]", "", self.target))
        if self.target.startswith("="):
            return self.ours.median == limit
        r = self.ratio()
        if r is None:
            return None
        return r <= limit if self.target.startswith("≤") else r >= limit


def fmt(s: Series | None, unit: str) -> str:
    if s is None:
        return "—"
    if not s.ok:
        return "missing"

    def one(v: float) -> str:
        if unit == "ms":
            return f"{v * 1000:,.0f}" if v >= 0.01 else f"{v * 1000:.1f}"
        if unit == "s":
            return f"{v:,.2f}"
        return f"{v:,.0f}"
    text = f"{one(s.median)} {unit}"
    if len(s.values) > 1:
        text += f" [{one(min(s.values))}–{one(max(s.values))}]"
    return text


def render(rows: list[Row], markdown: bool) -> str:
    head = ["figure", "ordertui", "measured on", "baseline", "baseline is", "ratio", "target",
            "ok"]
    body = []
    for r in rows:
        ratio = r.ratio()
        ok = r.passed()
        mark = {True: "✓", False: "✗", None: ""}[ok]
        if not r.ours.ok or (r.base is not None and not r.base.ok):
            mark = "missing"
        body.append([r.figure, fmt(r.ours, r.unit), r.ours_label, fmt(r.base, r.unit),
                     r.base_label, f"{ratio:.2f}×" if ratio is not None else "",
                     r.target or "reported", mark])
    if markdown:
        out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        out += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in body]
        return "\n".join(out)
    widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head))]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(c.ljust(w) for c, w in zip(head, widths, strict=True)), line]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in body]
    return "\n".join(out)


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=BENCH, text=True,
                         capture_output=True).stdout.strip() or "?"
    return (f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, Textual {metadata.version('textual')}, "
            f"textual-fastdatatable {metadata.version('textual-fastdatatable')}, "
            f"ordertui at {rev}")


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --- the run -----------------------------------------------------------------------------
def german_starts(env: Env, store: Path, res: Results, opts: argparse.Namespace) -> None:
    """Starts in German (LANG as ssh forwards it), after one that compiles the catalogue as
    the first German start of an installation does."""
    timed_command([*ordertui_argv(), "--version"], {**env.for_store(store), **GERMAN})
    for _ in range(opts.runs):
        Session(env, store, "big_de", res, GERMAN).run([], opts)


def language_only(big: int, big_label: str, opts: argparse.Namespace) -> int:
    """English and German starts, alternating, on the largest store: first paint and memory
    side by side."""
    res = Results()
    env = Env()
    try:
        store, _info = prepare_store(env, big, opts.reseed)
        log(f"ordertui on {big:,} orders: {opts.runs} starts in English, {opts.runs} in German")
        timed_command([*ordertui_argv(), "--version"], {**env.for_store(store), **GERMAN})
        for _ in range(opts.runs):
            Session(env, store, "big", res).run([], opts)
            Session(env, store, "big_de", res, GERMAN).run([], opts)
    finally:
        env.close()
    S = res.get
    rows = [Row("start → first paint in German", S("paint", "big_de"), big_label,
                S("paint", "big"), "English", "≤ 1.05×", "s"),
            Row("memory (RSS) after first paint in German", S("rss_paint", "big_de"),
                big_label, S("rss_paint", "big"), "English", "≤ 1.05×", "MB")]
    print(render(rows, opts.markdown))
    return 0 if all(r.passed() is not False for r in rows) or not opts.strict else 1


# --- PostgreSQL beside SQLite ----------------------------------------------------------------
PG_STEPS = ["keys", "last", "details", "filter", "sort"]


def postgres_part(env: Env, store: Path, res: Results, opts: argparse.Namespace,
                  sqlite_too: bool) -> dict[str, object]:
    """The largest store's PostgreSQL copy: the same starts and keys as on SQLite (``big_pg``;
    alternating with SQLite starts, ``big``, when ``sqlite_too``), then a sync of changed
    orders on both. Returns how the copy was made."""
    server = pg.server(DATA / "postgres")
    try:
        twin = pg.twin(server.url, store, ordertui_argv(), env.for_store(store), opts.reseed,
                       log)
        log(f"ordertui on the PostgreSQL copy{' and on SQLite' if sqlite_too else ''}: "
            f"{opts.runs} starts{' each' if sqlite_too else ''}")
        for i in range(opts.runs):
            steps = PG_STEPS if i >= opts.runs - opts.interact else []
            if sqlite_too:
                Session(env, store, "big", res).run(steps, opts)
            Session(env, twin.store, "big_pg", res, twin.env()).run(steps, opts)
        log(f"a sync of {opts.sync_changed:,} orders the supplier changed, SQLite and "
            "PostgreSQL")
        try:
            synced = measure_sync(store, twin, server.url, opts.sync_changed, opts.sync_runs,
                                  ordertui_argv(), env.for_store, log)
            for value in synced["sqlite"]:
                res.add("sync_changed", "big", value)
            for value in synced["postgres"]:
                res.add("sync_changed", "big_pg", value)
        except Exception:
            traceback.print_exc()
            res.fail("sync_changed", "big_pg", "the sync benchmark failed: "
                     + traceback.format_exc().splitlines()[-1])
        return twin.info
    finally:
        server.stop()


def postgres_rows(S: Callable[[str, str], Series], big_s: str, opts: argparse.Namespace,
                  info: dict[str, object]) -> list[Row]:
    """Each figure on PostgreSQL against the same on SQLite: within 1.5×."""
    on = f"{big_s}, PostgreSQL"
    figures = [("start → first paint", "paint", "s"), ("pagedown", "key_pagedown", "ms"),
               ("j", "key_j", "ms"), ("G (last row)", "key_G", "ms"),
               (f'filter "{FILTER}": last key → table', "filter", "ms"),
               ("sort by total → first window", "sort_total", "ms"),
               ("open an order's details", "details", "ms"),
               ("memory (RSS) after first paint", "rss_paint", "MB"),
               ("memory (RSS) after G", "rss_last", "MB"),
               (f"sync {opts.sync_changed:,} changed", "sync_changed", "s")]
    rows = [Row(f"PostgreSQL: {label}", S(figure, "big_pg"), on, S(figure, "big"), "SQLite",
                "≤ 1.5×", unit) for label, figure, unit in figures]
    if info and not info.get("cached"):
        seconds = info.get("seconds", 0)
        rows.append(Row("PostgreSQL: ordertui store copy --to URL", Series(
            [float(seconds) if isinstance(seconds, int | float) else 0.0]), big_s, None, "",
            "", "s"))
    return rows


def postgres_only(big: int, big_s: str, opts: argparse.Namespace) -> int:
    """SQLite and PostgreSQL starts, alternating, on the largest store, and the sync."""
    res = Results()
    env = Env()
    info: dict[str, object] = {}
    try:
        store, _info = prepare_store(env, big, opts.reseed)
        info = postgres_part(env, store, res, opts, sqlite_too=True)
    except Exception:
        traceback.print_exc()
        res.errors.append("the harness failed: " + traceback.format_exc().splitlines()[-1])
    finally:
        env.close()
    rows = postgres_rows(res.get, big_s, opts, info)
    print(render(rows, opts.markdown))
    print()
    print(f"machine: {machine()}")
    print(f"run: python bench/run.py --postgres{' --quick' if opts.quick else ''} · "
          f"{opts.runs} starts per backend, keys ×{opts.reps} in {opts.interact} of them · "
          f"sync ×{opts.sync_runs} · load average {load()} after")
    for e in res.errors:
        print(f"error: {e}")
    if res.errors:
        return 2
    return 1 if opts.strict and any(r.passed() is False for r in rows) else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="1,000 and 100,000 orders only, fewer runs (about 3 minutes; CI)")
    ap.add_argument("--markdown", action="store_true", help="print the table in Markdown")
    ap.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    ap.add_argument("--reseed", action="store_true", help="make the demo stores again")
    ap.add_argument("--runs", type=int,
                    help="app starts per store (default 5; quick 3, keys in the first)")
    ap.add_argument("--language", action="store_true",
                    help="only the starts in English and in German on the largest store, "
                         "side by side (the figures of the German app)")
    ap.add_argument("--postgres", action="store_true",
                    help="only SQLite and PostgreSQL side by side on the largest store: "
                         "starts, keys, memory and a sync of changed orders")
    ap.add_argument("--anchor-rows", type=int,
                    help="rows for the DataTable anchors (default 100,000; quick 5,000)")
    opts = ap.parse_args(argv)
    quick = opts.quick
    opts.runs = opts.runs or (3 if quick else 5)
    opts.interact = 1 if quick else opts.runs  # starts in which the keys are measured
    opts.reps = 2 if quick else 3  # repetitions of a key inside one start
    opts.idle = 3.0 if quick else 10.0
    opts.sync_changed = 2_000 if quick else 10_000  # orders the supplier changes
    opts.sync_runs = 2 if quick else 3
    anchor_rows = opts.anchor_rows or (5_000 if quick else 100_000)
    small, mid = 1_000, 100_000
    big = mid if quick else 1_000_000
    big_label = "100,000 (quick: stands in for 1,000,000)" if quick else "1,000,000"

    started = time.perf_counter()
    if opts.language:
        return language_only(big, big_label, opts)
    if opts.postgres:
        return postgres_only(big, f"{big:,}", opts)
    res = Results()
    env = Env()
    pg_info: dict[str, object] = {}
    load_before = load()
    try:
        stores: dict[int, Path] = {}
        seeds: dict[int, dict[str, object]] = {}
        for n in sorted({small, mid, big}):
            stores[n], seeds[n] = prepare_store(env, n, opts.reseed)
        subjects = {small: "small", big: "big"}
        if mid != big:
            subjects[mid] = "mid"

        # ordertui: several starts per store; the interactions, once per start
        for n, subject in subjects.items():
            log(f"ordertui on {n:,} orders: {opts.runs} starts")
            for i in range(opts.runs):
                # the keys in the last starts: opening details loses the sync cursor (see
                # catch_up), and a start that follows pays for that in its catch-up only
                steps = ["keys", "last", "details", "filter", "sort"] \
                    if subject != "mid" and i >= opts.runs - opts.interact else []
                if subject == "big" and i == opts.runs - opts.interact:
                    steps = ["idle", "repaint", *steps]
                Session(env, stores[n], subject, res).run(steps, opts)

        # the same store in PostgreSQL, and a sync of changed orders on both
        try:
            pg_info = postgres_part(env, stores[big], res, opts, sqlite_too=False)
        except Exception:
            traceback.print_exc()
            res.fail("paint", "big_pg", "the PostgreSQL benchmark failed: "
                     + traceback.format_exc().splitlines()[-1])

        # the same store in German: catalogue and CLDR data loaded at start
        log(f"ordertui in German on {big:,} orders: {opts.runs} starts")
        german_starts(env, stores[big], res, opts)

        log("bare Textual DataTable with 10 rows")
        for _ in range(opts.runs):
            baseline_paint(env, [sys.executable, str(BENCH / "baselines/bare_datatable.py")],
                           "bare", res, 10, 60)

        anchor_runs = 2 if quick else 3
        mid_db = str(stores[mid] / "store.sqlite3")
        log(f"anchors on {anchor_rows:,} rows: fastdatatable, then DataTable")
        for _ in range(opts.runs):
            baseline_paint(env, [sys.executable, str(BENCH / "baselines/fastdatatable_all.py"),
                                 mid_db, str(anchor_rows)], "fastdatatable", res, 10, 300)
        for _ in range(anchor_runs):
            baseline_paint(env, [sys.executable, str(BENCH / "baselines/datatable_all.py"),
                                 mid_db, str(anchor_rows)], "datatable", res, 10, 600)

        log(f"ordertui orders --search {CLI_SEARCH!r} --format json on {big:,} orders")
        for _ in range(3):
            res.add("cli_search", "big", timed_command(
                [*ordertui_argv(), "orders", "--search", CLI_SEARCH, "--format", "json"],
                env.for_store(stores[big])))
        res.add("seed", "big", float(seeds[big]["seconds"]))  # type: ignore[arg-type]
    except Exception:
        traceback.print_exc()
        res.errors.append("the harness failed: " + traceback.format_exc().splitlines()[-1])
    finally:
        env.close()

    # the Shopify shop's sync against the simulator (bench_shops.py), at the standard
    # plan's limits: a first import, then an incremental sync of changed orders
    shop_n, shop_changed = (10_000, 200) if quick else (100_000, 1_000)
    shops: dict[str, float] = {}
    try:
        log(f"Shopify: first import of {shop_n:,} shop orders, then {shop_changed:,} changed")
        shops = measure_shops(shop_n, shop_changed)
        res.add("shop_import", "shop", shops["import_s"])
        res.add("shop_import", "paged", shops["paged_s"])
        if "after_poll_s" in shops:
            res.add("shop_import_own", "shop", shops["after_poll_s"])
        res.add("shop_import_mb", "shop", shops["import_mb"])
        res.add("shop_import_mb", "idle", shops["idle_mb"])
        res.add("shop_incr", "shop", shops["incr_s"])
        res.add("shop_incr", "implied", shops["incr_implied_s"])
        res.add("shop_throttled", "shop", shops["incr_throttled"])
    except Exception:
        traceback.print_exc()
        res.fail("shop_import", "shop", "the Shopify benchmark failed: "
                 + traceback.format_exc().splitlines()[-1])

    S = res.get
    mid_subject = "mid" if mid != big else "big"
    big_s, small_s = f"{big:,}", f"{small:,}"
    faster_anchor = min((S("paint", a) for a in ("datatable", "fastdatatable")
                         if S("paint", a).ok), key=lambda s: s.median, default=Series())
    smaller_anchor = min((S("rss_paint", a) for a in ("datatable", "fastdatatable")
                          if S("rss_paint", a).ok), key=lambda s: s.median, default=Series())
    anchors = f"{anchor_rows:,} rows" + (" (quick: fewer rows)" if anchor_rows < mid else "")
    seed_info = seeds.get(big, {}) if "seeds" in locals() else {}
    seed_label = f"{big_s}" + (f", cached from {seed_info.get('when')}"
                               if seed_info.get("cached") else "")
    rows = [
        Row("start → first paint", S("paint", "big"), big_s, S("paint", "small"), small_s,
            "≤ 1.3×", "s"),
        Row("start → first paint in German", S("paint", "big_de"), big_s, S("paint", "big"),
            "English", "≤ 1.05×", "s"),
        Row("start → first paint vs bare Textual", S("paint", "big"), big_s, S("paint", "bare"),
            "DataTable, 10 rows", "≤ 2×", "s"),
        Row("pagedown", S("key_pagedown", "big"), big_s, S("key_pagedown", "small"), small_s,
            "≤ 1.2×", "ms"),
        Row("j", S("key_j", "big"), big_s, S("key_j", "small"), small_s, "≤ 1.2×", "ms"),
        Row("G (last row)", S("key_G", "big"), big_s, S("key_G", "small"), small_s, "≤ 1.2×",
            "ms"),
        Row(f'filter "{FILTER}": last key → table', S("filter", "big"), big_s,
            S("filter", "small"), small_s, "≤ 2×", "ms"),
        Row("sort by total → first window", S("sort_total", "big"), big_s,
            S("sort_total", "small"), small_s, "≤ 3×", "ms"),
        Row("memory (RSS) after first paint", S("rss_paint", "big"), big_s,
            S("rss_paint", "small"), small_s, "≤ 1.3×", "MB"),
        Row("memory (RSS) after first paint in German", S("rss_paint", "big_de"), big_s,
            S("rss_paint", "big"), "English", "≤ 1.05×", "MB"),
        Row("memory (RSS) after G", S("rss_last", "big"), big_s, S("rss_last", "small"),
            small_s, "≤ 1.3×", "MB"),
        Row(f"bytes written while idle {opts.idle:.0f} s", S("idle_bytes", "big"), big_s, None,
            "", "= 0", "B"),
        Row("bytes for one pagedown", S("pagedown_bytes", "big"), big_s,
            S("repaint_bytes", "big"), "one full repaint", "≤ 1.5×", "B"),
        Row("bytes from start until settled", S("start_bytes", "big"), big_s,
            S("repaint_bytes", "big"), "one full repaint", "", "B"),
        Row("open an order's details", S("details", "big"), big_s, S("details", "small"),
            small_s, "≤ 1.2×", "ms"),
        Row("first paint vs DataTable (all rows)", S("paint", mid_subject), f"{mid:,}",
            S("paint", "datatable"), anchors, "", "s", inverse=True),
        Row("first paint vs fastdatatable", S("paint", mid_subject), f"{mid:,}",
            S("paint", "fastdatatable"), anchors, "", "s", inverse=True),
        Row("first paint vs the faster anchor", S("paint", mid_subject), f"{mid:,}", faster_anchor,
            anchors, "≥ 10×", "s", inverse=True),
        Row("memory vs DataTable (all rows)", S("rss_paint", mid_subject), f"{mid:,}",
            S("rss_paint", "datatable"), anchors, "", "MB", inverse=True),
        Row("memory vs fastdatatable", S("rss_paint", mid_subject), f"{mid:,}",
            S("rss_paint", "fastdatatable"), anchors, "", "MB", inverse=True),
        Row("memory vs the smaller anchor", S("rss_paint", mid_subject), f"{mid:,}", smaller_anchor,
            anchors, "≥ 3×", "MB", inverse=True),
        Row(f"ordertui demo seed --orders {big_s}", S("seed", "big"), seed_label, None, "", "",
            "s"),
        Row("ordertui sync before a start (catch-up)", S("catch_up", "big"), big_s,
            S("catch_up", "small"), small_s, "", "s"),
        Row(f'ordertui orders --search "{CLI_SEARCH}" --format json', S("cli_search", "big"),
            big_s, None, "", "", "s"),
        *postgres_rows(S, big_s, opts, pg_info),
        Row("Shopify: first import (bulk operation)", S("shop_import", "shop"),
            f"{shops.get('shop_orders', shop_n):,.0f} shop orders",
            S("shop_import", "paged"),
            f"paged at {shops.get('restore_rate', 100):g} points/s "
            f"({shops.get('paged_s', 0) / 3600:.1f} h)", "", "s", inverse=True),
        Row("Shopify: first import, after the bulk file was ready", S("shop_import_own", "shop"),
            f"{shops.get('shop_orders', shop_n):,.0f} shop orders", None,
            f"the rest: the simulator's bulk run {shops.get('bulk_run_s', 0):,.0f} s, "
            f"poll interval {shops.get('poll_wait_s', 0):,.0f} s", "", "s"),
        Row("Shopify: peak memory of the first import", S("shop_import_mb", "shop"),
            f"{shops.get('shop_orders', shop_n):,.0f} shop orders", S("shop_import_mb", "idle"),
            "same modules and store, no sync", "", "MB"),
        Row(f"Shopify: incremental sync of {shop_changed:,} changed orders",
            S("shop_incr", "shop"), f"{shops.get('shop_orders', shop_n):,.0f}, standard plan",
            S("shop_incr", "implied"),
            "least time the cost bucket allows", "≤ 1.1×", "s"),
        Row("Shopify: THROTTLED answers in that sync", S("shop_throttled", "shop"),
            f"{shops.get('shop_orders', shop_n):,.0f}, standard plan", None, "", "= 0", ""),
    ]
    elapsed = time.perf_counter() - started
    spreads = sorted(((s.spread, f"{fig} [{sub}]") for (fig, sub), s in res.series.items()
                      if len(s.values) > 2 and s.median > 0 and fig != "catch_up"),
                     reverse=True)
    print(render(rows, opts.markdown))
    print()
    print(f"machine: {machine()}")
    print(f"run: python bench/run.py{' --quick' if quick else ''} · {elapsed:.0f} s · "
          f"{opts.runs} starts per store, keys ×{opts.reps} in {opts.interact} of them · "
          f"120×40 · "
          f"load average {load_before} before, {load()} after")
    if spreads:
        med = statistics.median(s for s, _ in spreads)
        print(f"noise: (max − min) / median per figure: median {med:.0%}, widest "
              + ", ".join(f"{name} {s:.0%}" for s, name in spreads[:3]))
    if quick:
        print(f"quick: the {big_s}-order store stands in for 1,000,000; anchors on "
              f"{anchor_rows:,} rows; idle for {opts.idle:.0f} s instead of 10 s; the "
              f"Shopify shop has {shop_n:,} orders (not 100,000), {shop_changed:,} changed "
              "(not 1,000)")
    for e in res.errors:
        print(f"error: {e}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / ("quick.json" if quick else "full.json")).write_text(json.dumps(
        {f"{fig} [{sub}]": s.values for (fig, sub), s in res.series.items()}, indent=1))
    if res.errors:
        return 2
    if opts.strict and any(r.passed() is False for r in rows):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
