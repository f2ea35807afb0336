"""The AliExpress adapter against the AliExpress simulator over real sockets: the signature
(known answers built by hand from the documented rule), signature checking, the OAuth
token and its refresh, details and tracking in both list shapes, the status mapping, errors,
faults, and the hand-off to the buyer centre with the merchant's records."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
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
    OrderNotFound,
    SupplierAuthError,
    SupplierError,
)
from ordertui.domain.states import CancellationState, DisputeState, OrderStatus, Source
from ordertui.services.core import Services
from ordertui.simulators.aliexpress import AESimConfig, AliExpressSimulator
from ordertui.simulators.common import RunningSim
from ordertui.suppliers.aliexpress import AliExpressAdapter
from ordertui.suppliers.aliexpress.sign import sign, string_to_sign
from support.sims import ae_settings, fast_retries, serve, services_for, start_app

SECRET = "helloworld"


def start(**kw: Any) -> Iterator[RunningSim]:
    yield from serve(AliExpressSimulator(AESimConfig(**kw)))


@pytest.fixture
def sim() -> Iterator[RunningSim]:
    yield from start(orders=200)


def ae(sim: RunningSim) -> AliExpressSimulator:
    assert isinstance(sim.sim, AliExpressSimulator)
    return sim.sim


def ids_with(sim: RunningSim, status: str) -> list[str]:
    return [oid for i, oid in enumerate(ae(sim).order_ids()) if ae(sim).statuses(i)[0] == status]


def by_hand(params: dict[str, str], path: str = "") -> str:
    """The documented rule, step by step, without the adapter's code."""
    text = path
    for name in sorted(params):  # parameter names are ASCII: byte order = code point order
        text += name + params[name]
    digest = hmac.new(SECRET.encode(), text.encode(), hashlib.sha256).hexdigest()
    return digest.upper()


# --- the signature ---------------------------------------------------------------------


def test_signature_known_answers() -> None:
    business = {"access_token": "TESTTOKEN", "app_key": "12345678", "format": "json",
                "method": "aliexpress.trade.ds.order.get", "sign_method": "sha256",
                "simplify": "false",
                "single_order_query": '{"order_id":"8190000000000001"}',
                "timestamp": "1700000000000"}
    expected = "6C1C5CB00960940B5B566F6478EB6F3A6CD6F115CB7077F63F4B657EF00EAF3C"
    assert by_hand(business) == expected
    assert string_to_sign(business) == (
        "access_tokenTESTTOKENapp_key12345678formatjsonmethodaliexpress.trade.ds.order.get"
        'sign_methodsha256simplifyfalsesingle_order_query{"order_id":"8190000000000001"}'
        "timestamp1700000000000")
    assert sign(business, SECRET) == expected
    assert sign({**business, "sign": "anything"}, SECRET) == expected  # sign is left out

    system = {"app_key": "12345678", "code": "3_12345678_abc", "sign_method": "sha256",
              "timestamp": "1700000000000"}
    expected = "0166941DEF4BB2492F018FD1FE411EDAB42BCB39D2F966C4B0FEEDE045A1D6A6"
    assert by_hand(system, "/auth/token/create") == expected
    assert sign(system, SECRET, "/auth/token/create") == expected
    assert sign(system, SECRET) != expected  # the path in front matters on /rest


def test_simulator_rejects_a_wrongly_signed_call(sim: RunningSim) -> None:
    c = ae(sim).config
    params = {"app_key": c.app_key, "method": "aliexpress.trade.ds.order.get",
              "access_token": c.access_token, "sign_method": "sha256", "format": "json",
              "timestamp": str(int(time.time() * 1000)),
              "single_order_query": json.dumps({"order_id": ae(sim).order_ids(1)[0]})}
    good = {**params, "sign": sign(params, c.app_secret)}
    ok = httpx.post(sim.root_url + "/sync", data=good).json()
    assert "aliexpress_trade_ds_order_get_response" in ok
    bad = {**params, "sign": sign(params, "not-the-secret")}
    err = httpx.post(sim.root_url + "/sync", data=bad).json()["error_response"]
    assert err["code"] == "IncompleteSignature" and err["request_id"]
    url_encoded = {**params, "sign": sign({**params, "single_order_query": "%7B%7D"},
                                          c.app_secret)}
    err = httpx.post(sim.root_url + "/sync", data=url_encoded).json()["error_response"]
    assert err["code"] == "IncompleteSignature"
    system = {"app_key": c.app_key, "code": c.auth_code, "sign_method": "sha256",
              "timestamp": str(int(time.time() * 1000))}
    wrong = {**system, "sign": sign(system, c.app_secret)}  # forgot the path in front
    flat = httpx.post(sim.root_url + "/rest/auth/token/create", data=wrong).json()
    assert flat["code"] == "IncompleteSignature" and flat["type"] == "ISV"
    right = {**system, "sign": sign(system, c.app_secret, "/auth/token/create")}
    assert httpx.post(sim.root_url + "/rest/auth/token/create", data=right).json()[
        "code"] == "0"


# --- orders by id ---------------------------------------------------------------------------


async def test_add_by_id_details_and_tracking(tmp_path: Path, sim: RunningSim) -> None:
    s = services_for(tmp_path, {"ae": ae_settings(sim)})
    ids = ae(sim).order_ids(40)
    orders = (await s.add_orders("ae", ids)).orders
    assert [o.supplier_order_id for o in orders] == ids
    shipped = next(o for o in orders if o.status is OrderStatus.SHIPPED and o.tracking_events)
    assert shipped.tracking_number and shipped.carrier and shipped.items
    assert shipped.items[0].title and shipped.total_cost.amount > 0
    assert shipped.supplier_url.endswith(f"orderId={shipped.supplier_order_id}")
    stored = s.order(s.resolve(shipped.supplier_order_id))
    assert len(stored.tracking_events) == len(shipped.tracking_events)
    tracking = await s.adapter("ae").get_tracking(stored)
    assert tracking.tracking_number == shipped.tracking_number and tracking.events
    report = await s.sync("ae")  # known orders, one by one
    assert not report.errors and report.orders >= 1
    # ids the supplier does not know are reported one by one; the others are still added
    report = await s.add_orders("ae", f"#1042, 9999999999999999\n{ids[0]} {ids[0]}")
    assert [o.supplier_order_id for o in report.orders] == [ids[0]]
    assert list(report.failed) == ["#1042", "9999999999999999"]
    assert "not an AliExpress order id" in report.failed["#1042"]
    with pytest.raises(OrderNotFound):
        s.resolve("9999999999999999")
    await s.aclose()


async def test_both_list_shapes_give_the_same_order(tmp_path: Path, sim: RunningSim) -> None:
    oid = ids_with(sim, "WAIT_BUYER_ACCEPT_GOODS")[0]
    wrapped = services_for(tmp_path / "w", {"ae": ae_settings(sim)})
    simple = services_for(tmp_path / "s", {"ae": ae_settings(sim, simplify=True)})
    a = (await wrapped.add_orders("ae", [oid])).orders[0]
    b = (await simple.add_orders("ae", [oid])).orders[0]
    assert a.items and a.tracking_events
    assert (a.items, a.tracking_events, a.tracking_number) == \
        (b.items, b.tracking_events, b.tracking_number)
    await wrapped.aclose()
    await simple.aclose()


STATUS_CASES = [
    ("PLACE_ORDER_SUCCESS", None, "awaiting_payment"),
    ("PAYMENT_PROCESSING", None, "awaiting_payment"),
    ("WAIT_SELLER_EXAMINE_MONEY", None, "awaiting_payment"),
    ("RISK_CONTROL", None, "awaiting_payment"),
    ("RISK_CONTROL_HOLD", None, "awaiting_payment"),
    ("WAIT_GROUP", None, "awaiting_payment"),
    ("WAIT_COMPLETE_ADDRESS", None, "awaiting_payment"),
    ("FUND_PROCESSING", None, "awaiting_payment"),
    ("WAIT_SELLER_SEND_GOODS", None, "processing"),
    ("IN_CANCEL", "WAIT_SELLER_SEND_GOODS", "processing"),
    ("SELLER_PART_SEND_GOODS", None, "shipped"),
    ("WAIT_BUYER_ACCEPT_GOODS", None, "shipped"),
    ("FINISH", None, "delivered"),
    ("IN_ISSUE", "SELLER_SEND_GOODS", "shipped"),
    ("IN_ISSUE", "BUYER_ACCEPT_GOODS", "delivered"),
    ("IN_FROZEN", "WAIT_SELLER_SEND_GOODS", "processing"),
    ("ARCHIVE", None, "closed"),
    ("WAITING_FOR_SOMETHING_NEW", None, "unknown"),
]


async def test_status_mapping(tmp_path: Path, sim: RunningSim) -> None:
    delivered = ids_with(sim, "FINISH")
    s = services_for(tmp_path, {"ae": ae_settings(sim)})
    for n, (raw, logistics, expected) in enumerate(STATUS_CASES):
        oid = delivered[n]
        ae(sim).set_status(oid, raw, logistics)
        order = (await s.add_orders("ae", [oid])).orders[0]
        assert order.status.value == expected, (raw, logistics)
        assert order.supplier_status == raw
        if raw == "IN_CANCEL":
            assert order.cancellation is not None
            assert order.cancellation.state is CancellationState.REQUESTED
        if raw in ("IN_ISSUE", "IN_FROZEN"):
            assert order.dispute is not None and order.dispute.state is DisputeState.OPEN
    cancelled = next(o for i, o in enumerate(ae(sim).order_ids())
                     if ae(sim)._order(i).status is OrderStatus.CANCELLED)
    order = (await s.add_orders("ae", [cancelled])).orders[0]
    assert order.supplier_status == "FINISH" and order.status is OrderStatus.CANCELLED
    await s.aclose()


async def test_issue_keeps_the_last_known_status_and_cancel_outcomes(tmp_path: Path,
                                                                     sim: RunningSim) -> None:
    s = services_for(tmp_path, {"ae": ae_settings(sim)})
    oid = ids_with(sim, "WAIT_SELLER_SEND_GOODS")[0]
    await s.add_orders("ae", [oid])
    ae(sim).set_status(oid, "IN_ISSUE", "DEFAULT")  # no logistics to go by
    await s.sync("ae")
    o = s.order(s.resolve(oid))
    assert o.status is OrderStatus.PROCESSING and o.dispute is not None
    assert o.dispute.source is Source.API

    ae(sim).set_status(oid, "IN_CANCEL", "WAIT_SELLER_SEND_GOODS")
    await s.sync("ae")
    assert s.order(s.resolve(oid)).cancellation.state is CancellationState.REQUESTED  # type: ignore[union-attr]
    ae(sim).set_status(oid, "WAIT_BUYER_ACCEPT_GOODS", "SELLER_SEND_GOODS")
    report = await s.sync("ae")
    o = s.order(s.resolve(oid))
    assert o.status is OrderStatus.SHIPPED
    assert o.cancellation is not None and o.cancellation.state is CancellationState.REJECTED
    assert any(e.kind == "cancellation" and e.new == "rejected" for e in report.events)
    await s.aclose()


# --- the token -----------------------------------------------------------------------------


async def test_expired_token_is_refreshed_and_the_newest_pair_kept(tmp_path: Path,
                                                                    sim: RunningSim) -> None:
    oid = ae(sim).order_ids(1)[0]
    s = services_for(tmp_path, {"ae": ae_settings(sim)})
    await s.add_orders("ae", [oid])
    ae(sim).expire_access()
    await s.sync("ae")
    token = tmp_path / "data" / "suppliers" / "ae" / "ae-token.json"
    assert token.stat().st_mode & 0o777 == 0o600
    saved = json.loads(token.read_text())
    assert saved["refresh"] != ae(sim).config.refresh_token
    await s.aclose()
    # the simulator voids the old refresh token once the new access token is used: a new
    # session must refresh with the stored newest pair, not the config's
    ae(sim).expire_access()
    again = services_for(tmp_path, {"ae": ae_settings(sim)})
    report = await again.sync("ae")
    assert not report.errors
    assert sim.stats()["counters"]["token_refresh"] == 2
    await again.aclose()


async def test_refused_refresh_asks_to_authorize_again(tmp_path: Path, sim: RunningSim) -> None:
    s = services_for(tmp_path, {"ae": ae_settings(sim, refresh_token="50001wrong")})
    ae(sim).expire_access()
    with pytest.raises(SupplierAuthError, match="authorize ordertui again") as err:
        await s.add_orders("ae", ae(sim).order_ids(1))
    assert "50001wrong" not in str(err.value)
    bad = services_for(tmp_path / "b", {"ae": ae_settings(sim, app_secret="nope")})
    with pytest.raises(SupplierAuthError, match="app_secret"):
        await bad.add_orders("ae", ae(sim).order_ids(1))
    await s.aclose()
    await bad.aclose()


# --- errors and faults ---------------------------------------------------------------------


async def test_rate_limit_answers_are_waited_out(tmp_path: Path) -> None:
    for sim in start(orders=60, rate_limit=10):
        s = services_for(tmp_path, {"ae": ae_settings(sim)})  # the adapter asks for 100/s
        orders = (await s.add_orders("ae", ae(sim).order_ids(25))).orders
        assert len(orders) == 25 and sim.stats()["counters"]["rate_limited"] > 0
        await s.aclose()


def _view(s: Services, ids: list[str]) -> dict[str, Any]:
    return {o.supplier_order_id: (o.status, o.items, o.tracking_number, o.total_cost,
                                  o.tracking_events)
            for o in (s.order(s.resolve(i)) for i in ids)}


async def test_orders_read_under_30_percent_faults_match_a_clean_read(tmp_path: Path) -> None:
    for sim in start(orders=120, rng_seed=3, stall_s=0.6):
        ids = ae(sim).order_ids(40)
        clean = services_for(tmp_path / "clean", {"ae": ae_settings(sim)})
        await clean.add_orders("ae", ids)
        # every fault kind but rate-limit answers (each costs the second it asks for; the
        # test above has them)
        sim.sim.config.faults = ("5xx", "html", "truncated", "drop", "stall")
        sim.sim.config.fault_rate = 0.3
        faulty = services_for(tmp_path / "faulty", {"ae": ae_settings(sim, read_timeout_s=0.3)})
        fast_retries(faulty, "ae")
        for start_at in range(0, len(ids), 10):  # a failed add is simply repeated
            for _ in range(20):
                try:
                    await faulty.add_orders("ae", ids[start_at:start_at + 10])
                    break
                except SupplierError:  # typed, never a crash: try again
                    continue
        assert sum(sim.stats()["faults"].values()) > 5
        assert _view(faulty, ids) == _view(clean, ids)
        await clean.aclose()
        await faulty.aclose()


@pytest.mark.parametrize("kind", ["5xx", "html", "truncated"])
async def test_broken_answers_are_typed_errors(tmp_path: Path, sim: RunningSim,
                                               kind: str) -> None:
    sim.sim.config.faults, sim.sim.config.fault_rate = (kind,), 1.0
    s = services_for(tmp_path, {"ae": ae_settings(sim)})
    fast_retries(s, "ae")
    with pytest.raises(Exception) as err:
        await s.add_orders("ae", ae(sim).order_ids(1))
    assert str(err.value).startswith("ae: ")
    assert {"5xx": "server error 503", "html": "HTML page",
            "truncated": "not JSON"}[kind] in str(err.value)
    await s.aclose()


# --- what the API does not do: the buyer centre, and the merchant's records ----------------


def test_capabilities_and_settings() -> None:
    caps = AliExpressAdapter.capabilities
    assert Capability.ADD_BY_ID in caps and Capability.GET_ORDER in caps
    assert Capability.LIST_ORDERS not in caps
    assert not {Capability.CANCEL, Capability.DISPUTE_OPEN, Capability.DISPUTE_REPLY} & caps
    assert AliExpressAdapter.validate_settings({
        "kind": "aliexpress", "app_key": "1", "app_secret_env": "S", "access_token_env": "A",
        "refresh_token_env": "R", "policy": {"x": 1}, "unused": True}) == []
    problems = {k for k, _ in AliExpressAdapter.validate_settings(
        {"kind": "aliexpress", "base_url": "http://api.example.com", "simplify": "yes"})}
    assert problems == {"app_key", "app_secret", "access_token", "base_url", "simplify"}


async def test_cancel_and_dispute_hand_off_to_the_buyer_centre(tmp_path: Path,
                                                               sim: RunningSim) -> None:
    s = services_for(tmp_path, {"ae": ae_settings(sim)})
    oid = ids_with(sim, "WAIT_SELLER_SEND_GOODS")[0]
    await s.add_orders("ae", [oid])
    local = s.resolve(oid)
    with pytest.raises(CapabilityMissing) as err:
        s.request_cancellation(local, "customer asked")
    url = f"https://www.aliexpress.com/p/order/detail.html?orderId={oid}"
    assert err.value.url == url and "ordertui record" in str(err.value)
    details = s.details(local)
    assert details.web_url == url
    cancel = next(a for a in details.actions if a.action is Action.CANCEL)
    assert not cancel.by_api and cancel.url == url
    assert not s.store.outbox.entries()
    await s.aclose()


def test_cli_add_and_record(tmp_path: Path, sim: RunningSim) -> None:
    c = ae(sim).config
    config = tmp_path / "config.toml"
    config.write_text(
        f'[suppliers.ali]\nkind = "aliexpress"\nbase_url = "{sim.base_url}"\n'
        f'app_key = "{c.app_key}"\napp_secret = "{c.app_secret}"\n'
        f'access_token = "{c.access_token}"\nrefresh_token = "{c.refresh_token}"\n'
        "rate_limit = 100\n")
    config.chmod(0o600)
    runner = CliRunner()
    base = ["--config", str(config), "--data-dir", str(tmp_path / "data")]

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(main_group, [*base, *args], catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    waiting = ids_with(sim, "WAIT_SELLER_SEND_GOODS")[0]
    shipped = ids_with(sim, "WAIT_BUYER_ACCEPT_GOODS")[0]
    out = run("add", "--supplier", "ali", waiting, shipped)
    assert f"added {waiting} (processing)" in out and f"added {shipped} (shipped)" in out
    # one wrong id among good ones: the good ones are added, the wrong one named, exit 1
    other = ids_with(sim, "FINISH")[0]
    partial = runner.invoke(main_group, [*base, "add", "--supplier", "ali",
                                         f"{other},8190000000009999"])
    assert partial.exit_code == 1
    assert f"added {other}" in partial.stdout
    assert "not added 8190000000009999" in partial.stderr
    assert "Traceback" not in partial.output
    assert other in run("show", other)
    refused = run("cancel", waiting, "--reason", "changed mind", "--yes", code=1)
    assert "detail.html?orderId=" in refused
    run("record", waiting, "--cancellation", "requested", "--note", "asked in the buyer centre")
    run("record", waiting, "--cancellation", "approved", "--note", "seller agreed")
    run("record", shipped, "--dispute", "open", "--amount", "2.00", "--note", "not arrived")
    shown = run("show", waiting)
    assert "Cancellation approved (recorded by hand)" in shown
    assert "seller agreed" in shown
    assert "(recorded by hand)" in run("show", shipped)
    assert "synced" in run("sync")


async def test_an_answer_in_no_documented_shape_is_a_protocol_error(tmp_path: Path) -> None:
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def odd(request: Any) -> JSONResponse:
        return JSONResponse({"unexpected": {"request_id": "r-9"}})

    running = start_app(Starlette(routes=[Route("/sync", odd, methods=["POST"])]), name="odd")
    try:
        s = services_for(tmp_path, {"ae": {"kind": "aliexpress", "app_key": "1",
                                           "app_secret": "s", "access_token": "a",
                                           "refresh_token": "r",
                                           "base_url": running.root_url}})
        with pytest.raises(SupplierError, match="has no aliexpress_trade_ds_order_get_response"
                           ) as err:
            await s.add_orders("ae", ["8190000000000001"])
        assert "r-9" in str(err.value) and str(err.value).startswith("ae: ")
        await s.aclose()
    finally:
        running.stop()
