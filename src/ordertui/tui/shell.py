"""What every screen of the terminal app can count on from the app: the services, a pool for
reading the store off the event loop, the keys in the order they were typed, the background
work and how the sync stands, telling the merchant what the suppliers decided, the keys the
session's role leaves out, and a crash that leaves a report instead of a traceback.

Screens type their ``app`` as this class (``getters.app(Shell)``); the app itself
(``tui/app.py``) adds which screens exist and how to get to them.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from rich.console import Console
from textual import events
from textual.app import App
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen

from ordertui import i18n
from ordertui.config import line_of
from ordertui.crash import write_report_text
from ordertui.domain.errors import ConfigError, NotAllowed, OrdertuiError, StoreUnavailable
from ordertui.domain.models import OrderSummary, SyncEvent
from ordertui.domain.query import OrderQuery
from ordertui.domain.roles import Permission
from ordertui.i18n import N_, _, formats, ngettext
from ordertui.logs import redact
from ordertui.services import Services
from ordertui.tui import keys
from ordertui.tui.format import safe
from ordertui.tui.key_order import KeyOrder, KeyProbe
from ordertui.tui.messages import StoreChanged, SyncStateChanged
from ordertui.tui.screens.too_small import TooSmallScreen
from ordertui.tui.supervisor import Supervisor, SyncState

#: the suppliers' decisions told in one notification; the rest are counted
SHOWN_EVENTS = 3
EVENT_CHARS = 160
EVENT_TIMEOUT_S = 8
MIN_WIDTH, MIN_HEIGHT = 60, 15


@dataclass(frozen=True, slots=True)
class FirstWindow:
    """The home screen's first rows, read before the app starts (see ``read_first``)."""

    query: OrderQuery
    rows: list[OrderSummary]
    total: int
    counts: dict[str, int]


@dataclass(frozen=True, slots=True)
class Crash:
    report: Path
    summary: str  # "RuntimeError: the sort broke"


def _unavailable(error: BaseException | None) -> StoreUnavailable | None:
    """The StoreUnavailable behind ``error`` (a worker's failure wraps it), if any."""
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, StoreUnavailable):
            return error
        error = getattr(error, "error", None) or error.__cause__ or error.__context__
        seen += 1
    return None


class Shell(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "ordertui"

    sync_state: reactive[SyncState] = reactive(SyncState, always_update=True)

    def __init__(self, services: Services) -> None:
        super().__init__()
        config = services.config
        i18n.use(config.language)  # before anything is composed: every word follows it
        problem = keys.clash(config.keys)
        if problem is not None:  # refused before the app starts, in one line
            binding_id, why = problem
            raise ConfigError(str(config.path), why, key=f"keys.{binding_id}",
                              line=line_of(config.path, "keys", binding_id))
        self.services = services
        self.reads = services.read_pool()
        self.key_order = KeyOrder(self, super().on_event)
        self.supervisor = Supervisor(self)
        #: the keys as remapped in the config and in Settings (binding id → keys)
        self.keymap: dict[str, str] = dict(services.config.keys)
        self.first_window: FirstWindow | None = None
        # Textual prints an unhandled error's traceback here when the app ends; it goes into
        # a crash report instead, and the command line prints one line
        self.error_console = Console(file=io.StringIO(), width=120, color_system=None,
                                     markup=False, highlight=False)
        self._crash: Crash | None = None
        self._too_small: TooSmallScreen | None = None
        #: why the shared database cannot be reached, while it cannot: the status line says
        #: so, the screens keep what they show, the supervisor notices its return
        self.store_down: str | None = None

    #: the screen the app starts on and goes back to (OrderTUI: the orders screen)
    HOME: ClassVar[type[Screen[Any]]]

    async def relanguage(self, choice: str, then: Screen[Any] | None) -> None:
        """Speak ``choice`` from now on: every screen is drawn anew in it, from the home
        screen up, and ``then`` (Settings, with what it had not saved) on top."""
        i18n.use(choice)
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        await self.push_screen(self.HOME())
        if then is not None:
            await self.push_screen(then)

    # --- start and stop ------------------------------------------------------------------

    def read_first(self, height: int) -> None:
        """Read the orders screen's first window now, before the app runs, so that its first
        frame shows orders rather than an empty table. A few milliseconds at any store size:
        the newest orders by an index, the count from the kept counts."""
        query = OrderQuery()
        rows = self.services.window(query, limit=3 * max(height - 5, 10))
        self.first_window = FirstWindow(query, rows, self.services.count(query),
                                        self.services.view_counts())
        # what the suppliers decided before this session started is not news to tell
        self.supervisor.news_seen = self.services.latest_news()

    def on_mount(self) -> None:
        cfg = self.services.config
        if cfg.theme in self.available_themes:
            self.theme = cfg.theme
        if self.keymap:
            self.set_keymap(dict(self.keymap))
        self.supervisor.start()
        self.supervisor.tell_news()  # from where this session starts

    async def on_unmount(self) -> None:
        self.supervisor.stop()
        self.reads.shutdown()

    def crash(self) -> Crash | None:
        """After the app ended: the report of what broke it, written once (None if nothing
        did)."""
        if self._crash is None and self.return_code == 1:
            buffer = self.error_console.file
            trace = buffer.getvalue() if isinstance(buffer, io.StringIO) else ""
            if trace.strip():
                summary = redact(_last_error_line(trace))
                try:
                    path = write_report_text(self.services.data_dir, trace, where="the app",
                                             summary=summary)
                except (OSError, OrdertuiError):
                    return None
                self._crash = Crash(path, summary)
        return self._crash

    # --- keys, one at a time (tui/key_order.py) -----------------------------------------
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            await self.key_order.arrive(event)
            return
        await super().on_event(event)

    def on_key_probe(self, probe: KeyProbe) -> None:
        self.key_order.probed(probe)

    def key_text(self, binding_id: str) -> str:
        """The key that does ``binding_id`` now, as people write it ("esc", "c")."""
        return keys.key_text(self.keymap, binding_id)

    def remap(self, changes: dict[str, str]) -> None:
        self.keymap.update(changes)
        self.update_keymap(changes)

    # --- what the session's role leaves out ---------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The app's own keys (Settings) are offered only where the role allows them."""
        permission = keys.permission_for(self.BINDINGS, action)
        if permission is not None and not self.services.allows(permission):
            return False
        return super().check_action(action, parameters)

    def refused_key(self, key: str, bindings: list[BindingType]) -> Permission | None:
        """What the role lacks for what ``key`` does on a screen with ``bindings`` or
        everywhere, as the keys are mapped now; None when the role allows it, or the key
        does nothing there."""
        for binding in [*bindings, *self.BINDINGS]:
            if not isinstance(binding, Binding) or binding.id not in keys.PERMISSIONS:
                continue
            permission = keys.PERMISSIONS[binding.id]
            if self.services.allows(permission):
                continue
            given = self.keymap.get(binding.id) or binding.key
            if {key, keys.display(key)} & {k.strip() for k in given.split(",")}:
                return permission
        return None

    def not_allowed(self, permission: Permission) -> None:
        """Tell the merchant, in one line, that their role does not allow this."""
        why = str(NotAllowed(self.services.role.name, permission))
        self.notify(why[:1].upper() + why[1:], severity="warning", markup=False)

    def refuses(self, permission: Permission) -> bool:
        """True, having said why, when the session's role does not allow ``permission``
        (for what is started without a key: the command palette)."""
        if self.services.allows(permission):
            return False
        self.not_allowed(permission)
        return True

    # --- the store changed ---------------------------------------------------------------
    def post_store_changed(self) -> None:
        # every screen on the stack: those under a dialog or under an order's details are
        # seen again (or right now, behind a dialog) and must not show what was
        for screen in self.screen_stack:
            # not Textual's blank screen at the bottom: a message wakes its pending layout
            # pass, which repaints the whole terminal (it counts as visible behind ours)
            if type(screen) is not Screen:
                screen.post_message(StoreChanged())

    def on_store_changed(self, message: StoreChanged) -> None:
        # messages posted to the app reach the screens
        self.post_store_changed()

    def watch_sync_state(self, state: SyncState) -> None:
        self.screen.post_message(SyncStateChanged())

    def sync_summary(self) -> str:
        if self.store_down is not None:
            return _("database at {server} unreachable, trying again").format(
                server=self.services.store.where)
        return self.sync_state.summary()

    def store_lost(self, why: str) -> None:
        """The shared database stopped answering: say so once, on the status line and in a
        notification; what is on screen stays (a read that failed changes nothing)."""
        first = self.store_down is None
        self.store_down = why
        self.screen.post_message(SyncStateChanged())
        if first:
            self.notify(why[:1].upper() + why[1:] + ". " + _(
                "What you see is kept; ordertui reconnects by itself."),
                severity="warning", markup=False, timeout=8)

    def store_back(self) -> None:
        """The database answers again: every screen reads what it shows anew."""
        if self.store_down is None:
            return
        self.store_down = None
        self.notify(_("Connected to the database again."), markup=False, timeout=4)
        self.post_store_changed()
        self.screen.post_message(SyncStateChanged())

    def _handle_exception(self, error: Exception) -> None:
        # a read or write the unreachable database refused, in a worker or a handler, is
        # no reason to end the app (Textual's default for an unhandled error)
        lost = _unavailable(error)
        if lost is not None:
            self.store_lost(str(lost))
            return
        super()._handle_exception(error)

    def action_sync(self) -> None:
        if self.refuses(Permission.SYNC):
            return
        self.supervisor.sync_now()
        self.notify(_("Syncing with the suppliers…"), markup=False, timeout=2)

    # --- a window too small to use ------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        # this handler runs before Textual's own, which is what updates self.size: a real
        # terminal made smaller was measured at its old size and never said so
        self.check_size(event.size)

    def check_size(self, size: Size | None = None) -> None:
        """Cover the screens with a note when the terminal is too small to use; called by
        the home screen once it is up, and on every resize after."""
        if len(self.screen_stack) < 2:
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

    # --- telling the merchant ------------------------------------------------------------
    def announce(self, events: Iterable[SyncEvent]) -> None:
        """Tell the merchant what the suppliers decided, calmly: one notification however
        many decisions came at once (stacked, they would cover the screen on 80×24). That an
        action went out is not news; that it was refused or could not be sent is."""
        events = list(events)
        # "order cancelled" says again what "cancellation approved" says
        approved = {e.order_id for e in events if e.kind == "cancellation"}
        shown = [e for e in events if e.kind != "sent"
                 and (e.kind != "status" or (e.new == "cancelled"
                                             and e.order_id not in approved))]
        if not shown:
            return
        lines = [safe(e.describe(), EVENT_CHARS) for e in shown[:SHOWN_EVENTS]]
        more = len(shown) - SHOWN_EVENTS
        if more > 0:
            lines.append(ngettext("… and {n} more update from suppliers",
                                  "… and {n} more updates from suppliers", more).format(
                                      n=formats.number(more)))
        kinds = {e.kind for e in shown}
        title = _(_TITLES.get(shown[0].kind, N_("Order")) if len(kinds) == 1
                  else N_("Suppliers"))
        severities = {_severity(e) for e in shown}
        severity: SeverityLevel = next(
            (level for level in ("error", "warning") if level in severities), "information")
        self.notify("\n".join(lines), title=title, severity=severity, markup=False,
                    timeout=EVENT_TIMEOUT_S)


_TITLES = {"cancellation": N_("Cancellation"), "dispute": N_("Dispute"),
           "refused": N_("Refused by the supplier"), "sent": N_("Sent"),
           "failed": N_("Not sent yet")}


def _severity(e: SyncEvent) -> SeverityLevel:
    if e.kind in ("refused", "failed"):
        return "error"
    if e.new in ("info_requested", "awaiting_merchant", "rejected"):
        return "warning"
    return "information"


_ERROR_LINE = re.compile(r"^([A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt|Warning)\b.*)$",
                         re.MULTILINE)


def _last_error_line(trace: str) -> str:
    """The exception's own line at the end of a rendered traceback."""
    found = _ERROR_LINE.findall(trace)
    return " ".join(found[-1][0].split())[:200] if found else "an unexpected error"
