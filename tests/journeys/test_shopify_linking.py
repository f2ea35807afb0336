"""Supplier orders meeting the Shopify orders they were placed for, with the simulators over
real sockets: CJ's orders link by themselves (CJ carries the shop order's name and line ids),
AliExpress's are only ever suggested with reasons and linked by the merchant (``ordertui
link`` / ``unlink``), and a linked order's money is the shop's — revenue, cost and profit in
the shop's currency, converted at the config's rate or the ECB's, unknown without a rate."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ordertui.domain.money import Money
from ordertui.domain.query import OrderQuery
from ordertui.domain.shop import LinkSource
from ordertui.http import RetryPolicy
from ordertui.services.core import Services
from ordertui.simulators.aliexpress import AliExpressSimulator
from ordertui.simulators.common import start_in_thread
from ordertui.simulators.ecb import EcbSimConfig, EcbSimulator
from ordertui.simulators.shopify import DEFAULT_TOKEN
from support.cli import Cli
from support.shopify_env import TOKEN_ENV, ShopWorld, synced, world

CENT = Decimal("0.01")


@pytest.fixture(autouse=True)
def _token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, DEFAULT_TOKEN)


def order_ids(s: Services) -> list[int]:
    return sorted(i for batch in s.store.iter_ids(OrderQuery(), batch=5000) for i in batch)


def cli_of(w: ShopWorld) -> Cli:
    return Cli(CliRunner(), w.write_config(), w.tmp / "data")


def by_id(rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {int(r["id"]): r for r in rows}


# --- linking --------------------------------------------------------------------------------

async def test_cj_orders_link_to_their_shop_orders_by_themselves(tmp_path: Path) -> None:
    with world(tmp_path, cj=25) as w:
        s = await synced(w)
        try:
            ids = order_ids(s)
            assert len(ids) == 25
            names = {w.sim.office.base(i).name: w.sim.office.base(i) for i in range(25)}
            for order_id in ids:
                order = s.store.get_order(order_id)
                link = s.store.link_of(order_id)
                assert link is not None and link.source is LinkSource.AUTO, order.name
                shop = s.store.shop_order(link.shop_order)
                assert shop is not None and shop.name == order.name
                assert shop.shop_order_id == names[order.name].order_id
            # CJ lists orders without their lines; with the details (as the app reads them
            # in the background), each line meets the shop line CJ names (storeLineItemId)
            while await s.fill_details(budget=50):
                pass
            detailed = [i for i in ids if s.store.get_order(i).items]
            assert len(detailed) > len(ids) // 2  # all but the cancelled ones
            for order_id in detailed:
                order = s.store.get_order(order_id)
                link = s.store.link_of(order_id)
                assert link is not None
                shop = s.store.shop_order(link.shop_order)
                assert shop is not None
                assert {n: line.rpartition("/")[2] for n, line in link.lines.items()} == \
                    {n: i.shop_line_id for n, i in enumerate(order.items)}
                assert sorted(link.lines.values()) == sorted(x.line_id for x in shop.lines)
        finally:
            await s.aclose()
        rows = by_id(cli_of(w).orders())
        for row in rows.values():
            assert row["shop"] == "main" and row["shop_order"] == row["name"]
            assert row["shop_order_id"].startswith("gid://shopify/Order/")
            assert row["currency"] == "USD"


async def test_aliexpress_orders_are_only_suggested_then_linked_by_command(
        tmp_path: Path) -> None:
    with world(tmp_path, ae=20, shop_of="ae") as w:
        ae = w.suppliers["ae"].sim
        assert isinstance(ae, AliExpressSimulator)
        s = w.services()
        try:
            added = await s.add_orders("ae", ae.order_ids())
            assert len(added.orders) == 20 and added.failed == {}
            report = await s.sync()
            assert report.errors == {} and report.linked == 0
            ids = order_ids(s)
            assert all(s.store.link_of(i) is None for i in ids)  # never guessed silently
            # AliExpress says neither whom it ships to nor the shop's order: what was sold
            # and when; the shop order it was placed for is among the suggestions
            truth = {}
            for order_id in ids:
                order = s.store.get_order(order_id)
                idx = ae.order_ids().index(order.supplier_order_id)
                truth[order_id] = w.sim.office.base(idx).name
                found = s.shops.suggestions(order_id)
                mine = [x for x in found if x.name == truth[order_id]]
                assert mine, (order.supplier_order_id, found)
                assert "a SKU in common" in mine[0].reasons or \
                    "SKUs in common" in mine[0].reasons
                assert any(r.startswith("placed ") for r in mine[0].reasons)
            assert all(s.store.link_of(i) is None for i in ids)  # suggesting links nothing
        finally:
            await s.aclose()

        cli = cli_of(w)
        target = ids[0]
        listed = cli.ok("link", str(target)).stdout
        assert truth[target] in listed and "placed " in listed
        assert by_id(cli.orders())[target]["shop"] is None
        said = cli.ok("link", str(target), "--shop-order", truth[target]).stdout
        assert f"linked to {truth[target]} of main" in said
        row = by_id(cli.orders())[target]
        assert row["shop"] == "main" and row["shop_order"] == truth[target]
        assert row["shop_order_id"].startswith("gid://shopify/Order/")
        s = w.services()
        try:
            shop = s.shops.find_shop_order(truth[target])
            link = s.shops.shop_link(target)
            assert link is not None and link.source is LinkSource.MANUAL
            assert row["total_price"] == link.revenue.plain()
            assert row["currency"] == shop.currency == "USD"
            assert Decimal(row["total_price"]) > 0
            assert Decimal(row["profit"]) == Decimal(row["total_price"]) - \
                Decimal(row["total_cost"])
        finally:
            await s.aclose()
        assert "unlinked" in cli.ok("unlink", str(target)).stdout
        row = by_id(cli.orders())[target]
        assert (row["shop"], row["shop_order_id"], row["shop_order"]) == (None, None, None)
        assert row["total_price"] == "0.00"  # AliExpress knows no sale price
        assert cli.fails(2, "unlink", str(target), match="linked to no shop order")


# --- profit ----------------------------------------------------------------------------------

def check_profit(rows: dict[int, dict[str, Any]], currency: str) -> None:
    for row in rows.values():
        assert row["currency"] == currency and row["shop"] == "main"
        # a cancelled order's money counts for nothing
        assert (Decimal(row["total_price"]) > 0) is (row["status"] != "cancelled"), row
        assert Decimal(row["profit"]) == Decimal(row["total_price"]) - \
            Decimal(row["total_cost"])


async def test_profit_in_one_currency_is_revenue_less_cost(tmp_path: Path) -> None:
    with world(tmp_path, cj=15) as w:
        s = await synced(w)
        try:
            revenue = {i: s.shops.shop_link(i) for i in order_ids(s)}
        finally:
            await s.aclose()
        rows = by_id(cli_of(w).orders())
        check_profit(rows, "USD")
        for order_id, row in rows.items():
            link = revenue[order_id]
            assert link is not None
            if row["status"] == "cancelled":
                continue
            assert row["total_price"] == link.revenue.plain()
            assert row["total_cost"] == row["supplier_charged"]  # no conversion
            assert link.rate is None or link.rate == 1


async def test_profit_in_two_currencies_at_the_configs_rate(tmp_path: Path) -> None:
    with world(tmp_path, cj=15, currency="EUR") as w:
        w.extra = {"exchange_rates": {"USD-EUR": 0.92}}
        s = await synced(w)
        await s.aclose()
        rows = by_id(cli_of(w).orders())
        check_profit(rows, "EUR")
        for row in rows.values():
            if row["status"] == "cancelled":
                continue
            cost = (Decimal(row["supplier_charged"]) * Decimal("0.92")).quantize(CENT)
            assert Decimal(row["total_cost"]) == cost


async def test_profit_in_two_currencies_at_the_ecbs_rate(tmp_path: Path) -> None:
    today = datetime.now(UTC).date()
    ecb = start_in_thread(EcbSimulator(EcbSimConfig(today=today)))
    try:
        with world(tmp_path, cj=15, currency="EUR") as w:
            s = w.services()
            s.fx.base_url = ecb.base_url
            try:
                report = await s.sync()
                assert report.errors == {} and report.notes == []
                assert ecb.stats()["counters"]["requests"] >= 1
                expected = {}
                for order_id in order_ids(s):
                    order = s.store.get_order(order_id)
                    rate = s.fx.rate("USD", "EUR", order.created_at.date())
                    assert rate is not None and rate.source.startswith("ECB ")
                    expected[order_id] = rate.apply(order.total_cost)
            finally:
                await s.aclose()
            rows = by_id(cli_of(w).orders())
            check_profit(rows, "EUR")
            for order_id, row in rows.items():
                if row["status"] != "cancelled":
                    assert Money(Decimal(row["total_cost"]), "EUR") == expected[order_id]
    finally:
        ecb.stop()


async def test_without_a_rate_profit_is_unknown_and_says_why(tmp_path: Path) -> None:
    with socket.socket() as nothing:  # the ECB unreachable: a port nobody listens on
        nothing.bind(("127.0.0.1", 0))
        port = nothing.getsockname()[1]
    with world(tmp_path, cj=10, currency="EUR") as w:
        s = w.services()
        s.fx.base_url = f"http://127.0.0.1:{port}/stats/eurofxref"
        s.fx.policy = RetryPolicy(attempts=1, base_s=0.01, cap_s=0.01)
        try:
            report = await s.sync()
            assert report.errors == {}  # no rate is a note, not a failed sync
            assert len(report.notes) == 1
            ids = order_ids(s)
            for order_id in ids:
                link = s.shops.shop_link(order_id)
                assert link is not None and link.cost is None and link.rate is None
                assert "no USD→EUR rate" in link.rate_note, link.rate_note
        finally:
            await s.aclose()
        rows = by_id(cli_of(w).orders())
        assert set(rows) == set(ids)
        for row in rows.values():
            assert row["currency"] == "EUR"
            if row["status"] == "cancelled":
                continue  # it counts for nothing, in any currency
            assert row["profit"] is None and row["total_cost"] is None
