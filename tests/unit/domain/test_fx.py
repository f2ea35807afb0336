"""The exchange rate rule (domain/fx.py): crossing through the euro, the config's pairs and
their inverses, the same currency, the week a published day may stand for, and conversions
rounded once to the target currency's minor unit, exact in Decimal."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordertui.domain.fx import (
    CONFIG,
    MAX_AGE_DAYS,
    SAME,
    Published,
    Rate,
    convert,
    find_rate,
    no_rate_reason,
)
from ordertui.domain.money import Money, exponent
from support.properties import SETTINGS, TRIED

FRIDAY = date(2026, 11, 20)
SUNDAY = date(2026, 11, 22)


def table(rates: Mapping[str, str], day: date = FRIDAY, source: str = "ECB"):
    """A published lookup that knows ``rates`` for ``day`` only and hands it out for any
    later day, as a careless store might: the rule must still keep to its week."""
    def published(currency: str, asked: date) -> Published | None:
        if currency in rates and asked >= day:
            return Published(day, Decimal(rates[currency]), source)
        return None
    return published


def rate(src: str, dst: str, day: date = FRIDAY, *,
         overrides: Mapping[tuple[str, str], Decimal] | None = None,
         rates: Mapping[str, str] | None = None) -> Rate | None:
    return find_rate(src, dst, day, overrides=overrides or {},
                     published=table(rates if rates is not None else
                                     {"USD": "1.25", "GBP": "0.85", "JPY": "160.55"}))


def lookup(**kw: object):
    return lambda src, dst, day: rate(src, dst, day, **kw)  # type: ignore[arg-type]


def test_a_currency_into_itself_is_rate_one_without_any_published_rate() -> None:
    found = find_rate("usd", "USD", FRIDAY, overrides={}, published=table({}))
    assert found is not None and found.rate == 1 and found.source == SAME
    assert convert(Money(Decimal("12.345"), "USD"), "USD", FRIDAY, lookup()) == \
        Money(Decimal("12.34"), "USD")


def test_into_and_out_of_the_euro_is_one_published_rate_exactly() -> None:
    to_eur = rate("USD", "EUR")
    assert to_eur is not None and to_eur.rate == Decimal("0.8")
    assert to_eur.source == f"ECB {FRIDAY.isoformat()}" and to_eur.day == FRIDAY
    assert convert(Money(Decimal("100"), "USD"), "EUR", FRIDAY, lookup()) == \
        Money(Decimal("80.00"), "EUR")
    assert convert(Money(Decimal("80"), "EUR"), "USD", FRIDAY, lookup()) == \
        Money(Decimal("100.00"), "USD")


def test_other_pairs_cross_through_the_euro() -> None:
    usd_gbp = rate("USD", "GBP", rates={"USD": "1.0625", "GBP": "0.85"})
    assert usd_gbp is not None and usd_gbp.rate == Decimal("0.8")  # 0.85 / 1.0625
    got = convert(Money(Decimal("12.34"), "USD"), "GBP", FRIDAY,
                  lookup(rates={"USD": "1.0625", "GBP": "0.85"}))
    assert got == Money(Decimal("9.87"), "GBP")  # 9.872


def test_a_conversion_rounds_once_half_even_to_the_target_currencys_minor_unit() -> None:
    # 10 EUR at 160.55 JPY is 1605.5: half-even gives 1606; at 160.45 it is 1604.5 → 1604
    for per_eur, expected in (("160.55", "1606"), ("160.45", "1604")):
        got = convert(Money(Decimal("10"), "EUR"), "JPY", FRIDAY,
                      lookup(rates={"JPY": per_eur}))
        assert got == Money(Decimal(expected), "JPY")
        assert got is not None and got.amount.as_tuple().exponent == 0


def test_a_crossed_rate_never_moves_a_cent_by_its_own_rounding() -> None:
    # 3 USD at USD 3 and GBP 1.015 per euro is exactly 1.015 GBP, which rounds half-even
    # to 1.02; multiplying by the rate rounded to 28 digits (0.33833…3) would give 1.01
    got = convert(Money(Decimal("3"), "USD"), "GBP", FRIDAY,
                  lookup(rates={"USD": "3", "GBP": "1.015"}))
    assert got == Money(Decimal("1.02"), "GBP")


def test_the_configs_pair_wins_and_its_inverse_serves_the_other_way() -> None:
    overrides = {("USD", "EUR"): Decimal("0.92")}
    there = rate("USD", "EUR", overrides=overrides)
    assert there is not None and there.rate == Decimal("0.92") and there.source == CONFIG
    back = rate("EUR", "USD", overrides=overrides)
    assert back is not None and back.source == CONFIG
    assert back.rate == Decimal(1) / Decimal("0.92")
    assert convert(Money(Decimal("92"), "EUR"), "USD", FRIDAY, lookup(overrides=overrides)) \
        == Money(Decimal("100.00"), "USD")
    # a day without any published rate still has the merchant's
    assert rate("USD", "EUR", date(2001, 1, 1), overrides=overrides) is not None
    # other pairs still cross the published rates
    other = rate("USD", "GBP", overrides=overrides)
    assert other is not None and other.source.startswith("ECB")


def test_a_day_without_rates_takes_the_published_day_before_it_within_a_week() -> None:
    sunday = rate("USD", "EUR", SUNDAY)
    assert sunday is not None and sunday.day == FRIDAY and sunday.rate == Decimal("0.8")
    assert sunday.source == f"ECB {FRIDAY.isoformat()}"
    last = FRIDAY + timedelta(days=MAX_AGE_DAYS)
    assert rate("USD", "EUR", last) is not None
    assert rate("USD", "EUR", last + timedelta(days=1)) is None
    assert rate("USD", "GBP", last + timedelta(days=1)) is None


def test_a_rate_published_after_the_day_is_never_used() -> None:
    def tomorrow(currency: str, asked: date) -> Published:
        return Published(asked + timedelta(days=1), Decimal("1.25"), "ECB")
    assert find_rate("USD", "EUR", FRIDAY, overrides={}, published=tomorrow) is None


def test_a_rate_that_is_no_positive_number_is_no_rate() -> None:
    for bad in ("0", "-1.2", "NaN", "Infinity"):
        assert rate("USD", "EUR", rates={"USD": bad}) is None


def test_an_unknown_currency_has_no_rate_and_says_why_in_one_line() -> None:
    assert rate("XYZ", "EUR") is None and rate("EUR", "XYZ") is None
    assert convert(Money(Decimal("5"), "XYZ"), "EUR", FRIDAY, lookup()) is None
    reason = no_rate_reason("usd", "EUR", date(2026, 3, 2))
    assert reason == ('no USD→EUR rate for 2026-03-02: fetch rates with `ordertui sync` or '
                      'set [exchange_rates] "USD-EUR"')


def test_legs_published_on_different_days_name_both_and_date_the_older() -> None:
    def published(currency: str, asked: date) -> Published:
        day = FRIDAY if currency == "USD" else FRIDAY - timedelta(days=1)
        return Published(day, Decimal("1.25" if currency == "USD" else "0.85"), "ECB")
    found = find_rate("USD", "GBP", SUNDAY, overrides={}, published=published)
    assert found is not None and found.day == FRIDAY - timedelta(days=1)
    assert found.source == "ECB 2026-11-19 and 2026-11-20"


def test_a_rate_converts_only_its_own_currency() -> None:
    found = rate("USD", "EUR")
    assert found is not None
    with pytest.raises(ValueError):
        found.apply(Money(Decimal("1"), "GBP"))


# --- properties -------------------------------------------------------------------------------

PER_EUR = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("999999999"), places=4,
                      allow_nan=False, allow_infinity=False).filter(lambda d: d > 0)
AMOUNT = st.decimals(min_value=Decimal("-999999999"), max_value=Decimal("999999999"),
                     places=4, allow_nan=False, allow_infinity=False)
CURRENCIES = st.sampled_from(["USD", "GBP", "JPY", "KWD", "EUR"])


def half_even(value: Fraction, currency: str) -> Decimal:
    """``value`` rounded half-even to the currency's minor unit, worked out in fractions."""
    scale = 10 ** exponent(currency)
    scaled = value * scale
    floor = scaled.numerator // scaled.denominator
    rest = scaled - floor
    units = floor + (1 if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and floor % 2)
                     else 0)
    return (Decimal(units) / scale).quantize(Decimal(1).scaleb(-exponent(currency)),
                                             rounding=ROUND_HALF_EVEN)


@given(amount=AMOUNT, src=CURRENCIES, dst=CURRENCIES, per_src=PER_EUR, per_dst=PER_EUR)
@settings(SETTINGS, max_examples=300)
def test_every_crossed_conversion_is_the_exact_quotient_rounded_once(
        amount: Decimal, src: str, dst: str, per_src: Decimal, per_dst: Decimal) -> None:
    TRIED["fx convert"] += 1
    rates = {c: str(v) for c, v in ((src, per_src), (dst, per_dst)) if c != "EUR"}
    got = convert(Money(amount, src), dst, FRIDAY, lookup(rates=rates))
    assert got is not None and got.currency == dst
    if src == dst:
        exact = Fraction(amount)
    else:
        p_src = Fraction(Decimal(rates.get(src, "1")))
        p_dst = Fraction(Decimal(rates.get(dst, "1")))
        exact = Fraction(amount) * p_dst / p_src
    assert got.amount == half_even(exact, dst)


@given(value=PER_EUR, src=CURRENCIES, dst=CURRENCIES)
@settings(SETTINGS, max_examples=200)
def test_a_configured_pair_and_its_inverse_multiply_to_one(value: Decimal, src: str,
                                                           dst: str) -> None:
    TRIED["fx inverse"] += 1
    if src == dst:
        return
    overrides = {(src, dst): value}
    there = rate(src, dst, overrides=overrides, rates={})
    back = rate(dst, src, overrides=overrides, rates={})
    assert there is not None and back is not None
    assert there.rate == value
    assert abs(there.rate * back.rate - 1) < Decimal("1e-25")
