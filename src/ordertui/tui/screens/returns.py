"""Returns across orders: every return with its state, and the returns stock (items that
came back resellable, to ship the next order of the same product from)."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Static

from ordertui.domain.returns import ReturnDestination, ReturnState
from ordertui.i18n import N_, _, formats, pgettext
from ordertui.tui import keys
from ordertui.tui.base import ListScreen
from ordertui.tui.format import date, safe
from ordertui.tui.screens.details import DetailsScreen
from ordertui.tui.widgets.key_bar import KeyBar
from ordertui.tui.widgets.top_bar import TopBar

#: the filters the filter key goes through: what the list is then called, what the key shows
#: next, and the states
RETURN_FILTERS: list[tuple[str, str, tuple[ReturnState, ...]]] = [
    (N_("open returns"), N_("open"),
     (ReturnState.REQUESTED, ReturnState.IN_TRANSIT, ReturnState.RECEIVED)),
    (N_("all returns"), N_("all"), ()),
]


def destination(where: ReturnDestination) -> str:
    """Where a return goes, in a column."""
    if where is ReturnDestination.MERCHANT:
        return pgettext("a return goes to", "merchant")
    return pgettext("a return goes to", "supplier")


class ReturnsScreen(ListScreen):
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("returns")
    FILTER_COUNT = len(RETURN_FILTERS)

    def __init__(self) -> None:
        super().__init__()
        self.order_ids: list[int] = []

    def compose(self) -> ComposeResult:
        yield TopBar(_("Returns"), demo=self.services.is_demo)
        yield Static("", id="returns-filter", classes="list-hint", markup=False)
        table: DataTable[Any] = DataTable(cursor_type="row", zebra_stripes=True)
        table.add_columns(_("Order"), _("State"), _("Items"), _("Reason"),
                          pgettext("where a return goes", "To"),
                          pgettext("returns table", "Tracking"), _("Updated"))
        yield table
        yield KeyBar()

    @work(group="returns", exclusive=True)
    async def load(self) -> None:
        title, _name, states = RETURN_FILTERS[self.filter_index]
        rows = await self.app.reads.run(self.services.returns.list_returns, states)
        table = self.query_one(DataTable)
        table.clear()
        self.order_ids = []
        for r in rows:
            items = ", ".join(f"{i.quantity}× {i.title or i.key}" for i in r.items)
            table.add_row(Text(safe(r.order_name)), Text(r.state.label),
                          Text(safe(items, 40)), Text(safe(r.reason, 40)),
                          Text(destination(r.destination)),
                          Text(safe(r.tracking_number)), Text(date(r.updated_at)))
            self.order_ids.append(r.order_id)
        other = RETURN_FILTERS[(self.filter_index + 1) % len(RETURN_FILTERS)][1]
        self.query_one("#returns-filter", Static).update(Text(
            _("{returns}: {count} · {filter_key}: {other} · {enter_key}: the order ({open_key} "
              "opens a return there, {step_key} moves it along)").format(
                returns=_(title), count=formats.number(len(rows)),
                filter_key=self.key_text("returns_filter"), other=_(other), enter_key="enter",
                open_key=self.key_text("return_open"), step_key=self.key_text("return_step"))))


    @on(DataTable.RowSelected)
    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if 0 <= table.cursor_row < len(self.order_ids):
            self.app.push_screen(DetailsScreen(self.order_ids[table.cursor_row]))


class StockScreen(ListScreen):
    """What came back in good shape; an order of the same product can ship from here (open
    that order and press x)."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("stock")

    def compose(self) -> ComposeResult:
        yield TopBar(_("Returns stock"), demo=self.services.is_demo)
        yield Static(Text(_("Items that came back resellable. To ship an order from here, open "
                            "the order and press {key}.").format(key=self.key_text("use_stock"))),
                     classes="list-hint", markup=False)
        table: DataTable[Any] = DataTable(cursor_type="row", zebra_stripes=True)
        table.add_columns(_("SKU"), _("Product"), _("Variant"), _("Qty"), _("Condition"),
                          _("From order"), _("Restocked"))
        yield table
        yield KeyBar()

    @work(group="stock", exclusive=True)
    async def load(self) -> None:
        rows = await self.app.reads.run(self.services.returns.stock)
        table = self.query_one(DataTable)
        table.clear()
        for s in rows:
            table.add_row(Text(safe(s.sku)), Text(safe(s.title, 40)), Text(safe(s.variant)),
                          Text(str(s.quantity), justify="right"), Text(safe(s.condition, 30)),
                          Text(safe(s.from_order_name)), Text(date(s.restocked_at)))
        if not rows:
            table.add_row(Text(_("(empty: restock a received return to fill it)"),
                               style="italic"), "", "", "", "", "", "")
