"""The terminal app: screens over the local store, a background sync and the outbox runner.

Screens read only from the store (through a small pool of query threads), so they open at
once and work offline. Supplier traffic runs in async workers; their answers arrive as
notifications and as changes in the screens, without the merchant doing anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.screen import ModalScreen, Screen

from ordertui.domain.errors import OrdertuiError
from ordertui.domain.models import SyncEvent
from ordertui.domain.query import SortKey, View
from ordertui.tui.format import clock, safe
from ordertui.tui.messages import StoreChanged, SyncStateChanged
from ordertui.tui.query_runner import QueryRunner

MIN_WIDTH, MIN_HEIGHT = 60, 15
WATCH_INTERVAL_S = 2.0  # how often another session's changes are looked for


class OrderTUI(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "ordertui"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", id="help"),
        Binding("D", "disputes", "Disputes", show=False, id="disputes"),
        Binding("comma", "settings", "Settings", show=False, id="settings"),
        Binding("U", "returns", "Returns", show=False, id="returns"),
        Binding("K", "stock", "Returns stock", show=False, id="stock"),
        Binding("P", "policy", "Return policy", show=False, id="policy"),
    ]

    HELP_GROUPS: ClassVar[dict[str, str]] = {"help": "App", "disputes": "Go to",
                                             "settings": "Go to", "returns": "Go to",
                                             "stock": "Go to", "policy": "Go to",
                                             "command_palette": "App",
                                             "quit": "App"}

    def __init__(self, services: Any) -> None:
        super().__init__()
        self.services = services
        self.query_runner = QueryRunner(services.store)
        self.syncing: str | None = None
        self.sync_progress: float | None = None
        self.last_sync: Any = None
        self.sync_error: str = ""
        self.next_retry: float | None = None
        self._sync_now = asyncio.Event()
        self._too_small: Screen[None] | None = None
        #: the home screen's first rows, read before the event loop starts (see read_first)
        self.first_window: tuple[Any, ...] | None = None
        #: orders already read in full this session (fill_details never loops on one)
        self._details_read: set[int] = set()
        #: where the report of a crash went, for the command line to announce
        self.crash: tuple[Path, BaseException] | None = None
        self._adding_by_id: list[tuple[str, str]] | None = None

    # --- start and stop ------------------------------------------------------------------
    def read_first(self, height: int) -> None:
        """Read the orders screen's first window now, before the app runs, so that its first
        frame shows orders rather than an empty table. A few milliseconds at any store size:
        the newest orders by an index, the count from the kept counts."""
        from ordertui.domain.query import OrderQuery

        query = OrderQuery()
        rows = self.services.window(query, limit=3 * max(height - 5, 10))
        self.first_window = (query, rows, self.services.count(query),
                             self.services.view_counts())

    def on_mount(self) -> None:
        from ordertui.tui.screens.orders import OrdersScreen

        cfg = self.services.config
        if cfg.theme in self.available_themes:
            self.theme = cfg.theme
        if cfg.keys:
            self.set_keymap(dict(cfg.keys))
        self.services.outbox_wakeup = asyncio.Event()
        self.push_screen(OrdersScreen())
        self.outbox_loop()
        self.sync_loop()
        self.watch_loop()

    async def on_unmount(self) -> None:
        runner = self.services.runner()
        runner.release()
        self.query_runner.shutdown()

    async def on_event(self, event: events.Event) -> None:
        # In dialogs and forms, tab moves the focus as the key arrives, so that the keys
        # behind it (a slow SSH link delivers several at once) reach the field it moved to.
        # As a binding it would run only after the key had gone round the widgets, while
        # the keys behind it were already handed to the field it was leaving.
        if (isinstance(event, events.Key) and not event.is_forwarded
                and event.key in ("tab", "shift+tab") and isinstance(self.screen, ModalScreen)):
            if event.key == "tab":
                self.screen.focus_next()
            else:
                self.screen.focus_previous()
            return
        await super().on_event(event)

    # --- a crash: a report in the data directory instead of a traceback on screen -------
    def _handle_exception(self, error: Exception) -> None:
        from ordertui.crash import write_report

        if self.crash is None:
            # the report is best effort; the terminal must come back whatever happens
            with contextlib.suppress(OSError, OrdertuiError):
                self.crash = (write_report(self.services.data_dir, error, where="the app"),
                              error)
        super()._handle_exception(error)

    def _print_error_renderables(self) -> None:
        if self.crash is not None:
            self._exit_renderables.clear()  # one line is printed by the command line
        super()._print_error_renderables()

    # --- background work -------------------------------------------------------------
    @work(group="outbox", exclusive=True)
    async def outbox_loop(self) -> None:
        runner = self.services.runner()
        await runner.run_forever(self._outbox_events, interval_s=2.0)

    def _outbox_events(self, events: list[SyncEvent]) -> None:
        self.announce(events)
        self.post_store_changed()
        # something went to a supplier: follow up sooner than the regular interval
        self._sync_now.set()

    def _follow_up_interval(self) -> float:
        """Polling while a supplier's answer is awaited: as often as the most eager of the
        configured suppliers' adapters asks (``follow_up_s``)."""
        services = self.services
        return min(services.supplier_info(name).follow_up_s
                   for name in services.config.suppliers)

    @work(group="sync", exclusive=True)
    async def sync_loop(self) -> None:
        await self._check_policy()
        while True:
            await self._sync_once()
            waiting = await self.query_runner.run(self.services.store.awaiting_supplier)
            interval = self._follow_up_interval() if waiting else \
                self.services.config.sync_interval_s
            if self.sync_error and self.next_retry:
                interval = max(min(interval, self.next_retry - time.time()), 1.0)
            self._sync_now.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._sync_now.wait(), interval)

    async def _check_policy(self) -> None:
        """A supplier's policy changed since the merchant took their shop's policy: it is
        regenerated, and the merchant told to update the shop's page."""
        from ordertui.services.policy import refresh_published

        note = await self.query_runner.run(refresh_published, self.services.config)
        if note:
            self.notify(note, title="Your return policy", severity="warning", timeout=60,
                        markup=False)

    async def _sync_once(self) -> None:
        names = self.services.supplier_names()
        self.syncing = ", ".join(names)
        self.sync_progress = None
        self.post_sync_state()

        def progress(p: Any) -> None:
            fraction = p.fraction
            if fraction is not None and (self.sync_progress is None
                                         or fraction - self.sync_progress >= 0.05):
                self.sync_progress = fraction
                self.post_sync_state()
        try:
            report = await self.services.sync(progress=progress)
        except OrdertuiError as exc:
            self.sync_error = str(exc)
            self.next_retry = time.time() + 60
        else:
            if report.errors:
                self.sync_error = "; ".join(report.errors.values())
                self.next_retry = time.time() + 60
            else:
                self.sync_error, self.next_retry = "", None
            if report.events:
                self.announce(report.events)
            self.fill_details()
            if report.orders:
                self.post_store_changed()
            self.last_sync = self.services.clock()
        self.syncing = None
        self.sync_progress = None
        self.post_sync_state()

    @work(group="details", exclusive=True)
    async def fill_details(self) -> None:
        """Suppliers whose order list has no items (CJ): read the orders one by one, within
        the supplier's rate limit, so the table fills in without anyone waiting on it."""
        while True:
            try:
                read = await self.services.fill_details(budget=10, done=self._details_read)
            except OrdertuiError:
                return  # the next sync tries again
            if not read:
                return
            self._details_read.update(read)
            self.post_store_changed()

    @work(group="watch", exclusive=True)
    async def watch_loop(self) -> None:
        """Notice another session's changes (two SSH logins on one shop): SQLite's
        data_version moves whenever any other connection commits.

        The connection lives on one thread of its own, and is closed there too, after any
        read in flight: closing it from the event loop while a cancelled read still ran on
        another thread crashed the interpreter."""
        from concurrent.futures import ThreadPoolExecutor

        path = self.services.store.path
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ordertui-watch")
        held: list[sqlite3.Connection] = []

        def version() -> int:
            if not held:
                held.append(sqlite3.connect(path))
            return int(held[0].execute("PRAGMA data_version").fetchone()[0])

        def close() -> None:
            for con in held:
                con.close()
        loop = asyncio.get_running_loop()
        try:
            last = await loop.run_in_executor(pool, version)
            while True:
                await asyncio.sleep(WATCH_INTERVAL_S)
                current = await loop.run_in_executor(pool, version)
                if current != last:
                    last = current
                    self.post_store_changed()
        finally:
            pool.submit(close)  # one thread, first in first out: after the read in flight
            pool.shutdown(wait=False)

    def post_store_changed(self) -> None:
        # every screen on the stack: those under a dialog or under an order's details are
        # seen again (or right now, behind a dialog) and must not show what was
        for screen in self.screen_stack:
            # not Textual's blank screen at the bottom: a message wakes its pending layout
            # pass, which repaints the whole terminal (it counts as visible behind ours)
            if type(screen) is not Screen:
                screen.post_message(StoreChanged())

    def post_sync_state(self) -> None:
        self.screen.post_message(SyncStateChanged())

    def on_store_changed(self, message: StoreChanged) -> None:
        # messages posted to the app reach the screens
        self.post_store_changed()

    def sync_summary(self) -> str:
        if self.syncing:
            pct = f" {self.sync_progress:.0%}" if self.sync_progress is not None else ""
            return f"syncing{pct}"
        if self.sync_error:
            retry = ""
            if self.next_retry:
                retry = " · retry " + time.strftime("%H:%M", time.localtime(self.next_retry))
            return f"offline: {safe(self.sync_error, 60)}{retry}"
        if self.last_sync is not None:
            return f"synced {clock(self.last_sync)}"
        return "not synced yet"

    def announce(self, events: Iterable[SyncEvent]) -> None:
        """Tell the merchant what the suppliers decided, calmly."""
        events = [e for e in events if e.kind != "status" or e.new == "cancelled"]
        for e in events[:4]:
            severity = "information"
            if e.kind in ("refused", "failed"):
                severity = "error"
            elif e.new in ("info_requested", "awaiting_merchant", "rejected"):
                severity = "warning"
            self.notify(safe(e.describe(), 300), title=_title(e), severity=severity,  # type: ignore[arg-type]
                        markup=False, timeout=8)
        if len(events) > 4:
            self.notify(f"… and {len(events) - 4} more updates from suppliers.", markup=False)

    # --- actions -----------------------------------------------------------------------
    def action_sync(self) -> None:
        self._sync_now.set()
        self.notify("Syncing with the suppliers…", markup=False, timeout=2)

    def suppliers_adding_by_id(self) -> list[tuple[str, str]]:
        """(name, title) of each configured supplier whose orders are added by their ids."""
        if self._adding_by_id is None:
            from ordertui.domain.capabilities import Capability

            infos = [self.services.supplier_info(n) for n in self.services.config.suppliers]
            self._adding_by_id = [(i.name, i.title) for i in infos
                                  if Capability.ADD_BY_ID in i.capabilities]
        return self._adding_by_id

    def action_add_orders(self) -> None:
        from ordertui.tui.screens.add_orders import AddOrdersModal

        suppliers = self.suppliers_adding_by_id()
        if not suppliers:
            self.notify("Every configured supplier lists its orders by API: sync (r) "
                        "brings them in.", markup=False)
        elif not isinstance(self.screen, AddOrdersModal):
            self.push_screen(AddOrdersModal(suppliers))

    def action_help(self) -> None:
        from ordertui.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))

    def action_disputes(self) -> None:
        from ordertui.tui.screens.disputes import DisputesScreen

        self._show(DisputesScreen)

    def action_settings(self) -> None:
        from ordertui.tui.screens.settings import SettingsScreen

        self._show(SettingsScreen)

    def _show(self, screen_type: type[Screen[Any]]) -> None:
        if not isinstance(self.screen, screen_type):
            self.push_screen(screen_type())

    def action_returns(self) -> None:
        from ordertui.tui.screens.returns import ReturnsScreen

        self._show(ReturnsScreen)

    def action_stock(self) -> None:
        from ordertui.tui.screens.returns import StockScreen

        self._show(StockScreen)

    def action_policy(self) -> None:
        from ordertui.tui.screens.returns import PolicyScreen

        self._show(PolicyScreen)

    def _orders_screen(self) -> Any:
        from ordertui.tui.screens.orders import OrdersScreen

        for screen in self.screen_stack:
            if isinstance(screen, OrdersScreen):
                return screen
        return None

    def _go_orders(self) -> Any:
        orders = self._orders_screen()
        while orders is not None and self.screen is not orders and len(self.screen_stack) > 2:
            self.pop_screen()
        return orders

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield SystemCommand("Sync now", "Fetch the latest orders and supplier answers",
                            self.action_sync)
        yield SystemCommand("Export orders", "CSV or Excel, to a file or by e-mail",
                            self._command_export)
        yield SystemCommand("Disputes", "Every dispute, latest activity first",
                            self.action_disputes)
        if self.suppliers_adding_by_id():
            yield SystemCommand("Add orders by id", "For suppliers whose API lists no orders",
                                self.action_add_orders)
        yield SystemCommand("Returns", "Every return and its state", self.action_returns)
        yield SystemCommand("Returns stock", "Items that came back resellable",
                            self.action_stock)
        yield SystemCommand("Return policy", "Your shop's refund and return policy, made "
                            "from your suppliers' policies", self.action_policy)
        yield SystemCommand("Settings", "Suppliers, theme and keys", self.action_settings)
        yield SystemCommand("Keys", "Every key of this screen", self.action_help)
        for i, view in enumerate(View, 1):
            yield SystemCommand(f"Show: {view.label}", f"Orders view {i}",
                                lambda i=i: self._command_view(i))
        for key in SortKey:
            yield SystemCommand(f"Sort by {key.label}", "Sort the orders table",
                                lambda key=key: self._command_sort(key))
        yield from super().get_system_commands(screen)

    def _command_view(self, number: int) -> None:
        orders = self._go_orders()
        if orders is not None:
            orders.action_view(number)

    def _command_sort(self, key: SortKey) -> None:
        orders = self._go_orders()
        if orders is not None:
            orders.set_sort(key, key in (SortKey.CREATED, SortKey.TOTAL, SortKey.COST,
                                         SortKey.PROFIT, SortKey.NAME))

    def _command_export(self) -> None:
        orders = self._go_orders()
        if orders is not None:
            orders.action_export()

    # --- a window too small to use ------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        # this handler runs before Textual's own, which is what updates self.size: a real
        # terminal made smaller was measured at its old size and never said so
        self.check_size(event.size)

    def check_size(self, size: Size | None = None) -> None:
        from ordertui.tui.screens.too_small import TooSmallScreen

        if self._orders_screen() is None:
            return  # the home screen checks once it is up
        size = size or self.size
        small = size.width < MIN_WIDTH or size.height < MIN_HEIGHT
        if small and self._too_small is None:
            self._too_small = TooSmallScreen(MIN_WIDTH, MIN_HEIGHT)
            self.push_screen(self._too_small)
        elif small and self._too_small is not None:
            self._too_small.refresh()
        elif not small and self._too_small is not None:
            if self.screen is self._too_small:
                self.pop_screen()
            self._too_small = None


def _title(e: SyncEvent) -> str:
    if e.kind == "cancellation":
        return "Cancellation"
    if e.kind == "dispute":
        return "Dispute"
    if e.kind == "refused":
        return "Refused by the supplier"
    if e.kind == "sent":
        return "Sent"
    if e.kind == "failed":
        return "Not sent yet"
    return "Order"


def css_path() -> Path:
    return Path(__file__).with_name("app.tcss")
