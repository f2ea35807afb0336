"""The European Central Bank's euro foreign exchange reference rates: fetching its three
files over the HTTP discipline (``ordertui.http``) and reading them.

- ``eurofxref-daily.xml``: the latest published day;
- ``eurofxref-hist-90d.xml``: the published days of about the last 90 days;
- ``eurofxref-hist.zip``: every published day since 1999, as one CSV file in a zip.

The XML files are a ``gesmes:Envelope`` holding ``<Cube time="2026-11-20">`` days, each of
``<Cube currency="USD" rate="1.0823"/>``: how many units of the currency one euro buys.
The CSV's header is ``Date,USD,JPY,…`` and its cells are rates or ``N/A``.

What comes over the wire is remote input and treated as hostile: XML is read by
``defusedxml`` with DTDs, entities and external references refused; sizes, day counts and
the zip's unpacked size are bounded; every day, currency code and rate must have the
expected shape (a rate is digits with an optional fraction, above zero and below
``MAX_PER_EUR``), or the whole file is refused with one line saying why.
"""

from __future__ import annotations

import io
import re
import zlib
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from ordertui.domain.errors import OrdertuiError
from ordertui.services import kept as k

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    # the HTTP client loads when a file is fetched, not before
    from ordertui.http import RetryPolicy

#: where the ECB publishes the files
ECB_URL = "https://www.ecb.europa.eu/stats/eurofxref"
DAILY = "eurofxref-daily.xml"
NINETY_DAYS = "eurofxref-hist-90d.xml"
HISTORY = "eurofxref-hist.zip"
#: the name the ECB's own errors and the HTTP discipline's carry
PARTY = "ECB"

#: the largest file accepted of each kind (the real ones are a few kB, about 100 kB and
#: about 600 kB), and the largest CSV accepted inside the zip (about 2 MB)
MAX_BYTES = {DAILY: 1 << 20, NINETY_DAYS: 4 << 20, HISTORY: 16 << 20}
MAX_CSV_BYTES = 64 << 20
MAX_DAYS = 20_000
MAX_CURRENCIES = 200
#: no currency was ever worth less than a billionth of a euro, nor more than 10,000 euros
MAX_PER_EUR = Decimal(10) ** 9
MIN_PER_EUR = Decimal(10) ** -4
#: the first day the ECB published
FIRST_DAY = date(1999, 1, 4)

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_CURRENCY = re.compile(r"[A-Z]{3}")
_RATE = re.compile(r"\d{1,10}(?:\.\d{1,12})?")
#: a proxy's or a portal's page where the file should be
_HTML = re.compile(rb"\s*<(?:!doctype\s+html|html[\s>])", re.IGNORECASE)

#: {day: {currency: units of the currency per euro}}
DayRates = dict[date, dict[str, Decimal]]


class EcbError(OrdertuiError):
    """The ECB's file could not be had or read; one line, in English: it is kept as the last
    fetch's error (``fx``) and shown through ``kept.shown``."""


def parse_xml(data: bytes, what: str = DAILY) -> DayRates:
    """The days and rates of the daily or the 90-day file; ``EcbError`` for anything that is
    not such a file."""
    if len(data) > MAX_BYTES.get(what, MAX_BYTES[NINETY_DAYS]):
        raise EcbError(k.kept(k.ECB_TOO_LARGE, file=what, size=f"{len(data):,}"))
    if _HTML.match(data):
        raise EcbError(k.kept(k.ECB_HTML, file=what))
    # the XML parser loads only when rates are read (the app on the demo never does)
    from xml.etree.ElementTree import ParseError

    import defusedxml
    import defusedxml.ElementTree

    try:
        root = defusedxml.ElementTree.fromstring(data, forbid_dtd=True, forbid_entities=True,
                                                 forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise EcbError(k.kept(k.ECB_DEFUSED, file=what, what=_what_defused(exc))) from None
    except (ParseError, ValueError, UnicodeError):
        raise EcbError(k.kept(k.ECB_NOT_XML, file=what)) from None
    if _local(root) != "Envelope":
        raise EcbError(k.kept(k.ECB_NO_ENVELOPE, file=what))
    days: DayRates = {}
    for cube in root.iterfind("{*}Cube/{*}Cube"):
        if len(days) >= MAX_DAYS:
            raise EcbError(k.kept(k.ECB_TOO_MANY_DAYS, file=what, count=f"{MAX_DAYS:,}"))
        day = _day(cube.get("time"), what)
        if day in days:
            raise EcbError(k.kept(k.ECB_DAY_TWICE, file=what, day=day))
        rates: dict[str, Decimal] = {}
        for entry in cube:
            if _local(entry) != "Cube":
                continue
            if len(rates) >= MAX_CURRENCIES:
                raise EcbError(k.kept(k.ECB_TOO_MANY_CURRENCIES_ON, file=what,
                                      count=MAX_CURRENCIES, day=day))
            currency = _currency(entry.get("currency"), what)
            rates[currency] = _rate(entry.get("rate"), what, currency, day)
        days[day] = rates
    if not any(days.values()):
        raise EcbError(k.kept(k.ECB_NO_RATES, file=what))
    return days


def parse_history(data: bytes, *, since: date | None = None) -> DayRates:
    """The days and rates of the history zip, from ``since`` on (every day when None)."""
    import zipfile

    if len(data) > MAX_BYTES[HISTORY]:
        raise EcbError(k.kept(k.ECB_TOO_LARGE, file=HISTORY, size=f"{len(data):,}"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in archive.infolist() if m.filename.lower().endswith(".csv")]
            if len(members) != 1:
                raise EcbError(k.kept(k.ECB_CSV_FILES, file=HISTORY, count=len(members)))
            if members[0].file_size > MAX_CSV_BYTES:
                raise EcbError(k.kept(k.ECB_CSV_TOO_LARGE, file=HISTORY))
            with archive.open(members[0]) as fh:
                raw = fh.read(MAX_CSV_BYTES + 1)  # its header's size may lie
    except EcbError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
            ValueError, OSError):
        raise EcbError(k.kept(k.ECB_NOT_ZIP, file=HISTORY)) from None
    if len(raw) > MAX_CSV_BYTES:
        raise EcbError(k.kept(k.ECB_CSV_TOO_LARGE, file=HISTORY))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise EcbError(k.kept(k.ECB_CSV_NOT_TEXT, file=HISTORY)) from None
    return _history_rows(text, since)


def _history_rows(text: str, since: date | None) -> DayRates:
    import csv

    what = HISTORY
    try:
        rows = csv.reader(io.StringIO(text))
        header = next(rows, None)
        if not header or header[0].strip() != "Date":
            raise EcbError(k.kept(k.ECB_CSV_NO_DATE, file=what))
        currencies = [c.strip() for c in header[1:]]
        if len(currencies) > MAX_CURRENCIES + 1:
            raise EcbError(k.kept(k.ECB_TOO_MANY_CURRENCIES, file=what, count=MAX_CURRENCIES))
        for c in currencies:
            if c:
                _currency(c, what)
        days: DayRates = {}
        for row in rows:
            if not row or not "".join(row).strip():
                continue
            if len(days) >= MAX_DAYS:
                raise EcbError(k.kept(k.ECB_TOO_MANY_DAYS, file=what, count=f"{MAX_DAYS:,}"))
            day = _day(row[0].strip(), what)
            if day in days:
                raise EcbError(k.kept(k.ECB_DAY_TWICE, file=what, day=day))
            if len(row) - 1 > len(currencies):
                raise EcbError(k.kept(k.ECB_CELLS, file=what, day=day))
            if since is not None and day < since:
                continue
            rates: dict[str, Decimal] = {}
            for currency, cell in zip(currencies, row[1:], strict=False):
                cell = cell.strip()
                if not currency or cell in ("", "N/A"):
                    continue
                rates[currency] = _rate(cell, what, currency, day)
            days[day] = rates
    except csv.Error:
        raise EcbError(k.kept(k.ECB_CSV_UNREADABLE, file=what)) from None
    if not days and since is None:
        raise EcbError(k.kept(k.ECB_NO_RATES, file=what))
    return days


def _local(element: Element) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rsplit("}", 1)[-1]


_DEFUSED = {"DTDForbidden": k.ECB_DTD, "EntitiesForbidden": k.ECB_ENTITIES,
            "ExternalReferenceForbidden": k.ECB_EXTERNAL}


def _what_defused(exc: Exception) -> str:
    return _DEFUSED.get(type(exc).__name__, k.ECB_NEVER)


def _day(text: str | None, what: str) -> date:
    if text is None or not _DAY.fullmatch(text):
        raise EcbError(k.kept(k.ECB_BAD_DAY, file=what, value=_shown(text)))
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise EcbError(k.kept(k.ECB_BAD_DAY, file=what, value=_shown(text))) from None
    if day < FIRST_DAY:
        raise EcbError(k.kept(k.ECB_EARLY_DAY, file=what, day=day))
    return day


def _currency(text: str | None, what: str) -> str:
    if text is None or not _CURRENCY.fullmatch(text):
        raise EcbError(k.kept(k.ECB_BAD_CURRENCY, file=what, value=_shown(text)))
    return text


def _rate(text: str | None, what: str, currency: str, day: date) -> Decimal:
    if text is None or not _RATE.fullmatch(text):
        raise EcbError(k.kept(k.ECB_BAD_RATE, file=what, currency=currency, day=day,
                              value=_shown(text)))
    value = Decimal(text)
    if not MIN_PER_EUR <= value < MAX_PER_EUR:
        raise EcbError(k.kept(k.ECB_RATE_RANGE, file=what, currency=currency, day=day,
                              value=_shown(text)))
    return value


def _shown(text: str | None) -> str:
    """A piece of remote text, made safe and short for a one-line message."""
    if text is None:
        return "none"
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in text[:24])
    return repr(cleaned + ("…" if len(text) > 24 else ""))


async def fetch(base_url: str, what: str, *, policy: RetryPolicy | None = None) -> bytes:
    """One of the ECB's files, over the HTTP discipline (retries, timeouts, https or
    loopback only). ``EcbError`` in one line when it cannot be had."""
    from ordertui.http import SupplierHTTP, check_base_url

    try:
        url = check_base_url(base_url, where="the exchange rates' source", key="ECB URL")
    except OrdertuiError as exc:
        raise EcbError(str(exc)) from None
    accept = "application/zip" if what.endswith(".zip") else "application/xml, text/xml"
    http = SupplierHTTP(PARTY, url, policy=policy, read_timeout=60.0)
    try:
        response = await http.request("GET", f"/{what}", headers={"Accept": accept})
    except OrdertuiError as exc:
        raise EcbError(str(exc)) from None
    finally:
        await http.aclose()
    if response.status_code != 200:
        raise EcbError(k.kept(k.ECB_HTTP, status=response.status_code, file=what))
    return response.content
