"""Keys and the help screen, driven by Textual's pilot: ? shows every key of the screen
by group and scrolls to its last line at 80×24, and a remapped key works, shows in the
help and keeps its place in the bottom line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ordertui.tui.app import OrderTUI
from ordertui.tui.screens.orders import OrdersScreen
from support.tui import flat_text, make_services, orders_ready, screen_text, until, widget_text

# the demo supplier's answers are looked for often (conftest.py)
pytestmark = pytest.mark.usefixtures("fast_follow_up")


async def test_help_shows_every_key_of_the_screen_grouped(services: Any) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=(120, 50)) as pilot:
        await orders_ready(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: "Keys" in screen_text(app) and "Move" in screen_text(app))
        text = screen_text(app)
        for group in ("Move", "Views", "Find", "Act"):
            assert group in text
        for description in ("Page down", "Filter", "Sort", "Cancel", "Dispute", "Export",
                            "Mark", "Sync", "Quit"):
            assert description in text
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen))


async def test_remapped_key_works_and_shows_in_help(tmp_path: Path) -> None:
    services = make_services(tmp_path, extra={"keys": {"sort": "o"}})
    await services.sync()
    app = OrderTUI(services)
    async with app.run_test(size=(120, 50)) as pilot:
        await orders_ready(pilot)
        await pilot.press("o")
        await until(pilot, lambda: app.screen.__class__.__name__ == "SortDialog")
        await pilot.press("escape", "question_mark")
        await until(pilot, lambda: "Move" in widget_text(app))
        assert " o Sort " in widget_text(app)
        assert " s Sort " not in widget_text(app)
    services.store.close()


async def test_the_help_screen_scrolls_to_its_last_line_at_80x24(services: Any) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await orders_ready(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: "Move" in screen_text(app))
        assert "Keys can be remapped" not in screen_text(app)  # below the fold at first
        for _ in range(60):
            await pilot.press("j")
        await until(pilot, lambda: "Keys can be remapped" in flat_text(app),
                    what="the last line of the help")
        text = flat_text(app)
        assert "Dispute: Awaiting you" in text and "Go to" not in text.split("Flags")[1]


async def test_a_remapped_key_keeps_its_place_in_the_bottom_line(tmp_path: Path) -> None:
    services = make_services(tmp_path, extra={"keys": {"sort": "o"}})
    await services.sync()
    app = OrderTUI(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await orders_ready(pilot)

        def bottom() -> str:
            return screen_text(app).splitlines()[-1]

        # the order under the cursor's keys (Cancel, Dispute) join the line once it is known
        await until(pilot, lambda: "Dispute" in bottom(), what="the order's keys")
        assert "o Sort" in bottom() and bottom().index("Dispute") < bottom().index("o Sort")
        await pilot.press("question_mark")
        await until(pilot, lambda: "o    Sort" in flat_text(app) or "o Sort" in flat_text(app))
    services.store.close()
