"""Adding orders by the supplier's order id in the terminal app, driven by Textual's pilot,
against the AliExpress simulator (a supplier that lists no orders): the empty table says
how, a wrong id is named and kept in the form, the right ones are added, the command palette
reaches the form, and esc adds nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ordertui.domain.query import OrderQuery
from ordertui.simulators.aliexpress import AESimConfig, AliExpressSimulator
from ordertui.simulators.common import RunningSim
from support.sims import ae_settings, serve, services_for


@pytest.fixture
def sim() -> Iterator[RunningSim]:
    yield from serve(AliExpressSimulator(AESimConfig(orders=200)))


def ae(sim: RunningSim) -> AliExpressSimulator:
    assert isinstance(sim.sim, AliExpressSimulator)
    return sim.sim


async def test_adding_orders_by_id_in_the_terminal_app(tmp_path: Path, sim: RunningSim) -> None:
    from textual.widgets import Input

    from ordertui.tui.app import OrderTUI
    from ordertui.tui.dialogs.add_orders import AddOrdersDialog
    from support.tui import flat_text, notifications, until

    s = services_for(tmp_path, {"ae": ae_settings(sim)})
    first, second, third = ae(sim).order_ids(3)
    app = OrderTUI(s)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # AliExpress lists no orders: the empty table says how to add them
        assert "No orders yet. Press a to add orders by the supplier's order id" in \
            flat_text(app)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AddOrdersDialog), what="the form")
        await pilot.press(*f"#1042, {first} {second}", "enter")
        await until(pilot, lambda: "Not added: #1042" in flat_text(app), what="the refusal")
        assert isinstance(app.screen, AddOrdersDialog)  # the form stays, with the wrong id
        assert app.screen.query_one("#ids", Input).value == "#1042"
        assert "Added 2; 1 not added" in flat_text(app)
        behind = app.screen_stack[-2].query_one("#orders")  # the table behind the form
        await until(pilot, lambda: behind.total == 2, what="the table behind the form")
        assert {s.order(s.resolve(i)).supplier_order_id for i in (first, second)} == \
            {first, second}
        await pilot.press("ctrl+u", *third, "enter")  # the corrected id
        await until(pilot, lambda: not isinstance(app.screen, AddOrdersDialog), what="closed")
        assert "Added 1 order from ae." in notifications(app)
        await until(pilot, lambda: "1 of 3 " in flat_text(app), what="three in the table")
        await pilot.press("ctrl+p", *"Add orders")  # the command palette reaches it too
        await until(pilot, lambda: "Add orders by id" in flat_text(app), what="the command")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AddOrdersDialog), what="the form")
        await pilot.press("escape")  # esc: nothing typed, nothing added
        await until(pilot, lambda: not isinstance(app.screen, AddOrdersDialog), what="closed")
        assert s.store.count(OrderQuery()) == 3
    await s.aclose()
