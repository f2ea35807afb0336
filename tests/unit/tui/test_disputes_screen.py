"""The disputes screen driven by Textual's pilot: it lists the open disputes, or all of
them, and opens a dispute's thread."""

from __future__ import annotations

from typing import Any

import pytest

from ordertui.domain.states import DisputeState
from ordertui.tui.app import OrderTUI
from ordertui.tui.screens.disputes import DisputesScreen
from ordertui.tui.screens.orders import OrdersScreen
from ordertui.tui.screens.thread import ThreadScreen
from support.tui import flat_text, orders_ready, screen_text, until

# the demo supplier's answers are looked for often (conftest.py)
pytestmark = pytest.mark.usefixtures("fast_follow_up")


async def test_disputes_screen_lists_and_opens_threads(services: Any) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=(120, 30)) as pilot:
        await orders_ready(pilot)
        await pilot.press("D")
        await until(pilot, lambda: isinstance(app.screen, DisputesScreen)
                    and bool(app.screen.order_ids))
        screen = app.screen
        open_states = (DisputeState.OPEN, DisputeState.AWAITING_SUPPLIER,
                       DisputeState.AWAITING_MERCHANT, DisputeState.ESCALATED)
        assert len(screen.order_ids) == len(services.disputes(open_states))
        await pilot.press("f", "f")  # all disputes
        await until(pilot, lambda: len(app.screen.order_ids) == len(services.disputes()))
        first = app.screen.order_ids[0]
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ThreadScreen))
        assert app.screen.order_id == first
        await pilot.press("escape", "escape")
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen))


def _last_message(services: Any, order_id: int) -> str:
    dispute = services.order(order_id).dispute
    last = dispute.messages[-1]
    who = "you" if last.author == "merchant" else last.author
    return f"Last message, {who}, {last.at.astimezone():%Y-%m-%d}: {last.body}"


async def test_the_current_disputes_last_message_is_shown_whole_at_80x24(
        services: Any) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await orders_ready(pilot)
        await pilot.press("D")
        await until(pilot, lambda: isinstance(app.screen, DisputesScreen)
                    and len(app.screen.order_ids) >= 2)
        first, second = app.screen.order_ids[:2]
        said_first, said_second = (_last_message(services, first),
                                   _last_message(services, second))
        assert said_first != said_second and len(said_first) > 80  # more than a line
        await until(pilot, lambda: said_first in flat_text(app), what="the whole message")
        assert "supplier: We" not in screen_text(app)  # not a column cut short
        await pilot.press("down")
        await until(pilot, lambda: said_second in flat_text(app), what="the next message")
        assert said_first not in flat_text(app)
        await pilot.press("up")
        await until(pilot, lambda: said_first in flat_text(app), what="back to the first")
