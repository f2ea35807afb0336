"""The commands that read: ``demo seed``, ``sync``, ``orders`` (table, JSON, CSV, filters,
sorts, a cut listing) and ``show``, with supplier data printed inert."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import pytest

from ordertui.cli import common
from ordertui.config import load
from ordertui.domain.states import OrderStatus
from ordertui.services import Services, serialize
from support.cli import ORDERS, SUMMARY_KEYS, Cli, store_execute

# --- demo seed, sync, orders -------------------------------------------------------------------

def test_demo_seed_gives_exactly_n_orders(cli: Cli) -> None:
    assert len(cli.orders()) == ORDERS
    out = cli.ok("demo", "seed", "--orders", "40", "--seed", "5").stdout
    assert "40 orders" in out
    rows = cli.orders()
    assert len(rows) == 40 and {r["supplier"] for r in rows} == {"demo"}
    assert cli.ok("orders").stderr.startswith("40 of 40 orders")
    cli.ok("demo", "seed", "--orders", "0")
    assert cli.orders() == []


def test_sync(cli: Cli) -> None:
    result = cli.ok("sync")
    assert "synced 0 orders" in result.stderr
    soid = cli.first("processing")["supplier_order_id"]
    cli.engine.request_cancellation(soid, "asked on the web", "web-key")
    result = cli.ok("sync", "--supplier", "demo")
    assert "synced 1 order in" in result.stderr
    cli.fails(2, "sync", "--supplier", "nope", match="no supplier named 'nope'")


def test_sync_shows_progress_only_on_a_terminal(cli: Cli,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    assert "\r" not in cli.ok("demo", "seed", "--orders", "30").stderr
    monkeypatch.setattr(common, "stderr_is_tty", lambda: True)
    result = cli.ok("demo", "seed", "--orders", "30")
    assert "\rseeding the demo supplier: 30/30 (100%)" in result.stderr
    assert result.stdout.startswith("the demo supplier has 30 orders")


def test_orders_json(cli: Cli) -> None:
    rows = cli.orders()
    assert len(rows) == ORDERS
    for r in rows:
        assert set(r) >= SUMMARY_KEYS
        assert isinstance(r["id"], int) and r["supplier"] == "demo"
        assert datetime.fromisoformat(r["created_at"]).utcoffset() is not None
        for money in ("total_cost", "total_price"):
            assert isinstance(r[money], str) and len(r[money].split(".")[1]) == 2
        assert r["currency"] == "USD"
        assert r["cancellation"] is None or isinstance(r["cancellation"], str)
        assert r["dispute"] is None or isinstance(r["dispute"], str)
    created = [r["created_at"] for r in rows]
    assert created == sorted(created, reverse=True)  # newest first
    assert any(r["dispute"] for r in rows) and any(r["tracking_number"] for r in rows)


def test_orders_filters_and_sorts(cli: Cli) -> None:
    shipped = cli.orders("--status", "shipped")
    assert shipped and {r["status"] for r in shipped} == {"shipped"}
    two = cli.orders("--status", "shipped", "--status", "delivered")
    assert {r["status"] for r in two} == {"shipped", "delivered"}
    assert len(cli.json("orders", "--limit", "7")) == 7
    totals = [float(r["total_price"]) for r in cli.orders("--sort", "total", "--ascending")]
    assert totals == sorted(totals)
    name = cli.orders()[3]["customer_name"]
    found = cli.orders("--search", name)
    assert found and all(name in r["customer_name"] or name.split()[0] in r["customer_name"]
                         for r in found)
    assert cli.orders("--search", "no-such-customer-anywhere") == []
    assert cli.orders("--supplier", "demo") == cli.orders()
    cli.fails(2, "orders", "--supplier", "nope", match="no supplier named")
    attention = cli.orders("--attention")
    assert all(r["cancellation"] == "info_requested" or r["dispute"] == "awaiting_merchant"
               for r in attention)


def test_orders_table_and_csv(cli: Cli) -> None:
    result = cli.ok("orders", "--limit", "5")
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["ID", "Order", "Date", "Status"]
    assert len(lines) == 2 + 5
    assert result.stderr.strip() == f"5 of {ORDERS:,} orders (all orders)"

    out = cli.ok("orders", "--limit", "1000", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == ORDERS and set(rows[0]) >= SUMMARY_KEYS
    by_id = {int(r["id"]): r for r in rows}
    for j in cli.orders():
        assert by_id[j["id"]]["total_cost"] == j["total_cost"]
        assert by_id[j["id"]]["customer_name"] == j["customer_name"]
    assert list(rows[0]) == list(serialize.SUMMARY_KEYS)
    empty = cli.ok("orders", "--search", "nothing-like-this", "--format", "csv").stdout
    assert next(csv.reader(io.StringIO(empty))) == list(serialize.SUMMARY_KEYS)


def test_a_cut_listing_says_so_and_all_lists_every_order(cli: Cli) -> None:
    result = cli.ok("orders", "--format", "json")
    assert len(json.loads(result.stdout)) == 50
    assert result.stderr.strip() == (f"ordertui: 50 of {ORDERS} orders (all orders); "
                                     "--limit N or --all for more")
    every = cli.ok("orders", "--format", "json", "--all")
    assert [r["id"] for r in json.loads(every.stdout)] == \
        [r["id"] for r in json.loads(cli.ok("orders", "--format", "json",
                                            "--limit", "1000").stdout)]
    assert len(json.loads(every.stdout)) == ORDERS and every.stderr == ""
    rows = list(csv.reader(io.StringIO(cli.ok("orders", "--format", "csv", "--all").stdout)))
    assert len(rows) == ORDERS + 1 and rows[0] == list(serialize.SUMMARY_KEYS)
    assert cli.ok("orders", "--format", "csv", "--limit", "500").stderr == ""
    assert cli.ok("orders", "--all").stderr.startswith(f"{ORDERS} of {ORDERS} orders")
    # the JSON written as it is read is laid out as a short listing's
    few = cli.ok("orders", "--format", "json", "--limit", "3").stdout
    assert few == serialize.dumps(json.loads(few)) + "\n"


# --- show --------------------------------------------------------------------------------------

def test_show_by_every_kind_of_id(cli: Cli) -> None:
    row = cli.first("delivered")
    by_id = cli.json("show", str(row["id"]))
    assert cli.json("show", row["name"]) == by_id
    assert cli.json("show", row["name"].lstrip("#")) == by_id
    assert cli.json("show", row["supplier_order_id"]) == by_id
    assert set(by_id) >= SUMMARY_KEYS
    assert {k: by_id[k] for k in SUMMARY_KEYS if k not in ("cancellation", "dispute")} == {
        k: row[k] for k in SUMMARY_KEYS if k not in ("cancellation", "dispute")}
    for item in by_id["items"]:
        assert {"title", "variant", "sku", "quantity", "unit_cost", "unit_price"} <= set(item)
        assert isinstance(item["unit_cost"], str) and isinstance(item["quantity"], int)
    assert {"name", "email", "phone", "address"} <= set(by_id["customer"])
    assert by_id["customer"]["address"]["country"] == row["country"]
    assert by_id["tracking_events"] and {"at", "description"} <= set(by_id["tracking_events"][0])
    assert "audit" in by_id and by_id["cancellation"] is None

    text = cli.ok("show", str(row["id"])).stdout
    assert row["name"] in text and row["customer_name"] in text
    assert row["tracking_number"] in text and "Items" in text

    for bad in ("nope", "#999999", "999999"):
        cli.fails(2, "show", bad, match="no order")


def test_show_with_dispute_and_cancellation(cli: Cli) -> None:
    disputed = next(r for r in cli.orders() if r["dispute"])
    shown = cli.json("show", str(disputed["id"]))
    d = shown["dispute"]
    assert {"state", "reason", "amount", "messages"} <= set(d)
    assert d["state"] == disputed["dispute"] and isinstance(d["amount"], str)
    assert d["messages"] and {"author", "body", "at"} <= set(d["messages"][0])
    cancelled = cli.first("cancelled")
    c = cli.json("show", str(cancelled["id"]))["cancellation"]
    assert {"state", "reason", "history"} <= set(c) and c["state"] == "approved"


def test_show_leaves_out_an_empty_e_mail(cli: Cli) -> None:
    target = cli.first("processing")
    store_execute(cli, "UPDATE orders SET customer_email = '' WHERE id = ?", (target["id"],))
    out = cli.ok("show", str(target["id"])).stdout
    line = next(x for x in out.splitlines() if x.startswith("Customer"))
    assert "<" not in line and target["customer_name"] in line


# --- hostile data stays inert --------------------------------------------------------------------

HOSTILE = "=HYPERLINK(\"x\")\x1b]0;pwned\x07\x1b[2J\u202eevil\u061c\U000e0041\x9b"


def test_hostile_supplier_data_is_shown_inert(cli: Cli) -> None:
    row = cli.first("delivered")
    store_execute(cli, "UPDATE orders SET customer_name = ?, carrier = ? WHERE id = ?",
                  (HOSTILE, HOSTILE, row["id"]))
    oid = str(row["id"])
    raw = "\x1b\x07\u202e\u061c\U000e0041\x9b"
    for args in (["orders", "--limit", "1000"], ["show", oid], ["dispute", "list"]):
        out = cli.ok(*args).stdout
        assert not any(ch in out for ch in raw), args
    for args in (["orders", "--limit", "1000", "--format", "json"],
                 ["show", oid, "--format", "json"]):
        out = cli.ok(*args).stdout
        assert not any(ch in out for ch in raw), args
        parsed = json.loads(out)
        record = parsed if isinstance(parsed, dict) else next(
            r for r in parsed if r["id"] == row["id"])
        assert record["customer_name"] == HOSTILE  # the data itself is kept as it came
    out = cli.ok("orders", "--limit", "1000", "--format", "csv").stdout
    cells = [r["customer_name"] for r in csv.DictReader(io.StringIO(out))]
    assert not any(c.startswith("=") for c in cells)  # no formula for a spreadsheet


def test_a_cancelled_order_counts_for_nothing_and_says_what_it_owes(cli: Cli) -> None:
    row = cli.first("processing")
    s = Services(load(cli.config, cli.data))
    s.store.set_order_status(row["id"], OrderStatus.CANCELLED)  # the supplier cancelled it
    s.store.close()
    [listed] = [r for r in cli.orders("--status", "cancelled") if r["id"] == row["id"]]
    assert (listed["total_price"], listed["total_cost"], listed["profit"]) == (
        "0.00", "0.00", "0.00")
    assert listed["customer_paid"] == row["total_price"] and listed["refund_due"] is True
    table = cli.ok("orders", "--status", "cancelled", "--limit", "1000").stdout
    [line] = [x for x in table.splitlines() if x.split()[:1] == [str(row["id"])]]
    assert line.rstrip().endswith("refund-due")
    shown = cli.ok("show", str(row["id"])).stdout
    assert "cancelled, so it counts for nothing" in shown
    assert f"${row['total_price']} still to refund to the customer" in shown
    money = cli.json("show", str(row["id"]), "--format", "json")["money"]
    assert money["owed_to_customer"] == money["paid"] == row["total_price"]
    assert money["net"] == "0.00" and money["cancelled"] is True
