"""CJ's order list has no products or tracking: they are read one order at a time, in the
background within the rate limit, and a later list page never wipes them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ordertui.domain.query import OrderQuery
from ordertui.simulators.cj import CJSimConfig, CJSimulator
from ordertui.simulators.common import RunningSim
from support.sims import cj_settings, serve, services_for


@pytest.fixture
def sim() -> Iterator[RunningSim]:
    yield from serve(CJSimulator(CJSimConfig(orders=40, auth_interval_s=0,
                                             review_delay_s=3600)))


async def test_details_fill_in_and_survive_the_next_list(tmp_path: Path,
                                                         sim: RunningSim) -> None:
    s = services_for(tmp_path, {"cj": cj_settings(sim)})
    try:
        await s.sync()
        missing = s.store.orders_missing_details("cj", 1000)
        assert missing, "the list gives orders without items"
        done: set[int] = set()
        while True:
            read = await s.fill_details(budget=7, done=done)
            if not read:
                break
            assert len(read) <= 7 and not set(read) & done
            done.update(read)
        assert set(missing) <= done
        assert s.store.orders_missing_details("cj", 1000) == []
        filled = {i: len(s.order(i).items) for i in missing}
        assert all(n > 0 for n in filled.values())
        # a full pass over the list again: items stay
        s.store.con.execute("UPDATE sync_state SET cursor = NULL")
        await s.sync()
        assert {i: len(s.order(i).items) for i in missing} == filled
        assert s.window(OrderQuery(), limit=1)
    finally:
        await s.aclose()


async def test_an_order_listed_without_items_keeps_the_stored_ones(services: object) -> None:
    from dataclasses import replace
    from datetime import timedelta

    from ordertui.services import Services

    assert isinstance(services, Services)
    store = services.store
    from ordertui.domain.states import OrderStatus

    row = store.window(OrderQuery(statuses=(OrderStatus.DELIVERED,)), limit=1)[0]
    full = store.get_order(row.id)
    assert full.items and full.tracking_events
    bare = replace(full, items=[], tracking_events=[], id=None, cancellation=None,
                   dispute=None, updated_at=full.updated_at + timedelta(hours=1))
    store.apply_sync_page(full.supplier, [bare], None)
    again = store.get_order(row.id)
    assert [i.title for i in again.items] == [i.title for i in full.items]
    assert again.tracking_events == full.tracking_events
    assert again.updated_at == bare.updated_at  # the rest did come from the list


def test_show_reads_a_cj_order_that_was_listed_without_items(tmp_path: Path,
                                                             sim: RunningSim) -> None:
    import json

    from click.testing import CliRunner

    from ordertui.cli import main_group

    config = tmp_path / "config.toml"
    config.write_text(f'[suppliers.cj]\nkind = "cj"\nbase_url = "{sim.base_url}"\n'
                      f'api_key = "{sim.sim.config.api_key}"\nrate_limit = 100\n')  # type: ignore[attr-defined]
    config.chmod(0o600)
    base = ["--config", str(config), "--data-dir", str(tmp_path / "data")]
    runner = CliRunner()
    assert runner.invoke(main_group, [*base, "sync"]).exit_code == 0
    listing = json.loads(runner.invoke(main_group, [*base, "orders", "--format", "json",
                                                    "--status", "delivered"]).output)
    ref = listing[0]["supplier_order_id"]
    shown = json.loads(runner.invoke(main_group, [*base, "show", ref, "--format",
                                                  "json"]).output)
    assert shown["items"], "show read the order's items from CJ"
    assert shown["tracking_events"]
    assert shown["money"]["net"] is not None
    assert shown["buyer_protection"]["state"] in ("active", "ended")


async def test_reading_one_order_keeps_the_sync_cursor(services: object) -> None:
    """Opening an order reads it from the supplier; the list's place must stay, or the next
    sync lists every order again (minutes at a million orders)."""
    from ordertui.services import Services

    assert isinstance(services, Services)
    cursor = services.store.sync_cursor("demo")
    assert cursor is not None
    row = services.window(OrderQuery(), limit=1)[0]
    await services.refresh_order(row.id)
    assert services.store.sync_cursor("demo") == cursor
    report = await services.sync()
    assert report.orders == 0  # nothing listed again
