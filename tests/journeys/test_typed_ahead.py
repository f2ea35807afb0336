"""Keys that arrive in bursts, as they do over SSH, in a real terminal (tmux): each burst is
one write to the terminal (one ``send-keys`` or one tmux command line), never a key per turn
of the app's event loop.

A key that opens a dialog takes the keys typed behind it into that dialog, in order: a
reason typed right behind ``c``, a description right before ``ctrl+s``, a reason and enter
in the same write as ``c``. A key that opens nothing here (an order that cannot be
cancelled, an empty list) drops the keys typed behind it and says why, rather than running
them as commands on the list. A pasted reason lands whole, and one too long is refused with
its length, not cut.
"""

from __future__ import annotations

import time
from pathlib import Path

from ordertui.domain.rules import MAX_TEXT
from ordertui.domain.states import DisputeReason
from support.ssh import Shop, Terminals, filter_to, login, open_filtered, ordertui_pids, until
from support.terminal import Terminal

PROCESSING = "status = 'processing' AND cancellation_state IS NULL"
SHIPPED = "status = 'shipped' AND cancellation_state IS NULL AND dispute_state IS NULL"
DELIVERED = "status = 'delivered' AND cancellation_state IS NULL AND dispute_state IS NULL"
#: the headings of the dialogs a key of the burst could open
DIALOGS = ("Request cancellation of", "Sort orders by", "Export orders", "Open a dispute on")
#: a burst's keys that ran as commands would have had the time to show within this
SETTLE_S = 1.0


def start(terminals: Terminals, shop: Shop, exit_file: Path, width: int = 120,
          height: int = 30) -> Terminal:
    """The app on ``shop``, wide enough that a notification leaves the status line readable."""
    term = terminals(width, height)
    login(term, shop.remote(), exit_file)
    term.wait_for("1 of 200")
    return term


def status_line(term: Terminal) -> str:
    """The orders screen's status line, up to the sort (the rest is the sync's time)."""
    line = next(ln for ln in term.screen().splitlines() if " · by " in ln)
    head, arrow, _ = line.partition("▼")
    return (head + arrow).strip()


def reason_box(term: Terminal) -> str:
    """What the cancel dialog's reason box shows."""
    lines = term.screen().splitlines()
    at = next(i for i, ln in enumerate(lines) if "Reason (the supplier sees it):" in ln)
    return lines[at + 1].strip("█▊▎▌▐ ")


def first_of(term: Terminal, *texts: str, seconds: float = 60) -> str:
    """Until one of ``texts`` is on the screen; which one. The bound only keeps a broken run
    from hanging."""
    found: list[str] = []

    def shows() -> bool:
        screen = term.flat()
        found.extend(t for t in texts if t in screen)
        return bool(found)
    until(shows, f"one of {texts!r} showing", term, seconds=seconds)
    return found[0]


def open_order(term: Terminal, name: str, status: str) -> None:
    """From the orders screen: filter to the order and open its details."""
    term.type(f"/{name}")
    term.wait_for(f"1 of 1 · search \"{name}\"")
    open_filtered(term, f"{name} {status}")


def no_dialog(screen: str) -> None:
    shown = [d for d in DIALOGS if d in screen]
    assert not shown, f"a dialog opened: {shown}"


def test_a_reason_typed_right_behind_c_goes_to_the_cancel_dialog(
        terminals: Terminals, tmp_path: Path) -> None:
    shop = Shop(tmp_path / "shop").create()
    order = shop.pick(PROCESSING)
    term = start(terminals, shop, tmp_path / "exit")
    filter_to(term, order.name)
    before = status_line(term)
    assert before.endswith("by date ▼")

    term.type("cCustomer ordered twice")  # one write: c, then the reason

    term.wait_for(f"Request cancellation of {order.name}?")
    until(lambda: reason_box(term) == "Customer ordered twice", "the reason reaching the box",
          term)
    screen = term.flat()
    assert "Sort orders by" not in screen and "Export orders" not in screen
    assert status_line(term) == before  # no sort, no view, no mark ran on the list
    term.keys("Enter")
    term.wait_for(f"Cancellation of {order.name} requested")
    assert shop.rows("SELECT reason FROM cancellations WHERE order_id = ?", order.id) == [
        ("Customer ordered twice",)]


def test_c_on_an_order_with_a_request_drops_the_reason_typed_behind_it(
        terminals: Terminals, tmp_path: Path) -> None:
    # the supplier takes its time: the request stays open while the test runs
    shop = Shop(tmp_path / "shop", review_delay_s=600).create()
    order = shop.pick(PROCESSING)
    term = start(terminals, shop, tmp_path / "exit")
    filter_to(term, order.name)
    term.keys("c")
    term.wait_for("Request cancellation of")
    term.type("Customer ordered twice")
    term.keys("Enter")
    term.wait_for(f"Cancellation of {order.name} requested")
    before = status_line(term)

    # one write: c, then a reason full of the list's keys (sort, export, sync, mark,
    # dispute, cancel, settings, view 4)
    term.type("cCustomer ordered twice, size 4")

    term.wait_for(f"order {order.name} already has a cancellation request")
    time.sleep(SETTLE_S)
    screen = term.flat()
    no_dialog(screen)
    assert "Syncing with the suppliers" not in screen
    assert status_line(term) == before
    assert "marked" not in screen
    assert any(ln.strip().startswith(order.name) for ln in term.screen().splitlines())
    assert shop.rows("SELECT reason FROM cancellations WHERE order_id = ?", order.id) == [
        ("Customer ordered twice",)]


def test_c_on_a_shipped_order_drops_the_reason_typed_behind_it(
        terminals: Terminals, tmp_path: Path) -> None:
    shop = Shop(tmp_path / "shop").create()
    order = shop.pick(SHIPPED)
    term = start(terminals, shop, tmp_path / "exit")
    open_order(term, order.name, "Shipped")

    term.type("cwrong size")  # one write; r is refresh, o the supplier's page, here

    term.wait_for(f"Order {order.name} is shipped and can no longer be cancelled")
    time.sleep(SETTLE_S)
    screen = term.flat()
    no_dialog(screen)
    for effect in ("Up to date with the supplier", "Could not refresh", "Opening"):
        assert effect not in screen
    assert f"Order {order.name}" in screen  # still its details
    assert shop.rows("SELECT count(*) FROM cancellations WHERE order_id = ?", order.id) == [
        (0,)]


def test_c_on_an_empty_list_drops_the_reason_typed_behind_it(
        terminals: Terminals, tmp_path: Path) -> None:
    shop = Shop(tmp_path / "shop").create()
    term = start(terminals, shop, tmp_path / "exit")
    term.type("/zzzzz")
    term.keys("Enter")
    term.wait_for("No orders match")
    before = status_line(term)
    assert before.endswith("by date ▼")

    term.type("cwrong size")  # one write

    term.wait_for("no order is listed here")
    time.sleep(SETTLE_S)
    screen = term.flat()
    no_dialog(screen)
    assert "Syncing with the suppliers" not in screen
    assert status_line(term) == before
    assert "No orders match" in screen


def test_a_description_right_before_ctrl_s_reaches_the_dispute_whole(
        terminals: Terminals, tmp_path: Path) -> None:
    shop = Shop(tmp_path / "shop").create()
    orders = [shop.pick(DELIVERED, n) for n in range(3)]
    term = start(terminals, shop, tmp_path / "exit")

    def two_invocations(text: str) -> None:  # two tmux commands, one right after the other
        term.type(text)
        term.keys("C-s")

    def one_command_line(text: str) -> None:  # one tmux command line, two send-keys
        term.tmux("send-keys", "-t", "t", "-l", text, ";", "send-keys", "-t", "t", "C-s")

    def one_send_keys(text: str) -> None:  # one send-keys: the text (no key's name), ctrl+s
        term.keys(text, "C-s")

    ways = (two_invocations, one_command_line, one_send_keys)
    descriptions = ("The lamp arrived with its glass shade shattered; photos attached",
                    "Box came empty, the customer sent a picture of the open parcel",
                    "Wrong colour delivered: ordered black, got white, size S not M")
    for order, way, description in zip(orders, ways, descriptions, strict=True):
        open_order(term, order.name, "Delivered")
        term.keys("d")
        term.wait_for(f"Open a dispute on {order.name}")
        term.keys("Down", "Enter")  # the reason: Not received
        term.keys("Tab", "Tab")  # past the amount, to the description

        way(description)

        shown = first_of(term, f"Dispute on {order.name} queued",
                         "the description must not be empty", "Pick a reason")
        assert shown == f"Dispute on {order.name} queued", f"{way.__name__}: {shown}"
        assert shop.rows("SELECT reason, description FROM disputes WHERE order_id = ?",
                         order.id) == [(DisputeReason.NOT_RECEIVED.value, description)], \
            way.__name__
        term.keys("Escape")
        term.wait_for("· search")


def test_c_a_reason_and_enter_in_one_write_request_once(
        terminals: Terminals, tmp_path: Path) -> None:
    shop = Shop(tmp_path / "shop").create()
    orders = [shop.pick(PROCESSING, n) for n in range(4)]
    exit_file = tmp_path / "exit"
    term = start(terminals, shop, exit_file)
    for n, order in enumerate(orders):
        filter_to(term, order.name)
        if n % 2:  # the enter as a carriage return inside the text
            term.type("cwrong size sort\r")
        else:  # the enter as a key of its own, on the same tmux command line
            term.tmux("send-keys", "-t", "t", "-l", "cwrong size sort", ";",
                      "send-keys", "-t", "t", "Enter")
        term.wait_for(f"Cancellation of {order.name} requested")

    term.wait_for("ordertui · Orders")
    assert ordertui_pids(shop.data), "the app is gone"
    assert not exit_file.exists()
    crash = shop.data / "crash"
    assert not (crash.exists() and any(crash.iterdir())), "a crash report was written"
    for order in orders:
        assert shop.rows("SELECT reason FROM cancellations WHERE order_id = ?", order.id) == [
            ("wrong size sort",)], order.name


def test_a_pasted_reason_lands_whole_and_one_too_long_is_refused(
        terminals: Terminals, tmp_path: Path) -> None:
    shop = Shop(tmp_path / "shop").create()
    order, other = shop.pick(PROCESSING, 0), shop.pick(PROCESSING, 1)
    term = start(terminals, shop, tmp_path / "exit")
    sentence = "The customer ordered the same lamp twice within a minute. "
    too_long = (sentence * (MAX_TEXT // len(sentence) + 10)).strip()
    assert len(too_long) > MAX_TEXT

    filter_to(term, order.name)
    term.keys("c")
    term.wait_for("Request cancellation of")
    term.paste(too_long)
    # said at once, under the field, before anything is submitted
    message = f"the reason is {len(too_long):,} characters; at most {MAX_TEXT:,} fit"
    term.wait_for(message)
    term.keys("Enter")
    assert "Request cancellation of" in term.wait_for(message)  # the dialog stays
    assert shop.rows("SELECT count(*) FROM cancellations WHERE order_id = ?", order.id) == [
        (0,)]
    term.keys("Escape")
    term.wait_for("Nothing was sent")

    # a reason copied from an e-mail spans lines: every line is kept, joined by spaces
    short = "Customer ordered the wrong size (ticket #4411)"
    term.keys("c")
    term.wait_for("Request cancellation of")
    term.paste("Customer ordered the wrong size\n(ticket #4411)")
    until(lambda: reason_box(term) == short, "the pasted reason in the box", term)
    term.keys("Enter")
    term.wait_for(f"Cancellation of {order.name} requested")
    assert shop.rows("SELECT reason FROM cancellations WHERE order_id = ?", order.id) == [
        (short,)]

    longest = too_long[:MAX_TEXT].strip()  # as long as a reason may be
    filter_to(term, other.name)
    term.keys("c")
    term.wait_for(f"Request cancellation of {other.name}")
    term.paste(longest)
    term.keys("Enter")
    term.wait_for(f"Cancellation of {other.name} requested")
    assert shop.rows("SELECT reason FROM cancellations WHERE order_id = ?", other.id) == [
        (longest,)]
