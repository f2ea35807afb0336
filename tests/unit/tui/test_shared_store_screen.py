"""Two servers on one PostgreSQL store, as the merchant sees it: what a colleague's
ordertui writes (another process, another data directory) is on this screen within two
seconds, through the store's notifications, not a poll of the table."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ordertui.domain.query import OrderQuery
from ordertui.domain.states import OrderStatus
from ordertui.services import Services
from ordertui.tui.app import OrderTUI
from support.tui import make_services, orders_ready, until

pytestmark = pytest.mark.usefixtures("fast_follow_up")


@pytest.fixture
async def two(tmp_path: Path, pg_url: str) -> AsyncIterator[tuple[Services, Services]]:
    mine = make_services(tmp_path / "a", extra={"store": {"url": pg_url}})
    await mine.sync()
    theirs = make_services(tmp_path / "b", extra={"store": {"url": pg_url}})
    yield mine, theirs
    mine.store.close()
    theirs.store.close()


async def test_a_colleagues_cancellation_is_on_screen_within_two_seconds(
        two: tuple[Services, Services]) -> None:
    mine, theirs = two
    app = OrderTUI(mine)
    async with app.run_test(size=(100, 30)) as pilot:
        table = await orders_ready(pilot)
        await pilot.press("4")
        await until(pilot, lambda: table.query_.statuses == (OrderStatus.PROCESSING,)
                    and not table.fetching and table.current is not None)
        target = table.buffer[0]
        assert target.cancellation_state is None
        await pilot.pause(0.5)  # the watch is listening
        theirs.request_cancellation(target.id, "the customer changed their mind")
        written = time.monotonic()

        def seen() -> bool:
            row = next((r for r in table.buffer if r.id == target.id), None)
            return row is not None and row.cancellation_state is not None
        await until(pilot, seen, what="the colleague's request on this screen")
        assert time.monotonic() - written < 2.0


async def test_a_search_shows_its_rows_then_their_count(two: tuple[Services, Services]
                                                        ) -> None:
    """On PostgreSQL a search's count reads every match, so the rows come first and the
    count after them: both arrive, and they agree with the store."""
    mine, _theirs = two
    assert not mine.search_counts_are_cheap
    target = mine.window(OrderQuery(), limit=1)[0]
    word = target.customer_name.split()[0]
    app = OrderTUI(mine)
    async with app.run_test(size=(100, 30)) as pilot:
        table = await orders_ready(pilot)
        await pilot.press("slash", *word, "enter")
        await until(pilot, lambda: table.query_.search == word and not table.fetching
                    and table.total is not None and table.current is not None)
        assert table.total == mine.count(OrderQuery(search=word))
        assert target.id in {r.id for r in table.buffer}
