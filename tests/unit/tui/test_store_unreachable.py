"""The app on a shared PostgreSQL store the server stops answering: the status line says so,
what is on screen stays, the app goes on running, a confirmed cancellation that could not
be written is said in its dialog (and nothing is queued), and once the server answers again
the app reconnects by itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ordertui.domain.states import OrderStatus
from ordertui.services import Services
from ordertui.tui.app import OrderTUI
from ordertui.tui.screens.orders import OrdersScreen
from support.postgres import admin_url, database_name
from support.tui import make_services, orders_ready, screen_text, until

pytestmark = pytest.mark.usefixtures("fast_follow_up")


@pytest.fixture
async def shared(tmp_path: Path, pg_url: str) -> AsyncIterator[Services]:
    s = make_services(tmp_path, extra={"store": {"url": pg_url}})
    await s.sync()
    yield s
    s.store.close()


def _cut(url: str, *, off: bool) -> None:
    """The server stops (or starts again) taking this database's connections, and drops
    those it has: as a server restarting or a network gone looks to ordertui."""
    name = database_name(url)
    with psycopg.connect(admin_url(), autocommit=True) as con:
        con.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"false" if off else "true"}')
        if off:
            con.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = %s AND pid != pg_backend_pid()", (name,))


async def test_an_unreachable_database_is_said_and_survived(shared: Services,
                                                            pg_url: str) -> None:
    app = OrderTUI(shared)
    told: list[str] = []
    notify = app.notify

    def record(message: str, *args: Any, **kwargs: Any) -> None:
        told.append(message)
        notify(message, *args, **kwargs)

    app.notify = record  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        table = await orders_ready(pilot)
        await pilot.press("4")  # the processing orders: something to cancel
        await until(pilot, lambda: table.query_.statuses == (OrderStatus.PROCESSING,)
                    and not table.fetching and table.current is not None)
        shown = [r.id for r in table.buffer[:5]]
        # a cancellation confirmed while the server is away is not lost silently: the
        # dialog, opened before, says it could not be written and stays open
        await pilot.press("c")
        await until(pilot, lambda: app.screen.__class__.__name__ == "CancelDialog")
        await pilot.press(*"changed plans")
        _cut(pg_url, off=True)
        try:
            await pilot.press("ctrl+s")
            await until(pilot, lambda: "cannot reach the database" in screen_text(app),
                        what="the dialog names the unreachable database")
            assert app.screen.__class__.__name__ == "CancelDialog"
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, OrdersScreen))
            await until(pilot, lambda: "unreachable, trying again" in screen_text(app),
                        what="the status line says the database is away")
            assert any("ordertui reconnects by itself" in m for m in told)
            assert app.is_running and [r.id for r in table.buffer[:5]] == shown
        finally:
            _cut(pg_url, off=False)
        await until(pilot, lambda: "unreachable, trying again" not in screen_text(app),
                    what="the app reconnects by itself")
        assert any("Connected to the database again" in m for m in told)
        assert shared.store.outbox.entries(states=("pending", "sending", "done"),
                                           to="supplier") == []
        await pilot.press("1")  # reads work again
        await until(pilot, lambda: table.query_.statuses == () and not table.fetching
                    and table.total > len(shown))
