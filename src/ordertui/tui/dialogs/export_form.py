"""The export form: scope, format inferred from the file name, layout, columns, destination
and an optional e-mail address. It validates before it runs, shows a progress bar, and esc
cancels a running export without leaving a file."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import (
    Input,
    Label,
    ProgressBar,
    RadioButton,
    RadioSet,
    SelectionList,
    Static,
)

from ordertui.domain.errors import OrdertuiError, ValidationError
from ordertui.domain.query import OrderQuery
from ordertui.i18n import N_, _, formats, ngettext
from ordertui.services.exports import (
    COLUMNS,
    DEFAULT_COLUMNS,
    FORMAT_LABELS,
    FORMATS,
    ExportCancelled,
    ExportFileExists,
    ExportRequest,
    MailError,
    infer_format,
)
from ordertui.tui.dialog import ConfirmDialog, Dialog, KeepOpen
from ordertui.tui.format import safe, saved_to
from ordertui.tui.widgets.toggles import Picks, Radio

EXTENSIONS = {"csv-excel": ".csv", "csv": ".csv", "xlsx": ".xlsx"}


def month_bounds(now: datetime, months_back: int) -> tuple[datetime, datetime]:
    """The first instant of the month ``months_back`` before ``now``'s, and of the next."""
    y, m = now.year, now.month - months_back
    while m <= 0:
        y, m = y - 1, m + 12
    start = now.replace(year=y, month=m, day=1, hour=0, minute=0, second=0, microsecond=0)
    ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
    return start, start.replace(year=ny, month=nm)


def excel_csv_label() -> str:
    """CSV for Excel with the separator and decimal mark it will use in the app's language
    (German: ``;`` and ``1234,50``, as a German Excel reads them)."""
    delimiter, mark = formats.list_separator(), formats.decimal_symbol()
    return _("{format} · {delimiter} and {example}").format(
        format=FORMAT_LABELS["csv-excel"], delimiter=delimiter, example=f"1234{mark}50")


class ExportDialog(Dialog[None]):
    FRAME = "dialog dialog-wide"
    FOCUS = "#scope"
    SUBMIT = (N_("Export"), "form.submit", "primary")
    FIELDS = ("path", "email", "columns", "fmt")
    ERROR_LINE = False
    GENERAL_FIELD = "fmt"

    def __init__(self, query: OrderQuery, marked: list[int]) -> None:
        super().__init__()
        self.filter_query = query
        self.marked = marked
        self.cancel_event: threading.Event | None = None

    def heading(self) -> str:
        return _("Export orders")

    def compose_body(self) -> ComposeResult:
        default_path = Path.home() / self._file_name(self._initial_scope(), ".csv")
        with VerticalScroll(classes="form"):
            yield Label(_("Which orders"), classes="field-label")
            with RadioSet(id="scope"):
                yield Radio(_("Marked orders ({n})").format(n=formats.number(len(self.marked))),
                            value=bool(self.marked), name="marked",
                            disabled=not self.marked)
                if self.filter_query.filtered:
                    # a Text, so that a search holding [markup] is shown as typed
                    yield Radio(Text(_("Current view: {view}").format(
                                    view=self.filter_query.describe())),
                                value=not self.marked, name="filter")
                yield Radio(_("Last month"), name="last-month")
                yield Radio(_("This month"), name="this-month")
                yield Radio(_("All orders"), name="all",
                            value=not self.marked and not self.filter_query.filtered)
            yield Label(_("Format"), classes="field-label")
            with RadioSet(id="fmt"):
                for fmt in FORMATS:
                    yield Radio(excel_csv_label() if fmt == "csv-excel" else FORMAT_LABELS[fmt],
                                value=fmt == "csv-excel", name=fmt)
            yield Label(_("Rows"), classes="field-label")
            with RadioSet(id="per"):
                yield Radio(_("One row per order"), value=True, name="order")
                yield Radio(_("One row per line item"), name="line-item")
            yield Label(_("Save to (a path on this machine; .csv or .xlsx)"),
                        classes="field-label")
            yield Input(value=str(default_path), id="path")
            yield self.error_line("path")
            yield Label(_("Also e-mail it to (optional)"), classes="field-label")
            yield Input(value=self.services.remembered_export_email(),
                        placeholder="accountant@example.com", id="email")
            yield self.error_line("email")
            yield Label(_("Columns"), classes="field-label")
            # the columns' names as the export's headers say them (export/columns.py marks
            # them for the catalogue)
            yield Picks(*[(c.label, c.key, c.key in DEFAULT_COLUMNS)
                          for c in COLUMNS], id="columns")
            yield self.error_line("columns")
            yield self.error_line("fmt")

    def compose_extra(self) -> ComposeResult:
        bar = ProgressBar(id="progress", show_eta=False)
        bar.display = False
        yield bar
        yield Static("", id="export-status", markup=False)

    # --- the file's name follows the orders it holds, until the merchant names it ----------
    def _initial_scope(self) -> str:
        if self.marked:
            return "marked"
        return "filter" if self.filter_query.filtered else "all"

    def _file_name(self, scope: str, suffix: str) -> str:
        """``ordertui-orders-2026-11.csv`` for last month, ``…-2026-12-06.csv`` otherwise."""
        now = self.services.clock().astimezone()
        if scope in ("last-month", "this-month"):
            start, _end = month_bounds(now, 1 if scope == "last-month" else 0)
            return f"ordertui-orders-{start:%Y-%m}{suffix}"
        return f"ordertui-orders-{now:%Y-%m-%d}{suffix}"

    @on(RadioSet.Changed, "#scope")
    def scope_changed(self, event: RadioSet.Changed) -> None:
        box = self.query_one("#path", Input)
        path = Path(box.value)
        names = {self._file_name(s, path.suffix) for s in
                 ("marked", "filter", "all", "last-month", "this-month")}
        if path.name in names:  # the name is still one the form gave: it follows the scope
            with box.prevent(Input.Changed):
                box.value = str(path.with_name(self._file_name(event.pressed.name or "all",
                                                               path.suffix)))

    # --- the format follows the file name, and the other way round --------------------
    @on(Input.Changed, "#path")
    def path_changed(self, event: Input.Changed) -> None:
        try:
            fmt = infer_format(Path(event.value))
        except OrdertuiError as exc:
            self.show_error("path", str(exc))
            return
        self._line("#path-error").update("")
        if fmt is None:
            return
        current = self._radio("fmt")
        if fmt == "csv" and current in ("csv", "csv-excel"):
            return  # both CSV flavours end in .csv: keep the merchant's choice
        self._press("fmt", fmt)

    @on(RadioSet.Changed, "#fmt")
    def fmt_changed(self, event: RadioSet.Changed) -> None:
        fmt = event.pressed.name or "csv-excel"
        box = self.query_one("#path", Input)
        path = Path(box.value)
        wanted = EXTENSIONS[fmt]
        if box.value and path.suffix.lower() != wanted:
            with box.prevent(Input.Changed):
                box.value = str(path.with_suffix(wanted))

    def _radio(self, rid: str) -> str:
        pressed = self.query_one(f"#{rid}", RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else ""

    def _press(self, rid: str, name: str) -> None:
        for button in self.query_one(f"#{rid}", RadioSet).query(RadioButton):
            if button.name == name and not button.value:
                button.value = True

    # --- running -------------------------------------------------------------------------
    def _request(self, force: bool) -> ExportRequest:
        scope = self._radio("scope")
        query = OrderQuery()
        if scope == "marked":
            query = OrderQuery(ids=tuple(self.marked))
        elif scope == "filter":
            query = self.filter_query
        elif scope in ("last-month", "this-month"):
            since, until = month_bounds(self.services.clock().astimezone(),
                                        1 if scope == "last-month" else 0)
            query = OrderQuery(since=since.astimezone(UTC), until=until.astimezone(UTC),
                               descending=False)
        columns = tuple(self.query_one("#columns", SelectionList).selected)
        email = self.query_one("#email", Input).value.strip() or None
        path_text = self.query_one("#path", Input).value.strip()
        return ExportRequest(query=query, fmt=self._radio("fmt") or "csv-excel",
                             path=Path(path_text).expanduser() if path_text else None,
                             email=email, per=self._radio("per") or "order",
                             columns=columns or None, force=force)

    async def submit(self) -> None:
        if self.cancel_event is not None:
            raise KeepOpen  # already running
        request = self._request(force=False)
        while True:
            try:
                request = self.services.check_export(request)
                break
            except ExportFileExists:
                overwrite = await self.app.push_screen_wait(ConfirmDialog(
                    _("Replace the file?"),
                    _("{path} exists. Replace it with this export?").format(
                        path=request.path), yes=_("Replace")))
                if not overwrite:
                    raise ValidationError("path", _("That file exists: choose another name, "
                                                    "or confirm replacing it.")) from None
                request = replace(request, force=True)
        bar = self.query_one("#progress", ProgressBar)
        status = self.query_one("#export-status", Static)
        bar.display = True
        bar.update(total=None, progress=0)
        status.update(Text(_("Exporting… {key} cancels.").format(
            key=self.app.key_text("modal.back"))))
        self.cancel_event = cancel = threading.Event()

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(bar.update, total=max(total, 1), progress=done)

        try:
            result = await self.run_read(self.services.export, request, progress, cancel)
        except ExportCancelled:
            status.update(Text(_("Cancelled; no file was left behind.")))
            self.notify(_("Export cancelled; no file was left behind."), markup=False)
            raise KeepOpen from None
        except MailError as exc:  # the file is complete; only the e-mail failed
            status.update(Text(str(exc)))
            self.notify(str(exc), title=_("Saved, but not sent"), severity="error",
                        markup=False, timeout=15)
            raise KeepOpen from None
        except OrdertuiError as exc:
            status.update(Text(str(exc)))
            self.notify(str(exc), title=_("Export failed"), severity="error", markup=False)
            raise KeepOpen from None
        finally:
            self.cancel_event = None
            bar.display = False
        # the file on a line of its own, and short (~ for home): a toast is narrow at 80x24
        message = saved_to(ngettext("{n} order written to", "{n} orders written to",
                                    result.orders).format(n=formats.number(result.orders)),
                           result.path)
        if result.emailed_to:
            message += "\n" + _("and sent to {address}").format(address=safe(result.emailed_to))
        for warning in result.warnings:
            message += f"\n{safe(warning)}"
        self.notify(message, title=_("Exported"), markup=False, timeout=10)

    def action_back(self) -> None:
        if self.cancel_event is not None:
            self.cancel_event.set()
            self.query_one("#export-status", Static).update(Text(_("Cancelling…")))
            return
        self.dismiss(None)
