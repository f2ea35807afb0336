"""The ECB's reference rate files on loopback (simulators/ecb.py): the days its series
publishes, and the daily, 90-day and history files in the ECB's formats."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest

from ordertui.simulators.common import RunningSim, start_in_thread
from ordertui.simulators.ecb import (
    BASES,
    DAILY,
    HISTORY,
    NINETY_DAYS,
    EcbSimConfig,
    EcbSimulator,
    easter,
    per_eur,
    published,
)

SATURDAY = date(2026, 11, 21)


@pytest.fixture
def ecb() -> Iterator[RunningSim]:
    running = start_in_thread(EcbSimulator(EcbSimConfig(today=SATURDAY,
                                                        first_day=date(2006, 1, 2))))
    yield running
    running.stop()


def get(running: RunningSim, what: str) -> httpx.Response:
    return httpx.get(f"{running.base_url}/{what}", timeout=30)


def test_easter_and_the_target_holidays() -> None:
    assert [easter(y) for y in (2024, 2025, 2026)] == [date(2024, 3, 31), date(2025, 4, 20),
                                                       date(2026, 4, 5)]
    closed = [date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 1),
              date(2026, 12, 25), date(2026, 12, 26), SATURDAY, SATURDAY + timedelta(days=1)]
    assert not any(published(d) for d in closed)
    assert published(date(2026, 4, 2)) and published(date(2026, 4, 7))


def test_the_series_is_fixed_near_its_base_and_absent_on_closed_days() -> None:
    friday = date(2026, 11, 20)
    for currency, base in BASES.items():
        if currency == "CYP":
            continue
        value = per_eur(currency, friday)
        assert value is not None and value == per_eur(currency, friday)
        assert abs(value / base - 1) <= Decimal("0.01")
        assert value.as_tuple().exponent == base.as_tuple().exponent
        assert per_eur(currency, SATURDAY) is None
    assert per_eur("CYP", date(2007, 12, 31)) is not None
    assert per_eur("CYP", date(2008, 1, 2)) is None
    assert per_eur("XYZ", friday) is None


def test_the_daily_file_is_the_latest_published_day(ecb: RunningSim) -> None:
    body = get(ecb, DAILY).text
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert "<gesmes:Envelope" in body
    assert re.findall(r"time='([^']+)'", body) == ["2026-11-20"]
    assert f"<Cube currency='USD' rate='{per_eur('USD', date(2026, 11, 20))}'/>" in body


def test_the_90_day_file_holds_the_published_days_newest_first(ecb: RunningSim) -> None:
    days = [date.fromisoformat(d) for d in re.findall(r"time='([^']+)'", get(ecb, NINETY_DAYS)
                                                       .text)]
    assert days == sorted(days, reverse=True) and days[0] == date(2026, 11, 20)
    assert all(published(d) and SATURDAY - d <= timedelta(days=90) for d in days)
    assert len(days) > 60


def test_the_history_is_one_csv_in_a_zip_with_na_cells(ecb: RunningSim) -> None:
    answer = get(ecb, HISTORY)
    assert answer.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        assert archive.namelist() == ["eurofxref-hist.csv"]
        text = archive.read("eurofxref-hist.csv").decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Date", *BASES, ""]
    assert rows[1][0] == "2026-11-20" and rows[-1][0] == "2006-01-02"
    cyp = rows[0].index("CYP")
    assert rows[1][cyp] == "N/A" and rows[-1][cyp] == str(per_eur("CYP", date(2006, 1, 2)))


def test_faults_bodies_and_counts(ecb: RunningSim) -> None:
    sim = ecb.sim
    assert isinstance(sim, EcbSimulator)
    sim.fail("5xx")
    assert get(ecb, DAILY).status_code == 503
    sim.heal()
    sim.serve(DAILY, b"garbage")
    assert get(ecb, DAILY).content == b"garbage"
    sim.heal()
    assert get(ecb, DAILY).status_code == 200
    counts = ecb.stats()
    assert counts["paths"]["/stats/eurofxref/" + DAILY] == 3
    assert counts["counters"][DAILY] == 2  # the 5xx never reached the file
