"""The shop's commands on the demo and the demo shop that comes with it: ``sync --shop``,
``shop-orders`` (table, JSON, CSV; "To order" by default, --unlinked, --shop), ``link`` and
``unlink``, and the shop's fields in ``orders --format json``: a linked order's total is
what its shop sold it for, in the shop's currency, and an unlinked order's shop fields are
null. Bad input is one line on stderr, never a traceback (checked by ``Cli``)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ordertui.config import load
from ordertui.services.core import Services
from support.cli import ORDERS, Cli
from support.shop import shop_order

SHOP_ORDER_FIELDS = {"id", "shop", "shop_order_id", "name", "created_at", "financial_status",
                     "fulfillment_status", "total_price", "currency", "supplier_orders"}


@pytest.fixture
def synced(cli: Cli) -> Cli:
    """The demo seeded, and its shop's orders brought and linked."""
    result = cli.ok("sync", "--shop", "demo")
    assert result.stderr.startswith("synced 0 orders, ")
    assert f"shop orders ({ORDERS} linked)" in result.stderr
    return cli


def rows_of(cli: Cli, *args: str) -> list[dict[str, Any]]:
    return list(cli.json("shop-orders", *args))


def order_row(cli: Cli, order_id: int) -> dict[str, Any]:
    return next(r for r in cli.orders("--all") if r["id"] == order_id)


def with_services(cli: Cli) -> Services:
    return Services(load(cli.config, cli.data))


def test_sync_brings_the_shops_orders_and_links_them(cli: Cli) -> None:
    assert rows_of(cli, "--unlinked") == []  # seeded: the shop's orders are not here yet
    result = cli.ok("sync", "--shop", "demo")
    assert f"shop orders ({ORDERS} linked)" in result.stderr
    sent = result.stdout.count("Send tracking to the shop: sent to the shop demo")
    assert sent > 0
    # the next sync brings back the shop orders the tracking changed, and sends nothing
    again = cli.ok("sync", "--shop", "demo")
    assert again.stderr.startswith(f"synced 0 orders, {sent} shop orders (0 linked)")
    assert "Send tracking" not in again.stdout  # each sent once
    third = cli.ok("sync", "--shop", "demo")
    assert third.stderr.startswith("synced 0 orders, 0 shop orders (0 linked)")
    cli.fails(2, "sync", "--shop", "nope", match="no shop named 'nope'; configured: demo")


def test_shop_orders_to_order_in_every_format(synced: Cli) -> None:
    waiting = rows_of(synced)
    assert waiting, "the demo shop has orders waiting to be ordered"
    for r in waiting:
        assert set(r) >= SHOP_ORDER_FIELDS
        assert r["shop"] == "demo" and r["currency"] == "USD"
        assert r["financial_status"] in {"paid", "partially_paid", "partially_refunded"}
        assert r["fulfillment_status"] in {"unfulfilled", "partially_fulfilled",
                                           "in_progress", "scheduled"}
        assert r["supplier_orders"] == [] and Decimal(r["total_price"]) > 0
        assert r["shop_order_id"].startswith("gid://shopify/Order/")
    created = [datetime.fromisoformat(r["created_at"]) for r in waiting]
    assert created == sorted(created)  # oldest first

    table = synced.ok("shop-orders")
    header, _rule, *lines = table.stdout.splitlines()
    assert header.split()[:4] == ["ID", "Shop", "Order", "Age"]
    assert [line.split()[2] for line in lines] == [r["name"] for r in waiting]
    assert all(f"{r['age_days']}d" in line for r, line in zip(waiting, lines, strict=True))
    assert table.stderr.strip() == f"{len(waiting)} of {len(waiting)} shop orders to order"

    text = synced.ok("shop-orders", "--format", "csv").stdout
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert set(parsed[0]) >= SHOP_ORDER_FIELDS
    assert [(r["name"], r["total_price"], r["supplier_orders"]) for r in parsed] == \
        [(r["name"], r["total_price"], "") for r in waiting]

    # --unlinked: every shop order no supplier order covers, paid or not
    unlinked = rows_of(synced, "--unlinked")
    assert {r["name"] for r in waiting} <= {r["name"] for r in unlinked}
    assert any(r["financial_status"] == "pending" for r in unlinked)
    assert rows_of(synced, "--shop", "demo") == waiting
    synced.fails(2, "shop-orders", "--shop", "nope", match="no shop named 'nope'")


def test_link_and_unlink_by_command(synced: Cli) -> None:
    first = order_row(synced, 1)
    assert (first["shop"], first["shop_order"]) == ("demo", "#1001")
    everything = rows_of(synced, "--all")
    linked_to = next(r for r in everything if r["name"] == "#1001")
    assert linked_to["supplier_orders"] == [1]

    assert synced.ok("unlink", "1").stdout.strip() == "#1001: unlinked"
    gone = order_row(synced, 1)
    assert (gone["shop"], gone["shop_order_id"], gone["shop_order"]) == (None, None, None)
    assert gone["total_price"] == gone["customer_paid"]  # the supplier's own figures again
    assert "#1001" in {r["name"] for r in rows_of(synced, "--unlinked")}
    synced.fails(2, "unlink", "1", match="#1001 is linked to no shop order")

    # the pair just unlinked is not proposed again (nor linked again by a sync)
    synced.fails(1, "link", "1", match="no shop order looks like #1001's")
    s = with_services(synced)
    try:
        s.store.allow_link(1, linked_to["id"])  # as if it had never been linked
    finally:
        asyncio.run(s.aclose())
    suggested = synced.ok("link", "1")
    assert suggested.stdout.splitlines()[0] == (
        "#1001  1.00  the same customer, the same postcode, a SKU in common, "
        "placed the same day")
    assert "ordertui link 1 --shop-order NAME" in suggested.stderr
    assert order_row(synced, 1)["shop"] is None  # listing is not linking

    synced.fails(2, "link", "1", "--shop-order", "#nope", match="no shop order '#nope'")
    synced.fails(2, "link", "99999", "--shop-order", "#1001", match="no order '99999'")
    assert synced.ok("link", "1", "--shop-order", "#1001").stdout.strip() == \
        "#1001: linked to #1001 of demo"
    back = order_row(synced, 1)
    assert (back["shop"], back["shop_order_id"], back["shop_order"]) == \
        ("demo", linked_to["shop_order_id"], "#1001")
    assert back == first  # the same money as when it was linked on sync


def test_orders_json_shows_the_shops_sale_and_currency(synced: Cli) -> None:
    rows = synced.orders("--all")
    assert len(rows) == ORDERS
    for r in rows:
        assert {"shop", "shop_order_id", "shop_order"} <= set(r)
    linked = [r for r in rows if r["shop"] is not None]
    assert len(linked) == ORDERS
    # the sale is the shop's (its lines after discounts with their shipping, no taxes), what
    # the customer paid at the shop too (cancelled or not), not the supplier record's price
    for r in linked:
        if r["status"] != "cancelled":
            assert r["total_price"] == r["customer_paid"]
        assert r["supplier_currency"] == "USD"
    for r in linked:
        if r["total_cost"] is not None and r["status"] != "cancelled":
            assert Decimal(r["profit"]) == Decimal(r["total_price"]) - Decimal(r["total_cost"])

    # a shop selling in euros: the linked order's total and currency are the shop's
    s = with_services(synced)
    try:
        created = s.order(2).created_at - timedelta(hours=3)
        s.store.apply_shop_page("demo", [shop_order(
            990, shop="demo", currency="EUR", lines=(("X", "Lamp", 1, "20.00"),),
            shipping="3.00", created_at=created.astimezone(UTC))], None, keep_cursor=True)
        s.shops.unlink(2)
        s.shops.link(2, "#990")
    finally:
        asyncio.run(s.aclose())
    row = order_row(synced, 2)
    assert (row["shop_order"], row["currency"], row["total_price"]) == ("#990", "EUR", "23.00")
    assert row["total_cost"] is None and row["profit"] is None  # no USD→EUR rate: unknown
    assert (row["customer_paid"], row["supplier_currency"]) == ("23.00", "USD")


def test_show_names_the_shop_order_and_its_sale(synced: Cli) -> None:
    row = order_row(synced, 1)
    text = synced.ok("show", "1").stdout
    assert "Shop order   #1001 at demo (linked automatically) · " in text
    assert f"customer paid ${row['total_price']}" in text
    assert f"profit ${row['profit']}" in text
    data = json.loads(synced.ok("show", "1", "--format", "json").stdout)
    assert data["shop"]["name"] == "#1001" and data["shop"]["linked"] == "auto"
    assert (data["shop"]["revenue"], data["shop"]["currency"]) == (row["total_price"], "USD")
    assert data["shop"]["rate_note"] == "same currency"
    synced.ok("unlink", "1")
    assert json.loads(synced.ok("show", "1", "--format", "json").stdout)["shop"] is None
    assert "Shop order" not in synced.ok("show", "1").stdout
