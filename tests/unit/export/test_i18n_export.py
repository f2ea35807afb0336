"""Exports in another language (the test language x-pseudo: every translated message comes
out accented and in ⟦…⟧): the headers of the formats for people (csv-excel, xlsx) follow the
language, the ``csv`` for scripts stays byte for byte the same, and so do the cells; the
e-mail's subject and body, the export's errors and the columns' help are translated."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from ordertui import i18n
from ordertui.domain.errors import ValidationError
from ordertui.domain.query import OrderQuery
from ordertui.export.columns import COLUMNS, for_format, resolve_columns
from ordertui.export.errors import ExportFileExists
from ordertui.export.request import FORMAT_LABELS, ExportRequest
from ordertui.export.service import format_note, validate
from ordertui.i18n.pseudo import is_pseudo, pseudo
from support.export import (
    HOSTILE_SUPPLIER,
    read_xlsx_calamine,
    read_xlsx_openpyxl,
    services_for,
)
from support.mail import Inbox, attachment, free_port, mail_settings

ALL_KEYS = tuple(c.key for c in COLUMNS)
ENGLISH = [c.english for c in COLUMNS]
QUERY = OrderQuery(supplier=HOSTILE_SUPPLIER, descending=False)


def export(services: Any, path: Path, fmt: str, **kw: Any) -> Any:
    return services.export(ExportRequest(query=kw.pop("query", QUERY), fmt=fmt, path=path,
                                         columns=ALL_KEYS, **kw))


def csv_rows(path: Path) -> list[list[str]]:
    """The rows of a CSV file, whichever of "," and ";" it is split on (csv-excel takes the
    separator of the language's spreadsheets)."""
    text = path.read_bytes().decode("utf-8-sig")
    for delimiter in (",", ";"):
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        if len(rows[0]) == len(COLUMNS):
            return rows
    raise AssertionError(f"no separator splits the header into {len(COLUMNS)} cells")


def test_xlsx_headers_follow_the_language(services: Any, tmp_path: Path) -> None:
    i18n.use("x-pseudo")
    path = tmp_path / "orders.xlsx"
    export(services, path, "xlsx")
    ws = read_xlsx_openpyxl(path)
    header = [c.value for c in next(ws.iter_rows(min_row=1, max_row=1))]
    assert header == [pseudo(e) for e in ENGLISH]
    assert all(is_pseudo(h) for h in header)
    rows = read_xlsx_calamine(path)
    assert rows[0] == header
    # the app's own words in the cells are in the language too: the status, the dispute's
    # state (the CSV for scripts keeps them in English, below)
    body = rows[1:]
    status = header.index(pseudo("Status"))
    assert {r[status] for r in body} <= {pseudo("Shipped"), pseudo("Delivered")}
    dispute = [r[header.index(pseudo("Dispute"))] for r in body]
    assert pseudo("Refunded") in dispute


def test_csv_excel_headers_follow_the_language(services: Any, tmp_path: Path) -> None:
    i18n.use("x-pseudo")
    path = tmp_path / "orders.csv"
    export(services, path, "csv-excel")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    header = csv_rows(path)[0]
    assert header == [pseudo(e) for e in ENGLISH]


def test_csv_for_scripts_is_the_same_in_every_language(services: Any, tmp_path: Path) -> None:
    english = tmp_path / "en.csv"
    export(services, english, "csv")
    i18n.use("x-pseudo")
    translated = tmp_path / "pseudo.csv"
    result = export(services, translated, "csv")
    assert result.rows > 0
    assert translated.read_bytes() == english.read_bytes()
    assert english.read_bytes().splitlines()[0].decode() == ",".join(ALL_KEYS)
    assert "Refunded" in english.read_text(encoding="utf-8")
    assert not is_pseudo(translated.read_text(encoding="utf-8"))


def test_headers_per_format() -> None:
    i18n.use("x-pseudo")
    columns = resolve_columns(None)
    assert [c.label for c in for_format(columns, "csv")] == [c.english for c in columns]
    for fmt in ("csv-excel", "xlsx"):
        assert all(is_pseudo(c.label) for c in for_format(columns, fmt))
    i18n.use("en")
    assert [c.label for c in for_format(columns, "xlsx")] == [c.english for c in columns]


def test_column_help_and_format_names_are_translated() -> None:
    english = {c.key: c.help for c in COLUMNS}
    i18n.use("x-pseudo")
    for c in COLUMNS:
        assert is_pseudo(c.help), c.key
        if c.first_row_only:  # the note on the line-item layout, around the column's help
            assert pseudo(c.about) in c.help
    assert english["profit"] == ("total price − total cost (line-item layout: on the order's "
                                 "first row)")
    assert all(is_pseudo(FORMAT_LABELS[f]) for f in FORMAT_LABELS)
    assert is_pseudo(format_note("old.xls") or "")


def test_export_errors_are_translated(services: Any, tmp_path: Path) -> None:
    i18n.use("x-pseudo")
    existing = tmp_path / "there.xlsx"
    existing.write_bytes(b"")
    with pytest.raises(ExportFileExists) as exists:
        validate(ExportRequest(query=QUERY, fmt="xlsx", path=existing), services.config)
    assert is_pseudo(str(exists.value)) and str(existing) in str(exists.value)
    with pytest.raises(ValidationError) as fmt:
        validate(ExportRequest(query=QUERY, fmt="ods", path=tmp_path / "x.ods"),
                 services.config)
    assert is_pseudo(str(fmt.value)) and "'ods'" in str(fmt.value)
    with pytest.raises(ValidationError) as column:
        resolve_columns(("order", "margin"))
    assert is_pseudo(str(column.value)) and "'margin'" in str(column.value)


def test_no_orders_warning_is_translated(services: Any, tmp_path: Path) -> None:
    i18n.use("x-pseudo")
    result = export(services, tmp_path / "none.xlsx", "xlsx",
                    query=OrderQuery(supplier="nobody"))
    assert result.orders == 0
    assert len(result.warnings) == 1 and is_pseudo(result.warnings[0])
    # the filter inside it is translated too ("supplier nobody")
    assert pseudo("supplier {name}").replace("{name}", "nobody") in result.warnings[0]


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    box, port = Inbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


def test_mail_subject_and_body_are_translated(data_dir: Path, tmp_path: Path,
                                              inbox: tuple[Inbox, int]) -> None:
    box, port = inbox
    services = services_for(data_dir, mail_settings(port))
    try:
        i18n.use("x-pseudo")
        path = tmp_path / "orders.xlsx"
        result = export(services, path, "xlsx", email="accounts@example.com")
    finally:
        services.store.close()
    assert result.emailed_to == "accounts@example.com"
    message = box.messages[0]
    subject = str(message["Subject"])
    assert is_pseudo(subject), subject
    body = message.get_body(("plain",))
    assert body is not None
    lines = [line for line in body.get_content().splitlines() if line.strip()]
    assert len(lines) == 7
    assert all(is_pseudo(line) for line in lines), lines
    _mime, _name, content = attachment(message)
    header = read_xlsx_calamine(content)[0]
    assert header == [pseudo(e) for e in ENGLISH]
