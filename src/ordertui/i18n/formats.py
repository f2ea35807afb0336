"""Numbers, money and dates as the language of the process writes them: English keeps the
app's own forms (``$1,234.50``, ``2026-12-06 14:05``); every other language takes its
locale's from CLDR through Babel (``1.234,50 €``, ``06.12.2026 14:05``). Babel is imported
on the first number shown in another language, never for English; the few parts of CLDR
they need are kept per locale in the cache directory (``prepare``), so a start loads those
alone."""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import re
from datetime import date as date_type
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from ordertui.i18n import current
from ordertui.i18n.catalogue import cache_dir


def localised() -> bool:
    """Whether numbers and dates follow a locale (any language but English)."""
    return not current().english


#: the parts of CLDR's data for a locale that money, numbers and dates are written with; kept
#: in a small file of their own (``profile``) so that a start reads neither the locale's
#: whole data nor CLDR's global tables (together some 5 MB in memory)
PROFILE_KEYS = ("number_symbols", "decimal_formats", "currency_formats", "currency_symbols",
                "currency_names", "currency_names_plural", "datetime_skeletons",
                "date_formats", "time_formats", "datetime_formats", "default_numbering_system",
                "plural_form")


def _profile_path(name: str) -> Path:
    from babel import __version__

    keys = hashlib.sha256(" ".join(PROFILE_KEYS).encode()).hexdigest()[:8]
    return cache_dir() / f"cldr-{name}-babel{__version__}-{keys}.pickle"


def prepare(name: str) -> None:
    """Make sure the profile of locale ``name`` is kept (at the first start in a language:
    once per installation and Babel version); an unwritable cache is no failure."""
    path = _profile_path(name)
    if path.exists():
        return
    from babel.localedata import load

    data = load(name)
    profile = {key: data[key] for key in PROFILE_KEYS if key in data}
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.write_bytes(pickle.dumps(profile, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(partial, path)
        for old in path.parent.glob(f"cldr-{name}-*.pickle"):  # another Babel's, or keys'
            if old != path:
                old.unlink(missing_ok=True)


class _Profile(dict[Any, Any]):
    """A locale's kept profile; anything else of its data is loaded when first asked for."""

    def __init__(self, name: str, kept: dict[str, Any]) -> None:
        super().__init__(kept)
        self.name = name

    def __missing__(self, key: str) -> Any:
        from babel.localedata import load

        self.update({k: v for k, v in load(self.name).items() if k not in self})
        return self[key] if key in self else load(self.name)[key]


@cache
def _locale(name: str) -> Any:
    from babel import Locale
    from babel.localedata import LocaleDataDict

    locale = Locale(*name.split("_", 1))
    try:
        kept = pickle.loads(_profile_path(name).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        return locale  # Babel loads the whole of it
    # Babel keeps a locale's data in this attribute and loads it only when it is None
    setattr(locale, "_Locale__data", LocaleDataDict(_Profile(name, kept)))  # noqa: B010
    return locale


def _here() -> Any:
    return _locale(current().locale)


def money(amount: Decimal, currency: str, decimals: int = 2) -> str:
    """``amount`` of ``currency`` with its symbol where the locale puts it, in ``decimals``
    places (the currency's, which the caller knows: ``domain.money.exponent``)."""
    from babel.numbers import format_currency

    return str(format_currency(amount, currency, format=_currency_pattern(decimals),
                               locale=_here(), currency_digits=False))


@cache
def _currency_pattern_of(locale: str, decimals: int) -> str:
    """The locale's currency pattern with ``decimals`` places ('#,##0.00 ¤' → '#,##0 ¤').
    Given explicitly, Babel need not load CLDR's table of every currency's digits."""
    pattern = str(_locale(locale).currency_formats["standard"].pattern)
    places = "0" + ("." + "0" * decimals if decimals else "")
    return re.sub(r"0\.0+", places, pattern)


def _currency_pattern(decimals: int) -> str:
    return _currency_pattern_of(current().locale, decimals)


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
