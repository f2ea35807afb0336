"""The three state machines: every legal and every illegal transition of each table.

The expected edges are written out here independently of ``states.py``, from the issue's
description of each machine, so that an edge added or lost by accident fails a test."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from ordertui.domain.errors import (
    CancellationAlreadyActive,
    DisputeAlreadyOpen,
    DisputeNotAllowed,
    InvalidTransition,
    OrderNotCancellable,
    OrdertuiError,
)
from ordertui.domain.states import (
    CANCELLABLE,
    CANCELLATION_TRANSITIONS,
    DISPUTABLE,
    DISPUTE_TRANSITIONS,
    ORDER_TRANSITIONS,
    TERMINAL_DISPUTE_STATES,
    CancellationState,
    DisputeState,
    OrderStatus,
    check_cancellation,
    check_dispute,
    check_order,
    path_to,
)

O, C, D = OrderStatus, CancellationState, DisputeState  # noqa: E741

ORDER_EDGES = {
    (O.AWAITING_PAYMENT, O.PROCESSING), (O.AWAITING_PAYMENT, O.CANCELLED),
    (O.PROCESSING, O.SHIPPED), (O.PROCESSING, O.CANCELLED),
    (O.SHIPPED, O.DELIVERED), (O.SHIPPED, O.CLOSED),
    (O.DELIVERED, O.CLOSED),
    (O.CANCELLED, O.CLOSED),
}

CANCELLATION_EDGES = {
    (None, C.REQUESTED),
    (C.REQUESTED, C.INFO_REQUESTED), (C.REQUESTED, C.APPROVED), (C.REQUESTED, C.REJECTED),
    # the merchant answers (back to requested), or the supplier decides without the answer
    (C.INFO_REQUESTED, C.REQUESTED), (C.INFO_REQUESTED, C.APPROVED),
    (C.INFO_REQUESTED, C.REJECTED),
}

_ENDS = (D.RESOLVED_REFUNDED, D.RESOLVED_REJECTED, D.WITHDRAWN)
DISPUTE_EDGES = {
    (None, D.OPEN),
    *((D.OPEN, t) for t in (D.AWAITING_SUPPLIER, D.AWAITING_MERCHANT, D.ESCALATED, *_ENDS)),
    *((D.AWAITING_SUPPLIER, t) for t in (D.AWAITING_MERCHANT, D.ESCALATED, *_ENDS)),
    *((D.AWAITING_MERCHANT, t) for t in (D.AWAITING_SUPPLIER, D.ESCALATED, *_ENDS)),
    *((D.ESCALATED, t) for t in (D.AWAITING_MERCHANT, *_ENDS)),
}

Machine = tuple[str, dict[Any, frozenset[Any]], set[tuple[Any, Any]], list[Any], list[Any],
                Callable[[Any, Any], Any]]
MACHINES: list[Machine] = [
    ("order", ORDER_TRANSITIONS, ORDER_EDGES, list(O), list(O), check_order),
    ("cancellation", CANCELLATION_TRANSITIONS, CANCELLATION_EDGES, [None, *C], list(C),
     check_cancellation),
    ("dispute", DISPUTE_TRANSITIONS, DISPUTE_EDGES, [None, *D], list(D), check_dispute),
]


def _all_pairs() -> list[Any]:
    params = []
    for name, _table, edges, sources, targets, check in MACHINES:
        for src, tgt in itertools.product(sources, targets):
            legal = (src, tgt) in edges
            params.append(pytest.param(name, check, src, tgt, legal,
                                       id=f"{name}:{src}->{tgt}:{'ok' if legal else 'no'}"))
    return params


@pytest.mark.parametrize(("machine", "check", "src", "tgt", "legal"), _all_pairs())
def test_every_transition(machine: str, check: Callable[[Any, Any], Any], src: Any, tgt: Any,
                          legal: bool) -> None:
    if legal:
        assert check(src, tgt) == tgt
        return
    with pytest.raises(InvalidTransition) as info:
        check(src, tgt)
    err = info.value
    assert (err.machine, err.current, err.target) == (machine, src, tgt)
    assert err.exit_code == 2  # bad input, not a failure of the program
    text = str(err)
    assert "\n" not in text and machine in text and tgt.value in text
    assert (src.value if src is not None else "none") in text


@pytest.mark.parametrize(("name", "table", "edges", "sources"),
                         [(m[0], m[1], m[2], m[3]) for m in MACHINES], ids=[m[0] for m in MACHINES])
def test_table_is_exactly_the_documented_edges(name: str, table: dict[Any, frozenset[Any]],
                                               edges: set[tuple[Any, Any]],
                                               sources: list[Any]) -> None:
    # every state has a row (a missing row would raise KeyError instead of a typed error)
    assert set(table) == set(sources)
    assert {(s, t) for s, targets in table.items() for t in targets} == edges


@pytest.mark.parametrize(("name", "table", "start"),
                         [("order", ORDER_TRANSITIONS, O.AWAITING_PAYMENT),
                          ("cancellation", CANCELLATION_TRANSITIONS, None),
                          ("dispute", DISPUTE_TRANSITIONS, None)])
def test_every_state_is_reachable_from_the_start(name: str, table: dict[Any, frozenset[Any]],
                                                 start: Any) -> None:
    unreachable_by_design = {O.UNKNOWN}  # only ever set from a supplier's unknown status
    for state in table:
        if state is None or state == start or state in unreachable_by_design:
            continue
        assert path_to(table, start, state), f"{name}: {state} cannot be reached"


def test_terminal_states_have_no_way_out() -> None:
    for state in TERMINAL_DISPUTE_STATES:
        assert state.terminal and DISPUTE_TRANSITIONS[state] == frozenset()
    assert {s for s in D if s.terminal} == set(_ENDS)
    assert CANCELLATION_TRANSITIONS[C.APPROVED] == CANCELLATION_TRANSITIONS[C.REJECTED] == \
        frozenset()
    assert ORDER_TRANSITIONS[O.CLOSED] == ORDER_TRANSITIONS[O.UNKNOWN] == frozenset()
    assert {s for s in C if s.active} == {C.REQUESTED, C.INFO_REQUESTED}


def test_cancellable_and_disputable_statuses() -> None:
    # cancellable: the supplier has not shipped; disputable: paid and not cancelled
    assert {O.AWAITING_PAYMENT, O.PROCESSING} == CANCELLABLE
    assert {O.PROCESSING, O.SHIPPED, O.DELIVERED} == DISPUTABLE
    for status in CANCELLABLE:
        assert O.CANCELLED in ORDER_TRANSITIONS[status]


def test_path_to_finds_the_shortest_route() -> None:
    assert path_to(CANCELLATION_TRANSITIONS, None, C.APPROVED) == [C.REQUESTED, C.APPROVED]
    assert path_to(CANCELLATION_TRANSITIONS, None, C.INFO_REQUESTED) == [
        C.REQUESTED, C.INFO_REQUESTED]
    assert path_to(CANCELLATION_TRANSITIONS, C.INFO_REQUESTED, C.REJECTED) == [C.REJECTED]
    assert path_to(DISPUTE_TRANSITIONS, None, D.ESCALATED) == [D.OPEN, D.ESCALATED]
    assert path_to(DISPUTE_TRANSITIONS, None, D.WITHDRAWN) == [D.OPEN, D.WITHDRAWN]
    assert path_to(ORDER_TRANSITIONS, O.AWAITING_PAYMENT, O.DELIVERED) == [
        O.PROCESSING, O.SHIPPED, O.DELIVERED]
    # every step of every route is a legal edge
    for table, start in ((CANCELLATION_TRANSITIONS, None), (DISPUTE_TRANSITIONS, None),
                         (ORDER_TRANSITIONS, O.AWAITING_PAYMENT)):
        for target in table:
            route = path_to(table, start, target)
            prev = start
            for step in route:
                assert step in table[prev]
                prev = step


def test_path_to_is_empty_when_unreachable() -> None:
    assert path_to(CANCELLATION_TRANSITIONS, C.APPROVED, C.REQUESTED) == []
    assert path_to(DISPUTE_TRANSITIONS, D.WITHDRAWN, D.OPEN) == []
    assert path_to(ORDER_TRANSITIONS, O.DELIVERED, O.CANCELLED) == []
    assert path_to(ORDER_TRANSITIONS, O.UNKNOWN, O.CLOSED) == []


def test_path_to_the_present_state_invents_no_steps() -> None:
    # recording by hand the state a request is already in must not write made-up steps
    assert path_to(DISPUTE_TRANSITIONS, D.AWAITING_SUPPLIER, D.AWAITING_SUPPLIER) == []
    assert path_to(CANCELLATION_TRANSITIONS, C.REQUESTED, C.REQUESTED) == []


def test_typed_errors_are_invalid_transitions_with_one_line_messages() -> None:
    errors: list[InvalidTransition] = [
        OrderNotCancellable("#1042", "shipped"),
        CancellationAlreadyActive("#1042", "info_requested"),
        DisputeAlreadyOpen("#1042", "awaiting_merchant"),
        DisputeNotAllowed("#1042", "awaiting_payment"),
    ]
    for err in errors:
        assert isinstance(err, InvalidTransition) and isinstance(err, OrdertuiError)
        assert err.exit_code == 2
        assert "#1042" in str(err) and "\n" not in str(err)
        assert "_" not in str(err).split("#1042", 1)[1].split(";")[0]  # states read as words
    assert errors[0].machine == "order" and errors[0].target == "cancelled"
    assert errors[2].machine == "dispute" and errors[2].target == "open"
