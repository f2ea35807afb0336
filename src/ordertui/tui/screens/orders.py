"""The home screen: every order, windowed from the store; views, live filter, sort, marks,
bulk actions."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from ordertui.domain import rules
from ordertui.domain.capabilities import Action
from ordertui.domain.errors import OrdertuiError
from ordertui.domain.models import Order
from ordertui.domain.query import OrderQuery, SortKey, View
from ordertui.tui.format import safe
from ordertui.tui.messages import StoreChanged, SyncStateChanged
from ordertui.tui.widgets.line_input import LineInput
from ordertui.tui.widgets.order_table import OrderTable
from ordertui.tui.widgets.top_bar import TopBar
from ordertui.tui.widgets.view_tabs import VIEWS, ViewTabs


class OrdersScreen(Screen[None]):
    AUTO_FOCUS = "#orders"

    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: handled as the key arrives, before the keys typed after it are passed on
        Binding("slash", "filter", "Filter", id="filter", priority=True),
        # enter in the filter: a priority binding, so it takes effect before the keys behind it
        # are passed on ("/#1042⏎⏎" typed fast or pasted over SSH opens the order)
        Binding("enter", "filter_done", "Done", show=False, priority=True),
        Binding("escape", "back", "Clear", show=False, id="back"),
        Binding("s", "sort", "Sort", id="sort"),
        Binding("c", "cancel", "Cancel", id="cancel"),
        Binding("d", "dispute", "Dispute", id="dispute"),
        Binding("e", "export", "Export", id="export"),
        Binding("r", "sync", "Sync", id="sync"),
        Binding("a", "add", "Add by id", id="add"),
        Binding("D", "disputes", "Disputes", id="disputes"),
        Binding("tab", "next_view", "Next view", show=False, id="next_view"),
        Binding("shift+tab", "prev_view", "Previous view", show=False, id="prev_view"),
        *[Binding(str(i), f"view({i})", v.label, show=False, id=f"view_{i}")
          for i, v in enumerate(VIEWS, 1)],
        Binding("q", "app.quit", "Quit", id="quit"),
    ]

    HELP_GROUPS: ClassVar[dict[str, str]] = {
        "cursor_down": "Move", "cursor_up": "Move", "page_down": "Move", "page_up": "Move",
        "first": "Move", "last": "Move", "open": "Orders", "mark": "Orders",
        "filter": "Find", "back": "Find", "sort": "Find", "next_view": "Views",
        "prev_view": "Views", **{f"view({i})": "Views" for i in range(1, 9)},
        "cancel": "Act", "dispute": "Act", "export": "Act", "sync": "Act",
        "add": "Act",
        "disputes": "Go to",
    }

    def __init__(self) -> None:
        super().__init__()
        self.view = View.ALL
        self.sort = SortKey.CREATED
        self.descending = True
        self.search = ""

    @property
    def services(self) -> Any:
        return self.app.services  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield TopBar("Orders", demo=self.services.is_demo)
        yield ViewTabs(id="views")
        # no select-all on focus: it runs when the Focus event is handled, which over a slow
        # link can be after the keys typed behind "/" (action_filter selects at once)
        filter_input = LineInput(
            placeholder="Filter: order #, customer, e-mail, product, tracking…", id="filter",
            select_on_focus=False)
        filter_input.display = False
        yield filter_input
        yield OrderTable(self.services, self.app.query_runner,  # type: ignore[attr-defined]
                         id="orders")
        yield Static("", id="status", markup=False)
        yield Footer()

    @property
    def table(self) -> OrderTable:
        return self.query_one(OrderTable)

    def on_mount(self) -> None:
        self.call_after_refresh(self.app.check_size)  # type: ignore[attr-defined]
        self.table.focus()
        self.table.empty_message = self._empty_message
        first = self.app.first_window  # type: ignore[attr-defined]
        self.app.first_window = None  # type: ignore[attr-defined]
        if first is not None and first[0] == self.current_query():
            query, rows, total, counts = first
            self.table.adopt(query, rows, total)
            self.query_one(ViewTabs).counts = counts
        else:
            self.apply_query()
            self.refresh_counts()

    def current_query(self) -> OrderQuery:
        extra = {"as_of": self.services.clock()} if self.view is View.PROTECTION else {}
        return OrderQuery.for_view(self.view, search=self.search, sort=self.sort,
                                   descending=self.descending, **extra)

    def apply_query(self, *, keep_position: bool = False) -> None:
        self.table.set_query(self.current_query(), keep_position=keep_position)
        self.query_one(ViewTabs).current = self.view

    def _empty_message(self) -> str:
        if self.search:
            return f"No orders match. Press {self._key('back', 'esc')} to clear the filter."
        if self.view is not View.ALL:
            return "No orders in this view."
        if self.app.suppliers_adding_by_id():  # type: ignore[attr-defined]
            return (f"No orders yet. Press {self._key('add', 'a')} to add orders by the "
                    "supplier's order id.")
        return f"No orders yet. Press {self._key('sync', 'r')} to sync with your suppliers."

    def _key(self, binding_id: str, default: str) -> str:
        """The key the merchant's key map gives a binding of this screen."""
        for active in self.active_bindings.values():
            if active.binding.id == binding_id:
                return self.app.get_key_display(active.binding)
        return default

    @work(group="counts", exclusive=True)
    async def refresh_counts(self) -> None:
        counts = await self.app.query_runner.run(  # type: ignore[attr-defined]
            self.services.view_counts)
        tabs = self.query_one(ViewTabs)
        if counts != tabs.counts:
            tabs.counts = counts

    # --- the status line ------------------------------------------------------------
    @on(OrderTable.Changed)
    def update_status(self) -> None:
        t = self.table
        parts = [t.describe_position(), self.current_query().describe()]
        parts.append(f"by {self.sort.label.lower()} {'▼' if self.descending else '▲'}")
        if t.marked:
            parts.append(f"{len(t.marked):,} marked")
        parts.append(self.app.sync_summary())  # type: ignore[attr-defined]
        text = Text(" · ".join(p for p in parts if p))
        status = self.query_one("#status", Static)
        if str(status.content) != text.plain:
            status.update(text)

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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Screen.focused changes at once; a widget's has_focus only when its Focus event runs
        in_filter = self.focused is self.query_one("#filter", Input)
        if action == "filter_done":
            return in_filter
        if action == "add":  # only where a supplier's orders are added by id
            return bool(self.app.suppliers_adding_by_id())  # type: ignore[attr-defined]
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
        from ordertui.tui.screens.sort import SortModal

        def chosen(result: SortKey | None) -> None:
            if result is None:
                return
            if result is self.sort:
                self.descending = not self.descending
            else:
                self.sort = result
                self.descending = result in (SortKey.CREATED, SortKey.TOTAL, SortKey.COST,
                                             SortKey.PROFIT, SortKey.NAME)
            self.apply_query()
        self.app.push_screen(SortModal(self.sort, self.descending), chosen)

    def set_sort(self, key: SortKey, descending: bool) -> None:
        self.sort, self.descending = key, descending
        self.apply_query()

    # --- acting ----------------------------------------------------------------------
    @on(OrderTable.Opened)
    def open_order(self, event: OrderTable.Opened) -> None:
        from ordertui.tui.screens.details import DetailsScreen

        self.app.push_screen(DetailsScreen(event.order_id))

    def _target_ids(self) -> list[int]:
        if self.table.marked:
            return sorted(self.table.marked)
        row = self.table.current
        return [row.id] if row else []

    def action_cancel(self) -> None:
        ids = self._target_ids()
        if ids:
            self._cancel(ids)

    @work(group="action", exclusive=True)
    async def _cancel(self, ids: list[int]) -> None:
        from ordertui.tui.screens.cancel import CancelModal

        runner = self.app.query_runner  # type: ignore[attr-defined]
        orders: list[Order] = await runner.run(self.services.store.load_orders, ids)
        ok, skipped = [], []
        for o in orders:
            try:
                rules.check_action(o, Action.CANCEL)
                info = self.services.supplier_info(o.supplier)
                if Action.CANCEL.capability not in info.capabilities:
                    raise OrdertuiError(f"{o.supplier} has no cancellation API: open the order "
                                        "to do it on the supplier's page")
                ok.append(o)
            except OrdertuiError as exc:
                skipped.append((o, str(exc)))
        if not ok:
            o, why = skipped[0]
            self.notify(why if len(skipped) == 1 else
                        f"None of the {len(skipped)} orders can be cancelled. {why}",
                        title="Cannot cancel", severity="warning", markup=False)
            return
        reason = await self.app.push_screen_wait(CancelModal(ok, skipped))
        if reason is None:
            self.notify("Nothing was sent.", markup=False)
            return
        done, failed = 0, []
        for o in ok:
            assert o.id is not None
            try:
                await runner.run(self.services.request_cancellation, o.id, reason)
                done += 1
            except OrdertuiError as exc:
                failed.append(f"{o.display_name}: {exc}")
        self.table.clear_marks()
        self.table.reload()
        self.refresh_counts()
        if done:
            self.notify(f"Cancellation requested for {done} order{'s' if done > 1 else ''}. "
                        "The supplier's answer will show here.", title="Sent to the outbox",
                        markup=False)
        if failed:
            self.notify("\n".join(safe(f) for f in failed[:5]), title="Not requested",
                        severity="error", markup=False)

    def action_dispute(self) -> None:
        row = self.table.current
        if row is not None:
            self._dispute(row.id)

    @work(group="action", exclusive=True)
    async def _dispute(self, order_id: int) -> None:
        from ordertui.tui.screens.details import start_dispute

        await start_dispute(self, order_id)
        self.table.reload()

    def action_export(self) -> None:
        from ordertui.tui.screens.export_form import ExportForm

        self.app.push_screen(ExportForm(query=self.current_query(),
                                        marked=sorted(self.table.marked)))

    def action_sync(self) -> None:
        self.app.action_sync()  # type: ignore[attr-defined]

    def action_add(self) -> None:
        self.app.action_add_orders()  # type: ignore[attr-defined]

    def action_disputes(self) -> None:
        from ordertui.tui.screens.disputes import DisputesScreen

        self.app.push_screen(DisputesScreen())
