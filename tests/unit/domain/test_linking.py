"""Linking a supplier order to the shop order it was placed for: by the shop's reference
when exactly one shop order has it, suggestions with their reasons otherwise (never a
silent guess), lines matched by the shop's line id, SKU, product or the only one left, and
the revenue of the matched lines with their share of the shipping, taxes left out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ordertui.domain import linking
from ordertui.domain.models import Address, Customer, LineItem, Order
from ordertui.domain.money import Money
from ordertui.domain.shop import (
    FinancialStatus,
    FulfillmentStatus,
    ShopLine,
    ShopOrder,
)
from ordertui.domain.states import OrderStatus

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ANNA = Customer(name="Anna Schröder", email="anna@example.de",
                address=Address("Hauptstraße 5", "", "Berlin", "", "10115", "DE"))


def usd(v: str, cur: str = "USD") -> Money:
    return Money(Decimal(v), cur)


def shop_order(n: int, lines: list[tuple[str, str, int, str]], *, shipping: str = "4.90",
               taxes: str = "0", taxes_included: bool = False, currency: str = "USD",
               customer: Customer = ANNA, created: datetime = T0, name: str = "") -> ShopOrder:
    shop_lines = [ShopLine(line_id=f"L{n}-{i}", title=title, quantity=qty,
                           unit_price=usd(price, currency),
                           total=usd(price, currency) * qty, sku=sku)
                  for i, (sku, title, qty, price) in enumerate(lines)]
    goods = sum((x.total.amount for x in shop_lines), Decimal(0))
    total = goods + Decimal(shipping) + (0 if taxes_included else Decimal(taxes))
    return ShopOrder(shop="main", shop_order_id=f"gid://shopify/Order/{n}",
                     name=name or f"#{n}", created_at=created, updated_at=created,
                     currency=currency, financial_status=FinancialStatus.PAID,
                     fulfillment_status=FulfillmentStatus.UNFULFILLED, lines=shop_lines,
                     shipping=usd(shipping, currency), taxes=usd(taxes, currency),
                     total=usd(str(total), currency), refunded=usd("0", currency),
                     customer=customer, taxes_included=taxes_included, id=n)


def supplier_order(name: str, items: list[LineItem], *, customer: Customer = ANNA,
                   created: datetime = T0 + timedelta(hours=5)) -> Order:
    cost = sum((i.total_cost.amount for i in items), Decimal(0))
    return Order(supplier="cj", supplier_order_id="CJ1", name=name, status=OrderStatus.PROCESSING,
                 created_at=created, updated_at=created, currency="USD", items=items,
                 customer=customer, total_price=usd("0"), total_cost=usd(str(cost)), id=7)


def item(sku: str, qty: int = 1, cost: str = "3.00", title: str = "Lamp",
         shop_line_id: str = "") -> LineItem:
    return LineItem(title=title, quantity=qty, unit_cost=usd(cost), unit_price=usd("0"),
                    sku=sku, shop_line_id=shop_line_id)


LAMP_AND_MUG = [("LAMP-01", "Desk lamp", 2, "25.00"), ("MUG-02", "Mug", 1, "9.50")]


def test_the_reference_links_only_when_one_shop_order_has_it() -> None:
    a = shop_order(1042, LAMP_AND_MUG)
    order = supplier_order("1042", [item("LAMP-01")])  # CJ writes it without "#"
    assert linking.reference(order, [a, shop_order(1043, LAMP_AND_MUG)]) is a
    twin = shop_order(2042, LAMP_AND_MUG, name="#1042")  # another shop's #1042
    assert linking.reference(order, [a, twin]) is None  # the merchant chooses
    assert linking.reference(supplier_order("", [item("LAMP-01")]), [a]) is None


def test_suggestions_say_why_and_never_include_a_refused_one() -> None:
    mine = shop_order(1, LAMP_AND_MUG)
    other_person = shop_order(2, LAMP_AND_MUG, customer=Customer(
        name="Ben Ott", email="", address=Address("Weg 1", "", "Köln", "", "50667", "DE")))
    order = supplier_order("", [item("LAMP-01", 2)], customer=Customer(
        name="ANNA SCHRODER", email="", address=Address("x", "", "Berlin", "", "10 115", "DE")))
    found = linking.suggest(order, [mine, other_person])
    # the same SKU on the same day is not enough: another person at another address
    assert [s.shop_order for s in found] == [1]
    assert found[0].reasons == ("the same customer", "the same postcode", "a SKU in common",
                                "placed the same day")
    assert found[0].score == 1.0
    assert linking.suggest(order, [mine, other_person], refused={1}) == []
    neighbour = shop_order(3, [("X", "Other", 1, "1.00")], customer=Customer(
        name="Anna Schröder", email="", address=Address("y", "", "Berlin", "", "10115", "DE")),
        created=T0 - timedelta(days=3))
    [maybe] = linking.suggest(order, [neighbour])  # the same person, another order of hers
    assert maybe.reasons == ("the same customer", "the same postcode",
                             "placed 3 days after it") and maybe.score == 0.75
    stranger = supplier_order("", [item("OTHER")], customer=Customer(
        name="Zoe", email="", address=Address("x", "", "y", "", "99999", "US")),
        created=T0 - timedelta(days=30))
    assert linking.suggest(stranger, [mine]) == []


def test_lines_match_by_shop_line_sku_product_or_the_only_one_left() -> None:
    s = shop_order(5, [("LAMP-01", "Desk lamp", 1, "25.00"), ("", "Gift card", 1, "5.00"),
                       ("MUG-02", "Mug", 1, "9.50")])
    items = [item("", title="Mug", shop_line_id="L5-2"),  # the shop's line id
             item("lamp-01 ", title="Other name"),  # the SKU, whatever its case
             item("", title="Gift card")]  # the product
    assert linking.match_lines(items, s) == {0: "L5-2", 1: "L5-0", 2: "L5-1"}
    one = shop_order(6, [("A", "Thing", 1, "5.00")])
    assert linking.match_lines([item("ZZZ", title="CJ variant 97028c03")], one) == {0: "L6-0"}
    # a line another supplier order of the same shop order fulfils is not taken twice
    assert linking.match_lines([item("LAMP-01")], s, taken=["L5-0"]) == {}


def test_revenue_is_the_lines_sold_with_their_share_of_shipping() -> None:
    s = shop_order(9, LAMP_AND_MUG, shipping="5.00")  # goods 59.50
    lamp = [item("LAMP-01", 2)]
    got = linking.revenue(lamp, s, {0: "L9-0"})
    assert got == usd("50.00") + usd(str(Decimal("5.00") * 50 / Decimal("59.50"))).quantized()
    both = linking.revenue([item("LAMP-01", 2), item("MUG-02")], s, {0: "L9-0", 1: "L9-1"})
    assert both == usd("64.50")  # everything: goods and the whole shipping
    # never more than the shop line's quantity
    assert linking.revenue([item("LAMP-01", 5)], s, {0: "L9-0"}) == got


def test_taxes_included_in_the_prices_are_left_out() -> None:
    de = shop_order(10, [("LAMP-01", "Desk lamp", 1, "119.00")], shipping="0", taxes="19.00",
                    taxes_included=True, currency="EUR")
    assert linking.revenue([item("LAMP-01")], de, {0: "L10-0"}) == usd("100.00", "EUR")
    assert linking.whole(de) == usd("100.00", "EUR")
    us = shop_order(11, [("LAMP-01", "Desk lamp", 1, "100.00")], shipping="0", taxes="8.00")
    assert linking.revenue([item("LAMP-01")], us, {0: "L11-0"}) == usd("100.00")
    assert linking.whole(us) == usd("100.00")  # total 108.00 less the added tax


def test_a_line_id_carried_as_the_shops_number_matches_its_gid() -> None:
    """CJ's storeLineItemId is Shopify's line number; the shop's line id is its gid."""
    shop = shop_order(50, [("", "Lamp", 1, "20.00"), ("", "Shade", 1, "9.00")])
    shop.lines[1].line_id = "gid://shopify/LineItem/13100000002392"
    items = [item("", title="CJ variant 97028c03", shop_line_id="13100000002392")]
    assert linking.match_lines(items, shop) == {0: "gid://shopify/LineItem/13100000002392"}
    unknown = [item("", title="Thing", shop_line_id="999"),
               item("", title="Other thing", shop_line_id="998")]
    assert linking.match_lines(unknown, shop) == {}  # another number matches nothing


def test_lines_without_a_name_from_the_supplier_take_the_shop_lines() -> None:
    shop = shop_order(51, [("LAMP-RED", "Desk lamp", 1, "20.00"),
                           ("SHADE-S", "Shade", 1, "9.00")])
    shop.lines[0].variant = "Red"
    items = [item("", title="CJ variant 97028c03"), item("OWN-SKU", title="Own name")]
    named = linking.named_items(items, shop, {0: shop.lines[0].line_id,
                                              1: shop.lines[1].line_id})
    assert [(i.title, i.variant, i.sku) for i in named] == [
        ("Desk lamp", "Red", "LAMP-RED"),  # the supplier gave no SKU: the shop line's names
        ("Own name", "", "OWN-SKU")]  # the supplier named it: its own names stay
    assert named[0].unit_cost == items[0].unit_cost  # only the names change
