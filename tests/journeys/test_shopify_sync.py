"""A Shopify store synced through the app's services from the Shopify simulator over real
sockets: the first import and the incremental syncs after it (nothing read twice, exactly
the orders changed at the shop), a first import by bulk operation, and a sync that the shop
throttles and that still ends without an error."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ordertui.domain.shop import ShopQuery
from ordertui.services.core import Services
from ordertui.shops.base import ShopOrderPage
from ordertui.shops.shopify.queries import ORDERS_PER_PAGE
from ordertui.shops.shopify.sync import BULK_THRESHOLD_PAGES
from ordertui.simulators.shopify import DEFAULT_TOKEN
from support.shopify_env import SHOP, TOKEN_ENV, ShopWorld, world


@pytest.fixture(autouse=True)
def _token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, DEFAULT_TOKEN)


class Seen:
    """Every shop order the adapter's pages bring, in the order they came (a look at what
    crossed the wire, not a stand-in for it)."""

    def __init__(self, services: Services) -> None:
        self.ids: list[str] = []
        self.lines: dict[str, int] = {}
        adapter = services.shops.adapter(SHOP)
        original = adapter.list_orders

        async def recorded(cursor: str | None, *, page_size: int = 50) -> ShopOrderPage:
            page = await original(cursor, page_size=page_size)
            for order in page.orders:
                self.ids.append(order.shop_order_id)
                self.lines[order.shop_order_id] = len(order.lines)
            return page
        adapter.list_orders = recorded  # type: ignore[method-assign]

    def take(self) -> list[str]:
        ids, self.ids = self.ids, []
        return ids


def throttled(w: ShopWorld) -> int:
    """How often the store has answered THROTTLED."""
    return int(w.sim.stats.snapshot()["counters"].get("throttled", 0))


def stored(services: Services) -> int:
    return services.shops.count_shop_orders(ShopQuery(shop=SHOP))


@pytest.fixture
def small(tmp_path: Path) -> Iterator[ShopWorld]:
    with world(tmp_path, cj=40) as w:
        yield w


async def test_a_full_then_incremental_sync_reads_each_change_once(small: ShopWorld) -> None:
    s = small.services()
    seen = Seen(s)
    try:
        first = await s.shops.sync(SHOP)
        assert first.errors == {}
        total = small.sim.office.count
        assert total > 40  # the supplier's orders and a few no supplier order covers yet
        assert first.orders == total and stored(s) == total
        assert sorted(seen.take()) == sorted(small.sim.office.base(i).order_id
                                             for i in range(total))

        again = await s.shops.sync(SHOP)
        assert again.errors == {} and again.orders == 0
        assert seen.take() == []  # the boundary's orders are not brought again

        # the merchant edits three orders in the admin, a moment later
        small.sim.offset += 5
        touched = [small.sim.office.base(i).order_id for i in (3, 17, total - 1)]
        small.sim.touch(touched)
        third = await s.shops.sync(SHOP)
        assert third.errors == {}
        assert sorted(seen.take()) == sorted(touched) and third.orders == 3
        assert stored(s) == total

        fourth = await s.shops.sync(SHOP)
        assert fourth.errors == {} and fourth.orders == 0 and seen.take() == []
    finally:
        await s.aclose()


async def test_a_large_store_is_first_imported_by_a_bulk_operation(tmp_path: Path) -> None:
    threshold = BULK_THRESHOLD_PAGES * ORDERS_PER_PAGE
    with world(tmp_path, shop_orders=threshold + 40) as w:
        s = w.services()
        seen = Seen(s)
        try:
            report = await s.shops.sync(SHOP)
            assert report.errors == {}
            total = w.sim.office.count
            assert total > threshold
            ops = list(w.sim.bulk.ops.values())
            assert len(ops) == 1 and ops[0].status == "COMPLETED"
            assert report.orders == total and stored(s) == total
            assert sorted(set(seen.ids)) == sorted(w.sim.office.base(i).order_id
                                                   for i in range(total))
            # every order arrives with all of its lines (each a line of its own in the file)
            for i in range(total):
                base = w.sim.office.base(i)
                assert seen.lines[base.order_id] == len(base.lines), base.name
            # the pages of the import went no further than the threshold's count query
            again = await s.shops.sync(SHOP)
            assert again.errors == {} and again.orders == 0
            assert len(w.sim.bulk.ops) == 1
        finally:
            await s.aclose()


async def test_a_throttled_sync_waits_for_the_bucket_and_ends_without_an_error(
        tmp_path: Path) -> None:
    with world(tmp_path, cj=30) as w:
        s = w.services()
        try:
            # a bucket that holds one page's price and refills in a second: paced
            w.sim.set_bucket(maximum=1000, restore_rate=1000)
            report = await s.shops.sync(SHOP)
            assert report.errors == {}
            assert report.orders == w.sim.office.count == stored(s)

            # another app keeps the bucket empty behind the client's back, until Shopify
            # has refused the client at least once: what it was last told no longer holds
            w.sim.offset += 5
            w.sim.touch([w.sim.office.base(i).order_id for i in range(w.sim.office.count)])
            stop = threading.Event()

            def other_app() -> None:
                while not stop.is_set() and throttled(w) == 0:
                    w.sim.set_bucket(available=0)
                    time.sleep(0.005)
            spender = threading.Thread(target=other_app, daemon=True)
            spender.start()
            try:
                report = await s.shops.sync(SHOP)
            finally:
                stop.set()
                spender.join()
            assert report.errors == {} and report.orders == w.sim.office.count
            assert throttled(w) >= 1
        finally:
            await s.aclose()
