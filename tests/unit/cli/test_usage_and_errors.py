"""The command line's surface: --version and --help for every command, bad usage is exit 2
with one line, config and disk problems are one line too."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ordertui import __version__
from ordertui.cli import main_group
from support.cli import CONFIG, Cli

# --- basics ----------------------------------------------------------------------------------

def test_version_and_help(tmp_path: Path) -> None:
    runner = CliRunner()
    for flag in ("--version", "-V"):
        result = runner.invoke(main_group, [flag])
        assert result.exit_code == 0 and result.stdout == f"ordertui {__version__}\n"
    assert not (tmp_path / "home" / ".local").exists()  # --version touches nothing on disk
    result = runner.invoke(main_group, ["--help"])
    assert result.exit_code == 0
    for command in ("demo", "sync", "orders", "show", "cancel", "cancel-reply", "dispute",
                    "record", "add", "outbox"):
        assert command in result.stdout
        assert runner.invoke(main_group, [command, "--help"]).exit_code == 0
    for sub in ("open", "reply", "escalate", "accept", "withdraw", "list"):
        assert runner.invoke(main_group, ["dispute", sub, "--help"]).exit_code == 0


@pytest.mark.parametrize("args", [
    ["nosuchcommand"], ["orders", "--limit", "0"], ["orders", "--limit", "many"],
    ["orders", "--status", "lost"], ["orders", "--format", "xml"], ["orders", "--sort", "x"],
    ["show"], ["cancel", "1"], ["dispute", "open", "1", "--reason", "other"],
    ["dispute", "list", "--state", "nope"], ["record", "1", "--dispute", "nope"],
    ["demo", "seed"], ["demo", "seed", "--orders", "-1"], ["demo", "seed", "--orders", "x"],
    ["add", "--supplier", "demo"], ["show", "1", "--format", "yaml"],
])
def test_bad_usage_is_exit_2_and_one_line(tmp_path: Path, args: list[str]) -> None:
    config = tmp_path / "c.toml"
    config.write_text(CONFIG)
    Cli(CliRunner(), config, tmp_path / "data").fails(2, *args)


def test_config_errors_are_one_line(tmp_path: Path) -> None:
    missing = Cli(CliRunner(), tmp_path / "missing.toml", tmp_path / "d")
    missing.fails(2, "orders", match="no such file")
    bad = tmp_path / "bad.toml"
    bad.write_text('[suppliers.demo]\nkind = "demo"\nreview_delay_s = "soon"\n')
    Cli(CliRunner(), bad, tmp_path / "d").fails(2, "orders",
                                                 match="line 3, key suppliers.demo.review_delay")
    bad.write_text("[app\n")
    Cli(CliRunner(), bad, tmp_path / "d").fails(2, "sync", match="not valid TOML")


def test_disk_problems_are_one_line(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(CONFIG)
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "store.sqlite3").write_bytes(b"this is not a database" * 100)
    Cli(CliRunner(), config, damaged).fails(1, "orders", match="not a database")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    Cli(CliRunner(), config, blocker / "sub").fails(1, "orders")
