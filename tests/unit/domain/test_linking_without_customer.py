"""Suggestions for a supplier order that does not say whom it ships to (AliExpress gives no
name or address by API): the shop orders with SKUs in common placed within days before it
are proposed, with those two reasons; one sign alone is not enough."""

from __future__ import annotations

from datetime import timedelta

from test_linking import LAMP_AND_MUG, T0, item, shop_order, supplier_order

from ordertui.domain import linking
from ordertui.domain.models import Customer


def test_a_supplier_order_without_its_customer_is_suggested_by_skus_and_time() -> None:
    nobody = Customer()
    mine = shop_order(1, LAMP_AND_MUG)
    other_goods = shop_order(2, [("SOCK-9", "Socks", 1, "4.00")])
    long_before = shop_order(3, LAMP_AND_MUG, created=T0 - timedelta(days=20))
    order = supplier_order("", [item("LAMP-01", 2)], customer=nobody)
    found = linking.suggest(order, [mine, other_goods, long_before])
    assert [s.shop_order for s in found] == [1]
    assert found[0].reasons == ("a SKU in common", "placed the same day")
    assert linking.suggest(order, [mine], refused={1}) == []
    # a supplier that names another person keeps the stricter rule
    stranger = supplier_order("", [item("LAMP-01", 2)], customer=Customer(name="Zoe"))
    assert linking.suggest(stranger, [mine]) == []
