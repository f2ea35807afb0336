"""The home screen: every order, windowed from the store; views, live filter, sort, marks,
bulk actions."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import Input, Static

from ordertui.domain.query import OrderQuery, SortKey, View
from ordertui.i18n import N_, _, formats
from ordertui.tui import flows, keys
from ordertui.tui.base import BaseScreen
from ordertui.tui.dialogs.add_orders import AddOrdersDialog
from ordertui.tui.dialogs.export_form import ExportDialog
from ordertui.tui.dialogs.sort import SortDialog
from ordertui.tui.key_order import Hold
from ordertui.tui.messages import StoreChanged, SyncStateChanged
from ordertui.tui.screens.details import DetailsScreen
from ordertui.tui.screens.disputes import DisputesScreen
from ordertui.tui.widgets.key_bar import KeyBar
from ordertui.tui.widgets.order_table import OrderTable
from ordertui.tui.widgets.top_bar import TopBar
from ordertui.tui.widgets.view_tabs import VIEWS, ViewTabs

#: how the status line says the sort, a phrase for each key (translated where shown)
SORTED_BY = {
    SortKey.CREATED: N_("by date"), SortKey.NAME: N_("by order"),
    SortKey.STATUS: N_("by status"), SortKey.CUSTOMER: N_("by customer"),
    SortKey.COUNTRY: N_("by country"), SortKey.ITEMS: N_("by items"),
    SortKey.TOTAL: N_("by total"), SortKey.COST: N_("by cost"),
    SortKey.PROFIT: N_("by profit"), SortKey.SUPPLIER: N_("by supplier"),
    SortKey.TRACKING: N_("by tracking"), SortKey.ENDS: N_("by protection ends"),
}


class OrdersScreen(BaseScreen):
    AUTO_FOCUS = "#orders"
    SHOWS_FLAGS = True

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("orders")

    def __init__(self) -> None:
        super().__init__()
        self.view = View.ALL
        self.sort = SortKey.CREATED
        self.descending = True
        #: the protection view has a sort of its own: when protection ends, soonest first
        self.protection_sort = (SortKey.ENDS, False)
        self.search = ""
        self._had_targets = False

    def compose(self) -> ComposeResult:
        yield TopBar(_("Orders"), demo=self.services.is_demo)
        yield ViewTabs(id="views")
        # no select-all on focus: it runs when the Focus event is handled, which over a slow
        # link can be after the keys typed behind "/" (action_filter selects at once)
        filter_input = Input(
            placeholder=_("Filter: order #, customer, e-mail, product, tracking…"),
            id="filter", select_on_focus=False)
        filter_input.display = False
        yield filter_input
        yield OrderTable(self.services, self.app.reads, id="orders")
        yield Static("", id="status", markup=False)
        yield KeyBar()

    @property
    def table(self) -> OrderTable:
        return self.query_one(OrderTable)

    def on_mount(self) -> None:
        self.call_after_refresh(self.app.check_size)
        self.table.focus()
        self.table.empty_message = self._empty_message
        first, self.app.first_window = self.app.first_window, None
        if first is not None and first.query == self.current_query():
            self.table.adopt(first.query, first.rows, first.total)
            self.query_one(ViewTabs).counts = first.counts
        else:
            self.apply_query()
            self.refresh_counts()

    def current_sort(self) -> tuple[SortKey, bool]:
        if self.view is View.PROTECTION:
            return self.protection_sort
        return self.sort, self.descending

    def current_query(self) -> OrderQuery:
        sort, descending = self.current_sort()
        return self.services.view_query(self.view, search=self.search, sort=sort,
                                        descending=descending)

    def apply_query(self, *, keep_position: bool = False) -> None:
        self.table.set_query(self.current_query(), keep_position=keep_position)
        self.query_one(ViewTabs).current = self.view

    def _empty_message(self) -> str:
        if self.search:
            return _("No orders match. Press {key} to clear the filter.").format(
                key=self.key_text("back"))
        if self.view is not View.ALL:
            return _("No orders in this view.")
        if not self.permits("sync"):
            return _("No orders yet: a session whose role allows sync brings them.")
        if self.services.suppliers_taking_ids():
            return _("No orders yet. Press {key} to add orders by the supplier's order "
                     "id.").format(key=self.key_text("add"))
        return _("No orders yet. Press {key} to sync with your suppliers.").format(
            key=self.key_text("sync"))

    @work(group="counts", exclusive=True)
    async def refresh_counts(self) -> None:
        counts = await self.app.reads.run(self.services.view_counts)
        found = self.query(ViewTabs)
        if not found:
            return  # the screen went away while the counts were read (the app closing)
        tabs = found.first()
        if counts != tabs.counts:
            tabs.counts = counts

    # --- the status line ------------------------------------------------------------
    @on(OrderTable.Changed)
    def update_status(self) -> None:
        t = self.table
        parts = [t.describe_position(), self.current_query().describe()]
        sort, descending = self.current_sort()
        parts.append(f"{_(SORTED_BY[sort])} {'▼' if descending else '▲'}")
        if t.marked:
            # Translators: how many orders are marked (space) for a bulk action
            parts.append(_("{n} marked").format(n=formats.number(len(t.marked))))
        if self.app.store_down is not None:  # first, where it is not cut off
            parts.insert(0, self.app.sync_summary())
        else:
            parts.append(self.app.sync_summary())
        text = Text(" · ".join(p for p in parts if p))
        status = self.query_one("#status", Static)
        if str(status.content) != text.plain:
            status.update(text)
        targets = bool(self._target_ids())
        if targets != self._had_targets:  # cancel and dispute come and go with the rows
            self._had_targets = targets
            self.refresh_bindings()

    def on_sync_state_changed(self, message: SyncStateChanged) -> None:
        self.update_status()

    def on_store_changed(self, message: StoreChanged) -> None:
        self.table.reload()
        self.refresh_counts()

    # --- views, filter, sort --------------------------------------------------------
    def action_view(self, number: int) -> None:
        self.view = VIEWS[number - 1]
        self.apply_query()

    def action_next_view(self) -> None:
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        self.apply_query()

    def action_prev_view(self) -> None:
        self.view = VIEWS[(VIEWS.index(self.view) - 1) % len(VIEWS)]
        self.apply_query()

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        # focus now, not later: the keys right behind "/" (a paste, a fast typist over SSH)
        # then go to the box in the order they were typed; and the last search is selected
        # now, so that typing replaces it whatever the timing
        self.set_focus(box)
        box.select_all()

    def offers(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Screen.focused changes at once; a widget's has_focus only when its Focus event runs
        in_filter = self.focused is self.query_one("#filter", Input)
        if action == "filter_done":
            return in_filter
        if action == "add":  # only where a supplier's orders are added by id
            return bool(self.services.suppliers_taking_ids())
        if action in ("cancel", "dispute"):  # something to act on
            return bool(self._target_ids())
        return not (action == "filter" and in_filter)  # a "/" typed into the filter is text

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        # the box's value now, not the event's: keys typed fast queue several Changed events,
        # and one arriving after enter ("/#1177⏎⏎") must not bring back "#1" and open its
        # first order
        self.set_search(event.input.value)

    def set_search(self, text: str) -> None:
        if text != self.search:
            self.search = text
            self.apply_query()

    def action_filter_done(self) -> None:
        box = self.query_one("#filter", Input)
        self.set_search(box.value)  # the rows for exactly this text, before any other key
        if not box.value.strip():
            box.display = False
        self.set_focus(self.table)

    def action_back(self) -> None:
        box = self.query_one("#filter", Input)
        if box.has_focus or self.search:
            box.value = ""
            box.display = False
            self.search = ""
            self.apply_query()
            self.table.focus()
        elif self.table.marked:
            self.table.clear_marks()

    def action_sort(self) -> None:
        sort, descending = self.current_sort()

        def chosen(result: SortKey | None) -> None:
            if result is not None:
                self.set_sort(result, not descending if result is sort
                              else result.starts_descending)
        keys = [k for k in SortKey
                if k is not SortKey.ENDS or self.view is View.PROTECTION]
        self.app.push_screen(SortDialog(sort, descending, keys), chosen)

    def set_sort(self, key: SortKey, descending: bool) -> None:
        if self.view is View.PROTECTION:
            self.protection_sort = (key, descending)
        elif key is not SortKey.ENDS:
            self.sort, self.descending = key, descending
        self.apply_query()

    # --- acting ----------------------------------------------------------------------
    @on(OrderTable.Opened)
    def open_order(self, event: OrderTable.Opened) -> None:
        self.app.push_screen(DetailsScreen(event.order_id))

    def _target_ids(self) -> list[int]:
        if self.table.marked:
            return sorted(self.table.marked)
        row = self.table.current
        return [row.id] if row else []

    def why_not(self, action: str, description: str) -> str:
        if action in ("cancel", "dispute") and not self._target_ids():
            return _("{action}: no order is listed here").format(action=_(description))
        return super().why_not(action, description)

    def action_cancel(self) -> None:
        ids = self._target_ids()
        if ids:
            self._cancel(ids, self.app.key_order.hold())

    @work(group="action", exclusive=True)
    async def _cancel(self, ids: list[int], hold: Hold) -> None:
        if await flows.cancel(self.app, ids, hold):
            self.table.clear_marks()
            self.refresh_counts()

    def action_dispute(self) -> None:
        row = self.table.current
        if row is not None:
            self._dispute(row.id, self.app.key_order.hold())

    @work(group="action", exclusive=True)
    async def _dispute(self, order_id: int, hold: Hold) -> None:
        await flows.dispute(self.app, order_id, hold)
        self.table.reload()

    def action_export(self) -> None:
        self.app.push_screen(ExportDialog(query=self.current_query(),
                                          marked=sorted(self.table.marked)))

    def action_sync(self) -> None:
        self.app.action_sync()

    def action_add(self) -> None:
        suppliers = self.services.suppliers_taking_ids()
        if not suppliers:
            self.notify(_("Every configured supplier lists its orders by API: sync ({key}) "
                          "brings them in.").format(key=self.key_text("sync")), markup=False)
        elif not isinstance(self.app.screen, AddOrdersDialog):
            self.app.push_screen(AddOrdersDialog(suppliers))

    def action_disputes(self) -> None:
        self.app.push_screen(DisputesScreen())

