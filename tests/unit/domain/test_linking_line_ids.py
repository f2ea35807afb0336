"""A supplier line meets the shop line whose id it carries, in the shop's form
("gid://shopify/LineItem/…") or as the number alone, as CJ's ``storeLineItemId`` gives it."""

from __future__ import annotations

from test_linking import LAMP_AND_MUG, item, shop_order

from ordertui.domain import linking


def test_a_shop_line_id_matches_in_either_form() -> None:
    s = shop_order(9, LAMP_AND_MUG)
    s.lines[0].line_id = "gid://shopify/LineItem/13100000000072"
    s.lines[1].line_id = "gid://shopify/LineItem/13100000000073"
    items = [item("", title="CJ variant 1", shop_line_id="13100000000073"),
             item("", title="CJ variant 2", shop_line_id="gid://shopify/LineItem/13100000000072")]
    assert linking.match_lines(items, s) == {0: "gid://shopify/LineItem/13100000000073",
                                             1: "gid://shopify/LineItem/13100000000072"}
    # a line another supplier order has is not matched twice
    taken = "gid://shopify/LineItem/13100000000073"
    assert taken not in linking.match_lines(items[:1], s, taken=[taken]).values()
