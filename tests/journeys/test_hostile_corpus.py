"""Invariant 4 of docs/architecture.md, end to end: a corpus of hostile text (see
``support.hostile.CORPUS``) put into customer names, addresses and product titles by a CJ
look-alike supplier, read over the wire by the real adapter, kept in the store as it came,
and then shown on every screen, written to every export format, e-mailed, and printed by the
command line, where it must come out literal and harmless: no escape sequence, C1 control,
bidi override or invisible character from data reaches a terminal, markup is shown and not
obeyed, and no spreadsheet cell from data is a formula."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from ordertui import config as config_mod
from ordertui.cli import main_group
from ordertui.domain.models import Order
from ordertui.domain.query import OrderQuery
from ordertui.export.request import ExportRequest
from ordertui.services.core import Services
from ordertui.services.returns import ReturnsService
from ordertui.simulators.cj import CJSimConfig
from ordertui.simulators.common import RunningSim, start_in_thread
from ordertui.tui.app import OrderTUI
from ordertui.tui.dialogs.export_form import ExportDialog
from ordertui.tui.dialogs.returns_forms import RefundDialog, ReturnDialog
from ordertui.tui.screens.details import DetailsScreen
from ordertui.tui.screens.disputes import DisputesScreen
from ordertui.tui.screens.orders import OrdersScreen
from ordertui.tui.screens.returns import ReturnsScreen, StockScreen
from ordertui.tui.screens.thread import ThreadScreen
from ordertui.tui.widgets.order_table import OrderTable
from support.export import read_xlsx_calamine, read_xlsx_openpyxl
from support.hostile import (
    CORPUS,
    LONG,
    RAW_CONTROLS,
    SHEET_UNSAFE,
    HostileCJ,
    assert_terminal_safe,
    formula_cell,
)
from support.mail import Inbox, attachment, free_port, mail_settings
from support.sims import cj_settings, sync_until_clean
from support.tui import screen_raw, screen_text, until

ORDERS = 4 * len(CORPUS)  # every entry in orders of several statuses, a few with disputes
#: the control strings a merchant might paste into the filter, which reaches the export
#: form's scope, the e-mail's subject and body
SEARCH = CORPUS["osc52-clipboard"]
#: the corpus entries whose orders the return and refund dialogs are opened on
FORM_SAMPLE = ("markup", "csi-clear", "osc52-clipboard", "c1-csi", "bidi-override", "long")


@dataclass
class Shop:
    base: Path
    config_path: Path
    data_dir: Path
    sim: RunningSim
    inbox: Inbox

    def services(self) -> Services:
        return Services(config_mod.load(self.config_path, self.data_dir))


@pytest.fixture(scope="module")
def shop(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    """The hostile shop, synced once per backend: its store a SQLite file in its data, or a
    PostgreSQL database of the module's own."""
    base = tmp_path_factory.mktemp("hostile")
    url = None
    if backend == "postgresql":
        from support.postgres import fresh_database
        url = fresh_database()
    sim = start_in_thread(HostileCJ(CJSimConfig(
        orders=ORDERS, seed=1042, auth_interval_s=0, review_delay_s=3600,
        state_dir=base / "sim")))
    inbox = Inbox()
    port = free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    config_path = base / "config.toml"
    config_mod.write_toml(config_path, {
        "suppliers": {"cj": cj_settings(sim)},
        "email": mail_settings(port),
        "returns": {"address": ["Shop", "Weg 1", "10115 Berlin", "DE"], "window_days": 30},
        **({"store": {"url": url}} if url else {})})
    shop = Shop(base, config_path, base / "data", sim, inbox)

    async def fill() -> None:
        services = shop.services()
        try:
            await sync_until_clean(services, "cj")
            for row in services.window(OrderQuery(), limit=ORDERS):
                await services.refresh_order(row.id)  # details: products and disputes
            returns = ReturnsService(services)
            for row in services.window(OrderQuery(), limit=ORDERS):
                order = services.order(row.id)
                if order.status.value in ("shipped", "delivered") and order.items:
                    options = returns.return_options(row.id)
                    returns.open_return(row.id, {options.items[0].key: 1}, "wrong colour")
        finally:
            await services.aclose()
    try:
        asyncio.run(fill())
        yield shop
    finally:
        smtp.stop()
        sim.stop()
        if url:
            from support.postgres import drop_database
            drop_database(url)


def _orders(services: Services) -> list[Order]:
    return services.store.load_orders([r.id for r in services.window(OrderQuery(),
                                                                      limit=ORDERS)])


# --- sync: the wire parser keeps the data as it came -----------------------------------------


def kept(text: str, backend: str) -> str:
    """A text as the store's columns keep it: PostgreSQL's text holds no NUL (U+FFFD in its
    place); what is kept inside JSON (line items) keeps it, as SQLite does everywhere."""
    return text.replace("\x00", "\ufffd") if backend == "postgresql" else text


def test_sync_keeps_every_hostile_text_as_it_came(shop: Shop, backend: str) -> None:
    """As it came; only PostgreSQL's text cannot hold a NUL, kept there as U+FFFD."""
    services = shop.services()
    try:
        orders = _orders(services)
    finally:
        services.store.close()
    corpus = {k: kept(v, backend) for k, v in CORPUS.items()}
    assert len(orders) == ORDERS
    for o in orders:
        assert o.customer.name in corpus.values()
        assert o.customer.address.line1 == o.customer.name
        assert o.items and all(kept(i.title, backend) == o.customer.name for i in o.items)
    assert {o.customer.name for o in orders} == set(corpus.values())
    assert any(len(o.customer.name) == 10_000 for o in orders)  # not cut on the way
    disputes = [o for o in orders if o.dispute is not None]
    assert disputes, "the simulator's seeded disputes reached the store"
    assert any(o.customer.name in m.body for o in disputes for m in o.dispute.messages)


# --- every screen ---------------------------------------------------------------------------


async def _capture(pilot: Any, where: str, shows: str | None = None) -> str:
    """The screen once it has settled: checked for raw control text, returned as text."""
    app = pilot.app
    await pilot.pause()
    await pilot.pause()
    text = screen_text(app)
    if shows is not None and shows not in text:
        await until(pilot, lambda: shows in screen_text(app), what=f"{shows!r} on {where}")
        text = screen_text(app)
    assert_terminal_safe(screen_raw(app), where)
    return text


async def test_every_screen_shows_hostile_text_inert(shop: Shop) -> None:
    services = shop.services()
    orders = _orders(services)
    ids = {o.id: o for o in orders}
    first: dict[str, Order] = {}
    for o in orders:
        first.setdefault(o.customer.name, o)
    app = OrderTUI(services)
    async with app.run_test(size=(160, 50)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen))
        table = app.screen.query_one(OrderTable)
        await until(pilot, lambda: bool(table.buffer), what="the orders window")
        text = await _capture(pilot, "orders table", "[bold red]x[/] Mallory")
        assert "[link=http://evil.example/]" in text and "[@click=app.quit]Quit[/]" in text
        assert "␛[31mred␛[0m text" in text  # a raw SGR from data would hide among ours

        for name, order in first.items():
            assert order.id is not None
            app.push_screen(DetailsScreen(order.id))
            await until(pilot, lambda: isinstance(app.screen, DetailsScreen)
                        and app.screen.details is not None, what="details")
            text = await _capture(pilot, f"details of {order.name} ({name[:20]!r})",
                                  order.display_name)
            if name.startswith("["):
                assert name in text  # markup shown, not applied
            app.pop_screen()
            await until(pilot, lambda: isinstance(app.screen, OrdersScreen))

        disputed = [o for o in ids.values() if o.dispute is not None]
        for order in disputed:
            assert order.id is not None
            app.push_screen(ThreadScreen(order.id))
            await until(pilot, lambda: isinstance(app.screen, ThreadScreen)
                        and app.screen.details is not None, what="thread")
            await _capture(pilot, f"dispute thread of {order.name}", "Opened on CJ")
            app.pop_screen()

        app.push_screen(DisputesScreen())
        for _ in range(4):  # every filter: open, needs you, closed, all
            await until(pilot, lambda: isinstance(app.screen, DisputesScreen)
                        and " disputes: " in screen_text(app), what="disputes list")
            await _capture(pilot, "disputes list")
            await pilot.press("f")
        app.pop_screen()

        # a filter pasted from data: its description is the form's "current view" choice
        app.push_screen(ExportDialog(query=OrderQuery(search=f"{CORPUS['markup']} {SEARCH}"),
                                   marked=[o.id for o in orders if o.id is not None][:3]))
        text = await _capture(pilot, "export form", "Export orders")
        assert "[bold red]x[/] Mallory Clip␛]52" in text
        app.pop_screen()

        app.push_screen(ReturnsScreen())
        text = await _capture(pilot, "returns list", "wrong colour")
        app.pop_screen()
        app.push_screen(StockScreen())
        await _capture(pilot, "returns stock")
        app.pop_screen()

        returns = ReturnsService(services)
        for key in FORM_SAMPLE:  # the dialogs show titles: a sample of the corpus
            order = next(o for o in orders if o.customer.name == CORPUS[key]
                         and o.status.value in ("shipped", "delivered"))
            assert order.id is not None
            app.push_screen(ReturnDialog(order.id, order.display_name,
                                       returns.return_options(order.id)))
            await _capture(pilot, f"return form of {order.name}", "Return")
            app.pop_screen()
            app.push_screen(RefundDialog(order.id, order.display_name,
                                       returns.money(order.id).refundable))
            await _capture(pilot, f"refund form of {order.name}")
            app.pop_screen()
        await pilot.press("q")
    services.store.close()


# --- every export ---------------------------------------------------------------------------


def _check_cells(cells: list[list[Any]], where: str) -> set[str]:
    seen: set[str] = set()
    for row in cells:
        for value in row:
            assert not formula_cell(value), f"{where}: a formula from data: {value!r}"
            if isinstance(value, str):
                assert SHEET_UNSAFE.search(value) is None, f"{where}: control in {value[:60]!r}"
                seen.add(value)
    return seen


@pytest.mark.parametrize("per", ["order", "line-item"])
@pytest.mark.parametrize("fmt", ["csv", "csv-excel", "xlsx"])
def test_every_export_is_literal_and_formula_free(shop: Shop, tmp_path: Path, fmt: str,
                                                   per: str) -> None:
    services = shop.services()
    try:
        columns = ("order", "customer", "address1", "items" if per == "order" else "product",
                   "total_cost", "profit")
        path = tmp_path / ("orders.xlsx" if fmt == "xlsx" else "orders.csv")
        result = services.export(ExportRequest(
            query=OrderQuery(descending=False), fmt=fmt, path=path, per=per,
            columns=columns))
        assert result.orders == ORDERS
    finally:
        services.store.close()
    if fmt == "xlsx":
        sheet = read_xlsx_openpyxl(path)
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
        books = {"openpyxl": [[c.value for c in row] for row in sheet.iter_rows()],
                 "calamine": read_xlsx_calamine(path)}
    else:
        text = path.read_bytes().decode("utf-8-sig")
        books = {"csv": list(csv.reader(io.StringIO(text, newline="")))}
    for reader, cells in books.items():
        seen = _check_cells(cells, f"{fmt}/{per}/{reader}")
        joined = "\n".join(seen)
        assert LONG in seen or any(LONG in v for v in seen), "10,000 characters kept whole"
        assert "[bold red]x[/] Mallory" in joined
        assert "'=HYPERLINK(" in joined and "'+1+1" in joined and "'@SUM(A1:A9)" in joined
        assert "Clear␛[2Jscreen" in joined  # the escape made visible, the text kept


# --- the e-mail -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv-excel"])
def test_the_email_carries_no_control_characters(shop: Shop, fmt: str) -> None:
    before = len(shop.inbox.messages)
    services = shop.services()
    try:
        # the filter holds pasted control text; the order data is the corpus
        query = OrderQuery(search=SEARCH, descending=False)
        result = services.export(ExportRequest(query=query, fmt=fmt, path=None,
                                                    email="accounts@example.com"))
        assert result.emailed_to == "accounts@example.com" and result.orders > 0
    finally:
        services.store.close()
    assert len(shop.inbox.messages) == before + 1
    message: EmailMessage = shop.inbox.messages[-1]
    body = message.get_body(("plain",))
    assert body is not None
    for what, value in (("subject", str(message["Subject"])), ("body", body.get_content())):
        bad = RAW_CONTROLS.search(value.replace("\r\n", "").replace("\n", ""))
        assert bad is None, f"{what} holds {bad.group(0)!r}: {value!r}"
    assert "Clip␛]52" in str(message["Subject"])  # shown, made visible
    _, name, content = attachment(message)
    if fmt == "xlsx":
        sheet = read_xlsx_openpyxl(content)
        cells = [[c.value for c in row] for row in sheet.iter_rows()]
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
        _check_cells(read_xlsx_calamine(content), f"mail {name} (calamine)")
    else:
        cells = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    _check_cells(cells, f"mail {name}")
    assert any("Clip␛]52;c;cm0gLXJmIH4K␇board" in str(v) for row in cells for v in row)


# --- the command line -----------------------------------------------------------------------


def test_command_line_output_is_inert(shop: Shop, backend: str) -> None:
    runner = CliRunner()
    base = ["--config", str(shop.config_path), "--data-dir", str(shop.data_dir)]

    def ok(*args: str) -> str:
        result = runner.invoke(main_group, [*base, *args], catch_exceptions=False)
        assert result.exit_code == 0, (args, result.output)
        bad = RAW_CONTROLS.search(result.stdout.replace("\r\n", "\n"))  # CSV's line ends
        assert bad is None, f"{args}: raw {bad.group(0)!r} in the output"
        return result.stdout

    for fmt in ("table", "json", "csv"):
        out = ok("orders", "--limit", "1000", "--format", fmt)
        if fmt == "json":
            names = {r["customer_name"] for r in json.loads(out)}
            # kept as it came, escaped in JSON
            assert names == {kept(v, backend) for v in CORPUS.values()}
        if fmt == "csv":
            rows = list(csv.DictReader(io.StringIO(out)))
            assert len(rows) == ORDERS
            assert not any(formula_cell(v) for r in rows for v in r.values())
        if fmt == "table":
            assert "[bold red]x" in out and "␛[31mred" in out
    services = shop.services()
    try:
        orders = _orders(services)
    finally:
        services.store.close()
    for o in orders[: len(CORPUS)]:
        text = ok("show", str(o.id))
        if "\x1b" in o.customer.name:
            assert "␛" in text  # made visible, not dropped
        record = json.loads(ok("show", str(o.id), "--format", "json"))
        assert record["customer_name"] == o.customer.name

