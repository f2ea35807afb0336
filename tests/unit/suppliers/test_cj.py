"""The CJ adapter against the CJ simulator over real sockets, through the real services,
store and outbox runner: authentication and tokens, full and incremental sync, details,
tracking, every action, every error path, and faults — including faults after a write."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from ordertui.cli import main_group
from ordertui.domain.capabilities import Action, Capability
from ordertui.domain.errors import (
    CapabilityMissing,
    SupplierAuthError,
    SupplierError,
    SupplierNotFound,
)
from ordertui.domain.query import OrderQuery
from ordertui.domain.states import CancellationState, DisputeState, OrderStatus
from ordertui.services.core import Services
from ordertui.simulators.cj import CJSimConfig, CJSimulator
from ordertui.simulators.common import RunningSim
from ordertui.suppliers.cj import CJAdapter
from ordertui.suppliers.cj.sync import Phase, SyncCursor
from support.sims import (
    Clock,
    cj_settings,
    drain,
    fast_retries,
    serve,
    services_for,
    start_app,
    sync_until_clean,
)

QUICK = {"rate_limit": 100}


def start(**kw: Any) -> Iterator[RunningSim]:
    kw.setdefault("auth_interval_s", 0)
    kw.setdefault("review_delay_s", 3600)
    yield from serve(CJSimulator(CJSimConfig(**kw)))


@pytest.fixture
def sim() -> Iterator[RunningSim]:
    yield from start(orders=300)


@pytest.fixture
def big() -> Iterator[RunningSim]:
    yield from start(orders=1000, spare_orders=20)


def snapshot(s: Services, supplier: str = "cj") -> dict[str, tuple[Any, ...]]:
    """Every order of the supplier as the merchant sees it, without local ids and times."""
    out = {}
    for oid in s.store.iter_ids(OrderQuery(), batch=5000):
        for o in s.store.load_orders(oid):
            if o.supplier != supplier:
                continue
            out[o.supplier_order_id] = (
                o.status.value, o.supplier_status, o.name, o.total_cost, o.customer.name,
                o.tracking_number, o.cancellation.state.value if o.cancellation else None,
                o.dispute.state.value if o.dispute else None)
    return out


#: CJ's order statuses as docs/suppliers/cj.md maps them, written out apart from the adapter's
#: own table (suppliers/cj/mapping.py); any other status is unknown
DOCUMENTED_STATUS = {
    "CREATED": OrderStatus.AWAITING_PAYMENT, "IN_CART": OrderStatus.AWAITING_PAYMENT,
    "UNPAID": OrderStatus.AWAITING_PAYMENT, "UNSHIPPED": OrderStatus.PROCESSING,
    "SHIPPED": OrderStatus.SHIPPED, "DELIVERED": OrderStatus.DELIVERED,
    "CANCELLED": OrderStatus.CANCELLED,
}


def expected_status(raw: str) -> OrderStatus:
    return DOCUMENTED_STATUS.get(raw, OrderStatus.UNKNOWN)


def order_with(sim: RunningSim, status: str, n: int = 0) -> str:
    """The n-th order CJ lists in ``status`` ("unpaid": any status before payment)."""
    wanted = ("CREATED", "IN_CART", "UNPAID") if status == "unpaid" else (status,)
    return sorted(o for o, s in sim.sim.truth().items() if s in wanted)[n]  # type: ignore[attr-defined]


async def synced(tmp_path: Path, sim: RunningSim, clock: Clock | None = None,
                 **extra: Any) -> Services:
    s = services_for(tmp_path, {"cj": cj_settings(sim, **extra)}, clock)
    report = await s.sync("cj")
    assert not report.errors, report.errors
    return s


# --- authentication -------------------------------------------------------------------------


async def test_logs_in_once_and_keeps_the_token_private(tmp_path: Path, sim: RunningSim) -> None:
    s = await synced(tmp_path, sim)
    token = tmp_path / "data" / "suppliers" / "cj" / "cj-token.json"
    assert token.stat().st_mode & 0o777 == 0o600
    assert sim.sim.config.api_key not in token.read_text()
    await s.sync("cj")
    await s.aclose()
    # another process on the same data directory uses the cached token: no new login
    again = services_for(tmp_path, {"cj": cj_settings(sim)})
    await again.sync("cj")
    await again.aclose()
    counters = sim.stats()["counters"]
    assert counters["token_get"] == 1 and counters.get("token_refresh", 0) == 0
    assert counters["requests"] > 20


async def test_expired_token_is_refreshed_once(tmp_path: Path, sim: RunningSim) -> None:
    s = await synced(tmp_path, sim)
    httpx.post(sim.root_url + "/_sim/cj/tokens/expire", json={})
    report = await s.sync("cj")
    assert not report.errors
    c = sim.stats()["counters"]
    assert c["token_get"] == 1 and c["token_refresh"] == 1
    await s.aclose()


async def test_refused_refresh_logs_in_again_but_not_within_five_minutes(
        tmp_path: Path, sim: RunningSim) -> None:
    clock = Clock()
    s = await synced(tmp_path, sim, clock)
    httpx.post(sim.root_url + "/_sim/cj/tokens/expire", json={"refresh": True})
    report = await s.sync("cj")
    assert "5 minutes" in report.errors["cj"]
    clock.advance(301)
    report = await s.sync("cj")
    assert not report.errors
    c = sim.stats()["counters"]
    assert c["token_get"] == 2 and c["token_refresh"] == 1
    await s.aclose()


async def test_token_is_refreshed_before_it_expires(tmp_path: Path) -> None:
    for sim in start(orders=50, access_ttl_s=1000):
        clock = Clock()
        s = await synced(tmp_path, sim, clock)
        clock.advance(950)  # within the last tenth of its life
        await s.sync("cj")
        c = sim.stats()["counters"]
        assert c["token_get"] == 1 and c["token_refresh"] == 1
        await s.aclose()


async def test_wrong_api_key_is_a_clear_error(tmp_path: Path, sim: RunningSim) -> None:
    s = services_for(tmp_path, {"cj": cj_settings(sim, api_key="CJ1@api@wrong")})
    report = await s.sync("cj")
    assert "credentials" in report.errors["cj"] and "api_key" in report.errors["cj"]
    assert "CJ1@api@wrong" not in report.errors["cj"]
    with pytest.raises(SupplierAuthError):
        await s.adapter("cj").get_order(order_with(sim, "SHIPPED"))
    await s.aclose()


def test_settings_are_validated() -> None:
    ok = {"kind": "cj", "api_key_env": "CJ_KEY", "policy": {"days": 30}, "extra": 1}
    assert CJAdapter.validate_settings(ok) == []
    bad = CJAdapter.validate_settings({"kind": "cj", "base_url": "http://cj.example.com",
                                       "rate_limit": 0, "page_size": 500,
                                       "refund_type": "cash", "policy": "x"})
    assert {k for k, _ in bad} == {"api_key", "base_url", "rate_limit", "page_size",
                                   "refund_type", "policy"}
    assert CJAdapter.rate_limit == 1.0
    assert Capability.DISPUTE_REPLY not in CJAdapter.capabilities
    assert Capability.DISPUTE_ESCALATE not in CJAdapter.capabilities


# --- syncing ----------------------------------------------------------------------------------


async def test_full_and_incremental_sync_of_1000_orders(tmp_path: Path,
                                                         big: RunningSim) -> None:
    progress: list[Any] = []
    s = services_for(tmp_path, {"cj": cj_settings(big)})
    report = await s.sync("cj", progress.append)
    assert not report.errors
    truth = big.sim.truth()  # type: ignore[attr-defined]
    mine = snapshot(s)
    assert len(truth) == 1000 and set(mine) == set(truth)
    assert all(mine[o][0] == expected_status(raw).value and mine[o][1] == raw
               for o, raw in truth.items())
    assert progress[-1].done == 1000 and progress[-1].fraction == 1.0
    full_requests = big.stats()["counters"]["requests"]
    assert full_requests <= 1 + 8 + 1000 // 100 + 8 + 1  # login, statuses, pages, disputes

    # the supplier moves on: orders ship, arrive, change into a status ordertui does not
    # know, new orders come in, one is cancelled on CJ's site
    unshipped = sorted(o for o, st in truth.items() if st == "UNSHIPPED")[:6]
    big.sim.set_status(unshipped.pop(), "CANCELLED")  # type: ignore[attr-defined]
    shipped = sorted(o for o, st in truth.items() if st == "SHIPPED")[:3]
    for n, oid in enumerate(unshipped):
        big.sim.set_status(oid, "SHIPPED", f"CJPKT{n:08d}CN")  # type: ignore[attr-defined]
    for oid in shipped:
        big.sim.set_status(oid, "DELIVERED")  # type: ignore[attr-defined]
    odd = sorted(o for o, st in truth.items() if st == "DELIVERED")[0]
    big.sim.set_status(odd, "AWAITING_REVIEW")  # type: ignore[attr-defined]
    big.sim.grow(20)  # type: ignore[attr-defined]
    big.sim.stats.reset()

    report = await s.sync("cj")
    assert not report.errors
    truth = big.sim.truth()  # type: ignore[attr-defined]
    mine = snapshot(s)
    assert len(truth) == 1020 and set(mine) == set(truth)
    assert all(mine[o][0] == expected_status(raw).value for o, raw in truth.items())
    assert mine[odd][0] == "unknown" and mine[odd][1] == "AWAITING_REVIEW"
    assert all(mine[o][5] for o in unshipped)
    events = Counter((e.kind, e.new) for e in report.events)
    assert events[("status", "shipped")] == 5 and events[("status", "delivered")] == 3
    assert events[("status", "cancelled")] == 1
    assert big.stats()["counters"]["requests"] < full_requests
    await s.aclose()


async def test_sync_follows_a_page_size_cap(tmp_path: Path) -> None:
    for sim in start(orders=250, max_page_size=30):
        s = await synced(tmp_path, sim, page_size=100)
        assert set(snapshot(s)) == set(sim.sim.truth())  # type: ignore[attr-defined]
        await s.aclose()


#: cursors as merchants' stores hold them (written before the cursor had a type)
STORED_CURSORS = [
    'cj1:{"v":1,"p":4,"m":"inc","ph":"list","q":["UNSHIPPED","SHIPPED","OTHER"],'
    '"then":"moved","n":3,"ps":30,"c":60,"done":75,"k":{"CREATED":0,"IN_CART":0,"UNPAID":2,'
    '"UNSHIPPED":40,"SHIPPED":90,"DELIVERED":300,"CANCELLED":12,"OTHER":0},"d":1}',
    'cj1:{"v":1,"p":4,"m":"inc","ph":"vanish","q":[],"then":"vanish","n":1,"ps":30,"c":0,'
    '"done":130,"k":{"DELIVERED":300},"d":1,"vs":["DELIVERED"]}',
    'cj1:{"v":1,"p":4,"ph":"idle"}',
]


@pytest.mark.parametrize("stored", STORED_CURSORS)
def test_the_sync_cursor_reads_the_stored_form(stored: str) -> None:
    cursor = SyncCursor.decode(stored)
    assert cursor is not None and cursor.pass_id == 4
    assert cursor.encode() == stored  # written back as it was: old and new versions agree


def test_the_sync_cursor_fields() -> None:
    cursor = SyncCursor.decode(STORED_CURSORS[0])
    assert cursor == SyncCursor(
        pass_id=4, phase=Phase.LIST, full=False, statuses=("UNSHIPPED", "SHIPPED", "OTHER"),
        then=Phase.MOVED, page=3, page_size=30, consumed=60, done=75,
        known_counts={"CREATED": 0, "IN_CART": 0, "UNPAID": 2, "UNSHIPPED": 40,
                      "SHIPPED": 90, "DELIVERED": 300, "CANCELLED": 12, "OTHER": 0})
    vanish = SyncCursor.decode(STORED_CURSORS[1])
    assert vanish is not None and vanish.vanish_statuses == ("DELIVERED",)
    assert SyncCursor.decode(STORED_CURSORS[2]) == SyncCursor(pass_id=4, phase=Phase.IDLE)
    # none, another supplier's, broken or unknown: a new full pass starts
    for other in (None, "", "b:0:5", "cj1:{", "cj1:[]", 'cj1:{"ph":"list"}',
                  'cj1:{"v":1,"p":4,"ph":"later"}', 'cj1:{"v":1,"p":4,"ph":"list"}'):
        assert SyncCursor.decode(other) is None


async def test_sync_at_30_percent_faults_ends_like_a_clean_sync(tmp_path: Path) -> None:
    for sim in start(orders=1000, stall_s=0.6, rng_seed=7):
        clean = await synced(tmp_path / "clean", sim)
        sim.sim.config.fault_rate = 0.3
        faulty = services_for(tmp_path / "faulty", {"cj": cj_settings(
            sim, read_timeout_s=0.3)})
        fast_retries(faulty, "cj")
        await sync_until_clean(faulty, "cj")
        faults = sim.stats()["faults"]
        assert sum(faults.values()) >= 5 and len(faults) >= 4
        assert snapshot(faulty) == snapshot(clean)
        await clean.aclose()
        await faulty.aclose()


async def test_rate_limit_answers_are_waited_out(tmp_path: Path) -> None:
    for sim in start(orders=200, rate_limit=8):
        s = await synced(tmp_path, sim)  # the adapter is set to 100/s: CJ says no, often
        assert sim.stats()["counters"]["rate_limited"] > 0
        assert len(snapshot(s)) == 200
        await s.aclose()


@pytest.mark.parametrize("kind", ["5xx", "html", "truncated"])
async def test_an_answer_that_stays_broken_is_a_typed_error(tmp_path: Path, sim: RunningSim,
                                                            kind: str) -> None:
    sim.sim.config.faults, sim.sim.config.fault_rate = (kind,), 1.0
    s = services_for(tmp_path, {"cj": cj_settings(sim)})
    fast_retries(s, "cj")
    report = await s.sync("cj")
    message = report.errors["cj"]
    assert message.startswith("cj: ")
    assert {"5xx": "server error 503", "html": "HTML page",
            "truncated": "not JSON"}[kind] in message
    await s.aclose()


# --- details and tracking -----------------------------------------------------------------


async def test_details_and_tracking(tmp_path: Path, sim: RunningSim) -> None:
    s = await synced(tmp_path, sim)
    shipped = order_with(sim, "SHIPPED", 3)
    oid = s.resolve(shipped)
    assert s.order(oid).items == []  # CJ's list has no products
    await s.refresh_order(oid)
    o = s.order(oid)
    assert o.items and o.items[0].quantity >= 1 and o.items[0].line_id
    assert o.tracking_number and o.tracking_events
    assert o.updated_at.timestamp() > 0
    tracking = await s.adapter("cj").get_tracking(o)
    assert tracking.tracking_number == o.tracking_number and tracking.status
    unpaid = s.order(s.resolve(order_with(sim, "unpaid")))
    assert (await s.adapter("cj").get_tracking(unpaid)).events == []
    with pytest.raises(SupplierNotFound):
        await s.adapter("cj").get_order("J1623672949997499999")
    await s.aclose()


# --- actions ---------------------------------------------------------------------------------


async def test_cancelling_maps_onto_what_cj_offers(tmp_path: Path) -> None:
    for sim in start(orders=300, review_delay_s=60):
        clock = Clock()
        s = await synced(tmp_path, sim, clock)
        unpaid, unshipped = order_with(sim, "unpaid"), order_with(sim, "UNSHIPPED")
        late = order_with(sim, "UNSHIPPED", 1)
        for soid in (unpaid, unshipped, late):
            s.request_cancellation(s.resolve(soid), "the customer changed their mind")
        sim.sim.set_status(late, "SHIPPED", "CJPKT99999999CN")  # type: ignore[attr-defined]
        events = await drain(s, clock)
        assert any(e.kind == "refused" and "open a dispute" in e.message for e in events)
        applied = sim.stats()["applied"]
        assert applied == {"order_delete": 1, "dispute_create": 1}
        disputes = sim.sim.disputes_truth()  # type: ignore[attr-defined]
        assert [d["reason"] for d in disputes] == ["Unfulfilled Order Cancellation"]
        assert disputes[0]["orderId"] == unshipped
        o = s.order(s.resolve(unshipped))
        assert o.cancellation is not None
        assert o.cancellation.state is CancellationState.REQUESTED
        assert "Unfulfilled Order Cancellation" in o.cancellation.supplier_message
        assert s.order(s.resolve(late)).cancellation.state is CancellationState.REJECTED  # type: ignore[union-attr]

        sim.sim.offset += 61  # CJ decides
        report = await s.sync("cj")
        assert not report.errors
        for soid in (unpaid, unshipped):
            o = s.order(s.resolve(soid))
            assert o.status is OrderStatus.CANCELLED
            assert o.cancellation is not None
            assert o.cancellation.state is CancellationState.APPROVED
        assert s.order(s.resolve(unpaid)).supplier_status == "deleted at CJ"
        await s.aclose()


async def test_disputes_open_follow_and_withdraw(tmp_path: Path) -> None:
    for sim in start(orders=300, review_delay_s=60):
        clock = Clock()
        s = await synced(tmp_path, sim, clock)
        a, b = order_with(sim, "SHIPPED", 2), order_with(sim, "DELIVERED", 2)
        ia, ib = s.resolve(a), s.resolve(b)
        s.open_dispute(ia, reason="not_received", amount="3.00", description="stuck for weeks")
        s.open_dispute(ib, reason="not_as_described", amount="", description="wrong colour")
        await drain(s, clock)
        da = s.order(ia).dispute
        assert da is not None and da.state is DisputeState.AWAITING_SUPPLIER
        assert da.supplier_dispute_id.startswith("SH") and str(da.amount.amount) == "3.00"
        truth = {d["orderId"]: d for d in sim.sim.disputes_truth()}  # type: ignore[attr-defined]
        assert truth[a]["reason"] == "Products Not Received"
        assert truth[b]["reason"] == "Products Not As Described"
        assert truth[a]["businessDisputeId"].startswith("ot-")

        listed = await s.adapter("cj").get_disputes(s.order(ia))
        assert [d.supplier_dispute_id for d in listed] == [da.supplier_dispute_id]

        with pytest.raises(CapabilityMissing) as err:
            s.reply_dispute(ia, "any news?")
        assert err.value.url and "cjdropshipping.com" in err.value.url
        assert s.details(ia).actions  # the hand-off shows CJ's page for the rest

        s.withdraw_dispute(ia)
        await drain(s, clock)
        assert sim.stats()["applied"]["dispute_cancel"] == 1
        assert s.order(ia).dispute.state is DisputeState.WITHDRAWN  # type: ignore[union-attr]

        sim.sim.offset += 61
        report = await s.sync("cj")
        assert not report.errors
        db = s.order(ib).dispute
        assert db is not None and db.state.terminal and db.state is not DisputeState.WITHDRAWN
        assert s.order(ia).dispute.state is DisputeState.WITHDRAWN  # type: ignore[union-attr]
        await s.aclose()


async def test_a_dispute_under_faults_after_write_exists_exactly_once(tmp_path: Path) -> None:
    for sim in start(orders=200, stall_s=0.6):
        clock = Clock()
        s = await synced(tmp_path, sim, clock, read_timeout_s=0.3)
        sim.sim.config.faults, sim.sim.config.fault_rate = ("after_write",), 1.0
        soid = order_with(sim, "DELIVERED", 4)
        s.open_dispute(s.resolve(soid), reason="not_as_described", amount="",
                       description="broken on arrival")
        await drain(s, clock)
        stats = sim.stats()
        assert stats["faults"]["after_write"] >= 1
        assert stats["applied"] == {"dispute_create": 1}
        assert stats["duplicates"] == {}
        assert [d["orderId"] for d in sim.sim.disputes_truth()] == [soid]  # type: ignore[attr-defined]
        d = s.order(s.resolve(soid)).dispute
        assert d is not None and d.supplier_dispute_id.startswith("SH")
        await s.aclose()


async def test_cancelling_under_faults_after_write_is_sent_at_most_once(
        tmp_path: Path) -> None:
    for sim in start(orders=300, stall_s=0.6):
        clock = Clock()
        s = await synced(tmp_path, sim, clock, read_timeout_s=0.3)
        sim.sim.config.faults, sim.sim.config.fault_rate = ("after_write",), 1.0
        unpaid, unshipped = order_with(sim, "unpaid", 1), order_with(sim, "UNSHIPPED", 2)
        for soid in (unpaid, unshipped):
            s.request_cancellation(s.resolve(soid), "duplicate order")
        await drain(s, clock)
        stats = sim.stats()
        assert stats["applied"] == {"order_delete": 1, "dispute_create": 1}
        assert stats["duplicates"] == {}
        assert all(v == 1 for v in stats["keys"].values())
        assert not s.store.outbox.entries()
        await s.aclose()


async def test_every_action_exactly_once_under_mixed_faults(tmp_path: Path) -> None:
    for sim in start(orders=300, rng_seed=11, stall_s=0.6):
        clock = Clock()
        s = await synced(tmp_path, sim, clock, read_timeout_s=0.3)
        fast_retries(s, "cj")
        # half of all requests fail, before or after the supplier acted (stalls and
        # rate-limit answers cost real seconds each, and are covered above)
        sim.sim.config.faults = ("5xx", "html", "truncated", "drop", "after_write")
        sim.sim.config.fault_rate = 0.5
        targets = [order_with(sim, "DELIVERED", n) for n in range(5, 9)]
        for soid in targets:
            s.open_dispute(s.resolve(soid), reason="not_received", amount="",
                           description="lost")
        for soid in (order_with(sim, "unpaid", 0), order_with(sim, "UNSHIPPED", 3)):
            s.request_cancellation(s.resolve(soid), "customer asked")
        await drain(s, clock, rounds=400)
        stats = sim.stats()
        assert sum(stats["faults"].values()) >= 20 and len(stats["faults"]) >= 4
        assert stats["applied"] == {"dispute_create": 5, "order_delete": 1}
        assert stats["duplicates"] == {} and all(v == 1 for v in stats["keys"].values())
        await s.aclose()


# --- the whole app, as a merchant uses it -------------------------------------------------


def test_cli_on_the_cj_simulator_works_like_the_demo(tmp_path: Path, sim: RunningSim) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[suppliers.x]\nkind = "cj"\nbase_url = "{sim.base_url}"\n'
        f'api_key = "{sim.sim.config.api_key}"\nrate_limit = 100\n\n'  # type: ignore[attr-defined]
        '[suppliers.x.policy]\nreturn_days = 30\n')
    config.chmod(0o600)
    runner = CliRunner()
    base = ["--config", str(config), "--data-dir", str(tmp_path / "data")]

    def run(*args: str) -> str:
        result = runner.invoke(main_group, [*base, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    assert "synced 300 orders" in run("sync")
    listing = json.loads(run("orders", "--format", "json", "--limit", "500"))
    assert len(listing) == 300
    truth = sim.sim.truth()  # type: ignore[attr-defined]
    unpaid = next(o for o, st in sorted(truth.items()) if st == "UNPAID")
    shipped = next(o for o, st in sorted(truth.items()) if st == "SHIPPED")
    shown = run("show", shipped)
    assert shipped in shown and "cjdropshipping.com" in shown
    assert "cancellation approved" in run("cancel", unpaid, "--reason", "changed mind", "--yes")
    assert "dispute" in run("dispute", "open", shipped, "--reason", "not_received",
                            "--amount", "1.00", "--description", "stuck")
    listed = run("dispute", "list")
    assert "Awaiting supplier" in listed
    assert sim.stats()["applied"] == {"order_delete": 1, "dispute_create": 1}
    info = services_for(tmp_path / "other", {"x": cj_settings(sim)}).supplier_info("x")
    assert Action.CANCEL.capability in info.capabilities


async def test_an_answer_without_the_envelope_is_a_protocol_error(tmp_path: Path) -> None:
    """A server that answers JSON, but not CJ's envelope (a proxy, a changed API)."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def odd(request: Any) -> JSONResponse:
        if request.url.path.endswith("getAccessToken"):
            return JSONResponse({"code": 200, "result": True, "requestId": "r-1", "data": {
                "accessToken": "at-1", "accessTokenExpiryDate": "2099-01-01T00:00:00+08:00",
                "refreshToken": "rt-1", "createDate": "2025-01-01T00:00:00+08:00"}})
        if request.url.path.endswith("list"):
            return JSONResponse({"status": "ok", "orders": []})
        return JSONResponse({"code": 200, "result": False, "requestId": "r-2", "data": None})

    app = Starlette(routes=[Route("/api2.0/v1/{p:path}", odd, methods=["GET", "POST"])])
    running = start_app(app, name="odd")
    try:
        s = services_for(tmp_path, {"cj": {"kind": "cj", "api_key": "k@api@1",
                                           "base_url": running.root_url + "/api2.0/v1"}})
        fast_retries(s, "cj")
        report = await s.sync("cj")
        assert "without CJ's envelope" in report.errors["cj"]
        with pytest.raises(SupplierError, match="result false"):
            await s.adapter("cj").get_order("J1")
        await s.aclose()
    finally:
        running.stop()
