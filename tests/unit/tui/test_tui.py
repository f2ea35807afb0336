"""The terminal app driven by Textual's pilot, on the demo supplier, at 80×24 and 160×50:
every screen, every key, and the merchant's journeys (docs/journeys.md) end to end."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from ordertui.domain.query import OrderQuery, SortKey
from ordertui.domain.states import CancellationState, DisputeState, OrderStatus
from ordertui.simulators.demo import fraction
from ordertui.suppliers.demo import DemoAdapter
from ordertui.tui.app import OrderTUI
from ordertui.tui.screens.details import DetailsScreen
from ordertui.tui.screens.disputes import DisputesScreen
from ordertui.tui.screens.orders import OrdersScreen
from ordertui.tui.screens.thread import ThreadScreen
from ordertui.tui.widgets.order_table import OrderTable
from support.tui import (
    flat_text,
    hostile_order,
    make_services,
    notifications,
    screen_raw,
    screen_text,
    until,
    widget_text,
)

SIZES = [(80, 24), (160, 50)]


@pytest.fixture(autouse=True)
def _fast_follow_up(monkeypatch: pytest.MonkeyPatch) -> None:
    # the app polls a supplier that owes an answer; the tests' demo answers in 0.3 s
    monkeypatch.setattr(DemoAdapter, "follow_up_s", 0.2)


@pytest.fixture
async def services(tmp_path: Path) -> Any:
    s = make_services(tmp_path)
    await s.sync()
    yield s
    s.store.close()


async def _ready(pilot: Any) -> OrderTable:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, OrdersScreen))
    table = app.screen.query_one(OrderTable)
    await until(pilot, lambda: table.total is not None and table.total > 0 and table.buffer,
                what="first window")
    await until(pilot, lambda: table.buffer[0].display_name in screen_text(app),
                what="first window on screen")
    return table


def _orders_with(services: Any, status: OrderStatus, n: int = 200) -> list[Any]:
    return services.window(OrderQuery(statuses=(status,)), limit=n)


@pytest.mark.parametrize("size", SIZES)
async def test_orders_screen_shows_the_store_and_says_demo(services: Any,
                                                           size: tuple[int, int]) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=size) as pilot:
        table = await _ready(pilot)
        text = screen_text(app)
        assert "DEMO" in text
        assert table.total == services.count(OrderQuery())
        first = services.window(OrderQuery(), limit=1)[0]
        assert first.display_name in text
        await until(pilot, lambda: f"1 of {table.total:,}" in screen_text(app),
                    what="the status line")
        for label in ("Order", "Status", "Customer", "Total"):
            assert label in text


@pytest.mark.parametrize("size", SIZES)
async def test_movement_keys(services: Any, size: tuple[int, int]) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=size) as pilot:
        table = await _ready(pilot)
        total = table.total
        assert total is not None
        await pilot.press("j", "j", "down")
        assert table.cursor == 3
        await pilot.press("k", "up")
        assert table.cursor == 1
        await pilot.press("pagedown")
        assert table.cursor == 1 + table.page
        await pilot.press("pageup")
        assert table.cursor == 1
        await pilot.press("G")
        await until(pilot, lambda: table.current is not None and table.cursor == total - 1,
                    what="last row")
        last = services.window(OrderQuery(), limit=1, from_end=True)[0]
        assert table.current is not None and table.current.id == last.id
        assert last.display_name in screen_text(app)
        await pilot.press("g")
        await until(pilot, lambda: table.cursor == 0 and table.current is not None)
        await pilot.press("end")
        await until(pilot, lambda: table.cursor == total - 1)
        await pilot.press("home")
        await until(pilot, lambda: table.cursor == 0)


async def test_paging_through_everything_matches_the_store(services: Any) -> None:
    """pagedown to the end shows every order once, in the store's order."""
    app = OrderTUI(services)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await _ready(pilot)
        seen: list[int] = []
        while True:
            visible = range(table.top, min(table.top + table.page, table.total or 0))
            await until(pilot, lambda: all(table.row_at(i) for i in visible),  # noqa: B023
                        what="the visible rows")
            for i in visible:
                row = table.row_at(i)
                assert row is not None
                if not seen or row.id not in seen[-table.page:]:
                    seen.append(row.id)
            if table.top + table.page >= (table.total or 0):
                break
            await pilot.press("pagedown")
        expected = [r.id for r in services.window(OrderQuery(), limit=10_000)]
        assert seen == expected


async def test_views_filter_the_table(services: Any) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=(120, 30)) as pilot:
        table = await _ready(pilot)
        await pilot.press("4")  # Processing
        await until(pilot, lambda: table.query_.statuses == (OrderStatus.PROCESSING,)
                    and not table.fetching)
        assert table.total == services.count(OrderQuery(statuses=(OrderStatus.PROCESSING,)))
        assert all(r.status is OrderStatus.PROCESSING for r in table.buffer)
        await pilot.press("2")  # Needs attention
        await until(pilot, lambda: table.query_.attention and not table.fetching)
        assert table.total == services.count(OrderQuery(attention=True)) > 0
        await pilot.press("tab")
        await until(pilot, lambda: table.query_.statuses == (OrderStatus.AWAITING_PAYMENT,))
        await pilot.press("shift+tab", "1")
        await until(pilot, lambda: not table.query_.filtered and not table.fetching)
        assert table.total == services.count(OrderQuery())


async def test_live_filter_and_escape(services: Any) -> None:
    target = _orders_with(services, OrderStatus.DELIVERED)[5]
    surname = target.customer_name.split()[-1]
    app = OrderTUI(services)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await _ready(pilot)
        await pilot.press("slash")
        await pilot.press(*surname)
        await until(pilot, lambda: table.query_.search == surname and not table.fetching
                    and table.total is not None)
        expected = services.count(OrderQuery(search=surname))
        assert table.total == expected
        assert target.id in {r.id for r in table.buffer}
        await pilot.press("enter")  # back to the table, filter kept
        assert app.focused is table
        await pilot.press("escape")  # clears the filter
        await until(pilot, lambda: table.query_.search == "" and not table.fetching)
        assert table.total == services.count(OrderQuery())


async def test_filter_finds_the_shop_order_number(services: Any) -> None:
    target = services.window(OrderQuery(), limit=40)[-1]
    app = OrderTUI(services)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await _ready(pilot)
        await pilot.press("slash", *target.name)
        await until(pilot, lambda: table.query_.search == target.name and not table.fetching
                    and table.current is not None)
        assert table.current is not None and table.current.id == target.id
        await pilot.press("enter", "enter")
        await until(pilot, lambda: isinstance(app.screen, DetailsScreen))
        await until(pilot, lambda: "Customer and shipping" in screen_text(app))
        assert target.customer_name in screen_text(app)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen))


async def test_sort_by_any_column(services: Any) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=(120, 30)) as pilot:
        table = await _ready(pilot)
        await pilot.press("s")
        await until(pilot, lambda: app.screen.__class__.__name__ == "SortDialog")
        keys = list(SortKey)
        steps = keys.index(SortKey.TOTAL) - keys.index(SortKey.CREATED)
        await pilot.press(*(["down"] * steps), "enter")
        await until(pilot, lambda: table.query_.sort is SortKey.TOTAL and not table.fetching)
        totals = [r.total_price.amount for r in table.buffer]
        assert totals == sorted(totals, reverse=True)
        await until(pilot, lambda: "Total ▼" in screen_text(app))
        await pilot.press("s", "enter")  # the same column again reverses it
        await until(pilot, lambda: not table.query_.descending and not table.fetching)
        totals = [r.total_price.amount for r in table.buffer]
        assert totals == sorted(totals)


@pytest.mark.parametrize("size", SIZES)
async def test_cancel_journey_request_details_answer_approved(services: Any,
                                                              size: tuple[int, int]) -> None:
    """request → the supplier asks for details → the merchant answers → approved →
    the order is cancelled; all from the keyboard, the answers arriving by themselves."""
    engine = services.adapter("demo").engine
    candidates = [r for r in _orders_with(services, OrderStatus.PROCESSING)
                  if r.cancellation_state is None and r.dispute_state is None
                  and fraction(engine.seed, engine.scheme.index(r.supplier_order_id,
                                                                 engine.count), "ask", 1) < 0.3]
    target = candidates[0]
    app = OrderTUI(services)
    async with app.run_test(size=size) as pilot:
        table = await _ready(pilot)
        await pilot.press("slash", *target.name, "enter")
        await until(pilot, lambda: table.current is not None and table.current.id == target.id)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DetailsScreen)
                    and app.screen.details is not None)
        await pilot.press("c")
        await until(pilot, lambda: "Request cancellation of" in widget_text(app))
        text = widget_text(app)
        assert "approves it, rejects it, or asks you for more details" in text
        assert "does not ship it" in text
        await pilot.press("enter")  # an empty reason is refused, nothing sent
        await until(pilot, lambda: "Write a reason" in widget_text(app))
        assert services.store.outbox.entries() == []
        await pilot.press(*"Customer ordered twice", "enter")
        await until(pilot, lambda: isinstance(app.screen, DetailsScreen))
        order = services.order(target.id)
        assert order.cancellation is not None
        assert order.cancellation.state in (CancellationState.REQUESTED,
                                            CancellationState.INFO_REQUESTED)
        await until(pilot, lambda: services.order(target.id).cancellation.state
                    is CancellationState.INFO_REQUESTED, what="the supplier's question")
        await until(pilot, lambda: "The supplier asks" in flat_text(app))
        await pilot.press("a")
        await until(pilot, lambda: app.screen.__class__.__name__ == "AnswerDialog")
        await pilot.press(*"Please cancel all of it", "enter")
        await until(pilot, lambda: services.order(target.id).status is OrderStatus.CANCELLED,
                    what="approval")
        await until(pilot, lambda: "#" + target.name[1:] + " Cancelled" in flat_text(app))
        final = services.order(target.id)
        assert final.cancellation is not None
        assert final.cancellation.state is CancellationState.APPROVED
        counts = services.adapter("demo").engine.action_counts()
        assert counts == {"cancel": 1, "cancel_answer": 1}


async def test_escape_aborts_a_cancellation_and_sends_nothing(services: Any) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await _ready(pilot)
        await pilot.press("4")
        await until(pilot, lambda: table.query_.statuses == (OrderStatus.PROCESSING,)
                    and not table.fetching and table.current is not None)
        await pilot.press("c")
        await until(pilot, lambda: app.screen.__class__.__name__ == "CancelDialog")
        await pilot.press(*"changed my mind", "escape")
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen))
        assert services.store.outbox.entries(states=("pending", "sending", "done")) == []


async def test_a_shipped_order_is_not_offered_for_cancellation(services: Any) -> None:
    shipped = _orders_with(services, OrderStatus.SHIPPED)[0]
    app = OrderTUI(services)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await _ready(pilot)
        await pilot.press("slash", *shipped.name, "enter")
        await until(pilot, lambda: table.current is not None and table.current.id == shipped.id)
        await pilot.press("c")
        await until(pilot, lambda: "can no longer be cancelled" in notifications(app))
        assert "open a dispute" in notifications(app)
        assert app.screen.__class__.__name__ == "OrdersScreen"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DetailsScreen)
                    and app.screen.details is not None)
        await until(pilot, lambda: "can no longer be cancelled" in flat_text(app))
        assert app.screen.check_action("cancel", ()) is False


async def test_marking_and_bulk_cancellation(services: Any) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=(160, 50)) as pilot:
        table = await _ready(pilot)
        await pilot.press("4")
        await until(pilot, lambda: table.query_.statuses == (OrderStatus.PROCESSING,)
                    and not table.fetching and len(table.buffer) >= 3)
        free = [r for r in table.buffer if r.cancellation_state is None][:2]
        for row in free:
            while table.current is None or table.current.id != row.id:
                await pilot.press("j")
            await pilot.press("space")
        assert table.marked == {r.id for r in free}
        await until(pilot, lambda: "2 marked" in screen_text(app))
        await pilot.press("c")
        await until(pilot, lambda: app.screen.__class__.__name__ == "CancelDialog")
        await until(pilot, lambda: "2 orders" in screen_text(app))
        await pilot.press(*"duplicate orders", "enter")
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen) and not table.marked)
        for row in free:
            c = services.order(row.id).cancellation
            assert c is not None and c.reason == "duplicate orders"
        await until(pilot, lambda: services.adapter("demo").engine.action_counts()
                    .get("cancel") == 2, what="both sent")


async def test_escape_clears_marks(services: Any) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await _ready(pilot)
        await pilot.press("space", "space")
        assert len(table.marked) == 2
        await pilot.press("escape")
        assert table.marked == set()


async def test_dispute_journey(services: Any) -> None:
    """Open a dispute (validation next to the field, typed text kept), the supplier answers in
    the thread, the merchant replies and then withdraws."""
    target = next(r for r in _orders_with(services, OrderStatus.DELIVERED)
                  if r.dispute_state is None)
    order = services.order(target.id)
    app = OrderTUI(services)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await _ready(pilot)
        await pilot.press("slash", *target.name, "enter")
        await until(pilot, lambda: table.current is not None and table.current.id == target.id)
        await pilot.press("d")
        await until(pilot, lambda: app.screen.__class__.__name__ == "DisputeDialog")
        form = app.screen
        amount = form.query_one("#amount")
        assert amount.value == order.total_cost.plain()  # defaults to what was paid
        amount.value = str(order.total_cost.amount + 5)
        form.query_one("#description").text = "The lamp arrived broken."
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "cannot be more than you paid" in widget_text(app))
        assert form.query_one("#description").text == "The lamp arrived broken."
        assert services.store.outbox.entries() == []
        amount.value = order.total_cost.plain()
        form.query_one("#evidence").value = "/nonexistent/photo.jpg"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "no file at /nonexistent/photo.jpg" in widget_text(app))
        form.query_one("#evidence").value = ""
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen))
        await until(pilot, lambda: services.order(target.id).dispute is not None
                    and services.order(target.id).dispute.state not in
                    (DisputeState.OPEN, DisputeState.AWAITING_SUPPLIER), what="supplier answer")
        d = services.order(target.id).dispute
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DetailsScreen)
                    and app.screen.details is not None)
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, ThreadScreen)
                    and app.screen.details is not None)
        await until(pilot, lambda: "The lamp arrived broken." in flat_text(app))
        text = screen_text(app)
        assert "Supplier" in text
        if d.state is DisputeState.AWAITING_MERCHANT:
            await pilot.press("r")
            await pilot.press(*"Here are photos of the damage", "enter")
            await until(pilot, lambda: "Here are photos of the damage" in flat_text(app))
            await until(pilot, lambda: services.adapter("demo").engine.action_counts()
                        .get("dispute_reply") == 1, what="reply sent")
            await until(pilot, lambda: services.order(target.id).dispute.state is not
                        DisputeState.AWAITING_SUPPLIER, what="supplier answers the reply")
        if not services.order(target.id).dispute.state.terminal:
            await pilot.press("w")
            await until(pilot, lambda: app.screen.__class__.__name__ == "ConfirmDialog")
            await pilot.press("y")
            await until(pilot, lambda: services.order(target.id).dispute.state
                        is DisputeState.WITHDRAWN)
            await until(pilot, lambda: services.adapter("demo").engine.action_counts()
                        .get("dispute_withdraw") == 1, what="withdrawal sent")
        assert services.adapter("demo").engine.action_counts().get("dispute_open") == 1


async def test_disputes_screen_lists_and_opens_threads(services: Any) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=(120, 30)) as pilot:
        await _ready(pilot)
        await pilot.press("D")
        await until(pilot, lambda: isinstance(app.screen, DisputesScreen)
                    and bool(app.screen.order_ids))
        screen = app.screen
        open_states = (DisputeState.OPEN, DisputeState.AWAITING_SUPPLIER,
                       DisputeState.AWAITING_MERCHANT, DisputeState.ESCALATED)
        assert len(screen.order_ids) == len(services.disputes(open_states))
        await pilot.press("f", "f")  # all disputes
        await until(pilot, lambda: len(app.screen.order_ids) == len(services.disputes()))
        first = app.screen.order_ids[0]
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ThreadScreen))
        assert app.screen.order_id == first
        await pilot.press("escape", "escape")
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen))


async def test_help_shows_every_key_of_the_screen_grouped(services: Any) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=(120, 50)) as pilot:
        await _ready(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: "Keys" in screen_text(app) and "Move" in screen_text(app))
        text = screen_text(app)
        for group in ("Move", "Views", "Find", "Act"):
            assert group in text
        for description in ("Page down", "Filter", "Sort", "Cancel", "Dispute", "Export",
                            "Mark", "Sync", "Quit"):
            assert description in text
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen))


async def test_remapped_key_works_and_shows_in_help(tmp_path: Path) -> None:
    services = make_services(tmp_path, extra={"keys": {"sort": "o"}})
    await services.sync()
    app = OrderTUI(services)
    async with app.run_test(size=(120, 50)) as pilot:
        await _ready(pilot)
        await pilot.press("o")
        await until(pilot, lambda: app.screen.__class__.__name__ == "SortDialog")
        await pilot.press("escape", "question_mark")
        await until(pilot, lambda: "Move" in widget_text(app))
        assert " o Sort " in widget_text(app)
        assert " s Sort " not in widget_text(app)
    services.store.close()


async def test_adding_by_id_is_offered_only_for_suppliers_that_need_it(services: Any) -> None:
    """The demo supplier lists its orders: no "a" key, no palette command; an empty view says
    what helps."""
    app = OrderTUI(services)
    async with app.run_test(size=(120, 30)) as pilot:
        await _ready(pilot)
        assert services.suppliers_taking_ids() == []
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, OrdersScreen)
        await pilot.press("ctrl+p", *"Add orders")
        await pilot.pause(0.3)
        assert "Add orders by id" not in screen_text(app)
        await pilot.press("escape")
        await pilot.press("slash", *"zzqqxx-no-such")
        await until(pilot, lambda: "No orders match. Press esc to clear the filter."
                    in screen_text(app), what="the filter's empty message")


async def test_command_palette_reaches_screens(services: Any) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=(120, 30)) as pilot:
        await _ready(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"Disputes")
        await until(pilot, lambda: "Every dispute" in screen_text(app))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DisputesScreen))


async def test_settings_show_secrets_redacted_and_save_the_key_map(tmp_path: Path) -> None:
    services = make_services(tmp_path)
    await services.sync()
    services.config.suppliers["demo"].settings["api_key"] = "sk-very-secret-123"
    app = OrderTUI(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot)
        await pilot.press("comma")
        await until(pilot, lambda: "Config file" in screen_text(app))
        text = screen_text(app)
        assert "sk-very-secret-123" not in text
        assert "••••" in text
        table = app.screen.query_one("#keymap")
        row = next(i for i in range(table.row_count)
                   if str(table.coordinate_to_cell_key((i, 0)).row_key.value) == "export")
        table.move_cursor(row=row)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.__class__.__name__ == "KeyCaptureDialog")
        await pilot.press("x")
        await until(pilot, lambda: app.screen.__class__.__name__ == "SettingsScreen")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: services.config.path.exists())
    import tomllib

    saved = tomllib.loads(services.config.path.read_text())
    assert saved["keys"]["export"] == "x"
    assert oct(services.config.path.stat().st_mode & 0o777) == "0o600"
    services.store.close()


async def test_hostile_text_is_shown_literally(services: Any) -> None:
    services.store.apply_sync_page("demo", [hostile_order()], None)
    app = OrderTUI(services)
    async with app.run_test(size=(160, 50)) as pilot:
        table = await _ready(pilot)
        await pilot.press("slash", *"Mallory", "enter")
        await until(pilot, lambda: table.current is not None
                    and table.current.name == "#6666")
        await until(pilot, lambda: "Mallory" in screen_text(app))
        text = screen_text(app)
        assert "[bold red]x[/] Mallory" in text  # markup shown, not applied
        raw = screen_raw(app)
        assert "\x1b]" not in raw  # no OSC from data (titles, clipboard)
        await pilot.press("enter")
        await until(pilot, lambda: "Customer and shipping" in screen_text(app))
        text = screen_text(app)
        raw = screen_raw(app)
        assert "[bold red]x[/] Mallory" in text
        assert "[link=http://evil]click[/link]" in text
        assert "␛]0;pwned␇" in text  # the escape made visible
        assert "\x1b]0;pwned" not in raw and "\x1b]52" not in raw and "\x1b[2J" not in raw
        assert "<U+202E>" in text  # the bidi override shown, not obeyed


async def test_a_terminal_too_small_says_so(services: Any) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=(50, 12)) as pilot:
        await until(pilot, lambda: "Make the window at least" in screen_text(app))
        assert "50×12" in screen_text(app)


async def test_quit_from_the_orders_screen(services: Any) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        await pilot.press("q")
        await until(pilot, lambda: not app.is_running, what="the app to quit")
    assert app.return_code == 0


def test_the_app_on_the_demo_supplier_loads_no_http_spreadsheet_or_mail_code(
        tmp_path: Path) -> None:
    """Each of these costs megabytes of memory and tens of milliseconds of start-up (httpx
    alone pulls in rich.progress and pygments): the app loads them only when a supplier
    over HTTP, an export or an e-mail needs them."""
    import subprocess
    import sys

    script = f"""
import asyncio, sys
from pathlib import Path
from ordertui.config import load
from ordertui.services import Services
from ordertui.tui.app import OrderTUI

async def main():
    app = OrderTUI(Services(load(None, Path({str(tmp_path / "data")!r}))))
    app.read_first(24)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(200):
            await pilot.pause(0.05)
            if "#1" in str(app.screen.query_one("OrderTable").render_line(1)):
                break
        else:
            raise SystemExit("the orders never showed")
        await pilot.pause(1.0)  # the first sync and the outbox runner have had their turn
asyncio.run(main())
heavy = ("httpx", "openpyxl", "smtplib", "importlib.metadata", "pygments")
print(" ".join(m for m in heavy if m in sys.modules) or "none")
"""
    (tmp_path / "config.toml").write_text("")  # nothing configured: the demo supplier
    env = {**os.environ, "ORDERTUI_CONFIG": str(tmp_path / "config.toml")}
    env.pop("ORDERTUI_DATA_DIR", None)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "none", done.stdout


async def test_a_failed_save_in_settings_says_so_and_the_app_goes_on(tmp_path: Path) -> None:
    services = make_services(tmp_path)
    await services.sync()
    (tmp_path / "a-file").write_text("")
    services.config.path = tmp_path / "a-file" / "config.toml"  # cannot be written
    app = OrderTUI(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot)
        await pilot.press("comma")
        await until(pilot, lambda: "Config file" in screen_text(app))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Not saved" in notifications(app), what="the refusal")
        assert "a-file" in notifications(app)
        assert app.is_running and app.screen.__class__.__name__ == "SettingsScreen"
    services.store.close()


async def test_the_help_screen_scrolls_to_its_last_line_at_80x24(services: Any) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: "Move" in screen_text(app))
        assert "Keys can be remapped" not in screen_text(app)  # below the fold at first
        for _ in range(60):
            await pilot.press("j")
        await until(pilot, lambda: "Keys can be remapped" in flat_text(app),
                    what="the last line of the help")
        text = flat_text(app)
        assert "Dispute: Awaiting you" in text and "Go to" not in text.split("Flags")[1]


async def test_the_suppliers_decisions_come_in_one_notification(services: Any) -> None:
    from ordertui.domain.models import SyncEvent

    app = OrderTUI(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        events = [SyncEvent(i, f"#{1400 + i}", "cancellation", "requested", "approved")
                  for i in range(5)]
        events.append(SyncEvent(9, "#1409", "sent", None, "Request cancellation: sent"))
        app.announce(events)
        await pilot.pause(0.1)
        assert len(app._notifications) == 1
        (note,) = list(app._notifications)
        assert note.message.count("\n") == 3 and "2 more updates" in note.message
        assert "sent" not in note.message


async def test_a_key_already_used_on_a_screen_is_refused_and_leaving_asks(
        tmp_path: Path) -> None:
    import tomllib

    services = make_services(tmp_path)
    await services.sync()
    app = OrderTUI(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        await pilot.press("comma")
        await until(pilot, lambda: app.screen.__class__.__name__ == "SettingsScreen")
        table = app.screen.query_one("#keymap")
        row = next(i for i in range(table.row_count)
                   if str(table.coordinate_to_cell_key((i, 0)).row_key.value) == "cancel")
        app.screen.query_one("#keymap").focus()
        table.move_cursor(row=row)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.__class__.__name__ == "KeyCaptureDialog")
        await pilot.press("d")  # Dispute's key on the orders screen
        await until(pilot, lambda: "'d' is already 'Dispute'" in notifications(app))
        assert app.keymap.get("cancel") is None
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.__class__.__name__ == "KeyCaptureDialog")
        await pilot.press("z")
        await until(pilot, lambda: app.keymap.get("cancel") == "z")
        await pilot.press("escape")  # unsaved: asked, not left
        await until(pilot, lambda: app.screen.__class__.__name__ == "LeaveDialog")
        await pilot.press("n")  # drop the change
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen))
        assert app.keymap.get("cancel") in (None, "c")
        assert "z Cancel" not in screen_text(app) and "c Cancel" in screen_text(app)
        await pilot.press("comma")
        await until(pilot, lambda: app.screen.__class__.__name__ == "SettingsScreen")
        app.screen.query_one("#address").text = "Anna Schmidt\nKarl-Liebknecht-Str. 5"
        await pilot.press("escape")
        await until(pilot, lambda: app.screen.__class__.__name__ == "LeaveDialog")
        await pilot.press("y")  # save
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen))
    saved = tomllib.loads(services.config.path.read_text())
    assert saved["returns"]["address"] == ["Anna Schmidt", "Karl-Liebknecht-Str. 5"]
    assert services.returns.merchant().address_lines == ("Anna Schmidt",
                                                         "Karl-Liebknecht-Str. 5")
    services.store.close()


async def test_a_remapped_key_keeps_its_place_in_the_bottom_line(tmp_path: Path) -> None:
    services = make_services(tmp_path, extra={"keys": {"sort": "o"}})
    await services.sync()
    app = OrderTUI(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        bottom = screen_text(app).splitlines()[-1]
        assert "o Sort" in bottom and bottom.index("Dispute") < bottom.index("o Sort")
        await pilot.press("question_mark")
        await until(pilot, lambda: "o    Sort" in flat_text(app) or "o Sort" in flat_text(app))
    services.store.close()
