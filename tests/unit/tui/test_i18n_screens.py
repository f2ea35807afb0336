"""The screens in the test language ``x-pseudo`` (every marked message accented, longer and
in ⟦…⟧): set as ``[app] language``, it reaches the titles, headers, hints and sections of
the orders screen, an order's details, a dispute's thread, the disputes, the returns and
their stock, the shop orders, Settings and the return policy — no English label of theirs
is left plain — and the orders table and its tabs still fit 80 columns with the longer
words. English stays as it was."""

from __future__ import annotations

import re
from typing import Any

import pytest
from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Static

from ordertui import i18n
from ordertui.domain.query import View
from ordertui.i18n.pseudo import is_pseudo, pseudo
from ordertui.services import Services
from ordertui.tui.app import OrderTUI
from ordertui.tui.screens.details import DetailsScreen
from ordertui.tui.screens.disputes import DisputesScreen
from ordertui.tui.screens.orders import OrdersScreen
from ordertui.tui.screens.policy import PolicyScreen
from ordertui.tui.screens.returns import ReturnsScreen, StockScreen
from ordertui.tui.screens.settings import SettingsScreen
from ordertui.tui.screens.shop_orders import ShopOrdersScreen
from ordertui.tui.screens.thread import ThreadScreen
from ordertui.tui.screens.too_small import TooSmallScreen
from ordertui.tui.widgets.order_table import MARK_WIDTH
from ordertui.tui.widgets.top_bar import TopBar
from ordertui.tui.widgets.view_tabs import ViewTabs
from support.tui import orders_ready, screen_text, until, widget_text

# the demo supplier's answers are looked for often (conftest.py)
pytestmark = pytest.mark.usefixtures("fast_follow_up")


@pytest.fixture
def pseudo_services(services: Services) -> Services:
    """The synced demo shop of conftest.py, its config asking for the test language (the app
    takes the language from the config when it is made)."""
    services.config.language = i18n.PSEUDO
    return services


def title(app: Any) -> str:
    return app.screen.query_one(TopBar).title_text


def headers(app: Any) -> list[str]:
    table = app.screen.query_one(DataTable)
    return [str(c.label) for c in table.columns.values()]


def static(app: Any, selector: str) -> str:
    content = app.screen.query_one(selector, Static).content
    return getattr(content, "plain", str(content))


async def go(pilot: Any, key: str, screen: type, ready: Any = lambda s: True) -> Any:
    await pilot.press(key)
    await until(pilot, lambda: isinstance(pilot.app.screen, screen)
                and ready(pilot.app.screen), what=screen.__name__)
    return pilot.app.screen


async def test_the_orders_screen_speaks_the_configured_language_at_80x24(
        pseudo_services: Services) -> None:
    app = OrderTUI(pseudo_services)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await orders_ready(pilot)
        position = pseudo("{position} of {total}").format(position=1, total=table.total)
        await until(pilot, lambda: position in static(app, "#status"), what="status line")
        text = screen_text(app)
        assert title(app) == pseudo("Orders")
        assert pseudo("demo supplier: nothing here is real")[:20] in text
        # every column shown has its header translated, and is at least as wide as it
        layout = table._layout()
        for col, width in layout:
            assert is_pseudo(col.header) and width >= cell_len(col.header), col.label
            assert col.header[:width - 1] in text
        assert sum(w for _, w in layout) + len(layout) - 1 <= 80 - MARK_WIDTH
        for english in ("Customer", "Profit", "Flags", "Unpaid", "Processing"):
            assert english not in text, english
        status = static(app, "#status")
        assert status.startswith(position) and pseudo("by date") in status
        tabs = app.screen.query_one(ViewTabs).render().plain
        assert pseudo("All") in tabs and "Attn" not in tabs


async def test_an_order_its_thread_and_the_disputes_in_the_configured_language(
        pseudo_services: Services) -> None:
    app = OrderTUI(pseudo_services)
    async with app.run_test(size=(160, 50)) as pilot:
        await orders_ready(pilot)
        disputes = await go(pilot, "D", DisputesScreen, lambda s: bool(s.order_ids))
        assert title(app) == pseudo("Disputes")
        assert all(is_pseudo(h) for h in headers(app)), headers(app)
        line = static(app, "#dispute-filter")
        assert is_pseudo(line) and pseudo("Open disputes") in line
        assert "disputes:" not in line and "open the thread" not in line
        assert static(app, "#dispute-last").startswith("⟦")
        order_id = disputes.order_ids[0]
        name = pseudo_services.order(order_id).display_name

        await go(pilot, "enter", ThreadScreen, lambda s: s.details is not None)
        assert title(app) == pseudo("Dispute on {order}").format(order=name)
        head = static(app, "#thread-head")
        assert pseudo("you ask {amount}").split("{")[0] in head and "you ask" not in head

        await pilot.press("escape", "escape")
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen))
        app.push_screen(DetailsScreen(order_id))
        await until(pilot, lambda: isinstance(app.screen, DetailsScreen)
                    and app.screen.details is not None, what="details")
        assert title(app) == pseudo("Order {order}").format(order=name)
        words = widget_text(app)
        for section in ("What you can do", "Customer and shipping", "Items", "Tracking",
                        "Dispute", "Supplier's return policy"):
            assert pseudo(section) in words, section
        for english in ("What you can do", "Customer and shipping", "Customer paid",
                        "Shipping paid", "Total: customer paid", "open the thread"):
            assert english not in words, english
        assert not re.search(r"Buyer protection: \d+ days? after", words)


async def test_the_list_screens_settings_and_policy_in_the_configured_language(
        pseudo_services: Services) -> None:
    app = OrderTUI(pseudo_services)
    async with app.run_test(size=(160, 50)) as pilot:
        await orders_ready(pilot)

        await go(pilot, "U", ReturnsScreen, lambda s: is_pseudo(static(app, "#returns-filter")))
        assert title(app) == pseudo("Returns")
        assert all(is_pseudo(h) for h in headers(app)), headers(app)
        line = static(app, "#returns-filter")
        assert pseudo("open returns") in line and "returns:" not in line

        await pilot.press("escape")
        await go(pilot, "K", StockScreen)
        assert title(app) == pseudo("Returns stock")
        assert all(is_pseudo(h) for h in headers(app)), headers(app)
        assert "Items that came back" not in screen_text(app)

        await pilot.press("escape")
        await go(pilot, "O", ShopOrdersScreen, lambda s: bool(s.rows))
        assert title(app) == pseudo("Shop orders")
        assert all(is_pseudo(h) for h in headers(app)), headers(app)
        line = static(app, "#shop-filter")
        assert pseudo("Shop orders to order") in line and "its supplier order" not in line
        assert pseudo("no supplier order yet") in static(app, "#shop-order-lines")

        await pilot.press("escape")
        await go(pilot, "comma", SettingsScreen)
        assert title(app) == pseudo("Settings")
        text = screen_text(app)
        for label in ("Suppliers", "Your return address", "Theme"):
            assert pseudo(label) in text and label not in text, label
        assert "Config file" not in text
        keymap = app.screen.query_one("#keymap", DataTable)
        assert [str(c.label) for c in keymap.columns.values()] == [
            pseudo("Key"), pseudo("Action"), pseudo("Where"), pseudo("Id")]

        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen))
        await go(pilot, "P", PolicyScreen, lambda s: s.doc is not None)
        assert title(app) == pseudo("Return policy")
        head = static(app, "#policy-head")
        assert head.startswith("⟦") and pseudo("markdown") in head
        assert "Language en" not in head and "save to a file" not in head


async def test_english_is_unchanged(services: Services) -> None:
    app = OrderTUI(services)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await orders_ready(pilot)
        text = screen_text(app)
        assert "⟦" not in text
        assert [col.header for col, _ in table._layout()] == [
            "Order", "Date", "Status", "Customer", "Cty", "Total", "Profit", "Flags"]
        assert "Order    Date ▼     Status     Customer" in text
        said = f"1 of {table.total:,} · all orders · by date ▼"
        await until(pilot, lambda: said in static(app, "#status"), what="status line")


class TabsApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ViewTabs()


async def test_the_view_tabs_fit_their_line_with_longer_words() -> None:
    i18n.use(i18n.PSEUDO)
    for width in (200, 120, 80):
        app = TabsApp()
        async with app.run_test(size=(width, 3)) as pilot:
            tabs = app.query_one(ViewTabs)
            tabs.counts = {v.value: 1234 for v in View}
            tabs.current = View.SHIPPED
            await pilot.pause()
            line = tabs.render().plain
        assert cell_len(line) <= width - 2, (width, line)
        # the counts are the locale's (the test language writes numbers as German does)
        assert "1.234" in line and "1,234" not in line
        assert "⟦" in line and not any(w in line for w in ("All", "Attn", "Ship")), line


class SmallApp(App[None]):
    def on_mount(self) -> None:
        self.push_screen(TooSmallScreen(60, 15))


async def test_the_too_small_screen_in_the_configured_language() -> None:
    i18n.use(i18n.PSEUDO)
    app = SmallApp()
    async with app.run_test(size=(50, 12)) as pilot:
        await pilot.pause()
        said = str(app.screen.query_one("#too-small", Static).content)
    assert is_pseudo(said) and "60×15" in said and "50×12" in said
    assert "Make the window" not in said
