"""The words a merchant reads for what happened: who did it and what (the history), how the
news says a new state, and a state kept as its value shown by its label — never an action's
or a state's internal name (answer_cancel_info, merchant, outbox, info_requested,
in_transit)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ordertui.domain.models import AuditEntry, SyncEvent, state_words
from ordertui.domain.states import (
    CancellationState,
    DisputeReason,
    DisputeState,
    OrderStatus,
    label,
)

AT = datetime(2026, 2, 10, 12, tzinfo=UTC)


def entry(actor: str, action: str, detail: str = "") -> AuditEntry:
    return AuditEntry(at=AT, actor=actor, action=action, detail=detail)


@pytest.mark.parametrize(("actor", "who"), [
    ("merchant", "you"), ("outbox", "ordertui"), ("sync", "ordertui"),
    ("supplier:cj", "cj"), ("supplier:demo", "demo"),
])
def test_who_says_you_ordertui_or_the_supplier_by_name(actor: str, who: str) -> None:
    assert entry(actor, "cancel", "x").who() == who


@pytest.mark.parametrize(("action", "what"), [
    ("cancel sent", "cancellation request sent"),
    ("answer_cancel_info sent", "answer to the supplier sent"),
    ("dispute_open sent", "dispute sent"),
    ("dispute_reply refused", "reply in the dispute refused"),
    ("dispute_escalate sent", "escalation of the dispute sent"),
    ("dispute_withdraw failed", "withdrawal of the dispute failed"),
    ("dispute_accept_offer sent", "acceptance of the supplier's offer sent"),
])
def test_what_names_an_action_on_its_way_in_words(action: str, what: str) -> None:
    e = entry("outbox", action, "received by demo")
    assert e.what() == what
    assert "_" not in e.what()


def test_what_leaves_the_merchants_own_action_to_its_detail() -> None:
    # "you: requested cancellation: …", not "you: cancel — requested cancellation: …"
    assert entry("merchant", "cancel", "requested cancellation: ordered twice").what() == ""
    assert entry("merchant", "answer_cancel_info", "answered the supplier: x").what() == ""
    # with no detail the action's own label says it
    assert entry("merchant", "answer_cancel_info").what() == "answer the supplier's question"


def test_what_keeps_words_that_are_no_action() -> None:
    assert entry("supplier:demo", "status", "Processing → Cancelled").what() == "status"
    assert entry("merchant", "refund", "€5.00 refunded").what() == "refund"


@pytest.mark.parametrize(("kind", "state", "words"), [
    ("dispute", "resolved_refunded", "dispute resolved with a refund"),
    ("dispute", "awaiting_merchant", "dispute waits on you"),
    ("dispute", "awaiting_supplier", "dispute waits on the supplier"),
    ("dispute", "resolved_rejected", "dispute rejected"),
    ("cancellation", "info_requested", "the supplier asks for details about the cancellation"),
    ("cancellation", "approved", "cancellation approved"),
    ("status", "awaiting_payment", "order awaiting payment"),
    ("status", "shipped", "order shipped"),
    # a state this version does not know: its subject and the value in words
    ("dispute", "under_review", "dispute under review"),
    ("status", "on_hold", "order on hold"),
])
def test_state_words(kind: str, state: str, words: str) -> None:
    assert state_words(kind, state) == words


def test_sync_event_describes_in_words() -> None:
    def news(kind: str, new: str, message: str = "") -> str:
        return SyncEvent(1, "#1001", kind, None, new, message).describe()

    assert news("dispute", "resolved_refunded") == "#1001: dispute resolved with a refund"
    assert news("cancellation", "info_requested", "Which colour?") == (
        "#1001: the supplier asks for details about the cancellation — Which colour?")
    assert news("status", "delivered") == "#1001: order delivered"
    # what was sent is told as the runner words it
    assert news("sent", "Request cancellation: sent to demo") == (
        "#1001: Request cancellation: sent to demo")
    for kind in ("dispute", "cancellation", "status"):
        for state in ("resolved_refunded", "awaiting_merchant", "info_requested",
                      "awaiting_payment"):
            assert "_" not in news(kind, state)


def test_label_shows_a_state_kept_as_its_value() -> None:
    assert label(CancellationState, "info_requested") == "Supplier asks for details"
    assert label(CancellationState, None) == "none"
    assert label(OrderStatus, "awaiting_payment") == "Awaiting payment"
    assert label(DisputeState, "awaiting_merchant") == "Awaiting you"
    assert label(DisputeReason, "not_as_described") == "Not as described"
    assert label(DisputeState, "from_a_newer_version") == "from_a_newer_version"


def test_in_a_team_another_persons_action_is_named_by_their_login() -> None:
    mine = AuditEntry(at=AT, actor="merchant", action="cancel", detail="", login="anna")
    assert mine.who("anna") == mine.who() == "you"
    assert mine.who("ben") == "anna"  # read by Ben, who shares the store
    assert AuditEntry(at=AT, actor="outbox", action="cancel sent", detail="",
                      login="anna").who("ben") == "ordertui"
