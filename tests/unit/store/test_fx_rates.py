"""The published exchange rates in the store (store/fx.py): a batch in one transaction, the
rate of a (currency, day) as the day's own or the latest within the week before it, read in
one search of the primary key, and the days known."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from ordertui.domain.fx import MAX_AGE_DAYS
from ordertui.store import Store

THURSDAY, FRIDAY = date(2026, 11, 19), date(2026, 11, 20)
SATURDAY, MONDAY = date(2026, 11, 21), date(2026, 11, 23)


@pytest.fixture
def store(tmp_path: Path):
    s = Store(tmp_path / "store.sqlite3")
    yield s
    s.close()


def test_a_batch_is_kept_and_read_back_exactly(store: Store) -> None:
    n = store.put_fx_rates({THURSDAY: {"USD": Decimal("1.0823"), "JPY": Decimal("169.03")},
                            FRIDAY: {"USD": Decimal("1.0866")}}, "ECB")
    assert n == 3
    got = store.fx_published("USD", FRIDAY)
    assert got is not None
    assert (got.day, got.per_eur, got.source) == (FRIDAY, Decimal("1.0866"), "ECB")
    thursday = store.fx_published("jpy", THURSDAY)
    assert thursday is not None and thursday.per_eur == Decimal("169.03")
    assert store.fx_published("GBP", FRIDAY) is None


def test_the_same_currency_and_day_is_replaced(store: Store) -> None:
    store.put_fx_rates({FRIDAY: {"USD": Decimal("1.0866")}}, "ECB")
    store.put_fx_rates({FRIDAY: {"USD": Decimal("1.0900")}}, "ECB")
    got = store.fx_published("USD", FRIDAY)
    assert got is not None and got.per_eur == Decimal("1.0900")


def test_a_batch_is_one_transaction(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError):  # the second row has no currency
        store.put_fx_rates({THURSDAY: {"USD": Decimal("1.0823")},
                            FRIDAY: {None: Decimal("1.0866")}}, "ECB")  # type: ignore[dict-item]
    assert store.fx_published("USD", THURSDAY) is None


@pytest.mark.parametrize("bad", [Decimal(0), Decimal("-1.08"), Decimal("NaN"),
                                 Decimal("Infinity"), 1.08, "1.08"])
def test_a_rate_that_is_no_positive_decimal_is_refused(store: Store, bad: object) -> None:
    with pytest.raises(ValueError):
        store.put_fx_rates({THURSDAY: {"GBP": Decimal("0.85")}, FRIDAY: {"USD": bad}},
                           "ECB")  # type: ignore[dict-item]
    assert store.fx_days(THURSDAY, FRIDAY) == set()


def test_a_day_without_rates_reads_the_latest_day_before_it_within_a_week(
        store: Store) -> None:
    store.put_fx_rates({THURSDAY: {"USD": Decimal("1.0823")},
                        FRIDAY: {"USD": Decimal("1.0866")}}, "ECB")
    for day in (SATURDAY, MONDAY, FRIDAY + timedelta(days=MAX_AGE_DAYS)):
        got = store.fx_published("USD", day)
        assert got is not None and got.day == FRIDAY, day
    assert store.fx_published("USD", FRIDAY + timedelta(days=MAX_AGE_DAYS + 1)) is None
    # never a rate published after the day
    assert store.fx_published("USD", THURSDAY - timedelta(days=1)) is None


def test_the_rate_is_read_in_one_search_of_the_primary_key(store: Store) -> None:
    store.put_fx_rates({FRIDAY - timedelta(days=n): {"USD": Decimal("1.08"),
                                                     "GBP": Decimal("0.85")}
                        for n in range(400)}, "ECB")
    statements: list[str] = []
    store.con.set_trace_callback(statements.append)
    try:
        store.fx_published("USD", SATURDAY)
    finally:
        store.con.set_trace_callback(None)
    reads = [s for s in statements if "fx_rates" in s]
    assert len(reads) == 1
    plan = " ".join(str(row[-1]) for row in
                    store.con.execute("EXPLAIN QUERY PLAN " + reads[0]).fetchall())
    assert "SEARCH" in plan and "PRIMARY KEY" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # read in the key's order: no sorting


def test_the_days_known_in_a_span(store: Store) -> None:
    store.put_fx_rates({THURSDAY: {"USD": Decimal("1.08"), "GBP": Decimal("0.85")},
                        FRIDAY: {"USD": Decimal("1.08")},
                        MONDAY: {"GBP": Decimal("0.85")}}, "ECB")
    assert store.fx_days(THURSDAY, MONDAY) == {THURSDAY, FRIDAY, MONDAY}
    assert store.fx_days(FRIDAY, SATURDAY) == {FRIDAY}
    assert store.fx_days(SATURDAY, SATURDAY) == set()
