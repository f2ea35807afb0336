"""ordertui over a real SSH session: OpenSSH's sshd on a loopback port, ``ssh -tt`` inside
tmux, and the merchant's morning in it — open, filter, open an order, request a cancellation
and see the supplier's answer, export by e-mail to a real SMTP server, quit — at 80×24 and
under the terminal types merchants log in with. A window too small says so; a dropped
connection loses no confirmed action and sends no unconfirmed one; and the README's recipe
for a login that starts ordertui by itself works as written."""

from __future__ import annotations

import csv
import io
import os
import shlex
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from ordertui.store.outbox import DONE
from support.mail import Inbox, attachment, free_port
from support.ssh import (
    ORDERTUI,
    Shop,
    SSHServer,
    Terminals,
    exit_status,
    kill,
    login,
    open_filtered,
    ordertui_pids,
    pids_where,
    running_sshd,
    until,
    wait_gone,
)


@pytest.fixture
def sshd(tmp_path: Path) -> Iterator[SSHServer]:
    yield from running_sshd(tmp_path / "sshd")


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    box = Inbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


def ssh_clients(key: Path) -> list[int]:
    """The ssh client processes logging in with ``key`` (the merchant's laptop end)."""
    return pids_where(lambda args, env: Path(args[0]).name == "ssh" and str(key) in args)


# --- the merchant's flow, at every terminal ---------------------------------------------------

FLOWS = {
    "80x24": dict(width=80, height=24, term="xterm-256color", extra={}),
    "TERM=linux": dict(width=100, height=30, term="linux", extra={}),
    "TERM=xterm-256color": dict(width=120, height=36, term="xterm-256color", extra={}),
    "NO_COLOR=1": dict(width=100, height=30, term="xterm-256color", extra={"NO_COLOR": "1"}),
}


@pytest.mark.parametrize("flow", list(FLOWS))
def test_the_merchants_flow_over_ssh(flow: str, sshd: SSHServer, terminals: Terminals,
                                     inbox: tuple[Inbox, int], tmp_path: Path) -> None:
    spec: dict[str, Any] = FLOWS[flow]
    box, smtp_port = inbox
    shop = Shop(tmp_path / "shop", extra_config=(
        f'\n[email]\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\n'
        'from = "Shop <shop@example.com>"\ntimeout_s = 10\n')).create()
    target = shop.pick("status = 'processing' AND cancellation_state IS NULL", approves=True)
    key = sshd.new_key("merchant")
    term = terminals(spec["width"], spec["height"])
    exit_file = tmp_path / "exit"
    login(term, sshd.ssh(key, shop.remote(**spec["extra"]), term=spec["term"]), exit_file)

    term.wait_for("1 of 200")
    term.type(f"/{target.name}")  # in one write, as a paste or a fast typist over SSH sends it
    term.wait_for(f"1 of 1 · search \"{target.name}\"")
    open_filtered(term, f"{target.name} Processing")
    term.keys("c")
    term.wait_for("Request cancellation of")
    term.type("Customer ordered twice")
    term.keys("Enter")
    term.wait_for("Cancellation requested")
    term.wait_for(f"{target.name} Cancelled")  # the supplier's answer, over the same link
    term.keys("Escape")
    term.wait_for("Orders")

    term.keys("e")
    term.wait_for("Export orders")
    term.keys("Tab", "Tab", "Tab", "Tab")  # scope, format, rows, path: to the e-mail field
    term.type("accounts@example.com")
    term.wait_for("accounts@example.com")  # ctrl+s, a priority key, would overtake it
    term.keys("C-s")
    until(lambda: len(box.messages) == 1, "the e-mail", term)
    term.wait_for("Exported")
    kind, name, content = attachment(box.messages[0])
    assert kind == "text/csv" and name.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert [r["Order"] for r in rows] == [target.name]  # the view filtered to that order
    assert box.envelopes[0].rcpt_tos == ["accounts@example.com"]

    term.keys("q")
    assert exit_status(exit_file) == "0"
    assert shop.action_counts() == {"cancel": 1}
    screen = term.screen()
    assert "Traceback" not in screen and "\x1b" not in screen


def test_a_window_too_small_says_how_big_it_must_be(sshd: SSHServer, terminals: Terminals,
                                                     tmp_path: Path) -> None:
    shop = Shop(tmp_path / "shop").create()
    key = sshd.new_key("merchant")
    term = terminals(80, 24)
    exit_file = tmp_path / "exit"
    login(term, sshd.ssh(key, shop.remote()), exit_file)
    term.wait_for("1 of 200")
    term.tmux("resize-window", "-t", "t", "-x", "50", "-y", "12")  # the phone, turned
    term.wait_for("Make the window at least 60×15")
    term.wait_for("(it is 50×12 now)")
    assert "1 of 200" not in term.flat()  # no broken layout under the message
    term.tmux("resize-window", "-t", "t", "-x", "80", "-y", "24")
    term.wait_for("1 of 200")
    term.keys("q")
    assert exit_status(exit_file) == "0"


# --- a connection that drops --------------------------------------------------------------------

def test_a_dropped_connection_loses_nothing_and_sends_nothing_unconfirmed(
        sshd: SSHServer, terminals: Terminals, tmp_path: Path) -> None:
    """Journey 7 (docs/journeys.md): the merchant confirms a dispute, starts cancelling another
    order, and the train enters a tunnel. Started again, ordertui sends the dispute —
    once — and not the cancellation she never confirmed."""
    shop = Shop(tmp_path / "shop").create()
    confirmed = shop.pick("status = 'delivered' AND dispute_state IS NULL "
                          "AND cancellation_state IS NULL")
    unconfirmed = shop.pick("status = 'processing' AND cancellation_state IS NULL")
    key = sshd.new_key("merchant")
    # another session's runner holds the outbox: what the merchant confirms stays queued, as
    # when the link drops between confirming and sending (the worst moment)
    import fcntl

    lock = (shop.data / "outbox.lock").open("a+")
    fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
    try:
        term = terminals(100, 30)
        login(term, sshd.ssh(key, shop.remote()), tmp_path / "exit1")
        term.wait_for("1 of 200")
        for order in (confirmed, unconfirmed):
            term.keys("/")
            term.type(order.name)
            term.wait_for(f"1 of 1 · search \"{order.name}\"")
            open_filtered(term, f"{order.name} {order.status.label}")
            if order is confirmed:
                term.keys("d")
                term.wait_for(f"Open a dispute on {order.name}")
                term.keys("Tab", "Tab")  # reason, amount: to the description
                term.type("The parcel never arrived")
                term.wait_for("The parcel never arrived")  # ctrl+s would overtake it
                term.keys("C-s")
                term.wait_for("Dispute")
                until(lambda: len(shop.pending()) == 1, "the queued dispute", term)
                term.keys("Escape")
                term.wait_for("Orders")
                term.keys("Escape")  # clear the filter
            else:
                term.keys("c")
                term.wait_for("Request cancellation of")
                term.type("Customer changed their mind")  # typed, never confirmed
        remote = ordertui_pids(shop.data)
        assert remote, "ordertui is not running on the server"
        clients = ssh_clients(key)
        assert len(clients) == 1
        kill(clients[0], signal.SIGKILL)  # the link is gone, mid-dialog
        assert exit_status(tmp_path / "exit1") != "0"
        assert wait_gone(remote) == [], "ordertui outlived its SSH session"
    finally:
        fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
        lock.close()
    assert shop.action_counts() == {}  # nothing reached the supplier yet
    assert shop.pending() == [(confirmed.id, "dispute_open")]

    # she reconnects
    term2 = terminals(100, 30)
    login(term2, sshd.ssh(key, shop.remote()), tmp_path / "exit2")
    term2.wait_for("1 of 200")
    until(lambda: shop.action_counts() == {"dispute_open": 1}, "the dispute being sent",
          term2)
    s = shop.services()
    entries = s.store.outbox.entries(states=(DONE,), to="supplier")
    assert [(e.order_id, e.state) for e in entries] == [(confirmed.id, DONE)]
    assert s.pending_actions() == []
    assert s.order(unconfirmed.id).cancellation is None
    s.store.close()
    term2.keys("q")
    assert exit_status(tmp_path / "exit2") == "0"
    assert shop.action_counts() == {"dispute_open": 1}


# --- the README's recipe: a login that is ordertui ---------------------------------------------

def test_a_forced_command_login_starts_ordertui_and_ends_with_it(
        sshd: SSHServer, terminals: Terminals, tmp_path: Path) -> None:
    shop = Shop(tmp_path / "shop").create()
    wrapper = tmp_path / "ordertui-login"
    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in shop.env.items())
    wrapper.write_text(f"#!/bin/sh\nexport {env}\nexec {ORDERTUI}\n")
    wrapper.chmod(0o700)
    key = sshd.new_key("shop-login", f'command="{wrapper}",no-port-forwarding,'
                                     "no-agent-forwarding,no-X11-forwarding")
    term = terminals(80, 24)
    exit_file = tmp_path / "exit"
    planted = tmp_path / "planted"
    # whatever the client asks to run, the key runs ordertui
    login(term, sshd.ssh(key, f"touch {planted}"), exit_file)
    term.wait_for("1 of 200")
    term.keys("q")
    assert exit_status(exit_file) == "0"  # quitting ordertui ends the session
    assert not planted.exists()
    assert ordertui_pids(shop.data) == []
    assert "Accepted publickey" in sshd.log.read_text(errors="replace")


def test_one_line_per_person_logs_each_in_with_their_role(
        sshd: SSHServer, terminals: Terminals, tmp_path: Path) -> None:
    """The README's team recipe: ``command="ORDERTUI_ROLE=staff …",restrict,pty``. Anna's
    key opens ordertui as staff, who is not offered an export and is told why; the owner's
    key, in the same account, opens it as the owner."""
    shop = Shop(tmp_path / "shop").create()
    wrapper = tmp_path / "ordertui-login"
    # the code under test, where it is not the installed package's (a checkout of a branch)
    path = {"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}
    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in {**shop.env, **path}.items())
    wrapper.write_text(f"#!/bin/sh\nexport {env}\nexec {ORDERTUI}\n")
    wrapper.chmod(0o700)
    anna = sshd.new_key("anna", f'command="ORDERTUI_ROLE=staff {wrapper}",restrict,pty')
    owner = sshd.new_key("owner", f'command="{wrapper}",restrict,pty')

    term = terminals(100, 30)
    exit_file = tmp_path / "exit-anna"
    login(term, sshd.ssh(anna, "ordertui --role owner"), exit_file)  # asks in vain
    term.wait_for("role staff")
    term.wait_for("1 of 200")
    assert " e Export" not in term.flat()
    term.keys("e")
    term.wait_for("may not export orders")
    assert "Export orders" not in term.flat()  # no form opened
    term.keys("q")
    assert exit_status(exit_file) == "0"

    term2 = terminals(100, 30)
    exit_file2 = tmp_path / "exit-owner"
    login(term2, sshd.ssh(owner), exit_file2)
    term2.wait_for("1 of 200")
    assert "role staff" not in term2.flat()
    term2.keys("e")
    term2.wait_for("Export orders")  # the form, which staff never saw
    term2.keys("Escape")
    term2.wait_gone("Export orders")
    term2.keys("q")
    assert exit_status(exit_file2) == "0"
