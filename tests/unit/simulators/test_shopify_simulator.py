"""The Shopify simulator over real sockets: the token check, paged and filtered order
lists, query cost and the leaky bucket, validation errors in Shopify's shape, the writes
(fulfillments, tracking, refunds) seen in the next query and in the demo shop's back office,
refusals as userErrors, bulk operations and their JSONL, a fault after a write that leaves
the write applied, the command line, and the CJ simulator's references to the shop."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from ordertui.cli import main_group
from ordertui.simulators.cj import CJSimConfig, CJSimulator
from ordertui.simulators.common import RunningSim
from ordertui.simulators.demo import DemoEngine
from ordertui.simulators.demo.shop import DemoShopOffice
from ordertui.simulators.shopify import (
    DEFAULT_TOKEN,
    ShopifySimConfig,
    ShopifySimulator,
    graphql_path,
)
from support.sims import serve

ORDERS = 60
SEED = 4242

ORDER_FIELDS = """
  id name updatedAt displayFinancialStatus displayFulfillmentStatus
  currentTotalPriceSet { shopMoney { amount currencyCode } }
  lineItems(first: 8) { nodes { id sku quantity currentQuantity } }
  fulfillmentOrders(first: 1) { nodes { id status supportedActions { action }
    lineItems(first: 8) { nodes { id remainingQuantity totalQuantity lineItem { id } } } } }
  fulfillments(first: 5) { id status trackingInfo { company number url }
    fulfillmentLineItems(first: 8) { nodes { quantity lineItem { id } } } }
  refunds(first: 5) { id note totalRefundedSet { shopMoney { amount } } }
  transactions(first: 5) { id kind status gateway amountSet { shopMoney { amount } }
    maximumRefundableV2 { amount } parentTransaction { id } }
"""

FULFILL = """
mutation Fulfil($f: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $f) {
    fulfillment { id status trackingInfo { company number url } }
    userErrors { field message }
  }
}"""

TRACKING = """
mutation Track($id: ID!, $t: FulfillmentTrackingInput!) {
  fulfillmentTrackingInfoUpdate(fulfillmentId: $id, trackingInfoInput: $t, notifyCustomer: true) {
    fulfillment { id trackingInfo { company number url } }
    userErrors { field message }
  }
}"""

REFUND = """
mutation Refund($input: RefundInput!, $key: String!) {
  refundCreate(input: $input) @idempotent(key: $key) {
    refund { id note totalRefundedSet { shopMoney { amount } } }
    order { id displayFinancialStatus }
    userErrors { field message }
  }
}"""


class Shop:
    """A client of the running simulator, as an app would talk to it."""

    def __init__(self, running: RunningSim, version: str = "2026-10") -> None:
        self.running = running
        self.sim: ShopifySimulator = running.sim  # type: ignore[assignment]
        self.url = running.root_url + graphql_path(version)
        self.http = httpx.Client(headers={"X-Shopify-Access-Token": DEFAULT_TOKEN},
                                 timeout=None)

    def post(self, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
        return self.http.post(self.url, json={"query": query, "variables": variables or {}})

    def q(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        r = self.post(query, variables)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = self.q(query, variables)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def order(self, gid: str) -> dict[str, Any]:
        data = self.data(f"query($id: ID!) {{ order(id: $id) {{ {ORDER_FIELDS} }} }}",
                         {"id": gid})
        order: dict[str, Any] = data["order"]
        return order

    def open_order(self) -> dict[str, Any]:
        """A paid, unfulfilled order whose fulfillment order can be fulfilled."""
        data = self.data(f"""query($q: String) {{ orders(first: 5, query: $q) {{
                               nodes {{ {ORDER_FIELDS} }} }} }}""",
                         {"q": "fulfillment_status:unfulfilled financial_status:paid "
                               "status:open"})
        nodes = data["orders"]["nodes"]
        assert nodes
        order: dict[str, Any] = nodes[0]
        return order


def start(**kw: Any) -> Iterator[RunningSim]:
    kw.setdefault("orders", ORDERS)
    kw.setdefault("seed", SEED)
    yield from serve(ShopifySimulator(ShopifySimConfig(**kw)))


@pytest.fixture
def shop() -> Iterator[Shop]:
    for running in start():
        yield Shop(running)


def sale_of(order: dict[str, Any]) -> dict[str, Any]:
    sale: dict[str, Any] = next(t for t in order["transactions"] if t["kind"] == "SALE")
    return sale


def refund_input(order: dict[str, Any], amount: str, note: str = "") -> dict[str, Any]:
    sale = sale_of(order)
    return {"orderId": order["id"], "note": note, "notify": False, "transactions": [
        {"orderId": order["id"], "parentId": sale["id"], "gateway": sale["gateway"],
         "kind": "REFUND", "amount": amount}]}


# --- transport ---------------------------------------------------------------------------------

def test_a_wrong_or_missing_token_is_refused_like_shopify(shop: Shop) -> None:
    for headers in ({}, {"X-Shopify-Access-Token": "shpat_wrong"}):
        r = httpx.post(shop.url, json={"query": "{ shop { name } }"}, headers=headers)
        assert r.status_code == 401
        assert r.json() == {"errors": "[API] Invalid API key or access token (unrecognized "
                                      "login or wrong password)"}
    assert shop.data("{ shop { name currencyCode myshopifyDomain } }")["shop"] == {
        "name": "Ordertui Demo", "currencyCode": "USD",
        "myshopifyDomain": "ordertui-demo.myshopify.com"}


def test_an_unknown_version_is_answered_by_the_oldest_supported(shop: Shop) -> None:
    r = shop.http.post(shop.running.root_url + graphql_path("2023-01"),
                       json={"query": "{ shop { name } }"})
    assert r.status_code == 200 and r.headers["X-Shopify-API-Version"] == "2026-01"


# --- reading ---------------------------------------------------------------------------------

def test_pages_of_orders_by_update_time_cover_the_shop_once(shop: Shop) -> None:
    query = """query($after: String) {
      orders(first: 25, after: $after, sortKey: UPDATED_AT) {
        pageInfo { hasNextPage endCursor }
        edges { cursor node { id name updatedAt } }
      } }"""
    seen: list[dict[str, Any]] = []
    after = None
    pages = 0
    while True:
        page = shop.data(query, {"after": after})["orders"]
        pages += 1
        seen += [e["node"] for e in page["edges"]]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    total = shop.sim.office.count
    assert pages == -(-total // 25)
    assert len({o["id"] for o in seen}) == len(seen) == total
    stamps = [o["updatedAt"] for o in seen]
    assert stamps == sorted(stamps)
    one = shop.order(seen[3]["id"])
    assert one["name"] == seen[3]["name"]
    node = shop.data("""query($id: ID!) { node(id: $id) { id ... on Order { name } } }""",
                     {"id": seen[3]["id"]})["node"]
    assert node == {"id": seen[3]["id"], "name": seen[3]["name"]}


def test_an_order_carries_what_the_adapter_reads(shop: Shop) -> None:
    order = shop.open_order()
    assert order["displayFulfillmentStatus"] == "UNFULFILLED"
    fo = order["fulfillmentOrders"]["nodes"][0]
    assert fo["status"] == "OPEN"
    assert {"action": "CREATE_FULFILLMENT"} in fo["supportedActions"]
    lines = order["lineItems"]["nodes"]
    assert [x["lineItem"]["id"] for x in fo["lineItems"]["nodes"]] == [x["id"] for x in lines]
    assert all(x["id"].startswith("gid://shopify/LineItem/") for x in lines)
    sale = sale_of(order)
    assert sale["status"] == "SUCCESS" and sale["id"].startswith("gid://shopify/OrderTransaction/")
    assert sale["maximumRefundableV2"]["amount"] == sale["amountSet"]["shopMoney"]["amount"]


def test_the_updated_at_filter_lists_only_orders_changed_since(shop: Shop) -> None:
    latest = shop.data("""{ orders(first: 1, sortKey: UPDATED_AT, reverse: true) {
                           nodes { updatedAt } } }""")["orders"]["nodes"][0]["updatedAt"]
    query = """query($q: String) { orders(first: 50, query: $q, sortKey: UPDATED_AT) {
                 nodes { id updatedAt } } }"""
    assert shop.data(query, {"q": f"updated_at:>'{latest}'"})["orders"]["nodes"] == []
    ids = [o["id"] for o in shop.data("{ orders(first: 3) { nodes { id } } }")["orders"]["nodes"]]
    shop.sim.touch(ids[:2])
    changed = shop.data(query, {"q": f"updated_at:>'{latest}'"})["orders"]["nodes"]
    assert sorted(o["id"] for o in changed) == sorted(ids[:2])
    assert all(o["updatedAt"] > latest for o in changed)
    older = shop.data(query, {"q": f"updated_at:<='{latest}'"})["orders"]["nodes"]
    assert not {o["id"] for o in older} & set(ids[:2])
    # a filter the simulator cannot use is said so, not silently dropped
    body = shop.q(query, {"q": "tag:vip"})
    assert body["extensions"]["search"][0]["warnings"][0]["field"] == "tag"


# --- cost and the bucket -------------------------------------------------------------------------

def test_every_answer_carries_its_cost(shop: Shop) -> None:
    body = shop.q("""{ orders(first: 5) { nodes { id lineItems(first: 3) { nodes { id } } } } }""")
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 2 + 5 * (1 + 2 + 3)
    nodes = body["data"]["orders"]["nodes"]
    assert cost["actualQueryCost"] == 2 + sum(1 + 2 + len(o["lineItems"]["nodes"]) for o in nodes)
    status = cost["throttleStatus"]
    assert status["maximumAvailable"] == 1000.0 and status["restoreRate"] == 50.0
    assert 0 < status["currentlyAvailable"] <= 1000
    mutation = shop.q(FULFILL, {"f": {"lineItemsByFulfillmentOrder": []}})
    assert mutation["extensions"]["cost"]["requestedQueryCost"] == 10


def test_a_short_bucket_throttles_until_it_refills() -> None:
    for running in start(bucket=20, restore_rate=10):
        shop = Shop(running)
        query = "{ orders(first: 5) { nodes { id } } }"  # costs 7
        answers = [shop.q(query) for _ in range(3)]
        assert "data" in answers[0] and "data" in answers[1]
        throttled = answers[2]
        assert throttled["errors"][0]["message"] == "Throttled"
        assert throttled["errors"][0]["extensions"]["code"] == "THROTTLED"
        assert "data" not in throttled
        cost = throttled["extensions"]["cost"]
        status = cost["throttleStatus"]
        assert status["currentlyAvailable"] < cost["requestedQueryCost"] == 7
        # wait as Shopify says to, then the same query goes through
        time.sleep((7 - status["currentlyAvailable"]) / status["restoreRate"] + 0.2)
        assert "data" in shop.q(query)


def test_a_query_dearer_than_the_limit_is_refused_whatever_the_bucket(shop: Shop) -> None:
    body = shop.q("{ orders(first: 250) { nodes { lineItems(first: 50) { nodes { id } } } } }")
    error = body["errors"][0]
    assert error["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert error["extensions"]["cost"] == 2 + 250 * (1 + 2 + 50) > 1000
    assert "exceeds the single query max cost limit (1000)" in error["message"]
    assert "data" not in body


def test_a_field_that_does_not_exist_is_a_validation_error(shop: Shop) -> None:
    body = shop.q("query Sync { orders(first: 2) { nodes { id colour } } }")
    assert body == {"errors": [{
        "message": "Field 'colour' doesn't exist on type 'Order'",
        "locations": [{"line": 1, "column": 44}],
        "path": ["query Sync", "orders", "nodes", "colour"],
        "extensions": {"code": "undefinedField", "fieldName": "colour", "typeName": "Order"}}]}


# --- writing ---------------------------------------------------------------------------------

def test_fulfillment_tracking_and_refund_show_in_the_next_query_and_the_back_office(
        shop: Shop) -> None:
    order = shop.open_order()
    fo = order["fulfillmentOrders"]["nodes"][0]
    first = fo["lineItems"]["nodes"][0]
    made = shop.data(FULFILL, {"f": {
        "lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["id"],
                                         "fulfillmentOrderLineItems": [
                                             {"id": first["id"], "quantity": 1}]}],
        "trackingInfo": {"company": "4PX", "number": "4PX0001"}, "notifyCustomer": True}}
    )["fulfillmentCreate"]
    assert made["userErrors"] == []
    fulfillment = made["fulfillment"]
    assert fulfillment["trackingInfo"] == [{"company": "4PX", "number": "4PX0001",
                                            "url": "https://track.4px.com/#/result/0/4PX0001"}]
    moved = shop.data(TRACKING, {"id": fulfillment["id"], "t": {
        "company": "YunExpress", "number": "YT0002"}})["fulfillmentTrackingInfoUpdate"]
    assert moved["userErrors"] == []
    assert moved["fulfillment"]["trackingInfo"][0]["number"] == "YT0002"
    refunded = shop.data(REFUND, {"input": refund_input(order, "5.00", "goodwill"),
                                  "key": "refund-1"})["refundCreate"]
    assert refunded["userErrors"] == []
    assert refunded["refund"]["totalRefundedSet"]["shopMoney"]["amount"] == "5.0"
    assert refunded["order"]["displayFinancialStatus"] == "PARTIALLY_REFUNDED"

    after = shop.order(order["id"])
    assert after["updatedAt"] > order["updatedAt"]
    assert [f["trackingInfo"][0]["number"] for f in after["fulfillments"]] == ["YT0002"]
    assert after["fulfillments"][0]["fulfillmentLineItems"]["nodes"] == [
        {"quantity": 1, "lineItem": {"id": first["lineItem"]["id"]}}]
    left = after["fulfillmentOrders"]["nodes"][0]
    assert left["lineItems"]["nodes"][0]["remainingQuantity"] == first["remainingQuantity"] - 1
    assert [r["note"] for r in after["refunds"]] == ["goodwill"]
    refund_tx = [t for t in after["transactions"] if t["kind"] == "REFUND"]
    assert refund_tx[0]["parentTransaction"] == {"id": sale_of(order)["id"]}

    # the back office holds the same, so the demo shop adapter reads it too
    record = shop.sim.office.get(order["id"])
    assert [(f.company, f.number) for f in record.fulfillments] == [("YunExpress", "YT0002")]
    assert [r.amount for r in record.refunds] == [Decimal("5.00")]
    assert shop.sim.counts() == {order["id"]: {"fulfillment": 1, "tracking_update": 1,
                                               "refund": 1}}
    written = httpx.get(shop.running.root_url + "/_sim/shopify/written").json()
    assert written == {order["id"]: {"fulfillment": 1, "tracking_update": 1, "refund": 1}}


def test_fulfilling_more_than_is_left_is_refused_with_user_errors(shop: Shop) -> None:
    order = shop.open_order()
    fo = order["fulfillmentOrders"]["nodes"][0]
    line = fo["lineItems"]["nodes"][0]
    answer = shop.data(FULFILL, {"f": {"lineItemsByFulfillmentOrder": [{
        "fulfillmentOrderId": fo["id"], "fulfillmentOrderLineItems": [
            {"id": line["id"], "quantity": line["remainingQuantity"] + 1}]}]}}
    )["fulfillmentCreate"]
    assert answer["fulfillment"] is None
    assert answer["userErrors"][0]["field"] == ["fulfillment", "lineItemsByFulfillmentOrder"]
    assert shop.sim.counts() == {}
    # without line items, the whole fulfillment order is fulfilled
    whole = shop.data(FULFILL, {"f": {"lineItemsByFulfillmentOrder": [
        {"fulfillmentOrderId": fo["id"]}]}})["fulfillmentCreate"]
    assert whole["userErrors"] == []
    assert shop.order(order["id"])["displayFulfillmentStatus"] == "FULFILLED"


def test_a_refund_beyond_what_is_refundable_is_refused(shop: Shop) -> None:
    order = shop.open_order()
    paid = Decimal(sale_of(order)["amountSet"]["shopMoney"]["amount"])
    answer = shop.data(REFUND, {"input": refund_input(order, str(paid + Decimal("0.01"))),
                                "key": "too-much"})["refundCreate"]
    assert answer["refund"] is None
    assert answer["userErrors"][0]["field"] == ["transactions"]
    assert "more than" in answer["userErrors"][0]["message"]
    assert shop.order(order["id"])["refunds"] == []
    assert shop.sim.counts() == {}


def test_a_refund_is_made_once_per_idempotency_key(shop: Shop) -> None:
    order = shop.open_order()
    first = shop.data(REFUND, {"input": refund_input(order, "3.00"), "key": "k-1"})
    again = shop.data(REFUND, {"input": refund_input(order, "3.00"), "key": "k-1"})
    assert first["refundCreate"]["refund"]["id"] == again["refundCreate"]["refund"]["id"]
    assert shop.sim.counts()[order["id"]]["refund"] == 1
    other = shop.q(REFUND, {"input": refund_input(order, "4.00"), "key": "k-1"})
    assert other["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"
    # from 2026-04 the key is required; 2026-01 still takes a refund without one
    plain = REFUND.replace(" @idempotent(key: $key)", "").replace(", $key: String!", "")
    missing = shop.q(plain, {"input": refund_input(order, "1.00")})
    assert missing["data"] == {"refundCreate": None}
    assert "@idempotent" in missing["errors"][0]["message"]
    old = Shop(shop.running, version="2026-01")
    assert old.data(plain, {"input": refund_input(order, "1.00")})["refundCreate"][
        "userErrors"] == []
    assert shop.sim.counts()[order["id"]]["refund"] == 2


# --- bulk operations ---------------------------------------------------------------------------

def test_a_bulk_query_runs_to_completion_and_its_file_has_parent_ids() -> None:
    for running in start(bulk_delay_s=0.3):
        shop = Shop(running)
        inner = "{ orders { edges { node { id name lineItems { edges { node { id sku } } } } } } }"
        started = shop.data("""mutation($q: String!) {
            bulkOperationRunQuery(query: $q, groupObjects: false) {
              bulkOperation { id status } userErrors { field message code } } }""",
                            {"q": inner})["bulkOperationRunQuery"]
        assert started["userErrors"] == []
        op = started["bulkOperation"]
        assert op["status"] == "CREATED"
        seen = set()
        poll = """query($id: ID!) { node(id: $id) { ... on BulkOperation {
                    id status objectCount rootObjectCount fileSize url } } }"""
        while True:
            state = shop.data(poll, {"id": op["id"]})["node"]
            seen.add(state["status"])
            if state["status"] not in ("CREATED", "RUNNING"):
                break
            time.sleep(0.05)
        assert state["status"] == "COMPLETED" and "RUNNING" in seen
        current = shop.data("{ currentBulkOperation { id status } }")["currentBulkOperation"]
        assert current == {"id": op["id"], "status": "COMPLETED"}

        text = httpx.get(state["url"]).text  # no token needed, as Shopify's link
        lines = [json.loads(x) for x in text.splitlines()]
        assert len(lines) == int(state["objectCount"])
        assert len(text.encode()) == int(state["fileSize"])
        roots = [x for x in lines if "__parentId" not in x]
        assert len(roots) == int(state["rootObjectCount"]) == shop.sim.office.count
        assert all(x["id"].startswith("gid://shopify/Order/") and "lineItems" not in x
                   for x in roots)
        placed: set[str] = set()
        for x in lines:
            if "__parentId" in x:
                assert x["id"].startswith("gid://shopify/LineItem/")
                assert x["__parentId"] in placed  # after its parent
            else:
                placed.add(x["id"])
        record = shop.sim.office.get(roots[0]["id"])
        assert [x["sku"] for x in lines if x.get("__parentId") == roots[0]["id"]] == [
            x.sku for x in record.lines]


def test_a_bulk_query_without_a_connection_is_refused(shop: Shop) -> None:
    answer = shop.data("""mutation { bulkOperationRunQuery(query: "{ shop { name } }",
                          groupObjects: false) { bulkOperation { id }
                          userErrors { field message code } } }""")["bulkOperationRunQuery"]
    assert answer["bulkOperation"] is None
    assert answer["userErrors"][0]["code"] == "INVALID"


# --- faults ------------------------------------------------------------------------------------

def test_a_fault_after_a_mutation_loses_the_answer_but_keeps_the_write() -> None:
    for running in start(faults=("after_write",), fault_rate=1.0, stall_s=0.0, rng_seed=6):
        shop = Shop(running)
        # reads are never "after a write": they go through untouched
        order = shop.open_order()
        fo = order["fulfillmentOrders"]["nodes"][0]
        try:
            r = shop.post(FULFILL, {"f": {"lineItemsByFulfillmentOrder": [
                {"fulfillmentOrderId": fo["id"], "fulfillmentOrderLineItems": [
                    {"id": fo["lineItems"]["nodes"][0]["id"], "quantity": 1}]}]}})
        except httpx.TransportError:
            pass  # the connection dropped: the app cannot know whether it happened
        else:  # a 5xx or a cut answer: no more telling
            assert r.status_code != 200 or not _is_json(r.text)
        assert shop.sim.stats.faults["after_write"] == 1
        assert shop.sim.counts() == {order["id"]: {"fulfillment": 1, "tracking_update": 0,
                                                   "refund": 0}}
        after = shop.order(order["id"])
        assert len(after["fulfillments"]) == 1


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


# --- one shop for the adapter and the simulator ------------------------------------------------

def test_the_simulator_can_serve_the_demo_suppliers_own_shop(tmp_path: Path) -> None:
    state = tmp_path / "suppliers" / "demo" / "state.sqlite3"
    for running in start(demo_state=state):
        shop = Shop(running)
        order = shop.open_order()
        shop.data(FULFILL, {"f": {"lineItemsByFulfillmentOrder": [
            {"fulfillmentOrderId": order["fulfillmentOrders"]["nodes"][0]["id"]}]}})
    office = DemoShopOffice(DemoEngine(state))  # as the demo shop adapter opens it
    assert len(office.get(order["id"]).fulfillments) == 1


def test_cj_orders_carry_the_shop_order_name_and_line_ids(shop: Shop) -> None:
    for cj in serve(CJSimulator(CJSimConfig(orders=ORDERS, seed=SEED, auth_interval_s=0))):
        base = cj.base_url
        token = httpx.post(f"{base}/authentication/getAccessToken",
                           json={"apiKey": cj.sim.config.api_key}).json()  # type: ignore[attr-defined]
        headers = {"CJ-Access-Token": token["data"]["accessToken"]}
        listed = httpx.get(f"{base}/shopping/order/list", headers=headers,
                           params={"status": "SHIPPED", "pageSize": 5}).json()["data"]["list"]
        assert listed
        for item in listed[:3]:
            detail = httpx.get(f"{base}/shopping/order/getOrderDetail", headers=headers,
                               params={"orderId": item["orderId"]}).json()["data"]
            found = shop.data("""query($q: String) { orders(first: 1, query: $q) {
                nodes { name lineItems(first: 8) { nodes { id } } } } }""",
                              {"q": f"name:{detail['orderNum'].lstrip('#')}"})
            order = found["orders"]["nodes"][0]
            assert order["name"] == detail["orderNum"]
            # the number in the LineItem's gid: Shopify's legacy id of the line
            assert [p["storeLineItemId"] for p in detail["productList"]] == [
                x["id"].rpartition("/")[2] for x in order["lineItems"]["nodes"]]


# --- the command line --------------------------------------------------------------------------

def test_the_command_line_offers_the_shopify_simulator() -> None:
    result = CliRunner().invoke(main_group, ["simulate", "shopify", "--help"])
    assert result.exit_code == 0, result.output
    for option in ("--bucket", "--restore-rate", "--token", "--orders", "--seed",
                   "--fault-rate", "--port"):
        assert option in result.output


def test_a_currency_that_is_none_is_refused_in_one_line() -> None:
    result = CliRunner().invoke(main_group, ["simulate", "shopify", "--currency", "euro"])
    assert result.exit_code == 2
    assert "'euro' is no currency code; give three letters, like EUR" in result.output
