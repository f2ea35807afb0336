"""The services speak the language of the process: their errors and the lines they return
come out translated (here in the test language ``x-pseudo``, where a marked message is
accented and bracketed and an unmarked one stays plain), and English stays exactly as it was.
What they keep in the store (the order's history, notes, outbox errors, the exchange rates'
last error) stays English whatever the language, and ``kept.shown`` says it in the language
of the process."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from ordertui import i18n
from ordertui.domain.capabilities import Action
from ordertui.domain.errors import ValidationError
from ordertui.domain.returns import ReturnState
from ordertui.domain.states import (
    CancellationState,
    DisputeReason,
    DisputeState,
    OrderStatus,
    in_sentence,
)
from ordertui.i18n.pseudo import is_pseudo, pseudo
from ordertui.services import kept
from ordertui.services.core import Services
from ordertui.services.ecb import EcbError, parse_xml
from ordertui.services.policy import policy_terms, terms_fingerprint
from support.returns import ADDRESS, make_config, make_order, order_id, services_with


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Services]:
    config = make_config(tmp_path, returns={"address": ADDRESS})
    s = services_with(config, [make_order(1), make_order(2, status=OrderStatus.PROCESSING),
                               make_order(3, status=OrderStatus.CANCELLED)])
    yield s
    s.store.close()


def refused_stock(svc: Services) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        svc.returns.use_stock("LAMP-01", order_id(svc, 2), quantity=0)
    return info.value


# --- errors and lines returned ----------------------------------------------------------

def test_a_validation_error_in_english_is_as_it_was(svc: Services) -> None:
    assert refused_stock(svc).message == "the quantity must be a whole number, 1 or more"
    with pytest.raises(ValidationError) as info:
        svc.returns.record_refund(order_id(svc, 1), "70", "too much")
    assert info.value.message == ("at most €65.00 can still be refunded: the customer paid "
                                  "€65.00")


def test_a_validation_error_in_the_test_language(svc: Services) -> None:
    i18n.use("x-pseudo")
    error = refused_stock(svc)
    assert error.field == "quantity"  # the field a form marks is no word for people
    assert error.message == pseudo("the quantity must be a whole number, 1 or more")
    with pytest.raises(ValidationError) as info:
        svc.returns.record_refund(order_id(svc, 1), "70", "too much")
    # the test language writes amounts as German does
    assert is_pseudo(info.value.message) and "65,00\xa0€" in info.value.message


def test_a_line_for_the_return_form_and_a_dispute_refused(svc: Services) -> None:
    oid = order_id(svc, 1)
    address = "Anna Schmidt, Hauptstraße 5, 10115 Berlin, Germany"
    assert svc.returns.return_options(oid).message == (
        f"demo accepts no returns; you can accept this return at your own address ({address})")
    i18n.use("x-pseudo")
    assert svc.returns.return_options(oid).message == pseudo(
        "{supplier} accepts no returns; you can accept this return at your own address "
        "({address})").format(supplier="demo", address=address)
    plan = svc.dispute_plan(order_id(svc, 3))  # cancelled: no dispute
    assert (plan.then, plan.title) == ("refused", pseudo("No dispute possible"))


def test_what_set_the_return_window_is_said_in_the_language_but_fingerprinted_in_english(
        tmp_path: Path) -> None:
    config = make_config(tmp_path, returns={"address": ADDRESS, "window_days": 10})
    english = policy_terms(config)
    i18n.use("x-pseudo")
    shown = policy_terms(config)
    assert is_pseudo(shown.limited_by) and not is_pseudo(english.limited_by)
    assert all(is_pseudo(w) for w in shown.warnings)
    # a language is no change of the policy: the saved page is not regenerated for it
    assert terms_fingerprint(shown) == terms_fingerprint(english)


# --- what is kept stays English; shown, it is translated -----------------------------------

def test_the_history_is_kept_in_english_and_shown_in_the_language(svc: Services) -> None:
    oid = order_id(svc, 1)
    i18n.use("x-pseudo")
    svc.returns.record_refund(oid, "15.50", "scratched")
    entry = svc.store.audit_for(oid)[-1]
    assert (entry.action, entry.detail) == (
        "refund", "partial refund of €15.50 to the customer (customer keeps it): scratched")
    assert kept.shown(entry.action) == pseudo("refund")
    assert kept.shown(entry.detail) == pseudo(
        "partial refund of {amount} to the customer (customer keeps it): {reason}").format(
        amount="€15.50", reason="scratched")  # the merchant's words stay theirs
    assert kept.shown("what a supplier said") == "what a supplier said"
    i18n.use("en")
    assert kept.shown(entry.detail) == entry.detail


def test_a_returns_step_says_its_state_and_notes_in_the_language(svc: Services) -> None:
    oid = order_id(svc, 1)
    r = svc.returns.open_return(oid, {"LAMP-01": 1}, "too big")
    svc.returns.set_return_state(r.id or 0, "in_transit", tracking="TRK1", note="by post")
    detail = svc.store.audit_for(oid)[-1].detail
    assert detail == "now in transit (tracking TRK1; by post)"
    i18n.use("x-pseudo")
    said = kept.shown(detail)
    assert said.startswith(pseudo("now {state} ({extras})").split("{")[0])
    assert pseudo("in transit") in said and pseudo("tracking {tracking}").format(
        tracking="TRK1") in said and "; by post)" in said


def test_every_kept_template_is_read_back_as_itself() -> None:
    """A line written from a template is found again as that one, not as a shorter one it
    happens to match, and said with the values it was written with."""
    i18n.use("x-pseudo")
    for template in kept.TEMPLATES:
        names = re.findall(r"\{(\w+)\}", template)
        values = {n: str(i + 7) if n in ("number", "count", "size", "status") else f"v{i}"
                  for i, n in enumerate(dict.fromkeys(names))}
        line = kept.kept(template, **values)
        said = {n: kept._value(n, v) for n, v in values.items()}
        assert kept.shown(line) == i18n._(template).format(**said), template


def test_the_exchange_rates_error_is_kept_in_english(tmp_path: Path) -> None:
    i18n.use("x-pseudo")
    with pytest.raises(EcbError) as info:
        parse_xml(b"<html><body>a portal</body></html>", "eurofxref-daily.xml")
    kept_error = str(info.value)
    assert kept_error == ("ECB: eurofxref-daily.xml is an HTML page, not the ECB's reference "
                          "rates")
    assert kept.shown(kept_error) == pseudo(kept.ECB_HTML).format(file="eurofxref-daily.xml")


# --- the English words the kept lines are built from are the code's own -------------------

def test_state_words_in_english_are_the_states_with_spaces() -> None:
    for kind in (OrderStatus, CancellationState, DisputeState, ReturnState):
        for state in kind:
            assert kept.state_words(state.value) == state.value.replace("_", " ")
    i18n.use("x-pseudo")
    assert kept.state_words("in_transit") == pseudo("in transit")
    assert kept.state_words("no_such_state") == "no such state"


def test_the_kept_names_of_actions_and_reasons_are_their_labels() -> None:
    assert {a.value: a.label.lower() for a in Action} == kept.ACTIONS
    assert {r.value: r.label for r in DisputeReason} == kept.DISPUTE_REASONS


def test_a_label_in_a_sentence() -> None:
    assert in_sentence("Request cancellation") == "request cancellation"
    i18n.use("x-pseudo")
    assert in_sentence("Stornierung anfragen") == "Stornierung anfragen"
