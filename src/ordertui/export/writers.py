"""Streaming writers: rows go to disk as they come, so memory stays flat at any size.

Three formats, as Shopify offers them:

- ``csv-excel``: UTF-8 with a byte-order mark, which is how Excel learns that ü and 王 are
  UTF-8 rather than the local code page; CRLF rows, RFC 4180 quoting.
- ``csv``: the same without the mark, for scripts and other programs.
- ``xlsx``: openpyxl's write-only mode. Dates are real dates, amounts are numbers with their
  currency's number format, quantities are integers; the header is bold and frozen and has
  an autofilter, and columns are as wide as their contents. Write-only mode needs the
  widths before the first row, so the first batch of rows is the sample they are measured
  on.

A writer is given a path (the service's temporary file) and never renames anything; it
flushes and fsyncs in :meth:`RowWriter.finish` so that the rename that follows publishes a
complete file.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import os
import tempfile
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any, TextIO

from ordertui.domain.models import Order
from ordertui.domain.money import Money, exponent
from ordertui.export.columns import Column, Moved, RowFn, row_builder
from ordertui.export.safety import FIRST, SCAN, cell_text
from ordertui.i18n import _, formats, ngettext

#: Longest text an Excel cell holds; longer text is cut (with a warning) rather than left
#: for Excel to "repair" the file.
XLSX_MAX_TEXT = 32_767

MIME_TYPES = {"csv-excel": "text/csv", "csv": "text/csv",
              "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
EXTENSIONS = {"csv-excel": ".csv", "csv": ".csv", "xlsx": ".xlsx"}


class RowWriter(ABC):
    """Receives rows of plain values (see ``columns``) in batches."""

    def __init__(self, path: Path, columns: Sequence[Column]) -> None:
        self.path = path
        self.columns = tuple(columns)
        self.rows = 0
        self.warnings: list[str] = []

    @abstractmethod
    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        """Write rows of plain values."""

    def write_orders(self, orders: Sequence[Order], per: str, moved: Moved) -> int:
        """Write the rows of a batch of orders, with what went back to their customers and
        came back from the supplier (``moved``); returns how many rows that was."""
        rows = row_builder(self.columns, per)(orders, moved)
        self.write(rows)
        return len(rows)

    @abstractmethod
    def finish(self) -> None:
        """Complete the file and make it durable (fsync)."""

    @abstractmethod
    def discard(self) -> None:
        """Release everything after a failure or a cancel; the caller removes ``path``."""


# --- CSV -------------------------------------------------------------------------------


def _csv_text(value: str | None) -> str | None:
    if value and (value[0] in FIRST or SCAN.search(value) is not None):
        return cell_text(value)
    return value


_QUANTUM: dict[str, Decimal] = {}


def amount(value: Money) -> Decimal:
    """The amount rounded to its currency's decimals, as ``Money.plain`` does, without
    building new Money objects (this runs for every money cell)."""
    quantum = _QUANTUM.get(value.currency)
    if quantum is None:
        quantum = _QUANTUM[value.currency] = Decimal(1).scaleb(-exponent(value.currency))
    return value.amount.quantize(quantum, rounding=ROUND_HALF_EVEN)


def _csv_money(value: Money | None) -> str | None:
    return str(amount(value)) if value is not None else None


def _csv_money_marked(value: Money | None, mark: str) -> str | None:
    return str(amount(value)).replace(".", mark) if value is not None else None


def _csv_label(value: str | None) -> str | None:
    return _csv_text(_(value)) if value else value


def _csv_date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _csv_datetime(value: datetime | None) -> str | None:
    return value.isoformat(" ", "seconds") if value is not None else None


def _same(value: Any) -> Any:
    return value


_CSV_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "text": _csv_text, "label": _csv_text, "money": _csv_money, "int": _same, "date": _csv_date,
    "datetime": _csv_datetime}


def excel_delimiter() -> str:
    """The separator "CSV for Excel" uses in the app's language: ``;`` where the locale
    writes decimal commas (Excel in German splits CSV on semicolons), else ``,``."""
    return formats.list_separator()


class CsvWriter(RowWriter):
    """RFC 4180 CSV. With ``bom`` it is "CSV for Excel": the byte-order mark, the headers in
    the app's language, ``delimiter`` (the locale's, see :func:`excel_delimiter`) and amounts
    with the locale's decimal mark, so that Excel opens it in columns with numbers it can
    sum. Without, it is the CSV for scripts: the same in every language (snake_case keys as
    headers, ``,``, ``1234.50``)."""

    def __init__(self, path: Path, columns: Sequence[Column], *, bom: bool,
                 delimiter: str | None = None) -> None:
        super().__init__(path, columns)
        self._file: TextIO = open(path, "w", encoding="utf-8-sig" if bom else "utf-8",  # noqa: SIM115
                                  newline="")
        self.delimiter = (delimiter or excel_delimiter()) if bom else ","
        self._csv = csv.writer(self._file, lineterminator="\r\n", delimiter=self.delimiter)
        converters = dict(_CSV_CONVERTERS)
        # a decimal comma needs another separator: with "," the amounts keep their point
        mark = formats.decimal_symbol() if bom and self.delimiter != "," else "."
        if mark != ".":
            converters["money"] = functools.partial(_csv_money_marked, mark=mark)
        if bom:  # the app's own words in the app's language
            converters["label"] = _csv_label
        self._convert = [converters[c.kind] for c in self.columns]
        self._builders: dict[str, RowFn] = {}
        self._csv.writerow([cell_text(c.label) if bom else c.key for c in self.columns])

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        convert = self._convert
        self._csv.writerows([[f(v) for f, v in zip(convert, row, strict=True)]
                             for row in rows])
        self.rows += len(rows)

    def write_orders(self, orders: Sequence[Order], per: str, moved: Moved) -> int:
        # values become cells while the rows are built: one pass instead of two
        build = self._builders.get(per)
        if build is None:
            build = self._builders[per] = row_builder(self.columns, per, self._convert)
        rows = build(orders, moved)
        self._csv.writerows(rows)
        self.rows += len(rows)
        return len(rows)

    def finish(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()

    def discard(self) -> None:
        self._file.close()


# --- XLSX ------------------------------------------------------------------------------


def money_format(currency: str) -> str:
    """An Excel number format that shows the amount with its currency's decimals and code:
    ``#,##0.00 "EUR"``. The code, not a symbol, because $ alone says nothing about which
    dollar and the accountant sums by currency."""
    places = exponent(currency)
    digits = "#,##0" + ("." + "0" * places if places else "")
    code = "".join(ch for ch in currency if ch.isalnum())[:3] or "XXX"
    return f'{digits} "{code}";-{digits} "{code}"'


DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_ERROR_LITERALS = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))


def _display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: East Asian wide characters count twice."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class XlsxWriter(RowWriter):
    """Excel through openpyxl's write-only mode: rows are streamed to the sheet as they come,
    so memory does not grow with the export; the price is that widths, the frozen header
    and the styles must be settled before the first row."""

    def __init__(self, path: Path, columns: Sequence[Column], *, sheet: str | None = None
                 ) -> None:
        # openpyxl (several MB) is imported by the methods that need it, when an Excel file is
        # written: the app and the CSV exports never load it
        from openpyxl import Workbook

        super().__init__(path, columns)
        self._wb = Workbook(write_only=True)
        self._wb.properties.creator = "ordertui"
        self._wb.properties.title = _("Orders")
        self._ws = self._wb.create_sheet(sheet or _("Orders"))
        self._started = False
        self._sheet_xml: str | None = None
        self._truncated = 0
        # one styled cell per (column, currency) and per date column, reused row after row:
        # openpyxl writes a row's cells before ``append`` returns, so a cell object can carry
        # the next row's value, and its style is looked up once instead of once per cell
        self._money_cells: dict[tuple[int, str], Any] = {}
        self._date_cells: dict[int, Any] = {}
        self._convert: list[Callable[[Any], Any]] = [self._converter(i, c.kind)
                                                     for i, c in enumerate(self.columns)]

    # converters ------------------------------------------------------------------------
    def _converter(self, index: int, kind: str) -> Callable[[Any], Any]:
        if kind == "text":
            return self._text
        if kind == "label":
            return lambda value: self._text(_(value)) if value else value
        if kind == "int":
            return _same
        if kind == "money":
            def money(value: Money | None) -> Any:
                if value is None:
                    return None
                cell = self._money_cells.get((index, value.currency))
                if cell is None:
                    cell = self._styled(money_format(value.currency))
                    self._money_cells[(index, value.currency)] = cell
                cell.value = amount(value)
                return cell
            return money
        fmt = DATE_FORMAT if kind == "date" else DATETIME_FORMAT

        def when(value: date | None) -> Any:
            if value is None:
                return None
            cell = self._date_cells.get(index)
            if cell is None:
                cell = self._date_cells[index] = self._styled(fmt)
            cell.value = value
            return cell
        return when

    def _styled(self, number_format: str) -> Any:
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self._ws)
        cell.number_format = number_format
        return cell

    def _text(self, value: str | None) -> Any:
        if not value or value.isspace():
            return None  # openpyxl does not mark blank text as preserved; readers drop it
        if value[0] in FIRST or SCAN.search(value) is not None:
            value = cell_text(value)
        if len(value) > XLSX_MAX_TEXT:
            value = value[: XLSX_MAX_TEXT - 1] + "…"
            self._truncated += 1
        if value in _ERROR_LITERALS:
            # openpyxl would store "#N/A" as an error value; a customer's text stays text
            from openpyxl.cell import WriteOnlyCell

            cell = WriteOnlyCell(self._ws, "x")
            cell._value = value
            return cell
        return value

    # layout ------------------------------------------------------------------------------
    def _widths(self, sample: Sequence[Sequence[Any]]) -> list[float]:
        widths = []
        for i, col in enumerate(self.columns):
            width = _display_width(col.label) + 3  # room for the autofilter button
            for row in sample:
                v = row[i]
                if v is None:
                    continue
                if col.kind in ("text", "label"):
                    w = _display_width(max(str(v).split("\n"), key=len)) + 1
                elif col.kind == "money":
                    w = len(f"{v.amount:,}") + 6
                elif col.kind == "datetime":
                    w = 17
                elif col.kind == "date":
                    w = 11
                else:
                    w = len(str(v)) + 2
                width = max(width, w)
            widths.append(float(min(max(width, 6), 60)))
        return widths

    def _start(self, sample: Sequence[Sequence[Any]]) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        ws = self._ws
        for i, width in enumerate(self._widths(sample), 1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"
        self._stream_beside_output()
        bold = Font(bold=True)
        header = []
        for col in self.columns:
            cell = WriteOnlyCell(ws, cell_text(col.label))
            cell.font = bold
            header.append(cell)
        ws.append(header)
        self._started = True

    def _stream_beside_output(self) -> None:
        """Let openpyxl stream the sheet's XML to a file beside the output, not to /tmp.

        The sheet XML is several times the size of the finished file, /tmp is often a RAM
        disk (tmpfs), and a full /tmp should not fail an export whose disk has room. This
        uses openpyxl's worksheet writer with an explicit ``out`` path and registers that
        path where openpyxl's own cleanup expects its temporary files.
        """
        from openpyxl.worksheet import _writer as sheet_writer

        fd, name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".sheet.xml",
                                    dir=self.path.parent)
        os.close(fd)
        self._sheet_xml = name
        sheet_writer.ALL_TEMP_FILES.append(name)
        writer = sheet_writer.WorksheetWriter(self._ws, out=name)
        self._ws._writer = writer
        writer.write_top()

    # streaming ---------------------------------------------------------------------------
    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        if not self._started:
            self._start(rows)
        append = self._ws.append
        convert = self._convert
        for row in rows:
            append([f(v) for f, v in zip(convert, row, strict=True)])
        self.rows += len(rows)

    def finish(self) -> None:
        from openpyxl.utils import get_column_letter

        if not self._started:
            self._start([])
        self._ws.auto_filter.ref = f"A1:{get_column_letter(len(self.columns))}{self.rows + 1}"
        self._wb.save(self.path)  # zips the streamed sheet, then removes its XML
        self._sheet_xml = None
        with open(self.path, "rb") as f:
            os.fsync(f.fileno())
        if self._truncated:
            n = self._truncated
            self.warnings.append(ngettext(
                "{n} cell longer than {limit} characters (Excel's limit) was cut",
                "{n} cells longer than {limit} characters (Excel's limit) were cut", n).format(
                    n=formats.number(n), limit=formats.number(XLSX_MAX_TEXT)))

    def discard(self) -> None:
        from openpyxl.worksheet import _writer as sheet_writer

        # close openpyxl's row stream and XML file; errors here would hide the real cause
        for part in (getattr(self._ws, "_rows", None), getattr(self._ws, "_writer", None)):
            if part is not None:
                with contextlib.suppress(Exception):
                    part.close()
        if self._sheet_xml is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._sheet_xml)
            if self._sheet_xml in sheet_writer.ALL_TEMP_FILES:
                sheet_writer.ALL_TEMP_FILES.remove(self._sheet_xml)
            self._sheet_xml = None


def open_writer(fmt: str, path: Path, columns: Sequence[Column],
                delimiter: str | None = None) -> RowWriter:
    """A writer for ``fmt`` (one of ``request.FORMATS``) writing ``path``; ``delimiter``
    overrides the locale's separator of ``csv-excel``."""
    if fmt == "xlsx":
        return XlsxWriter(path, columns)
    if fmt in ("csv", "csv-excel"):
        return CsvWriter(path, columns, bom=fmt == "csv-excel", delimiter=delimiter)
    raise ValueError(f"unknown export format {fmt!r}")
