"""Refunds to customers and money back from suppliers: the bounds hold across several
partial amounts (and two sessions at once), and the order's net result counts both."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from ordertui.domain.errors import ValidationError
from ordertui.domain.money import Money
from ordertui.domain.returns import RecoverySource
from ordertui.domain.rules import MAX_TEXT
from ordertui.services.core import Services
from support.returns import ADDRESS, make_config, make_order, order_id, services_with

EUR = "EUR"


def eur(text: str) -> Money:
    return Money(Decimal(text), EUR)


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Services]:
    config = make_config(tmp_path, returns={"address": ADDRESS})
    # order 1: paid 65.00 (2 × 25.00 + 9.50 + 5.50), cost 23.00; order 2 in yen
    s = services_with(config, [
        make_order(1),
        make_order(2, currency="JPY", lines=[("CUP", "Cup", 1, "300", "1200")])])
    yield s
    s.store.close()


def test_partial_refunds_never_add_up_to_more_than_was_paid(svc: Services) -> None:
    oid = order_id(svc, 1)
    assert svc.returns.record_refund(oid, "20", "scratched").amount == eur("20.00")
    svc.returns.record_refund(oid, "20,00", "late")  # a comma is a decimal point
    with pytest.raises(ValidationError) as info:
        svc.returns.record_refund(oid, "25.01", "too much")
    assert info.value.field == "amount"
    assert "at most €25.00 can still be refunded: the customer paid €65.00 and €40.00" in \
        str(info.value)
    svc.returns.record_refund(oid, "25.00", "the rest")
    with pytest.raises(ValidationError, match="already refunded in full"):
        svc.returns.record_refund(oid, "0.01", "one cent")
    assert [r.amount.plain() for r in svc.returns.refunds(oid)] == ["20.00", "20.00", "25.00"]
    assert svc.returns.money(oid).refunded == eur("65.00")


def test_cents_add_up_exactly(svc: Services) -> None:
    oid = order_id(svc, 1)
    for _ in range(7):
        svc.returns.record_refund(oid, "9.28", "goodwill")  # 64.96
    with pytest.raises(ValidationError, match=r"at most €0\.04"):
        svc.returns.record_refund(oid, "0.05", "x")
    svc.returns.record_refund(oid, "0.04", "x")
    assert svc.returns.money(oid).refundable == eur("0.00")


def test_full_means_what_is_left(svc: Services) -> None:
    oid = order_id(svc, 1)
    svc.returns.record_refund(oid, "15.50", "partial", item_returned=False)
    full = svc.returns.record_refund(oid, "full", "all of it", item_returned=True)
    assert full.amount == eur("49.50") and full.item_returned
    audit = [a.detail for a in svc.store.audit_for(oid) if a.action == "refund"]
    assert audit == ["partial refund of €15.50 to the customer (customer keeps it): partial",
                     "partial refund of €49.50 to the customer (item comes back): all of it"]
    with pytest.raises(ValidationError, match="already refunded in full"):
        svc.returns.record_refund(oid, "full", "again")


def test_a_full_refund_at_once_says_so(svc: Services) -> None:
    oid = order_id(svc, 1)
    svc.returns.record_refund(oid, "ALL", "never arrived")
    assert svc.store.audit_for(oid)[-1].detail.startswith("full refund of €65.00")


@pytest.mark.parametrize(("amount", "message"), [
    ("0", "more than 0"), ("-5", "more than 0"), ("abc", "is not an amount"),
    ("1.234", "more decimals"), ("", "is not an amount"), ("NaN", "is not an amount")])
def test_bad_amounts_name_the_field(svc: Services, amount: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as info:
        svc.returns.record_refund(order_id(svc, 1), amount, "x")
    assert info.value.field == "amount"
    assert svc.returns.refunds(order_id(svc, 1)) == []


def test_reason_is_required(svc: Services) -> None:
    with pytest.raises(ValidationError) as info:
        svc.returns.record_refund(order_id(svc, 1), "5", "  ")
    assert info.value.field == "reason"


def test_currency_without_decimals(svc: Services) -> None:
    oid = order_id(svc, 2)
    svc.returns.record_refund(oid, "1000", "x")
    with pytest.raises(ValidationError, match="at most ¥200"):
        svc.returns.record_refund(oid, "201", "x")
    with pytest.raises(ValidationError, match="must be in JPY"):
        svc.returns.record_refund(oid, eur("1"), "x")
    assert svc.returns.money(oid).net == Money(Decimal(-100), "JPY")


def test_a_refund_can_name_its_return(svc: Services) -> None:
    oid = order_id(svc, 1)
    r = svc.returns.open_return(oid, {"LAMP-01": 1}, "x")
    refund = svc.returns.record_refund(oid, "25", "returned", item_returned=True,
                                       return_id=r.id)
    assert refund.return_id == r.id
    assert svc.returns.refunds(oid)[0].return_id == r.id
    other = svc.returns.open_return(order_id(svc, 2), {"CUP": 1}, "y")
    with pytest.raises(ValidationError) as info:
        svc.returns.record_refund(oid, "1", "x", return_id=other.id)
    assert info.value.field == "return"


def test_concurrent_refunds_stay_within_what_was_paid(svc: Services) -> None:
    oid = order_id(svc, 1)
    barrier = threading.Barrier(6)
    outcomes: list[bool] = []

    def attempt() -> None:
        barrier.wait()
        try:
            svc.returns.record_refund(oid, "20", "race")
            outcomes.append(True)
        except ValidationError:
            outcomes.append(False)

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count(True) == 3  # 3 × 20.00 fit into 65.00, a fourth does not
    assert svc.returns.money(oid).refunded == eur("60.00")


# --- money back from the supplier, and the net ---------------------------------------------

def test_net_counts_refunds_and_recoveries(svc: Services) -> None:
    oid = order_id(svc, 1)
    m = svc.returns.money(oid)
    assert (m.sale_price, m.supplier_cost, m.net) == (eur("65.00"), eur("23.00"), eur("42.00"))
    svc.returns.record_refund(oid, "25", "lamp broken", item_returned=False)
    svc.record_dispute(oid, "resolved_refunded", amount="10.00", note="photos accepted")
    svc.returns.record_recovery(oid, "3.50", "credit from the seller")
    m = svc.returns.money(oid)
    assert (m.refunded, m.recovered) == (eur("25.00"), eur("13.50"))
    assert m.net == eur("65.00") - eur("23.00") - eur("25.00") + eur("13.50") == eur("30.50")
    recs = svc.returns.recoveries(oid)
    assert [(r.source, r.amount.plain()) for r in recs] == [
        (RecoverySource.DISPUTE, "10.00"), (RecoverySource.MANUAL, "3.50")]
    assert recs[1].note == "credit from the seller"
    overview = svc.returns.overview(oid)
    assert overview.money.net == eur("30.50") and len(overview.refunds) == 1


def test_recovered_never_exceeds_what_the_supplier_was_paid(svc: Services) -> None:
    oid = order_id(svc, 1)
    svc.record_dispute(oid, "resolved_refunded", amount="20.00")
    with pytest.raises(ValidationError) as info:
        svc.returns.record_recovery(oid, "3.01")
    assert info.value.field == "amount"
    assert "at most €3.00 more can have come back: you paid the supplier €23.00 and €20.00" in \
        str(info.value)
    svc.returns.record_recovery(oid, "full", "the rest")
    assert svc.returns.money(oid).recoverable == eur("0.00")
    with pytest.raises(ValidationError, match="more than 0"):
        svc.returns.record_recovery(oid, "full")


def test_disputes_that_did_not_refund_are_not_counted(svc: Services) -> None:
    oid = order_id(svc, 1)
    svc.record_dispute(oid, "resolved_rejected", amount="20.00")
    assert svc.returns.recoveries(oid) == []
    assert svc.returns.money(oid).recovered == eur("0.00")


def test_recovery_note_and_audit(svc: Services) -> None:
    oid = order_id(svc, 1)
    svc.returns.record_recovery(oid, "2", "chargeback")
    assert svc.store.audit_for(oid)[-1].detail == \
        "€2.00 back from demo (recorded by hand): chargeback"
    with pytest.raises(ValidationError) as info:
        svc.returns.record_recovery(oid, "1", "x" * (MAX_TEXT + 1))
    assert info.value.field == "note"
