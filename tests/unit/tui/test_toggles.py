"""Checkboxes, radio buttons and the column picker show their state without colour: the mark
is drawn only when on and follows a change; the export form reads the same with NO_COLOR
set."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.widgets import RadioSet

from ordertui.tui.app import OrderTUI
from ordertui.tui.widgets.toggles import Check, Picks, Radio
from support.tui import orders_ready, screen_text, until


class Toggles(App[None]):
    def compose(self) -> ComposeResult:
        yield Check("Returned", id="check")
        with RadioSet(id="radios"):
            yield Radio("One", value=True, id="one")
            yield Radio("Two", id="two")
        yield Picks(("Alpha", "a", True), ("Beta", "b", False), id="picks")


def line(app: Any, label: str) -> str:
    """The toggle in front of ``label`` on the screen: its three cells."""
    found = [x for x in screen_text(app).splitlines() if f" {label}" in x]
    assert len(found) == 1, (label, found)
    before = found[0].split(f" {label}")[0]
    return before[-3:]


async def test_check_shows_x_only_when_on_and_follows_the_value() -> None:
    app = Toggles()
    async with app.run_test(size=(40, 12)) as pilot:
        check = app.query_one("#check", Check)
        assert line(app, "Returned") == "▐ ▌"
        check.focus()
        await pilot.press("space")
        assert check.value
        await until(pilot, lambda: line(app, "Returned") == "▐X▌", what="the mark")
        await pilot.press("space")
        assert not check.value
        await until(pilot, lambda: line(app, "Returned") == "▐ ▌", what="no mark")


async def test_radio_shows_its_dot_only_on_the_chosen_one() -> None:
    app = Toggles()
    async with app.run_test(size=(40, 12)) as pilot:
        assert (line(app, "One"), line(app, "Two")) == ("▐●▌", "▐ ▌")
        app.query_one("#two", Radio).value = True  # the set turns One off
        await until(pilot, lambda: (line(app, "One"), line(app, "Two")) == ("▐ ▌", "▐●▌"),
                    what="the dot moved")


async def test_picks_tick_only_the_chosen_lines() -> None:
    app = Toggles()
    async with app.run_test(size=(40, 12)) as pilot:
        picks = app.query_one("#picks", Picks)
        assert (line(app, "Alpha"), line(app, "Beta")) == ("▐X▌", "▐ ▌")
        picks.focus()
        await pilot.press("space")  # the highlighted line, Alpha, off
        await until(pilot, lambda: line(app, "Alpha") == "▐ ▌", what="Alpha unticked")
        picks.select("b")
        await until(pilot, lambda: line(app, "Beta") == "▐X▌", what="Beta ticked")
        assert picks.selected == ["b"]


@pytest.mark.parametrize("no_color", [False, True])
async def test_the_export_forms_radios_read_without_colour(
        services: Any, monkeypatch: pytest.MonkeyPatch, no_color: bool) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    app = OrderTUI(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await orders_ready(pilot)
        await pilot.press("e")
        await until(pilot, lambda: app.screen.__class__.__name__ == "ExportDialog"
                    and "All orders" in screen_text(app), what="the export form")
        assert app.no_color is no_color
        assert line(app, "All orders") == "▐●▌"
        for off in ("Last month", "This month", "Plain CSV (UTF-8)", "Excel (.xlsx)",
                    "One row per line item"):
            assert line(app, off) == "▐ ▌", off
        assert line(app, "One row per order") == "▐●▌"
        [last_month] = [r for r in app.screen.query(Radio) if r.name == "last-month"]
        last_month.value = True
        await until(pilot, lambda: (line(app, "Last month"), line(app, "All orders"))
                    == ("▐●▌", "▐ ▌"), what="the dot moved")
