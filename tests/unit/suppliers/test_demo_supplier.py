"""The demo supplier through its adapter and the services (suppliers/demo.py): its own
state apart from the merchant's store, incremental sync, a broken sync resumed from its
cursor, and what the adapter declares."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ordertui.domain.capabilities import Capability
from ordertui.domain.errors import SupplierUnavailable
from ordertui.domain.query import OrderQuery
from ordertui.domain.states import OrderStatus
from ordertui.services.core import Services
from ordertui.suppliers.demo import DemoAdapter
from support.demo import DEMO_ORDERS, Clock, with_status


async def test_services_sync_incrementally(services: Services, demo: DemoAdapter,
                                           clock: Clock) -> None:
    assert services.count(OrderQuery()) == DEMO_ORDERS
    # its own state, apart from the merchant's store
    assert demo.engine.path == services.data_dir / "suppliers" / "demo" / "state.sqlite3"
    assert demo.engine.path != services.store.path and demo.engine.path.exists()
    report = await services.sync()
    assert report.orders == 0 and report.events == []

    soid = next(o.supplier_order_id for o in with_status(demo.engine, OrderStatus.PROCESSING))
    demo.engine.request_cancellation(soid, "asked on the web", "web")
    clock.advance(REVIEW)
    report = await services.sync()
    assert report.orders == 1
    kinds = {e.kind: e for e in report.events}
    assert kinds["cancellation"].new in ("approved", "info_requested")
    if kinds["cancellation"].new == "approved":
        assert (kinds["status"].old, kinds["status"].new) == ("processing", "cancelled")
    local = services.order(services.resolve(soid))
    assert local.cancellation is not None and local.cancellation.client_key == "web"
    assert services.count(OrderQuery()) == DEMO_ORDERS


REVIEW = 60.0


async def test_a_broken_sync_resumes_where_it_stopped(tmp_path: Path, clock: Clock) -> None:
    from ordertui.config import parse
    from support.demo import demo_raw, make_services

    config = parse(demo_raw(orders=1200), tmp_path / "c.toml", tmp_path / "data")
    services = make_services(config, clock)
    try:
        demo = services.adapter("demo")
        assert isinstance(demo, DemoAdapter)
        real = demo.list_orders
        calls: list[str | None] = []

        async def flaky(cursor: str | None, *, page_size: int = 500) -> Any:
            calls.append(cursor)
            if len(calls) == 2:
                raise SupplierUnavailable("demo", "502 Bad Gateway")
            return await real(cursor, page_size=page_size)

        demo.list_orders = flaky
        report = await services.sync()
        assert report.errors == {"demo": "demo: 502 Bad Gateway"}
        assert report.orders == 500 and services.count(OrderQuery()) == 500
        assert services.sync_status()["demo"]["error"] == "demo: 502 Bad Gateway"
        report = await services.sync()
        assert not report.errors
        assert calls[2] == calls[1]  # resumed from the stored cursor, not from scratch
        assert report.orders == 700 and services.count(OrderQuery()) == 1200
        assert services.sync_status()["demo"]["error"] == ""
    finally:
        await services.aclose()


def test_adapter_declarations() -> None:
    assert DemoAdapter.capabilities == frozenset(Capability) - {Capability.ADD_BY_ID}
    assert DemoAdapter.validate_settings({"kind": "demo"}) == []
    assert DemoAdapter.validate_settings({"review_delay_s": 0.5, "seed": 3, "orders": 10}) == []
    bad = dict(DemoAdapter.validate_settings({"review_delay_s": "soon", "seed": -1,
                                              "orders": True}))
    assert set(bad) == {"review_delay_s", "seed", "orders"}
