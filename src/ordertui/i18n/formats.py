"""Numbers, money and dates as the language of the process writes them: English keeps the
app's own forms (``$1,234.50``, ``2026-12-06 14:05``); every other language takes its
locale's from CLDR through Babel (``1.234,50 €``, ``06.12.2026 14:05``). Babel is imported
on the first number shown in another language, never for English."""

from __future__ import annotations

from datetime import date as date_type
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from ordertui.i18n import current


def localised() -> bool:
    """Whether numbers and dates follow a locale (any language but English)."""
    return not current().english


@cache
def _locale(name: str) -> Any:
    from babel import Locale

    return Locale.parse(name)


def _here() -> Any:
    return _locale(current().locale)


def money(amount: Decimal, currency: str) -> str:
    """``amount`` of ``currency`` with its symbol where the locale puts it, in as many
    decimals as the currency has (ISO 4217, as CLDR gives them)."""
    from babel.numbers import format_currency

    return str(format_currency(amount, currency, locale=_here(), currency_digits=True))


def decimal(value: Decimal | float | int, places: int | None = None) -> str:
    """A number with the locale's decimal mark and grouping (``1.234,5``)."""
    if not localised():
        return f"{value:,.{places}f}" if places is not None else f"{value:,}"
    from babel.numbers import format_decimal

    if places is not None:
        pattern = "#,##0" + ("." + "0" * places if places else "")
        return format_decimal(value, format=pattern, locale=_here())
    return format_decimal(value, locale=_here())


def number(value: int) -> str:
    """A count: ``1,234`` / ``1.234``."""
    return decimal(value)


def plain(value: Decimal, places: int) -> str:
    """A number as a spreadsheet of the locale reads it: the decimal mark, no grouping
    (``1234,50``)."""
    text = f"{value:.{places}f}"
    return text.replace(".", decimal_symbol()) if localised() else text


def decimal_symbol() -> str:
    if not localised():
        return "."
    from babel.numbers import get_decimal_symbol

    return str(get_decimal_symbol(_here()))


def list_separator() -> str:
    """The separator the locale's spreadsheets split CSV on: ``;`` where the decimal mark
    is a comma (as Excel takes it from the system's regional settings), else ``,``."""
    return ";" if decimal_symbol() == "," else ","


def date(value: datetime | date_type | None) -> str:
    """A day: ``2026-12-06`` / ``06.12.2026``; a datetime in the local time zone."""
    if value is None:
        return ""
    day = value.astimezone().date() if isinstance(value, datetime) else value
    if not localised():
        return day.isoformat()
    from babel.dates import format_skeleton

    return str(format_skeleton("yMMdd", day, locale=_here()))


def clock(value: datetime | None) -> str:
    """A time of day, local: ``14:05`` (or ``2:05 PM`` where the locale says so)."""
    if value is None:
        return ""
    local = value.astimezone()
    if not localised():
        return local.strftime("%H:%M")
    from babel.dates import format_time

    return str(format_time(local.time(), "short", locale=_here()))


def when(value: datetime | None) -> str:
    """A day and time, local: ``2026-12-06 14:05`` / ``06.12.2026 14:05``."""
    if value is None:
        return ""
    return f"{date(value)} {clock(value)}"


def duration(delta: timedelta, *, direction: bool = False) -> str:
    """A length of time in words of the locale (``3 hours`` / ``3 Stunden``; with
    ``direction``, ``in 3 hours`` / ``vor 3 Stunden``)."""
    from babel.dates import format_timedelta

    locale = _here() if localised() else _locale("en_US")
    return str(format_timedelta(delta, add_direction=direction, locale=locale))
