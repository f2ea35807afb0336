"""The order's details tell its money as the exports count it: a cancelled order counts for
nothing, says what it still owes the customer and offers the refund; recovering money from
the supplier of a cancelled order is refused with the reason."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ordertui.domain.errors import ValidationError
from ordertui.domain.states import OrderStatus
from ordertui.services import Services
from ordertui.tui.keys import key_text
from ordertui.tui.screens.details import render
from support.returns import ADDRESS, make_config, make_order, order_id, services_with


def key(binding: str) -> str:
    return key_text({}, binding)


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Services]:
    s = services_with(make_config(tmp_path, returns={"address": ADDRESS}),
                      [make_order(1, status=OrderStatus.PROCESSING), make_order(2)])
    yield s
    s.store.close()


def _text(svc: Services, oid: int) -> tuple[str, str]:
    d = svc.details(oid)
    offers = {"refund": d.returns.money.refundable.amount > 0}
    return (render.summary(d, key).plain,
            render.actions(d, key, lambda a: offers.get(a, False)).plain)


def test_a_cancelled_order_says_it_counts_for_nothing_and_what_it_owes(svc: Services) -> None:
    oid = order_id(svc, 1)
    svc.store.set_order_status(oid, OrderStatus.CANCELLED)
    summary, actions = _text(svc, oid)
    assert "Customer paid €65.00 · you paid the supplier €23.00 · cancelled, so it counts " \
           "for nothing" in summary
    assert "profit" not in summary
    assert f"€65.00 still to refund to the customer ({key('refund')})" in summary
    assert "Refund the customer" in actions and "Nothing to do" not in actions
    with pytest.raises(ValidationError, match="is cancelled: what demo charged came back"):
        svc.returns.record_recovery(oid, "5")
    svc.returns.record_refund(oid, "full", "cancelled")
    summary, actions = _text(svc, oid)
    assert "still to refund" not in summary
    assert "Nothing to do on this order now." in actions
    net = render.returns(svc.details(oid), key).plain
    assert "Net: cancelled, so its sale, cost, refunds and recoveries count for nothing = " \
           "€0.00" in net


def test_a_delivered_order_shows_its_profit_and_net_formula(svc: Services) -> None:
    oid = order_id(svc, 2)
    svc.returns.record_refund(oid, "10", "scratched")
    summary, _ = _text(svc, oid)
    assert "· profit €42.00" in summary
    net = render.returns(svc.details(oid), key).plain
    assert "Net: sale €65.00 − cost €23.00 − refunds €10.00 + recovered €0.00 = €32.00" in net
