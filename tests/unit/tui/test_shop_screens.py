"""The shop in the app, driven by Textual's pilot on the demo (whose supplier comes with a
demo shop): the order's details name its shop order and sell at the shop's price; L links an
unlinked order to one of the likely shop orders, by name, or turns them down for good, and
unlinks a linked one; O lists the shop orders that still need a supplier order."""

from __future__ import annotations

from typing import Any

import pytest

from ordertui.domain.shop import LinkSource, ShopQuery
from ordertui.domain.states import OrderStatus
from ordertui.services.shops import ShopService
from ordertui.tui.app import OrderTUI
from ordertui.tui.screens.details import DetailsScreen
from ordertui.tui.screens.shop_orders import ShopOrdersScreen
from ordertui.tui.widgets.toggles import Radio
from support.tui import (
    flat_text,
    notifications,
    orders_ready,
    orders_with,
    until,
    widget_text,
)

pytestmark = pytest.mark.usefixtures("fast_follow_up")


async def open_details(pilot: Any, order_id: int) -> DetailsScreen:
    app = pilot.app
    await orders_ready(pilot)
    app.push_screen(DetailsScreen(order_id))
    await until(pilot, lambda: isinstance(app.screen, DetailsScreen)
                and app.screen.details is not None)
    assert isinstance(app.screen, DetailsScreen)
    return app.screen


@pytest.fixture
def no_reference(services: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The supplier carries no shop reference (as AliExpress): nothing links by itself, the
    app's own sync included, and the merchant is asked."""
    monkeypatch.setattr(ShopService, "_auto_link", lambda self, order_id: 0)


def linked_order(services: Any) -> Any:
    order = orders_with(services, OrderStatus.PROCESSING)[0]
    assert services.store.link_of(order.id) is not None, "the demo links its orders"
    return order


async def test_details_name_the_shop_order_and_sell_at_its_price(services: Any) -> None:
    # one whose sale at the shop (discounts, shipping charged) differs from the supplier's
    # own figure of the price, so that the screen shows which one it uses
    order, link = next(
        (o, link) for o in orders_with(services, OrderStatus.PROCESSING)
        if (link := services.shops.shop_link(o.id)) is not None
        and link.revenue != services.store.get_order(o.id).total_price)
    app = OrderTUI(services)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_details(pilot, order.id)
        await until(pilot, lambda: f"Shop order {link.name} at demo (linked automatically)"
                    in flat_text(app), what="the shop order")
        text = flat_text(app)
        assert f"Customer paid {link.revenue.display()}" in text
        assert f"customer paid {link.revenue.display()} (shop order {link.name})" in text


@pytest.mark.usefixtures("no_reference")
async def test_L_links_an_unlinked_order_to_the_likely_shop_order(services: Any) -> None:
    order = linked_order(services)
    shop_order = services.store.shop_order(services.store.link_of(order.id).shop_order)
    services.shops.unlink(order.id)
    services.store.allow_link(order.id, shop_order.id)  # as if it had never been linked
    app = OrderTUI(services)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_details(pilot, order.id)
        await until(pilot, lambda: "Not linked to a shop order (L to link it)" in flat_text(app))
        await pilot.press("L")
        await until(pilot, lambda: type(app.screen).__name__ == "LinkDialog")
        await until(pilot, lambda: "placed for?" in widget_text(app))
        assert f"Which shop order was {order.name} placed for?" in widget_text(app)
        choices = [str(r.label) for r in app.screen.query(Radio)]
        assert choices[0].startswith(f"{shop_order.name} — ")  # the likely one first, with why
        assert choices[-1] == "Another one, by its name:"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, DetailsScreen)
                    and services.store.link_of(order.id) is not None)
        link = services.store.link_of(order.id)
        assert (link.shop_order, link.source) == (shop_order.id, LinkSource.MANUAL)
        await until(pilot, lambda: f"Shop order {shop_order.name} at demo (linked by you)"
                    in flat_text(app), what="the new link in the details")
        assert f"linked to {shop_order.name} of demo" in notifications(app)


@pytest.mark.usefixtures("no_reference")
async def test_none_of_these_turns_the_suggestions_down_for_good(services: Any) -> None:
    order = linked_order(services)
    shop_order = services.store.link_of(order.id).shop_order
    services.shops.unlink(order.id)
    services.store.allow_link(order.id, shop_order)
    assert shop_order in {x.shop_order for x in services.shops.suggestions(order.id)}
    app = OrderTUI(services)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_details(pilot, order.id)
        await pilot.press("L")
        await until(pilot, lambda: type(app.screen).__name__ == "LinkDialog")
        await pilot.click("#none")
        await until(pilot, lambda: isinstance(app.screen, DetailsScreen))
        assert "will not be proposed again" in notifications(app)
    assert services.store.link_of(order.id) is None
    assert shop_order not in {x.shop_order for x in services.shops.suggestions(order.id)}


async def test_a_name_that_is_no_shop_order_is_said_under_the_field(services: Any) -> None:
    order = linked_order(services)
    services.shops.unlink(order.id)
    app = OrderTUI(services)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_details(pilot, order.id)
        await pilot.press("L")
        await until(pilot, lambda: type(app.screen).__name__ == "LinkDialog")
        app.screen.query_one("#name").value = "#999999"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "#999999" in str(app.screen.query_one("#name-error")
                                                     .content), what="the error line")
        assert type(app.screen).__name__ == "LinkDialog"  # nothing lost: the dialog stays
    assert services.store.link_of(order.id) is None


async def test_L_on_a_linked_order_unlinks_it_and_it_stays_unlinked(services: Any) -> None:
    order = linked_order(services)
    app = OrderTUI(services)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_details(pilot, order.id)
        await pilot.press("L")
        await until(pilot, lambda: type(app.screen).__name__ == "UnlinkDialog")
        await until(pilot, lambda: "not linked to it again by itself" in widget_text(app))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Not linked to a shop order" in flat_text(app),
                    what="the details without the link")
    assert services.store.link_of(order.id) is None
    assert services.shops.link_pass([order.id]) == 0
    assert services.store.order_money(order.id) is None  # the supplier's figures again


async def test_O_lists_what_still_needs_ordering_oldest_first(services: Any) -> None:
    waiting = services.shops.shop_orders(ShopQuery(waiting=True), limit=100)
    assert waiting, "the demo shop has orders nobody placed with a supplier yet"
    app = OrderTUI(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await orders_ready(pilot)
        await pilot.press("O")
        await until(pilot, lambda: isinstance(app.screen, ShopOrdersScreen)
                    and f"Shop orders to order: {len(waiting)}" in flat_text(app))
        table = app.screen.query_one("#shop-orders")
        assert table.row_count == len(waiting)
        names = [str(table.get_row_at(n)[0]) for n in range(table.row_count)]
        assert names == [o.name for o in sorted(waiting, key=lambda o: (o.created_at, o.id))]
        assert "no supplier order yet" in flat_text(app)
        await pilot.press("enter")
        await until(pilot, lambda: "No supplier order is linked to" in notifications(app))
        assert isinstance(app.screen, ShopOrdersScreen)
        await pilot.press("f", "f")  # unlinked, then all
        await until(pilot, lambda: "Shop orders all:" in flat_text(app))
        table = app.screen.query_one("#shop-orders")
        linked = next(n for n, o in enumerate(app.screen.rows) if app.screen.linked.get(o.id))
        table.move_cursor(row=linked)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DetailsScreen))


async def test_a_failed_exchange_rate_fetch_is_said_once_per_sync(
        services: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    said = "exchange rates not updated: ECB: eurofxref-hist-90d.xml could not be read"

    async def failed(self: ShopService) -> str:
        return said

    monkeypatch.setattr(ShopService, "settle_rates", failed)
    app = OrderTUI(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await orders_ready(pilot)
        await until(pilot, lambda: said in notifications(app), what="the note")
        assert notifications(app).count(said) == 1
