"""The returns keys of an order's details, driven by Textual's pilot on a small hand-made
shop: R where the supplier takes no returns and no return address is set says so before any
form; x says what shipping from the returns stock leaves as it is, and confirms it; R is not
offered once nothing more of the order can be returned, and says why when pressed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ordertui.domain.returns import ReturnState
from ordertui.domain.states import OrderStatus
from ordertui.services import Services
from ordertui.tui.app import OrderTUI
from ordertui.tui.dialogs.returns_forms import ReturnDialog, StockUseDialog
from ordertui.tui.screens.details import DetailsScreen
from ordertui.tui.screens.orders import OrdersScreen
from ordertui.tui.widgets.order_table import OrderTable
from support.returns import ADDRESS, make_config, make_order, order_id, services_with
from support.tui import flat_text, notifications, screen_text, until, widget_text

LAMP = [("LAMP-01", "Desk lamp", 1, "10.00", "25.00")]
# the demo supplier takes no returns; it lists none of its own orders here
DEMO = {"demo": {"kind": "demo", "review_delay_s": 0, "orders": 0}}


def shop(tmp_path: Path, returns: dict[str, Any] | None = None) -> Services:
    """#1 delivered, #2 still processing, both a desk lamp."""
    return services_with(make_config(tmp_path, suppliers=DEMO, returns=returns),
                         [make_order(1, lines=LAMP),
                          make_order(2, status=OrderStatus.PROCESSING, lines=LAMP)])


@pytest.fixture
def bare(tmp_path: Path) -> Iterator[Services]:
    s = shop(tmp_path)
    yield s
    s.store.close()


@pytest.fixture
def with_address(tmp_path: Path) -> Iterator[Services]:
    s = shop(tmp_path, {"address": ADDRESS})
    yield s
    s.store.close()


def restock_the_lamp(s: Services) -> None:
    """#1's lamp came back and is in the returns stock."""
    ret = s.returns.open_return(order_id(s, 1), {"LAMP-01": 1}, "wrong colour")
    assert ret.id is not None
    s.returns.set_return_state(ret.id, "received")
    s.returns.set_return_state(ret.id, "restocked", condition="as new")
    assert s.returns.returns_for(order_id(s, 1))[0].state is ReturnState.RESTOCKED


async def open_details(pilot: Any, name: str) -> DetailsScreen:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, OrdersScreen))
    table = app.screen.query_one(OrderTable)
    await until(pilot, lambda: bool(table.buffer))
    await pilot.press("slash", *name, "enter")
    await until(pilot, lambda: table.current is not None and table.current.name == name
                and not table.fetching and table.total == 1)
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, DetailsScreen)
                and app.screen.details is not None)
    screen = app.screen
    assert isinstance(screen, DetailsScreen)
    return screen


def dialogs(app: Any) -> list[str]:
    return [type(s).__name__ for s in app.screen_stack if type(s).__name__.endswith("Dialog")]


async def test_no_returns_and_no_address_is_said_before_any_form(bare: Services) -> None:
    app = OrderTUI(bare)
    async with app.run_test(size=(80, 24)) as pilot:
        details = await open_details(pilot, "#1")
        assert details.check_action("return", ())  # R is offered: the item can come back
        await pilot.press("R")
        await until(pilot, lambda: "accepts no returns" in notifications(app),
                    what="the warning")
        said = notifications(app)
        assert "demo accepts no returns" in said
        assert f"set your return address in Settings ({app.key_text('settings')})" in said
        await pilot.pause(0.2)
        assert app.screen is details and dialogs(app) == []
        assert bare.returns.returns_for(order_id(bare, 1)) == []


async def test_with_a_return_address_the_form_opens(with_address: Services) -> None:
    app = OrderTUI(with_address)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_details(pilot, "#1")
        await pilot.press("R")
        await until(pilot, lambda: isinstance(app.screen, ReturnDialog), what="the form")
        assert "at your own address" in widget_text(app)
        assert "accepts no returns" not in notifications(app)


async def test_shipping_from_stock_says_the_suppliers_order_stays(
        with_address: Services) -> None:
    s = with_address
    restock_the_lamp(s)
    processing = order_id(s, 2)
    app = OrderTUI(s)
    async with app.run_test(size=(80, 24)) as pilot:
        cancel = app.key_text("cancel")
        details = await open_details(pilot, "#2")
        assert details.check_action("use_stock", ())
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, StockUseDialog), what="the form")
        said = widget_text(app)
        assert "Ship #2 from the returns stock" in said
        assert ("The order you placed with demo (DEMO2) stays as it is: demo ships it too "
                f"unless you cancel it ({cancel} on this order)") in said
        assert "What you paid demo, €10.00, stays this order's cost." in said
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is details, what="the form closed")
        await until(pilot, lambda: "ships from the returns stock" in notifications(app),
                    what="the confirmation")
        told = notifications(app)
        assert "#2: 1× LAMP-01 ships from the returns stock" in told
        assert f"demo's order still ships unless you cancel it ({cancel})" in told
    assert [u.sku for u in s.returns.stock_uses(processing)] == ["LAMP-01"]
    assert s.returns.stock() == []
    assert s.order(processing).status is OrderStatus.PROCESSING  # nothing cancelled


async def test_R_is_not_offered_once_nothing_more_can_be_returned(
        with_address: Services) -> None:
    restock_the_lamp(with_address)
    app = OrderTUI(with_address)
    async with app.run_test(size=(80, 24)) as pilot:
        details = await open_details(pilot, "#1")
        await until(pilot, lambda: "What you can do" in flat_text(app))
        assert details.check_action("return", ()) is False
        text = screen_text(app)
        assert "Accept a return" not in text
        assert "R Return" not in text.splitlines()[-1]  # the footer
        await pilot.press("R")
        await until(pilot, lambda: "Nothing more of #1 can be returned" in notifications(app),
                    what="why not")
        await pilot.pause(0.1)
        assert app.screen is details and dialogs(app) == []
        assert len(with_address.returns.returns_for(order_id(with_address, 1))) == 1
