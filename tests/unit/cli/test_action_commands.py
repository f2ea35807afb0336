"""The commands that act: ``cancel`` and ``cancel-reply``, ``dispute``, ``record``, ``add``
and ``outbox``: asked once on a terminal, refused without one, sent through the outbox, bad
input exit 2 with one line."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from ordertui.cli import actions
from support.cli import Cli

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
    assert ("cancellation approved" in events
            or "the supplier asks for details about the cancellation" in events)
    audit = cli.json("show", str(rows[0]["id"]))["audit"]
    assert {"actor": "merchant", "action": "cancel"}.items() <= audit[0].items()
    assert "customer changed mind" in audit[0]["detail"]
    assert any(a["actor"] == "supplier:demo" for a in audit)  # its answer is on record too
    for oid, state in states.items():
        if state == "approved":
            assert cli.json("show", str(oid))["status"] == "cancelled"

    asked = [oid for oid, s in states.items() if s == "info_requested"]
    approved = [oid for oid, s in states.items() if s == "approved"]
    assert approved
    cli.fails(2, "cancel-reply", str(approved[0]), "--message", "x",
              match="has not asked for details")
    cli.fails(2, "cancel", str(approved[0]), "--reason", "again", "--yes",
              match="is cancelled already")
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
    assert out.stdout.strip() == f"{row['name']}: dispute opened"
    shown = cli.json("show", oid)["dispute"]
    assert shown["amount"] == row["total_cost"] and shown["evidence"][0]["name"] == "photo.jpg"
    cli.fails(2, "dispute", "open", oid, "--reason", "other", "--amount", "1",
              "--description", "again", match="already has an open dispute")
    cli.fails(2, "dispute", "escalate", oid, match="not possible now")
    cli.fails(2, "dispute", "accept", oid, match="not possible now")
    out = cli.ok("dispute", "reply", oid, "--message", "More photos on request.")
    assert out.stdout.strip() == f"{row['name']}: dispute waits on the supplier"
    listed = cli.ok("dispute", "list").stdout
    assert row["name"] in listed and "Awaiting supplier" in listed
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
    assert "dispute resolved with a refund, refunded" in out
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
    assert "dispute resolved with a refund (recorded by hand)" in out.stdout
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
    """Another session's outbox runner holds the lock: the flock beside the SQLite file, or
    PostgreSQL's advisory lock, held by a connection of another session."""
    if cli.store_url:
        from ordertui.store.dialect import RUNNER_LOCK
        from support.store import other_connection

        with other_connection(cli.store_url) as con:
            con.execute("SELECT pg_advisory_lock(%s)", (RUNNER_LOCK,))
            yield
        return
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
