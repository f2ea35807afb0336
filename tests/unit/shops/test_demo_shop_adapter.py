"""The demo shop adapter (shops/demo.py) over the demo supplier's data directory: it lists
every shop order and then only what changed, reads one, and writes fulfillments, tracking
and refunds exactly once per key, which ``was_applied`` then confirms."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ordertui.adapters import AdapterContext, Applied
from ordertui.domain.errors import SupplierNotFound, SupplierRejected, SupplierUnavailable
from ordertui.domain.money import Money
from ordertui.domain.shop import (
    FinancialStatus,
    FulfillmentStatus,
    ShopCapability,
    ShopOrder,
)
from ordertui.services.core import Services
from ordertui.shops.base import ShopAction, TrackingPush
from ordertui.shops.demo import DemoShop
from ordertui.shops.registry import adapter_class
from ordertui.simulators.demo.shop_orders import waiting_count
from support.demo import DEMO_ORDERS, Clock


def make_shop(services: Services, clock: Clock, **settings: object) -> DemoShop:
    table = {**services.config.shops["demo"].settings, **settings}
    context = AdapterContext(directory=services.data_dir / "shops" / "demo", clock=clock)
    return DemoShop("demo", table, context)


@pytest.fixture
def shop(services: Services, clock: Clock) -> DemoShop:
    return make_shop(services, clock)


async def everything(shop: DemoShop, cursor: str | None = None, page: int = 64
                     ) -> tuple[list[ShopOrder], str]:
    orders: list[ShopOrder] = []
    while True:
        result = await shop.list_orders(cursor, page_size=page)
        orders += result.orders
        assert result.cursor is not None
        cursor = result.cursor
        if not result.more:
            return orders, cursor


async def waiting_order(shop: DemoShop) -> ShopOrder:
    orders, _ = await everything(shop)
    return next(o for o in orders if o.waiting and len(o.lines) > 1)


def test_the_demo_supplier_comes_with_this_shop(services: Services) -> None:
    table = services.config.shops["demo"]
    assert services.config.implicit_demo_shop and table.settings["supplier"] == "demo"
    cls = adapter_class(table.kind)
    assert cls is DemoShop and cls.is_demo
    assert cls.capabilities == frozenset(ShopCapability)
    assert cls.validate_settings(table.settings) == []
    assert [k for k, _ in cls.validate_settings({"supplier": 3})] == ["supplier"]


async def test_lists_every_order_then_only_what_changed(shop: DemoShop, clock: Clock) -> None:
    orders, cursor = await everything(shop)
    assert len(orders) == DEMO_ORDERS + waiting_count(DEMO_ORDERS)
    assert [o.name for o in orders] == [f"#{1001 + i}" for i in range(len(orders))]
    assert sum(o.waiting for o in orders) > waiting_count(DEMO_ORDERS)
    assert all(o.shop == "demo" and o.currency == "USD" for o in orders)
    assert (await everything(shop, cursor))[0] == []  # nothing changed since

    target = next(o for o in orders if o.waiting)
    clock.advance(30)
    await shop.create_fulfillment(target, [(target.lines[0].line_id, 1)],
                                  TrackingPush("YunExpress", "YT1"), "k-1")
    changed, cursor2 = await everything(shop, cursor)
    assert [o.shop_order_id for o in changed] == [target.shop_order_id]
    assert changed[0].updated_at == clock.now and changed[0].fulfillments
    assert (await everything(shop, cursor2))[0] == []


async def test_reads_an_order_as_the_shop_keeps_it(shop: DemoShop) -> None:
    orders, _ = await everything(shop)
    refunded = next(o for o in orders if o.financial_status is FinancialStatus.REFUNDED)
    assert refunded.refunded == refunded.total and refunded.refunds
    fulfilled = next(o for o in orders if o.fulfillment_status is FulfillmentStatus.FULFILLED)
    assert fulfilled.fulfillments[0].number and not fulfilled.waiting
    assert {q for _, q in fulfilled.fulfillments[0].lines} <= {x.quantity
                                                               for x in fulfilled.lines}
    one = orders[17]
    again = await shop.get_order(one.shop_order_id)
    assert again == one
    assert one.total.amount == sum((x.total.amount for x in one.lines), Decimal(0)) + (
        one.shipping.amount + (0 if one.customer.address.country != "US" else
                               one.taxes.amount))
    with pytest.raises(SupplierNotFound):
        await shop.get_order("gid://shopify/Order/1")


async def test_a_fulfillment_is_made_once_and_was_applied_says_so(shop: DemoShop) -> None:
    order = await waiting_order(shop)
    lines = [(x.line_id, x.quantity) for x in order.lines]
    action = ShopAction("fulfill", "ot-fulfil-1", order.shop_order_id, {})
    assert await shop.was_applied(action, order) is Applied.NO
    made = await shop.create_fulfillment(order, lines, TrackingPush("4PX", "4PX77"), action.key)
    again = await shop.create_fulfillment(order, lines, TrackingPush("4PX", "4PX77"),
                                          action.key)
    assert again == made and made.lines == tuple(lines)
    assert made.url == "https://track.4px.com/#/result/0/4PX77"
    assert await shop.was_applied(action, order) is Applied.YES
    fresh = await shop.get_order(order.shop_order_id)
    assert fresh.fulfillment_status is FulfillmentStatus.FULFILLED and not fresh.waiting
    assert shop.office.counts()[shop.office.index_of(order.shop_order_id)]["fulfillment"] == 1
    with pytest.raises(SupplierRejected, match="left to fulfill"):
        await shop.create_fulfillment(order, lines[:1], TrackingPush("4PX", "4PX78"), "k-2")
    with pytest.raises(SupplierRejected, match="no line"):
        await shop.create_fulfillment(order, [("gid://shopify/LineItem/9", 1)],
                                      TrackingPush("4PX", "4PX79"), "k-3")

    update = ShopAction("update_tracking", "ot-track-1", order.shop_order_id, {})
    moved = await shop.update_tracking(fresh, made.fulfillment_id,
                                       TrackingPush("Cainiao", "LP0042", "https://x.test/1"),
                                       update.key)
    assert (moved.company, moved.number, moved.url) == ("Cainiao", "LP0042", "https://x.test/1")
    await shop.update_tracking(fresh, made.fulfillment_id, TrackingPush("Cainiao", "LP0042",
                               "https://x.test/1"), update.key)
    assert await shop.was_applied(update, fresh) is Applied.YES
    counts = shop.office.counts()[shop.office.index_of(order.shop_order_id)]
    assert counts == {"fulfillment": 1, "tracking_update": 1, "refund": 0}


async def test_a_refund_is_made_once_and_never_beyond_what_was_paid(shop: DemoShop) -> None:
    order = await waiting_order(shop)
    action = ShopAction("refund", "ot-refund-1", order.shop_order_id, {})
    five = Money(Decimal("5.00"), "USD")
    refund = await shop.create_refund(order, five, "damaged box", action.key)
    assert await shop.create_refund(order, five, "damaged box", action.key) == refund
    assert await shop.was_applied(action, order) is Applied.YES
    fresh = await shop.get_order(order.shop_order_id)
    assert fresh.refunded == five and fresh.refunds == [refund]
    assert fresh.financial_status is FinancialStatus.PARTIALLY_REFUNDED
    with pytest.raises(SupplierRejected, match="can be refunded"):
        await shop.create_refund(order, order.total, "all of it", "ot-refund-2")
    with pytest.raises(SupplierRejected, match="USD"):
        await shop.create_refund(order, Money(Decimal("1"), "EUR"), "euros", "ot-refund-3")
    other = ShopAction("refund", "ot-refund-2", order.shop_order_id, {})
    assert await shop.was_applied(other, order) is Applied.NO


async def test_the_shop_waits_for_its_supplier(tmp_path: Path, clock: Clock) -> None:
    context = AdapterContext(directory=tmp_path / "data" / "shops" / "demo", clock=clock)
    shop = DemoShop("demo", {"kind": "demo", "supplier": "demo"}, context)
    with pytest.raises(SupplierUnavailable, match="sync it first"):
        await shop.list_orders(None)
