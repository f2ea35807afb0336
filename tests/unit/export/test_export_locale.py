"""Exports in German: "CSV for Excel" with semicolons and decimal commas that a German
Excel opens in columns with numbers it can sum, read back by Python's csv module and
parsed as German numbers by CLDR's rules (Babel); XLSX with German headers and the same
values; the CSV for scripts and every value of the XLSX identical in both languages."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from babel.numbers import NumberFormatError, parse_decimal

from ordertui import i18n
from ordertui.domain.query import OrderQuery
from ordertui.export.columns import COLUMNS
from ordertui.export.request import ExportRequest
from support.export import read_csv, read_xlsx_calamine

ALL_KEYS = tuple(c.key for c in COLUMNS)
MONEY = [i for i, c in enumerate(COLUMNS) if c.kind == "money"]


def export(services: Any, path: Path, fmt: str, language: str, **kw: Any) -> bytes:
    i18n.use(language)
    try:
        services.export(ExportRequest(query=OrderQuery(descending=False), fmt=fmt, path=path,
                                      columns=ALL_KEYS, **kw))
    finally:
        i18n.use("en")
    return path.read_bytes()


def test_csv_for_excel_in_german_splits_on_semicolons_with_numbers_a_german_excel_sums(
        services: Any, tmp_path: Path) -> None:
    export(services, tmp_path / "en.csv", "csv-excel", "en")
    raw = export(services, tmp_path / "de.csv", "csv-excel", "de")
    assert raw.startswith(b"\xef\xbb\xbf")  # still UTF-8 with the mark Excel reads
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].count(";") == len(COLUMNS) - 1
    _, english = read_csv(tmp_path / "en.csv")
    import csv
    import io
    german = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert len(german) == len(english) and all(len(r) == len(COLUMNS) for r in german)
    i18n.use("de")
    assert german[0] == [c.label for c in COLUMNS]
    i18n.use("en")
    assert german[0] != english[0]  # the headers are German
    summed = 0
    for de_row, en_row in zip(german[1:], english[1:], strict=True):
        for i in MONEY:
            if not en_row[i] or en_row[i].startswith("'"):
                assert de_row[i] == en_row[i]
                continue
            assert "." not in de_row[i]  # no point: a German Excel would read text
            value = parse_decimal(de_row[i], locale="de_DE", strict=True)
            assert value == Decimal(en_row[i])
            summed += 1
    assert summed > 100
    with pytest.raises(NumberFormatError):  # what the English file holds is no German number
        parse_decimal("1,234.50", locale="de_DE", strict=True)


def test_the_separator_can_be_chosen_and_a_comma_keeps_the_decimal_point(
        services: Any, tmp_path: Path) -> None:
    raw = export(services, tmp_path / "de.csv", "csv-excel", "de", delimiter=",")
    _, rows = read_csv(tmp_path / "de.csv")
    assert raw.decode("utf-8-sig").splitlines()[0].count(";") == 0
    assert len(rows[0]) == len(COLUMNS)
    money = [rows[1][i] for i in MONEY if rows[1][i]]
    assert money and all("," not in m for m in money)
    export(services, tmp_path / "en.csv", "csv-excel", "en", delimiter=";")
    header = (tmp_path / "en.csv").read_bytes().decode("utf-8-sig").splitlines()[0]
    assert header.count(";") == len(COLUMNS) - 1 and header.startswith("Order;")


def test_the_csv_for_scripts_is_the_same_in_every_language(services: Any,
                                                           tmp_path: Path) -> None:
    english = export(services, tmp_path / "en.csv", "csv", "en")
    assert export(services, tmp_path / "de.csv", "csv", "de") == english
    assert export(services, tmp_path / "ps.csv", "csv", "x-pseudo") == english
    assert english.splitlines()[0].decode() == ",".join(ALL_KEYS)


def test_xlsx_in_german_has_german_headers_and_the_same_values(services: Any,
                                                               tmp_path: Path) -> None:
    export(services, tmp_path / "en.xlsx", "xlsx", "en")
    export(services, tmp_path / "de.xlsx", "xlsx", "de")
    english, german = (read_xlsx_calamine(tmp_path / f"{n}.xlsx") for n in ("en", "de"))
    i18n.use("de")
    assert german[0] == [c.label for c in COLUMNS] != english[0]
    labels = [i for i, c in enumerate(COLUMNS) if c.kind == "label"]
    assert labels
    for de_row, en_row in zip(german[1:], english[1:], strict=True):
        # the same values; the app's own words (a status, a dispute's state) in German
        assert [v for i, v in enumerate(de_row) if i not in labels] == [
            v for i, v in enumerate(en_row) if i not in labels]
        for i in labels:
            assert de_row[i] == (i18n._(en_row[i]) if en_row[i] else "")
    i18n.use("en")
    assert any(isinstance(v, float) for v in german[1])  # amounts are numbers
    assert "Versandt" in {row[labels[0]] for row in german[1:]}
