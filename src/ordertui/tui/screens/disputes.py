"""Every dispute with its state, amount and last message; latest activity first."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Static

from ordertui.domain.models import DisputeMessage
from ordertui.domain.states import DisputeState
from ordertui.i18n import N_, _, formats
from ordertui.tui import keys
from ordertui.tui.base import ListScreen
from ordertui.tui.format import date, safe
from ordertui.tui.screens.details.render import author
from ordertui.tui.screens.thread import ThreadScreen
from ordertui.tui.widgets.key_bar import KeyBar
from ordertui.tui.widgets.top_bar import TopBar

#: the filters the filter key goes through: what the list is then called, what the key shows
#: next, and the states
FILTERS: list[tuple[str, str, tuple[DisputeState, ...]]] = [
    (N_("Open disputes"), N_("open"),
     (DisputeState.OPEN, DisputeState.AWAITING_SUPPLIER, DisputeState.AWAITING_MERCHANT,
      DisputeState.ESCALATED)),
    (N_("Awaiting you disputes"), N_("awaiting you"), (DisputeState.AWAITING_MERCHANT,)),
    (N_("All disputes"), N_("all"), ()),
    (N_("Resolved disputes"), N_("resolved"),
     (DisputeState.RESOLVED_REFUNDED, DisputeState.RESOLVED_REJECTED, DisputeState.WITHDRAWN)),
]
LIMIT = 500
#: characters of the last message shown under the table (three lines at 80 columns)
LAST_SHOWN = 200


class DisputesScreen(ListScreen):
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("disputes")
    FILTER_COUNT = len(FILTERS)

    def __init__(self) -> None:
        super().__init__()
        self.order_ids: list[int] = []
        self.last: list[DisputeMessage | None] = []

    def compose(self) -> ComposeResult:
        yield TopBar(_("Disputes"), demo=self.services.is_demo)
        yield Static("", id="dispute-filter", markup=False)
        table: DataTable[Any] = DataTable(cursor_type="row", zebra_stripes=True, id="disputes")
        table.add_columns(_("Order"), _("State"), _("Reason"), _("Asked"), _("Offer"),
                          _("Updated"))
        yield table
        # the current dispute's last message, whole, at any width (a column would be cut)
        yield Static("", id="dispute-last", markup=False)
        yield KeyBar()

    @work(group="disputes", exclusive=True)
    async def load(self) -> None:
        title, _name, states = FILTERS[self.filter_index]
        rows = await self.app.reads.run(self.services.disputes, states, limit=LIMIT)
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        self.order_ids = []
        self.last = []
        for summary, d in rows:
            state_style = "bold" if d.state is DisputeState.AWAITING_MERCHANT else ""
            table.add_row(
                Text(safe(summary.display_name)), Text(d.state.label, style=state_style),
                Text(d.reason.label), Text(d.amount.display(), justify="right"),
                Text(d.offer.display() if d.offer else "", justify="right"),
                Text(date(d.updated_at)))
            self.order_ids.append(summary.id)
            self.last.append(d.last_message)
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))
        self._show_last(table.cursor_row if rows else -1)
        count = formats.number(len(rows))
        if len(rows) >= LIMIT:
            count = _("{count} (the latest {limit})").format(count=count,
                                                             limit=formats.number(LIMIT))
        following = FILTERS[(self.filter_index + 1) % len(FILTERS)][1]
        self.query_one("#dispute-filter", Static).update(Text(
            _("{disputes}: {count} · {filter_key}: show {next} · {open_key}: open the "
              "thread").format(disputes=_(title), count=count,
                               filter_key=self.key_text("dispute_filter"), next=_(following),
                               open_key=self.key_text("open"))))

    @on(DataTable.RowHighlighted, "#disputes")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_last(event.cursor_row)

    def _show_last(self, row: int) -> None:
        last = self.last[row] if 0 <= row < len(self.last) else None
        text = Text()
        if last is not None:
            if last.author == "merchant":
                said = _("Last message, you, {date}:").format(date=date(last.at))
            else:
                said = _("Last message, {author}, {date}:").format(
                    author=safe(author(last.author)), date=date(last.at))
            text.append(said + " ", style="bold")
            text.append(safe(last.body, LAST_SHOWN))
        self.query_one("#dispute-last", Static).update(text)


    @on(DataTable.RowSelected)
    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if 0 <= table.cursor_row < len(self.order_ids):
            self.app.push_screen(ThreadScreen(self.order_ids[table.cursor_row]))
