"""Property-based tests of the domain's field checks (tests/support/properties.py): any
amount and currency is parsed to finite money or refused with a typed error, and any text is
checked without an unhandled exception."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from ordertui.domain import rules
from ordertui.domain.errors import OrdertuiError
from ordertui.domain.money import Money
from support.properties import AMOUNT, SETTINGS, TEXT, TRIED

CURRENCY = st.sampled_from(["USD", "EUR", "JPY", "KWD", "usd", "", "XXX", "€"]) | TEXT


@given(text=AMOUNT, currency=CURRENCY)
@settings(SETTINGS, max_examples=400)
def test_money_parse(text: str, currency: str) -> None:
    TRIED["Money.parse"] += 1
    try:
        m = Money.parse(text, currency)
    except OrdertuiError:
        return
    assert m.amount.is_finite()
    m.display()


@given(text=TEXT, required=st.booleans(), limit=st.integers(0, 20_000))
@settings(SETTINGS, max_examples=200)
def test_check_text(text: str, required: bool, limit: int) -> None:
    TRIED["check_text"] += 1
    with contextlib.suppress(OrdertuiError):
        rules.check_text("note", text, required=required, limit=limit)
