"""Kill ordertui with SIGKILL at random points of sync, export and the outbox runner, many
times in a row on one data directory, against the CJ simulator (``ordertui simulate cj``,
a process of its own) with faults enabled — faults after writes too — then check what is
left: the store passes ``integrity_check``, every action that was requested was performed at
the supplier exactly once, and no export destination holds a partial file.

Each iteration runs one real command (``ordertui sync``, ``ordertui cancel … --yes``,
``ordertui dispute open …``, ``ordertui export … --output X``) and kills it after a random
delay, or lets it finish. A cancel or dispute command whose action reached the outbox counts
as requested. At the end the faults are switched off and one clean session syncs and drains
the outbox (moving its clock past any back-off), as the merchant's next start would.

    python tests/support/crash_harness.py [--iterations 50] [--seed N]   # prints the figures
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ORDERTUI = str(Path(sys.executable).with_name("ordertui"))
API_KEY = "CJ-crash-harness-key-0123456789"
FAULTS = "5xx,html,drop,truncated,after_write"  # stalls and rate limits only cost time
#: while a cancel or dispute command runs: half its writes take effect and lose the answer
ACTING_FAULTS, ACTING_RATE = "after_write", 0.5
UNPAID = ("CREATED", "IN_CART", "UNPAID")
OPERATIONS = ("sync", "cancel", "dispute", "export")


@dataclass
class Figures:
    iterations: int = 0
    killed: int = 0
    killed_in: Counter[str] = field(default_factory=Counter)
    finished: Counter[str] = field(default_factory=Counter)  # exit codes of those not killed
    by_operation: Counter[str] = field(default_factory=Counter)
    requested: int = 0
    performed_once: int = 0
    refused_by_supplier: int = 0
    refusals: list[str] = field(default_factory=list)
    performed_twice: int = 0
    applied_at_supplier: int = 0
    faults: dict[str, int] = field(default_factory=dict)
    exports_complete: int = 0
    exports_absent: int = 0
    exports_partial: list[str] = field(default_factory=list)
    leftover_temp_files: int = 0
    integrity: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    said: Counter[str] = field(default_factory=Counter)  # stderr of the commands that ended

    def summary(self) -> str:
        return (
            f"crash harness: {self.iterations} iterations survived on one data directory "
            f"({self.killed} killed with SIGKILL mid-run {dict(self.killed_in)}, "
            f"{sum(self.finished.values())} finished: exit codes {dict(self.finished)}; "
            f"operations {dict(self.by_operation)})"
            f"\n  actions requested {self.requested}, performed at the supplier exactly once "
            f"{self.performed_once}, refused by the supplier {self.refused_by_supplier}, "
            f"performed twice {self.performed_twice}; the supplier applied "
            f"{self.applied_at_supplier} in all"
            f"{''.join(f'{chr(10)}    refused: {r}' for r in self.refusals)}"
            f"\n  faults injected {sum(self.faults.values())} {self.faults}"
            f"\n  exports: {self.exports_complete} complete, {self.exports_absent} never "
            f"written, {len(self.exports_partial)} partial; temporary files left by killed "
            f"exports: {self.leftover_temp_files}"
            f"\n  integrity_check: {self.integrity}")


class Simulator:
    """``ordertui simulate cj`` as a process of its own, its faults switched at will."""

    def __init__(self, root: Path, orders: int, fault_rate: float) -> None:
        self.root = root
        self.process = subprocess.Popen(
            [ORDERTUI, "simulate", "cj", "--port", "0", "--orders", str(orders),
             "--fault-rate", str(fault_rate), "--faults", FAULTS, "--login-interval", "0",
             "--review-delay", "3600", "--api-key", API_KEY, "--state-dir", str(root / "sim")],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        match = re.search(r"(http://\S+)", line)
        assert match, f"the simulator did not start: {line!r}"
        self.base_url = match.group(1)
        self.origin = self.base_url.split("/api2.0")[0]
        self.fault_rate = fault_rate

    def _call(self, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.origin + path, data=data, method=(
            "POST" if data is not None else "GET"), headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())

    def faults(self, on: bool, kinds: str = FAULTS, rate: float | None = None) -> None:
        rate = (self.fault_rate if rate is None else rate) if on else 0.0
        self._call("/_sim/faults", {"fault_rate": rate, "faults": kinds.split(",")})

    def stats(self) -> dict[str, Any]:
        return dict(self._call("/_sim/stats"))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


class CrashHarness:
    def __init__(self, root: Path, *, seed: int | None = None, orders: int = 1000,
                 fault_rate: float = 0.25, max_delay_s: float = 2.0,
                 store_url: str | None = None) -> None:
        self.root = root
        #: the PostgreSQL database the config's ``[store] url`` names; None: SQLite in data
        self.store_url = store_url
        self.seed = seed if seed is not None else random.SystemRandom().randrange(2**31)
        self.rng = random.Random(self.seed)
        self.orders = orders
        self.fault_rate = fault_rate
        self.max_delay_s = max_delay_s
        self.data = root / "data"
        self.config = root / "config.toml"
        self.exports = root / "exports"
        self.destinations: list[Path] = []
        self.took: dict[str, list[float]] = {op: [] for op in OPERATIONS}
        self.figures = Figures()

    # --- setting up ------------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        home = self.root / "home"
        return {**os.environ, "ORDERTUI_CONFIG": str(self.config),
                "ORDERTUI_DATA_DIR": str(self.data), "HOME": str(home),
                "XDG_CONFIG_HOME": str(home / ".config"),
                "XDG_DATA_HOME": str(home / ".local/share")}

    def write_config(self, base_url: str) -> None:
        (self.root / "home").mkdir(parents=True, exist_ok=True)
        self.exports.mkdir(parents=True, exist_ok=True)
        self.config.write_text(
            f'[suppliers.cj]\nkind = "cj"\nbase_url = "{base_url}"\napi_key = "{API_KEY}"\n'
            "rate_limit = 100\nconnect_timeout_s = 2\nread_timeout_s = 2\n"
            + (f'\n[store]\nurl = "{self.store_url}"\n' if self.store_url else ""))
        self.config.chmod(0o600)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """What the store holds, read without ordertui: sqlite3 on the SQLite file, psycopg
        on the PostgreSQL database."""
        if self.store_url:
            import psycopg

            with psycopg.connect(self.store_url, autocommit=True) as pg:
                return [tuple(r) for r in pg.execute(sql).fetchall()]
        con = sqlite3.connect(self.data / "store.sqlite3", timeout=30)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def candidates(self) -> dict[str, list[str]]:
        """Supplier order ids worth acting on, by what CJ says of them."""
        rows = self.rows("SELECT supplier_order_id, supplier_status FROM orders "
                         "WHERE dispute_state IS NULL AND cancellation_state IS NULL "
                         "ORDER BY id")
        return {"cancel": [o for o, st in rows if st in (*UNPAID, "UNSHIPPED")],
                "dispute": [o for o, st in rows if st == "DELIVERED"]}

    def requested_orders(self) -> set[str]:
        return {r[0] for r in self.rows(
            "SELECT o.supplier_order_id FROM outbox x JOIN orders o ON o.id = x.order_id")}

    # --- one iteration -------------------------------------------------------------------
    def command(self, n: int, pool: dict[str, list[str]]) -> tuple[str, list[str]]:
        operation = self.rng.choice(OPERATIONS)
        taken = self.requested_orders()
        free = [o for o in pool.get(operation, []) if o not in taken]
        if operation in ("cancel", "dispute") and not free:
            operation = "sync"
        if operation == "cancel":
            return operation, ["cancel", self.rng.choice(free), "--reason",
                               f"crash test {n}", "--yes"]
        if operation == "dispute":
            return operation, ["dispute", "open", self.rng.choice(free), "--reason",
                               "not_received", "--amount", "0.10", "--description",
                               f"crash test {n}"]
        if operation == "export":
            dest = self.exports / f"orders-{n:02d}.csv"
            self.destinations.append(dest)
            return operation, ["export", "--format", "csv", "--output", str(dest)]
        return "sync", ["sync"]

    def iterate(self, n: int, pool: dict[str, list[str]], sim: Simulator) -> None:
        operation, args = self.command(n, pool)
        self.figures.by_operation[operation] += 1
        if operation in ("cancel", "dispute"):
            sim.faults(True, ACTING_FAULTS, ACTING_RATE)
        else:
            sim.faults(True)
        proc = subprocess.Popen([ORDERTUI, *args], env=self.env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        # anywhere from the imports to a little past the usual end of this command, so
        # that most runs die in the middle of their work and some finish
        typical = sorted(self.took[operation])[len(self.took[operation]) // 2] \
            if self.took[operation] else self.max_delay_s
        delay = self.rng.uniform(0.2, 1.15) * typical
        started = time.monotonic()
        try:
            _, err = proc.communicate(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            _, err = proc.communicate()
            self.figures.killed += 1
            self.figures.killed_in[operation] += 1
        else:
            self.took[operation].append(time.monotonic() - started)
            self.figures.finished[str(proc.returncode)] += 1
            self.figures.said.update(line for line in err.splitlines() if line.strip())
            # a command that ends by itself says at most a line or two, never a traceback
            if proc.returncode not in (0, 1) or "Traceback" in err:
                self.figures.problems.append(f"{args}: exit {proc.returncode}: {err}")
        self.figures.iterations += 1

    def calibrate(self, pool: dict[str, list[str]], sim: Simulator) -> None:
        """How long each command takes here when left alone (the kills are spread over
        that): one export, one sync and one cancellation, run to the end."""
        self.destinations.append(self.exports / "calibration.csv")
        for operation, args in (("export", ["export", "--format", "csv", "--output",
                                            str(self.exports / "calibration.csv")]),
                                ("sync", ["sync"]),
                                ("cancel", ["cancel", pool["cancel"][-1], "--reason",
                                            "calibration", "--yes"])):
            sim.faults(True, *((ACTING_FAULTS, ACTING_RATE) if operation == "cancel" else ()))
            started = time.monotonic()
            subprocess.run([ORDERTUI, *args], env=self.env(), capture_output=True)
            self.took[operation].append(time.monotonic() - started)
        self.took["dispute"].append(1.3 * self.took["cancel"][0])  # two more calls

    # --- the end -----------------------------------------------------------------------------
    async def settle(self) -> None:
        """The merchant's next, undisturbed session: sync and send everything queued."""
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/: support
        from ordertui.config import load
        from ordertui.services import Services
        from support.sims import Clock, drain, fast_retries, sync_until_clean

        clock = Clock()
        services = Services(load(self.config, self.data), clock=clock)
        try:
            fast_retries(services, "cj")
            await sync_until_clean(services, "cj")
            await drain(services, clock, rounds=500)
        finally:
            await services.aclose()

    def check(self, sim: Simulator) -> None:
        f = self.figures
        for path in sorted(self.data.rglob("*.sqlite3")):
            con = sqlite3.connect(path)
            try:
                f.integrity[path.name] = str(con.execute("PRAGMA integrity_check").fetchone()[0])
            finally:
                con.close()
        if self.store_url:  # the server keeps its pages whole; amcheck checks the indexes
            from support.postgres import pg_indexes_sound
            f.integrity["postgresql"] = "ok" if pg_indexes_sound(self.store_url) else "none"
        stats = sim.stats()
        f.faults = dict(stats.get("faults", {}))
        keys: dict[str, int] = stats.get("keys", {})
        f.applied_at_supplier = sum(stats.get("applied", {}).values())
        entries = self.rows(
            "SELECT x.key, x.action, x.state, o.supplier_order_id, x.last_error "
            "FROM outbox x JOIN orders o ON o.id = x.order_id")
        n_orders = int(self.rows("SELECT COUNT(*) FROM orders")[0][0])
        f.requested = len(entries)
        done_at_supplier = 0
        for key, action, state, soid, error in entries:
            # a cancel of an unpaid order deletes it; any other action opens a dispute whose
            # business id is the outbox key
            times = keys.get(f"dispute_create:{key}", 0) + (
                keys.get(f"order_delete:{soid}", 0) if action == "cancel" else 0)
            if state == "done" and times == 1:
                f.performed_once += 1
                done_at_supplier += 1
            elif state == "failed" and times == 0:
                f.refused_by_supplier += 1
                f.refusals.append(f"{action} on {soid}: {error}")
            else:
                if times > 1:
                    f.performed_twice += 1
                f.problems.append(f"{action} {key} on {soid}: outbox {state}, performed "
                                  f"{times} times at the supplier")
        if f.applied_at_supplier != done_at_supplier:
            f.problems.append(f"the supplier applied {f.applied_at_supplier} actions, the "
                              f"outbox sent {done_at_supplier}")
        if stats.get("duplicates"):
            f.problems.append(f"the supplier refused repeats: {stats['duplicates']}")
        for dest in self.destinations:
            if not dest.exists():
                f.exports_absent += 1
                continue
            with dest.open(newline="", encoding="utf-8-sig") as fh:
                rows = list(csv.reader(fh))
            complete = bool(rows) and len(rows) == n_orders + 1 and \
                all(len(r) == len(rows[0]) for r in rows)
            if complete:
                f.exports_complete += 1
            else:
                f.exports_partial.append(f"{dest.name}: {len(rows)} rows")
        f.leftover_temp_files = len([p for p in self.exports.iterdir()
                                     if p.name.startswith(".")])
        if (self.data / "crash").exists():
            reports = sorted(p.name for p in (self.data / "crash").iterdir())
            f.problems.append(f"crash reports: {reports}")

    def run(self, iterations: int) -> Figures:
        self.root.mkdir(parents=True, exist_ok=True)
        sim = Simulator(self.root, self.orders, self.fault_rate)
        try:
            self.write_config(sim.base_url)
            sim.faults(False)
            done = subprocess.run([ORDERTUI, "sync"], env=self.env(), capture_output=True,
                                  text=True)
            assert done.returncode == 0, done.stderr
            pool = self.candidates()
            self.calibrate(pool, sim)
            for n in range(iterations):
                self.iterate(n, pool, sim)
            sim.faults(False)
            asyncio.run(self.settle())
            self.check(sim)
        finally:
            sim.stop()
        return self.figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    import tempfile

    root = args.dir or Path(tempfile.mkdtemp(prefix="ordertui-crash-"))
    harness = CrashHarness(root, seed=args.seed)
    started = time.monotonic()
    figures = harness.run(args.iterations)
    print(figures.summary())
    print(f"  seed {harness.seed}, {time.monotonic() - started:.0f} s, in {root}")
    for problem in figures.problems:
        print("PROBLEM:", problem)
    return 1 if figures.problems else 0


if __name__ == "__main__":
    sys.exit(main())
