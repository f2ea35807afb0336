"""Widgets on their own, in a bare Textual app: the view tabs fit their line at every width,
and the too-small screen says how big the window must be, following a resize."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult

from ordertui.domain.query import View
from ordertui.tui.screens.too_small import TooSmallScreen
from ordertui.tui.widgets.view_tabs import ViewTabs

COUNTS = {"all": 1500, "attention": 7, "awaiting_payment": 3, "processing": 46,
          "shipped": 205, "delivered": 1233, "cancelled": 13, "protection": 111}


class TabsApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ViewTabs()


async def _tabs(width: int, current: View = View.ATTENTION) -> str:
    app = TabsApp()
    async with app.run_test(size=(width, 3)) as pilot:
        tabs = app.query_one(ViewTabs)
        tabs.counts = dict(COUNTS)
        tabs.current = current
        await pilot.pause()
        return tabs.render().plain


async def test_the_view_tabs_fit_their_line_at_every_width() -> None:
    for width in (200, 120, 100, 80, 60):  # the app needs 60 columns at least
        line = await _tabs(width)
        assert len(line) <= width - 2, (width, line)
        assert "Attn" in line or "Needs attention" in line
    assert "Needs attention 7" in await _tabs(200)  # room for everything
    wide = await _tabs(200)
    assert all(f"{i} " in wide for i in range(1, 9)) and "1,233" in wide
    assert "Attn 7" in await _tabs(80)


async def test_the_current_views_count_survives_a_narrow_line() -> None:
    line = await _tabs(60, View.SHIPPED)
    assert "205" in line  # the view the merchant is on keeps its number
    # and what waits on the merchant keeps its count too, while it fits
    assert "Attn 7" in line and "Prot 111" in line


class SmallApp(App[None]):
    def on_mount(self) -> None:
        self.push_screen(TooSmallScreen(60, 15))


def _text(app: Any) -> str:
    return str(app.screen.query_one("#too-small").content)


async def test_the_too_small_screen_says_how_big_and_follows_a_resize() -> None:
    app = SmallApp()
    async with app.run_test(size=(50, 12)) as pilot:
        await pilot.pause()
        assert "at least 60×15" in _text(app) and "it is 50×12 now" in _text(app)
        await pilot.resize_terminal(58, 14)
        await pilot.pause()
        assert "it is 58×14 now" in _text(app)
