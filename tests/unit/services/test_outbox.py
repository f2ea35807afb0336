"""The outbox (invariant 2 in docs/architecture.md), against the demo supplier: every action
is written first and sent by one runner at a time, at most once, even across crashes and
timeouts."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from ordertui.adapters import Applied
from ordertui.config import Config
from ordertui.domain.capabilities import Action
from ordertui.domain.errors import (
    CancellationAlreadyActive,
    SupplierAmbiguous,
    SupplierAuthError,
    SupplierRateLimited,
    SupplierRejected,
)
from ordertui.domain.states import CancellationState, DisputeReason, DisputeState, Source
from ordertui.services.core import Services
from ordertui.services.runner import OutboxRunner
from ordertui.store.dialect import RUNNER_LOCK
from ordertui.store.outbox import DONE, FAILED, PENDING, SENDING
from ordertui.suppliers.demo import DemoAdapter
from support.demo import Clock, make_services
from support.store import eventually


@pytest.fixture(autouse=True)
async def shop_tracking_sent(services: Services) -> None:
    """The first sync queued the demo shop's tracking for the orders shipped already; it is
    sent before each test, so that the runner works on what the test queues."""
    await services.run_outbox()
    assert services.store.outbox.entries() == []


def pick(services: Services, where: str) -> int:
    row = services.store.con.execute(
        f"SELECT id FROM orders WHERE {where} ORDER BY id LIMIT 1").fetchone()
    assert row is not None, f"no order where {where}"
    return int(row[0])


def cancellable(services: Services) -> int:
    return pick(services, "status = 'processing' AND cancellation_state IS NULL "
                          "AND dispute_state IS NULL")


def disputable(services: Services) -> int:
    return pick(services, "status = 'delivered' AND dispute_state IS NULL "
                          "AND cancellation_state IS NULL")


class Spy:
    """Wraps an adapter's coroutine methods to log calls and inject failures."""

    def __init__(self, adapter: DemoAdapter, monkeypatch: pytest.MonkeyPatch) -> None:
        self.adapter = adapter
        self.calls: list[tuple[str, str]] = []  # (method, supplier order id)
        self.monkeypatch = monkeypatch
        for name in ("request_cancellation", "answer_cancellation_info", "open_dispute",
                     "reply_dispute", "escalate_dispute", "withdraw_dispute",
                     "accept_dispute_offer", "was_applied"):
            self.wrap(name)

    def wrap(self, name: str, *, before: Exception | None = None,
             after: Exception | None = None, times: int = 1) -> None:
        """Log calls of ``name``; the next ``times`` calls raise ``before`` (the supplier
        never got it) or ``after`` (the supplier applied it, then the answer was lost)."""
        original: Callable[..., Awaitable[Any]] = getattr(type(self.adapter), name)
        left = [times]

        async def wrapper(*args: Any) -> Any:
            order = args[1] if name == "was_applied" else args[0]
            self.calls.append((name, order.supplier_order_id))
            if before is not None and left[0] > 0:
                left[0] -= 1
                raise before
            result = await original(self.adapter, *args)
            if after is not None and left[0] > 0:
                left[0] -= 1
                raise after
            return result

        self.monkeypatch.setattr(self.adapter, name, wrapper)

    def sent(self) -> list[str]:
        return [m for m, _ in self.calls if m != "was_applied"]

    def lookups(self) -> int:
        return sum(1 for m, _ in self.calls if m == "was_applied")


@pytest.fixture
def spy(demo: DemoAdapter, monkeypatch: pytest.MonkeyPatch) -> Spy:
    return Spy(demo, monkeypatch)


async def drain(services: Services) -> list[Any]:
    ran, events = await services.run_outbox()
    assert ran
    return events


# --- (a) a crash between writing and sending ----------------------------------------------

async def test_crash_after_claim_before_send_sends_exactly_once(
        services: Services, config: Config, clock: Clock, demo: DemoAdapter) -> None:
    oid = cancellable(services)
    services.request_cancellation(oid, "customer changed their mind")
    # the runner takes the entry ... and its process dies before it sends
    entry = services.store.outbox.claim(int(clock.time()))
    assert entry is not None and entry.state == SENDING and entry.order_id == oid
    await services.aclose()

    later = make_services(config, clock)  # the next session
    try:
        later_demo = later.adapter("demo")
        assert isinstance(later_demo, DemoAdapter)
        looked: list[str] = []
        real = later_demo.was_applied

        async def was_applied(pending: Any, order: Any) -> Applied:
            looked.append(pending.key)
            return await real(pending, order)

        later_demo.was_applied = was_applied
        await drain(later)
        assert looked == [entry.key]  # it asked the supplier before sending
        assert demo.engine.action_counts() == {"cancel": 1}
        done = later.store.outbox.get(entry.id)
        assert done is not None and done.state == DONE and done.attempts == 2
        order = later.order(oid)
        assert order.cancellation is not None
        assert order.cancellation.state is CancellationState.REQUESTED
        assert order.cancellation.source is Source.API  # confirmed by the supplier
        await drain(later)  # nothing more goes out
        assert demo.engine.action_counts() == {"cancel": 1}
    finally:
        await later.aclose()


async def test_crash_after_the_supplier_got_it_is_not_sent_again(
        services: Services, config: Config, clock: Clock, demo: DemoAdapter) -> None:
    oid = cancellable(services)
    services.request_cancellation(oid, "duplicate order")
    entry = services.store.outbox.claim(int(clock.time()))
    assert entry is not None
    # the send reached the supplier; the session died before it wrote that down
    await demo.request_cancellation(services.order(oid), "duplicate order", entry.key)
    await services.aclose()

    later = make_services(config, clock)
    try:
        events = await drain(later)
        assert demo.engine.action_counts() == {"cancel": 1}
        done = later.store.outbox.get(entry.id)
        assert done is not None and done.state == DONE
        assert any("received" in e.describe() for e in events)
        audit = [a.action for a in later.store.audit_for(oid)]
        assert "cancel confirmed" in audit and "cancel sent" not in audit
        c = later.order(oid).cancellation
        assert c is not None and c.client_key == entry.key and c.source is Source.API
    finally:
        await later.aclose()


async def test_nothing_is_lost_when_the_session_ends_before_the_runner(
        services: Services, config: Config, clock: Clock, demo: DemoAdapter) -> None:
    oid = disputable(services)
    services.open_dispute(oid, reason="not_as_described", amount="", description="broken")
    await services.aclose()  # closed before anything was sent

    later = make_services(config, clock)
    try:
        assert len(later.pending_actions()) == 1
        await drain(later)
        assert demo.engine.action_counts() == {"dispute_open": 1}
        assert later.pending_actions() == []
        d = later.order(oid).dispute
        assert d is not None and d.state is DisputeState.OPEN and d.source is Source.API
    finally:
        await later.aclose()


# --- (b) a timeout after the supplier applied the action ------------------------------------

@pytest.mark.parametrize("failure", [SupplierAmbiguous("demo", "read timeout"),
                                     TimeoutError("timed out"),
                                     ConnectionResetError("connection reset by peer")],
                         ids=["ambiguous", "timeout", "reset"])
async def test_timeout_after_the_supplier_applied_cancel(
        services: Services, clock: Clock, demo: DemoAdapter, spy: Spy,
        failure: Exception) -> None:
    oid = cancellable(services)
    spy.wrap("request_cancellation", after=failure, times=1)
    services.request_cancellation(oid, "wrong address")
    await drain(services)
    assert demo.engine.action_counts() == {"cancel": 1}  # it arrived
    [entry] = services.pending_actions()
    assert entry.state == PENDING and entry.ambiguous and entry.last_error
    await drain(services)  # not due yet: backoff
    assert spy.sent() == ["request_cancellation"]

    clock.advance(60)
    await drain(services)
    assert spy.lookups() == 1  # read the supplier's state ...
    assert spy.sent() == ["request_cancellation"]  # ... and did not send again
    assert demo.engine.action_counts() == {"cancel": 1}
    assert services.pending_actions() == []
    assert services.store.outbox.get(entry.id).state == DONE


async def test_timeouts_on_every_try_still_give_one_action(
        services: Services, clock: Clock, demo: DemoAdapter, spy: Spy) -> None:
    oid = disputable(services)
    spy.wrap("open_dispute", after=SupplierAmbiguous("demo", "timeout"), times=1)
    spy.wrap("was_applied", before=SupplierAmbiguous("demo", "timeout"), times=2)
    services.open_dispute(oid, reason="not_received", amount="1.00",
                          description="no parcel")
    for _ in range(6):
        await drain(services)
        clock.advance(3600)
    assert spy.sent() == ["open_dispute"]
    assert spy.lookups() == 3  # two lookups timed out, the third found it
    assert demo.engine.action_counts() == {"dispute_open": 1}
    assert services.pending_actions() == []
    d = services.order(oid).dispute
    assert d is not None and len([m for m in d.messages if m.author == "merchant"]) == 1


async def test_timeout_before_the_supplier_got_it_sends_once_after_looking(
        services: Services, clock: Clock, demo: DemoAdapter, spy: Spy) -> None:
    oid = cancellable(services)
    spy.wrap("request_cancellation", before=SupplierAmbiguous("demo", "timeout"), times=1)
    services.request_cancellation(oid, "wrong size")
    await drain(services)
    assert demo.engine.action_counts() == {}
    clock.advance(60)
    await drain(services)
    assert spy.calls[1:] == [("was_applied", spy.calls[0][1]),
                             ("request_cancellation", spy.calls[0][1])]
    assert demo.engine.action_counts() == {"cancel": 1}


async def test_a_reply_after_a_timeout_appears_once_in_the_thread(
        services: Services, clock: Clock, demo: DemoAdapter, spy: Spy) -> None:
    oid = pick(services, "dispute_state = 'awaiting_merchant'")
    spy.wrap("reply_dispute", after=SupplierAmbiguous("demo", "timeout"), times=1)
    services.reply_dispute(oid, "Here are the photos you asked for.")
    await drain(services)
    clock.advance(60)
    await drain(services)
    assert spy.sent() == ["reply_dispute"] and spy.lookups() == 1
    assert demo.engine.action_counts() == {"dispute_reply": 1}
    supplier_side = demo.engine.get(services.order(oid).supplier_order_id).dispute
    assert supplier_side is not None
    bodies = [m.body for m in supplier_side.messages]
    assert bodies.count("Here are the photos you asked for.") == 1
    local = services.order(oid).dispute
    assert local is not None
    assert [m.body for m in local.messages].count("Here are the photos you asked for.") == 1


async def test_rate_limit_waits_without_a_lookup(services: Services, clock: Clock,
                                                 demo: DemoAdapter, spy: Spy) -> None:
    oid = cancellable(services)
    spy.wrap("request_cancellation",
             before=SupplierRateLimited("demo", retry_after=30), times=1)
    services.request_cancellation(oid, "too slow")
    await drain(services)
    [entry] = services.pending_actions()
    assert not entry.ambiguous and entry.next_at.timestamp() == clock.time() + 30
    clock.advance(29)
    await drain(services)
    assert spy.sent() == ["request_cancellation"]
    clock.advance(2)
    await drain(services)
    assert spy.lookups() == 0  # a refused-for-now request reached nothing: no need to look
    assert demo.engine.action_counts() == {"cancel": 1}


async def test_auth_error_keeps_the_action_and_says_so(services: Services, clock: Clock,
                                                       demo: DemoAdapter, spy: Spy) -> None:
    oid = cancellable(services)
    spy.wrap("request_cancellation", before=SupplierAuthError("demo", "token expired"))
    services.request_cancellation(oid, "late")
    events = await drain(services)
    assert [e.kind for e in events] == ["failed"] and "token expired" in events[0].describe()
    assert len(services.pending_actions()) == 1
    clock.advance(3600)
    await drain(services)
    assert demo.engine.action_counts() == {"cancel": 1}


# --- (c) a definitive refusal ---------------------------------------------------------------

async def test_refused_cancellation_is_marked_rejected(services: Services, demo: DemoAdapter,
                                                       spy: Spy) -> None:
    oid = cancellable(services)
    spy.wrap("request_cancellation",
             before=SupplierRejected("demo", "the parcel is already packed"))
    services.request_cancellation(oid, "changed mind")
    [entry] = services.pending_actions()
    events = await drain(services)
    assert [e.kind for e in events] == ["refused"]
    assert "already packed" in events[0].describe()
    done = services.store.outbox.get(entry.id)
    assert done is not None and done.state == FAILED and "already packed" in done.last_error
    c = services.order(oid).cancellation
    assert c is not None and c.state is CancellationState.REJECTED
    assert c.supplier_message == "the parcel is already packed"
    assert "cancel refused" in [a.action for a in services.store.audit_for(oid)]
    assert demo.engine.action_counts() == {}
    # the merchant may try again
    services.request_cancellation(oid, "please")
    assert services.order(oid).cancellation.state is CancellationState.REQUESTED


async def test_refused_dispute_is_removed_and_the_suppliers_shown(
        services: Services, clock: Clock, demo: DemoAdapter) -> None:
    oid = disputable(services)
    soid = services.order(oid).supplier_order_id
    # the merchant already opened one on the supplier's web page; we do not know yet
    demo.engine.open_dispute(soid, reason=DisputeReason.OTHER,
                             amount=services.order(oid).total_cost, description="via web",
                             evidence=[], key="web-1")
    services.open_dispute(oid, reason="not_received", amount="", description="where is it")
    events = await drain(services)
    assert [e.kind for e in events] == ["refused"]
    assert "already open" in events[0].describe()
    assert demo.engine.action_counts() == {"dispute_open": 1}  # only the web one
    d = services.order(oid).dispute
    assert d is not None and d.description == "via web" and d.client_key == "web-1"
    assert services.store.outbox.entries(states=(FAILED,))[0].order_id == oid


async def test_refused_reply_restores_the_dispute(services: Services, demo: DemoAdapter,
                                                  spy: Spy) -> None:
    oid = pick(services, "dispute_state = 'awaiting_merchant'")
    before = services.order(oid).dispute
    assert before is not None
    spy.wrap("reply_dispute", before=SupplierRejected("demo", "the case is closed"))
    services.reply_dispute(oid, "any news?")
    assert services.order(oid).dispute.state is DisputeState.AWAITING_SUPPLIER
    await drain(services)
    after = services.order(oid).dispute
    assert after is not None
    assert after.state is DisputeState.AWAITING_MERCHANT
    assert [m.body for m in after.messages] == [m.body for m in before.messages]


async def test_refused_answer_restores_the_question(services: Services, demo: DemoAdapter,
                                                    spy: Spy) -> None:
    oid = pick(services, "cancellation_state = 'info_requested'")
    spy.wrap("answer_cancellation_info", before=SupplierRejected("demo", "too late"))
    services.answer_cancellation_info(oid, "It is for a gift.")
    assert services.order(oid).cancellation.state is CancellationState.REQUESTED
    await drain(services)
    c = services.order(oid).cancellation
    assert c is not None and c.state is CancellationState.INFO_REQUESTED
    assert services.store.outbox.entries(states=(FAILED,))


# --- (d) one runner at a time -----------------------------------------------------------------

async def test_two_sessions_only_one_runner(services: Services, config: Config, clock: Clock,
                                            demo: DemoAdapter) -> None:
    other = make_services(config, clock)
    try:
        mine, theirs = OutboxRunner(services), OutboxRunner(other)
        assert mine.acquire() and mine.held
        assert mine.acquire()  # re-entrant for its holder
        assert not theirs.acquire() and not theirs.held
        oid = cancellable(services)
        other.request_cancellation(oid, "from the other session")
        assert await other.run_outbox() == (False, [])  # it waits for the holder
        assert demo.engine.action_counts() == {}
        events = await mine.drain()  # the holder sends what the other queued
        assert [e.kind for e in events] == ["sent"]
        mine.release()
        assert theirs.acquire()
        theirs.release()
        if services.store.backend == "sqlite":
            assert (services.data_dir / "outbox.lock").exists()
    finally:
        await other.aclose()


async def test_a_dead_process_does_not_keep_the_lock(services: Services) -> None:
    lock = services.data_dir / "outbox.lock"
    take = (f"fh = open({str(lock)!r}, 'a+'); fcntl.flock(fh.fileno(), fcntl.LOCK_EX)"
            if services.store.url is None else  # the advisory lock the runner takes
            f"import psycopg; con = psycopg.connect({services.store.url!r}, autocommit=True); "
            f"con.execute('SELECT pg_advisory_lock(%s)', ({RUNNER_LOCK},))")
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import fcntl, sys, time
            {take}
            print("locked", flush=True)
            time.sleep(60)
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        runner = OutboxRunner(services)
        assert not runner.acquire()
        holder.kill()
        holder.wait(timeout=30)
        assert eventually(runner.acquire)  # the server notices the end of its session
        runner.release()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(timeout=30)


# --- (e) actions on one order go out in order -------------------------------------------------

async def test_actions_on_one_order_go_out_in_order(services: Services, clock: Clock,
                                                    demo: DemoAdapter, spy: Spy) -> None:
    oid = disputable(services)
    other = cancellable(services)
    spy.wrap("open_dispute", before=SupplierAmbiguous("demo", "timeout"), times=1)
    services.open_dispute(oid, reason="not_as_described", amount="", description="scratched")
    services.reply_dispute(oid, "photos attached")
    services.withdraw_dispute(oid)
    services.request_cancellation(other, "unrelated")
    await drain(services)
    # the first failed and waits; the two after it on that order wait behind it, while the
    # other order's action is not held up
    soid = services.order(oid).supplier_order_id
    assert [c for c in spy.calls if c[1] == soid] == [("open_dispute", soid)]
    assert "request_cancellation" in spy.sent()
    clock.advance(60)
    await drain(services)
    on_order = [m for m, s in spy.calls if s == soid and m != "was_applied"]
    assert on_order == ["open_dispute", "open_dispute", "reply_dispute", "withdraw_dispute"]
    assert demo.engine.action_counts() == {"dispute_open": 1, "dispute_reply": 1,
                                           "dispute_withdraw": 1, "cancel": 1}
    d = demo.engine.get(soid).dispute
    assert d is not None and d.state is DisputeState.WITHDRAWN
    assert [m.body for m in d.messages if m.author == "merchant"] == ["scratched",
                                                                      "photos attached"]


async def test_each_action_kind_reaches_the_supplier(services: Services, clock: Clock,
                                                     demo: DemoAdapter) -> None:
    """Every action the outbox carries, end to end, and the local state after it."""
    oid = pick(services, "dispute_state = 'awaiting_merchant' AND dispute_state IS NOT NULL")
    order = services.order(oid)
    assert order.dispute is not None
    if order.dispute.offer is not None:
        services.accept_dispute_offer(oid)
        action, final = Action.DISPUTE_ACCEPT_OFFER, DisputeState.RESOLVED_REFUNDED
    else:
        services.escalate_dispute(oid)
        action, final = Action.DISPUTE_ESCALATE, DisputeState.ESCALATED
    await drain(services)
    assert services.order(oid).dispute.state is final
    assert sum(demo.engine.action_counts().values()) == 1
    assert services.store.outbox.entries(states=(DONE,), to="supplier")[0].action is action


async def test_steps_queued_on_a_refused_dispute_are_not_sent(
        services: Services, demo: DemoAdapter) -> None:
    """A reply or withdrawal made on the merchant's own dispute must not land on another
    dispute the supplier has, when the supplier refused to open the merchant's."""
    oid = disputable(services)
    soid = services.order(oid).supplier_order_id
    demo.engine.open_dispute(soid, reason=DisputeReason.OTHER,
                             amount=services.order(oid).total_cost, description="via web",
                             evidence=[], key="web-1")
    # offline, the merchant opens a dispute and thinks better of it
    services.open_dispute(oid, reason="not_received", amount="", description="where is it")
    services.withdraw_dispute(oid)
    events = await drain(services)
    assert demo.engine.action_counts() == {"dispute_open": 1}  # the web one, nothing else
    supplier_side = demo.engine.get(soid).dispute
    assert supplier_side is not None and supplier_side.state is DisputeState.OPEN
    failed = services.store.outbox.entries(states=(FAILED,))
    assert [e.action for e in failed] == [Action.DISPUTE_OPEN, Action.DISPUTE_WITHDRAW]
    assert services.pending_actions() == []
    assert [e.kind for e in events].count("refused") >= 1
    d = services.order(oid).dispute
    assert d is not None and d.client_key == "web-1" and d.state is DisputeState.OPEN


async def test_two_sessions_cancelling_at_once_queue_one_action(
        services: Services, config: Config, clock: Clock, demo: DemoAdapter) -> None:
    other = make_services(config, clock)
    oid = cancellable(services)
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def press_c(s: Services) -> None:
        barrier.wait()
        try:
            results.append(s.request_cancellation(oid, "pressed c"))
        except Exception as exc:
            results.append(exc)

    try:
        threads = [threading.Thread(target=press_c, args=(s,)) for s in (services, other)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sum(isinstance(r, CancellationAlreadyActive) for r in results) == 1
        assert len(services.pending_actions()) == 1  # the loser's entry was rolled back
        assert services.store.con.execute(
            "SELECT COUNT(*) FROM audit WHERE action = 'cancel'").fetchone()[0] == 1
        await drain(services)
        assert demo.engine.action_counts() == {"cancel": 1}
    finally:
        await other.aclose()
