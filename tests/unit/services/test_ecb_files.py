"""Reading the ECB's files (services/ecb.py): the XML of the daily and 90-day files and the
CSV in the history zip, exactly; and anything hostile or broken refused with one line,
never a traceback: entities, DTDs, external references, huge or odd numbers, garbage, a zip
that unpacks to more than any history."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordertui.services.ecb import (
    HISTORY,
    MAX_BYTES,
    MAX_CSV_BYTES,
    NINETY_DAYS,
    EcbError,
    parse_history,
    parse_xml,
)
from support.properties import SETTINGS, TRIED

#: as the ECB writes it: tabs, single quotes, its namespaces
DAILY_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
\t<gesmes:subject>Reference rates</gesmes:subject>
\t<gesmes:Sender>
\t\t<gesmes:name>European Central Bank</gesmes:name>
\t</gesmes:Sender>
\t<Cube>
\t\t<Cube time='2026-11-20'>
\t\t\t<Cube currency='USD' rate='1.0823'/>
\t\t\t<Cube currency='JPY' rate='169.03'/>
\t\t\t<Cube currency='GBP' rate='0.84650'/>
\t\t</Cube>
\t\t<Cube time='2026-11-19'>
\t\t\t<Cube currency='USD' rate='1.0791'/>
\t\t</Cube>
\t</Cube>
</gesmes:Envelope>
"""


def envelope(cubes: str, prolog: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
            '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
            'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">'
            f"<Cube>{cubes}</Cube></gesmes:Envelope>").encode()


def one(rate: str = "1.0823", currency: str = "USD", day: str = "2026-11-20") -> bytes:
    return envelope(f"<Cube time='{day}'><Cube currency='{currency}' rate='{rate}'/></Cube>")


def zipped(text: str | bytes, name: str = "eurofxref-hist.csv", *extra: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, text)
        for other in extra:
            archive.writestr(other, "Date,\n")
    return buffer.getvalue()


HISTORY_CSV = ("Date,USD,JPY,CYP,\n"
               "2026-11-20,1.0823,169.03,N/A,\n"
               "2026-11-19,1.0791,168.50,N/A,\n"
               "2007-12-31,1.4721,166.39,0.5853,\n")


def refused(call, *args, **kw) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(EcbError) as caught:
        call(*args, **kw)
    message = str(caught.value)
    assert message.startswith("ECB: ") and "\n" not in message and len(message) < 300
    return message


def test_the_xml_files_are_read_exactly() -> None:
    assert parse_xml(DAILY_XML) == {
        date(2026, 11, 20): {"USD": Decimal("1.0823"), "JPY": Decimal("169.03"),
                             "GBP": Decimal("0.84650")},
        date(2026, 11, 19): {"USD": Decimal("1.0791")}}


def test_the_history_csv_is_read_exactly_skipping_na_cells() -> None:
    assert parse_history(zipped(HISTORY_CSV)) == {
        date(2026, 11, 20): {"USD": Decimal("1.0823"), "JPY": Decimal("169.03")},
        date(2026, 11, 19): {"USD": Decimal("1.0791"), "JPY": Decimal("168.50")},
        date(2007, 12, 31): {"USD": Decimal("1.4721"), "JPY": Decimal("166.39"),
                             "CYP": Decimal("0.5853")}}
    assert set(parse_history(zipped(HISTORY_CSV), since=date(2026, 11, 20))) == \
        {date(2026, 11, 20)}


BILLION_LAUGHS = envelope(
    "<Cube time='2026-11-20'><Cube currency='USD' rate='&lol9;'/></Cube>",
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">'
              for n in range(1, 10)) + "]>")
EXTERNAL = envelope("<Cube time='2026-11-20'><Cube currency='USD' rate='&xxe;'/></Cube>",
                    '<!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
DTD = envelope("<Cube time='2026-11-20'><Cube currency='USD' rate='1.08'/></Cube>",
               '<!DOCTYPE gesmes:Envelope SYSTEM "http://127.0.0.1:9/evil.dtd">')


@pytest.mark.parametrize(("body", "says"), [
    (BILLION_LAUGHS, "refused"),
    (EXTERNAL, "refused"),
    (DTD, "refused"),
    (one("1e999999"), "not a number"),
    (one("9" * 5000), "not a number"),
    (one("99999999999"), "not a number"),
    (one("1000000000"), "out of any range"),
    (one("0.00001"), "out of any range"),
    (one("0"), "out of any range"),
    (one("NaN"), "not a number"),
    (one("Infinity"), "not a number"),
    (one("-1.08"), "not a number"),
    (one("1,08"), "not a number"),
    (one(" 1.08"), "not a number"),
    (one(currency="usd"), "currency"),
    (one(currency="&lt;b&gt;"), "currency"),
    (one(currency="EURO"), "currency"),
    (one(day="2026-02-30"), "not a date"),
    (one(day="20261120"), "not a date"),
    (one(day="1998-12-31"), "before the ECB"),
    (envelope("<Cube><Cube currency='USD' rate='1.08'/></Cube>"), "not a date"),
    (envelope("<Cube time='2026-11-20'><Cube rate='1.08'/></Cube>"), "currency"),
    (envelope("<Cube time='2026-11-20'><Cube currency='USD'/></Cube>"), "not a number"),
    (envelope("<Cube time='2026-11-20'><Cube currency='USD' rate='1'/></Cube>"
              "<Cube time='2026-11-20'><Cube currency='USD' rate='1'/></Cube>"), "twice"),
    (envelope(""), "no rates"),
    (envelope("<Cube time='2026-11-20'></Cube>"), "no rates"),
    (b"", "not readable XML"),
    (b"\x00\xff\xfe garbage \x89PNG", "not readable XML"),
    (DAILY_XML[: len(DAILY_XML) // 2], "not readable XML"),
    (b"<html><body><h1>502 Bad Gateway</h1></body></html>", "an HTML page"),
    (b"\n<!DOCTYPE html><html><body>Moved</body></html>", "an HTML page"),
    (b"<data><Cube/></data>", "not the ECB"),
    (b'{"rates": {"USD": 1.08}}', "not readable XML"),
    (b"<a>" * 100_000, "not readable XML"),
    (b" " * (MAX_BYTES[NINETY_DAYS] + 1), "larger than"),
])
def test_hostile_or_broken_xml_is_refused_in_one_line(body: bytes, says: str) -> None:
    assert says in refused(parse_xml, body, NINETY_DAYS)


def test_a_refused_value_is_shown_short_and_harmless() -> None:
    message = refused(parse_xml, one("\x1b[31m" + "9" * 500))
    assert "\x1b" not in message and "9" * 30 not in message


@pytest.mark.parametrize(("body", "says"), [
    (b"PK\x03\x04 not really", "not a readable zip"),
    (b"", "not a readable zip"),
    (zipped(HISTORY_CSV, "rates.txt"), "0 CSV files"),
    (zipped(HISTORY_CSV, "a.csv", "b.csv"), "2 CSV files"),
    (zipped("Day,USD,\n2026-11-20,1.08,\n"), "does not start with Date"),
    (zipped("Date,usd,\n2026-11-20,1.08,\n"), "currency"),
    (zipped("Date,USD,\n2026-11-20,1e9999,\n"), "not a number"),
    (zipped("Date,USD,\n2026-11-20,1.08,2.0,\n"), "more cells"),
    (zipped("Date,USD,\nyesterday,1.08,\n"), "not a date"),
    (zipped(b"Date,USD,\n2026-11-20,\xff\xfe,\n"), "not text"),
    (zipped("Date,USD,\n"), "no rates"),
    (zipped("Date,USD,\n2026-11-20," + "1" * 200_000 + ",\n"), "not readable"),
])
def test_hostile_or_broken_history_is_refused_in_one_line(body: bytes, says: str) -> None:
    assert says in refused(parse_history, body)


def test_a_zip_that_unpacks_to_more_than_any_history_is_refused() -> None:
    bomb = zipped(b"0" * (MAX_CSV_BYTES + 1))
    assert len(bomb) < MAX_BYTES[HISTORY]  # small on the wire
    assert "too large" in refused(parse_history, bomb)


@given(body=st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
@settings(SETTINGS, max_examples=300)
def test_whatever_arrives_is_rates_or_one_line(body: bytes) -> None:
    TRIED["ECB files"] += 1
    for call in (parse_xml, parse_history):
        try:
            call(body)
        except EcbError as exc:
            assert "\n" not in str(exc)


XMLISH = st.lists(st.sampled_from([
    "<Cube>", "</Cube>", "<Cube time='2026-11-20'>", "<Cube currency='USD' rate='1.08'/>",
    "<Cube currency='JPY' rate='", "'/>", "&amp;", "<!-- c -->", "<![CDATA[x]]>", "1e5",
    "<Cube time='", "NaN", "<x/>", "\x00", "é", "]]>"]), max_size=30).map("".join)


@given(inner=XMLISH)
@settings(SETTINGS, max_examples=300)
def test_whatever_the_envelope_holds_is_rates_or_one_line(inner: str) -> None:
    TRIED["ECB files"] += 1
    try:
        days = parse_xml(envelope(inner))
    except EcbError as exc:
        assert "\n" not in str(exc)
        return
    for rates in days.values():
        assert all(v.is_finite() and v > 0 for v in rates.values())
