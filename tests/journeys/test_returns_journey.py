"""Journey 4 (docs/journeys.md) in the app: a return the supplier will not take, accepted at
the merchant's address, received, restocked, and shipped to the next customer from the
returns stock; the refund and the order's net; the generated policy; the buyer-protection
view."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ordertui.domain.query import OrderQuery, View
from ordertui.domain.returns import ReturnState
from ordertui.domain.states import OrderStatus
from ordertui.tui.app import OrderTUI
from ordertui.tui.screens.details import DetailsScreen
from ordertui.tui.screens.orders import OrdersScreen
from ordertui.tui.screens.policy import PolicyScreen
from ordertui.tui.screens.returns import ReturnsScreen, StockScreen
from ordertui.tui.widgets.order_table import OrderTable
from support.tui import make_services, notifications, until, widget_text

RETURNS = {"returns": {"address": ["Anna Schmidt", "Karl-Liebknecht-Str. 5",
                                   "04107 Leipzig", "DE"], "window_days": 30,
                       "shop_name": "Lampenladen"}}


@pytest.fixture
async def services(tmp_path: Path) -> Any:
    s = make_services(tmp_path, extra=RETURNS)
    await s.sync()
    yield s
    s.store.close()


def _pair(services: Any) -> tuple[Any, Any, str]:
    """A delivered order and a processing one that share a SKU."""
    delivered = services.store.load_orders(
        [r.id for r in services.window(OrderQuery(statuses=(OrderStatus.DELIVERED,)),
                                       limit=300)])
    processing = services.store.load_orders(
        [r.id for r in services.window(OrderQuery(statuses=(OrderStatus.PROCESSING,)),
                                       limit=300) if r.cancellation_state is None])
    for d in delivered:
        if len(d.items) != 1 or d.dispute is not None:
            continue
        for p in processing:
            if any(i.sku == d.items[0].sku for i in p.items):
                return d, p, d.items[0].sku
    raise AssertionError("the demo shop has no two such orders")


async def _open(pilot: Any, services: Any, name: str) -> DetailsScreen:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, OrdersScreen))
    table = app.screen.query_one(OrderTable)
    await until(pilot, lambda: bool(table.buffer))
    await pilot.press("slash", *name, "enter")
    await until(pilot, lambda: table.current is not None and table.current.name == name
                and not table.fetching)
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, DetailsScreen)
                and app.screen.details is not None)
    screen = app.screen
    assert isinstance(screen, DetailsScreen)
    return screen


async def test_return_restock_and_ship_from_stock(services: Any) -> None:
    delivered, processing, sku = _pair(services)
    app = OrderTUI(services)
    async with app.run_test(size=(100, 40)) as pilot:
        details = await _open(pilot, services, delivered.name)
        assert "accepts no returns" in widget_text(app)
        await pilot.press("R")
        await until(pilot, lambda: app.screen.__class__.__name__ == "ReturnDialog")
        assert "at your own address" in widget_text(app)
        assert "Karl-Liebknecht-Str. 5" in widget_text(app)
        app.screen.query_one("#qty-0").value = "5"  # more than was bought
        await pilot.press(*"wrong colour", "ctrl+s")
        await until(pilot, lambda: "bought 1" in str(app.screen.query_one("#error").content),
                    what="the quantity refused")
        assert services.returns.returns_for(delivered.id) == []
        app.screen.query_one("#qty-0").value = "1"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is details)
        ret = services.returns.returns_for(delivered.id)[0]
        assert ret.state is ReturnState.REQUESTED and ret.destination.value == "merchant"
        for state in ("received", "restocked"):
            await until(pilot, lambda: details.check_action("return_step", ()))
            await pilot.press("u")
            await until(pilot, lambda: app.screen.__class__.__name__ == "ReturnStepDialog")
            app.screen.query_one("#state").value = state
            if state == "restocked":
                app.screen.query_one("#condition").value = "as new"
            await pilot.press("ctrl+s")
            await until(pilot, lambda: app.screen is details)
        assert services.returns.returns_for(delivered.id)[0].state is ReturnState.RESTOCKED
        assert [s.sku for s in services.returns.stock()] == [sku]
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen))
        await pilot.press("K")
        await until(pilot, lambda: isinstance(app.screen, StockScreen))
        await until(pilot, lambda: app.screen.query_one("DataTable").row_count == 1)
        await pilot.press("escape", "escape")  # back, and clear the filter
        details2 = await _open(pilot, services, processing.name)
        assert details2.check_action("use_stock", ())
        await pilot.press("x")
        await until(pilot, lambda: app.screen.__class__.__name__ == "StockUseDialog")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is details2)
        assert services.returns.stock() == []
        assert [u.sku for u in services.returns.stock_uses(processing.id)] == [sku]


async def test_refund_is_bounded_and_the_net_is_shown(services: Any) -> None:
    delivered, _, _ = _pair(services)
    paid = services.returns.money(delivered.id).paid  # the shop's sale, for a linked order
    app = OrderTUI(services)
    async with app.run_test(size=(100, 40)) as pilot:
        details = await _open(pilot, services, delivered.name)
        await pilot.press("f")
        await until(pilot, lambda: app.screen.__class__.__name__ == "RefundDialog")
        assert app.screen.query_one("#amount").value == paid.plain()
        app.screen.query_one("#amount").value = str(paid.amount + 1)
        app.screen.query_one("#reason").value = "broken on arrival"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "can still be refunded" in str(
            app.screen.query_one("#error").content))
        assert services.returns.refunds(delivered.id) == []
        app.screen.query_one("#amount").value = "5.00"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is details and details.details is not None
                    and bool(details.details.returns.refunds))
        money = services.returns.money(delivered.id)
        assert money.refunded.plain() == "5.00"
        await until(pilot, lambda: f"net {money.net.display()}" in widget_text(app))


async def test_policy_screen_generates_from_the_suppliers(services: Any) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=(100, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen))
        await pilot.press("P")
        await until(pilot, lambda: isinstance(app.screen, PolicyScreen)
                    and "Karl-Liebknecht-Str. 5" in widget_text(app))
        english = widget_text(app)
        await pilot.press("l")
        await until(pilot, lambda: "Language de" in widget_text(app))
        assert widget_text(app) != english
        await pilot.press("escape", "U")
        await until(pilot, lambda: isinstance(app.screen, ReturnsScreen))


async def test_buyer_protection_view(services: Any) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen))
        table = app.screen.query_one(OrderTable)
        await pilot.press("8")
        await until(pilot, lambda: table.query_.protection_ends_within_days == 7
                    and not table.fetching and table.total is not None)
        expected = services.count(OrderQuery.for_view(View.PROTECTION))
        assert table.total == expected > 0
        assert len(table.buffer) == min(expected, len(table.buffer)) > 0
        for row in table.buffer:
            status = services.returns.protection(row.id)
            assert status.days_left is not None and status.days_left <= 7


async def test_a_suppliers_new_policy_regenerates_the_saved_policy(services: Any,
                                                                   tmp_path: Path) -> None:
    import json

    from ordertui.services.policy import PUBLISHED_FILE, generate_policy, record_published
    from support.tui import notifications

    saved = tmp_path / "policy.md"
    doc = generate_policy(services.config)
    saved.write_text(doc.text, encoding="utf-8")
    record_published(services.config.data_dir, doc, saved)
    assert "within 30 days" in saved.read_text(encoding="utf-8")
    services.config.suppliers["demo"].settings["policy"] = {"accepts_returns": True,
                                                            "return_window_days": 14}
    app = OrderTUI(services)
    async with app.run_test(size=(100, 40)) as pilot:
        await until(pilot, lambda: "was regenerated (returns within 14 days, was 30)"
                    in notifications(app), what="the notice")
        assert "within 14 days" in saved.read_text(encoding="utf-8")
        # saving from the policy screen is what the next change regenerates
        elsewhere = tmp_path / "policy-de.txt"
        await pilot.press("P")
        await until(pilot, lambda: isinstance(app.screen, PolicyScreen)
                    and "within 14 days" in widget_text(app))
        await pilot.press("w")
        await until(pilot, lambda: app.screen.__class__.__name__ == "SavePolicyDialog")
        await pilot.press("ctrl+u", *str(elsewhere), "enter")
        await until(pilot, lambda: elsewhere.exists(), what="the saved file")
    record = json.loads((services.config.data_dir / PUBLISHED_FILE).read_text())
    assert record["path"] == str(elsewhere.resolve()) and record["return_days"] == 14


async def test_nothing_is_saved_when_the_policy_cannot_be_generated(services: Any,
                                                                   tmp_path: Path) -> None:
    services.config.returns["window_days"] = "soon"
    target = tmp_path / "policy.md"
    app = OrderTUI(services)
    async with app.run_test(size=(100, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen))
        await pilot.press("P")
        await until(pilot, lambda: isinstance(app.screen, PolicyScreen)
                    and "returns.window_days" in widget_text(app))
        await pilot.press("w")  # no prompt for a path: there is nothing to save
        await until(pilot, lambda: "Nothing saved" in notifications(app), what="the notice")
        assert isinstance(app.screen, PolicyScreen)
    assert not target.exists()  # not an empty file under the policy's name
