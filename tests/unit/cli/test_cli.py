"""The headless CLI: every command, its bad-input paths and exit codes (0 success, 1
failure, 2 bad usage or input), one line on stderr for an error and never a traceback."""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner, Result

from ordertui import __version__
from ordertui.cli import actions, common, main_group
from ordertui.services import serialize
from ordertui.simulators.demo import DemoEngine

ORDERS = 120
CONFIG = f"""
[suppliers.demo]
kind = "demo"
review_delay_s = 600
orders = {ORDERS}
seed = 5
"""

SUMMARY_KEYS = {"id", "supplier", "supplier_order_id", "status", "created_at", "customer_name",
                "country", "total_cost", "total_price", "currency", "tracking_number",
                "cancellation", "dispute"}


@dataclass
class Cli:
    runner: CliRunner
    config: Path
    data: Path

    def __call__(self, *args: str, input: str | None = None) -> Result:
        result = self.runner.invoke(
            main_group, ["--config", str(self.config), "--data-dir", str(self.data), *args],
            input=input, catch_exceptions=True)
        # never a traceback: only SystemExit may end a command
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"{args}: {result.exception!r}") from result.exception
        assert "Traceback" not in result.output
        return result

    def ok(self, *args: str, input: str | None = None) -> Result:
        result = self(*args, input=input)
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
        return result

    def fails(self, code: int, *args: str, match: str = "") -> str:
        """Run a command that must fail with ``code``; returns its one-line error."""
        result = self(*args)
        assert result.exit_code == code, (args, result.exit_code, result.stdout,
                                          result.stderr)
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("ordertui: "), result.stderr
        assert match.lower() in lines[0].lower(), lines[0]
        return lines[0]

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--format", "json").stdout)

    @property
    def engine(self) -> DemoEngine:
        return DemoEngine(self.data / "suppliers" / "demo" / "state.sqlite3")

    def supplier_decides(self) -> Result:
        """Let the demo supplier's reviews come due and sync its answers in."""
        self.engine.shift_clock_for_tests(10_000)
        return self.ok("sync")

    def orders(self, *args: str) -> list[dict[str, Any]]:
        return list(self.json("orders", "--limit", "1000", *args))

    def first(self, status: str, **state: Any) -> dict[str, Any]:
        for row in self.orders("--status", status, "--ascending"):
            if all(row[k] == v for k, v in state.items()):
                return row
        raise AssertionError(f"no {status} order with {state}")


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    c = Cli(CliRunner(), config, tmp_path / "data")
    c.ok("demo", "seed", "--orders", str(ORDERS), "--seed", "5")
    return c


def store_con(cli: Cli) -> sqlite3.Connection:
    return sqlite3.connect(cli.data / "store.sqlite3")


# --- basics ----------------------------------------------------------------------------------

def test_version_and_help(tmp_path: Path) -> None:
    runner = CliRunner()
    for flag in ("--version", "-V"):
        result = runner.invoke(main_group, [flag])
        assert result.exit_code == 0 and result.stdout == f"ordertui {__version__}\n"
    assert not (tmp_path / "home" / ".local").exists()  # --version touches nothing on disk
    result = runner.invoke(main_group, ["--help"])
    assert result.exit_code == 0
    for command in ("demo", "sync", "orders", "show", "cancel", "cancel-reply", "dispute",
                    "record", "add", "outbox"):
        assert command in result.stdout
        assert runner.invoke(main_group, [command, "--help"]).exit_code == 0
    for sub in ("open", "reply", "escalate", "accept", "withdraw", "list"):
        assert runner.invoke(main_group, ["dispute", sub, "--help"]).exit_code == 0


@pytest.mark.parametrize("args", [
    ["nosuchcommand"], ["orders", "--limit", "0"], ["orders", "--limit", "many"],
    ["orders", "--status", "lost"], ["orders", "--format", "xml"], ["orders", "--sort", "x"],
    ["show"], ["cancel", "1"], ["dispute", "open", "1", "--reason", "other"],
    ["dispute", "list", "--state", "nope"], ["record", "1", "--dispute", "nope"],
    ["demo", "seed"], ["demo", "seed", "--orders", "-1"], ["demo", "seed", "--orders", "x"],
    ["add", "--supplier", "demo"], ["show", "1", "--format", "yaml"],
])
def test_bad_usage_is_exit_2_and_one_line(tmp_path: Path, args: list[str]) -> None:
    config = tmp_path / "c.toml"
    config.write_text(CONFIG)
    Cli(CliRunner(), config, tmp_path / "data").fails(2, *args)


def test_config_errors_are_one_line(tmp_path: Path) -> None:
    missing = Cli(CliRunner(), tmp_path / "missing.toml", tmp_path / "d")
    missing.fails(2, "orders", match="no such file")
    bad = tmp_path / "bad.toml"
    bad.write_text('[suppliers.demo]\nkind = "demo"\nreview_delay_s = "soon"\n')
    Cli(CliRunner(), bad, tmp_path / "d").fails(2, "orders",
                                                 match="line 3, key suppliers.demo.review_delay")
    bad.write_text("[app\n")
    Cli(CliRunner(), bad, tmp_path / "d").fails(2, "sync", match="not valid TOML")


def test_disk_problems_are_one_line(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(CONFIG)
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "store.sqlite3").write_bytes(b"this is not a database" * 100)
    Cli(CliRunner(), config, damaged).fails(1, "orders", match="not a database")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    Cli(CliRunner(), config, blocker / "sub").fails(1, "orders")


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
    assert "synced 1 orders" in result.stderr
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


# --- cancel and cancel-reply ---------------------------------------------------------------------

def test_cancel_refuses_without_a_terminal_or_yes(cli: Cli) -> None:
    row = cli.first("processing", cancellation=None)
    cli.fails(2, "cancel", str(row["id"]), "--reason", "wrong size", match="not a terminal")
    assert cli.json("show", str(row["id"]))["cancellation"] is None
    assert cli.engine.action_counts() == {}
    assert "nothing waiting" in cli.ok("outbox").stderr


class _Tty:
    def isatty(self) -> bool:
        return True


def test_cancel_asks_on_a_terminal(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(actions, "sys", SimpleNamespace(stdin=_Tty(), stdout=_Tty()))
    row = cli.first("processing", cancellation=None)
    no = cli("cancel", str(row["id"]), "--reason", "wrong size", input="n\n")
    assert no.exit_code == 1 and "nothing was sent" in no.stderr
    assert "Request cancellation" in no.stdout and row["name"] in no.stdout
    assert cli.engine.action_counts() == {}
    yes = cli.ok("cancel", str(row["id"]), "--reason", "wrong size", input="y\n")
    assert f"{row['name']}: cancellation requested" in yes.stdout
    assert cli.engine.action_counts() == {"cancel": 1}


def test_cancel_and_the_suppliers_answer(cli: Cli) -> None:
    rows = [r for r in cli.orders("--status", "processing") if r["cancellation"] is None][:8]
    assert len(rows) >= 4
    for r in rows:
        out = cli.ok("cancel", str(r["id"]), "--reason", "customer changed mind", "--yes")
        assert out.stdout.strip() == f"{r['name']}: cancellation requested"
    assert cli.engine.action_counts() == {"cancel": len(rows)}
    events = cli.supplier_decides().stdout
    states = {r["id"]: cli.json("show", str(r["id"]))["cancellation"]["state"] for r in rows}
    assert set(states.values()) <= {"approved", "info_requested"}
    assert "cancellation approved" in events or "cancellation info requested" in events
    audit = cli.json("show", str(rows[0]["id"]))["audit"]
    assert {"actor": "merchant", "action": "cancel"}.items() <= audit[0].items()
    assert "customer changed mind" in audit[0]["detail"]
    assert any(a["actor"] == "supplier" for a in audit)  # its answer is on record too
    for oid, state in states.items():
        if state == "approved":
            assert cli.json("show", str(oid))["status"] == "cancelled"

    asked = [oid for oid, s in states.items() if s == "info_requested"]
    approved = [oid for oid, s in states.items() if s == "approved"]
    assert approved
    cli.fails(2, "cancel-reply", str(approved[0]), "--message", "x",
              match="has not asked for details")
    cli.fails(2, "cancel", str(approved[0]), "--reason", "again", "--yes",
              match="can no longer be cancelled")
    assert asked  # the seed gives both outcomes
    out = cli.ok("cancel-reply", str(asked[0]), "--message", "It was a duplicate order.")
    assert "cancellation requested" in out.stdout
    cli.supplier_decides()
    assert cli.json("show", str(asked[0]))["cancellation"]["state"] == "approved"


def test_cancel_bad_input(cli: Cli) -> None:
    shipped = cli.first("shipped", cancellation=None)
    cli.fails(2, "cancel", str(shipped["id"]), "--reason", "x", "--yes",
              match="is shipped and can no longer be cancelled")
    processing = cli.first("processing", cancellation=None)
    cli.fails(2, "cancel", str(processing["id"]), "--reason", "   ", "--yes",
              match="reason must not be empty")
    cli.fails(2, "cancel", "no-such-order", "--reason", "x", "--yes", match="no order")
    cli.ok("cancel", str(processing["id"]), "--reason", "first", "--yes")
    cli.fails(2, "cancel", str(processing["id"]), "--reason", "second", "--yes",
              match="already has a cancellation request")
    cli.fails(2, "cancel-reply", str(processing["id"]), "--message", "x",
              match="has not asked")
    cli.fails(2, "cancel-reply", str(processing["id"]), "--message", "",
              match="must not be empty")
    assert cli.engine.action_counts() == {"cancel": 1}


# --- disputes ------------------------------------------------------------------------------------

def test_dispute_open_and_follow(cli: Cli, tmp_path: Path) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8 not really a jpeg")
    row = cli.first("delivered", dispute=None)
    oid = str(row["id"])
    out = cli.ok("dispute", "open", oid, "--reason", "not_as_described", "--amount",
                 row["total_cost"], "--description", "Scratched", "--evidence", str(photo))
    assert out.stdout.strip() == f"{row['name']}: dispute open"
    shown = cli.json("show", oid)["dispute"]
    assert shown["amount"] == row["total_cost"] and shown["evidence"][0]["name"] == "photo.jpg"
    cli.fails(2, "dispute", "open", oid, "--reason", "other", "--amount", "1",
              "--description", "again", match="already has an open dispute")
    cli.fails(2, "dispute", "escalate", oid, match="not possible now")
    cli.fails(2, "dispute", "accept", oid, match="not possible now")
    out = cli.ok("dispute", "reply", oid, "--message", "More photos on request.")
    assert out.stdout.strip() == f"{row['name']}: dispute awaiting_supplier"
    listed = cli.ok("dispute", "list").stdout
    assert row["name"] in listed and "awaiting_supplier" in listed
    out = cli.ok("dispute", "withdraw", oid)
    assert out.stdout.strip() == f"{row['name']}: dispute withdrawn"
    withdrawn = cli.json("dispute", "list", "--state", "withdrawn")
    assert row["id"] in [d["id"] for d in withdrawn]
    assert all(d["dispute"]["state"] == "withdrawn" for d in withdrawn)
    assert cli.engine.action_counts() == {"dispute_open": 1, "dispute_reply": 1,
                                          "dispute_withdraw": 1}
    assert "nothing waiting" in cli.ok("outbox").stderr
    history = cli.ok("outbox", "--all").stdout
    assert history.count("done") == 3 and "dispute_withdraw" in history


def test_dispute_answers_escalation_and_offers(cli: Cli) -> None:
    rows = [r for r in cli.orders("--status", "delivered") if r["dispute"] is None][:10]
    for r in rows:
        cli.ok("dispute", "open", str(r["id"]), "--reason", "not_received", "--amount", "",
               "--description", "No parcel")
    cli.supplier_decides()
    states = {r["id"]: cli.json("show", str(r["id"]))["dispute"] for r in rows}
    assert {d["state"] for d in states.values()} <= {"resolved_refunded", "awaiting_merchant"}
    offered = [i for i, d in states.items() if d["offer"]]
    refused = [i for i, d in states.items()
               if d["state"] == "awaiting_merchant" and not d["offer"]]
    assert offered and refused  # the seed gives both answers
    out = cli.ok("dispute", "accept", str(offered[0])).stdout
    assert "dispute resolved_refunded, refunded" in out
    target = refused[0]
    assert "dispute escalated" in cli.ok("dispute", "escalate", str(target)).stdout
    cli.supplier_decides()
    final = cli.json("show", str(target))["dispute"]
    assert final["state"] == "resolved_refunded"  # not received: the platform refunds
    assert final["messages"][-1]["author"] == "platform"


def test_dispute_bad_input(cli: Cli, tmp_path: Path) -> None:
    row = cli.first("delivered", dispute=None)
    oid = str(row["id"])
    over = f"{float(row['total_cost']) + 0.01:.2f}"
    cli.fails(2, "dispute", "open", oid, "--reason", "other", "--amount", over,
              "--description", "x", match="cannot be more than")
    cli.fails(2, "dispute", "open", oid, "--reason", "other", "--amount", "abc",
              "--description", "x", match="not an amount")
    cli.fails(2, "dispute", "open", oid, "--reason", "other", "--amount", "0",
              "--description", "x", match="more than 0")
    cli.fails(2, "dispute", "open", oid, "--reason", "other", "--amount", "1",
              "--description", " ", match="description must not be empty")
    cli.fails(2, "dispute", "open", oid, "--reason", "other", "--amount", "1",
              "--description", "x", "--evidence", str(tmp_path / "missing.jpg"),
              match="no file at")
    cli.fails(2, "dispute", "open", oid, "--reason", "other", "--amount", "1",
              "--description", "x", "--evidence", str(tmp_path), match="is not a file")
    cancelled = cli.first("cancelled")
    cli.fails(2, "dispute", "open", str(cancelled["id"]), "--reason", "other",
              "--amount", "1", "--description", "x", match="dispute needs a paid order")
    for sub in ("reply", "escalate", "accept", "withdraw"):
        extra = ["--message", "x"] if sub == "reply" else []
        cli.fails(2, "dispute", sub, oid, *extra, match="has no dispute")
    assert cli.engine.action_counts() == {}
    assert cli.json("dispute", "list", "--state", "open") == []


# --- record, add, outbox -------------------------------------------------------------------------

def test_record_by_hand(cli: Cli) -> None:
    row = cli.first("processing", cancellation=None)
    oid = str(row["id"])
    cli.fails(2, "record", oid, match="exactly one of")
    cli.fails(2, "record", oid, "--cancellation", "approved", "--dispute", "open",
              match="exactly one of")
    out = cli.ok("record", oid, "--cancellation", "approved", "--note", "done on the web")
    assert out.stdout.strip() == f"{row['name']}: cancellation approved (recorded by hand)"
    shown = cli.json("show", oid)
    assert shown["status"] == "cancelled"
    assert shown["cancellation"]["recorded_by_hand"] is True
    assert [h["state"] for h in shown["cancellation"]["history"]] == ["requested", "approved"]
    assert cli.engine.action_counts() == {}  # nothing sent: it happened at the supplier

    delivered = cli.first("delivered", dispute=None)
    did = str(delivered["id"])
    cli.ok("record", did, "--dispute", "awaiting_supplier", "--note", "opened on the web")
    cli.fails(2, "record", did, "--dispute", "awaiting_supplier",
              match="cannot go from awaiting_supplier to awaiting_supplier")
    history = [h["state"] for h in cli.json("show", did)["dispute"]["history"]]
    assert history == ["open", "awaiting_supplier"]
    out = cli.ok("record", did, "--dispute", "resolved_refunded", "--amount", "1.50")
    assert "dispute resolved_refunded (recorded by hand)" in out.stdout
    assert cli.json("show", did)["dispute"]["refunded"] == "1.50"
    cli.fails(2, "record", did, "--dispute", "escalated", "--amount", "999999",
              match="cannot be more than")


def test_add_by_supplier_id(cli: Cli) -> None:
    out = cli.ok("add", "--supplier", "demo", "DM20000003")
    assert out.stdout.strip().startswith("added #1004 (")
    cli.fails(2, "add", "--supplier", "nope", "X1", match="no supplier named")
    cli.fails(1, "add", "--supplier", "demo", "DM99999999", match="not found")


@pytest.fixture
def busy_runner(cli: Cli) -> Iterator[None]:
    """Another session's outbox runner holds the lock."""
    (cli.data / "outbox.lock").touch()
    with open(cli.data / "outbox.lock", "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def test_outbox_while_another_session_sends(cli: Cli, busy_runner: None) -> None:
    row = cli.first("processing", cancellation=None)
    result = cli.ok("cancel", str(row["id"]), "--reason", "later", "--yes")
    assert "queued, not yet sent (another ordertui session is sending it)" in result.stderr
    assert cli.engine.action_counts() == {}
    table = cli.ok("outbox").stdout.splitlines()
    assert table[0].split() == ["#", "Order", "Supplier", "Action", "State", "Tries",
                                "Last", "error"]
    assert "cancel" in table[2] and "pending" in table[2]


# --- hostile data stays inert --------------------------------------------------------------------

HOSTILE = "=HYPERLINK(\"x\")\x1b]0;pwned\x07\x1b[2J\u202eevil\u061c\U000e0041\x9b"


def test_hostile_supplier_data_is_shown_inert(cli: Cli) -> None:
    row = cli.first("delivered")
    con = store_con(cli)
    with con:
        con.execute("UPDATE orders SET customer_name = ?, carrier = ? WHERE id = ?",
                    (HOSTILE, HOSTILE, row["id"]))
    con.close()
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


# --- the real entry point, end to end ------------------------------------------------------------

def _run(*args: str, env: dict[str, str], stdin: Any = subprocess.DEVNULL
         ) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("ordertui")
    return subprocess.run([str(exe), *args], env=env, stdin=stdin, capture_output=True,
                          text=True, timeout=120)


def test_end_to_end_through_the_installed_command(tmp_path: Path) -> None:
    env = dict(os.environ, ORDERTUI_DATA_DIR=str(tmp_path / "data"))
    version = _run("--version", env=env)
    assert (version.returncode, version.stdout) == (0, f"ordertui {__version__}\n")
    module = subprocess.run([sys.executable, "-m", "ordertui", "--version"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert module.stdout == f"ordertui {__version__}\n"

    # nothing configured: the demo supplier, created with 500 orders on first use
    assert _run("sync", env=env).returncode == 0
    rows = json.loads(_run("orders", "--limit", "1000", "--format", "json", env=env).stdout)
    assert len(rows) == 500 and set(rows[0]) >= SUMMARY_KEYS

    seeded = _run("demo", "seed", "--orders", "25", "--seed", "3", env=env)
    assert seeded.returncode == 0, seeded.stderr
    rows = json.loads(_run("orders", "--limit", "1000", "--format", "json", env=env).stdout)
    assert len(rows) == 25

    for args, code in ((["show", "no-such-order"], 2), (["orders", "--limit", "0"], 2),
                       (["cancel", str(rows[0]["id"]), "--reason", "x"], 2),
                       (["--config", str(tmp_path / "missing.toml"), "orders"], 2)):
        result = _run(*args, env=env)
        assert result.returncode == code, (args, result.stderr)
        assert result.stdout == ""
        assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("ordertui: ")
        assert "Traceback" not in result.stderr


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


def test_show_leaves_out_an_empty_e_mail(cli: Cli) -> None:
    target = cli.first("processing")
    con = sqlite3.connect(cli.data / "store.sqlite3")
    with con:
        con.execute("UPDATE orders SET customer_email = '' WHERE id = ?", (target["id"],))
    con.close()
    out = cli.ok("show", str(target["id"])).stdout
    line = next(x for x in out.splitlines() if x.startswith("Customer"))
    assert "<" not in line and target["customer_name"] in line


def test_the_app_refuses_a_key_map_that_gives_one_key_twice(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[suppliers.demo]\nkind = "demo"\norders = 20\n\n[keys]\n'
                      'cancel = "d"\n')
    result = subprocess.run([sys.executable, "-m", "ordertui", "--config", str(config),
                             "--data-dir", str(tmp_path / "data")], capture_output=True,
                            text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "line 6, key keys.cancel" in lines[0], lines
    assert "'d' is already 'Dispute' on the orders screen" in lines[0]
