"""``services.fx`` (services/fx.py) against the ECB look-alike over loopback: what it fetches
for which days (the daily file, the 90 days, the history only for old days), at most once a
day, the config's pairs first, and a failed or hostile fetch that leaves the rates held and
says why in one line."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, localcontext
from pathlib import Path

import pytest

from ordertui.config import parse
from ordertui.domain.fx import CONFIG
from ordertui.domain.money import Money
from ordertui.http import RetryPolicy
from ordertui.services import fx as fx_module
from ordertui.services.core import Services
from ordertui.services.ecb import DAILY, HISTORY, NINETY_DAYS
from ordertui.services.fx import FX_MEMORY, RECENT_DAYS, RETRY_FAILED_S, Rates, plan
from ordertui.simulators.common import RunningSim, start_in_thread
from ordertui.simulators.ecb import EcbSimConfig, EcbSimulator, per_eur
from ordertui.store import Store
from support.demo import Clock, demo_raw

FRIDAY = date(2026, 11, 20)
SATURDAY, MONDAY = date(2026, 11, 21), date(2026, 11, 23)
FAST = RetryPolicy(attempts=2, base_s=0.01, cap_s=0.05)


@pytest.fixture(scope="module")
def running() -> Iterator[RunningSim]:
    r = start_in_thread(EcbSimulator(EcbSimConfig(today=FRIDAY, first_day=date(2019, 1, 1))))
    yield r
    r.stop()


@pytest.fixture
def ecb(running: RunningSim) -> EcbSimulator:
    sim = running.sim
    assert isinstance(sim, EcbSimulator)
    sim.heal()
    sim.stats.reset()
    sim.today = FRIDAY
    return sim


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 20, 17, 0, tzinfo=UTC))


def make_rates(tmp_path: Path, base_url: str, clock: Clock,
               overrides: dict[tuple[str, str], Decimal] | None = None) -> Rates:
    store = Store(tmp_path / "data" / "store.sqlite3")
    return Rates(store, overrides or {}, clock=clock, memory=tmp_path / "data" / FX_MEMORY,
                 base_url=base_url, policy=FAST)


@pytest.fixture
def rates(tmp_path: Path, running: RunningSim, ecb: EcbSimulator,
          clock: Clock) -> Iterator[Rates]:
    r = make_rates(tmp_path, running.base_url, clock)
    yield r
    r.store.close()


def served(ecb: EcbSimulator) -> dict[str, int]:
    """How often each file was asked for since the test began."""
    paths = ecb.stats.snapshot()["paths"]
    return {name: paths.get(f"/stats/eurofxref/{name}", 0)
            for name in (DAILY, NINETY_DAYS, HISTORY)}


def move_to(day: date, clock: Clock, ecb: EcbSimulator, hour: int = 17) -> None:
    clock.now = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
    ecb.today = day


def exact(amount: str, per_from: Decimal, per_to: Decimal, places: str = "0.01") -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 80
        return (Decimal(amount) * per_to / per_from).quantize(Decimal(places))


def ecb_rate(currency: str, day: date) -> Decimal:
    value = per_eur(currency, day)
    assert value is not None, (currency, day)
    return value


async def test_a_first_refresh_fetches_the_90_days_and_converts_at_the_ecbs_rates(
        rates: Rates, ecb: EcbSimulator) -> None:
    day = FRIDAY - timedelta(days=3)
    done = await rates.refresh({day})
    assert done.fetched == NINETY_DAYS and done.stored > 0 and done.error == ""
    assert served(ecb) == {DAILY: 0, NINETY_DAYS: 1, HISTORY: 0}
    found = rates.rate("USD", "EUR", day)
    assert found is not None and found.day == day and found.source == f"ECB {day}"
    assert found.rate == Decimal(1) / ecb_rate("USD", day)
    usd, gbp = ecb_rate("USD", day), ecb_rate("GBP", day)
    assert rates.convert(Money(Decimal("1234.56"), "USD"), "GBP", day) == \
        Money(exact("1234.56", usd, gbp), "GBP")
    assert rates.convert(Money(Decimal("99.99"), "GBP"), "JPY", day) == \
        Money(exact("99.99", gbp, ecb_rate("JPY", day), "1"), "JPY")
    assert rates.reason("USD", "EUR", day) == ""


async def test_a_weekend_takes_friday_and_a_week_on_there_is_no_rate(
        rates: Rates, ecb: EcbSimulator) -> None:
    await rates.refresh({FRIDAY})
    sunday = rates.rate("USD", "EUR", FRIDAY + timedelta(days=2))
    assert sunday is not None and sunday.day == FRIDAY
    assert sunday.rate == Decimal(1) / ecb_rate("USD", FRIDAY)
    assert rates.rate("USD", "EUR", FRIDAY + timedelta(days=8)) is None
    assert rates.reason("USD", "EUR", FRIDAY + timedelta(days=8)) == (
        'no USD→EUR rate for 2026-11-28: fetch rates with `ordertui sync` or set '
        '[exchange_rates] "USD-EUR"')


async def test_rates_are_fetched_at_most_once_a_day(tmp_path: Path, rates: Rates,
                                                    running: RunningSim, ecb: EcbSimulator,
                                                    clock: Clock) -> None:
    move_to(SATURDAY, clock, ecb)
    assert (await rates.refresh({FRIDAY, SATURDAY})).fetched == NINETY_DAYS
    # Saturday has no rate yet, but the day's 90-day file said all there was to say
    for _ in range(3):
        assert await rates.refresh({SATURDAY}) == fx_module.Refresh()
    # another session or command on the same data directory knows it too
    other = make_rates(tmp_path, running.base_url, clock)
    assert (await other.refresh({SATURDAY})).fetched is None
    assert served(ecb) == {DAILY: 0, NINETY_DAYS: 1, HISTORY: 0}
    # Monday: only the newest day can be missing, so the small daily file, once
    move_to(MONDAY, clock, ecb)
    assert (await rates.refresh({MONDAY})).fetched == DAILY
    assert (await rates.refresh({MONDAY})).fetched is None
    assert served(ecb) == {DAILY: 1, NINETY_DAYS: 1, HISTORY: 0}
    monday = rates.rate("USD", "EUR", MONDAY)
    assert monday is not None and monday.day == MONDAY
    # days the store settles need nothing at all, whatever the day
    move_to(MONDAY + timedelta(days=1), clock, ecb)
    settled = {FRIDAY, SATURDAY, FRIDAY - timedelta(days=30)}
    assert (await rates.refresh(settled)).fetched is None
    assert served(ecb) == {DAILY: 1, NINETY_DAYS: 1, HISTORY: 0}


async def test_after_days_away_the_90_days_fill_the_gap(rates: Rates, ecb: EcbSimulator,
                                                       clock: Clock) -> None:
    await rates.refresh({FRIDAY})
    thursday = FRIDAY + timedelta(days=6)
    move_to(thursday, clock, ecb)
    assert (await rates.refresh({thursday})).fetched == NINETY_DAYS
    tuesday = rates.rate("GBP", "EUR", thursday - timedelta(days=2))
    assert tuesday is not None and tuesday.day == thursday - timedelta(days=2)


async def test_the_history_is_fetched_only_for_old_days(rates: Rates, ecb: EcbSimulator,
                                                        clock: Clock) -> None:
    await rates.refresh({FRIDAY - timedelta(days=n) for n in range(0, 80, 5)})
    assert served(ecb)[HISTORY] == 0
    old = date(2020, 3, 2)
    done = await rates.refresh({old})
    assert done.fetched == HISTORY and done.error == ""
    found = rates.rate("USD", "EUR", old)
    assert found is not None and found.rate == Decimal(1) / ecb_rate("USD", old)
    # kept from the week before the oldest day asked for, not since 1999
    assert min(rates.store.fx_days(date(2019, 1, 1), old)) == old - timedelta(days=7)
    # a later day of that span is settled; an older one waits for tomorrow
    assert (await rates.refresh({old + timedelta(days=30)})).fetched is None
    assert (await rates.refresh({date(2019, 6, 3)})).fetched is None
    assert served(ecb)[HISTORY] == 1
    move_to(FRIDAY + timedelta(days=1), clock, ecb)
    assert (await rates.refresh({date(2019, 6, 3)})).fetched == HISTORY
    assert rates.rate("USD", "EUR", date(2019, 6, 3)) is not None


async def test_easter_monday_takes_the_thursday_before_it(rates: Rates,
                                                         ecb: EcbSimulator) -> None:
    easter_monday = date(2026, 4, 6)
    # the history holds the newest days too: one file for both
    assert (await rates.refresh({easter_monday, FRIDAY})).fetched == HISTORY
    assert (await rates.refresh({FRIDAY})).fetched is None
    assert served(ecb) == {DAILY: 0, NINETY_DAYS: 0, HISTORY: 1}
    friday = rates.rate("USD", "EUR", FRIDAY)
    assert friday is not None and friday.day == FRIDAY
    found = rates.rate("USD", "GBP", easter_monday)
    assert found is not None and found.day == date(2026, 4, 2)
    assert found.source == "ECB 2026-04-02"


async def test_the_configs_pair_wins_and_its_inverse_serves_the_other_way(
        tmp_path: Path, running: RunningSim, ecb: EcbSimulator, clock: Clock) -> None:
    rates = make_rates(tmp_path, running.base_url, clock, {("USD", "EUR"): Decimal("0.5")})
    await rates.refresh({FRIDAY})
    there, back = rates.rate("USD", "EUR", FRIDAY), rates.rate("EUR", "USD", FRIDAY)
    assert there is not None and there.rate == Decimal("0.5") and there.source == CONFIG
    assert back is not None and back.rate == 2 and back.source == CONFIG
    crossed = rates.rate("USD", "GBP", FRIDAY)
    assert crossed is not None and crossed.source == f"ECB {FRIDAY}"
    rates.store.close()


async def test_a_failed_fetch_keeps_the_rates_and_says_why_in_one_line(
        rates: Rates, ecb: EcbSimulator, clock: Clock) -> None:
    await rates.refresh({FRIDAY})
    before = rates.rate("USD", "EUR", FRIDAY)
    move_to(MONDAY + timedelta(days=1), clock, ecb)
    ecb.fail("5xx")
    done = await rates.refresh({MONDAY})
    assert done.fetched is None and done.stored == 0
    assert done.error == "exchange rates not updated: ECB: server error 503"
    assert rates.rate("USD", "EUR", FRIDAY) == before
    assert rates.reason("USD", "EUR", MONDAY + timedelta(days=30)).endswith(
        "(the last fetch failed: ECB: server error 503)")
    # not tried again within the hour, then tried and fetched
    ecb.heal()
    asked = sum(served(ecb).values())
    assert await rates.refresh({MONDAY}) == fx_module.Refresh()
    assert sum(served(ecb).values()) == asked
    clock.advance(RETRY_FAILED_S)
    assert (await rates.refresh({MONDAY})).fetched == NINETY_DAYS
    assert rates.last_error() == ""


async def test_an_unreachable_ecb_is_one_line(tmp_path: Path, clock: Clock) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    rates = make_rates(tmp_path, f"http://127.0.0.1:{port}/stats/eurofxref", clock)
    done = await rates.refresh({FRIDAY})
    assert done.error == "exchange rates not updated: ECB: cannot connect (ConnectError)"
    rates.store.close()


async def test_a_file_not_found_is_one_line(tmp_path: Path, running: RunningSim,
                                            clock: Clock) -> None:
    rates = make_rates(tmp_path, running.root_url + "/moved", clock)
    done = await rates.refresh({FRIDAY})
    assert done.error == ("exchange rates not updated: ECB: answered HTTP 404 for "
                          "eurofxref-hist-90d.xml")
    rates.store.close()


async def test_plain_http_to_another_host_is_refused(tmp_path: Path, clock: Clock) -> None:
    rates = make_rates(tmp_path, "http://ecb.example/stats/eurofxref", clock)
    done = await rates.refresh({FRIDAY})
    assert "only https is allowed" in done.error and "\n" not in done.error
    rates.store.close()


HOSTILE = [
    b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    b"<gesmes:Envelope xmlns:gesmes='g'><Cube><Cube time='2026-11-20'>"
    b"<Cube currency='USD' rate='&b;'/></Cube></Cube></gesmes:Envelope>",
    b"<gesmes:Envelope xmlns:gesmes='g'><Cube><Cube time='2026-11-20'>"
    b"<Cube currency='USD' rate='1e999999'/></Cube></Cube></gesmes:Envelope>",
    b"<gesmes:Envelope xmlns:gesmes='g'><Cube><Cube time='2026-11-20'>"
    b"<Cube currency='USD' rate='" + b"9" * 100_000 + b"'/></Cube></Cube></gesmes:Envelope>",
    b"\x89PNG\r\n\x1a\n garbage \x00\x01",
]


@pytest.mark.parametrize("body", HOSTILE, ids=["entities", "huge exponent", "huge number",
                                               "garbage"])
async def test_a_hostile_file_is_refused_and_nothing_is_kept(rates: Rates, ecb: EcbSimulator,
                                                             body: bytes) -> None:
    ecb.serve(NINETY_DAYS, body)
    done = await rates.refresh({FRIDAY})
    assert done.error.startswith("exchange rates not updated: ECB: eurofxref-hist-90d.xml")
    assert "\n" not in done.error and "Traceback" not in done.error
    assert rates.store.fx_days(date(2026, 1, 1), FRIDAY) == set()


async def test_an_html_page_or_a_cut_answer_is_refused(rates: Rates, ecb: EcbSimulator,
                                                       clock: Clock) -> None:
    ecb.fail("html")
    assert (await rates.refresh({FRIDAY})).error == (
        "exchange rates not updated: ECB: eurofxref-hist-90d.xml is an HTML page, not the "
        "ECB's reference rates")
    ecb.fail("truncated")
    clock.advance(RETRY_FAILED_S)
    assert "not readable XML" in (await rates.refresh({FRIDAY})).error
    assert rates.store.fx_days(date(2026, 1, 1), FRIDAY) == set()


async def test_a_file_dated_after_today_is_refused(rates: Rates, ecb: EcbSimulator,
                                                   clock: Clock) -> None:
    ecb.today = FRIDAY + timedelta(days=10)
    done = await rates.refresh({FRIDAY})
    assert done.error == ("exchange rates not updated: ECB: eurofxref-hist-90d.xml gives "
                          "rates for 2026-11-30, after today")
    assert rates.store.fx_days(date(2026, 1, 1), FRIDAY + timedelta(days=10)) == set()


async def test_an_unexpected_failure_is_one_line_too(rates: Rates,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(data: bytes, what: str) -> None:
        raise RecursionError("deep")
    monkeypatch.setattr(fx_module, "parse_xml", broken)
    done = await rates.refresh({FRIDAY})
    assert done.error == ("exchange rates not updated: ECB: eurofxref-hist-90d.xml could not "
                          "be read (RecursionError)")


async def test_days_after_today_ask_for_nothing(rates: Rates, ecb: EcbSimulator) -> None:
    assert await rates.refresh({FRIDAY + timedelta(days=1), FRIDAY + timedelta(days=40)}) \
        == fx_module.Refresh()
    assert await rates.refresh(set()) == fx_module.Refresh()
    assert sum(served(ecb).values()) == 0


def test_the_plan() -> None:
    today = MONDAY
    weekdays = {FRIDAY - timedelta(days=n) for n in range(90)
                if (FRIDAY - timedelta(days=n)).weekday() < 5}
    assert plan({FRIDAY}, set(), today) == NINETY_DAYS
    assert plan({SATURDAY}, weekdays | {MONDAY}, today) is None  # between published days
    assert plan({SATURDAY}, weekdays, today) == DAILY  # Monday's may come
    assert plan({MONDAY}, weekdays, today) == DAILY  # only the newest can be missing
    assert plan({MONDAY}, weekdays - {FRIDAY}, today) == NINETY_DAYS
    gap = {d for d in weekdays if not FRIDAY - timedelta(days=20) <= d <= FRIDAY - timedelta(
        days=10)}
    assert plan({FRIDAY - timedelta(days=10)}, gap, today) == NINETY_DAYS
    assert plan({date(2020, 3, 2)}, weekdays, today) == HISTORY
    assert plan({date(2020, 3, 2), MONDAY}, weekdays, today) == HISTORY
    assert plan({today - timedelta(days=RECENT_DAYS)}, set(), today) == NINETY_DAYS
    assert plan({today - timedelta(days=RECENT_DAYS + 1)}, set(), today) == HISTORY
    assert plan({MONDAY + timedelta(days=1)}, weekdays, today) is None  # the future


def test_services_fx_takes_the_configs_exchange_rates(tmp_path: Path) -> None:
    raw = {**demo_raw(), "exchange_rates": {"USD-EUR": 0.92}}
    services = Services(parse(raw, tmp_path / "config.toml", tmp_path / "data"))
    try:
        found = services.fx.rate("EUR", "USD", FRIDAY)
        assert found is not None and found.source == CONFIG
        assert services.fx.convert(Money(Decimal("92"), "EUR"), "USD", FRIDAY) == \
            Money(Decimal("100.00"), "USD")
        assert services.fx.rate("USD", "GBP", FRIDAY) is None
        assert services.fx.reason("USD", "GBP", FRIDAY).startswith("no USD→GBP rate for")
    finally:
        services.store.close()
