"""The session's role in the app, driven by Textual's pilot on the demo shop: the keys a role
leaves out are not in the bottom line, in ``?`` or in the command palette, ``?`` says in one
line what the role leaves out, a key pressed anyway (or remapped) says why and opens
nothing, an order's details list only what the role may do, and a viewer's session neither
syncs nor sends the outbox. The owner's screens are the snapshots', unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import RadioButton

from ordertui.domain.roles import BUILTIN_ROLES, Permission, Role
from ordertui.domain.states import OrderStatus
from ordertui.services import Services
from ordertui.tui import keys
from ordertui.tui.app import OrderTUI
from ordertui.tui.commands import commands
from ordertui.tui.dialogs.help import HelpDialog
from ordertui.tui.dialogs.record import RecordDialog
from ordertui.tui.screens.details import DetailsScreen
from ordertui.tui.screens.orders import OrdersScreen
from ordertui.tui.widgets.key_bar import KeyBar
from support.tui import (
    flat_text,
    make_services,
    notifications,
    orders_ready,
    orders_with,
    screen_text,
    until,
    widget_text,
)

# the demo supplier's answers are looked for often (conftest.py)
pytestmark = pytest.mark.usefixtures("fast_follow_up")

STAFF, VIEWER = BUILTIN_ROLES["staff"], BUILTIN_ROLES["viewer"]


def footer(app: Any) -> list[str]:
    """What the bottom line offers: each key's description."""
    return [s.description for s in app.screen.query_one(KeyBar).shown()]


def dialogs(app: Any) -> list[str]:
    return [type(s).__name__ for s in app.screen_stack if type(s).__name__.endswith("Dialog")]


async def open_details(pilot: Any, order_id: int) -> DetailsScreen:
    app = pilot.app
    await orders_ready(pilot)
    app.push_screen(DetailsScreen(order_id))
    await until(pilot, lambda: isinstance(app.screen, DetailsScreen)
                and app.screen.details is not None)
    screen = app.screen
    assert isinstance(screen, DetailsScreen)
    return screen


async def help_text(pilot: Any, group: str = "Move") -> str:
    app = pilot.app
    await pilot.press("question_mark")
    await until(pilot, lambda: isinstance(app.screen, HelpDialog) and group in flat_text(app))
    return flat_text(app)


async def test_staff_is_not_offered_export_or_settings_and_is_told_why(
        services: Services) -> None:
    services.use_role(STAFF)
    app = OrderTUI(services)
    async with app.run_test(size=(160, 50)) as pilot:
        await orders_ready(pilot)
        await until(pilot, lambda: "Dispute" in footer(app), what="the order's keys")
        shown = footer(app)
        assert {"Cancel", "Dispute", "Sync", "Sort"} <= set(shown) and "Export" not in shown
        assert "ordertui · Orders · role staff" in screen_text(app).splitlines()[0]

        text = await help_text(pilot)
        assert "Your role staff leaves out: Refund, Export, Settings" in text
        assert "Export" not in text.replace("leaves out: Refund, Export", "")
        assert "Sync" in text and "Cancel" in text
        everything = widget_text(app)  # the help's last line too, below the fold
        assert "Keys can be remapped under [keys] in the config file." in everything
        assert "ctrl+p → Settings" not in everything
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen))

        titles = {c.title for c in commands(app)}
        assert "Sync now" in titles and not {"Export orders", "Settings"} & titles

        for key, line in (("e", "Role 'staff' may not export orders; ask someone whose role "
                                "allows export"),
                          ("comma", "Role 'staff' may not change the settings; ask someone "
                                    "whose role allows settings")):
            app.clear_notifications()
            await pilot.press(key)
            await until(pilot, lambda line=line: line in notifications(app), what=line)
            await pilot.pause(0.2)
            assert isinstance(app.screen, OrdersScreen) and dialogs(app) == []
        # started without a key (the palette's own list lacks it): said, not done
        app.clear_notifications()
        app.action_settings()
        await until(pilot, lambda: "may not change the settings" in notifications(app))
        assert isinstance(app.screen, OrdersScreen)
    assert not services.config.path.exists()


async def test_staff_is_not_offered_a_refund_on_an_order(services: Services) -> None:
    delivered = orders_with(services, OrderStatus.DELIVERED)[0]
    services.use_role(STAFF)
    app = OrderTUI(services)
    async with app.run_test(size=(160, 50)) as pilot:
        details = await open_details(pilot, delivered.id)
        await until(pilot, lambda: "Return" in footer(app), what="the order's keys")
        assert "Refund" not in footer(app)
        assert details.check_action("refund", ()) is False
        assert details.check_action("return", ()) is True
        actions = str(details.query_one("#actions").content)
        assert "Accept a return" in actions and "Refund the customer" not in actions
        assert "Open a dispute" in actions
        app.clear_notifications()
        await pilot.press("f")
        await until(pilot, lambda: "Role 'staff' may not refund; ask someone whose role "
                                   "allows refund" in notifications(app))
        await pilot.pause(0.2)
        assert app.screen is details and dialogs(app) == []
        text = await help_text(pilot)
        assert "Your role staff leaves out: Refund, Export, Settings" in text
        assert "Update return" in text or "Return" in text
    assert services.returns.refunds(delivered.id) == []


async def test_a_key_remapped_onto_a_refused_action_says_why(tmp_path: Path) -> None:
    services = make_services(tmp_path, extra={"keys": {"export": "z"}})
    await services.sync()
    services.use_role(STAFF)
    app = OrderTUI(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await orders_ready(pilot)
        await pilot.press("z")
        await until(pilot, lambda: "may not export orders" in notifications(app))
        await pilot.pause(0.2)
        assert dialogs(app) == []
        app.clear_notifications()
        await pilot.press("e")  # not the export key any more: nothing to say
        await pilot.pause(0.3)
        assert "may not" not in notifications(app)
    services.store.close()


async def test_a_viewer_is_offered_only_what_shows_something(services: Services) -> None:
    processing = orders_with(services, OrderStatus.PROCESSING)[0]
    services.use_role(VIEWER)
    app = OrderTUI(services)
    async with app.run_test(size=(160, 50)) as pilot:
        await orders_ready(pilot)
        await pilot.pause(0.3)
        shown = footer(app)
        assert "Sort" in shown and "Filter" in shown
        assert not {"Cancel", "Dispute", "Export", "Sync", "Add by id"} & set(shown)
        text = await help_text(pilot)
        assert ("Your role viewer leaves out: Sync, Cancel, Dispute, Return, Refund, Export, "
                "Link, Settings") in text
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen))
        app.clear_notifications()
        await pilot.press("c")
        await until(pilot, lambda: "Role 'viewer' may not cancel orders; ask someone whose "
                                   "role allows cancel" in notifications(app))
        await pilot.pause(0.2)
        assert dialogs(app) == []
        titles = {c.title for c in commands(app)}
        assert not {"Sync now", "Export orders", "Settings"} & titles
        assert "Disputes" in titles and "Returns" in titles

        details = await open_details(pilot, processing.id)
        keys = footer(app)
        assert "Back" in keys and "Thread" not in keys  # no dispute to show
        for action in ("cancel", "answer", "dispute", "return", "return_step", "refund",
                       "recovered", "use_stock", "link", "refresh", "record"):
            assert details.check_action(action, ()) is False, action
        actions = str(details.query_one("#actions").content)
        assert "Request cancellation" not in actions
    assert services.store.outbox.entries(to="supplier") == []


async def test_a_viewers_session_neither_syncs_nor_sends(services: Services) -> None:
    # an action the owner queued: a session that syncs would send it at once
    owner_order = orders_with(services, OrderStatus.PROCESSING)[0]
    services.request_cancellation(owner_order.id, "ordered twice")
    synced, queued = services.sync_status(), services.pending_actions()
    services.use_role(VIEWER)
    app = OrderTUI(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await orders_ready(pilot)
        await pilot.pause(1.5)
        running = {w.group for w in app.workers if not w.is_finished}
        assert "watch" in running and not {"outbox", "sync"} & running
        assert "no sync in the role viewer" in screen_text(app)
        app.action_sync()  # the palette's way, were it offered
        await until(pilot, lambda: "may not sync" in notifications(app))
        await pilot.pause(0.5)
    assert services.sync_status() == synced
    # the cancellation and the sync's tracking for the shop: all still waiting, none tried
    assert services.pending_actions() == queued
    assert {e.attempts for e in queued} == {0}
    assert services.adapter("demo").engine.action_counts() == {}  # type: ignore[attr-defined]


async def test_the_record_dialog_offers_what_the_role_may_record(services: Services) -> None:
    order = services.order(orders_with(services, OrderStatus.PROCESSING)[0].id)
    assert order.id is not None
    services.use_role(Role("desk", frozenset({Permission.DISPUTE})))
    app = OrderTUI(services)
    async with app.run_test(size=(120, 40)) as pilot:
        details = await open_details(pilot, order.id)
        assert details.recordable() == ("dispute",)
        app.push_screen(RecordDialog(order, "dispute", kinds=details.recordable()))
        await until(pilot, lambda: isinstance(app.screen, RecordDialog)
                    and "Record what happened" in flat_text(app))
        radios = [str(r.label) for r in app.screen.query(RadioButton)]
        assert radios == ["Dispute"]


async def test_the_owner_sees_no_role(services: Services) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await orders_ready(pilot)
        assert "role" not in screen_text(app).splitlines()[0]
        assert "Export" in footer(app)
        text = await help_text(pilot)
        assert "leaves out" not in text


def test_one_key_id_needs_one_permission_wherever_it_is_bound() -> None:
    for k in keys.TABLE:
        assert k.permission == keys.PERMISSIONS.get(k.id), k
    assert keys.PERMISSIONS["refund"] is Permission.REFUND
    assert "record" not in keys.PERMISSIONS  # a cancellation or a dispute: the screen asks


async def test_the_role_in_german(tmp_path: Path) -> None:
    services = make_services(tmp_path, extra={"app": {"language": "de"}})
    await services.sync()
    services.use_role(STAFF)
    app = OrderTUI(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await orders_ready(pilot)
        assert "Rolle staff" in screen_text(app).splitlines()[0]
        text = await help_text(pilot, "Bewegen")
        assert "Ihre Rolle staff lässt aus: Rückerstattung, Export, Einstellungen" in text
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen))
        await pilot.press("e")
        await until(pilot, lambda: "Die Rolle 'staff' darf nicht Bestellungen exportieren; "
                                   "fragen Sie jemanden, dessen Rolle export erlaubt"
                    in notifications(app))
    services.store.close()
