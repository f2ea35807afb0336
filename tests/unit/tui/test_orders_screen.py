"""The orders screen driven by Textual's pilot, on the demo supplier, at 80×24 and
160×50: what it shows, moving, paging, the views, the live filter, sorting, marking, and
supplier and customer text shown literally (invariant 4 in docs/architecture.md)."""

from __future__ import annotations

from typing import Any

import pytest

from ordertui.domain.query import OrderQuery, SortKey, View
from ordertui.domain.states import OrderStatus
from ordertui.tui.app import OrderTUI
from ordertui.tui.screens.details import DetailsScreen
from ordertui.tui.screens.orders import OrdersScreen
from support.tui import (
    SIZES,
    hostile_order,
    notifications,
    orders_ready,
    orders_with,
    screen_raw,
    screen_text,
    until,
)

# the demo supplier's answers are looked for often (conftest.py)
pytestmark = pytest.mark.usefixtures("fast_follow_up")


@pytest.mark.parametrize("size", SIZES)
async def test_orders_screen_shows_the_store_and_says_demo(services: Any,
                                                           size: tuple[int, int]) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=size) as pilot:
        table = await orders_ready(pilot)
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
        table = await orders_ready(pilot)
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
        table = await orders_ready(pilot)
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
        table = await orders_ready(pilot)
        await pilot.press("4")  # Processing
        await until(pilot, lambda: table.query_.statuses == (OrderStatus.PROCESSING,)
                    and not table.fetching)
        assert table.total == services.count(OrderQuery(statuses=(OrderStatus.PROCESSING,)))
        assert all(r.status is OrderStatus.PROCESSING for r in table.buffer)
        await pilot.press("2")  # Needs attention
        await until(pilot, lambda: table.query_.attention and not table.fetching)
        assert table.total == services.count(services.view_query(View.ATTENTION)) > 0
        await pilot.press("tab")
        await until(pilot, lambda: table.query_.statuses == (OrderStatus.AWAITING_PAYMENT,))
        await pilot.press("shift+tab", "1")
        await until(pilot, lambda: not table.query_.filtered and not table.fetching)
        assert table.total == services.count(OrderQuery())


async def test_live_filter_and_escape(services: Any) -> None:
    target = orders_with(services, OrderStatus.DELIVERED)[5]
    surname = target.customer_name.split()[-1]
    app = OrderTUI(services)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await orders_ready(pilot)
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
        table = await orders_ready(pilot)
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
        table = await orders_ready(pilot)
        await pilot.press("s")
        await until(pilot, lambda: app.screen.__class__.__name__ == "SortDialog")
        keys = list(SortKey)
        steps = keys.index(SortKey.TOTAL) - keys.index(SortKey.CREATED)
        await pilot.press(*(["down"] * steps), "enter")
        await until(pilot, lambda: table.query_.sort is SortKey.TOTAL and not table.fetching)
        totals = [r.sale.amount for r in table.buffer]  # as they count
        assert totals == sorted(totals, reverse=True)
        await until(pilot, lambda: "Total ▼" in screen_text(app))
        await pilot.press("s", "enter")  # the same column again reverses it
        await until(pilot, lambda: not table.query_.descending and not table.fetching)
        totals = [r.sale.amount for r in table.buffer]
        assert totals == sorted(totals)


async def test_escape_clears_marks(services: Any) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await orders_ready(pilot)
        await pilot.press("space", "space")
        assert len(table.marked) == 2
        await pilot.press("escape")
        assert table.marked == set()


async def test_adding_by_id_is_offered_only_for_suppliers_that_need_it(services: Any) -> None:
    """The demo supplier lists its orders: no "a" key, no palette command; an empty view says
    what helps."""
    app = OrderTUI(services)
    async with app.run_test(size=(120, 30)) as pilot:
        await orders_ready(pilot)
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


async def test_hostile_text_is_shown_literally(services: Any) -> None:
    services.store.apply_sync_page("demo", [hostile_order()], None)
    app = OrderTUI(services)
    async with app.run_test(size=(160, 50)) as pilot:
        table = await orders_ready(pilot)
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


async def test_cancel_and_dispute_on_an_empty_list_say_why_and_open_nothing(
        services: Any) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await orders_ready(pilot)
        await until(pilot, lambda: "c Cancel" in screen_text(app).splitlines()[-1],
                    what="cancel on the bottom line for the order under the cursor")
        await pilot.press("slash", *"zzqqxx-no-such", "enter")
        await until(pilot, lambda: table.query_.search == "zzqqxx-no-such"
                    and not table.fetching and table.total == 0, what="an empty list")
        await until(pilot, lambda: "c Cancel" not in screen_text(app).splitlines()[-1],
                    what="cancel leaves the bottom line")
        assert "d Dispute" not in screen_text(app).splitlines()[-1]
        await pilot.press("c")
        await until(pilot, lambda: "Cancel: no order is listed here" in notifications(app),
                    what="why not cancel")
        await pilot.pause(0.2)  # a key typed after a pause, not the rest of c's burst
        await pilot.press("d")
        await until(pilot, lambda: "Dispute: no order is listed here" in notifications(app),
                    what="why not dispute")
        await pilot.pause(0.2)
        assert isinstance(app.screen, OrdersScreen)
        assert [s for s in app.screen_stack if type(s).__name__.endswith("Dialog")] == []
        assert table.query_.search == "zzqqxx-no-such"  # the keys ran nothing else
    assert services.store.outbox.entries(to="supplier") == []
