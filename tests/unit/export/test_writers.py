"""Every format, read back with a reader that is not the writer: values, types, row counts,
non-ASCII text, the byte-order mark, and hostile text neutralised while real negative numbers
stay numbers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ordertui.domain.query import OrderQuery
from ordertui.export.columns import COLUMNS
from ordertui.export.request import ExportRequest
from ordertui.export.writers import XLSX_MAX_TEXT
from support.export import (
    HOSTILE,
    HOSTILE_SUPPLIER,
    HUGE,
    NON_ASCII,
    by_order,
    hostile_orders,
    read_csv,
    read_xlsx_calamine,
    read_xlsx_openpyxl,
)

ALL_KEYS = tuple(c.key for c in COLUMNS)
HEADER = [c.label for c in COLUMNS]
EXPECTED_NAMES = {**HOSTILE, **{n: n for n in NON_ASCII}}


def export(services: Any, path: Path, fmt: str, **kw: Any) -> Any:
    query = kw.pop("query", OrderQuery(descending=False))
    return services.export(ExportRequest(query=query, fmt=fmt, path=path, **kw))


def col(name: str) -> int:
    return HEADER.index(name)


def hostile_rows(header: list[str], rows: list[list[Any]]) -> dict[str, list[Any]]:
    """Rows of the hostile orders keyed by their (raw) customer name."""
    names = {f"#H{n:03d}": raw for n, raw in enumerate(EXPECTED_NAMES)}
    found = by_order(header, rows)
    return {names[k]: v for k, v in found.items() if k in names}


@pytest.mark.parametrize("fmt", ["csv-excel", "csv"])
def test_csv_reads_back_with_every_column(services: Any, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "orders.csv"
    result = export(services, path, fmt, columns=ALL_KEYS)
    raw, rows = read_csv(path)
    total = services.count(OrderQuery())
    assert result.orders == result.rows == total
    assert raw.startswith(b"\xef\xbb\xbf") is (fmt == "csv-excel")
    assert raw.count(b"\r\n") >= total + 1  # CRLF rows (RFC 4180)
    header, body = rows[0], rows[1:]
    # CSV for Excel heads its columns as people name them; CSV for scripts by their keys
    assert header == (HEADER if fmt == "csv-excel" else [c.key for c in COLUMNS])
    header = HEADER
    assert len(body) == total

    hostile = hostile_rows(header, body)
    assert len(hostile) == len(EXPECTED_NAMES)
    for raw_name, row in hostile.items():
        assert row[col("Customer")] == EXPECTED_NAMES[raw_name]
        # titles are the names reversed: the same neutralisation in a product title
        assert row[col("Product")].split("; ")[0] == EXPECTED_NAMES[
            list(EXPECTED_NAMES)[len(EXPECTED_NAMES) - 1 - list(EXPECTED_NAMES).index(raw_name)]]
        assert row[col("Phone")] == "'+49 30 123456"
        assert row[col("City")] == "München"
        # a loss is a real negative number, not neutralised text
        profit = row[col("Profit")]
        assert not profit.startswith("'")
        assert Decimal(profit) < 0
        assert Decimal(row[col("Total price")]) - Decimal(row[col("Total cost")]) == Decimal(
            profit)
    for name in NON_ASCII:
        assert name in {r[col("Customer")] for r in body}
    assert any(len(r[col("Customer")]) == len(HUGE) for r in body)  # CSV keeps it all
    # dates and datetimes as a spreadsheet parses them
    first = body[0]
    date.fromisoformat(first[col("Date")])
    datetime.strptime(first[col("Created at")], "%Y-%m-%d %H:%M:%S")
    # nothing a spreadsheet would evaluate, anywhere in the file
    for row in body:
        for cell in row:
            if cell and cell.lstrip(" ")[:1] in ("=", "+", "@", "\t", "\r"):
                pytest.fail(f"formula-like cell {cell[:40]!r}")
            if cell.startswith("-"):
                Decimal(cell)  # only real numbers may start with a minus


def test_xlsx_reads_back_with_openpyxl(services: Any, tmp_path: Path) -> None:
    path = tmp_path / "orders.xlsx"
    result = export(services, path, "xlsx", columns=ALL_KEYS)
    total = services.count(OrderQuery())
    ws = read_xlsx_openpyxl(path)
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0] == HEADER
    assert len(rows) == total + 1 == result.rows + 1
    assert all(c.font.b for c in next(ws.iter_rows(max_row=1)))
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(HEADER)).column_letter}{total + 1}"
    widths = [ws.column_dimensions[ws.cell(1, i + 1).column_letter].width
              for i in range(len(HEADER))]
    assert all(6 <= w <= 60 for w in widths)
    assert widths[col("Customer")] > widths[col("Country")]

    cells = {str(r[0].value): r for r in ws.iter_rows(min_row=2)}
    for raw_name, row in hostile_rows(rows[0], rows[1:]).items():
        expected = EXPECTED_NAMES[raw_name]
        assert row[col("Customer")] == expected
        cell = cells[str(row[col("Order")])][col("Customer")]
        assert cell.data_type == "s"  # text stays text, "#N/A" included
        profit = cells[str(row[col("Order")])][col("Profit")]
        assert isinstance(profit.value, float | int) and profit.value < 0
        assert '"EUR"' in profit.number_format
        assert isinstance(row[col("Quantity")], int)
        assert isinstance(row[col("Created at")], datetime)
        assert isinstance(row[col("Date")], datetime)  # openpyxl reads dates as datetimes
        assert cells[str(row[col("Order")])][col("Date")].number_format == "yyyy-mm-dd"
    empty = cells["#HEMPTY"]
    assert len(empty[col("Customer")].value) == XLSX_MAX_TEXT
    assert empty[col("Customer")].value.endswith("…")
    assert '"JPY"' in empty[col("Total price")].number_format
    assert empty[col("Dispute refund")].value == 900
    assert any("32,767" in w for w in result.warnings)


def test_xlsx_reads_back_with_calamine(services: Any, tmp_path: Path) -> None:
    path = tmp_path / "orders.xlsx"
    export(services, path, "xlsx", columns=ALL_KEYS)
    rows = read_xlsx_calamine(path)
    assert rows[0] == HEADER
    assert len(rows) == services.count(OrderQuery()) + 1
    for raw_name, row in hostile_rows(rows[0], rows[1:]).items():
        assert row[col("Customer")] == EXPECTED_NAMES[raw_name]
        assert isinstance(row[col("Date")], date)
        assert isinstance(row[col("Created at")], datetime)
        assert isinstance(row[col("Profit")], float) and row[col("Profit")] < 0
        quantity = row[col("Quantity")]
        assert isinstance(quantity, float) and quantity.is_integer()  # XLSX numbers
        assert row[col("Total cost")] == pytest.approx(float(Decimal(row[col("Total cost")])))
    demo = [r for r in rows[1:] if r[col("Supplier")] != HOSTILE_SUPPLIER]
    assert all(isinstance(r[col("Total price")], float) for r in demo)


def test_csv_and_xlsx_hold_the_same_values(services: Any, tmp_path: Path) -> None:
    export(services, tmp_path / "a.csv", "csv", columns=ALL_KEYS)
    export(services, tmp_path / "a.xlsx", "xlsx", columns=ALL_KEYS)
    _, csv_rows = read_csv(tmp_path / "a.csv")
    xlsx_rows = read_xlsx_calamine(tmp_path / "a.xlsx")
    assert len(csv_rows) == len(xlsx_rows)
    kinds = {c.label: c.kind for c in COLUMNS}
    for c_row, x_row in zip(csv_rows[1:], xlsx_rows[1:], strict=True):
        for label, c, x in zip(HEADER, c_row, x_row, strict=True):
            kind = kinds[label]
            if kind == "text" and len(c) <= XLSX_MAX_TEXT:
                assert c == x, label
            elif kind in ("money", "int") and c:
                assert Decimal(c) == pytest.approx(Decimal(str(x))), label
            elif kind == "date" and c:
                assert x == date.fromisoformat(c)
            elif kind == "datetime" and c:
                assert x == datetime.fromisoformat(c)
            elif not c:
                assert x in ("", None), label


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_line_item_layout(services: Any, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / ("items.xlsx" if fmt == "xlsx" else "items.csv")
    keys = ("order", "product", "quantity", "unit_price", "line_price", "total_price", "profit")
    query = OrderQuery(supplier=HOSTILE_SUPPLIER, descending=False)
    result = export(services, path, fmt, per="line-item", columns=keys, query=query)
    orders = hostile_orders()
    expected_rows = sum(max(len(o.items), 1) for o in orders)
    rows = read_xlsx_calamine(path) if fmt == "xlsx" else read_csv(path)[1]
    assert result.orders == len(orders)
    assert result.rows == expected_rows == len(rows) - 1
    for order in orders:
        mine = [r for r in rows[1:] if r[0] == order.name]
        assert len(mine) == max(len(order.items), 1)
        # the order's amounts on its first row only, so that a column sum counts it once
        assert mine[0][5] not in ("", None)
        assert all(r[5] in ("", None) for r in mine[1:])
        for row, item in zip(mine, order.items, strict=False):
            assert float(row[2]) == item.quantity
            assert Decimal(str(row[4])) == item.total_price.amount
    assert sum(Decimal(str(r[4])) for r in rows[1:] if r[4] not in ("", None)) == sum(
        (i.total_price.amount for o in orders for i in o.items), Decimal(0))


def test_empty_result_has_a_header_and_says_so(services: Any, tmp_path: Path) -> None:
    path = tmp_path / "none.xlsx"
    result = export(services, path, "xlsx", query=OrderQuery(search="zzzznothing"))
    assert result.orders == result.rows == 0
    assert any("no orders match" in w for w in result.warnings)
    assert len(read_xlsx_calamine(path)) == 1
