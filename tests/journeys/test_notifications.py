"""Notifications in a real terminal (tmux): a toast drawn over the orders table leaves the
rows as they were when it goes, and what a supplier decides is told in every session on the
shop — the one that asked, and the one whose outbox runner sent the request."""

from __future__ import annotations

import re
import time
from pathlib import Path

from support.ssh import Shop, Terminals, filter_to, login, ordertui_pids, until
from support.terminal import Terminal

PROCESSING = "status = 'processing' AND cancellation_state IS NULL"
#: a frame or two for the app to draw what is under a toast that went
REPAINT_S = 0.5


def table_rows(term: Terminal) -> list[str]:
    """The lines of the orders table on screen, below its header and above the status line."""
    lines = term.screen().splitlines()
    top = next(i for i, ln in enumerate(lines) if ln.split()[:2] == ["Order", "Date"])
    bottom = next(i for i, ln in enumerate(lines) if " · by " in ln)
    return lines[top + 1:bottom]


def test_a_toast_over_the_table_leaves_the_rows_as_they_were(
        terminals: Terminals, tmp_path: Path) -> None:
    shop = Shop(tmp_path / "shop").create()
    term = terminals(80, 24)
    login(term, shop.remote(), tmp_path / "exit")
    term.wait_for("1 of 200")
    # the session's first sync done ("synced 09:41"): the rows stay as they are
    until(lambda: re.search(r"synced \d\d:\d\d", term.flat()), "the first sync", term)
    before = table_rows(term)
    assert len(before) > 10 and all(row.strip().startswith("#") for row in before)

    term.keys("r")  # sync: its toast shows at the bottom right, over the table's rows
    term.wait_for("Syncing with the suppliers…")
    covered = [n for n, (now, then) in enumerate(zip(table_rows(term), before, strict=True))
               if now != then]
    assert covered, "the toast was not drawn over the table"

    term.wait_gone("Syncing with the suppliers")  # it times out by itself: no key is pressed
    time.sleep(REPAINT_S)
    after = table_rows(term)
    for n in covered:
        assert after[n] == before[n], f"row {n} after the toast:\n{after[n]}\nbefore:\n{before[n]}"
    assert after == before


def test_the_suppliers_answer_is_told_in_both_sessions(
        terminals: Terminals, tmp_path: Path) -> None:
    shop = Shop(tmp_path / "shop").create()
    order = shop.pick(PROCESSING, approves=True)
    anna, ben = terminals(100, 30), terminals(100, 30)
    login(anna, shop.remote(), tmp_path / "anna.exit")
    anna.wait_for("1 of 200")
    until(lambda: shop.lock_holder() in ordertui_pids(shop.data), "Anna's runner taking the lock",
          anna)
    holder = shop.lock_holder()
    login(ben, shop.remote(), tmp_path / "ben.exit")
    ben.wait_for("1 of 200")
    assert len(ordertui_pids(shop.data)) == 2

    # Ben asks; Anna's runner, which holds the outbox, sends it and hears the answer
    filter_to(ben, order.name)
    ben.keys("c")
    ben.wait_for(f"Request cancellation of {order.name}")
    ben.type("Customer ordered twice")
    ben.keys("Enter")
    ben.wait_for(f"Cancellation of {order.name} requested")

    news = f"{order.name}: cancellation approved"
    told: set[str] = set()

    def both_told() -> bool:  # each toast goes after a while: look at both all along
        told.update(who for who, term in (("Anna", anna), ("Ben", ben)) if news in term.flat())
        return len(told) == 2
    try:
        until(both_told, f"{news!r} shown in both sessions", ben)
    except AssertionError as exc:
        raise AssertionError(f"shown only in: {sorted(told) or 'neither'}; {exc}") from None
    assert shop.lock_holder() == holder  # Anna's runner sent it, all along
    assert shop.rows("SELECT state FROM cancellations WHERE order_id = ?", order.id) == [
        ("approved",)]
