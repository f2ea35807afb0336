"""The real ``ordertui`` in a real terminal (tmux): open the app, filter to an order, open
it, request a cancellation, confirm, watch the supplier's answer arrive, quit with 0."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ordertui.config import load
from ordertui.domain.query import OrderQuery
from ordertui.domain.states import OrderStatus
from ordertui.services import Services
from ordertui.simulators.demo import fraction
from support.terminal import ORDERTUI, TMUX, Terminal


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    assert TMUX is not None, "tmux is needed (.ci/run installs it)"
    term = Terminal(f"ordertui-test-{os.getpid()}", 80, 24)
    yield term
    term.kill()


@dataclass
class DemoShop:
    config: Path
    data: Path
    target: Any  # the order to cancel (an OrderSummary)
    exit_file: Path  # where the shell writes ordertui's exit code


def start_on_an_order_to_cancel(terminal: Terminal, tmp_path: Path,
                                env_extra: dict[str, str]) -> DemoShop:
    """A synced demo shop of 200 orders whose supplier answers in a second, an order in it
    that the supplier approves cancelling at once, and ``ordertui`` started on it in the
    terminal with ``env_extra`` in its environment."""
    config = tmp_path / "config.toml"
    config.write_text('[suppliers.demo]\nkind = "demo"\nreview_delay_s = 1\norders = 200\n'
                      'seed = 11\n')
    data = tmp_path / "data"
    env = {"ORDERTUI_CONFIG": str(config), "ORDERTUI_DATA_DIR": str(data),
           "HOME": str(tmp_path), "TERM": "xterm-256color"}
    subprocess.run([ORDERTUI, "sync"], env={**os.environ, **env}, check=True,
                   capture_output=True)
    services = Services(load(config, data))
    engine = services.adapter("demo").engine  # type: ignore[attr-defined]
    target = next(
        r for r in services.window(OrderQuery(statuses=(OrderStatus.PROCESSING,)), limit=100)
        if r.cancellation_state is None
        and fraction(engine.seed, engine.scheme.index(r.supplier_order_id, engine.count),
                      "ask", 1) >= 0.3)  # a request this supplier approves straight away
    services.store.close()
    exit_file = tmp_path / "exit"
    command = " ".join(f"{k}={shlex.quote(v)}" for k, v in {**env, **env_extra}.items())
    terminal.start(f"{command} {shlex.quote(ORDERTUI)}; echo $? > {shlex.quote(str(exit_file))}"
                   "; sleep 30")
    return DemoShop(config, data, target, exit_file)


def quits_with_0_and_the_order_cancelled(terminal: Terminal, shop: DemoShop) -> None:
    terminal.keys("q")
    deadline = time.monotonic() + 30
    while not shop.exit_file.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert shop.exit_file.read_text().strip() == "0"
    check = Services(load(shop.config, shop.data))
    assert check.order(shop.target.id).status is OrderStatus.CANCELLED
    check.store.close()


def test_cancel_an_order_in_a_real_terminal(terminal: Terminal, tmp_path: Path) -> None:
    shop = start_on_an_order_to_cancel(terminal, tmp_path, {})
    target = shop.target
    terminal.wait_for("DEMO")
    terminal.wait_for("1 of 200")
    terminal.keys("/")
    terminal.type(target.name)
    terminal.wait_for(f"1 of 1 · search \"{target.name}\"")
    terminal.keys("Enter")
    terminal.keys("Enter")
    terminal.wait_for(f"{target.name} Processing")
    terminal.keys("c")
    terminal.wait_for("Request cancellation of")
    terminal.wait_for("for more details first")  # the dialog says what happens
    terminal.type("Customer ordered twice")
    terminal.keys("Enter")
    terminal.wait_for("Cancellation requested")
    terminal.wait_for(f"{target.name} Cancelled")  # the supplier's answer, unasked
    terminal.wait_for("Cancellation approved")
    terminal.keys("Escape")
    terminal.wait_for("Orders")
    quits_with_0_and_the_order_cancelled(terminal, shop)


def test_keys_typed_ahead_are_not_lost(terminal: Terminal, tmp_path: Path) -> None:
    """A fast typist (or a paste over SSH) gets what was typed: "/#1123⏎⏎" opens #1123,
    even though the filter box and the filtered rows arrive a moment after the keys."""
    config = tmp_path / "config.toml"
    config.write_text('[suppliers.demo]\nkind = "demo"\norders = 200\nseed = 11\n')
    env = {"ORDERTUI_CONFIG": str(config), "ORDERTUI_DATA_DIR": str(tmp_path / "data"),
           "HOME": str(tmp_path), "TERM": "xterm-256color"}
    subprocess.run([ORDERTUI, "sync"], env={**os.environ, **env}, check=True,
                   capture_output=True)
    command = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    terminal.start(f"{command} {shlex.quote(ORDERTUI)}; sleep 30")
    terminal.wait_for("1 of 200")
    terminal.type("/#1123")
    terminal.keys("Enter", "Enter")
    terminal.wait_for("ordertui · Order #1123")
    terminal.keys("Escape")
    terminal.wait_for("1 of 1 · search \"#1123\"")
    # back in the box, the last search selected: what is typed replaces it, and editing
    # keys take effect in order with the characters, even with enter right behind them
    terminal.type("/")
    terminal.type("#11779")
    terminal.keys("BSpace", "Left", "BSpace")
    terminal.type("7")
    terminal.keys("Enter", "Enter")
    terminal.wait_for("ordertui · Order #1177")
    terminal.keys("Escape")
    terminal.wait_for('search "#1177"')


def test_the_app_in_german_from_lang_in_a_real_terminal(terminal: Terminal,
                                                        tmp_path: Path) -> None:
    """LANG=de_DE.UTF-8, as ssh forwards it, on a machine with no German C locale: the app
    is German (its screens, dialog, notifications, amounts and dates) and fits 80x24; the
    config names no language. Cancelling an order works as in English."""
    shop = start_on_an_order_to_cancel(terminal, tmp_path, {"LANG": "de_DE.UTF-8", "LC_ALL": ""})
    target = shop.target
    terminal.wait_for("ordertui · Bestellungen")
    terminal.wait_for("1 von 200")
    screen = terminal.screen()
    assert "Datum" in screen and "Status" in screen and "Kunde" in screen
    assert re.search(r"\d\d\.\d\d\.\d{4}", screen)  # dates as Germany writes them
    assert re.search(r"\d,\d\d\s\$", screen)  # amounts too: 129,88 $
    assert "c Stornieren" in screen and "Öffnen" in screen  # the footer
    terminal.keys("/")
    terminal.type(target.name)
    terminal.wait_for(f"1 von 1 · Suche „{target.name}“")
    terminal.keys("Enter")
    terminal.keys("Enter")
    terminal.wait_for(f"{target.name} In Bearbeitung")
    terminal.wait_for("Was Sie tun können")
    terminal.keys("c")
    terminal.wait_for(f"Stornierung von {target.name} anfragen?")
    terminal.wait_for("Stornierung anfragen (enter)")  # the dialog's button, on screen
    terminal.type("Kunde hat doppelt bestellt")
    terminal.keys("Enter")
    terminal.wait_for("Stornierung angefragt")
    terminal.wait_for(f"{target.name} Storniert")  # the supplier's answer, unasked
    terminal.wait_for("Stornierung genehmigt")
    terminal.keys("Escape")
    terminal.wait_for("ordertui · Bestellungen")
    terminal.keys("e")
    terminal.wait_for("Bestellungen exportieren")
    terminal.wait_for("; und 1234,50")  # the separator and numbers CSV for Excel will use
    terminal.keys("Escape")
    terminal.wait_for("⏎ Öffnen")
    quits_with_0_and_the_order_cancelled(terminal, shop)
