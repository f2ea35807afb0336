"""What may be done to an order in each state, and the typed error when not."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from ordertui.domain import rules
from ordertui.domain.capabilities import Action, Capability
from ordertui.domain.errors import (
    CancellationAlreadyActive,
    DisputeAlreadyOpen,
    DisputeNotAllowed,
    InvalidTransition,
    OrderNotCancellable,
    ValidationError,
)
from ordertui.domain.models import CancellationRequest, Dispute, Order
from ordertui.domain.money import Money
from ordertui.domain.states import (
    CancellationState,
    DisputeReason,
    DisputeState,
    OrderStatus,
)
from support.demo import OrderFactory

NOW = datetime(2024, 5, 1, tzinfo=UTC)


def _cancellation(state: CancellationState) -> CancellationRequest:
    return CancellationRequest(state=state, reason="customer changed mind", requested_at=NOW,
                               updated_at=NOW)


def _dispute(state: DisputeState, offer: str | None = None) -> Dispute:
    return Dispute(state=state, reason=DisputeReason.NOT_RECEIVED,
                   amount=Money(Decimal("5"), "USD"), description="never arrived",
                   opened_at=NOW, updated_at=NOW,
                   offer=Money(Decimal(offer), "USD") if offer else None)


@pytest.mark.parametrize("status", list(OrderStatus))
def test_cancel_depends_on_the_order_status(make_order: OrderFactory,
                                            status: OrderStatus) -> None:
    order = make_order(status=status)
    if status in (OrderStatus.AWAITING_PAYMENT, OrderStatus.PROCESSING):
        rules.check_can_cancel(order)
        return
    with pytest.raises(OrderNotCancellable) as info:
        rules.check_can_cancel(order)
    assert isinstance(info.value, InvalidTransition)
    assert order.name in str(info.value)


def test_cancelling_a_shipped_order_says_why(make_order: OrderFactory) -> None:
    order = make_order(status=OrderStatus.SHIPPED, name="#1042")
    with pytest.raises(OrderNotCancellable, match=r"#1042 is shipped and can no longer"):
        rules.check_can_cancel(order)


@pytest.mark.parametrize("state", list(CancellationState))
def test_only_one_live_cancellation(make_order: OrderFactory, state: CancellationState) -> None:
    order = make_order(status=OrderStatus.PROCESSING, cancellation=_cancellation(state))
    if state.active:
        with pytest.raises(CancellationAlreadyActive):
            rules.check_can_cancel(order)
    else:  # a rejected (or, oddly, approved) request may be followed by a new one
        rules.check_can_cancel(order)


@pytest.mark.parametrize("state", list(CancellationState))
def test_answering_the_supplier_needs_its_question(make_order: OrderFactory,
                                                   state: CancellationState) -> None:
    order = make_order(cancellation=_cancellation(state))
    if state is CancellationState.INFO_REQUESTED:
        rules.check_can_answer_info(order)
    else:
        with pytest.raises(InvalidTransition, match="has not asked for details"):
            rules.check_can_answer_info(order)
    with pytest.raises(InvalidTransition):
        rules.check_can_answer_info(make_order())


@pytest.mark.parametrize("state", list(DisputeState))
def test_a_second_open_dispute_is_refused(make_order: OrderFactory,
                                          state: DisputeState) -> None:
    order = make_order(status=OrderStatus.DELIVERED, dispute=_dispute(state))
    if state.terminal:
        rules.check_can_open_dispute(order)  # a closed dispute does not block a new one
    else:
        with pytest.raises(DisputeAlreadyOpen):
            rules.check_can_open_dispute(order)


@pytest.mark.parametrize("status", list(OrderStatus))
def test_dispute_needs_a_paid_order_not_cancelled(make_order: OrderFactory,
                                                  status: OrderStatus) -> None:
    order = make_order(status=status)
    if status in (OrderStatus.PROCESSING, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        rules.check_can_open_dispute(order)
    else:
        with pytest.raises(DisputeNotAllowed):
            rules.check_can_open_dispute(order)


def test_dispute_amount_is_at_most_what_the_merchant_paid(make_order: OrderFactory) -> None:
    order = make_order(cost="10.00", quantity=3)  # total_cost 30.00
    assert order.total_cost == Money(Decimal("30.00"), "USD")
    rules.check_dispute_amount(order, Money(Decimal("30.00"), "USD"))
    rules.check_dispute_amount(order, Money(Decimal("0.01"), "USD"))
    with pytest.raises(ValidationError, match="cannot be more than") as info:
        rules.check_dispute_amount(order, Money(Decimal("30.01"), "USD"))
    assert info.value.field == "amount"
    for bad in ("0", "-1"):
        with pytest.raises(ValidationError, match="more than 0"):
            rules.check_dispute_amount(order, Money(Decimal(bad), "USD"))
    with pytest.raises(ValidationError, match="USD"):
        rules.check_dispute_amount(order, Money(Decimal("1"), "EUR"))


# which dispute states allow which follow-up, from the description of the machine
FOLLOW_UPS = {
    Action.DISPUTE_REPLY: {DisputeState.OPEN, DisputeState.AWAITING_SUPPLIER,
                           DisputeState.AWAITING_MERCHANT, DisputeState.ESCALATED},
    Action.DISPUTE_WITHDRAW: {DisputeState.OPEN, DisputeState.AWAITING_SUPPLIER,
                              DisputeState.AWAITING_MERCHANT, DisputeState.ESCALATED},
    Action.DISPUTE_ESCALATE: {DisputeState.AWAITING_SUPPLIER, DisputeState.AWAITING_MERCHANT},
    Action.DISPUTE_ACCEPT_OFFER: {DisputeState.AWAITING_MERCHANT},
}


@pytest.mark.parametrize("action", list(FOLLOW_UPS))
@pytest.mark.parametrize("state", list(DisputeState))
def test_dispute_follow_ups(make_order: OrderFactory, action: Action,
                            state: DisputeState) -> None:
    order = make_order(status=OrderStatus.DELIVERED, dispute=_dispute(state, offer="2.50"))
    if state in FOLLOW_UPS[action]:
        rules.check_action(order, action)
    else:
        with pytest.raises(InvalidTransition):
            rules.check_action(order, action)
    with pytest.raises(InvalidTransition, match="has no dispute"):
        rules.check_action(make_order(status=OrderStatus.DELIVERED), action)


def test_accepting_needs_an_offer(make_order: OrderFactory) -> None:
    order = make_order(status=OrderStatus.DELIVERED,
                       dispute=_dispute(DisputeState.AWAITING_MERCHANT))
    with pytest.raises(InvalidTransition, match="no offer"):
        rules.check_action(order, Action.DISPUTE_ACCEPT_OFFER)


def _actions(order: Order, caps: frozenset[Capability]) -> dict[Action, bool]:
    url_for = {a: f"https://supplier.example/{a.value}" for a in Action}
    options = rules.available_actions(order, caps, url_for)
    for o in options:
        assert (o.url is None) == o.by_api
    return {o.action: o.by_api for o in options}


def test_available_actions_follow_state_and_capabilities(make_order: OrderFactory) -> None:
    everything = frozenset(Capability)
    processing = make_order(status=OrderStatus.PROCESSING)
    assert _actions(processing, everything) == {Action.CANCEL: True, Action.DISPUTE_OPEN: True}
    shipped = make_order(status=OrderStatus.SHIPPED)
    assert _actions(shipped, everything) == {Action.DISPUTE_OPEN: True}
    # a supplier with no cancel API: still offered, done on its page (invariant 3 in
    # docs/architecture.md)
    no_cancel = everything - {Capability.CANCEL}
    assert _actions(processing, no_cancel) == {Action.CANCEL: False, Action.DISPUTE_OPEN: True}
    asked = make_order(status=OrderStatus.PROCESSING,
                       cancellation=_cancellation(CancellationState.INFO_REQUESTED))
    assert _actions(asked, everything) == {Action.ANSWER_CANCEL_INFO: True,
                                           Action.DISPUTE_OPEN: True}
    offered = make_order(status=OrderStatus.DELIVERED,
                         dispute=_dispute(DisputeState.AWAITING_MERCHANT, offer="1.00"))
    assert set(_actions(offered, everything)) == {
        Action.DISPUTE_REPLY, Action.DISPUTE_ESCALATE, Action.DISPUTE_WITHDRAW,
        Action.DISPUTE_ACCEPT_OFFER}
    assert _actions(make_order(status=OrderStatus.CLOSED), everything) == {}


def test_check_text() -> None:
    assert rules.check_text("reason", "  too late  ") == "too late"
    with pytest.raises(ValidationError, match="must not be empty") as info:
        rules.check_text("reason", "   ")
    assert info.value.field == "reason"
    assert rules.check_text("note", "", required=False) == ""
    with pytest.raises(ValidationError, match="at most 2,000 fit"):
        rules.check_text("message", "x" * (rules.MAX_TEXT + 1))
    assert rules.check_text("message", "x" * rules.MAX_TEXT) == "x" * rules.MAX_TEXT
    with pytest.raises(ValidationError, match="NUL"):
        rules.check_text("message", "a\x00b")
