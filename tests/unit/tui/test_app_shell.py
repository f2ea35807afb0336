"""What the app does around its screens, driven by Textual's pilot: the command palette,
a terminal too small, quitting, and the suppliers' decisions in one notification."""

from __future__ import annotations

from typing import Any

import pytest

from ordertui.tui.app import OrderTUI
from ordertui.tui.screens.disputes import DisputesScreen
from support.tui import orders_ready, screen_text, until

# the demo supplier's answers are looked for often (conftest.py)
pytestmark = pytest.mark.usefixtures("fast_follow_up")


async def test_command_palette_reaches_screens(services: Any) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=(120, 30)) as pilot:
        await orders_ready(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"Disputes")
        await until(pilot, lambda: "Every dispute" in screen_text(app))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DisputesScreen))


async def test_a_terminal_too_small_says_so(services: Any) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=(50, 12)) as pilot:
        # the size it names is the terminal's, once the app has measured it
        await until(pilot, lambda: "Make the window at least" in screen_text(app)
                    and "50×12" in screen_text(app))


async def test_quit_from_the_orders_screen(services: Any) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await orders_ready(pilot)
        await pilot.press("q")
        await until(pilot, lambda: not app.is_running, what="the app to quit")
    assert app.return_code == 0


async def test_the_suppliers_decisions_come_in_one_notification(services: Any) -> None:
    from ordertui.domain.models import SyncEvent

    app = OrderTUI(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await orders_ready(pilot)
        events = [SyncEvent(i, f"#{1400 + i}", "cancellation", "requested", "approved")
                  for i in range(5)]
        events.append(SyncEvent(9, "#1409", "sent", None, "Request cancellation: sent"))
        app.announce(events)
        await pilot.pause(0.1)
        assert len(app._notifications) == 1
        (note,) = list(app._notifications)
        assert note.message.count("\n") == 3 and "2 more updates" in note.message
        assert "sent" not in note.message
