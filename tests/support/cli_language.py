"""Running the commands in a language: the config given a language as Settings would, the
command run as ``ordertui`` runs it (its language read from the config before the command
starts), its one-line error, and ``--help`` in a process of its own."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from click.testing import Result

from ordertui import config as config_mod
from ordertui import i18n
from support.cli import Cli

#: a day as German writes it in a table (06.12.2026), and as English does (2026-12-06)
GERMAN_DAY = re.compile(r"\b\d\d\.\d\d\.\d{4}\b")
ENGLISH_DAY = re.compile(r"\b\d{4}-\d\d-\d\d\b")


def speak(cli: Cli, language: str) -> None:
    """Give the demo shop's config ``language``, as a merchant would in Settings."""
    text = cli.config.read_text()
    text = re.sub(r'(?s)\A\[app\]\nlanguage = "[^"]*"\n', "", text)
    cli.config.write_text(f'[app]\nlanguage = "{language}"\n' + text)


def run(cli: Cli, *args: str) -> Result:
    """A command as ``ordertui`` runs it: the language taken from the config before the
    command starts (as main() does), so that errors found before the config is read are in
    it too."""
    i18n.use(config_mod.language_hint(["--config", str(cli.config)]))
    return cli(*args)


def ok(cli: Cli, *args: str) -> Result:
    result = run(cli, *args)
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return result


def error(cli: Cli, code: int, *args: str) -> str:
    result = run(cli, *args)
    assert result.exit_code == code, (args, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ordertui: "), result.stderr
    return lines[0].removeprefix("ordertui: ")


def help_of(config: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """``ordertui ... --help`` in a process of its own: the commands' help is built in the
    language of the process when the command is first loaded, as in the installed command."""
    result = subprocess.run(
        [sys.executable, "-m", "ordertui", "--config", str(config), *args, "--help"],
        capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})},
        check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout
