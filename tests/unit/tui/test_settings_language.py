"""Settings switches the language: the app is drawn anew in it at once (the orders screen
below too), what was not saved yet survives the redraw, ctrl+s saves it to the config, and
dropping the changes puts the saved language back."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from textual.widgets import Select, TextArea

from ordertui import i18n
from ordertui.tui.app import OrderTUI
from ordertui.tui.screens.orders import OrdersScreen
from ordertui.tui.screens.settings import SettingsScreen
from support.tui import make_services, orders_ready, screen_text, until

pytestmark = pytest.mark.usefixtures("fast_follow_up")


async def _choose(pilot, app: OrderTUI, language: str) -> None:  # type: ignore[no-untyped-def]
    app.screen.query_one("#language", Select).value = language
    await until(pilot, lambda: isinstance(app.screen, SettingsScreen)
                and app.screen.language == language and app.screen.is_mounted)
    await pilot.pause(0.1)


async def test_choosing_german_redraws_the_app_and_ctrl_s_saves_it(tmp_path: Path) -> None:
    services = make_services(tmp_path)
    await services.sync()
    app = OrderTUI(services)
    async with app.run_test(size=(100, 34)) as pilot:
        await orders_ready(pilot)
        await pilot.press("comma")
        await until(pilot, lambda: "Config file" in screen_text(app))
        app.screen.query_one("#address", TextArea).text = "Anna Schmidt\nLeipzig"
        await _choose(pilot, app, "de")
        assert i18n.current().code == "de"
        text = screen_text(app)
        assert "Einstellungen" in text and "Konfigurationsdatei" in text
        assert "Config file" not in text
        # what was typed and not saved is still there, and still unsaved
        assert app.screen.query_one("#address", TextArea).text == "Anna Schmidt\nLeipzig"
        assert app.screen.dirty
        await pilot.press("ctrl+s")
        await until(pilot, lambda: services.config.path.exists())
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen))
        await orders_ready(pilot)
        assert "ordertui · Bestellungen" in screen_text(app)
        assert "Datum" in screen_text(app)
    saved = tomllib.loads(services.config.path.read_text())
    assert saved["app"]["language"] == "de"
    assert saved["returns"]["address"] == ["Anna Schmidt", "Leipzig"]
    services.store.close()


async def test_dropping_the_change_puts_the_saved_language_back(tmp_path: Path) -> None:
    services = make_services(tmp_path)
    await services.sync()
    app = OrderTUI(services)
    async with app.run_test(size=(100, 34)) as pilot:
        await orders_ready(pilot)
        await pilot.press("comma")
        await until(pilot, lambda: "Config file" in screen_text(app))
        await _choose(pilot, app, "de")
        assert "Einstellungen" in screen_text(app)
        await pilot.press("escape")  # unsaved changes: save, drop or stay?
        await until(pilot, lambda: app.screen.__class__.__name__ == "LeaveDialog")
        await pilot.press("n")  # drop them
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen)
                    and i18n.current().code == "en")
        await orders_ready(pilot)
        await until(pilot, lambda: "ordertui · Orders" in screen_text(app))
    assert not services.config.path.exists()  # nothing was saved
    services.store.close()
