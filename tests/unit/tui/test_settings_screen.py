"""The settings screen driven by Textual's pilot: secrets shown masked, the key map
saved (and a key another action has refused), a failed save said, leaving with unsaved
changes asks."""

from __future__ import annotations

from pathlib import Path

import pytest

from ordertui.tui.app import OrderTUI
from ordertui.tui.screens.orders import OrdersScreen
from support.tui import make_services, notifications, orders_ready, screen_text, until

# the demo supplier's answers are looked for often (conftest.py)
pytestmark = pytest.mark.usefixtures("fast_follow_up")


async def test_settings_show_secrets_redacted_and_save_the_key_map(tmp_path: Path) -> None:
    services = make_services(tmp_path)
    await services.sync()
    services.config.suppliers["demo"].settings["api_key"] = "sk-very-secret-123"
    app = OrderTUI(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await orders_ready(pilot)
        await pilot.press("comma")
        await until(pilot, lambda: "Config file" in screen_text(app))
        text = screen_text(app)
        assert "sk-very-secret-123" not in text
        assert "••••" in text
        table = app.screen.query_one("#keymap")
        row = next(i for i in range(table.row_count)
                   if str(table.coordinate_to_cell_key((i, 0)).row_key.value) == "export")
        table.focus()
        table.move_cursor(row=row)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.__class__.__name__ == "KeyCaptureDialog")
        await pilot.press("x")
        await until(pilot, lambda: app.screen.__class__.__name__ == "SettingsScreen")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: services.config.path.exists())
    import tomllib

    saved = tomllib.loads(services.config.path.read_text())
    assert saved["keys"]["export"] == "x"
    assert oct(services.config.path.stat().st_mode & 0o777) == "0o600"
    services.store.close()


async def test_a_failed_save_in_settings_says_so_and_the_app_goes_on(tmp_path: Path) -> None:
    services = make_services(tmp_path)
    await services.sync()
    (tmp_path / "a-file").write_text("")
    services.config.path = tmp_path / "a-file" / "config.toml"  # cannot be written
    app = OrderTUI(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await orders_ready(pilot)
        await pilot.press("comma")
        await until(pilot, lambda: "Config file" in screen_text(app))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Not saved" in notifications(app), what="the refusal")
        assert "a-file" in notifications(app)
        assert app.is_running and app.screen.__class__.__name__ == "SettingsScreen"
    services.store.close()


async def test_a_key_already_used_on_a_screen_is_refused_and_leaving_asks(
        tmp_path: Path) -> None:
    import tomllib

    services = make_services(tmp_path)
    await services.sync()
    app = OrderTUI(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await orders_ready(pilot)
        await pilot.press("comma")
        await until(pilot, lambda: app.screen.__class__.__name__ == "SettingsScreen")
        table = app.screen.query_one("#keymap")
        row = next(i for i in range(table.row_count)
                   if str(table.coordinate_to_cell_key((i, 0)).row_key.value) == "cancel")
        app.screen.query_one("#keymap").focus()
        table.move_cursor(row=row)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.__class__.__name__ == "KeyCaptureDialog")
        await pilot.press("d")  # Dispute's key on the orders screen
        await until(pilot, lambda: "'d' is already 'Dispute'" in notifications(app))
        assert app.keymap.get("cancel") is None
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.__class__.__name__ == "KeyCaptureDialog")
        await pilot.press("z")
        await until(pilot, lambda: app.keymap.get("cancel") == "z")
        await pilot.press("escape")  # unsaved: asked, not left
        await until(pilot, lambda: app.screen.__class__.__name__ == "LeaveDialog")
        await pilot.press("n")  # drop the change
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen))
        assert app.keymap.get("cancel") in (None, "c")
        assert "z Cancel" not in screen_text(app) and "c Cancel" in screen_text(app)
        await pilot.press("comma")
        await until(pilot, lambda: app.screen.__class__.__name__ == "SettingsScreen")
        app.screen.query_one("#address").text = "Anna Schmidt\nKarl-Liebknecht-Str. 5"
        await pilot.press("escape")
        await until(pilot, lambda: app.screen.__class__.__name__ == "LeaveDialog")
        await pilot.press("y")  # save
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen))
    saved = tomllib.loads(services.config.path.read_text())
    assert saved["returns"]["address"] == ["Anna Schmidt", "Karl-Liebknecht-Str. 5"]
    assert services.returns.merchant().address_lines == ("Anna Schmidt",
                                                         "Karl-Liebknecht-Str. 5")
    services.store.close()
