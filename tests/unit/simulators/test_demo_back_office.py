"""The demo supplier's back office (simulators/demo/): a deterministic, realistic shop that
reviews requests after a delay, answers disputes, keeps its own state, honours idempotency
keys and lists its changes incrementally."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ordertui.domain import codec
from ordertui.domain.errors import SupplierNotFound, SupplierRejected
from ordertui.domain.models import Order
from ordertui.domain.money import Money
from ordertui.domain.states import CancellationState, DisputeReason, DisputeState, OrderStatus
from ordertui.simulators.demo import DemoEngine, IdScheme, data, generate
from support.demo import Clock, everything, with_status

EPOCH = datetime(2024, 6, 13, tzinfo=UTC).timestamp()
DELAY = 5.0


@pytest.fixture
def engine(tmp_path: Path, clock: Clock) -> DemoEngine:
    e = DemoEngine(tmp_path / "supplier" / "state.sqlite3", review_delay_s=DELAY,
                   clock=clock.time)
    e.create(seed=11, count=600, epoch=EPOCH)
    return e


# --- a deterministic, realistic shop -----------------------------------------------------

def test_the_same_seed_gives_the_same_shop(tmp_path: Path) -> None:
    def shop(name: str, seed: int) -> list[dict[str, Any]]:
        e = DemoEngine(tmp_path / name / "state.sqlite3")
        e.create(seed=seed, count=400, epoch=EPOCH)
        return [codec.order_to(o) for o in everything(e, page=97)[0]]

    first, again, other = shop("a", 5), shop("b", 5), shop("c", 6)
    assert len(first) == 400
    assert first == again
    assert [o["customer"] for o in first] != [o["customer"] for o in other]
    # and each order is a pure function of (seed, index): no hidden state between calls
    assert codec.order_to(generate(5, 123, 400, EPOCH, IdScheme(), "demo")) == first[123]


def test_a_realistic_spread() -> None:
    count = 6000  # spans about four months: old enough for closed orders
    orders = [generate(7, i, count, EPOCH, IdScheme(), "demo") for i in range(0, count, 4)]
    statuses = Counter(o.status for o in orders)
    assert set(statuses) == set(OrderStatus) - {OrderStatus.UNKNOWN}, statuses
    assert statuses[OrderStatus.DELIVERED] + statuses[OrderStatus.CLOSED] > len(orders) / 3
    lines = Counter(min(len(o.items), 3) for o in orders)
    assert 0.15 < (lines[2] + lines[3]) / len(orders) < 0.45  # several items: a real share
    assert any(len(o.items) >= 3 for o in orders)
    assert any(i.quantity > 1 for o in orders for i in o.items)
    names = [o.customer.name for o in orders]
    assert sum(not n.isascii() for n in names) > len(names) * 0.05
    assert any(ch in "".join(names) for ch in "üöäëé")  # Müller, Zoë, ...
    assert any("\u4e00" <= ch <= "\u9fff" for n in names for ch in n)  # 王芳
    assert len({o.customer.address.country for o in orders}) >= 8
    assert len({i.title for o in orders for i in o.items}) >= 20
    assert sum(o.cancellation is not None for o in orders) > 0
    assert sum(o.dispute is not None for o in orders) > 0
    for o in orders:
        assert o.created_at.timestamp() <= EPOCH
        items = sum((i.unit_cost.amount * i.quantity for i in o.items), Decimal(0))
        assert o.shipping_cost is not None
        assert o.total_cost.amount == items + o.shipping_cost.amount
        assert o.total_price.amount > 0 and o.total_cost.amount > 0
        assert all(isinstance(i.unit_cost.amount, Decimal) for i in o.items)
        if o.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.CLOSED):
            assert o.tracking_number and o.carrier and o.shipped_at is not None
            times = [e.at for e in o.tracking_events]
            assert times == sorted(times)
        if o.status in (OrderStatus.DELIVERED, OrderStatus.CLOSED):
            assert o.delivered_at is not None
        if o.status is OrderStatus.AWAITING_PAYMENT:
            assert o.paid_at is None
        if o.status is OrderStatus.CANCELLED:
            assert o.cancellation is not None
            assert o.cancellation.state is CancellationState.APPROVED
        if o.dispute is not None:
            assert o.dispute.amount <= o.total_cost
            assert o.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.CLOSED)
    profits = [o.total_price.amount - o.total_cost.amount for o in orders]
    assert sum(p > 0 for p in profits) > len(profits) * 0.9


# --- cancellation reviews --------------------------------------------------------------------

def test_cancellation_is_reviewed_after_the_delay(engine: DemoEngine, clock: Clock) -> None:
    order = with_status(engine, OrderStatus.PROCESSING)[0]
    c = engine.request_cancellation(order.supplier_order_id, "customer changed mind", "k1")
    assert c.state is CancellationState.REQUESTED and c.client_key == "k1"
    clock.advance(DELAY - 1)
    assert engine.get(order.supplier_order_id).cancellation.state is (
        CancellationState.REQUESTED)
    clock.advance(1)
    decided = engine.get(order.supplier_order_id)
    assert decided.cancellation is not None
    assert decided.cancellation.state in (CancellationState.APPROVED,
                                          CancellationState.INFO_REQUESTED)
    assert engine.pending_reviews() == 0


def test_approve_unshipped_sometimes_ask_first(engine: DemoEngine, clock: Clock) -> None:
    candidates = with_status(engine, OrderStatus.PROCESSING,
                             OrderStatus.AWAITING_PAYMENT)[:25]
    assert len(candidates) == 25
    for i, o in enumerate(candidates):
        engine.request_cancellation(o.supplier_order_id, "wrong size", f"c{i}")
    clock.advance(DELAY)
    outcome = {o.supplier_order_id: engine.get(o.supplier_order_id) for o in candidates}
    states = Counter(o.cancellation.state for o in outcome.values())
    assert set(states) == {CancellationState.APPROVED, CancellationState.INFO_REQUESTED}
    for o in outcome.values():
        c = o.cancellation
        assert c is not None and c.supplier_message
        if c.state is CancellationState.APPROVED:
            assert o.status is OrderStatus.CANCELLED  # not shipped, money returned
            assert o.total_cost.display() in c.supplier_message
        else:
            assert o.status in (OrderStatus.PROCESSING, OrderStatus.AWAITING_PAYMENT)
            assert c.supplier_message in data.INFO_QUESTIONS  # a question for the merchant

    asked = [soid for soid, o in outcome.items()
             if o.cancellation.state is CancellationState.INFO_REQUESTED]
    for n, soid in enumerate(asked):
        answered = engine.answer_cancellation(soid, "The customer ordered twice.", f"a{n}")
        assert answered.state is CancellationState.REQUESTED
    clock.advance(DELAY)
    for soid in asked:  # after the answer it decides, and never asks twice
        o = engine.get(soid)
        assert o.cancellation.state is CancellationState.APPROVED
        assert o.status is OrderStatus.CANCELLED
        assert [h.state for h in o.cancellation.history] == [
            "requested", "info_requested", "requested", "approved"]


def test_reject_when_shipped(engine: DemoEngine, clock: Clock) -> None:
    for i, o in enumerate(with_status(engine, OrderStatus.SHIPPED, OrderStatus.DELIVERED)[:5]):
        engine.request_cancellation(o.supplier_order_id, "too slow", f"s{i}")
        clock.advance(DELAY)
        after = engine.get(o.supplier_order_id)
        assert after.cancellation is not None
        assert after.cancellation.state is CancellationState.REJECTED
        assert o.tracking_number in after.cancellation.supplier_message
        assert after.status is o.status


def test_shift_clock_for_tests_brings_reviews_forward(tmp_path: Path) -> None:
    e = DemoEngine(tmp_path / "s.sqlite3", review_delay_s=3600)  # the real clock
    e.create(seed=11, count=600, epoch=EPOCH)
    o = with_status(e, OrderStatus.SHIPPED)[0]
    e.request_cancellation(o.supplier_order_id, "late", "k")
    assert e.next_review_at() is not None
    assert e.get(o.supplier_order_id).cancellation.state is (
        CancellationState.REQUESTED)
    e.shift_clock_for_tests(3600)
    assert e.get(o.supplier_order_id).cancellation.state is (
        CancellationState.REJECTED)
    assert e.next_review_at() is None


# --- disputes --------------------------------------------------------------------------------

def _open_many(e: DemoEngine, n: int, reason: DisputeReason = DisputeReason.NOT_AS_DESCRIBED
               ) -> list[Order]:
    orders = with_status(e, OrderStatus.SHIPPED, OrderStatus.DELIVERED)[:n]
    assert len(orders) == n
    for i, o in enumerate(orders):
        d = e.open_dispute(o.supplier_order_id, reason=reason, amount=o.total_cost,
                           description="Scratched on arrival.", evidence=[], key=f"d{i}")
        assert d.state is DisputeState.OPEN and d.client_key == f"d{i}"
    return orders


def test_disputes_are_accepted_offered_or_rejected(engine: DemoEngine, clock: Clock) -> None:
    orders = _open_many(engine, 25)
    clock.advance(DELAY)
    outcomes: dict[str, list[Order]] = {"accept": [], "offer": [], "reject": []}
    for o in orders:
        now = engine.get(o.supplier_order_id)
        d = now.dispute
        assert d is not None and d.messages[-1].author == "supplier"
        if d.state is DisputeState.RESOLVED_REFUNDED:
            assert d.refunded == o.total_cost
            outcomes["accept"].append(now)
        elif d.offer is not None:
            assert d.state is DisputeState.AWAITING_MERCHANT
            assert d.offer == Money((o.total_cost.amount / 2).quantize(Decimal("0.01")), "USD")
            outcomes["offer"].append(now)
        else:
            assert d.state is DisputeState.AWAITING_MERCHANT
            outcomes["reject"].append(now)
    assert all(outcomes.values()), {k: len(v) for k, v in outcomes.items()}

    # a partial offer, accepted
    offered = outcomes["offer"][0]
    done = engine.accept_offer(offered.supplier_order_id, "acc")
    assert done.state is DisputeState.RESOLVED_REFUNDED
    assert done.refunded == offered.dispute.offer

    # a rejection, escalated: the platform decides after twice the delay
    rejected = outcomes["reject"][0]
    esc = engine.escalate_dispute(rejected.supplier_order_id, "esc")
    assert esc.state is DisputeState.ESCALATED and esc.messages[-1].author == "platform"
    clock.advance(DELAY)
    assert engine.get(rejected.supplier_order_id).dispute.state is (
        DisputeState.ESCALATED)
    clock.advance(DELAY)
    final = engine.get(rejected.supplier_order_id).dispute
    assert final is not None
    assert final.state in (DisputeState.RESOLVED_REFUNDED, DisputeState.RESOLVED_REJECTED)
    assert final.messages[-1].author == "platform"


def test_the_platform_refunds_a_parcel_that_never_came(engine: DemoEngine,
                                                       clock: Clock) -> None:
    orders = _open_many(engine, 25, DisputeReason.NOT_RECEIVED)
    clock.advance(DELAY)
    waiting = [o for o in orders if engine.get(o.supplier_order_id).dispute.state
               is DisputeState.AWAITING_MERCHANT]
    assert waiting
    for i, o in enumerate(waiting):
        engine.escalate_dispute(o.supplier_order_id, f"e{i}")
    clock.advance(2 * DELAY)
    for o in waiting:
        d = engine.get(o.supplier_order_id).dispute
        assert d is not None and d.state is DisputeState.RESOLVED_REFUNDED
        assert d.refunded == o.total_cost


def test_replies_and_withdrawal(engine: DemoEngine, clock: Clock) -> None:
    orders = _open_many(engine, 25)
    clock.advance(DELAY)
    waiting = [o for o in orders if engine.get(o.supplier_order_id).dispute.state
               is DisputeState.AWAITING_MERCHANT]
    first, second = waiting[0], waiting[1]
    d = engine.reply_dispute(first.supplier_order_id, "Photos attached.", "r1")
    assert d.state is DisputeState.AWAITING_SUPPLIER
    assert d.messages[-1].body == "Photos attached." and d.messages[-1].client_key == "r1"
    clock.advance(DELAY)
    answered = engine.get(first.supplier_order_id).dispute
    assert answered is not None and answered.messages[-1].author == "supplier"
    assert answered.state in (DisputeState.RESOLVED_REFUNDED, DisputeState.AWAITING_MERCHANT)

    w = engine.withdraw_dispute(second.supplier_order_id, "w1")
    assert w.state is DisputeState.WITHDRAWN
    clock.advance(10 * DELAY)
    assert engine.get(second.supplier_order_id).dispute.state is (
        DisputeState.WITHDRAWN)


def test_the_supplier_refuses_what_it_cannot_do(engine: DemoEngine, clock: Clock) -> None:
    processing = with_status(engine, OrderStatus.PROCESSING)[0]
    shipped = with_status(engine, OrderStatus.SHIPPED)[0]
    waiting = with_status(engine, OrderStatus.AWAITING_PAYMENT)
    cancelled = with_status(engine, OrderStatus.CANCELLED, free=False)[0]
    before = engine.action_counts()
    attempts: list[Callable[[], Any]] = [
        lambda: engine.request_cancellation(cancelled.supplier_order_id, "x", "r1"),
        lambda: engine.answer_cancellation(processing.supplier_order_id, "x", "r2"),
        lambda: engine.open_dispute(shipped.supplier_order_id, reason=DisputeReason.OTHER,
                                    amount=shipped.total_cost + Money(Decimal("0.01"), "USD"),
                                    description="x", evidence=[], key="r3"),
        lambda: engine.open_dispute(shipped.supplier_order_id, reason=DisputeReason.OTHER,
                                    amount=Money(Decimal(0), "USD"), description="x",
                                    evidence=[], key="r4"),
        lambda: engine.reply_dispute(shipped.supplier_order_id, "x", "r5"),
        lambda: engine.escalate_dispute(shipped.supplier_order_id, "r6"),
        lambda: engine.withdraw_dispute(shipped.supplier_order_id, "r7"),
        lambda: engine.accept_offer(shipped.supplier_order_id, "r8"),
    ]
    if waiting:
        attempts.append(lambda: engine.open_dispute(
            waiting[0].supplier_order_id, reason=DisputeReason.OTHER,
            amount=waiting[0].total_cost, description="x", evidence=[], key="r9"))
    for attempt in attempts:
        with pytest.raises(SupplierRejected) as info:
            attempt()
        assert info.value.supplier_message and "\n" not in str(info.value)
    assert engine.action_counts() == before  # a refusal records nothing
    assert engine.get(shipped.supplier_order_id).dispute is None

    engine.request_cancellation(processing.supplier_order_id, "x", "first")
    with pytest.raises(SupplierRejected, match="already open"):
        engine.request_cancellation(processing.supplier_order_id, "x", "second")
    engine.open_dispute(shipped.supplier_order_id, reason=DisputeReason.OTHER,
                        amount=shipped.total_cost, description="x", evidence=[], key="d1")
    with pytest.raises(SupplierRejected, match="already open"):
        engine.open_dispute(shipped.supplier_order_id, reason=DisputeReason.OTHER,
                            amount=shipped.total_cost, description="x", evidence=[], key="d2")
    for unknown in ("DM99999999", "XX1", "DM20000600", ""):
        with pytest.raises(SupplierNotFound):
            engine.get(unknown)


# --- idempotency -----------------------------------------------------------------------------

def test_a_repeated_key_is_applied_once(engine: DemoEngine, clock: Clock) -> None:
    o = with_status(engine, OrderStatus.PROCESSING)[0]
    first = engine.request_cancellation(o.supplier_order_id, "reason", "same-key")
    again = engine.request_cancellation(o.supplier_order_id, "reason", "same-key")
    assert codec.cancellation_to(first) == codec.cancellation_to(again)
    assert engine.action_counts() == {"cancel": 1}
    assert engine.pending_reviews() == 1
    found = engine.lookup("same-key")
    assert found is not None and found[0] == "cancel"
    assert found[1]["client_key"] == "same-key"
    assert engine.lookup("never-sent") is None

    shipped = with_status(engine, OrderStatus.DELIVERED)[0]
    engine.open_dispute(shipped.supplier_order_id, reason=DisputeReason.OTHER,
                        amount=shipped.total_cost, description="x", evidence=[], key="o1")
    for _ in range(3):
        engine.reply_dispute(shipped.supplier_order_id, "only once", "reply-key")
    d = engine.get(shipped.supplier_order_id).dispute
    assert d is not None and [m.body for m in d.messages].count("only once") == 1
    assert engine.action_counts() == {"cancel": 1, "dispute_open": 1, "dispute_reply": 1}


# --- incremental sync ------------------------------------------------------------------------

def test_changes_after_a_full_pass_come_in_the_next_sync(engine: DemoEngine,
                                                         clock: Clock) -> None:
    orders, cursor = everything(engine)
    assert len(orders) == 600 and len({o.supplier_order_id for o in orders}) == 600
    assert engine.list_changes(cursor, 100)[0] == []  # nothing changed since

    o = with_status(engine, OrderStatus.PROCESSING)[0]
    engine.request_cancellation(o.supplier_order_id, "x", "k1")
    changed, cursor2, more, total = engine.list_changes(cursor, 100)
    assert [c.supplier_order_id for c in changed] == [o.supplier_order_id]
    assert changed[0].cancellation is not None and not more and total == 1
    assert engine.list_changes(cursor2, 100)[0] == []

    clock.advance(DELAY)  # the supplier's decision is a change too
    decided, cursor3, _, _ = engine.list_changes(cursor2, 100)
    assert [c.supplier_order_id for c in decided] == [o.supplier_order_id]
    assert decided[0].cancellation.state is not CancellationState.REQUESTED
    assert engine.list_changes(cursor3, 100)[0] == []


def test_a_change_during_a_full_pass_is_not_missed(engine: DemoEngine) -> None:
    cursor: str | None = None
    seen: list[Order] = []
    while not any(x.status is OrderStatus.PROCESSING for x in seen):
        page, cursor, more, _ = engine.list_changes(cursor, 50)
        seen.extend(page)
        assert more
    o = next(x for x in seen if x.status is OrderStatus.PROCESSING and x.cancellation is None)
    engine.request_cancellation(o.supplier_order_id, "x", "k")  # behind the pass already
    rest: list[Order] = []
    while True:
        batch, cursor, more, _ = engine.list_changes(cursor, 200)
        rest.extend(batch)
        if not more:
            break
    late = [x for x in rest if x.supplier_order_id == o.supplier_order_id]
    assert late and late[-1].cancellation is not None


def test_an_unknown_cursor_is_an_error(engine: DemoEngine) -> None:
    with pytest.raises(Exception, match="cursor"):
        engine.list_changes("zz:1", 10)
