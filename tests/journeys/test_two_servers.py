"""Two servers on one PostgreSQL store: two OS processes with separate data directories
whose ``[store] url`` names one database (fresh per test), both reaching one supplier — the
CJ simulator on loopback HTTP, which counts every write it receives by its key.

- what one server writes, the other's open watch notices, and it reads the new state;
- both syncing at once log in to the supplier once between them (the token is the store's);
- 800 actions tried at once from both, on the same orders, with both running the outbox:
  one live request per order, and the supplier received each action exactly once;
- 50 SIGKILLs at random points of sync and the outbox, alternating between the two data
  directories, then one clean run: nothing lost, nothing done twice, the counts consistent.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ordertui.simulators.cj import CJSimConfig, CJSimulator
from ordertui.simulators.common import RunningSim, start_in_thread

ROOT = Path(__file__).resolve().parents[2]
UNPAID = ("CREATED", "IN_CART", "UNPAID")


@dataclass
class Server:
    """One data directory and its config, as a second machine of the team would have it."""
    root: Path

    @property
    def env(self) -> dict[str, str]:
        home = self.root / "home"
        path = os.pathsep.join([str(ROOT / "src"), str(ROOT / "tests"),
                                os.environ.get("PYTHONPATH", "")])
        return {**os.environ, "ORDERTUI_CONFIG": str(self.root / "config.toml"),
                "ORDERTUI_DATA_DIR": str(self.root / "data"), "HOME": str(home),
                "XDG_CONFIG_HOME": str(home / ".config"), "PYTHONPATH": path}

    def start(self, *args: Any) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "support.two_servers",
                                 *map(str, args)], env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def run(self, *args: Any, timeout: float = 60) -> list[dict[str, Any]]:
        proc = self.start(*args)
        out, err = proc.communicate(timeout=timeout)
        assert proc.returncode == 0, f"{args}: exit {proc.returncode}\n{err}"
        return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


@dataclass
class Team:
    url: str
    sim: RunningSim
    a: Server
    b: Server

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.url) as con:
            return list(con.execute(query, params).fetchall())

    def targets(self, path: Path, limit: int) -> list[tuple[int, str]]:
        """Orders a cancellation (unpaid or unshipped at CJ) or a dispute (delivered) suits,
        written to ``path`` for the processes."""
        rows = self.sql("SELECT id, supplier_status FROM orders WHERE supplier = 'cj' AND "
                        "cancellation_state IS NULL AND dispute_state IS NULL ORDER BY id")
        cancel = [(i, "cancel") for i, st in rows if st in (*UNPAID, "UNSHIPPED")]
        dispute = [(i, "dispute") for i, st in rows if st == "DELIVERED"]
        chosen = cancel[:limit // 2] + dispute[:limit - min(len(cancel), limit // 2)]
        path.write_text(json.dumps(chosen))
        return chosen

    def check_sent_once(self) -> dict[str, int]:
        """Every outbox entry either done and performed once at CJ, or refused and not
        performed; CJ performed nothing else and refused no repeat. Returns the tally."""
        stats = self.sim.stats()
        keys: dict[str, int] = stats.get("keys", {})
        entries = self.sql("SELECT x.key, x.action, x.state, o.supplier_order_id, "
                           "x.last_error FROM outbox x JOIN orders o ON o.id = x.order_id")
        tally = {"done": 0, "failed": 0}
        problems = []
        for key, action, state, soid, error in entries:
            times = keys.get(f"dispute_create:{key}", 0) + (
                keys.get(f"order_delete:{soid}", 0) if action == "cancel" else 0)
            if (state, times) in (("done", 1), ("failed", 0)):
                tally[state] += 1
            else:
                problems.append(f"{action} {key} on {soid}: outbox {state} ({error}), "
                                f"performed {times} times at CJ")
        assert problems == [], problems
        assert sum(stats.get("applied", {}).values()) == tally["done"], stats.get("applied")
        assert not stats.get("duplicates"), f"CJ refused repeats: {stats['duplicates']}"
        return tally

    def check_one_live_request(self) -> None:
        per_order = self.sql(
            "SELECT o.id, (SELECT COUNT(*) FROM cancellations c WHERE c.order_id = o.id AND "
            "c.state IN ('requested', 'info_requested')) + (SELECT COUNT(*) FROM disputes d "
            "WHERE d.order_id = o.id AND d.state NOT IN ('resolved_refunded', "
            "'resolved_rejected', 'withdrawn')) FROM orders o")
        assert all(n <= 1 for _, n in per_order), [r for r in per_order if r[1] > 1]
        outbox = self.sql("SELECT order_id, COUNT(*) FROM outbox GROUP BY order_id "
                          "HAVING COUNT(*) > 1")
        assert outbox == [], f"orders with more than one action queued: {outbox}"

    def check_counts(self) -> None:
        counted = {(s, st, bool(a)): int(n) for s, st, a, n in self.sql(
            "SELECT supplier, status, attention, n FROM order_counts") if n}
        actual = {(s, st, bool(a)): int(n) for s, st, a, n in self.sql(
            "SELECT supplier, status, attention, COUNT(*) FROM orders "
            "GROUP BY supplier, status, attention")}
        assert counted == actual


@pytest.fixture
def team(tmp_path: Path) -> Iterator[Team]:
    from support.postgres import drop_database, fresh_database

    url = fresh_database()
    sim = start_in_thread(CJSimulator(CJSimConfig(orders=200, auth_interval_s=0,
                                                  review_delay_s=3600)))
    servers = []
    for name in ("a", "b"):
        root = tmp_path / name
        (root / "home").mkdir(parents=True)
        (root / "config.toml").write_text(
            f'[store]\nurl = "{url}"\n\n[suppliers.cj]\nkind = "cj"\n'
            f'base_url = "{sim.base_url}"\napi_key = "{sim.sim.config.api_key}"\n'
            "rate_limit = 100\n")
        (root / "config.toml").chmod(0o600)
        servers.append(Server(root))
    try:
        yield Team(url, sim, *servers)
    finally:
        sim.stop()
        drop_database(url)


def lines(proc: subprocess.Popen[str], until: str, deadline: float) -> dict[str, Any]:
    """Read the process's lines until one has ``until``, by ``deadline`` (monotonic)."""
    import selectors

    assert proc.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    while (left := deadline - time.monotonic()) > 0:
        if sel.select(left):
            line = proc.stdout.readline()
            if not line:
                break
            said = json.loads(line)
            if until in said:
                return dict(said)
    raise AssertionError(f"no {until!r} from the process in time")


def test_a_change_on_one_server_reaches_the_others_watch(team: Team, tmp_path: Path) -> None:
    team.a.run("settle")
    order_id = team.targets(tmp_path / "targets.json", 2)[0][0]
    watcher = team.a.start("watch", order_id)
    try:
        ready = lines(watcher, "ready", time.monotonic() + 30)
        queued = team.b.run("cancel", order_id)[0]["queued"]
        # from the moment B committed: A's watch moves and A reads the request
        deadline = time.monotonic() + 2
        assert lines(watcher, "changed", deadline)["changed"] != ready["ready"]
        assert lines(watcher, "seen", deadline)["seen"] == "requested"
    finally:
        watcher.kill()
        watcher.communicate()
    assert team.sql("SELECT client_key FROM cancellations WHERE order_id = %s",
                    order_id) == [(queued,)]


def test_two_servers_syncing_at_once_log_in_to_the_supplier_once(team: Team) -> None:
    procs = [server.start("settle") for server in (team.a, team.b)]
    for proc in procs:
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    counters = team.sim.stats()["counters"]
    assert counters.get("token_get") == 1 and not counters.get("token_refresh"), counters
    for server in (team.a, team.b):  # the token is the team's, in the store
        assert not (server.root / "data" / "suppliers" / "cj" / "cj-token.json").exists()
    assert team.sql("SELECT adapter, kind FROM adapter_state WHERE kind = 'token'") == [
        ("cj", "token")]


def test_800_actions_at_once_from_two_servers_reach_the_supplier_once_each(
        team: Team, tmp_path: Path) -> None:
    team.a.run("settle")
    targets = team.targets(tmp_path / "targets.json", 40)
    assert len(targets) == 40 and {k for _, k in targets} == {"cancel", "dispute"}
    go = tmp_path / "go"
    procs = [server.start("act", tmp_path / "targets.json", 400, seed, go)
             for seed, server in enumerate((team.a, team.b))]
    time.sleep(1.0)  # both have opened the store and read an order
    go.touch()
    tallies = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        tallies.append(json.loads(out.splitlines()[-1]))
    attempts = sum(sum(t["tally"].values()) for t in tallies)
    queued = sum(t["tally"].get("queued", 0) for t in tallies)
    assert attempts == 800
    # one action per order got in; every other attempt was told no
    assert queued == len(targets), tallies
    print(f"\nthe two servers: {tallies}")
    team.a.run("settle")
    team.check_one_live_request()
    tally = team.check_sent_once()
    assert tally["done"] + tally["failed"] == len(targets)
    assert tally["done"] >= len(targets) // 2, tally
    team.check_counts()
    # one login for both servers and all their runs
    assert team.sim.stats()["counters"].get("token_get") == 1


def test_50_sigkills_alternating_servers_lose_nothing_and_do_nothing_twice(
        team: Team, tmp_path: Path) -> None:
    seed = int(os.environ.get("ORDERTUI_CRASH_SEED") or random.SystemRandom().randrange(2**31))
    rng = random.Random(seed)
    team.a.run("settle")
    path = tmp_path / "targets.json"
    team.targets(path, 60)
    started = time.monotonic()
    team.b.run("work", path, 0)  # how long one run takes when left alone
    typical = time.monotonic() - started
    killed = 0
    for n in range(1, 51):
        server = (team.a, team.b)[n % 2]
        proc = server.start("work", path, n)
        try:
            _out, err = proc.communicate(timeout=rng.uniform(0.15, 1.3) * typical)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.communicate()
            killed += 1
        else:
            assert proc.returncode == 0, f"seed {seed}, run {n}: {err}"
    team.b.run("settle")
    team.a.run("settle")
    print(f"\n{killed} of 50 runs killed (seed {seed}, ORDERTUI_CRASH_SEED repeats it); "
          f"a run takes {typical:.2f} s")
    assert killed >= 20, f"seed {seed}"
    left = team.sql("SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')")
    assert left == [(0,)], f"seed {seed}"
    tally = team.check_sent_once()
    assert tally["done"] > 0, f"seed {seed}"
    team.check_one_live_request()
    team.check_counts()
