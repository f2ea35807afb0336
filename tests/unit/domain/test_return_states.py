"""The returns state machine (domain/returns.py): the table is the documented one, and
every transition is legal or refused with a one-line typed error."""

from __future__ import annotations

import pytest

from ordertui.domain.errors import InvalidTransition
from ordertui.domain.returns import (
    RETURN_TRANSITIONS,
    ReturnState,
    ReturnTransitionError,
    check_return,
)
from support.returns import RETURN_EDGES

R = ReturnState

ALL_PAIRS = [(a, b) for a in [None, *ReturnState] for b in ReturnState]


def test_the_table_is_the_documented_one() -> None:
    assert {k: set(v) for k, v in RETURN_TRANSITIONS.items()} == RETURN_EDGES


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS)
def test_every_transition_legal_or_refused(current: ReturnState | None,
                                           target: ReturnState) -> None:
    if target in RETURN_EDGES[current]:
        assert check_return(current, target) is target
    else:
        with pytest.raises(ReturnTransitionError) as info:
            check_return(current, target)
        assert isinstance(info.value, InvalidTransition)
        assert info.value.exit_code == 2
        assert "\n" not in str(info.value) and target.value in str(info.value)


def test_terminal_states() -> None:
    assert {s for s in ReturnState if s.terminal} == {R.RESTOCKED, R.DISPOSED, R.CANCELLED}
