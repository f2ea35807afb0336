"""The Shopify connection's "done when", by command: a config with ``[shops.main] kind =
"shopify"`` pointing at the Shopify simulator and CJ and AliExpress suppliers pointing at
theirs; ``ordertui sync`` brings and links everything, ``orders --format json`` shows the
sale price and profit of every linked order, ``shop-orders`` the shop orders still to order,
tracking reaches the store within one sync after CJ ships, and ``ordertui refund`` appears
at the store."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ordertui.simulators.aliexpress import AliExpressSimulator
from ordertui.simulators.shopify import DEFAULT_TOKEN
from support.cli import Cli
from support.shopify_env import TOKEN_ENV, world

SHOP_ORDER_FIELDS = {"id", "shop", "shop_order_id", "name", "created_at", "financial_status",
                     "fulfillment_status", "total_price", "currency", "supplier_orders"}


@pytest.fixture(autouse=True)
def _token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, DEFAULT_TOKEN)


def test_a_newcomers_shopify_store_with_cj_and_aliexpress_by_command(tmp_path: Path) -> None:
    with world(tmp_path, cj=30, ae=8) as w:
        ae = w.suppliers["ae"].sim
        assert isinstance(ae, AliExpressSimulator)
        cli = Cli(CliRunner(), w.write_config(), tmp_path / "data")
        synced = cli.ok("sync")
        total = w.sim.office.count
        assert f"synced 30 orders, {total} shop orders (30 linked)" in synced.stderr
        added = cli.ok("add", "--supplier", "ae", *ae.order_ids())
        assert "8" in added.stdout + added.stderr

        # real sale prices and profit on every linked order, in the shop's currency
        rows: list[dict[str, Any]] = cli.orders()
        assert len(rows) == 38
        linked = [r for r in rows if r["supplier"] == "cj"]
        assert all(r["shop"] == "main" and r["shop_order"] == r["name"] for r in linked)
        assert all(r["shop_order_id"].startswith("gid://shopify/Order/") for r in linked)
        for r in linked:
            assert r["currency"] == "USD"
            if r["status"] != "cancelled":
                assert Decimal(r["total_price"]) > 0
            assert Decimal(r["profit"]) == Decimal(r["total_price"]) - Decimal(r["total_cost"])
        assert all(r["shop"] is None for r in rows if r["supplier"] == "ae")

        # the shop orders no supplier order covers yet: to order, oldest first
        waiting = cli.json("shop-orders")
        assert waiting and all(set(x) >= SHOP_ORDER_FIELDS for x in waiting)
        assert [x["created_at"] for x in waiting] == sorted(x["created_at"] for x in waiting)
        supplier_names = {r["name"] for r in linked}
        for x in waiting:
            assert x["shop"] == "main" and x["supplier_orders"] == []
            assert x["name"] not in supplier_names
            assert x["financial_status"] == "paid" and x["fulfillment_status"] == "unfulfilled"
            assert x["currency"] == "USD" and Decimal(x["total_price"]) > 0
        every = cli.json("shop-orders", "--all", "--limit", "1000")
        assert len(every) == total
        by_name = {x["name"]: x for x in every}
        for r in linked:
            assert by_name[r["name"]]["supplier_orders"] == [r["id"]]

        # CJ ships an order: its tracking is at the store after one sync
        truth = w.cj.truth()
        shipping = next(r for r in sorted(linked, key=lambda r: r["id"])
                        if truth[r["supplier_order_id"]] == "UNSHIPPED"
                        and by_name[r["name"]]["fulfillment_status"] == "unfulfilled")
        w.cj.set_status(shipping["supplier_order_id"], "SHIPPED", "CJPKT00000042CN")
        cli.ok("sync")
        gid = shipping["shop_order_id"]
        assert w.written()[gid] == {"fulfillment": 1, "tracking_update": 0, "refund": 0}
        numbers = [t["number"] for f in w.fulfillments(gid) for t in f["trackingInfo"]]
        assert numbers == ["CJPKT00000042CN"]

        # a refund made in ordertui appears at the store
        said = cli.ok("refund", str(shipping["id"]), "--amount", "3.10",
                      "--reason", "late parcel").stdout
        assert "refunded $3.10" in said
        cli.ok("sync")
        assert w.written()[gid] == {"fulfillment": 1, "tracking_update": 0, "refund": 1}
        refunds = w.graphql("""query($id: ID!) { order(id: $id) { refunds(first: 5) {
            totalRefundedSet { shopMoney { amount } } } } }""", {"id": gid})
        amounts = [Decimal(r["totalRefundedSet"]["shopMoney"]["amount"])
                   for r in refunds["order"]["refunds"]]
        assert amounts == [Decimal("3.10")]
        cli.ok("sync")  # nothing goes twice
        assert w.written()[gid] == {"fulfillment": 1, "tracking_update": 0, "refund": 1}
