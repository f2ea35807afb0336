"""The shop service (services/shops.py) on the demo supplier and the demo shop that comes
with it: supplier orders that carry their shop order's name are linked on sync; one that
names none is only suggested, with reasons, until the merchant links it by hand (or says
"none of these", which is remembered); a linked order's revenue is its lines' sale with
their share of the shipping, and its profit is the shop's sale less the supplier's cost
converted to the shop's currency at the config's rate, or unknown, with why, without one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ordertui.config import parse
from ordertui.domain import linking
from ordertui.domain.errors import ValidationError
from ordertui.domain.models import Address, Customer, LineItem, Order
from ordertui.domain.money import Money
from ordertui.domain.query import OrderQuery
from ordertui.domain.shop import LinkSource, ShopOrder, ShopQuery
from ordertui.domain.states import OrderStatus
from ordertui.services.core import Services
from support.demo import DEMO_ORDERS, Clock, demo_raw, make_services
from support.shop import money, shop_order

GRACE = Customer(name="Grace Hopper", email="grace@example.com",
                 address=Address("2 Navy Way", "", "Arlington", "VA", "22202", "US"))


def add_supplier_order(s: Services, ref: str, name: str, items: list[tuple[str, int, str]], *,
                       created: datetime, customer: Customer = GRACE,
                       currency: str = "USD") -> int:
    """A demo supplier order brought by hand (the supplier's cursor left where it was);
    ``items``: (sku, quantity, unit cost)."""
    lines = [LineItem(title=f"Product {sku}", quantity=q, unit_cost=money(cost, currency),
                      unit_price=Money.zero(currency), sku=sku) for sku, q, cost in items]
    cost = sum((x.total_cost.amount for x in lines), Decimal(0))
    order = Order(supplier="demo", supplier_order_id=ref, name=name,
                  status=OrderStatus.PROCESSING, created_at=created, updated_at=created,
                  currency=currency, items=lines, customer=customer,
                  total_price=Money.zero(currency), total_cost=Money(cost, currency))
    s.store.apply_sync_page("demo", [order], s.store.sync_cursor("demo"))
    return s.store.resolve(ref)


def add_shop_order(s: Services, order: ShopOrder) -> int:
    (local_id,) = s.store.apply_shop_page(order.shop, [order], None, keep_cursor=True)
    return local_id


def grace_order(n: int, clock: Clock, **kw: Any) -> ShopOrder:
    kw.setdefault("lines", (("LAMP", "Desk lamp", 2, "25.00"), ("MUG", "Mug", 1, "9.50")))
    kw.setdefault("shipping", "4.90")
    return shop_order(n, shop="demo", customer=GRACE, name=f"#G{n}",
                      created_at=clock.now - timedelta(days=2), **kw)


def test_orders_that_name_their_shop_order_are_linked_on_sync(services: Services) -> None:
    linked = services.store.shop_refs(range(1, DEMO_ORDERS + 1))
    assert len(linked) == DEMO_ORDERS
    for order_id in (1, 2, DEMO_ORDERS):
        order = services.order(order_id)
        link = services.store.link_of(order_id)
        assert link is not None and link.source is LinkSource.AUTO
        assert linked[order_id].name == order.name and linked[order_id].shop == "demo"
        assert link.lines  # its lines matched to the shop's
        said = [a for a in services.store.audit_for(order_id) if a.action == "linked"]
        assert [(a.actor, a.detail) for a in said] == [("ordertui", f"to {order.name} of demo")]
    # what no supplier order covers is what the shop orders list shows as unlinked
    unlinked = services.shops.shop_orders(ShopQuery(unlinked=True))
    assert unlinked and all(not services.store.links_of_shop_order(o.id or 0)
                            for o in unlinked)


def test_an_order_naming_nothing_is_only_suggested(services: Services, clock: Clock) -> None:
    target = add_shop_order(services, grace_order(901, clock))
    other = add_shop_order(services, grace_order(902, clock, lines=(("MUG", "Mug", 1,
                                                                      "9.50"),)))
    order_id = add_supplier_order(services, "HM-1", "#404", [("LAMP", 2, "8.00")],
                                  created=clock.now - timedelta(days=1))

    assert services.shops.link_pass([order_id]) == 0
    assert services.store.link_of(order_id) is None  # never guessed silently
    found = services.shops.suggestions(order_id)
    assert [x.shop_order for x in found] == [target, other]
    best = found[0]
    assert best.order_id == order_id and best.name == "#G901"
    assert best.reasons == ("the same customer", "the same postcode", "a SKU in common",
                            "placed 1 day after it")
    assert best.score == 1.0 and found[1].score < best.score
    assert "a SKU in common" not in found[1].reasons


def test_linked_by_hand_unlinked_and_refused(services: Services, clock: Clock) -> None:
    target = add_shop_order(services, grace_order(911, clock))
    other = add_shop_order(services, grace_order(912, clock))
    order_id = add_supplier_order(services, "HM-2", "", [("LAMP", 2, "8.00")],
                                  created=clock.now - timedelta(days=1))
    assert services.store.count_shop_orders(ShopQuery(waiting=True, shop="demo")) >= 2

    made = services.shops.link(order_id, "#G911")
    assert made.id == target
    link = services.store.link_of(order_id)
    assert link is not None and link.source is LinkSource.MANUAL
    assert link.lines == {0: "gid://shopify/LineItem/9110"}
    assert [(a.actor, a.detail) for a in services.store.audit_for(order_id)
            if a.action == "linked"] == [("merchant", "to #G911 of demo (confirmed by you)")]
    assert target not in {o.id for o in services.shops.shop_orders(ShopQuery(waiting=True))}
    assert services.store.order_money(order_id) is not None

    assert services.shops.unlink(order_id) and not services.shops.unlink(order_id)
    assert services.store.link_of(order_id) is None
    assert services.store.order_money(order_id) is None
    assert services.order(order_id).revenue is None
    assert [a.detail for a in services.store.audit_for(order_id)
            if a.action == "unlinked"] == ["from #G911"]
    assert target in {o.id for o in services.shops.shop_orders(ShopQuery(waiting=True))}

    # the pair just unlinked is not proposed again; "None of these" turns the others down
    assert [x.shop_order for x in services.shops.suggestions(order_id)] == [other]
    services.shops.refuse(order_id, other)
    assert services.shops.suggestions(order_id) == []
    assert services.store.refused_links(order_id) == {target, other}

    with pytest.raises(ValidationError, match="no shop order '#nothing'"):
        services.shops.link(order_id, "#nothing")
    assert services.store.link_of(order_id) is None


def test_revenue_is_the_lines_supplied_with_their_share_of_shipping(services: Services,
                                                                    clock: Clock) -> None:
    so = add_shop_order(services, grace_order(921, clock))
    lamp = add_supplier_order(services, "HM-3", "#G921", [("LAMP", 2, "8.00")],
                              created=clock.now - timedelta(days=1))
    mug = add_supplier_order(services, "HM-4", "#G921", [("MUG", 1, "2.50")],
                             created=clock.now - timedelta(days=1))
    assert services.shops.link_pass([lamp, mug]) == 2  # both name it: linked, each its line
    link_lamp, link_mug = services.store.link_of(lamp), services.store.link_of(mug)
    assert link_lamp is not None and link_lamp.lines == {0: "gid://shopify/LineItem/9210"}
    assert link_mug is not None and link_mug.lines == {0: "gid://shopify/LineItem/9211"}
    assert services.store.linked_order_ids([so]) == {so: [lamp, mug]}

    # goods 59.50, shipping 4.90: the lamps are 50.00 of it and take 50/59.5 of the shipping
    lamp_link, mug_link = services.shops.shop_link(lamp), services.shops.shop_link(mug)
    assert lamp_link is not None and mug_link is not None
    assert lamp_link.revenue == money("54.12")  # 50.00 + 4.1176…
    assert mug_link.revenue == money("10.28")  # 9.50 + 0.7823…
    shop = services.store.shop_order(so)
    assert shop is not None and lamp_link.revenue + mug_link.revenue == linking.whole(shop)
    assert lamp_link.cost == money("16.00") and lamp_link.rate == Decimal(1)
    assert services.order(lamp).profit == money("38.12")

    # one supplier order for the whole shop order: the whole sale, taxes left out
    whole = add_shop_order(services, grace_order(922, clock, taxes="3.10"))
    both = add_supplier_order(services, "HM-5", "#G922", [("LAMP", 2, "8.00"),
                                                          ("MUG", 1, "2.50")],
                              created=clock.now - timedelta(days=1))
    assert services.shops.link_pass([both]) == 1
    shop = services.store.shop_order(whole)
    assert shop is not None and shop.total == money("67.50")
    link = services.shops.shop_link(both)
    assert link is not None and link.revenue == money("64.40")


def test_profit_in_one_currency(services: Services) -> None:
    order_id = next(r.id for r in services.window(OrderQuery(
        statuses=(OrderStatus.DELIVERED,), descending=False), limit=50)
        if r.dispute_state is None and r.cancellation_state is None)
    order = services.order(order_id)
    link = services.shops.shop_link(order_id)
    assert link is not None and link.currency == "USD" and link.rate_note == "same currency"
    stored = services.store.link_of(order_id)
    shop = services.store.shop_order(stored.shop_order) if stored is not None else None
    assert stored is not None and shop is not None
    assert link.revenue == linking.revenue(order.items, shop, stored.lines)
    assert link.revenue != order.total_price or link.revenue == linking.whole(shop)
    assert order.sold == link.revenue and link.cost == order.total_cost
    assert order.profit == link.revenue - order.total_cost and order.profit_known

    services.returns.record_refund(order_id, "5.00", "scratched")
    services.returns.record_recovery(order_id, "2.00", "agreed by mail")
    m = services.returns.money(order_id)
    assert m.sale_price == link.revenue and m.paid == link.revenue
    assert m.net == link.revenue - order.total_cost - money("5.00") + money("2.00")


@pytest.fixture
async def euro_services(tmp_path: Path, clock: Clock) -> AsyncIterator[Services]:
    """The demo with a 0.925 USD→EUR rate in the config: a cost of $10.60 is €9.805, which
    is €9.80 rounded half-even (€9.81 half-up)."""
    raw = demo_raw() | {"exchange_rates": {"USD-EUR": 0.925}}
    s = make_services(parse(raw, tmp_path / "euro.toml", tmp_path / "euro-data"), clock)
    assert not (await s.sync()).errors
    yield s
    await s.aclose()


def euro_order(s: Services, clock: Clock, n: int) -> tuple[int, int]:
    so = add_shop_order(s, grace_order(n, clock, currency="EUR",
                                       lines=(("LAMP", "Desk lamp", 1, "20.00"),),
                                       shipping="3.00"))
    order_id = add_supplier_order(s, f"HM-{n}", f"#G{n}", [("LAMP", 1, "10.60")],
                                  created=clock.now - timedelta(days=1))
    assert s.shops.link_pass([order_id]) == 1
    return so, order_id


async def test_profit_in_two_currencies_at_the_configs_rate(euro_services: Services,
                                                            clock: Clock) -> None:
    _so, order_id = euro_order(euro_services, clock, 931)
    link = euro_services.shops.shop_link(order_id)
    assert link is not None
    assert link.currency == "EUR" and link.revenue == money("23.00", "EUR")
    assert link.cost == money("9.80", "EUR")  # 10.60 × 0.925 = 9.805, half-even
    assert link.rate == Decimal("0.925") and link.rate_note == "config"
    order = euro_services.order(order_id)
    assert order.total_cost == money("10.60") and order.profit_known
    assert order.profit == money("13.20", "EUR")
    row = next(r for r in euro_services.window(OrderQuery(), limit=DEMO_ORDERS + 10)
               if r.id == order_id)
    assert row.sale == money("23.00", "EUR") and row.profit == money("13.20", "EUR")
    m = euro_services.returns.money(order_id)
    assert m.supplier_cost == money("9.80", "EUR") and m.net == money("13.20", "EUR")
    assert euro_services.store.orders_without_rate() == []

    # refunds in the shop's euros, money back from the supplier in its dollars
    euro_services.returns.record_refund(order_id, "5.00", "scratched")
    euro_services.returns.record_recovery(order_id, "2.00", "agreed by mail")
    m = euro_services.returns.money(order_id)
    assert m.refunded == money("5.00", "EUR") and m.recovered == money("2.00")
    assert m.counted_recoveries == money("1.85", "EUR")  # at the order's own rate
    assert m.net == money("10.05", "EUR")  # 23.00 − 9.80 − 5.00 + 1.85
    assert m.refundable == money("18.00", "EUR")


async def test_without_a_rate_profit_is_unknown_with_the_reason(services: Services,
                                                                clock: Clock) -> None:
    _so, order_id = euro_order(services, clock, 941)
    link = services.shops.shop_link(order_id)
    assert link is not None and link.revenue == money("23.00", "EUR")
    assert link.cost is None and link.rate is None
    day = services.order(order_id).created_at.date().isoformat()
    assert link.rate_note.startswith(f"no USD→EUR rate for {day}")
    assert '[exchange_rates] "USD-EUR"' in link.rate_note
    order = services.order(order_id)
    assert not order.profit_known and order.sold == money("23.00", "EUR")
    m = services.returns.money(order_id)
    assert m.supplier_cost is None and m.profit is None and m.net is None
    assert [i for i, _ in services.store.orders_without_rate()] == [order_id]
    row = next(r for r in services.window(OrderQuery(), limit=DEMO_ORDERS + 10)
               if r.id == order_id)
    assert not row.profit_known
