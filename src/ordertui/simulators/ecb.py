"""The European Central Bank's reference rate files on loopback: the daily file, the last
90 days and the zipped history, in the ECB's own formats, from a deterministic rate series.

The series publishes on weekdays except the TARGET holidays (New Year's Day, Good Friday,
Easter Monday, 1 May, Christmas Day and 26 December), up to the simulator's ``today``, which
a test sets. Each currency moves within ±1 % of a base value by a fixed rule of the day, so
``per_eur(currency, day)`` answers what the files say. CYP stops at the end of 2007, so the
history has ``N/A`` cells as the real one does.

The fault layer of ``simulators/common.py`` applies (``fail("5xx")``, ``heal()``); ``serve``
replaces a file's body with anything (hostile XML, garbage), and stopping the server makes
the ECB unreachable.
"""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ordertui.simulators.common import SimConfig, Simulator

DAILY = "eurofxref-daily.xml"
NINETY_DAYS = "eurofxref-hist-90d.xml"
HISTORY = "eurofxref-hist.zip"
FILES = (DAILY, NINETY_DAYS, HISTORY)

#: units of each currency per euro around which the series moves
BASES = {"USD": Decimal("1.0800"), "JPY": Decimal("160.50"), "CYP": Decimal("0.58500"),
         "GBP": Decimal("0.85000"), "CHF": Decimal("0.9500"), "CNY": Decimal("7.8000"),
         "PLN": Decimal("4.3000"), "SEK": Decimal("11.2000"), "HUF": Decimal("390.00"),
         "CAD": Decimal("1.4700"), "AUD": Decimal("1.6300")}
#: currencies that stopped being published after this day
RETIRED = {"CYP": date(2007, 12, 31)}
FIRST_DAY = date(1999, 1, 4)

_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
         '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
         'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">\n'
         "\t<gesmes:subject>Reference rates</gesmes:subject>\n"
         "\t<gesmes:Sender>\n\t\t<gesmes:name>European Central Bank</gesmes:name>\n"
         "\t</gesmes:Sender>\n\t<Cube>\n")
_TAIL = "\t</Cube>\n</gesmes:Envelope>\n"


def easter(year: int) -> date:
    """Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


def published(day: date) -> bool:
    """The series has rates for ``day``: a weekday and no TARGET holiday."""
    if day.weekday() >= 5 or (day.month, day.day) in ((1, 1), (5, 1), (12, 25), (12, 26)):
        return False
    sunday = easter(day.year)
    return day not in (sunday - timedelta(days=2), sunday + timedelta(days=1))


def per_eur(currency: str, day: date) -> Decimal | None:
    """Units of ``currency`` one euro buys on ``day`` in the series; None on a day without
    rates, before the first day, or for a currency not (or no longer) published."""
    base = BASES.get(currency)
    if base is None or day < FIRST_DAY or not published(day) or day > RETIRED.get(
            currency, date.max):
        return None
    index = list(BASES).index(currency)
    step = (day.toordinal() * 7919 + index * 104729) % 2001 - 1000  # -1000 … 1000
    value = base * (1 + Decimal(step) / 100_000)
    return value.quantize(base)


@dataclass
class EcbSimConfig(SimConfig):
    orders: int = 0
    #: the simulator's today; None: the real day (UTC)
    today: date | None = None
    first_day: date = FIRST_DAY


class EcbSimulator(Simulator):
    name = "ecb"

    def __init__(self, config: EcbSimConfig | None = None) -> None:
        config = config or EcbSimConfig()
        super().__init__(config)
        self.today: date = config.today or datetime.now(UTC).date()
        self.first_day = config.first_day
        #: bodies served instead of a file's own ({file name: bytes})
        self.bodies: dict[str, bytes] = {}
        self._history: tuple[date, bytes] | None = None
        self._history_lock = threading.Lock()

    # --- what a test tells it -------------------------------------------------------------
    def serve(self, what: str, body: bytes) -> None:
        """Answer ``body`` for the file ``what`` from now on."""
        self.bodies[what] = body

    def fail(self, *kinds: str) -> None:
        """Every request meets one of these faults ("5xx", "html", "drop", …)."""
        self.config.faults, self.config.fault_rate = kinds or ("5xx",), 1.0

    def heal(self) -> None:
        self.config.fault_rate = 0.0
        self.bodies.clear()

    # --- the series -----------------------------------------------------------------------
    def days(self, first: date, last: date) -> list[date]:
        """The published days from ``first`` to ``last``, newest first (as the files)."""
        first = max(first, self.first_day)
        span = (last - first).days
        return [d for d in (last - timedelta(days=n) for n in range(span + 1)) if published(d)]

    def rates(self, day: date) -> dict[str, Decimal]:
        found = {c: per_eur(c, day) for c in BASES}
        return {c: v for c, v in found.items() if v is not None}

    def xml(self, days: list[date]) -> bytes:
        parts = [_HEAD]
        for day in days:
            parts.append(f"\t\t<Cube time='{day.isoformat()}'>\n")
            parts.extend(f"\t\t\t<Cube currency='{c}' rate='{v}'/>\n"
                         for c, v in self.rates(day).items())
            parts.append("\t\t</Cube>\n")
        parts.append(_TAIL)
        return "".join(parts).encode()

    def history(self) -> bytes:
        """The zip of every published day up to today, cached for the day."""
        with self._history_lock:
            if self._history is None or self._history[0] != self.today:
                lines = ["Date," + "".join(f"{c}," for c in BASES)]
                for day in self.days(self.first_day, self.today):
                    cells = (str(v) if (v := per_eur(c, day)) is not None else "N/A"
                             for c in BASES)
                    lines.append(f"{day.isoformat()}," + "".join(f"{cell}," for cell in cells))
                buffer = io.BytesIO()
                with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                    archive.writestr("eurofxref-hist.csv", "\n".join(lines) + "\n")
                self._history = (self.today, buffer.getvalue())
            return self._history[1]

    def body(self, what: str) -> bytes:
        if what in self.bodies:
            return self.bodies[what]
        if what == DAILY:
            return self.xml(self.days(self.today - timedelta(days=14), self.today)[:1])
        if what == NINETY_DAYS:
            return self.xml(self.days(self.today - timedelta(days=90), self.today))
        return self.history()

    # --- the app ------------------------------------------------------------------------------
    def base_path(self) -> str:
        return "/stats/eurofxref"

    def routes(self) -> list[BaseRoute]:
        return [Route(f"{self.base_path()}/{what}", self._file(what), methods=["GET"])
                for what in FILES]

    def _file(self, what: str) -> Callable[[Request], Awaitable[Response]]:
        media = "application/zip" if what == HISTORY else "text/xml"

        async def answer(request: Request) -> Response:
            self.stats.count(what)
            return Response(self.body(what), media_type=media)
        return answer
