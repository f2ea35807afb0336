"""Exchange rates: the rate that turns one currency into another on a day, and the
conversion of an amount with it. Pure: published rates come in through a lookup function.

Published reference rates (the European Central Bank's) are quoted against the euro:
``per_eur`` is how many units of a currency one euro buys. Every pair is crossed through the
euro: USD→EUR is ``1 / per_eur[USD]``, USD→GBP is ``per_eur[GBP] / per_eur[USD]``. A pair the
merchant set in the config wins over published rates, and its inverse serves the other
direction. A day without published rates (a weekend, a TARGET holiday) takes the latest
earlier published day, at most ``MAX_AGE_DAYS`` before it; beyond that there is no rate, and
no number is better than a wrong one. Decimal throughout, never a float (invariant 6 in
docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, localcontext

from ordertui.domain.money import Money
from ordertui.i18n import _, formats

#: the currency published rates are quoted against
BASE = "EUR"
#: a day without published rates takes the latest published day at most this many days
#: before it
MAX_AGE_DAYS = 7
#: the source of a rate the merchant set under [exchange_rates]
CONFIG = "config"
#: the source of the rate between a currency and itself
SAME = "same currency"
#: digits a rate is given with; a conversion itself is exact (see ``Rate.apply``)
RATE_DIGITS = 28
#: enough digits for an exact product of the largest amount and the largest rate, so
#: that the one rounding of a conversion is the quantization to the currency's cents
_WORK_DIGITS = 80


@dataclass(frozen=True, slots=True)
class Rate:
    """``rate`` units of ``to_currency`` for one unit of ``from_currency``, as of ``day``
    (the published day it comes from: for a Sunday, the Friday before), from ``source``
    ("config", "ECB 2026-11-20", "same currency").

    A rate crossed through the euro is a quotient of two published rates; ``ratio`` keeps
    them (numerator, denominator), so that a conversion multiplies before it divides and
    rounds once, to the target currency's minor unit."""

    from_currency: str
    to_currency: str
    rate: Decimal
    day: date
    source: str
    ratio: tuple[Decimal, Decimal] | None = None

    def apply(self, money: Money) -> Money:
        """``money`` in ``to_currency``, rounded half-even to its minor unit."""
        if money.currency != self.from_currency:
            raise ValueError(f"a {self.from_currency}→{self.to_currency} rate cannot convert "
                             f"{money.currency}")
        with localcontext() as ctx:
            ctx.prec = _WORK_DIGITS
            if self.ratio is None:
                amount = money.amount * self.rate
            else:
                numerator, denominator = self.ratio
                amount = money.amount * numerator / denominator
            return Money(amount, self.to_currency).quantized()


@dataclass(frozen=True, slots=True)
class Published:
    """One published reference rate: ``per_eur`` units of a currency for one euro on
    ``day``, from ``source`` ("ECB")."""

    day: date
    per_eur: Decimal
    source: str


#: the published rate of a currency for a day: the day's own, or the latest earlier one
#: within ``MAX_AGE_DAYS`` (the store's ``fx_published``); None when there is none
PublishedLookup = Callable[[str, date], Published | None]
#: the rate from one currency to another on a day, or None (``services.fx.rate``)
RateLookup = Callable[[str, str, date], Rate | None]


def oldest_usable(day: date) -> date:
    """The earliest published day whose rates may stand for ``day``."""
    return day - timedelta(days=MAX_AGE_DAYS)


def usable(published: Published | None, day: date) -> bool:
    """``published`` may stand for ``day``: published on it or at most ``MAX_AGE_DAYS``
    before it, and a positive finite number."""
    return (published is not None and oldest_usable(day) <= published.day <= day
            and published.per_eur.is_finite() and published.per_eur > 0)


def _quotient(numerator: Decimal, denominator: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = RATE_DIGITS
        return numerator / denominator


def find_rate(from_currency: str, to_currency: str, day: date, *,
              overrides: Mapping[tuple[str, str], Decimal],
              published: PublishedLookup) -> Rate | None:
    """The rate from ``from_currency`` to ``to_currency`` for ``day``: the same currency is
    1; then the config's pair or its inverse; then published rates crossed through the
    euro. None when there is no rate (``no_rate_reason`` says why in one line)."""
    src, dst = from_currency.upper(), to_currency.upper()
    if src == dst:
        return Rate(src, dst, Decimal(1), day, SAME)
    set_rate = overrides.get((src, dst))
    if set_rate is not None and set_rate.is_finite() and set_rate > 0:
        return Rate(src, dst, set_rate, day, CONFIG)
    inverse = overrides.get((dst, src))
    if inverse is not None and inverse.is_finite() and inverse > 0:
        return Rate(src, dst, _quotient(Decimal(1), inverse), day, CONFIG,
                    (Decimal(1), inverse))
    legs: list[Published] = []
    for currency in (src, dst):
        if currency == BASE:
            continue
        found = published(currency, day)
        if found is None or not usable(found, day):
            return None
        legs.append(found)
    if not legs:  # both EUR: handled as the same currency above
        return None
    per_from = Decimal(1) if src == BASE else legs[0].per_eur
    per_to = Decimal(1) if dst == BASE else legs[-1].per_eur
    as_of = min(leg.day for leg in legs)
    return Rate(src, dst, _quotient(per_to, per_from), as_of, _source(legs),
                (per_to, per_from))


def _source(legs: list[Published]) -> str:
    """'ECB 2026-11-20'; two published days only when the two legs differ."""
    names = sorted({leg.source for leg in legs})
    days = sorted({leg.day.isoformat() for leg in legs})
    return f"{' and '.join(names)} {' and '.join(days)}"


def no_rate_reason(from_currency: str, to_currency: str, day: date) -> str:
    """Why there is no rate, in one line, with what to do about it."""
    src, dst = from_currency.upper(), to_currency.upper()
    return _('no {source}→{target} rate for {date}: fetch rates with `ordertui sync` or set '
             '[exchange_rates] "{source}-{target}"').format(source=src, target=dst,
                                                            date=formats.date(day))


def convert(money: Money, to: str, day: date, lookup: RateLookup) -> Money | None:
    """``money`` in the currency ``to`` at the rate of ``day``, rounded to ``to``'s minor
    unit; None when ``lookup`` has no rate (never a guess)."""
    rate = lookup(money.currency, to.upper(), day)
    if rate is None:
        return None
    return rate.apply(money)
