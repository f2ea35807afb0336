"""Asking to cancel from the orders screen, driven by Textual's pilot: esc sends nothing,
a shipped order is not offered, the marked orders are cancelled together, and one of them
cancelled already is named once among those left out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from ordertui.domain.states import OrderStatus
from ordertui.services import Services
from ordertui.tui.app import OrderTUI
from ordertui.tui.format import about
from ordertui.tui.screens.details import DetailsScreen
from ordertui.tui.screens.orders import OrdersScreen
from support.returns import NOW, make_config, make_order, services_with
from support.tui import (
    flat_text,
    notifications,
    orders_ready,
    orders_with,
    screen_text,
    until,
    widget_text,
)

# the demo supplier's answers are looked for often (conftest.py)
pytestmark = pytest.mark.usefixtures("fast_follow_up")


async def test_escape_aborts_a_cancellation_and_sends_nothing(services: Any) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await orders_ready(pilot)
        await pilot.press("4")
        await until(pilot, lambda: table.query_.statuses == (OrderStatus.PROCESSING,)
                    and not table.fetching and table.current is not None)
        await pilot.press("c")
        await until(pilot, lambda: app.screen.__class__.__name__ == "CancelDialog")
        await pilot.press(*"changed my mind", "escape")
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen))
        assert services.store.outbox.entries(states=("pending", "sending", "done"),
                                             to="supplier") == []


async def test_a_shipped_order_is_not_offered_for_cancellation(services: Any) -> None:
    shipped = orders_with(services, OrderStatus.SHIPPED)[0]
    app = OrderTUI(services)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await orders_ready(pilot)
        await pilot.press("slash", *shipped.name, "enter")
        await until(pilot, lambda: table.current is not None and table.current.id == shipped.id)
        await pilot.press("c")
        await until(pilot, lambda: "can no longer be cancelled" in notifications(app))
        assert "open a dispute" in notifications(app)
        assert app.screen.__class__.__name__ == "OrdersScreen"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DetailsScreen)
                    and app.screen.details is not None)
        await until(pilot, lambda: "can no longer be cancelled" in flat_text(app))
        assert app.screen.check_action("cancel", ()) is False


async def test_marking_and_bulk_cancellation(services: Any) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=(160, 50)) as pilot:
        table = await orders_ready(pilot)
        await pilot.press("4")
        await until(pilot, lambda: table.query_.statuses == (OrderStatus.PROCESSING,)
                    and not table.fetching and len(table.buffer) >= 3)
        free = [r for r in table.buffer if r.cancellation_state is None][:2]
        for row in free:
            while table.current is None or table.current.id != row.id:
                await pilot.press("j")
            await pilot.press("space")
        assert table.marked == {r.id for r in free}
        await until(pilot, lambda: "2 marked" in screen_text(app))
        await pilot.press("c")
        await until(pilot, lambda: app.screen.__class__.__name__ == "CancelDialog")
        await until(pilot, lambda: "2 orders" in screen_text(app))
        await pilot.press(*"duplicate orders", "enter")
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen) and not table.marked)
        for row in free:
            c = services.order(row.id).cancellation
            assert c is not None and c.reason == "duplicate orders"
        await until(pilot, lambda: services.adapter("demo").engine.action_counts()
                    .get("cancel") == 2, what="both sent")


@pytest.fixture
def two(tmp_path: Path) -> Iterator[Services]:
    """#1 processing, #2 cancelled already."""
    s = services_with(make_config(tmp_path, suppliers={"demo": {
        "kind": "demo", "review_delay_s": 0, "orders": 0}}),
        [make_order(1, status=OrderStatus.PROCESSING),
         make_order(2, status=OrderStatus.CANCELLED, created_at=NOW - timedelta(days=19))])
    yield s
    s.store.close()


async def test_a_skipped_cancelled_order_is_named_once(two: Services) -> None:
    app = OrderTUI(two)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await orders_ready(pilot)
        await until(pilot, lambda: table.total == 2)
        await pilot.press("space", "space")
        assert len(table.marked) == 2
        await pilot.press("c")
        await until(pilot, lambda: app.screen.__class__.__name__ == "CancelDialog"
                    and "Not included" in widget_text(app), what="the dialog")
        text = widget_text(app)
        assert "Not included (1): order #2 is cancelled already" in text
        assert "#2: order #2" not in text and "can no longer be cancelled" not in text
        await pilot.press("escape")
    assert two.store.outbox.entries(to="supplier") == []


def test_about_leads_with_the_name_unless_the_message_names_it() -> None:
    assert about("#2", "order #2 is cancelled already") == "order #2 is cancelled already"
    assert about("#2", "the supplier is down") == "#2: the supplier is down"
