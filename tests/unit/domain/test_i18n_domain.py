"""The domain's words in another language (the test language x-pseudo: every translated
message comes out accented and in ⟦…⟧, so text left plain was not marked): labels of states,
reasons, actions, views and sort keys, errors, the filter described, the history's and the
news' words, buyer protection; English stays as it was, and the values stay codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

import pytest

from ordertui import i18n
from ordertui.config import parse
from ordertui.domain import rules
from ordertui.domain.capabilities import Action
from ordertui.domain.errors import (
    AmbiguousOrder,
    CancellationAlreadyActive,
    ConfigError,
    InvalidTransition,
    OrderNotCancellable,
    OrderNotFound,
    ValidationError,
)
from ordertui.domain.fx import no_rate_reason
from ordertui.domain.models import AuditEntry, state_words
from ordertui.domain.money import Money
from ordertui.domain.policy import (
    ASSUMED_POLICY,
    DEFAULT_POLICIES,
    ProtectionBasis,
    ShippingPayer,
    SupplierPolicy,
    policy_from_table,
    protection_status,
)
from ordertui.domain.query import OrderQuery, SortKey, View
from ordertui.domain.returns import OrderMoney, ReturnState, check_return
from ordertui.domain.shop import FinancialStatus, FulfillmentStatus, ShopActionKind
from ordertui.domain.states import (
    CancellationState,
    DisputeReason,
    DisputeState,
    OrderStatus,
    in_sentence,
    label,
)
from ordertui.i18n.pseudo import is_pseudo, pseudo

LABELLED: tuple[type[StrEnum], ...] = (
    OrderStatus, CancellationState, DisputeReason, DisputeState, ReturnState, Action,
    ShopActionKind, FinancialStatus, FulfillmentStatus)
AT = datetime(2026, 2, 10, 12, tzinfo=UTC)


def test_every_label_is_translated_and_english_is_kept() -> None:
    english = {(kind, m): m.label for kind in LABELLED for m in kind}  # type: ignore[attr-defined]
    english |= {(View, v): v.label for v in View} | {(SortKey, k): k.label for k in SortKey}
    i18n.use("x-pseudo")
    for (kind, member), before in english.items():
        shown = member.label  # type: ignore[attr-defined]
        assert is_pseudo(shown), (kind, member)
        if hasattr(member, "english"):
            assert member.english == before  # the English label, whatever the language
            assert shown == pseudo(before)
    assert View.PROTECTION.label == pseudo("Protection ends ≤{days}d").replace("{days}", "7")
    assert label(OrderStatus, None) == pseudo("none")
    assert label(OrderStatus, "on_hold") == "on_hold"  # a value this version does not know


def test_english_labels_are_as_before() -> None:
    assert [s.label for s in OrderStatus] == [s.value.replace("_", " ").capitalize()
                                              for s in OrderStatus]
    assert [s.label for s in ReturnState] == [s.value.replace("_", " ").capitalize()
                                              for s in ReturnState]
    for kind in (OrderStatus, CancellationState, DisputeState):
        for state in kind:
            assert state.words == state.value.replace("_", " ")
    assert View.ATTENTION.label == "Needs attention"
    assert View.PROTECTION.label == "Protection ends ≤7d"
    assert in_sentence(Action.CANCEL.label) == "request cancellation"


def test_words_inside_sentences_are_translated() -> None:
    i18n.use("x-pseudo")
    for kind in (OrderStatus, CancellationState, DisputeState):
        for state in kind:
            assert is_pseudo(state.words)
    # other languages keep their translation's capitals inside a sentence (German nouns)
    assert in_sentence(Action.CANCEL.label) == Action.CANCEL.label


def test_money_parse_errors_are_translated() -> None:
    i18n.use("x-pseudo")
    for text in ("abc", "1,500", "12.345", "1e30"):
        with pytest.raises(ValidationError) as caught:
            Money.parse(text, "USD")
        assert caught.value.field == "amount"
        assert is_pseudo(str(caught.value)), text
        assert repr(text[:40]) in str(caught.value)


def test_validation_and_state_errors_are_translated() -> None:
    i18n.use("x-pseudo")
    with pytest.raises(ValidationError) as empty:
        rules.check_text("reason", "  ")
    assert is_pseudo(str(empty.value)) and pseudo("reason") in str(empty.value)
    assert is_pseudo(rules.too_long("description", 2500, 2000))
    assert "2.500" in rules.too_long("description", 2500, 2000)  # the locale's digits
    for error in (OrderNotCancellable("#1042", "shipped"), OrderNotCancellable("#1", "cancelled"),
                  CancellationAlreadyActive("#1042", "info_requested"),
                  InvalidTransition("order", OrderStatus.CLOSED, OrderStatus.SHIPPED),
                  OrderNotFound("#9"), AmbiguousOrder("10", ["#10", "#100"])):
        assert is_pseudo(str(error)), error
    assert pseudo("shipped") in str(OrderNotCancellable("#1042", "shipped"))
    with pytest.raises(InvalidTransition) as back:
        check_return(ReturnState.RESTOCKED, ReturnState.REQUESTED)
    assert is_pseudo(str(back.value))
    with pytest.raises(ValidationError) as policy:
        policy_from_table({"protection_from": "sunday"}, ASSUMED_POLICY)
    assert is_pseudo(str(policy.value))


def test_english_errors_are_as_before() -> None:
    assert str(OrderNotCancellable("#1042", "awaiting_payment")) == (
        "order #1042 is awaiting payment and can no longer be cancelled; open a dispute or "
        "record a return instead")
    assert str(InvalidTransition("order", OrderStatus.CLOSED, OrderStatus.SHIPPED)) == \
        "order cannot go from closed to shipped"
    assert str(ConfigError("c.toml", "bad", line=3, key="app.theme")) == \
        "c.toml, line 3, key app.theme: bad"
    assert str(ConfigError("c.toml", "bad")) == "c.toml: bad"
    assert rules.too_long("reason", 2500, 2000) == \
        "the reason is 2,500 characters; at most 2,000 fit, shorten it"


def test_config_errors_are_translated(tmp_path: Path) -> None:
    i18n.use("x-pseudo")
    path = tmp_path / "config.toml"
    for raw in ({"app": {"theme": 3}}, {"app": {"sync_interval_s": 1}},
                {"suppliers": {"bad name!": {"kind": "demo"}}},
                {"exchange_rates": {"USD": 1}}, {"keys": {"cancel": 1}}):
        with pytest.raises(ConfigError) as caught:
            parse(raw, path, tmp_path)
        message = str(caught.value)
        assert str(path) in message and is_pseudo(message), raw
    config = parse({}, path, tmp_path)
    with pytest.raises(ConfigError) as email:
        config.email()
    assert is_pseudo(str(email.value))


def test_the_filter_described_has_no_plain_words() -> None:
    query = OrderQuery(statuses=(OrderStatus.SHIPPED, OrderStatus.AWAITING_PAYMENT),
                       attention=True, search="müller", supplier="acme", ids=(1, 2),
                       since=datetime(2026, 11, 1, tzinfo=UTC),
                       until=datetime(2026, 12, 1, tzinfo=UTC), protection_ends_within_days=7)
    assert query.describe() == (
        '2 chosen orders, needs attention, status shipped or awaiting payment, search "müller", '
        "supplier acme, since 2026-11-01, until 2026-12-01, buyer protection ends within 7 days")
    i18n.use("x-pseudo")
    parts = query.describe().split(", ")
    assert len(parts) == 8 and all(is_pseudo(p) for p in parts), parts
    assert "01.11.2026" in parts[5]  # the locale's dates
    assert OrderQuery().describe() == pseudo("all orders")


def test_history_and_news_words_are_translated() -> None:
    def entry(actor: str, action: str, detail: str = "") -> AuditEntry:
        return AuditEntry(at=AT, actor=actor, action=action, detail=detail)

    assert entry("merchant", "return 12").what() == "return 12"
    i18n.use("x-pseudo")
    assert entry("merchant", "cancel").who() == pseudo("you")
    assert entry("outbox", "cancel").who() == "ordertui"  # a name stays a name
    assert entry("supplier:cj", "status").who() == "cj"
    for action in ("cancel sent", "shop_refund refused", "status", "refund", "return 12",
                   "dispute_withdraw failed"):
        assert is_pseudo(entry("outbox", action, "x").what()), action
    assert entry("outbox", "dispute_reply sent", "x").what() == \
        pseudo("{what} sent").replace("{what}", pseudo("reply in the dispute"))
    assert is_pseudo(entry("merchant", "answer_cancel_info").what())
    assert entry("merchant", "some new thing").what() == "some new thing"
    assert state_words("dispute", "resolved_refunded") == pseudo("dispute resolved with a refund")
    assert state_words("dispute", "under_review").startswith(pseudo("dispute"))


def test_buyer_protection_and_money_words_are_translated() -> None:
    policy = SupplierPolicy(False, 0, 15, ProtectionBasis.DELIVERY, ShippingPayer.CUSTOMER)
    delivered = datetime(2026, 2, 1, 9, 30, tzinfo=UTC)
    active = protection_status(policy, ordered_at=AT, delivered_at=delivered,
                               now=delivered + timedelta(days=14))
    assert active.describe() == "buyer protection: 1 day left (ends 2026-02-16 09:30 UTC)"
    i18n.use("x-pseudo")
    assert is_pseudo(active.describe()) and "16.02.2026 09:30" in active.describe()
    waiting = protection_status(policy, ordered_at=AT, delivered_at=None, now=AT)
    assert is_pseudo(waiting.describe())
    cost = Money(Decimal("7.00"), "USD")
    money = OrderMoney(paid=Money(Decimal("10.00"), "EUR"), cost=cost,
                       refunded=Money.zero("EUR"), recovered=Money.zero("USD"))
    assert is_pseudo(money.net_formula())
    assert is_pseudo(no_rate_reason("USD", "EUR", AT.date()))


def test_the_suppliers_terms_are_translated_but_the_merchants_own_are_not() -> None:
    own = policy_from_table({"text": "Returns to our Berlin shop within 30 days."},
                            DEFAULT_POLICIES["cj"])
    i18n.use("x-pseudo")
    assert all(is_pseudo(p.shown_text) for p in (*DEFAULT_POLICIES.values(), ASSUMED_POLICY))
    assert own.shown_text == "Returns to our Berlin shop within 30 days."
