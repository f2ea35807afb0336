"""The Shopify adapter over real loopback HTTP against a stub of the Admin API: orders read
and mapped, pages and the incremental cursor, pacing by the cost bucket and THROTTLED, the
bulk import, fulfillments, tracking, refunds, what ``was_applied`` reads, and the token kept
out of every error and log line."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ordertui.adapters import AdapterContext, Applied
from ordertui.domain.errors import (
    ConfigError,
    SupplierAmbiguous,
    SupplierAuthError,
    SupplierRejected,
)
from ordertui.domain.money import Money
from ordertui.domain.shop import FinancialStatus, FulfillmentStatus, ShopOrder
from ordertui.http import RetryPolicy
from ordertui.shops.base import ShopAction, TrackingPush
from ordertui.shops.registry import adapter_class
from ordertui.shops.shopify import ShopifyAdapter
from ordertui.shops.shopify.adapter import idempotency_key, marker
from ordertui.shops.shopify.sync import SyncCursor
from support.shopify_stub import (
    TOKEN,
    ShopifyStub,
    bag,
    fulfillment_node,
    line_node,
    ok,
    order_node,
    page,
    running,
    throttled,
)


@dataclass
class FakeTime:
    """The client's clock and sleep: a wait moves the clock and is remembered, at once."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def stub() -> Iterator[ShopifyStub]:
    with running() as s:
        yield s


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def make(stub: ShopifyStub, tmp_path: Path, fake_time: FakeTime, **settings: Any
         ) -> ShopifyAdapter:
    context = AdapterContext(directory=tmp_path / "shops" / "main",
                             clock=lambda: datetime(2026, 12, 6, tzinfo=UTC))
    context.directory.mkdir(parents=True, exist_ok=True)
    config = {"kind": "shopify", "store": "my-shop", "access_token_env": "SHOPIFY_TOKEN",
              "base_url": stub.url, **settings}
    adapter = ShopifyAdapter("main", config, context)
    adapter.client.sleep = fake_time.sleep
    adapter.client.monotonic = fake_time.monotonic
    adapter.client.http.policy = RetryPolicy(attempts=3, base_s=0.001, cap_s=0.002)
    return adapter


@pytest.fixture
async def shopify(stub: ShopifyStub, tmp_path: Path, fake_time: FakeTime,
                  monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[ShopifyAdapter]:
    monkeypatch.setenv("SHOPIFY_TOKEN", TOKEN)
    adapter = make(stub, tmp_path, fake_time)
    yield adapter
    await adapter.aclose()


def test_registered_as_shopify() -> None:
    assert adapter_class("shopify") is ShopifyAdapter


# --- reading ----------------------------------------------------------------------------------


async def test_an_order_is_mapped(shopify: ShopifyAdapter, stub: ShopifyStub) -> None:
    node = order_node(7, lines=[line_node(71, price="19.99", quantity=2),
                                line_node(72, price="0.99", quantity=1, title="Sticker")],
                      fulfillments=[fulfillment_node(5, "YT123", [("gid://shopify/LineItem/71",
                                                                     2)])],
                      refunds=[{"id": "gid://shopify/Refund/9", "createdAt":
                                "2026-12-03T10:00:00Z", "note": "scratched",
                                "totalRefundedSet": bag("5.00")}],
                      status="PARTIALLY_FULFILLED", financial="PARTIALLY_REFUNDED")
    node["taxesIncluded"] = True
    node["totalRefundedSet"] = bag("5.00")
    stub.on("Order", ok({"order": node}))
    order = await shopify.get_order("gid://shopify/Order/7")
    assert order.shop == "main" and order.name == "#1007"
    assert order.shop_order_id == "gid://shopify/Order/7"
    assert order.url == "https://my-shop.myshopify.com/admin/orders/7"
    assert order.currency == "USD"
    assert order.financial_status is FinancialStatus.PARTIALLY_REFUNDED
    assert order.fulfillment_status is FulfillmentStatus.PARTIALLY_FULFILLED
    assert [(x.line_id, x.quantity, x.unit_price.amount, x.total.amount) for x in order.lines] \
        == [("gid://shopify/LineItem/71", 2, Decimal("19.99"), Decimal("39.98")),
            ("gid://shopify/LineItem/72", 1, Decimal("0.99"), Decimal("0.99"))]
    assert order.shipping == Money(Decimal("4.99"), "USD")
    assert order.taxes == Money(Decimal("1.00"), "USD") and order.taxes_included
    assert order.total.amount == Decimal("45.97")
    assert order.refunded.amount == Decimal("5.00")
    assert order.discounts == Money(Decimal("2.00"), "USD")
    assert order.customer.name == "Ada Lovelace" and order.customer.address.zip == "N1 9GU"
    assert order.customer.address.country == "GB"
    assert order.created_at == datetime(2026, 11, 30, 8, tzinfo=UTC)
    assert order.updated_at == datetime(2026, 12, 1, 10, tzinfo=UTC)
    [f] = order.fulfillments
    assert (f.fulfillment_id, f.status, f.company, f.number) == (
        "gid://shopify/Fulfillment/5", "success", "YunExpress", "YT123")
    assert f.lines == (("gid://shopify/LineItem/71", 2),)
    [r] = order.refunds
    assert (r.refund_id, r.amount.amount, r.note) == ("gid://shopify/Refund/9",
                                                      Decimal("5.00"), "scratched")
    headers = stub.sent("Order")[0].headers
    assert headers["X-Shopify-Access-Token"] == TOKEN
    assert stub.sent("Order")[0].variables == {"id": "gid://shopify/Order/7"}


async def test_an_order_with_many_lines_is_read_whole(shopify: ShopifyAdapter,
                                                      stub: ShopifyStub) -> None:
    stub.on("Order", ok({"order": order_node(8, lines=[line_node(1)], more_lines=True)}))
    stub.on("OrderLines", ok({"order": {"id": "gid://shopify/Order/8", "lineItems": {
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "nodes": [line_node(2), line_node(3)]}}}))
    order = await shopify.get_order("gid://shopify/Order/8")
    assert [x.line_id.rsplit("/", 1)[1] for x in order.lines] == ["1", "2", "3"]
    assert stub.sent("OrderLines")[0].variables["after"] == "lines-1"


async def test_a_missing_order_is_not_found(shopify: ShopifyAdapter, stub: ShopifyStub) -> None:
    from ordertui.domain.errors import SupplierNotFound
    stub.on("Order", ok({"order": None}))
    with pytest.raises(SupplierNotFound):
        await shopify.get_order("gid://shopify/Order/404")


async def test_pages_then_an_incremental_pass(shopify: ShopifyAdapter,
                                              stub: ShopifyStub) -> None:
    stub.on("OrdersCount", ok({"ordersCount": {"count": 3, "precision": "EXACT"}}))
    stub.on("OrdersPage",
            page([order_node(1, updated="2026-12-01T10:00:00Z"),
                  order_node(2, updated="2026-12-01T11:00:00Z")], more=True, end="c2"),
            page([order_node(3, updated="2026-12-01T12:00:00Z")]))
    first = await shopify.list_orders(None, page_size=50)
    assert [o.name for o in first.orders] == ["#1001", "#1002"]
    assert first.more and first.total == 3
    assert stub.sent("OrdersPage")[0].variables == {"first": 8, "after": None, "query": None}
    second = await shopify.list_orders(first.cursor, page_size=50)
    assert [o.name for o in second.orders] == ["#1003"] and not second.more
    assert stub.sent("OrdersPage")[1].variables["after"] == "c2"
    assert second.cursor is not None
    state = SyncCursor.decode(second.cursor)
    assert (state.since, state.skip, state.after) == ("2026-12-01T12:00:00Z",
                                                      ["gid://shopify/Order/3"], None)

    # the next pass asks from the last change; #1003 unchanged at the boundary is skipped,
    # #1004 changed in the same second and #1001 changed later are not
    stub.on("OrdersPage", page([order_node(3, updated="2026-12-01T12:00:00Z"),
                                order_node(4, updated="2026-12-01T12:00:00Z"),
                                order_node(1, updated="2026-12-02T08:00:00Z")]))
    stub.answers["OrdersPage"] = stub.answers["OrdersPage"][-1:]
    third = await shopify.list_orders(second.cursor)
    assert stub.sent("OrdersPage")[2].variables["query"] == "updated_at:>='2026-12-01T12:00:00Z'"
    assert [o.name for o in third.orders] == ["#1004", "#1001"] and not third.more
    assert third.cursor is not None
    assert SyncCursor.decode(third.cursor).since == "2026-12-02T08:00:00Z"
    assert len(stub.sent("OrdersCount")) == 1  # counted on the first import only


async def test_a_pass_with_nothing_new_keeps_its_place(shopify: ShopifyAdapter,
                                                       stub: ShopifyStub) -> None:
    cursor = SyncCursor(since="2026-12-01T12:00:00Z", skip=["gid://shopify/Order/3"]).encode()
    stub.on("OrdersPage", page([order_node(3, updated="2026-12-01T12:00:00Z")]))
    result = await shopify.list_orders(cursor)
    assert result.orders == [] and not result.more
    assert result.cursor == cursor


async def test_a_page_priced_too_high_is_asked_smaller(shopify: ShopifyAdapter,
                                                       stub: ShopifyStub) -> None:
    cursor = SyncCursor(since="2026-12-01T12:00:00Z").encode()
    stub.on("OrdersPage", {"errors": [{"message": "Query cost is 1052, which exceeds the "
                                       "single query max cost limit (1000).",
                                       "extensions": {"code": "MAX_COST_EXCEEDED"}}]},
            page([order_node(1, updated="2026-12-02T00:00:00Z")]))
    result = await shopify.list_orders(cursor)
    assert [o.name for o in result.orders] == ["#1001"]
    assert [r.variables["first"] for r in stub.sent("OrdersPage")] == [8, 4]


def test_a_foreign_cursor_is_refused() -> None:
    from ordertui.domain.errors import OrdertuiError
    with pytest.raises(OrdertuiError, match="cannot continue"):
        SyncCursor.decode("b:0:12:3")


# --- pacing -----------------------------------------------------------------------------------


async def test_throttled_is_waited_out_then_sent_again(shopify: ShopifyAdapter, stub: ShopifyStub,
                                                       fake_time: FakeTime) -> None:
    stub.on("Order", throttled(requested=96, available=10, rate=50),
            ok({"order": order_node(1)}, requested=96, available=904))
    order = await shopify.get_order("gid://shopify/Order/1")
    assert order.name == "#1001"
    assert len(stub.sent("Order")) == 2
    # (96 - 10) / 50 points per second
    assert fake_time.sleeps == [pytest.approx(1.72)]
    assert shopify.client.counts["throttled"] == 1


async def test_requests_are_paced_by_the_reported_bucket(shopify: ShopifyAdapter,
                                                         stub: ShopifyStub,
                                                         fake_time: FakeTime) -> None:
    stub.on("Order", ok({"order": order_node(1)}, requested=96, available=20, rate=50))
    await shopify.get_order("gid://shopify/Order/1")
    assert fake_time.sleeps == []  # nothing known before the first answer
    await shopify.get_order("gid://shopify/Order/1")
    # the bucket held 20 and the query costs 96: wait for 76 points at 50 per second
    assert fake_time.sleeps == [pytest.approx(1.52)]
    fake_time.now += 100  # the bucket has refilled meanwhile
    await shopify.get_order("gid://shopify/Order/1")
    assert len(fake_time.sleeps) == 1


async def test_a_read_survives_a_server_error(shopify: ShopifyAdapter, stub: ShopifyStub) -> None:
    stub.on("Order", (502, b"<html>Bad gateway</html>"), ok({"order": order_node(1)}))
    assert (await shopify.get_order("gid://shopify/Order/1")).name == "#1001"
    assert len(stub.sent("Order")) == 2


# --- the bulk import --------------------------------------------------------------------------


def jsonl(*objects: dict[str, Any]) -> bytes:
    return b"".join(json.dumps(o).encode() + b"\n" for o in objects)


def bulk_order(n: int, updated: str) -> dict[str, Any]:
    node = order_node(n, updated=updated)
    del node["lineItems"]
    return node


async def test_a_large_first_import_runs_a_bulk_operation(shopify: ShopifyAdapter,
                                                          stub: ShopifyStub,
                                                          fake_time: FakeTime,
                                                          tmp_path: Path) -> None:
    oid = "gid://shopify/BulkOperation/77"
    lines = []
    for n in range(1, 11):
        lines.append(bulk_order(n, f"2026-12-01T10:00:{n:02d}Z"))
        for k in range(2 if n % 3 == 0 else 1):
            lines.append({**line_node(n * 10 + k), "__parentId": f"gid://shopify/Order/{n}"})
    stub.files["/bulk/77.jsonl"] = jsonl(*lines)
    stub.on("OrdersCount", ok({"ordersCount": {"count": 81, "precision": "AT_LEAST"}}))
    stub.on("BulkRun", ok({"bulkOperationRunQuery": {
        "bulkOperation": {"id": oid, "status": "CREATED", "createdAt": "2026-12-06T00:00:00Z"},
        "userErrors": []}}))
    done = {"id": oid, "status": "COMPLETED", "errorCode": None, "objectCount": "23",
            "rootObjectCount": "10", "url": f"{stub.url}/bulk/77.jsonl",
            "createdAt": "2026-12-06T00:00:00Z", "completedAt": "2026-12-06T00:01:00Z"}
    stub.on("BulkPoll", ok({"bulkOperation": {**done, "status": "RUNNING", "url": None}}),
            ok({"bulkOperation": done}))

    started = await shopify.list_orders(None)
    assert started.orders == [] and started.more
    assert stub.sent("OrdersCount")[0].variables == {"limit": 81}
    run = stub.sent("BulkRun")[0]
    assert "orders(sortKey: UPDATED_AT)" in run.variables["query"]

    running_ = await shopify.list_orders(started.cursor)
    assert running_.orders == [] and running_.more
    pages = [await shopify.list_orders(running_.cursor, page_size=4)]
    assert fake_time.sleeps  # polled after a wait
    while pages[-1].cursor is not None and SyncCursor.decode(pages[-1].cursor).bulk:
        pages.append(await shopify.list_orders(pages[-1].cursor, page_size=4))
    orders = [o for p in pages for o in p.orders]
    assert [len(p.orders) for p in pages] == [4, 4, 2]
    assert pages[0].total == 10
    assert [o.name for o in orders] == [f"#{1000 + n}" for n in range(1, 11)]
    by_name = {o.name: o for o in orders}
    assert [x.line_id for x in by_name["#1003"].lines] == ["gid://shopify/LineItem/30",
                                                           "gid://shopify/LineItem/31"]
    assert len(by_name["#1004"].lines) == 1
    # the token is not sent to the file's host
    assert all("X-Shopify-Access-Token" not in d for d in stub.downloads)
    assert len(stub.downloads) == 1
    # afterwards: incremental from the latest change in the file, the file gone
    assert pages[-1].more
    final = SyncCursor.decode(pages[-1].cursor or "")
    assert (final.since, final.skip, final.bulk) == ("2026-12-01T10:00:10Z",
                                                     ["gid://shopify/Order/10"], None)
    assert not list((tmp_path / "shops" / "main").glob("*.jsonl"))


async def test_a_failed_bulk_operation_falls_back_to_pages(shopify: ShopifyAdapter,
                                                           stub: ShopifyStub) -> None:
    cursor = SyncCursor(bulk="gid://shopify/BulkOperation/5").encode()
    stub.on("BulkPoll", ok({"bulkOperation": {"id": "gid://shopify/BulkOperation/5",
                                              "status": "FAILED", "errorCode": "TIMEOUT",
                                              "url": None, "rootObjectCount": "0"}}))
    result = await shopify.list_orders(cursor)
    assert result.orders == [] and result.more
    assert result.cursor is not None and SyncCursor.decode(result.cursor) == SyncCursor()


async def test_an_expired_bulk_file_starts_the_import_over(shopify: ShopifyAdapter,
                                                           stub: ShopifyStub) -> None:
    oid = "gid://shopify/BulkOperation/6"
    stub.on("BulkPoll", ok({"bulkOperation": {"id": oid, "status": "COMPLETED",
                                              "url": f"{stub.url}/bulk/expired.jsonl",
                                              "rootObjectCount": "100"}}))
    result = await shopify.list_orders(SyncCursor(bulk=oid).encode())
    assert result.orders == [] and result.more
    assert result.cursor == SyncCursor().encode()


async def test_a_small_first_import_reads_pages(shopify: ShopifyAdapter,
                                                stub: ShopifyStub) -> None:
    stub.on("OrdersCount", ok({"ordersCount": {"count": 80, "precision": "EXACT"}}))
    stub.on("OrdersPage", page([order_node(1)]))
    result = await shopify.list_orders(None)
    assert [o.name for o in result.orders] == ["#1001"]
    assert not stub.sent("BulkRun")


# --- fulfillments -----------------------------------------------------------------------------


def fo(fid: int, status: str, items: list[tuple[int, int, int]]) -> dict[str, Any]:
    """A fulfillment order with (its line item, the order's line, remaining quantity)."""
    return {"id": f"gid://shopify/FulfillmentOrder/{fid}", "status": status,
            "lineItems": {"pageInfo": {"hasNextPage": False}, "nodes": [
                {"id": f"gid://shopify/FulfillmentOrderLineItem/{i}", "remainingQuantity": rem,
                 "totalQuantity": 2, "lineItem": {"id": f"gid://shopify/LineItem/{line}"}}
                for i, line, rem in items]}}


def fulfillment_orders(*nodes: dict[str, Any]) -> dict[str, Any]:
    return ok({"order": {"id": "gid://shopify/Order/1", "fulfillmentOrders": {
        "pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": list(nodes)}}})


async def order_one(shopify: ShopifyAdapter, stub: ShopifyStub) -> ShopOrder:
    stub.on("Order", ok({"order": order_node(1, lines=[line_node(11, quantity=2),
                                                       line_node(12)])}))
    return await shopify.get_order("gid://shopify/Order/1")


async def test_fulfillment_request_shape(shopify: ShopifyAdapter, stub: ShopifyStub) -> None:
    order = await order_one(shopify, stub)
    stub.on("FulfillmentOrders", fulfillment_orders(fo(1, "CLOSED", [(101, 11, 0)]),
                                                    fo(2, "OPEN", [(201, 11, 2), (202, 12, 1)])))
    stub.on("FulfillmentCreate", ok({"fulfillmentCreate": {
        "fulfillment": fulfillment_node(3, "YT1", [("gid://shopify/LineItem/11", 2)]),
        "userErrors": []}}))
    made = await shopify.create_fulfillment(
        order, [("gid://shopify/LineItem/11", 2)],
        TrackingPush("Yun Express", "YT1", "https://t.example/YT1"), "shop-fulfill:4:YT1")
    assert made.fulfillment_id == "gid://shopify/Fulfillment/3" and made.number == "YT1"
    sent = stub.sent("FulfillmentCreate")[0].variables
    assert sent["message"] == "[ordertui shop-fulfill:4:YT1]"
    assert sent["fulfillment"] == {
        "lineItemsByFulfillmentOrder": [{
            "fulfillmentOrderId": "gid://shopify/FulfillmentOrder/2",
            "fulfillmentOrderLineItems": [{"id": "gid://shopify/FulfillmentOrderLineItem/201",
                                           "quantity": 2}]}],
        "trackingInfo": {"company": "YunExpress", "number": "YT1"},
        "notifyCustomer": True}


async def test_an_unknown_carrier_goes_with_its_url(stub: ShopifyStub, tmp_path: Path,
                                                    fake_time: FakeTime,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPIFY_TOKEN", TOKEN)
    shopify = make(stub, tmp_path, fake_time, notify_customer=False)
    try:
        order = await order_one(shopify, stub)
        stub.on("FulfillmentOrders", fulfillment_orders(fo(2, "OPEN", [(201, 11, 1),
                                                                       (202, 12, 1)])))
        stub.on("FulfillmentCreate", ok({"fulfillmentCreate": {
            "fulfillment": fulfillment_node(3, "CJ9", []), "userErrors": []}}))
        # more asked than is left of line 11: only what is left is sent
        await shopify.create_fulfillment(
            order, [("gid://shopify/LineItem/11", 2), ("gid://shopify/LineItem/12", 1)],
            TrackingPush("CJPacket Ordinary", "CJ9", "https://cjpacket.example/CJ9"), "k")
        sent = stub.sent("FulfillmentCreate")[0].variables["fulfillment"]
        assert sent["trackingInfo"] == {"company": "CJPacket Ordinary", "number": "CJ9",
                                        "url": "https://cjpacket.example/CJ9"}
        assert sent["notifyCustomer"] is False
        assert sent["lineItemsByFulfillmentOrder"][0]["fulfillmentOrderLineItems"] == [
            {"id": "gid://shopify/FulfillmentOrderLineItem/201", "quantity": 1},
            {"id": "gid://shopify/FulfillmentOrderLineItem/202", "quantity": 1}]
    finally:
        await shopify.aclose()


async def test_an_order_fulfilled_at_the_shop_is_not_fulfilled_again(
        shopify: ShopifyAdapter, stub: ShopifyStub) -> None:
    order = await order_one(shopify, stub)
    stub.on("FulfillmentOrders", fulfillment_orders(fo(1, "CLOSED", [(101, 11, 0),
                                                                     (102, 12, 0)])))
    with pytest.raises(SupplierRejected, match="fulfilled at the store already"):
        await shopify.create_fulfillment(order, [("gid://shopify/LineItem/11", 2)],
                                         TrackingPush("4PX", "P1"), "k")
    assert not stub.sent("FulfillmentCreate")


async def test_an_order_on_hold_is_not_called_fulfilled(shopify: ShopifyAdapter,
                                                        stub: ShopifyStub) -> None:
    order = await order_one(shopify, stub)
    stub.on("FulfillmentOrders", fulfillment_orders(fo(1, "ON_HOLD", [(101, 11, 2)])))
    with pytest.raises(SupplierRejected, match="on hold at the store"):
        await shopify.create_fulfillment(order, [("gid://shopify/LineItem/11", 2)],
                                         TrackingPush("4PX", "P1"), "k")
    with pytest.raises(SupplierRejected, match="has no line"):
        await shopify.create_fulfillment(order, [("gid://shopify/LineItem/99", 1)],
                                         TrackingPush("4PX", "P1"), "k")


async def test_a_throttled_mutation_is_sent_again(shopify: ShopifyAdapter, stub: ShopifyStub,
                                                  fake_time: FakeTime) -> None:
    """THROTTLED means Shopify did nothing: sending the write again is safe."""
    order = await order_one(shopify, stub)
    stub.on("TrackingUpdate", throttled(requested=10, available=0, rate=100),
            ok({"fulfillmentTrackingInfoUpdate": {
                "fulfillment": fulfillment_node(1, "1Z9", []), "userErrors": []}}))
    made = await shopify.update_tracking(order, "gid://shopify/Fulfillment/1",
                                         TrackingPush("UPS", "1Z9"), "k")
    assert made.number == "1Z9"
    assert len(stub.sent("TrackingUpdate")) == 2
    assert fake_time.sleeps == [pytest.approx(0.1)]


async def test_user_errors_are_a_refusal_in_one_line(shopify: ShopifyAdapter,
                                                     stub: ShopifyStub) -> None:
    order = await order_one(shopify, stub)
    stub.on("TrackingUpdate", ok({"fulfillmentTrackingInfoUpdate": {"fulfillment": None,
                                                                    "userErrors": [
        {"field": ["fulfillmentId"], "message": "Fulfillment does not exist.\nTry again"}]}}))
    with pytest.raises(SupplierRejected) as caught:
        await shopify.update_tracking(order, "gid://shopify/Fulfillment/404",
                                      TrackingPush("UPS", "1Z9"), "k")
    assert "\n" not in str(caught.value)
    assert "fulfillmentId: Fulfillment does not exist. Try again" in str(caught.value)
    sent = stub.sent("TrackingUpdate")[0].variables
    assert sent == {"fulfillmentId": "gid://shopify/Fulfillment/404",
                    "trackingInfoInput": {"company": "UPS", "number": "1Z9"},
                    "notifyCustomer": True}


async def test_a_mutation_is_not_repeated_after_a_server_error(shopify: ShopifyAdapter,
                                                               stub: ShopifyStub) -> None:
    order = await order_one(shopify, stub)
    stub.on("TrackingUpdate", (503, b"<html>busy</html>"))
    with pytest.raises(SupplierAmbiguous):
        await shopify.update_tracking(order, "gid://shopify/Fulfillment/1",
                                      TrackingPush("UPS", "1Z9"), "k")
    assert len(stub.sent("TrackingUpdate")) == 1


# --- refunds ----------------------------------------------------------------------------------


def refund_context(*transactions: dict[str, Any], refundable: bool = True) -> dict[str, Any]:
    return ok({"order": {"id": "gid://shopify/Order/1", "currencyCode": "USD",
                         "presentmentCurrencyCode": "USD", "refundable": refundable,
                         "totalReceivedSet": bag("45.97"), "netPaymentSet": bag("40.97"),
                         "transactions": list(transactions)}})


def tx(tid: int, kind: str, amount: str, parent: int | None = None,
       status: str = "SUCCESS") -> dict[str, Any]:
    return {"id": f"gid://shopify/OrderTransaction/{tid}", "kind": kind, "status": status,
            "gateway": "shopify_payments", "test": False, "amountSet": bag(amount),
            "parentTransaction": {"id": f"gid://shopify/OrderTransaction/{parent}"}
            if parent else None}


async def test_refund_request_shape(shopify: ShopifyAdapter, stub: ShopifyStub) -> None:
    order = await order_one(shopify, stub)
    stub.on("RefundContext", refund_context(tx(1, "AUTHORIZATION", "45.97"),
                                            tx(2, "CAPTURE", "45.97", 1),
                                            tx(3, "REFUND", "5.00", 2),
                                            tx(4, "SALE", "9.99", status="FAILURE")))
    stub.on("RefundCreate", ok({"refundCreate": {"refund": {
        "id": "gid://shopify/Refund/8", "createdAt": "2026-12-06T10:00:00Z",
        "note": "damaged [ordertui shop-refund:3]", "totalRefundedSet": bag("10.00")},
        "userErrors": []}}))
    refund = await shopify.create_refund(order, Money(Decimal("10"), "USD"), "damaged",
                                         "shop-refund:3")
    assert (refund.refund_id, refund.amount.amount) == ("gid://shopify/Refund/8",
                                                        Decimal("10.00"))
    sent = stub.sent("RefundCreate")[0]
    assert "@idempotent(key: $key)" in sent.query
    assert sent.variables["key"] == idempotency_key("main", "shop-refund:3")
    uuid.UUID(sent.variables["key"])
    assert sent.variables["input"] == {
        "orderId": "gid://shopify/Order/1", "note": "damaged [ordertui shop-refund:3]",
        "notify": True, "transactions": [{
            "orderId": "gid://shopify/Order/1", "parentId": "gid://shopify/OrderTransaction/2",
            "gateway": "shopify_payments", "kind": "REFUND", "amount": "10.00"}]}


async def test_no_refund_above_what_is_refundable(shopify: ShopifyAdapter,
                                                  stub: ShopifyStub) -> None:
    order = await order_one(shopify, stub)
    stub.on("RefundContext", refund_context(tx(2, "SALE", "45.97"),
                                            tx(3, "REFUND", "40.00", 2)))
    with pytest.raises(SupplierRejected, match=r"at most \$5.97"):
        await shopify.create_refund(order, Money(Decimal("6"), "USD"), "", "k")
    with pytest.raises(SupplierRejected, match="in USD, not EUR"):
        await shopify.create_refund(order, Money(Decimal("1"), "EUR"), "", "k")
    assert not stub.sent("RefundCreate")


# --- was_applied ------------------------------------------------------------------------------


async def test_was_applied_reads_fulfillments(shopify: ShopifyAdapter, stub: ShopifyStub) -> None:
    order = await order_one(shopify, stub)
    line = "gid://shopify/LineItem/11"
    fulfil = ShopAction("shop_fulfill", "shop-fulfill:4:YT1", order.shop_order_id,
                        {"lines": [[line, 2]], "number": "YT1", "company": "YunExpress"})
    stub.on("OrderFulfillments",
            ok({"order": {"id": order.shop_order_id, "fulfillments": [
                fulfillment_node(1, "YT1", [(line, 2)], status="CANCELLED"),
                fulfillment_node(2, "OTHER", [(line, 2)])]}}),
            ok({"order": {"id": order.shop_order_id, "fulfillments": [
                fulfillment_node(3, "YT1", [(line, 2)])]}}))
    assert await shopify.was_applied(fulfil, order) is Applied.NO
    assert await shopify.was_applied(fulfil, order) is Applied.YES
    update = ShopAction("shop_tracking", "shop-tracking:4:YT1", order.shop_order_id,
                        {"lines": [[line, 2]], "number": "YT1",
                         "fulfillment_id": "gid://shopify/Fulfillment/3"})
    assert await shopify.was_applied(update, order) is Applied.YES
    update.payload["fulfillment_id"] = "gid://shopify/Fulfillment/99"
    assert await shopify.was_applied(update, order) is Applied.NO


async def test_was_applied_reads_refunds(shopify: ShopifyAdapter, stub: ShopifyStub) -> None:
    order = await order_one(shopify, stub)
    action = ShopAction("shop_refund", "shop-refund:3", order.shop_order_id,
                        {"amount": "10.00", "currency": "USD", "note": "damaged"})
    refund = {"id": "gid://shopify/Refund/8", "createdAt": "2026-12-06T10:00:00Z",
              "totalRefundedSet": bag("10.00")}
    stub.on("OrderRefunds",
            ok({"order": {"id": order.shop_order_id, "refunds": [
                {**refund, "note": "damaged [ordertui shop-refund:30]"},
                {**refund, "note": "by hand", "id": "gid://shopify/Refund/9"}]}}),
            ok({"order": {"id": order.shop_order_id, "refunds": [
                {**refund, "note": f"damaged {marker('shop-refund:3')}"}]}}))
    assert await shopify.was_applied(action, order) is Applied.NO
    assert await shopify.was_applied(action, order) is Applied.YES


# --- errors and the token ---------------------------------------------------------------------


async def test_the_token_appears_in_no_error_or_log(shopify: ShopifyAdapter, stub: ShopifyStub,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    stub.on("Order", (401, {"errors": "[API] Invalid API key or access token (unrecognized "
                                      "login or wrong password)"}))
    with pytest.raises(SupplierAuthError) as bad_token:
        await shopify.get_order("gid://shopify/Order/1")
    assert "access token" in str(bad_token.value) and "HTTP 401" in str(bad_token.value)
    stub.answers.clear()
    stub.on("Order", ok({"order": None}, requested=1) | {"errors": [{
        "message": "Access denied for order field. Required access: `read_orders` access "
                   "scope.", "extensions": {"code": "ACCESS_DENIED"}, "path": ["order"]}]})
    with pytest.raises(SupplierAuthError) as denied:
        await shopify.get_order("gid://shopify/Order/1")
    assert "read_orders" in str(denied.value)
    assert "\n" not in str(denied.value)
    stub.answers.clear()
    stub.on("OrdersCount", (500, b"boom"))
    with pytest.raises(Exception) as down:
        await shopify.list_orders(None)
    texts = [str(bad_token.value), str(denied.value), str(down.value), repr(shopify),
             repr(shopify.client), caplog.text]
    assert all(TOKEN not in t for t in texts)
    assert caplog.text  # something was logged, and without the token


# --- settings ---------------------------------------------------------------------------------


def test_settings_are_validated() -> None:
    good = {"store": "my-shop", "access_token_env": "SHOPIFY_TOKEN"}
    assert ShopifyAdapter.validate_settings(good) == []
    assert ShopifyAdapter.validate_settings({**good, "store": "My-Shop.myshopify.com"}) == []
    problems = dict(ShopifyAdapter.validate_settings({
        "store": "https://my shop", "api_version": "2026-11", "notify_customer": "yes",
        "base_url": "http://shop.example.com", "read_timeout_s": 0}))
    assert set(problems) == {"store", "access_token_env", "api_version", "notify_customer",
                             "base_url", "read_timeout_s"}
    assert "my-shop.myshopify.com" in problems["store"]
    assert "shpat_" in problems["access_token_env"]
    assert "2026-10" in problems["api_version"]
    assert "only https" in problems["base_url"]
    assert all("\n" not in m for m in problems.values())


def test_a_bad_table_stops_the_adapter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    context = AdapterContext(directory=tmp_path, config_path=tmp_path / "config.toml")
    with pytest.raises(ConfigError, match=r"shops\.main.*store"):
        ShopifyAdapter("main", {"kind": "shopify", "access_token_env": "X"}, context)
    monkeypatch.delenv("SHOPIFY_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="SHOPIFY_TOKEN"):
        ShopifyAdapter("main", {"store": "s", "access_token_env": "SHOPIFY_TOKEN"}, context)
    inline = ShopifyAdapter("main", {"store": "s.myshopify.com", "access_token": TOKEN},
                            context)
    assert inline.store == "s"
    assert inline.client.http.base_url == "https://s.myshopify.com"
    assert inline.client.path == "/admin/api/2026-10/graphql.json"
    assert TOKEN not in repr(inline)
