"""Every dispute with its state, amount and last message; latest activity first."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Static

from ordertui.domain.states import DisputeState
from ordertui.tui import keys
from ordertui.tui.base import BaseScreen
from ordertui.tui.format import date, safe
from ordertui.tui.messages import StoreChanged
from ordertui.tui.screens.thread import ThreadScreen
from ordertui.tui.widgets.key_bar import KeyBar
from ordertui.tui.widgets.top_bar import TopBar

FILTERS: list[tuple[str, tuple[DisputeState, ...]]] = [
    ("open", (DisputeState.OPEN, DisputeState.AWAITING_SUPPLIER, DisputeState.AWAITING_MERCHANT,
              DisputeState.ESCALATED)),
    ("awaiting you", (DisputeState.AWAITING_MERCHANT,)),
    ("all", ()),
    ("resolved", (DisputeState.RESOLVED_REFUNDED, DisputeState.RESOLVED_REJECTED,
                  DisputeState.WITHDRAWN)),
]
LIMIT = 500


class DisputesScreen(BaseScreen):
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("disputes")

    def __init__(self) -> None:
        super().__init__()
        self.filter_index = 0
        self.order_ids: list[int] = []

    def compose(self) -> ComposeResult:
        yield TopBar("Disputes", demo=self.services.is_demo)
        yield Static("", id="dispute-filter", markup=False)
        table: DataTable[Any] = DataTable(cursor_type="row", zebra_stripes=True, id="disputes")
        table.add_columns("Order", "State", "Reason", "Asked", "Offer", "Updated",
                          "Last message")
        yield table
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.load()

    def on_store_changed(self, message: StoreChanged) -> None:
        self.load()

    @work(group="disputes", exclusive=True)
    async def load(self) -> None:
        name, states = FILTERS[self.filter_index]
        rows = await self.app.reads.run(self.services.disputes, states, limit=LIMIT)
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        self.order_ids = []
        for summary, d in rows:
            last = d.last_message
            state_style = "bold" if d.state is DisputeState.AWAITING_MERCHANT else ""
            table.add_row(
                Text(safe(summary.display_name)), Text(d.state.label, style=state_style),
                Text(d.reason.label), Text(d.amount.display(), justify="right"),
                Text(d.offer.display() if d.offer else "", justify="right"),
                Text(date(d.updated_at)),
                Text(safe(f"{last.author}: {last.body}", 70) if last else ""))
            self.order_ids.append(summary.id)
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))
        more = " (the latest 500)" if len(rows) >= LIMIT else ""
        self.query_one("#dispute-filter", Static).update(Text(
            f"Showing {name} disputes: {len(rows):,}{more} · f: next filter "
            f"({', '.join(n for n, _ in FILTERS)}) · enter: open the thread"))

    def action_next_filter(self) -> None:
        self.filter_index = (self.filter_index + 1) % len(FILTERS)
        self.load()

    @on(DataTable.RowSelected)
    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if 0 <= table.cursor_row < len(self.order_ids):
            self.app.push_screen(ThreadScreen(self.order_ids[table.cursor_row]))
