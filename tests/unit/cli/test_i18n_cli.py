"""The commands in another language: with ``[app] language = "x-pseudo"`` every table
header, line, note, one-line error and ``--help`` text of the commands comes out marked (text
left plain was not marked for translation); what is for programs — JSON and the ``csv`` of
``orders`` and ``shop-orders`` — is byte for byte what English gives; and ``auto`` follows
``LANG`` (German dates with ``LANG=de_DE.UTF-8``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ordertui import i18n
from ordertui.i18n.pseudo import CLOSE, OPEN, is_pseudo
from support.cli import CONFIG, Cli
from support.cli_language import (
    ENGLISH_DAY,
    GERMAN_DAY,
    error,
    help_of,
    ok,
    speak,
)

PSEUDO_CONFIG = '[app]\nlanguage = "x-pseudo"\n' + CONFIG
def marked(line: str) -> bool:
    """A whole line in the pseudo-language: it opens with a marked message."""
    return line.startswith(OPEN) and CLOSE in line


@pytest.fixture
def pseudo(cli: Cli) -> Iterator[Cli]:
    """The seeded demo shop, synced with its shop, a dispute, a cancellation recorded by hand
    and a return in the returns stock; the config in the pseudo-language."""
    cli.config.write_text(cli.config.read_text()
                          + '\n[returns]\naddress = "Muster GmbH\\nHauptstr. 1"\n')
    cli.ok("sync", "--shop", "demo")
    dispute = cli.first("delivered")
    cli.ok("dispute", "open", str(dispute["id"]), "--reason", "not_received", "--amount",
           "1.00", "--description", "never came")
    cli.ok("record", str(cli.first("processing")["id"]), "--cancellation", "approved")
    order = cli.json("show", str(dispute["id"]))
    item = order["items"][0]
    cli.ok("return", "open", str(dispute["id"]), "--items",
           f"{item['sku'] or '#1'}:{item['quantity']}", "--reason", "broken", "--to",
           "merchant")
    for state in ("in_transit", "received", "restocked"):
        cli.ok("return", "set", str(dispute["id"]), "--state", state)
    speak(cli, i18n.PSEUDO)
    yield cli


# --- what people read ------------------------------------------------------------------------

def test_tables_are_marked_and_their_dates_german(pseudo: Cli,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # no column cut short
    for args in (["orders"], ["orders", "--all"], ["outbox", "--all"], ["dispute", "list"],
                 ["return", "list"], ["stock", "list"], ["shop-orders", "--all"]):
        result = ok(pseudo, *args)
        header, rule, *rows = result.stdout.splitlines()
        assert rows, args
        cells = header.split("  ")
        assert all(is_pseudo(c) for c in cells if c.strip()), (args, header)
        assert set(rule) <= {"-", " "}
        body = "\n".join(rows)
        assert not ENGLISH_DAY.search(body), (args, body)  # x-pseudo counts as German
        assert is_pseudo(result.stderr) or not result.stderr, (args, result.stderr)
    orders = ok(pseudo, "orders").stdout
    assert GERMAN_DAY.search(orders)
    assert marked(ok(pseudo, "orders").stderr)


def test_show_marks_every_field(pseudo: Cli) -> None:
    orders = pseudo.orders("--all")
    chosen = {o["id"] for o in orders[::4]} | {
        o["id"] for o in orders if o["dispute"] or o["cancellation"] or o["refund_due"]}
    chosen.add(pseudo.first("delivered")["id"])  # a dispute, a return, its stock
    for order_id in sorted(chosen):
        text = ok(pseudo, "show", str(order_id)).stdout
        # each field's name (and each heading) is marked; the lines under them are the
        # order's data, indented
        for line in text.splitlines():
            if line and not line.startswith(" "):
                assert marked(line), (order_id, line)
                assert not ENGLISH_DAY.search(line), (order_id, line)


def test_actions_and_their_results_are_marked(pseudo: Cli) -> None:
    order = pseudo.first("delivered")
    refund = ok(pseudo, "refund", str(order["id"]), "--amount", "1.00", "--reason", "sorry")
    assert marked(refund.stdout), refund.stdout
    back = ok(pseudo, "recovered", str(order["id"]), "--amount", "0.50")
    assert marked(back.stdout), back.stdout
    shipped = pseudo.first("shipped")
    likely = ok(pseudo, "link", str(shipped["id"]))
    assert likely.stdout.startswith(shipped["shop_order"] + "  ")
    assert marked(likely.stderr), likely.stderr
    unlink = ok(pseudo, "unlink", str(shipped["id"]))
    assert marked(unlink.stdout), unlink.stdout
    assert marked(error(pseudo, 1, "link", str(shipped["id"])))  # not proposed again
    link = ok(pseudo, "link", str(shipped["id"]), "--shop-order", shipped["shop_order"])
    assert marked(link.stdout), link.stdout
    sync = ok(pseudo, "sync")
    assert marked(sync.stderr.splitlines()[-1]), sync.stderr
    stock = ok(pseudo, "stock", "list")
    assert marked(stock.stderr), stock.stderr
    columns = ok(pseudo, "export", "--list-columns")
    assert all(is_pseudo(line) for line in columns.stdout.splitlines())
    assert marked(columns.stderr.strip())


def test_export_says_what_it_wrote_marked(pseudo: Cli, tmp_path: Path) -> None:
    result = ok(pseudo, "export", "-o", str(tmp_path / "orders.csv"))
    assert marked(result.stdout), result.stdout


@pytest.mark.parametrize(("code", "args"), [
    (2, ["orders", "--supplier", "nope"]),
    (2, ["sync", "--shop", "nope"]),
    (2, ["shop-orders", "--shop", "nope"]),
    (2, ["record", "1"]),
    (2, ["export"]),
    (2, ["export", "--month", "someday", "-o", "x.csv"]),
    (2, ["export", "--since", "2026-02-01", "--until", "2026-01-01", "-o", "x.csv"]),
    (2, ["export", "--since", "1st of May", "-o", "x.csv"]),
    (2, ["export", "--month", "last", "--since", "2026-01-01", "-o", "x.csv"]),
    (1, ["export", "--supplier", "nope", "-o", "x.csv"]),
    (2, ["orders", "--bogus"]),  # click's own message, in a sentence of ours
    (2, ["nosuchcommand"]),
])
def test_errors_are_one_marked_line(pseudo: Cli, code: int, args: list[str]) -> None:
    assert marked(error(pseudo, code, *args))


def test_english_output_has_nothing_marked(cli: Cli) -> None:
    cli.ok("sync", "--shop", "demo")
    order = cli.orders()[0]
    for args in (["orders"], ["show", str(order["id"])], ["shop-orders"], ["outbox", "--all"],
                 ["export", "--list-columns"]):
        result = ok(cli, *args)
        assert not is_pseudo(result.stdout + result.stderr), args
    assert ENGLISH_DAY.search(ok(cli, "orders").stdout)


# --- what programs read ----------------------------------------------------------------------

def for_programs(cli: Cli) -> list[list[str]]:
    """Every command line whose output is for programs, on this shop's orders."""
    orders = cli.orders("--all")
    with_dispute = next(o for o in orders if o["dispute"])
    with_cancellation = next(o for o in orders if o["cancellation"])
    return [
        ["orders", "--format", "json"],
        ["orders", "--all", "--format", "json"],
        ["orders", "--limit", "5", "--format", "json"],
        ["orders", "--format", "csv"],
        ["orders", "--all", "--format", "csv", "--status", "delivered"],
        *(["show", str(o["id"]), "--format", "json"]
          for o in (orders[0], orders[-1], with_dispute, with_cancellation)),
        ["dispute", "list", "--format", "json"],
        ["shop-orders", "--format", "json"],
        ["shop-orders", "--all", "--format", "json"],
        ["shop-orders", "--all", "--format", "csv"],
        ["shop-orders", "--unlinked", "--format", "csv"],
    ]


def outputs(cli: Cli, lines: list[list[str]]) -> list[tuple[str, str]]:
    found = []
    for args in lines:
        result = ok(cli, *args)
        assert result.stdout, args
        # the command ran in English, whatever the language: its notes too
        assert i18n.current().english, args
        found.append((result.stdout, result.stderr))
    return found


def test_json_and_csv_are_the_same_in_every_language(pseudo: Cli,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    lines = for_programs(pseudo)
    marked_ones = outputs(pseudo, lines)
    speak(pseudo, "en")
    english = outputs(pseudo, lines)
    assert marked_ones == english
    assert "of 120 orders" in english[2][1]  # --limit 5: the note on stderr, in English
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    speak(pseudo, "auto")
    assert outputs(pseudo, lines) == english
    for stdout, _stderr in english:
        assert not is_pseudo(stdout)


def test_auto_follows_lang(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """``auto`` with ``LANG=de_DE.UTF-8`` speaks German: German dates, whatever the
    catalogue holds yet, and JSON as ever."""
    speak(cli, "auto")
    english = ok(cli, "orders")
    assert ENGLISH_DAY.search(english.stdout) and not GERMAN_DAY.search(english.stdout)
    json_before = ok(cli, "orders", "--all", "--format", "json").stdout
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    german = ok(cli, "orders")
    assert GERMAN_DAY.search(german.stdout) and not ENGLISH_DAY.search(german.stdout)
    assert ok(cli, "orders", "--all", "--format", "json").stdout == json_before


# --- --help ----------------------------------------------------------------------------------

def test_help_is_marked(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(PSEUDO_CONFIG)
    group = help_of(config)
    assert group.startswith("Usage: ordertui")  # click's own words stay its own
    assert is_pseudo(group.split("Options:")[0])  # the group's description
    commands = group.split("Commands:")[1].strip().splitlines()
    assert commands and all(is_pseudo(line) for line in commands), commands
    config_help = next(line for line in group.splitlines() if "--config" in line)
    assert is_pseudo(config_help)
    for args in (["orders"], ["sync"], ["export"], ["dispute", "open"], ["return", "set"],
                 ["shop-orders"], ["simulate", "shopify"]):
        text = help_of(config, *args)
        description = text.split("Options:")[0].split("\n", 1)[1]
        assert is_pseudo(description), (args, description)
        # every option's description, where it has one (not click's own --help)
        described = 0
        for line in text.split("Options:")[1].splitlines():
            name, _, rest = line.strip().partition("  ")
            rest = rest.strip()
            if name.startswith("-") and rest and not rest.startswith("[") \
                    and "Show this message" not in rest:
                assert is_pseudo(rest), (args, line)
                described += 1
        assert described, (args, text)
    export = help_of(config, "export")
    assert "ordertui export -o orders.xlsx --since 2026-11-01" in export  # examples as typed


def test_help_in_english_is_unmarked(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    for args in ([], ["orders"], ["export"]):
        text = help_of(config, *args)
        assert not is_pseudo(text)
    assert "List orders from the local store (newest first)." in help_of(config)
