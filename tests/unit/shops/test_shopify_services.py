"""The Shopify adapter under the app's shop service: a configured store is synced into the
store's shop orders, its cursor kept between syncs, and a second sync brings nothing twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from ordertui.config import parse
from support.demo import Clock, demo_raw, make_services
from support.shopify_stub import TOKEN, fulfillment_node, ok, order_node, page, running


async def test_a_store_syncs_through_the_shop_service(tmp_path: Path, clock: Clock,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPIFY_TOKEN", TOKEN)
    with running() as stub:
        raw = demo_raw() | {"shops": {"main": {"kind": "shopify", "store": "my-shop",
                                               "access_token_env": "SHOPIFY_TOKEN",
                                               "base_url": stub.url}}}
        services = make_services(parse(raw, tmp_path / "config.toml", tmp_path / "data"),
                                 clock)
        try:
            stub.on("OrdersCount", ok({"ordersCount": {"count": 2, "precision": "EXACT"}}))
            stub.on("OrdersPage", page([
                order_node(1),
                order_node(2, status="FULFILLED", fulfillments=[
                    fulfillment_node(1, "YT1", [("gid://shopify/LineItem/21", 1)])])]))
            first = await services.shops.sync("main")
            assert first.errors == {} and first.orders == 2
            cursor = services.store.shop_cursor("main")
            assert cursor is not None and '"since":"2026-12-01T10:00:00Z"' in cursor
            again = await services.shops.sync("main")
            assert again.errors == {} and again.orders == 0
            assert [r.operation for r in stub.requests] == ["OrdersCount", "OrdersPage",
                                                            "OrdersPage"]
            assert stub.requests[-1].variables["query"] == \
                "updated_at:>='2026-12-01T10:00:00Z'"
        finally:
            await services.aclose()
