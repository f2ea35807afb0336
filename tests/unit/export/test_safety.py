"""Formula neutralisation (OWASP) and unsafe characters: properties over any text, and the
same text written to XLSX reads back unchanged by openpyxl and calamine."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ordertui.export.columns import Column
from ordertui.export.safety import cell_text, neutralise
from ordertui.export.writers import CsvWriter, XlsxWriter
from support.export import read_xlsx_calamine, read_xlsx_openpyxl

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: what no cell may hold, as export/safety.py describes it, written out apart from its own
#: patterns: C0 controls but tab and line feed (a carriage return becomes a line feed), DEL
#: and the C1 controls, lone surrogates, and the non-characters U+FFFE and U+FFFF
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
texts = st.text(st.characters(codec="utf-8", exclude_categories=()), max_size=60) | st.text(
    st.sampled_from("=+-@\t\r \n\x00\x07\x1b\x7f\x85\ud800\ufffeab1,.\"'王ü"), max_size=12)


@pytest.mark.parametrize(("text", "safe"), [
    ("=1+2", "'=1+2"), ("+49 30 123", "'+49 30 123"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\n=1"), ("   =1", "'   =1"), ("a=b", "a=b"), ("", ""),
    ("Zoë", "Zoë"), ("王小明", "王小明"), ("'=1", "'=1"), ("a\x00b", "a␀b"), ("a\x1bb", "a␛b"),
    ("a\x7fb", "a␡b"), ("a\x85b", "a<U+0085>b"), ("a\ud800b", "a\ufffdb"), ("a\r\nb", "a\nb"),
    ("line\nbreak", "line\nbreak"), ("#N/A", "#N/A")])
def test_cell_text(text: str, safe: str) -> None:
    assert cell_text(text) == safe


def test_neutralise_keeps_its_contract() -> None:
    assert neutralise("-12.50") == "'-12.50"  # text that looks like a number is still text
    assert neutralise(" ") == " "


@given(texts)
def test_no_formula_survives(text: str) -> None:
    out = cell_text(text)
    assert not out.lstrip(" ").startswith(TRIGGERS) or out.startswith("'")
    assert UNSAFE.search(out) is None  # no control character, no CR, nothing XML refuses
    assert cell_text(out) == out  # applying it twice changes nothing
    if not text.lstrip(" ").startswith(TRIGGERS) and UNSAFE.search(text) is None:
        assert out == text  # harmless text is never touched


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(texts, min_size=1, max_size=8))
def test_any_text_round_trips_through_xlsx_and_csv(tmp_path: Path, cells: list[str]) -> None:
    columns = [Column(f"c{i}", f"C{i}", "text", lambda o: None, lambda o, i, f: None, "x")
               for i in range(len(cells))]
    xlsx = XlsxWriter(tmp_path / "t.xlsx", columns)
    xlsx.write([cells])
    xlsx.finish()
    expected = [None if not c or c.isspace() else cell_text(c) for c in cells]
    n = len(cells)
    ws = read_xlsx_openpyxl(tmp_path / "t.xlsx")
    assert [c.value for c in next(ws.iter_rows(min_row=2, max_row=2, max_col=n))] == expected
    rows = read_xlsx_calamine(tmp_path / "t.xlsx")
    got = (rows[1] if len(rows) > 1 else []) + [None] * n
    assert [v or None for v in got[:n]] == expected
    plain = CsvWriter(tmp_path / "t.csv", columns, bom=False)
    plain.write([cells])
    plain.finish()
    import csv

    with open(tmp_path / "t.csv", encoding="utf-8", newline="") as f:
        # CSV keeps blank text too
        assert list(csv.reader(f))[1] == [cell_text(c) for c in cells]
