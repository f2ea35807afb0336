"""What goes back to a Shopify store goes exactly once, against the Shopify simulator over
real sockets with its faults after a write (the write applied, its answer lost): tracking
when a CJ order ships and when its number changes, never a second fulfillment of an order
the store has fulfilled, refunds bounded by what the store can refund, refunds made in the
store's admin counted once, and fifty pushes from a process killed with SIGKILL again and
again, each at the store once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ordertui.domain.errors import ValidationError
from ordertui.domain.query import OrderQuery
from ordertui.domain.shop import FulfillmentStatus, ShopActionKind
from ordertui.services.core import Services
from ordertui.simulators.shopify import DEFAULT_TOKEN
from ordertui.store.outbox import DONE, FAILED
from support.shopify_env import TOKEN_ENV, ShopWorld, synced, world
from support.sims import drain


@pytest.fixture(autouse=True)
def _token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, DEFAULT_TOKEN)


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[ShopWorld]:
    with world(tmp_path, cj=40, rng_seed=20261206, stall_s=0.2) as w:
        yield w


def faults_on(w: ShopWorld, rate: float = 0.6) -> None:
    """From now on, every write the store applies loses its answer this often (a 5xx, a cut
    answer, a dropped or stalled connection), with dice of a fixed seed."""
    w.sim.config.faults = ("after_write",)
    w.sim.config.fault_rate = rate


def order_ids(s: Services) -> list[int]:
    return sorted(i for batch in s.store.iter_ids(OrderQuery(), batch=5000) for i in batch)


def gid_of(s: Services, order_id: int) -> str:
    link = s.store.link_of(order_id)
    assert link is not None
    shop = s.store.shop_order(link.shop_order)
    assert shop is not None
    return shop.shop_order_id


def shop_entries(s: Services, *states: str) -> list[Any]:
    return s.store.outbox.entries(states=states or (DONE,), to="shop", limit=10_000)


def unshipped(w: ShopWorld, s: Services) -> list[tuple[int, str]]:
    """Linked CJ orders not shipped yet whose shop orders are still to send: (id, CJ's id)."""
    found = []
    truth = w.cj.truth()
    for order_id in order_ids(s):
        order = s.store.get_order(order_id)
        link = s.store.link_of(order_id)
        shop = s.store.shop_order(link.shop_order) if link else None
        if truth.get(order.supplier_order_id) == "UNSHIPPED" and shop is not None and \
                shop.fulfillment_status is FulfillmentStatus.UNFULFILLED and \
                shop.cancelled_at is None:
            found.append((order_id, order.supplier_order_id))
    return found


# --- tracking -------------------------------------------------------------------------------

async def test_tracking_reaches_the_store_once_and_a_new_number_updates_it_once(
        shop: ShopWorld) -> None:
    s = await synced(shop)
    try:
        queued = shop_entries(s, "pending")
        assert queued and all(e.action is ShopActionKind.FULFILL for e in queued)
        already = [i for i in order_ids(s)
                   if (x := s.shops.shop_link(i)) is not None and s.store.get_order(i)
                   .tracking_number and x.tracking == "the shop has the tracking"]
        faults_on(shop)
        await drain(s, shop.clock)
        assert shop.sim.stats.faults["after_write"] >= 1
        written = shop.written()
        assert len(shop_entries(s)) == len(queued)
        for entry in queued:
            gid = entry.payload["shop_order_id"]
            assert written[gid]["fulfillment"] == 1, entry.key
            numbers = [t["number"] for f in shop.fulfillments(gid) for t in f["trackingInfo"]]
            assert entry.payload["number"] in numbers
        # orders the store had fulfilled with this very tracking were left alone
        assert already and all(gid_of(s, i) not in written for i in already)

        # CJ ships one more: its tracking reaches the store once, whatever is lost
        order_id, cj_id = unshipped(shop, s)[0]
        gid = gid_of(s, order_id)
        shop.cj.set_status(cj_id, "SHIPPED", "CJPKT00000001CN")
        report = await s.sync()
        assert report.errors == {} and report.pushed == 1
        await drain(s, shop.clock)
        assert shop.written()[gid] == {"fulfillment": 1, "tracking_update": 0, "refund": 0}
        [fulfillment] = shop.fulfillments(gid)
        assert [t["number"] for t in fulfillment["trackingInfo"]] == ["CJPKT00000001CN"]

        # CJ changes the number: the store's fulfillment gets it, once
        shop.cj.set_status(cj_id, "SHIPPED", "CJPKT00000002CN")
        report = await s.sync()
        assert report.errors == {} and report.pushed == 1
        await drain(s, shop.clock)
        assert shop.written()[gid] == {"fulfillment": 1, "tracking_update": 1, "refund": 0}
        [fulfillment] = shop.fulfillments(gid)
        assert [t["number"] for t in fulfillment["trackingInfo"]] == ["CJPKT00000002CN"]
        # and nothing more goes however often it syncs
        for _ in range(2):
            report = await s.sync()
            assert report.errors == {} and report.pushed == 0
        await drain(s, shop.clock)
        assert shop.written()[gid] == {"fulfillment": 1, "tracking_update": 1, "refund": 0}
        assert s.shops.shop_link(order_id).tracking == "the shop has the tracking"  # type: ignore[union-attr]
    finally:
        await s.aclose()


async def test_an_order_fulfilled_in_the_stores_admin_is_not_fulfilled_again(
        shop: ShopWorld) -> None:
    s = await synced(shop)
    try:
        await drain(s, shop.clock)
        order_id, cj_id = unshipped(shop, s)[0]
        gid = gid_of(s, order_id)
        shop.cj.set_status(cj_id, "SHIPPED", "CJPKT00000003CN")
        report = await s.sync()  # queued: the store's order was unfulfilled at its last read
        assert report.pushed == 1
        # meanwhile the merchant fulfils it by hand in Shopify's admin
        fo = shop.graphql("""query($id: ID!) { order(id: $id) {
            fulfillmentOrders(first: 5) { nodes { id } } } }""", {"id": gid})
        fo_id = fo["order"]["fulfillmentOrders"]["nodes"][0]["id"]
        made = shop.graphql("""mutation($f: FulfillmentInput!) { fulfillmentCreate(
            fulfillment: $f) { fulfillment { id } userErrors { message } } }""", {"f": {
            "lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo_id}],
            "trackingInfo": {"company": "USPS", "number": "9400100000000000000001"},
            "notifyCustomer": False}})
        assert made["fulfillmentCreate"]["userErrors"] == []
        faults_on(shop)
        await drain(s, shop.clock)
        assert shop.written()[gid]["fulfillment"] == 1  # the merchant's, and no other
        [entry] = s.store.outbox.entries(states=(DONE, FAILED), order_id=order_id, to="shop")
        assert entry.state == FAILED and "not fulfilled again" in entry.last_error
        [fulfillment] = shop.fulfillments(gid)
        assert fulfillment["trackingInfo"][0]["number"] == "9400100000000000000001"
    finally:
        await s.aclose()


# --- refunds --------------------------------------------------------------------------------

def refundable_orders(s: Services) -> list[int]:
    found = []
    for order_id in order_ids(s):
        left = s.shops.refundable(order_id)
        order = s.store.get_order(order_id)
        if left is not None and left.amount > 10 and order.status.value != "cancelled":
            found.append(order_id)
    return found


def refunds_at_store(w: ShopWorld, gid: str) -> list[dict[str, Any]]:
    data = w.graphql("""query($id: ID!) { order(id: $id) { refunds(first: 20) {
        id note totalRefundedSet { shopMoney { amount } } } } }""", {"id": gid})
    found: list[dict[str, Any]] = data["order"]["refunds"]
    return found


async def test_a_refund_reaches_the_store_once_and_never_more_than_it_can_refund(
        shop: ShopWorld) -> None:
    s = await synced(shop)
    try:
        await drain(s, shop.clock)
        first, second = refundable_orders(s)[:2]
        gid = gid_of(s, first)
        before = {r["id"] for r in refunds_at_store(shop, gid)}
        s.returns.record_refund(first, "7.25", "scratched on arrival")
        faults_on(shop, 0.9)
        await drain(s, shop.clock)
        assert shop.sim.stats.faults["after_write"] >= 1
        assert shop.written()[gid]["refund"] == 1
        new = [r for r in refunds_at_store(shop, gid) if r["id"] not in before]
        assert [Decimal(r["totalRefundedSet"]["shopMoney"]["amount"]) for r in new] == \
            [Decimal("7.25")]
        report = await s.sync()  # the store's order read back: the same refund, once
        assert report.errors == {}
        [mine] = s.returns.refunds(first)
        assert mine.amount.amount == Decimal("7.25") and mine.shop_refund_id == new[0]["id"]

        # more than the store can refund: refused here, in one line, nothing queued
        left = s.shops.refundable(second)
        assert left is not None
        waiting = len(s.store.outbox.entries(states=("pending", "sending")))
        with pytest.raises(ValidationError) as refused:
            s.returns.record_refund(second, str(left.amount + 1), "too much")
        assert "\n" not in str(refused.value) and "at most" in str(refused.value)
        assert len(s.store.outbox.entries(states=("pending", "sending"))) == waiting
        assert s.returns.refunds(second) == []
        assert shop.written().get(gid_of(s, second), {}).get("refund", 0) == 0
    finally:
        await s.aclose()


async def test_a_refund_made_in_the_stores_admin_is_counted_once(shop: ShopWorld) -> None:
    s = await synced(shop)
    try:
        await drain(s, shop.clock)
        order_id = refundable_orders(s)[0]
        gid = gid_of(s, order_id)
        sale = shop.graphql("""query($id: ID!) { order(id: $id) { transactions(first: 5) {
            id kind status gateway } } }""", {"id": gid})["order"]["transactions"]
        parent = next(t for t in sale if t["kind"] == "SALE" and t["status"] == "SUCCESS")
        shop.sim.offset += 5
        made = shop.graphql("""mutation($input: RefundInput!, $key: String!) {
            refundCreate(input: $input) @idempotent(key: $key) {
              refund { id } userErrors { message } } }""", {"key": "admin-1", "input": {
            "orderId": gid, "note": "goodwill", "notify": False, "transactions": [{
                "orderId": gid, "parentId": parent["id"], "gateway": parent["gateway"],
                "kind": "REFUND", "amount": "4.50"}]}})
        assert made["refundCreate"]["userErrors"] == []
        admin_id = made["refundCreate"]["refund"]["id"]
        for _ in range(3):  # read back once, however often it syncs
            report = await s.sync()
            assert report.errors == {}
            shop.sim.offset += 5
            shop.sim.touch([gid])
        [counted] = s.returns.refunds(order_id)
        assert counted.shop_refund_id == admin_id and counted.amount.amount == Decimal("4.50")
        assert counted.reason.startswith("refunded in the shop")
        assert s.store.outbox.entries(states=("pending", "sending"), order_id=order_id) == []
        assert shop.written()[gid]["refund"] == 1  # the admin's own, nothing sent back
    finally:
        await s.aclose()


# --- fifty pushes, the sender killed again and again --------------------------------------------

SENDER = """
import asyncio, sys
from pathlib import Path
from ordertui.config import load
from ordertui.http import RetryPolicy
from ordertui.services import Services
from support.sims import Clock, drain

async def main():
    s = Services(load(Path(sys.argv[1]), Path(sys.argv[2])), clock=Clock())
    s.shops.adapter("main").client.http.policy = RetryPolicy(attempts=4, base_s=0.02,
                                                             cap_s=0.2)
    print("started", flush=True)
    await drain(s, s.clock, rounds=10_000)
    print("drained", flush=True)
    await s.aclose()

asyncio.run(main())
"""


def sender(config: Path, data: Path) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (
        str(Path(__file__).resolve().parents[3] / "src"),
        str(Path(__file__).resolve().parents[2]), env.get("PYTHONPATH", "")) if p)
    return subprocess.Popen([sys.executable, "-c", SENDER, str(config), str(data)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


async def test_fifty_odd_pushes_from_a_sender_killed_at_random_go_out_once_each(
        tmp_path: Path) -> None:
    rng = random.Random(1042)
    with world(tmp_path, cj=600, rng_seed=7, latency_ms=15, stall_s=0.2) as w:
        faults_on(w, 0.1)
        s = await synced(w)
        try:
            queued = shop_entries(s, "pending")
            assert len(queued) >= 50
        finally:
            await s.aclose()
        config = w.write_config()
        kills = 0
        for _ in range(8):
            proc = sender(config, w.tmp / "data")
            try:
                assert proc.stdout is not None
                assert proc.stdout.readline().strip() == "started"
                time.sleep(rng.uniform(0.05, 1.2))
                if proc.poll() is None:
                    proc.send_signal(signal.SIGKILL)
                    kills += 1
                proc.wait(timeout=60)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait(timeout=60)
        assert kills >= 1
        for _ in range(5):  # then left alone until the outbox is empty
            proc = sender(config, w.tmp / "data")
            out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
            if "drained" in out:
                break
        s = w.services()
        try:
            assert s.store.outbox.entries(states=("pending", "sending"), to="shop") == []
            done = shop_entries(s, DONE, FAILED)
            assert len(done) == len(queued) and all(e.state == DONE for e in done)
            # sends cut short (a kill mid-send, an answer lost), looked up before any resend
            ambiguous = sum(e.ambiguous for e in done)
            assert ambiguous >= 1
            written = w.written()
            for entry in queued:
                gid = entry.payload["shop_order_id"]
                assert written[gid] == {"fulfillment": 1, "tracking_update": 0, "refund": 0}
                numbers = [t["number"] for f in w.fulfillments(gid) for t in f["trackingInfo"]]
                assert numbers == [entry.payload["number"]]
            assert sum(x["fulfillment"] for x in written.values()) == len(queued)
        finally:
            await s.aclose()
        print(f"\n{len(queued)} pushes, the sender killed {kills} times, {ambiguous} sends "
              "with an unknown outcome looked up")
