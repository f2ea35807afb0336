"""CJ's order details name no product: the adapter asks CJ's product API for each variant
once, keeps the answer in its state, and a look-up that fails leaves the stand-in name
without failing the read or the sync. Against the CJ simulator over real sockets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ordertui.services.core import Services
from ordertui.simulators.cj import BASE_PATH, CJSimConfig, CJSimulator
from ordertui.simulators.common import RunningSim
from ordertui.suppliers.cj.adapter import VARIANT_RETRY_S
from support.sims import Clock, cj_settings, fast_retries, serve, services_for

VARIANT = f"{BASE_PATH}/product/variant/queryByVid"
PRODUCT = f"{BASE_PATH}/product/query"


@pytest.fixture
def sim() -> Iterator[RunningSim]:
    yield from serve(CJSimulator(CJSimConfig(orders=40, auth_interval_s=0,
                                             review_delay_s=3600)))


def asked(sim: RunningSim, path: str) -> int:
    return int(sim.stats()["paths"].get(path, 0))


def engine_lines(sim: RunningSim, order_id: str) -> list[tuple[str, str, str]]:
    """The lines as the demo back office holds them: (title, variant, SKU)."""
    o = sim.sim.engine.get(order_id)  # type: ignore[attr-defined]
    return [(i.title, i.variant, i.sku) for i in o.items]


def lines(s: Services, order_id: int) -> list[tuple[str, str, str]]:
    return [(i.title, i.variant, i.sku) for i in s.order(order_id).items]


async def synced(tmp_path: Path, sim: RunningSim, clock: Clock | None = None) -> Services:
    s = services_for(tmp_path, {"cj": cj_settings(sim)}, clock)
    report = await s.sync("cj")
    assert not report.errors, report.errors
    return s


async def test_lines_get_name_variant_and_sku_once(tmp_path: Path, sim: RunningSim) -> None:
    s = await synced(tmp_path, sim)
    try:
        soid = sorted(sim.sim.truth())[0]  # type: ignore[attr-defined]
        oid = s.resolve(soid)
        assert asked(sim, VARIANT) == 0  # the list pass asks nothing of the product API
        await s.refresh_order(oid)
        assert lines(s, oid) == engine_lines(sim, soid)
        vids = {i.product_id for i in s.order(oid).items}
        assert asked(sim, VARIANT) == len(vids)
        # a second read of the order, and a new adapter on the same state: asked no more
        await s.refresh_order(oid)
        await s.aclose()
        s = services_for(tmp_path, {"cj": cj_settings(sim)})
        await s.refresh_order(oid)
        assert asked(sim, VARIANT) == len(vids)
        assert lines(s, oid) == engine_lines(sim, soid)
    finally:
        await s.aclose()


async def test_background_reads_ask_each_variant_and_product_once(
        tmp_path: Path, sim: RunningSim) -> None:
    s = await synced(tmp_path, sim)
    try:
        done: set[int] = set()
        while read := await s.fill_details(budget=10, done=done):
            done.update(read)
        orders = [s.order(i) for i in done]
        vids = {i.product_id for o in orders for i in o.items}
        titles = {i.title for o in orders for i in o.items}
        assert asked(sim, VARIANT) == len(vids)
        assert asked(sim, PRODUCT) == len(titles)  # one product per title in the demo
        for o in orders:
            assert [(i.title, i.variant, i.sku) for i in o.items] == \
                engine_lines(sim, o.supplier_order_id)
    finally:
        await s.aclose()


async def test_a_failed_look_up_keeps_the_stand_in_and_is_tried_later(
        tmp_path: Path, sim: RunningSim) -> None:
    clock = Clock()
    s = await synced(tmp_path, sim, clock)
    try:
        soid = sorted(sim.sim.truth())[0]  # type: ignore[attr-defined]
        oid = s.resolve(soid)
        adapter: Any = s.adapter("cj")
        detail = await adapter.client.order_detail(soid)  # the details alone: no look-up
        vid = str(detail["productList"][0]["vid"])
        sim.sim.delist(vid)  # type: ignore[attr-defined]
        before = asked(sim, VARIANT)
        await s.refresh_order(oid)  # the order's read succeeds
        first = s.order(oid).items[0]
        assert first.title == f"CJ variant {vid[:8].lower()}" and first.sku == ""
        assert asked(sim, VARIANT) > before
        report = await s.sync("cj")
        assert not report.errors
        # soon after, the failed variant is left alone
        tried = asked(sim, VARIANT)
        await s.refresh_order(oid)
        assert asked(sim, VARIANT) == tried
        # later, with CJ knowing it again, it is named
        sim.sim.delist(vid, delisted=False)  # type: ignore[attr-defined]
        clock.advance(VARIANT_RETRY_S + 1)
        await s.refresh_order(oid)
        assert lines(s, oid) == engine_lines(sim, soid)
    finally:
        await s.aclose()


async def test_faults_on_the_product_api_never_fail_the_read(tmp_path: Path,
                                                             sim: RunningSim) -> None:
    s = await synced(tmp_path, sim)
    try:
        adapter: Any = s.adapter("cj")
        fast_retries(s, "cj")
        soid = sorted(sim.sim.truth())[1]  # type: ignore[attr-defined]
        oid = s.resolve(soid)
        detail = await adapter.client.order_detail(soid)
        # every answer broken from here on: the look-ups fail after their retries
        sim.sim.config.faults, sim.sim.config.fault_rate = ("5xx",), 1.0
        await adapter._name_variants(detail)
        assert sim.stats()["faults"]["5xx"] >= 1
        sim.sim.config.fault_rate = 0.0
        await s.refresh_order(oid)
        stand_in = [i.title for i in s.order(oid).items]
        assert all(t.startswith("CJ variant ") for t in stand_in)
    finally:
        await s.aclose()
