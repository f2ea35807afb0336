"""The base of every full screen: the app typed once, the services, the current key for an
action (for sentences that name it), the keys the session's role leaves out, and j/k that
scroll or move in one place; and ``fill``, for a translated sentence with a word in it that
stands out."""

from __future__ import annotations

import string
from typing import ClassVar

from rich.text import Text
from textual import events, getters
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable

from ordertui.i18n import _
from ordertui.services import Services
from ordertui.tui import keys
from ordertui.tui.messages import StoreChanged
from ordertui.tui.shell import Shell


class BaseScreen(Screen[None]):
    app = getters.app(Shell)

    #: the container j/k (and the arrows) scroll, on screens that scroll
    SCROLL: ClassVar[str] = ""
    #: the screen shows the orders table's flags, which ``?`` then explains
    SHOWS_FLAGS: ClassVar[bool] = False

    @property
    def services(self) -> Services:
        return self.app.services

    def key_text(self, binding_id: str) -> str:
        """The key that does ``binding_id`` now, after the merchant's remapping."""
        return self.app.key_text(binding_id)

    # --- what the screen offers ----------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A key the session's role leaves out is not offered at all (not in the footer, not
        in ``?``); the others as the screen says (``offers``)."""
        if not self.permits(action):
            return False
        return self.offers(action, parameters)

    def offers(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Whether the screen offers ``action`` now, as the order or the screen stands
        (False: not at all; None: shown, but not now). The role was asked already."""
        return True

    def permits(self, action: str) -> bool:
        """The session's role allows ``action`` of this screen."""
        permission = keys.permission_for(self.BINDINGS, action)
        return permission is None or self.services.allows(permission)

    def on_key(self, event: events.Key) -> None:
        """A key the role leaves out does nothing but say why (typed ahead, or remapped
        onto a key the merchant remembers); the keys typed behind it are dropped.

        A key that opens a dialog, pressed where it is not offered, opens nothing: the
        keys typed behind it were meant for that dialog, so they are dropped rather than run
        as commands here, and the merchant is told why."""
        refused = self.app.refused_key(event.key, self.BINDINGS)
        if refused is not None:
            event.stop()
            event.prevent_default()
            self.app.key_order.drop_held()
            self.app.not_allowed(refused)
            return
        binding = self._opener(event.key)
        if binding is None or self.check_action(binding.action, ()):
            return
        self.app.key_order.drop_held()
        why = self.why_not(binding.action, binding.description)
        self.notify(why[:1].upper() + why[1:], severity="warning", markup=False)

    def _opener(self, key: str) -> Binding | None:
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.id in keys.OPENS:
                given = self.app.keymap.get(binding.id) or binding.key
                if {key, keys.display(key)} & {k.strip() for k in given.split(",")}:
                    return binding
        return None

    def why_not(self, action: str, description: str) -> str:
        """Why ``action`` is not possible here now (one line). ``description`` is the key's,
        in English as its binding holds it."""
        return _("{action}: not possible here now").format(action=_(description))

    def action_scroll_down(self) -> None:
        self.query_one(self.SCROLL, VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one(self.SCROLL, VerticalScroll).scroll_up()

    def action_cursor_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()


class ListScreen(BaseScreen):
    """A screen of one table that reloads when the store changes (another session, a sync),
    with the filters its ``next_filter`` key cycles through. A subclass's ``load`` (a worker)
    fills the table for ``filter_index``."""

    #: how many filters the ``next_filter`` key cycles through
    FILTER_COUNT: ClassVar[int] = 1

    def __init__(self) -> None:
        super().__init__()
        self.filter_index = 0

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.load()

    def on_store_changed(self, message: StoreChanged) -> None:
        self.load()

    def action_next_filter(self) -> None:
        self.filter_index = (self.filter_index + 1) % self.FILTER_COUNT
        self.load()

    def load(self) -> object:
        raise NotImplementedError


def fill(template: str, style: str = "", **values: str | Text) -> Text:
    """``template`` (a translated message) with its ``{placeholders}`` filled; a value given
    as ``Text`` keeps its own style, so that a word can stand out wherever the language puts
    it in the sentence."""
    t = Text()
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        if literal:
            t.append(literal, style=style)
        if name is not None:
            value = values[name]
            if isinstance(value, Text):
                t.append_text(value)
            else:
                t.append(value, style=style)
    return t
