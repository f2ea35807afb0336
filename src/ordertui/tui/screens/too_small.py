"""Shown instead of a broken layout when the terminal is smaller than the app needs."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from ordertui.i18n import _


class TooSmallScreen(Screen[None]):
    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; }
    TooSmallScreen Static { width: auto; height: auto; }
    """

    def __init__(self, width: int, height: int) -> None:
        super().__init__()
        self.min_width, self.min_height = width, height

    def compose(self) -> ComposeResult:
        yield Static(self._text(), markup=False, id="too-small")

    def _text(self) -> Text:
        w, h = self.app.size
        return Text(_("Make the window at least {width}×{height}\n(it is {now_width}×"
                      "{now_height} now)").format(width=self.min_width, height=self.min_height,
                                                  now_width=w, now_height=h),
                    justify="center")

    def on_resize(self) -> None:
        self.query_one("#too-small", Static).update(self._text())
