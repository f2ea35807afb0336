"""The export form, driven from the keyboard: the current filter to a file, the format
following the file name, replacing a file only when confirmed, the marked orders by e-mail
to a real SMTP server, and esc cancelling a running export without leaving a file."""

from __future__ import annotations

import csv
import io
import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from ordertui.domain.query import OrderQuery
from ordertui.domain.states import OrderStatus
from ordertui.tui.app import OrderTUI
from ordertui.tui.screens.orders import OrdersScreen
from ordertui.tui.widgets.order_table import OrderTable
from support.tui import make_services, notifications, until, widget_text


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
async def services(tmp_path: Path, smtp: tuple[Inbox, int]) -> Any:
    _, port = smtp
    s = make_services(tmp_path, extra={"email": {"host": "127.0.0.1", "port": port,
                                                 "security": "none",
                                                 "from": "Shop <shop@example.com>"}})
    await s.sync()
    yield s
    s.store.close()


async def _home(pilot: Any) -> OrderTable:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, OrdersScreen))
    table = app.screen.query_one(OrderTable)
    await until(pilot, lambda: bool(table.buffer) and not table.fetching)
    return table


async def _open_form(pilot: Any) -> Any:
    await pilot.press("e")
    await until(pilot, lambda: pilot.app.screen.__class__.__name__ == "ExportDialog")
    return pilot.app.screen


def _choices(form: Any) -> str:
    from textual.widgets import RadioButton

    return " | ".join(str(b.label) for b in form.query(RadioButton))


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


async def test_export_the_current_view_to_a_file(services: Any, tmp_path: Path) -> None:
    app = OrderTUI(services)
    target = tmp_path / "out" / "shipped.csv"
    target.parent.mkdir()
    async with app.run_test(size=(100, 40)) as pilot:
        table = await _home(pilot)
        await pilot.press("5")  # shipped
        await until(pilot, lambda: table.query_.statuses == (OrderStatus.SHIPPED,)
                    and not table.fetching)
        form = await _open_form(pilot)
        assert "Current view: status shipped" in _choices(form)
        form.query_one("#path").value = str(target.with_suffix(".xlsx"))
        await until(pilot, lambda: form._radio("fmt") == "xlsx")  # follows the name
        form.query_one("#path").value = str(target)
        await until(pilot, lambda: form._radio("fmt") in ("csv", "csv-excel"))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen), what="export done")
        assert str(target) in notifications(app)
    rows = _rows(target)
    assert len(rows) - 1 == services.count(OrderQuery(statuses=(OrderStatus.SHIPPED,)))
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")  # CSV for Excel by default


async def test_an_existing_file_is_replaced_only_when_confirmed(services: Any,
                                                                tmp_path: Path) -> None:
    target = tmp_path / "orders.csv"
    target.write_text("keep me\n")
    app = OrderTUI(services)
    async with app.run_test(size=(100, 40)) as pilot:
        await _home(pilot)
        form = await _open_form(pilot)
        form.query_one("#path").value = str(target)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen.__class__.__name__ == "ConfirmDialog")
        await pilot.press("n")
        await until(pilot, lambda: app.screen is form)
        assert target.read_text() == "keep me\n"
        assert "choose another name" in widget_text(app)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen.__class__.__name__ == "ConfirmDialog")
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen), what="export done")
    assert len(_rows(target)) - 1 == services.count(OrderQuery())


async def test_marked_orders_by_e_mail(services: Any, tmp_path: Path,
                                       smtp: tuple[Inbox, int]) -> None:
    inbox, _ = smtp
    app = OrderTUI(services)
    async with app.run_test(size=(100, 40)) as pilot:
        table = await _home(pilot)
        await pilot.press("space", "space", "space")
        marked = set(table.marked)
        assert len(marked) == 3
        form = await _open_form(pilot)
        assert "Marked orders (3)" in _choices(form)
        form.query_one("#path").value = str(tmp_path / "three.xlsx")
        await until(pilot, lambda: form._radio("fmt") == "xlsx")
        form.query_one("#email").value = "accountant@example.com"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen), what="export done")
        assert "accountant@example.com" in notifications(app)
        again = await _open_form(pilot)  # the address is remembered for the next export
        assert again.query_one("#email").value == "accountant@example.com"
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "accountant@example.com"
    parts = [p for p in message.iter_attachments()]
    assert parts[0].get_filename() == "three.xlsx"
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(parts[0].get_content())).active
    assert sheet.max_row - 1 == 3


async def test_escape_cancels_a_running_export_and_leaves_nothing(
        tmp_path: Path, smtp: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    services = make_services(tmp_path, orders=2000)
    await services.sync()
    target = tmp_path / "big.xlsx"
    started, go_on = threading.Event(), threading.Event()
    real = services.export

    def held(request: Any, progress: Any = None, cancelled: Any = None, **kw: Any) -> Any:
        def report(done: int, total: int) -> None:
            if done and not started.is_set():
                started.set()
                go_on.wait(30)  # hold the export midway until the merchant has pressed esc
            if progress is not None:
                progress(done, total)
        return real(request, report, cancelled, **kw)

    monkeypatch.setattr(services, "export", held)
    app = OrderTUI(services)
    async with app.run_test(size=(100, 40)) as pilot:
        await _home(pilot)
        form = await _open_form(pilot)
        form.query_one("#path").value = str(target)
        await until(pilot, lambda: form._radio("fmt") == "xlsx")
        await pilot.press("ctrl+s")
        await until(pilot, started.is_set, what="the export to be midway")
        await pilot.press("escape")
        assert form.cancel_event is not None and form.cancel_event.is_set()
        go_on.set()
        await until(pilot, lambda: "no file was left behind" in notifications(app),
                    what="the export to stop")
        assert app.screen is form  # the form stays, with what was typed
        assert form.query_one("#path").value == str(target)
    assert not target.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".big")]
    services.store.close()


async def test_a_months_export_is_named_after_its_month(services: Any) -> None:
    from textual.widgets import RadioButton

    app = OrderTUI(services)
    async with app.run_test(size=(100, 40)) as pilot:
        await _home(pilot)
        form = await _open_form(pilot)
        now = services.clock().astimezone()
        assert form.query_one("#path").value.endswith(f"orders-{now:%Y-%m-%d}.csv")
        next(b for b in form.query(RadioButton) if b.name == "last-month").value = True
        last = (now.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
        await until(pilot, lambda: form.query_one("#path").value.endswith(
            f"ordertui-orders-{last}.csv"), what="the month in the name")
        form.query_one("#path").value = str(Path.home() / "accounts.csv")  # named by hand
        next(b for b in form.query(RadioButton) if b.name == "this-month").value = True
        await pilot.pause(0.2)
        assert form.query_one("#path").value.endswith("accounts.csv")  # stays as named
