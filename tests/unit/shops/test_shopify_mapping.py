"""Shopify's values as the domain's, without the network: carriers, statuses, times, money,
the cost bucket and the sync cursor."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from ordertui.domain.money import Money
from ordertui.domain.shop import FinancialStatus, FulfillmentStatus
from ordertui.shops.shopify.adapter import idempotency_key, refundable_payments, store_name
from ordertui.shops.shopify.client import Bucket, error_codes, operation_name, user_errors
from ordertui.shops.shopify.mapping import (
    admin_url,
    money,
    parse_time,
    shop_order,
    shopify_company,
    tracking_input,
)
from ordertui.shops.shopify.sync import SyncCursor
from support.shopify_stub import order_node


@pytest.mark.parametrize(("supplier", "shopify"), [
    ("4PX", "4PX"), ("4px Express", "4PX"), ("YunExpress", "YunExpress"),
    ("Yun Express", "YunExpress"), ("China Post", "China Post"), ("ePacket", "China Post"),
    ("DHL", "DHL Express"), ("DHL Express", "DHL Express"), ("usps", "USPS"), ("UPS", "UPS"),
    ("FedEx", "FedEx"), ("Cainiao", "Cainiao"), ("AliExpress Standard Shipping", "Cainiao"),
    ("Yanwen", "YANWEN"), ("Royal Mail", "Royal Mail"), ("DHL eCommerce Asia",
                                                         "DHL eCommerce Asia"),
])
def test_carriers_shopify_knows(supplier: str, shopify: str) -> None:
    assert shopify_company(supplier) == shopify
    assert tracking_input(supplier, "N1", "https://x.example/N1") == {"company": shopify,
                                                                       "number": "N1"}


def test_other_carriers_go_with_their_own_name_and_url() -> None:
    assert shopify_company("CJPacket Sensitive") is None
    assert tracking_input("CJPacket Sensitive", "N1", "https://cj.example/N1") == {
        "company": "CJPacket Sensitive", "number": "N1", "url": "https://cj.example/N1"}
    assert tracking_input("", "N1", "") == {"number": "N1"}
    assert tracking_input("Local", "N1", "javascript:alert(1)") == {"company": "Local",
                                                                     "number": "N1"}


def test_statuses_and_times() -> None:
    node = order_node(1, status="PENDING_FULFILLMENT", financial="AUTHORIZED")
    order = shop_order("main", "my-shop", node)
    assert order.fulfillment_status is FulfillmentStatus.UNFULFILLED
    assert order.financial_status is FinancialStatus.AUTHORIZED
    node = order_node(1, status="SOMETHING_NEW", financial="ALSO_NEW")
    order = shop_order("main", "my-shop", node)
    assert order.fulfillment_status is FulfillmentStatus.UNKNOWN
    assert order.financial_status is FinancialStatus.UNKNOWN
    assert parse_time("2026-12-01T10:00:00Z") == datetime(2026, 12, 1, 10, tzinfo=UTC)
    assert parse_time("2026-12-01T11:00:00+01:00") == datetime(2026, 12, 1, 10, tzinfo=UTC)
    assert parse_time("yesterday") is None and parse_time(None) is None


def test_money_and_urls() -> None:
    assert money({"shopMoney": {"amount": "12.50", "currencyCode": "EUR"}}, "USD") == \
        Money(Decimal("12.50"), "EUR")
    assert money(None, "USD") == Money.zero("USD")
    assert money({"shopMoney": {"amount": "NaN"}}, "USD") == Money.zero("USD")
    assert admin_url("my-shop", "450789469") == \
        "https://my-shop.myshopify.com/admin/orders/450789469"
    assert store_name("My-Shop.myshopify.com") == "my-shop"
    assert store_name("https://my-shop.myshopify.com") is None
    assert store_name(3) is None


def test_an_order_without_optional_parts() -> None:
    node = order_node(2)
    for key in ("shippingAddress", "customer", "currentTotalDiscountsSet", "refunds",
                "fulfillments", "lineItems"):
        node[key] = None
    order = shop_order("main", "my-shop", node)
    assert order.lines == [] and order.discounts is None
    assert order.customer.name == "" and order.fulfillments == []


def test_the_bucket_refills_at_its_rate() -> None:
    bucket = Bucket()
    assert bucket.wait_for(500, now=0) == 0  # nothing known: no wait
    bucket.update({"maximumAvailable": 1000, "currentlyAvailable": 100,
                   "restoreRate": 50}, now=10)
    assert bucket.holds(12) == 200
    assert bucket.wait_for(300, now=12) == pytest.approx(2.0)
    assert bucket.holds(1000) == 1000  # never above its size
    assert bucket.wait_for(5000, now=12) == pytest.approx(16.0)  # at most a full bucket
    bucket.spend(200, now=12)
    assert bucket.holds(12) == 0


def test_error_helpers() -> None:
    assert operation_name("query OrdersPage($first: Int!) { x }") == "OrdersPage"
    assert error_codes([{"message": "Throttled"}]) == {"THROTTLED"}
    assert error_codes([{"message": "x", "extensions": {"code": "ACCESS_DENIED"}}]) == \
        {"ACCESS_DENIED"}
    assert user_errors([{"field": ["input", "amount"], "message": "too\nmuch"},
                        {"field": None, "message": "no"}]) == "input.amount: too much; no"


def test_refundable_payments() -> None:
    def tx(i: int, kind: str, amount: str, parent: int | None = None,
           status: str = "SUCCESS") -> dict[str, object]:
        return {"id": f"t{i}", "kind": kind, "status": status, "gateway": "g",
                "amountSet": {"shopMoney": {"amount": amount, "currencyCode": "USD"}},
                "parentTransaction": {"id": f"t{parent}"} if parent else None}
    payments = refundable_payments([tx(1, "SALE", "10.00"), tx(2, "SALE", "30.00"),
                                    tx(3, "REFUND", "25.00", 2), tx(4, "SALE", "5", None,
                                                                   "FAILURE"),
                                    tx(5, "AUTHORIZATION", "99")], "USD")
    assert [(t["id"], left) for t, left in payments] == [("t1", Decimal("10.00")),
                                                          ("t2", Decimal("5.00"))]


def test_the_idempotency_key_is_stable_per_action() -> None:
    assert idempotency_key("main", "shop-refund:1") == idempotency_key("main", "shop-refund:1")
    assert idempotency_key("main", "shop-refund:1") != idempotency_key("main", "shop-refund:2")


def test_the_cursor_round_trips() -> None:
    cursor = SyncCursor(since="2026-12-01T12:00:00Z", skip=["gid://shopify/Order/3"],
                        after="abc")
    assert SyncCursor.decode(cursor.encode()) == cursor
    assert SyncCursor().encode() == "{}"
