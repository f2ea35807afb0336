"""The installed ``ordertui`` command end to end, as a merchant's shell runs it: version,
first use on the demo supplier, seeding, listing, one-line errors with their exit codes; and
the app refusing to start on a key map that gives one key twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from ordertui import __version__
from support.cli import SUMMARY_KEYS

# --- the real entry point, end to end ------------------------------------------------------------

def _run(*args: str, env: dict[str, str], stdin: Any = subprocess.DEVNULL
         ) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("ordertui")
    return subprocess.run([str(exe), *args], env=env, stdin=stdin, capture_output=True,
                          text=True, timeout=120)


def test_end_to_end_through_the_installed_command(tmp_path: Path) -> None:
    env = dict(os.environ, ORDERTUI_DATA_DIR=str(tmp_path / "data"))
    version = _run("--version", env=env)
    assert (version.returncode, version.stdout) == (0, f"ordertui {__version__}\n")
    module = subprocess.run([sys.executable, "-m", "ordertui", "--version"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert module.stdout == f"ordertui {__version__}\n"

    # nothing configured: the demo supplier, created with 500 orders on first use
    assert _run("sync", env=env).returncode == 0
    rows = json.loads(_run("orders", "--limit", "1000", "--format", "json", env=env).stdout)
    assert len(rows) == 500 and set(rows[0]) >= SUMMARY_KEYS

    seeded = _run("demo", "seed", "--orders", "25", "--seed", "3", env=env)
    assert seeded.returncode == 0, seeded.stderr
    rows = json.loads(_run("orders", "--limit", "1000", "--format", "json", env=env).stdout)
    assert len(rows) == 25

    for args, code in ((["show", "no-such-order"], 2), (["orders", "--limit", "0"], 2),
                       (["cancel", str(rows[0]["id"]), "--reason", "x"], 2),
                       (["--config", str(tmp_path / "missing.toml"), "orders"], 2)):
        result = _run(*args, env=env)
        assert result.returncode == code, (args, result.stderr)
        assert result.stdout == ""
        assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("ordertui: ")
        assert "Traceback" not in result.stderr


def test_the_app_refuses_a_key_map_that_gives_one_key_twice(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[suppliers.demo]\nkind = "demo"\norders = 20\n\n[keys]\n'
                      'cancel = "d"\n')
    result = subprocess.run([sys.executable, "-m", "ordertui", "--config", str(config),
                             "--data-dir", str(tmp_path / "data")], capture_output=True,
                            text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "line 6, key keys.cancel" in lines[0], lines
    assert "'d' is already 'Dispute' on the orders screen" in lines[0]


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path: Path) -> None:
    """`ordertui orders | head -2`: the command stops when head has what it wants, without
    an error line or a crash report."""
    data = tmp_path / "data"
    env = dict(os.environ, ORDERTUI_DATA_DIR=str(data))
    assert _run("sync", env=env).returncode == 0
    exe = Path(sys.executable).with_name("ordertui")
    shell = subprocess.run(
        ["bash", "-c", f'"{exe}" orders --limit 1000 --format json | head -c 10; '
                       'echo " status=${PIPESTATUS[0]}"'],
        env=env, capture_output=True, text=True, timeout=120)
    assert shell.stdout.endswith(" status=141\n"), shell.stdout  # 128 + SIGPIPE, like `yes`
    assert shell.stdout.startswith("[\n  {")
    assert shell.stderr == ""
    assert not (data / "crash").exists() or not any((data / "crash").iterdir())
