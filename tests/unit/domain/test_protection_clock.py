"""Buyer protection's clock (domain/policy.py): days left, the same from every time zone,
across month ends, leap days and summer time, counted from delivery or from the order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from ordertui.domain.policy import (
    ProtectionBasis,
    ProtectionState,
    ProtectionStatus,
    ShippingPayer,
    SupplierPolicy,
    protection_status,
)
from support.returns import NOW

PLUS14 = timezone(timedelta(hours=14))
MINUS10 = timezone(timedelta(hours=-10))


def policy(days: int = 15, basis: ProtectionBasis = ProtectionBasis.DELIVERY) -> SupplierPolicy:
    return SupplierPolicy(False, 0, days, basis, ShippingPayer.CUSTOMER)


def status(delivered: datetime | None, now: datetime, days: int = 15,
           basis: ProtectionBasis = ProtectionBasis.DELIVERY,
           ordered: datetime | None = None) -> ProtectionStatus:
    return protection_status(policy(days, basis), ordered_at=ordered or datetime(
        2026, 1, 10, tzinfo=UTC), delivered_at=delivered, now=now)


DELIVERED = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(("asked", "left", "state"), [
    (DELIVERED, 15, ProtectionState.ACTIVE),
    (DELIVERED + timedelta(seconds=1), 15, ProtectionState.ACTIVE),
    (DELIVERED + timedelta(hours=24), 14, ProtectionState.ACTIVE),
    (DELIVERED + timedelta(hours=24, seconds=1), 14, ProtectionState.ACTIVE),
    # 2026-02-15 19:00 UTC: 4.5 hours left, one (started) day
    (datetime(2026, 2, 15, 19, tzinfo=UTC), 1, ProtectionState.ACTIVE),
    (datetime(2026, 2, 15, 23, 29, 59, tzinfo=UTC), 1, ProtectionState.ACTIVE),
    (datetime(2026, 2, 15, 23, 30, tzinfo=UTC), 0, ProtectionState.ENDED),
    (datetime(2026, 3, 1, tzinfo=UTC), 0, ProtectionState.ENDED),
])


@pytest.mark.parametrize("zone", [UTC, PLUS14, MINUS10, ZoneInfo("Europe/Berlin"),
                                  ZoneInfo("Pacific/Kiritimati"), ZoneInfo("Pacific/Honolulu")])
def test_same_answer_from_every_zone(asked: datetime, left: int, state: ProtectionState,
                                     zone: timezone | ZoneInfo) -> None:
    """Delivered 2026-01-31 23:30 UTC (already 1 February in UTC+14, still the 31st at
    13:30 in UTC-10), 15 days: protection ends 2026-02-15 23:30 UTC, whoever asks."""
    local = asked.astimezone(zone)
    s = status(DELIVERED.astimezone(zone), local)
    assert (s.days_left, s.state) == (left, state)
    assert s.ends_at == datetime(2026, 2, 15, 23, 30, tzinfo=UTC)
    assert s.ends_at is not None and s.ends_at.tzinfo is UTC and s.ends_on_utc == "2026-02-15"


def test_local_calendar_dates_do_not_matter() -> None:
    """At 2026-02-16 09:00 in UTC+14 the merchant's calendar says the 16th, a day past the
    15th, but 4.5 hours of protection are still left; at 2026-02-15 13:30 in UTC-10 the
    calendar still says the 15th, but protection has just ended."""
    assert status(DELIVERED, datetime(2026, 2, 16, 9, tzinfo=PLUS14)).days_left == 1
    assert status(DELIVERED, datetime(2026, 2, 15, 13, 30, tzinfo=MINUS10)).state is \
        ProtectionState.ENDED


@pytest.mark.parametrize(("delivered", "days", "ends"), [
    ((2026, 1, 31, 23, 30), 30, (2026, 3, 2, 23, 30)),  # February has 28 days in 2026
    ((2028, 1, 31, 23, 30), 30, (2028, 3, 1, 23, 30)),  # and 29 in 2028
    ((2028, 2, 14, 12, 0), 15, (2028, 2, 29, 12, 0)),  # ends on a leap day
    ((2027, 2, 14, 12, 0), 15, (2027, 3, 1, 12, 0)),
    ((2024, 2, 29, 0, 0), 365, (2025, 2, 28, 0, 0)),
    ((2100, 2, 14, 0, 0), 15, (2100, 3, 1, 0, 0)),  # 2100 is no leap year
    ((2026, 12, 31, 23, 59), 1, (2027, 1, 1, 23, 59)),  # over the year end
    ((2026, 3, 28, 12, 0), 2, (2026, 3, 30, 12, 0)),  # over Europe's summer-time change
])
def test_month_ends_and_leap_years(delivered: tuple[int, ...], days: int,
                                   ends: tuple[int, ...]) -> None:
    start = datetime(*delivered, tzinfo=UTC)
    s = status(start, start, days=days)
    assert s.ends_at == datetime(*ends, tzinfo=UTC)
    assert s.days_left == days
    assert status(start, s.ends_at - timedelta(seconds=1), days=days).days_left == 1


def test_summer_time_changes_nothing() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    delivered = datetime(2026, 3, 28, 12, 0, tzinfo=berlin)  # CET, the day before the change
    asked = datetime(2026, 3, 30, 11, 30, tzinfo=berlin)  # CEST: 46.5 hours later
    s = status(delivered, asked, days=2)
    assert s.days_left == 1 and s.ends_at == datetime(2026, 3, 30, 11, 0, tzinfo=UTC)


def test_counted_from_the_order() -> None:
    ordered = datetime(2026, 1, 1, tzinfo=UTC)
    s = status(None, datetime(2026, 2, 20, tzinfo=UTC), days=60, basis=ProtectionBasis.ORDER,
               ordered=ordered)
    assert s.state is ProtectionState.ACTIVE and s.days_left == 10
    assert s.ends_at == datetime(2026, 3, 2, tzinfo=UTC)


def test_not_started_none_and_naive_times() -> None:
    s = status(None, NOW)
    assert s.state is ProtectionState.NOT_STARTED and s.days_left is None
    assert "not delivered yet" in s.describe()
    assert status(DELIVERED, NOW, days=0).state is ProtectionState.NONE
    naive = status(DELIVERED.replace(tzinfo=None), datetime(2026, 2, 15, 19))
    assert naive.days_left == 1  # naive means UTC
    assert status(DELIVERED, DELIVERED).describe() == \
        "buyer protection: 15 days left (ends 2026-02-15 23:30 UTC)"
    assert status(DELIVERED, datetime(2026, 2, 15, 19, tzinfo=UTC)).describe().startswith(
        "buyer protection: 1 day left")
    assert status(DELIVERED, datetime(2026, 3, 1, tzinfo=UTC)).describe() == \
        "buyer protection ended 2026-02-15 23:30 UTC"
