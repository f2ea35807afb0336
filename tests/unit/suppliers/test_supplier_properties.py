"""Property-based tests of what suppliers answer (tests/support/properties.py): the real
CJ and AliExpress adapters turn any answer into orders or a typed error, and the HTTP layer
reads any body and any Retry-After without an unhandled exception."""

from __future__ import annotations

import asyncio
import json
import math
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordertui.adapters import AdapterContext
from ordertui.domain.errors import OrdertuiError
from ordertui.domain.models import Order
from ordertui.http import RetryPolicy, SupplierHTTP, retry_after
from ordertui.store import Store
from ordertui.suppliers.aliexpress import AliExpressAdapter
from ordertui.suppliers.cj import CJAdapter
from support.properties import HUGE, SETTINGS, TEXT, TRIED, WILD, fields, maybe

#: generated configs register generated "secrets" for redaction (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("secrets_restored")


# --- CJ ------------------------------------------------------------------------------------

CJ_ORDER = ("orderNum", "orderStatus", "createDate", "storeCreateDate", "paymentDate",
            "outWarehouseTime", "shippingCustomerName", "shippingPhone", "shippingAddress",
            "shippingAddress2", "shippingCity", "shippingProvince", "shippingZip",
            "shippingCountryCode", "orderAmount", "shopAmount", "postageAmount",
            "logisticName", "trackNumber", "trackingUrl", "disputeId")
CJ_PRODUCT = ("vid", "productName", "productNameEn", "sku", "variantSku", "quantity",
              "sellPrice", "lineItemId")
CJ_TRACK = ("trackingStatus", "deliveryTime", "trackingTo", "logisticName")
CJ_DISPUTE = ("orderId", "status", "disputeReason", "finallyDeal", "money", "createDate",
              "resendOrderCode", "replacementAmount")
CJ_STATUS = st.sampled_from(["CREATED", "IN_CART", "UNPAID", "UNSHIPPED", "SHIPPED",
                             "DELIVERED", "CANCELLED", "OTHER", ""]) | TEXT
ID = st.one_of(st.text(min_size=1, max_size=12), st.integers(), HUGE, WILD)

cj_product = fields(CJ_PRODUCT)
cj_order = fields(CJ_ORDER, orderId=ID).flatmap(lambda d: st.fixed_dictionaries(
    {**{k: st.just(v) for k, v in d.items()}, "orderStatus": CJ_STATUS,
     "productList": maybe(st.lists(maybe(cj_product), max_size=3))}))
cj_page = st.fixed_dictionaries({"list": maybe(st.lists(maybe(cj_order), max_size=3))},
                                optional={"total": WILD, "pageNum": WILD})
cj_track = fields(CJ_TRACK, trackingNumber=st.just("ECHO") | TEXT)
cj_dispute = fields(CJ_DISPUTE, id=ID).flatmap(lambda d: st.fixed_dictionaries(
    {**{k: st.just(v) for k, v in d.items()},
     "productList": maybe(st.lists(maybe(fields(("price",))), max_size=2))}))
cj_dispute_page = st.fixed_dictionaries({"list": maybe(st.lists(maybe(cj_dispute),
                                                                  max_size=3))},
                                        optional={"total": WILD})
CJ_CODES = st.sampled_from([200, 200, 200, "200", 1600000, 1600001, 1600003, 1600005,
                            1600200, 1600201, 1600300, 1603100, 1, -1, None, True, "x"])


@st.composite
def cj_answer(draw: Any, data: st.SearchStrategy[Any]) -> tuple[int, dict[str, str], bytes]:
    """CJ's envelope around ``data`` (mostly), or any JSON, or bytes that are not JSON."""
    kind = draw(st.sampled_from(["envelope"] * 6 + ["json", "bytes", "status"]))
    if kind == "bytes":
        return 200, {}, draw(st.binary(max_size=40))
    if kind == "json":
        return 200, {}, json.dumps(draw(WILD)).encode()
    if kind == "status":
        return draw(st.sampled_from([404, 429, 500, 503])), {}, b"{}"
    envelope = {"code": draw(CJ_CODES), "result": draw(st.sampled_from([True, False, None])),
                "message": draw(TEXT), "data": draw(maybe(data)),
                "requestId": draw(st.none() | TEXT)}
    return 200, {"X-Request-Id": "rid-1"}, json.dumps(envelope).encode()


TOKEN = {"code": 200, "result": True, "data": {
    "accessToken": "fuzz-access-token", "accessTokenExpiryDate": "2099-01-01T00:00:00+08:00",
    "refreshToken": "fuzz-refresh-token", "refreshTokenExpiryDate": "2099-06-01T00:00:00+08:00",
    "createDate": "2026-01-01T00:00:00+08:00"}}


def _fixed_clock() -> datetime:
    return datetime(2026, 1, 1, 12, tzinfo=UTC)


def _transport(routes: dict[str, tuple[int, dict[str, str], bytes]],
               echo: Callable[[httpx.Request, bytes], bytes] | None = None
               ) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        for suffix, (status, headers, body) in routes.items():
            if request.url.path.endswith(suffix):
                if echo is not None:
                    body = echo(request, body)
                return httpx.Response(status, headers=headers, content=body)
        return httpx.Response(404, content=b"{}")
    return httpx.MockTransport(handle)


def _quiet_http(client: Any, supplier: str, transport: httpx.MockTransport) -> None:
    """The adapter's own client, answering from ``transport``, with no retries and no rate
    limit (the same parsing; no waiting)."""
    client.http = SupplierHTTP(supplier, "http://127.0.0.1:9/api", rate=None,
                               policy=RetryPolicy(attempts=1, base_s=0.0, cap_s=0.0),
                               transport=transport, throttle=client.http.throttle)


def _check_orders(orders: list[Order], directory: Path) -> None:
    """What an adapter returned is well formed and can be stored, as a sync would."""
    for o in orders:
        assert isinstance(o, Order)
        assert isinstance(o.customer.name, str) and isinstance(o.supplier_order_id, str)
        assert all(isinstance(i.title, str) and isinstance(i.quantity, int) for i in o.items)
        assert o.total_cost.amount.is_finite()
    if orders:
        store = Store(directory / "store.sqlite3")
        try:
            store.apply_sync_page(orders[0].supplier, orders, None)
        finally:
            store.close()


def _echo_track(request: httpx.Request, body: bytes) -> bytes:
    number = request.url.params.get("trackNumber", "")
    return body.replace(b'"ECHO"', json.dumps(number).encode())


@given(order_list=cj_answer(cj_page), detail=cj_answer(cj_order), track=cj_answer(
    st.lists(maybe(cj_track), max_size=3)), disputes=cj_answer(cj_dispute_page))


@settings(SETTINGS, max_examples=300)
def test_cj_adapter_turns_any_answer_into_orders_or_a_typed_error(
        order_list: Any, detail: Any, track: Any, disputes: Any) -> None:
    TRIED["CJ answers"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        adapter = CJAdapter("cj", {"kind": "cj", "api_key": "fuzz-api-key-0001",
                                   "base_url": "http://127.0.0.1:9/api"},
                            AdapterContext(directory / "cj", clock=_fixed_clock))
        _quiet_http(adapter.client, "cj", _transport({
            "/authentication/getAccessToken": (200, {}, json.dumps(TOKEN).encode()),
            "/shopping/order/list": order_list, "/shopping/order/getOrderDetail": detail,
            "/logistic/trackInfo": track, "/disputes/getDisputeList": disputes}, _echo_track))

        async def exercise() -> list[Order]:
            got: list[Order] = []
            try:
                cursor = None
                for _ in range(12):  # every phase of a pass: lists, look-ups, disputes
                    page = await adapter.list_orders(cursor, page_size=3)
                    got += page.orders
                    cursor = page.cursor
                    if not page.more:
                        break
            except OrdertuiError:
                pass
            for oid in ["J1", *[o.supplier_order_id for o in got[:2]]]:
                try:
                    order = await adapter.get_order(oid)
                    got.append(order)
                    await adapter.get_tracking(order)
                    await adapter.get_disputes(order)
                except OrdertuiError:
                    pass
            await adapter.aclose()
            return got
        _check_orders(asyncio.run(exercise()), directory)


# --- AliExpress ----------------------------------------------------------------------------

AE_ORDER = ("order_status", "logistics_status", "gmt_create", "order_paidtime_string",
            "order_amount", "child_order_list", "logistics_info_list", "rsp_code", "rsp_msg")
AE_CHILD = ("product_name", "product_id", "product_count", "product_price", "sku_id",
            "child_order_id", "end_reason")
AE_STATUS = st.sampled_from(["PLACE_ORDER_SUCCESS", "IN_CANCEL", "WAIT_SELLER_SEND_GOODS",
                             "SELLER_PART_SEND_GOODS", "WAIT_BUYER_ACCEPT_GOODS", "FINISH",
                             "IN_ISSUE", "IN_FROZEN", "RISK_CONTROL", ""]) | TEXT
ae_money = maybe(fields(("amount", "cent", "currency_code")))
ae_child = fields(AE_CHILD).flatmap(lambda d: st.fixed_dictionaries(
    {**{k: st.just(v) for k, v in d.items()}, "product_price": ae_money}))
ae_list = st.one_of(st.lists(maybe(ae_child), max_size=3),
                    st.dictionaries(st.just("aeop_child_order_info"),
                                    st.lists(maybe(ae_child), max_size=3), max_size=1))
ae_order = fields(AE_ORDER).flatmap(lambda d: st.fixed_dictionaries(
    {**{k: st.just(v) for k, v in d.items()}, "order_status": AE_STATUS,
     "order_amount": ae_money, "child_order_list": maybe(ae_list),
     "logistics_info_list": maybe(st.lists(maybe(fields(("logistics_service",
                                                          "logistics_no"))), max_size=2))}))
ae_node = fields(("time_stamp", "tracking_name", "tracking_detail_desc"))
ae_line = fields(("mail_no", "carrier_name")).flatmap(lambda d: st.fixed_dictionaries(
    {**{k: st.just(v) for k, v in d.items()},
     "detail_node_list": maybe(st.lists(maybe(ae_node), max_size=3))}))
ae_tracking = fields(("ret", "code", "msg")).flatmap(lambda d: st.fixed_dictionaries(
    {**{k: st.just(v) for k, v in d.items()}, "data": maybe(fields(()).map(lambda _: {})
                                                          | st.fixed_dictionaries({
                                                              "tracking_detail_line_list":
                                                              maybe(st.lists(maybe(ae_line),
                                                                             max_size=2))}))}))


@st.composite
def ae_answer(draw: Any, method: str, result: st.SearchStrategy[Any]
              ) -> tuple[int, dict[str, str], bytes]:
    kind = draw(st.sampled_from(["response"] * 5 + ["error", "json", "bytes"]))
    if kind == "bytes":
        return 200, {}, draw(st.binary(max_size=40))
    if kind == "json":
        return 200, {}, json.dumps(draw(WILD)).encode()
    if kind == "error":
        err = draw(fields(("code", "msg", "sub_code", "sub_msg", "request_id")))
        return 200, {}, json.dumps({"error_response": err}).encode()
    key = method.replace(".", "_") + "_response"
    body = {key: draw(maybe(st.fixed_dictionaries({"result": maybe(result)},
                                                  optional={"rsp_code": WILD,
                                                            "rsp_msg": WILD,
                                                            "request_id": WILD})))}
    return 200, {}, json.dumps(body).encode()


@given(order=ae_answer("aliexpress.trade.ds.order.get", ae_order),
       tracking=ae_answer("aliexpress.ds.order.tracking.get", ae_tracking),
       oid=st.sampled_from(["8190000000000001", "1", "x"]) | st.text(max_size=8))


@settings(SETTINGS, max_examples=300)
def test_aliexpress_adapter_turns_any_answer_into_an_order_or_a_typed_error(
        order: Any, tracking: Any, oid: str) -> None:
    TRIED["AliExpress answers"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        adapter = AliExpressAdapter("ae", {
            "kind": "aliexpress", "app_key": "12345", "app_secret": "fuzz-app-secret",
            "access_token": "fuzz-access", "refresh_token": "fuzz-refresh",
            "base_url": "http://127.0.0.1:9/api"},
            AdapterContext(directory / "ae", clock=_fixed_clock))
        routes: dict[str, tuple[int, dict[str, str], bytes]] = {}

        def answer(request: httpx.Request, body: bytes) -> bytes:
            form = dict(httpx.QueryParams(request.content.decode()))
            return tracking[2] if "tracking" in form.get("method", "") else order[2]
        routes["/sync"] = (200, {}, b"")
        _quiet_http(adapter.client, "ae", _transport(routes, answer))

        async def exercise() -> list[Order]:
            got: list[Order] = []
            try:
                o = await adapter.get_order(oid)
                got.append(o)
                await adapter.get_tracking(o)
            except OrdertuiError:
                pass
            await adapter.aclose()
            return got
        _check_orders(asyncio.run(exercise()), directory)


# --- the HTTP layer ------------------------------------------------------------------------

_HTTP = SupplierHTTP("s", "http://127.0.0.1:9", rate=None)  # .json() sends nothing


@given(body=st.one_of(st.binary(max_size=200), WILD.map(lambda v: json.dumps(v).encode()),
                      HUGE.map(str.encode)),
       ctype=st.sampled_from(["application/json", "text/html", "", "text/plain; charset=x"]),
       status=st.sampled_from([200, 201, 400, 404]), write=st.booleans())


@settings(SETTINGS, max_examples=300)
def test_supplier_http_json_reads_any_body_or_says_why_not(body: bytes, ctype: str,
                                                            status: int, write: bool) -> None:
    TRIED["HTTP bodies"] += 1
    response = httpx.Response(status, headers={"Content-Type": ctype}, content=body)
    try:
        _HTTP.json(response, write=write)
    except OrdertuiError as exc:
        assert "\n" not in str(exc)


@given(value=st.one_of(TEXT, st.sampled_from(["nan", "inf", "-inf", "1e999", "-5",
                                              "Wed, 21 Oct 2015 07:28:00 GMT",
                                              "Fri, 31 Dec 9999 23:59:59 GMT", "0"])))


@settings(SETTINGS, max_examples=300)
def test_retry_after_is_a_finite_wait_or_none(value: str) -> None:
    TRIED["Retry-After headers"] += 1
    try:
        response = httpx.Response(429, headers={"Retry-After": value})
    except (UnicodeEncodeError, ValueError, TypeError):
        return  # not a header httpx can even carry
    wait = retry_after(response)
    assert wait is None or (math.isfinite(wait) and wait >= 0)
