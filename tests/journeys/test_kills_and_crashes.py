"""Kills and crashes of the real processes (invariants 2 and 10 in docs/architecture.md,
journey 7). Fifty SIGKILLs in a row at random points of sync, export and the outbox runner,
against the CJ simulator with faults (support/crash_harness.py), leave a sound store, every
requested action performed exactly once and no partial export. A crash in a real terminal
gives the terminal back with one line and a private report with secrets replaced by ••••."""

from __future__ import annotations

import os
import re
import shlex
import stat
from pathlib import Path

from support.crash_harness import CrashHarness
from support.ssh import ORDERTUI, Shop, Terminals, exit_status, login

SECRET = "tok-Sup3r-s3cret-0042"
CRASH_LINE = re.compile(r"^ordertui: crashed \((.+)\); a report is in (\S+)$")


def test_fifty_sigkills_in_a_row_lose_nothing_and_do_nothing_twice(
        tmp_path: Path, store_target: str | Path) -> None:
    seed = os.environ.get("ORDERTUI_CRASH_SEED")
    url = store_target if isinstance(store_target, str) else None
    harness = CrashHarness(tmp_path / "crash", seed=int(seed) if seed else None, store_url=url)
    f = harness.run(50)
    print(f"\n{f.summary()}\n  seed {harness.seed} (ORDERTUI_CRASH_SEED repeats the run)")
    assert f.problems == [], f"seed {harness.seed}: {f.problems}"
    assert f.iterations == 50 and f.killed >= 25  # most runs died in the middle
    assert set(f.integrity.values()) == {"ok"}
    assert ("postgresql" if url else "store.sqlite3") in f.integrity
    assert f.requested > 0 and f.performed_twice == 0
    assert f.performed_once + f.refused_by_supplier == f.requested
    assert f.applied_at_supplier == f.performed_once
    assert f.exports_partial == [] and f.exports_complete >= 1
    # what the commands that ended said on stderr: their own one-line messages, no log lines
    assert all(line.startswith(("ordertui: ", "synced ", "cancellation request: ",
                                "dispute: ")) for line in f.said), f.said


def test_a_crash_in_a_real_terminal_gives_it_back_with_one_line(
        terminals: Terminals, tmp_path: Path) -> None:
    shop = Shop(tmp_path / "shop", extra_config=(
        '\n[email]\nhost = "127.0.0.1"\nport = 2525\nsecurity = "none"\n'
        f'from = "shop@example.com"\npassword = "{SECRET}"\n')).create()
    hook = tmp_path / "hook"
    hook.mkdir()
    # the app as shipped, with one action that raises (loaded before ordertui starts)
    (hook / "sitecustomize.py").write_text(
        "from ordertui.tui.screens.orders import OrdersScreen\n"
        "def _boom(self):\n"
        f"    raise RuntimeError('the sort broke while holding {SECRET}')\n"
        "OrdersScreen.action_sort = _boom\n")
    term = terminals(250, 30)  # wide enough for the report's path on one line
    exit_file = tmp_path / "exit"
    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in
                   {**shop.env, "PYTHONPATH": str(hook), "TERM": "xterm-256color"}.items())
    login(term, f"env {env} {shlex.quote(ORDERTUI)}; echo \"exit=$?\"; stty -a", exit_file)
    term.wait_for("1 of 200")
    term.keys("s")
    exit_status(exit_file, term=term)
    screen = term.screen()
    lines = [line for line in screen.splitlines() if line.strip()]
    crash = [line for line in lines if line.startswith("ordertui: crashed")]
    assert len(crash) == 1, screen
    match = CRASH_LINE.match(crash[0])
    assert match, crash[0]
    assert match.group(1) == "RuntimeError: the sort broke while holding ••••"
    report = Path(match.group(2))
    assert report.parent == shop.data / "crash" and report.exists()
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert SECRET not in report.read_text() and SECRET not in screen
    assert "exit=1" in lines
    assert "Traceback" not in screen and "\x1b" not in screen
    # the terminal is back as the shell left it: line editing and echo on, main screen
    modes = screen.split()
    assert "icanon" in modes and "echo" in modes and "-icanon" not in modes
    assert term.tmux("display-message", "-p", "-t", "t", "#{alternate_on}").strip() == "0"
    log = (shop.data / "logs" / "ordertui.log").read_text()
    assert "crash in the app" in log and SECRET not in log
