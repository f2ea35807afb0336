"""The store's shop orders (store/shop_orders.py) on a real SQLite file: a sync's page is
kept with the shop's cursor in one transaction, "To order" lists what is paid, not sent and
not linked, oldest first; one shop order links to several supplier orders, a refused
suggestion is remembered, and a linked order's money (revenue and converted cost) drives
the table's total, cost and profit, or leaves the profit unknown without a rate."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from ordertui.domain.models import Order
from ordertui.domain.money import Money
from ordertui.domain.query import OrderQuery
from ordertui.domain.shop import FinancialStatus, FulfillmentStatus, LinkSource, ShopQuery
from ordertui.store import Store
from support.demo import OrderFactory
from support.shop import money, shop_order


def supplier_orders(store: Store, make_order: OrderFactory, *ns: int) -> list[int]:
    orders: list[Order] = [make_order(n) for n in ns]
    store.apply_sync_page("demo", orders, "sup-cursor")
    return [store.resolve(f"S{n}") for n in ns]


def test_a_page_and_its_cursor_are_kept_together(store: Store) -> None:
    ids = store.apply_shop_page("main", [shop_order(1), shop_order(2)], "after-2")
    assert store.shop_cursor("main") == "after-2"
    assert [o.name for o in map(store.shop_order, ids) if o is not None] == ["#1", "#2"]

    # the same order again is an update of its row, not a second one
    paid_later = shop_order(1, fulfillment=FulfillmentStatus.FULFILLED)
    again = store.apply_shop_page("main", [paid_later], "after-3")
    assert again == ids[:1] and store.count_shop_orders(ShopQuery()) == 2
    stored = store.shop_order(ids[0])
    assert stored is not None and stored.fulfillment_status is FulfillmentStatus.FULFILLED
    assert store.shop_cursor("main") == "after-3"

    # an order read on its own leaves the sync's place where it was
    store.apply_shop_page("main", [shop_order(3)], None, keep_cursor=True)
    assert store.shop_cursor("main") == "after-3"

    # a page that cannot be stored whole is not stored at all, and the cursor stays
    with pytest.raises(ValueError, match="'other'"):
        store.apply_shop_page("main", [shop_order(4), shop_order(5, shop="other")], "after-5")
    assert store.shop_order_ref("main", "gid://shopify/Order/4") is None
    assert store.shop_cursor("main") == "after-3"
    assert store.shop_cursor("other") is None


def test_to_order_is_paid_unsent_and_unlinked_oldest_first(store: Store,
                                                          make_order: OrderFactory) -> None:
    base = datetime(2026, 11, 1, tzinfo=UTC)
    page = [
        shop_order(10, created_at=base + timedelta(days=3)),  # waiting, newer
        shop_order(11, created_at=base + timedelta(days=1)),  # waiting, oldest
        shop_order(12, created_at=base, financial=FinancialStatus.PENDING),  # not paid
        shop_order(13, created_at=base, fulfillment=FulfillmentStatus.FULFILLED),  # sent
        shop_order(14, created_at=base, cancelled_at=base),  # cancelled
        shop_order(15, created_at=base + timedelta(days=2),
                   financial=FinancialStatus.PARTIALLY_REFUNDED,
                   fulfillment=FulfillmentStatus.PARTIALLY_FULFILLED),  # still waits
        shop_order(16, created_at=base + timedelta(days=2, hours=1)),  # linked below
        shop_order(17, shop="second", created_at=base + timedelta(days=4)),
    ]
    store.apply_shop_page("main", page[:-1], "c")
    store.apply_shop_page("second", page[-1:], "c")
    (order_id,) = supplier_orders(store, make_order, 1)
    linked = store.shop_order_ref("main", "gid://shopify/Order/16")
    assert linked is not None
    store.link(order_id, linked, LinkSource.AUTO, {})

    waiting = ShopQuery(waiting=True)
    assert [o.name for o in store.shop_orders(waiting)] == ["#11", "#15", "#10", "#17"]
    assert store.count_shop_orders(waiting) == 4
    assert [o.name for o in store.shop_orders(ShopQuery(shop="main", waiting=True))] == \
        ["#11", "#15", "#10"]
    unlinked = store.shop_orders(ShopQuery(unlinked=True))
    assert {o.name for o in unlinked} == {f"#{n}" for n in range(10, 18)} - {"#16"}
    assert [o.name for o in store.shop_orders(ShopQuery(shop="second"))] == ["#17"]
    everything = store.shop_orders(ShopQuery())
    assert [o.created_at for o in everything] == sorted((o.created_at for o in everything),
                                                        reverse=True)
    assert store.count_shop_orders(ShopQuery()) == 8


def test_one_shop_order_links_several_supplier_orders(store: Store,
                                                      make_order: OrderFactory) -> None:
    (so,) = store.apply_shop_page("main", [shop_order(
        20, lines=(("LAMP", "Lamp", 1, "25.00"), ("MUG", "Mug", 2, "9.50")))], "c")
    a, b, c = supplier_orders(store, make_order, 1, 2, 3)
    store.link(a, so, LinkSource.AUTO, {0: "gid://shopify/LineItem/200"})
    store.link(b, so, LinkSource.MANUAL, {0: "gid://shopify/LineItem/201"})

    assert [x.order_id for x in store.links_of_shop_order(so)] == [a, b]
    link = store.link_of(b)
    assert link is not None and link.source is LinkSource.MANUAL
    assert link.lines == {0: "gid://shopify/LineItem/201"}
    assert store.linked_order_ids([so]) == {so: [a, b]}
    refs = store.shop_refs([a, b, c])
    assert set(refs) == {a, b} and refs[a].name == "#20"
    assert refs[a].shop_order_id == "gid://shopify/Order/20"
    assert store.unlinked_order_ids() == [c]
    assert store.count_shop_orders(ShopQuery(unlinked=True)) == 0

    assert store.unlink(a) and not store.unlink(a)
    assert store.link_of(a) is None and store.linked_order_ids([so]) == {so: [b]}
    assert store.unlinked_order_ids() == [a, c]


def test_a_refused_suggestion_is_remembered(store: Store, store_target: str | Path,
                                           make_order: OrderFactory) -> None:
    first, second = store.apply_shop_page("main", [shop_order(30), shop_order(31)], "c")
    (order_id,) = supplier_orders(store, make_order, 1)
    assert store.refused_links(order_id) == set()
    store.refuse_link(order_id, first)
    store.refuse_link(order_id, first)  # said twice, kept once
    assert store.refused_links(order_id) == {first}
    store.refuse_link(order_id, second)
    assert store.refused_links(order_id) == {first, second}
    store.close()
    again = Store(store_target)  # a new session reads the same refusals
    try:
        assert again.refused_links(order_id) == {first, second}
    finally:
        again.close()


def test_a_linked_orders_money_is_the_shops(store: Store, make_order: OrderFactory) -> None:
    (so,) = store.apply_shop_page("main", [shop_order(40, currency="EUR")], "c")
    priced, no_rate, plain = supplier_orders(store, make_order, 1, 2, 3)
    for order_id in (priced, no_rate):
        store.link(order_id, so, LinkSource.AUTO, {})
    assert store.order_money(priced) is None and store.order_money(plain) is None

    store.set_order_money(priced, money("30.00", "EUR"), money("9.20", "EUR"))
    store.set_order_money(no_rate, money("30.00", "EUR"), None)
    assert store.order_money(priced) == (money("30.00", "EUR"), money("9.20", "EUR"))
    assert store.order_money(no_rate) == (money("30.00", "EUR"), None)
    with pytest.raises(ValueError, match="converted"):
        store.set_order_money(priced, money("30.00", "EUR"), money("10.00", "USD"))

    # the table's amounts: the shop's sale and the converted cost, or an unknown profit
    rows = {r.id: r for r in store.window(OrderQuery(), limit=10)}
    assert rows[priced].sale == money("30.00", "EUR")
    assert rows[priced].cost == money("9.20", "EUR")
    assert rows[priced].profit == money("20.80", "EUR") and rows[priced].profit_known
    assert rows[no_rate].sale == money("30.00", "EUR") and not rows[no_rate].profit_known
    assert rows[plain].sale == money("25.00", "USD") and rows[plain].profit_known

    # the orders still waiting for a rate, with the day whose rate they need
    created = store.get_order(no_rate).created_at
    assert store.orders_without_rate() == [(no_rate, created.date())]
    assert isinstance(store.orders_without_rate()[0][1], date)

    # unlinked, the order's money is the supplier's again
    assert store.unlink(no_rate)
    assert store.order_money(no_rate) is None and store.orders_without_rate() == []
    order = store.get_order(no_rate)
    assert order.revenue is None and order.sale == Money.zero("USD") + order.total_price
