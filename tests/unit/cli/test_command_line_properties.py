"""Property-based tests of the command line (tests/support/properties.py): commands with
generated arguments exit 0, 1 or 2, say an error in one line on stderr, and never print a
traceback or leave a crash report."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from ordertui import config as config_mod
from ordertui.cli import main_group
from support.hostile import CORPUS
from support.properties import EXITS, SETTINGS, TRIED
from support.tui import make_services

#: generated configs register generated "secrets" for redaction (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("secrets_restored")


# --- the command line ----------------------------------------------------------------------

#: what a shell can pass: any text but NUL and lone surrogates
ARG_TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
            max_size=16),
    st.sampled_from([v for v in CORPUS.values() if "\x00" not in v]),
    st.sampled_from(["", "-", "--", "-1", "0", "1", "9" * 30, "full", "all", "1,2,3", "a@b",
                     "2026-13-40", "2026-02-29", "1970-01-01", "9999-12-31", "12.50",
                     "1,500", "1e999", "nan", "#1", "DM20000000"]))
REF = st.integers(0, 3).flatmap(lambda n: st.sampled_from(
    ["1", "2", "17", "30", "#1001", "#1030", "DM20000003"]) if n < 2 else st.sampled_from(
    ["0", "999999", "9" * 30]) if n == 2 else ARG_TEXT)
AMOUNT_ARG = st.integers(0, 2).flatmap(lambda n: ARG_TEXT if n == 2 else st.sampled_from(
    ["1", "2.50", "0.01", "full", "5,00"]))
PATH_ARG = st.sampled_from(["out.csv", "out.xlsx", "out.xls", "sub/out.csv", "out", "x.pdf",
                            "/", "/proc/x.csv", "-"]) | ARG_TEXT
STATUS = ["awaiting_payment", "processing", "shipped", "delivered", "cancelled", "closed"]


def _opt(name: str, values: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    return st.one_of(st.just([]), values.map(lambda v: [name, v]))


def _req(name: str, values: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    return values.map(lambda v: [name, v])


def _flag(name: str) -> st.SearchStrategy[list[str]]:
    return st.sampled_from([[], [name]])


def _line(words: list[str], *parts: st.SearchStrategy[list[str]], ref: bool = True
          ) -> st.SearchStrategy[list[str]]:
    """A command line: the command, an order reference, options in any order, and now and
    then a stray word."""
    stray = st.integers(0, 7).flatmap(lambda n: ARG_TEXT.map(lambda a: [a]) if n == 7
                                      else st.just([]))
    pieces = [st.just(words), *([REF.map(lambda r: [r])] if ref else []), *parts, stray]

    def join(lists: tuple[list[str], ...]) -> list[str]:
        head, rest = lists[0], list(lists[1:])
        return head + [w for part in rest for w in part]
    return st.tuples(*pieces).map(join)


CHOICE = st.sampled_from


def mostly(choices: list[str]) -> st.SearchStrategy[str]:
    """A valid choice three times in four, anything otherwise."""
    return st.integers(0, 3).flatmap(lambda n: ARG_TEXT if n == 3 else st.sampled_from(choices))


COMMAND_LINES = st.one_of(
    _line(["orders"], _opt("--search", ARG_TEXT), _opt("--status", mostly(STATUS)),
          _opt("--limit", mostly(["1", "1000", "0", "-5", "1e3"])),
          _opt("--format", mostly(["table", "json", "csv"])),
          _opt("--sort", CHOICE(["created", "profit", "customer"])), _flag("--ascending"),
          _opt("--supplier", mostly(["demo"])), _flag("--attention"), ref=False),
    _line(["show"], _opt("--format", mostly(["text", "json"]))),
    _line(["cancel"], _req("--reason", ARG_TEXT), _flag("--yes")),
    _line(["cancel-reply"], _req("--message", ARG_TEXT)),
    _line(["dispute", "open"], _req("--reason", mostly(["not_received", "other"])),
          _req("--amount", AMOUNT_ARG), _req("--description", ARG_TEXT),
          _opt("--evidence", PATH_ARG)),
    _line(["dispute", "reply"], _req("--message", ARG_TEXT)),
    _line(["dispute", "list"], _opt("--format", mostly(["table", "json"])),
          ref=False),
    _line(["record"], _opt("--cancellation", mostly(["approved", "rejected"])),
          _opt("--dispute", mostly(["open", "resolved_refunded"])),
          _opt("--amount", ARG_TEXT), _opt("--note", ARG_TEXT)),
    _line(["refund"], _req("--amount", AMOUNT_ARG), _req("--reason", ARG_TEXT),
          _flag("--item-returned")),
    _line(["recovered"], _req("--amount", AMOUNT_ARG), _opt("--note", ARG_TEXT)),
    _line(["return", "open"], _req("--items", mostly(["#1:1", "#1:0", "#2:1"])),
          _req("--reason", ARG_TEXT), _opt("--tracking", ARG_TEXT),
          _opt("--to", mostly(["merchant", "supplier"]))),
    _line(["return", "set"], _req("--state", mostly(["received", "restocked"])),
          _opt("--tracking", ARG_TEXT), _opt("--condition", ARG_TEXT),
          _opt("--return", mostly(["1", "0", "-1"]))),
    _line(["export"], _opt("--output", PATH_ARG),
          _opt("--format", mostly(["csv", "csv-excel", "xlsx", "xls"])),
          _opt("--search", ARG_TEXT), _opt("--since", ARG_TEXT), _opt("--until", ARG_TEXT),
          _opt("--month", mostly(["2026-11", "2026-13", "last"])),
          _opt("--ids", ARG_TEXT), _opt("--per", mostly(["order", "line-item"])),
          _opt("--columns", mostly(["order,customer", "nope"])),
          _opt("--email", ARG_TEXT), _flag("--force"), ref=False),
    _line(["outbox"], _flag("--all"), ref=False),
    # anything at all, but for a first word that would leave no command: that is the
    # terminal app (tested elsewhere), which would wait for keys
    st.lists(ARG_TEXT, min_size=1, max_size=4).filter(
        lambda w: w[0].strip() != "" and not w[0].startswith("-")))


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with 40 demo orders, synced."""
    base = tmp_path_factory.mktemp("cli")
    services = make_services(base, orders=40)
    asyncio.run(services.sync())
    asyncio.run(services.aclose())
    config_mod.write_toml(base / "config.toml", {"suppliers": {"demo": {
        "kind": "demo", "orders": 40, "seed": 7, "review_delay_s": 0.3}}})
    return base


@given(words=COMMAND_LINES)
@settings(SETTINGS, max_examples=500)
def test_command_line_answers_any_arguments_in_one_line(shop: Path, words: list[str]) -> None:
    TRIED["command lines"] += 1
    runner = CliRunner()
    config = shop / "config.toml"
    with tempfile.TemporaryDirectory(dir=shop) as cwd:  # where relative paths land
        os.chdir(cwd)
        try:
            result = runner.invoke(main_group, ["--config", str(config), "--data-dir",
                                                str(shop / "data"), *words])
        finally:
            os.chdir(shop)
    EXITS[result.exit_code] += 1
    assert result.exit_code in (0, 1, 2), (words, result.output)
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit), (words, result.exception)
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    if result.exit_code:
        lines = result.stderr.splitlines()
        if lines and not lines[0].startswith("Usage:"):  # a group's help goes to stderr
            assert len(lines) == 1 and lines[0].startswith("ordertui: "), (words,
                                                                          result.stderr)
    assert not (shop / "data" / "crash").exists(), (words, "a crash report")
