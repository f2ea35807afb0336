"""The app's own words in another language, tried in the test language x-pseudo (every
marked message accented, 40 % longer, in ⟦…⟧): the key descriptions of the footer, the help
screen, Settings' key list and the command palette, which are English constants built at
import and translated where they are shown; every dialog's buttons still on an 80×24 screen
with the longer words; and English as it was."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from textual.screen import Screen
from textual.widgets import Button

from ordertui import i18n
from ordertui.domain.money import Money
from ordertui.domain.query import OrderQuery, SortKey
from ordertui.domain.returns import Return, ReturnDestination, ReturnState
from ordertui.domain.shop import LinkSuggestion
from ordertui.domain.states import OrderStatus
from ordertui.i18n.pseudo import is_pseudo, pseudo
from ordertui.services import Services
from ordertui.tui import keys
from ordertui.tui.app import OrderTUI
from ordertui.tui.commands import commands, translated
from ordertui.tui.dialog import ConfirmDialog, PromptDialog
from ordertui.tui.dialogs.add_orders import AddOrdersDialog
from ordertui.tui.dialogs.cancel import CancelDialog
from ordertui.tui.dialogs.dispute_form import DisputeDialog
from ordertui.tui.dialogs.export_form import ExportDialog
from ordertui.tui.dialogs.help import HelpDialog
from ordertui.tui.dialogs.link import LinkDialog, UnlinkDialog
from ordertui.tui.dialogs.record import RecordDialog
from ordertui.tui.dialogs.returns_forms import (
    RecoveryDialog,
    RefundDialog,
    ReturnDialog,
    ReturnStepDialog,
    StockUseDialog,
)
from ordertui.tui.dialogs.sort import SortDialog
from ordertui.tui.supervisor import SyncState
from ordertui.tui.widgets.key_bar import KeyBar
from support.tui import flat_text, make_services, orders_ready, orders_with, until

# the demo supplier's answers are looked for often (conftest.py)
pytestmark = pytest.mark.usefixtures("fast_follow_up")

PSEUDO = {"app": {"language": "x-pseudo"}}


@pytest.fixture
async def pseudo_services(tmp_path: Path) -> AsyncIterator[Services]:
    """The demo shop of the other tests, its config saying ``[app] language = "x-pseudo"``."""
    s = make_services(tmp_path, extra=PSEUDO)
    await s.sync()
    yield s
    s.store.close()


def footer(app: Any) -> KeyBar:
    return app.screen.query_one(KeyBar)


def footer_line(app: Any) -> str:
    return str(footer(app).render())


# --- the key table, translated where it is shown --------------------------------------------
def test_every_key_description_group_and_settings_row_is_translated() -> None:
    i18n.use("x-pseudo")
    for k in keys.TABLE:
        assert is_pseudo(keys.describe(k.description)), k.description
    for group in keys.GROUPS:
        assert is_pseudo(keys.group_name(group))
    for row in keys.remappable():
        assert is_pseudo(row.description) and is_pseudo(row.where), row
    # the key ids and the keys stay as they are
    assert {row.id for row in keys.remappable()} >= {"cancel", "sort", "help"}
    assert all(not is_pseudo(row.keys) for row in keys.remappable())


def test_a_clash_is_said_in_the_language_of_the_process() -> None:
    i18n.use("x-pseudo")
    problem = keys.clash({"sort": "c"})
    assert problem is not None and problem[0] == "sort"
    assert is_pseudo(problem[1]) and "'c'" in problem[1] and "'sort'" in problem[1]
    unknown = keys.clash({"nothing_here": "x"})
    assert unknown is not None and is_pseudo(unknown[1]) and "'nothing_here'" in unknown[1]


def test_english_words_of_the_keys_are_unchanged() -> None:
    assert [keys.describe(d) for d in ("Cancel", "Open", "Refund", "Sort")] == [
        "Cancel", "Open", "Refund", "Sort"]
    assert keys.clash({"sort": "c"}) == (
        "sort", "'c' is already 'Cancel' on the orders screen; choose another key for 'sort'")
    assert keys.clash({"nothing_here": "x"}) == (
        "nothing_here", "there is no action 'nothing_here' to give a key to; the actions are "
        "listed in Settings (the Id column)")
    rows = {row.id: row for row in keys.remappable()}
    assert (rows["cancel"].description, rows["cancel"].where) == (
        "Request cancellation", "Orders, Order")
    assert (rows["help"].description, rows["help"].where) == (
        "Every key of the screen", "Everywhere")
    assert keys.group_name("Go to") == "Go to"


def test_the_sync_state_is_said_in_the_language_of_the_process() -> None:
    states = [SyncState(syncing="demo"), SyncState(syncing="demo", progress=0.4),
              SyncState(error="no route", next_retry=datetime.now(UTC).timestamp()),
              SyncState(error="no route"), SyncState(last_sync=datetime.now(UTC)),
              SyncState()]
    english = [s.summary() for s in states]
    assert english[0] == "syncing" and english[1] == "syncing 40%"
    assert english[3] == "offline: no route" and english[5] == "not synced yet"
    i18n.use("x-pseudo")
    for state in states:
        assert is_pseudo(state.summary())


# --- the footer, the help screen, the command palette ---------------------------------------
async def test_footer_help_and_palette_speak_the_configured_language(
        pseudo_services: Services) -> None:
    app = OrderTUI(pseudo_services)
    async with app.run_test(size=(80, 24)) as pilot:
        await orders_ready(pilot)
        assert i18n.current().code == i18n.PSEUDO  # from the config, when the app was made
        # the footer: every key it shows in pseudo words, the most important kept at 80
        await until(pilot, lambda: any(s.description == keys.describe("Dispute")
                                       for s in footer(app).shown()), what="order's keys")
        line = footer_line(app)
        assert pseudo("palette") in line
        drawn = [s for s in footer(app).shown() if s.description in line]
        assert all(is_pseudo(s.description) for s in footer(app).shown())
        assert {keys.describe(d) for d in ("Open", "Filter", "Cancel")} <= {
            s.description for s in drawn}
        assert len(line) <= 80

        # the help screen: groups, descriptions, the flags and the last line
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpDialog))
        help_screen = app.screen
        assert isinstance(help_screen, HelpDialog)
        from ordertui.tui.dialogs.help import collect
        groups = collect(help_screen.target)
        assert groups and all(is_pseudo(g) for g in groups)
        assert all(is_pseudo(d) for rows in groups.values() for _keys, d in rows)
        text = flat_text(app)
        assert pseudo("Keys") in text and keys.describe("Cancel") in text
        for _ in range(60):
            await pilot.press("j")
        await until(pilot, lambda: pseudo("Flags in the table") in flat_text(app),
                    what="the flags, at the end of the help")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, HelpDialog))

        # the command palette: ours and Textual's
        found = list(commands(app)) + list(translated(
            super(OrderTUI, app).get_system_commands(app.screen)))
        assert len(found) > 20
        for command in found:
            assert is_pseudo(command.title) and is_pseudo(command.help), command
        await pilot.press("ctrl+p")
        await until(pilot, lambda: app.screen.has_class("--textual-command-palette"))
        from textual.command import CommandInput
        assert is_pseudo(str(app.screen.query_one(CommandInput).placeholder))


async def test_english_footer_and_palette_are_as_before(services: Services) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await orders_ready(pilot)
        await until(pilot, lambda: any(s.description == "Dispute"
                                       for s in footer(app).shown()), what="order's keys")
        line = footer_line(app)
        assert " c Cancel " in line and line.rstrip().endswith("palette")
        assert not any(is_pseudo(s.description) for s in footer(app).shown())
        titles = {c.title: c.help for c in commands(app)}
        assert titles["Sync now"] == "Fetch the latest orders and supplier answers"
        assert titles["Sort by Profit"] == "Sort the orders table"
        assert "Show: All" in titles
        textual_own = {c.title for c in translated(
            super(OrderTUI, app).get_system_commands(app.screen))}
        assert {"Theme", "Quit", "Keys"} <= textual_own


# --- every dialog keeps its buttons on 80×24 -----------------------------------------------
def _dialogs(services: Services) -> list[tuple[str, Screen[Any]]]:
    """One of each dialog, on the demo shop's orders."""
    processing = orders_with(services, OrderStatus.PROCESSING, 20)
    delivered = orders_with(services, OrderStatus.DELIVERED, 5)
    assert processing and delivered
    order = services.order(processing[0].id)
    done = services.order(delivered[0].id)
    many = [services.order(o.id) for o in processing[:15]]
    assert order.id is not None and done.id is not None
    now = datetime.now(UTC)
    ret = Return(order_id=done.id, state=ReturnState.REQUESTED, items=[], reason="too big",
                 destination=ReturnDestination.MERCHANT, opened_at=now, updated_at=now,
                 order_name=done.display_name, id=1)
    suggestions = [LinkSuggestion(order.id, n, f"#10{n}", 0.9, ("same name and postcode",))
                   for n in (1, 2, 3)]
    money = Money(Decimal("12.50"), "USD")
    return [
        ("add", AddOrdersDialog([("ae", "AliExpress"), ("ae2", "AliExpress")])),
        ("cancel", CancelDialog([order])),
        ("cancel many", CancelDialog(many, [(done, "it was delivered")] * 3)),
        ("dispute", DisputeDialog(done)),
        ("export", ExportDialog(OrderQuery(statuses=(OrderStatus.SHIPPED,)), [1, 2])),
        ("link", LinkDialog(order, suggestions)),
        ("link by name", LinkDialog(order, [])),
        ("unlink", UnlinkDialog(order, "#1042")),
        ("record", RecordDialog(order)),
        ("return", ReturnDialog(done.id, done.display_name,
                                services.returns.return_options(done.id))),
        ("return step", ReturnStepDialog(ret)),
        ("refund", RefundDialog(done.id, done.display_name, money)),
        ("recovery", RecoveryDialog(done.id, done.display_name, money)),
        ("stock", StockUseDialog(done, [("LAMP-01", "LAMP-01")])),
        ("confirm", ConfirmDialog("Replace the file?", "It exists.")),
        ("prompt", PromptDialog("Save the policy", "Where?", label="Path:")),
    ]


async def _buttons_on_screen(pilot: Any, name: str, dialog: Screen[Any]) -> list[str]:
    """Push ``dialog``: its buttons' whole labels, each seen on the screen."""
    app = pilot.app
    app.push_screen(dialog)
    await until(pilot, lambda: app.screen is dialog and dialog.is_mounted, what=name)
    await pilot.pause()
    buttons = list(dialog.query(Button))
    assert buttons, name
    text = flat_text(app)
    labels = [str(b.label) for b in buttons]
    for b, label in zip(buttons, labels, strict=True):
        assert label in text, f"{name}: {label!r} not on the screen"
        region = b.region
        assert region.width > 0 and region.right <= 80 and region.bottom <= 24, (name, region)
    app.pop_screen()
    await until(pilot, lambda: app.screen is not dialog, what=f"{name} closed")
    return labels


async def test_every_dialog_keeps_its_buttons_on_80x24_in_pseudo(
        pseudo_services: Services) -> None:
    app = OrderTUI(pseudo_services)
    async with app.run_test(size=(80, 24)) as pilot:
        await orders_ready(pilot)
        for name, dialog in _dialogs(pseudo_services):
            labels = await _buttons_on_screen(pilot, name, dialog)
            assert all(is_pseudo(label) for label in labels if "(" in label), (name, labels)
            heading = dialog.heading()  # type: ignore[attr-defined]
            if name not in ("confirm", "prompt"):  # their words are the caller's
                assert is_pseudo(str(heading)), (name, heading)


async def test_dialog_words_in_pseudo(pseudo_services: Services) -> None:
    app = OrderTUI(pseudo_services)
    async with app.run_test(size=(120, 50)) as pilot:
        await orders_ready(pilot)
        dialogs = dict(_dialogs(pseudo_services))
        for name in ("cancel", "record", "refund", "export"):
            dialog = dialogs[name]
            app.push_screen(dialog)
            await until(pilot, lambda d=dialog: app.screen is d and d.is_mounted, what=name)
            await pilot.pause()
            text = flat_text(app)
            expected = {"cancel": ["Reason (the supplier sees it):"],
                        "record": ["What is the state now?", "Cancellation"],
                        "refund": ["The item comes back (a return)", "Reason"],
                        "export": ["Which orders", "One row per order", "Last month"]}[name]
            for words in expected:
                assert pseudo(words) in text, (name, words)
            app.pop_screen()
            await until(pilot, lambda d=dialog: app.screen is not d)
        sort = SortDialog(SortKey.CREATED, True)
        app.push_screen(sort)
        await until(pilot, lambda: app.screen is sort and sort.is_mounted)
        await pilot.pause()
        assert pseudo("Sort orders by") in flat_text(app)


async def test_english_dialog_buttons_are_as_before(services: Services) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await orders_ready(pilot)
        found = {name: await _buttons_on_screen(pilot, name, dialog)
                 for name, dialog in _dialogs(services)}
        assert found["cancel"] == ["Request cancellation (enter)", "Back (esc)"]
        assert found["link"] == ["Link (ctrl+s)", "Back (esc)", "None of these"]
        assert found["confirm"] == ["Yes (y)", "No (esc)"]
        assert found["prompt"] == ["Send (enter)", "Back (esc)"]
        assert found["return step"] == ["Save (ctrl+s)", "Back (esc)"]
