"""The commands in German: their tables, lines and one-line errors, `--help`, the return
policy in the app's language, and "CSV for Excel" split by semicolons — with the JSON the
same as in English."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from babel.numbers import parse_decimal

from support.cli import Cli
from support.cli_language import GERMAN_DAY, error, help_of, ok, speak


@pytest.fixture
def german(cli: Cli) -> Cli:
    speak(cli, "de")
    return cli


def test_orders_show_and_errors_in_german(german: Cli) -> None:
    table = ok(german, "orders").stdout
    assert "Datum" in table and "Kunde" in table and GERMAN_DAY.search(table)
    assert "Versandt" in table and "shipped" not in table  # statuses in German
    line = error(german, 2, "show", "#999999")
    assert "keine Bestellung" in line.lower() or "Bestellung" in line, line
    first = json.loads(ok(german, "orders", "--format", "json").stdout)[0]
    shown = ok(german, "show", str(first["id"])).stdout
    assert "Kunde zahlte" in shown or "Kunde" in shown


def test_json_is_the_same_as_in_english(cli: Cli) -> None:
    english = ok(cli, "orders", "--all", "--format", "json").stdout
    speak(cli, "de")
    assert ok(cli, "orders", "--all", "--format", "json").stdout == english
    assert json.loads(english)[0]["status"] in {"awaiting_payment", "processing", "shipped",
                                                "delivered", "cancelled", "closed"}


def test_help_in_german(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[app]\nlanguage = "de"\n')
    text = help_of(config, "export")
    assert "--delimiter" in text and "Trennzeichen" in text
    assert "Ersetzt die Datei" in text or "Datei" in text
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    assert "Bestellungen" in help_of(empty, env={"LANG": "de_DE.UTF-8"})  # auto: from LANG
    assert "Bestellungen" not in help_of(empty)


def test_the_policy_follows_the_language_unless_asked(german: Cli) -> None:
    german_policy = ok(german, "policy").stdout
    english_policy = ok(german, "policy", "--lang", "en").stdout
    assert german_policy != english_policy
    assert "Rücksendung" in german_policy or "Rückgabe" in german_policy
    assert "return" in english_policy.lower()


def test_csv_for_excel_from_the_command_line(german: Cli, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    ok(german, "export", "--format", "csv-excel", "-o", str(path))
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""),
                           delimiter=";"))
    header = rows[0]
    assert "Bestellung" in header
    total = header.index("Gesamtpreis")
    assert all(parse_decimal(r[total], locale="de_DE", strict=True) >= 0
               for r in rows[1:] if r[total])
    comma = tmp_path / "comma.csv"
    ok(german, "export", "--format", "csv-excel", "--delimiter", ",", "-o", str(comma))
    assert comma.read_text(encoding="utf-8-sig").splitlines()[0].count(";") == 0
    line = error(german, 2, "export", "--format", "xlsx", "--delimiter", ";", "-o",
                 str(tmp_path / "x.xlsx"))
    assert "csv-excel" in line
