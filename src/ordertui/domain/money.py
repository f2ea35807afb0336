"""Money as an exact decimal amount with its currency; never a float."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from ordertui.domain.errors import ValidationError
from ordertui.i18n import _, formats

#: Amounts are kept in the store as integers of this many parts of the currency unit,
#: exact for every currency in use (none has more than four decimals) and sortable.
STORE_SCALE = 10_000
#: no amount a person types reaches this; above it, rounding (28 digits of precision) and
#: the store's 64-bit units would fail
MAX_AMOUNT = Decimal(10) ** 12

_EXPONENTS = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "HUF": 2,
              "KWD": 3, "BHD": 3, "OMR": 3, "JOD": 3, "TND": 3, "LYD": 3, "IQD": 3}

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "CAD": "CA$",
            "AUD": "A$", "CHF": "CHF ", "SEK": "kr ", "PLN": "zł "}


_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
#: the same where a point groups thousands and a comma marks the decimals (German)
_GROUPED_POINTS = re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d*)?")


def exponent(currency: str) -> int:
    """Number of decimals the currency is written with (ISO 4217 minor unit)."""
    return _EXPONENTS.get(currency.upper(), 2)


@dataclass(frozen=True, slots=True, order=False)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            object.__setattr__(self, "amount", Decimal(str(self.amount)))
        if not self.amount.is_finite():
            raise ValidationError("amount", _("an amount must be a finite number"))
        object.__setattr__(self, "currency", self.currency.upper())

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    @classmethod
    def parse(cls, text: str, currency: str, *, field: str = "amount") -> Money:
        """Parse what a person typed ('12.50', '12,50', '$12.50') into Money, and whatever
        :meth:`display` shows ('$1,234.50', 'CA$3.00')."""
        cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
        own = _SYMBOLS.get(currency.upper(), "").strip()
        for symbol in (own, "$", "€", "£", "¥", currency.upper()):
            if symbol:
                cleaned = cleaned.replace(symbol, "")
        decimals = exponent(currency)
        if formats.decimal_symbol() == ",":  # as the language writes it: 1.234,50
            points = _GROUPED_POINTS.fullmatch(cleaned) is not None
            if points and ("," in cleaned or cleaned.count(".") > 1 or decimals == 0):
                cleaned = cleaned.replace(".", "").replace(",", ".")
            elif points and decimals != 3:  # '1.500': 1500 or 1,50? ask rather than guess
                raise ValidationError(field, _("{text} is ambiguous; write it like 1500 or "
                                               "1,50").format(text=repr(text)))
        grouped = _GROUPED.fullmatch(cleaned) is not None
        if grouped and ("." in cleaned or cleaned.count(",") > 1 or decimals == 0):
            cleaned = cleaned.replace(",", "")  # 1,234.50: commas group thousands
        elif cleaned.count(",") == 1 and "." not in cleaned:
            if grouped and decimals != 3:  # '1,500': 1500 or 1.50? ask rather than guess
                raise ValidationError(field, _("{text} is ambiguous; write it like 1500 or "
                                               "1.50").format(text=repr(text)))
            cleaned = cleaned.replace(",", ".")
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise ValidationError(field, _("{text} is not an amount; write it like 12.50").format(
                text=repr(text))) from None
        if not value.is_finite():
            raise ValidationError(field, _("{text} is not an amount; write it like 12.50").format(
                text=repr(text)))
        if value.copy_abs() >= MAX_AMOUNT:  # beyond what can be stored, rounded or shown
            raise ValidationError(field, _("{text} is too large an amount").format(
                text=repr(text[:40])))
        # decimals that carry a value: '12.50' has one, '12.00' none (fine even for JPY)
        exp = value.normalize().as_tuple().exponent
        places = -exp if isinstance(exp, int) and exp < 0 else 0
        if places > decimals:
            raise ValidationError(field, _("{text} has more decimals than {currency} uses").format(
                text=repr(text), currency=currency))
        return cls(value, currency)

    # arithmetic within one currency -------------------------------------------------
    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        return Money(self.amount * Decimal(factor), self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def quantized(self) -> Money:
        q = Decimal(1).scaleb(-exponent(self.currency))
        return Money(self.amount.quantize(q, rounding=ROUND_HALF_EVEN), self.currency)

    # representations ----------------------------------------------------------------
    def plain(self) -> str:
        """The amount as a string with the currency's decimals: '12.50'."""
        return str(self.quantized().amount)

    def display(self) -> str:
        """For people: '$12.50', '€3.00', '-€1.20'; in another language than English as its
        locale writes money ('12,50 $', '1.234,50 €')."""
        if formats.localised():
            return formats.money(self.quantized().amount, self.currency, exponent(self.currency))
        return self.english()

    def english(self) -> str:
        """As English writes it, whatever the language ('$12.50'): for lines kept in the
        store, which are shown in whichever language reads them."""
        q = self.quantized().amount
        symbol = _SYMBOLS.get(self.currency)
        sign = "-" if q < 0 else ""
        digits = f"{abs(q):,.{exponent(self.currency)}f}"
        if symbol is None:
            return f"{sign}{digits} {self.currency}"
        return f"{sign}{symbol}{digits}"

    def __str__(self) -> str:
        return f"{self.plain()} {self.currency}"

    def to_units(self) -> int:
        """The amount in store units (1/STORE_SCALE of the currency unit)."""
        return int((self.amount * STORE_SCALE).to_integral_value(rounding=ROUND_HALF_EVEN))

    @classmethod
    def from_units(cls, units: int, currency: str) -> Money:
        return cls(Decimal(units) / STORE_SCALE, currency).quantized()
