"""The base of every full screen: the app typed once, the services, the current key for an
action (for sentences that name it), and j/k that scroll or move in one place."""

from __future__ import annotations

from typing import ClassVar

from textual import getters
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable

from ordertui.services import Services
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

    def action_scroll_down(self) -> None:
        self.query_one(self.SCROLL, VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one(self.SCROLL, VerticalScroll).scroll_up()

    def action_cursor_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()
