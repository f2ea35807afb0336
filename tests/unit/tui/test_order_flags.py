"""The orders table's flags for what the clock makes urgent, driven by Textual's pilot on a
small hand-made shop seen at a fixed time: R! on a cancelled order that still owes its
customer a refund, T! on tracking that stopped, P! on buyer protection running out on an
order still on its way — in the Needs attention view, and explained by the help."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from ordertui.domain.models import TrackingEvent
from ordertui.domain.states import OrderStatus
from ordertui.services import Services
from ordertui.tui.app import OrderTUI
from ordertui.tui.dialogs.help import HelpDialog
from ordertui.tui.screens.orders import OrdersScreen
from ordertui.tui.widgets.order_table import OrderTable
from support.returns import NOW, make_config, make_order, order_id, services_with
from support.tui import screen_text, until, widget_text

DAY = timedelta(days=1)
STALLED_DAYS = 7


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Services]:
    # buyer protection of 30 days counted from the order: a parcel still on its way loses it
    config = make_config(tmp_path, suppliers={"demo": {
        "kind": "demo", "review_delay_s": 0, "orders": 0,
        "policy": {"protection_days": 30, "protection_from": "order"}}})
    config.stalled_tracking_days = STALLED_DAYS
    s = services_with(config, [
        # shipped 9 days ago, its tracking last moved 8 days ago: stalled (protection: 19 days)
        make_order(1, status=OrderStatus.SHIPPED, created_at=NOW - 11 * DAY,
                   shipped_at=NOW - 9 * DAY, tracking_number="LP1",
                   tracking_events=[TrackingEvent(at=NOW - 8 * DAY,
                                                  description="Departed the sorting centre")]),
        # ordered 28 days ago and still processing: 2 days of protection left
        make_order(2, status=OrderStatus.PROCESSING, created_at=NOW - 28 * DAY),
        # processing, then cancelled by the supplier: the customer's money is still owed
        make_order(3, status=OrderStatus.PROCESSING, created_at=NOW - 3 * DAY),
        # delivered, nothing to do
        make_order(4, created_at=NOW - 12 * DAY),
    ])
    s.store.set_order_status(order_id(s, 3), OrderStatus.CANCELLED)
    s.returns.sync_protection()
    yield s
    s.store.close()


def flags_of(app: Any, name: str) -> str:
    """What the row of ``name`` shows under the Flags heading."""
    lines = screen_text(app).splitlines()
    [heading] = [x for x in lines if "Flags" in x]
    rows = [x for x in lines if re.match(rf"\s*{re.escape(name)}\s", x)]
    assert len(rows) == 1, (name, rows)
    return rows[0][heading.index("Flags"):].strip()


async def test_needs_attention_flags_refund_stalled_and_protection(shop: Services) -> None:
    app = OrderTUI(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen))
        table = app.screen.query_one(OrderTable)
        await pilot.press("2")
        await until(pilot, lambda: table.query_.attention and not table.fetching
                    and table.total == 3, what="the Needs attention view")
        await until(pilot, lambda: "#3" in screen_text(app), what="its rows")
        assert "Flags" in screen_text(app)
        assert flags_of(app, "#1") == "T!"
        assert flags_of(app, "#2") == "P!"
        assert flags_of(app, "#3") == "R!"
        assert not re.search(r"^\s*#4\s", screen_text(app), re.M)  # nothing to do on it


async def test_the_help_explains_the_three_flags(shop: Services) -> None:
    app = OrderTUI(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen))
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpDialog)
                    and "Flags in the table" in widget_text(app), what="the help")
        text = widget_text(app)
        assert "R! A cancelled order still owes its customer a refund" in text
        assert f"T! Its tracking has not moved for {STALLED_DAYS} days" in text
        assert "P! Buyer protection ends soon, and it has not arrived" in text
