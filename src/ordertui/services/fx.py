"""Exchange rates for the rest of the app, as ``services.fx``: the rate between two
currencies on a day, why there is none, and keeping the ECB's reference rates in the store.

``rate`` and ``reason`` are plain reads, safe from any thread: the pairs under
``[exchange_rates]`` in the config first, then the published rates the store keeps (the
rule is ``domain/fx.py``'s). ``refresh`` is a coroutine that fetches from the ECB what the
given days lack (``services/ecb.py``):

- nothing for days the store settles already: a day with rates of its own, or a day without
  them (a weekend, a holiday) between published days it holds;
- the daily file when only the newest published day can be missing, the 90-day file for
  anything else of about the last 90 days, and the whole history (which holds the newest
  days too) only for older days, keeping its days from the week before the oldest asked for;
- each file at most once a day (by the services' clock), remembered in the data directory
  (``exchange-rates.json``) so that every command and session shares it; after a failure,
  the same file is tried again an hour later at the soonest.

A failed fetch, or a file refused as not the ECB's, is one line in the ``Refresh`` it
returns, never an exception: the rates the store held stay, and a sync goes on.

The ECB's address is a constructor argument (``base_url``, https or loopback only), which
the tests point at ``simulators/ecb.py``; the app always uses the ECB's own.
"""

from __future__ import annotations

import asyncio
import bisect
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ordertui.domain.errors import OrdertuiError
from ordertui.domain.fx import Rate, convert, find_rate, no_rate_reason, oldest_usable
from ordertui.domain.money import Money
from ordertui.fsutil import atomic_write
from ordertui.i18n import _
from ordertui.services import kept as k
from ordertui.services.ecb import (
    DAILY,
    ECB_URL,
    HISTORY,
    NINETY_DAYS,
    DayRates,
    EcbError,
    fetch,
    parse_history,
    parse_xml,
)
from ordertui.services.ecb import PARTY as SOURCE
from ordertui.store import Store

if TYPE_CHECKING:  # the HTTP client loads only when rates are fetched
    from ordertui.http import RetryPolicy

log = logging.getLogger(__name__)

#: in the data directory: when each file was last fetched, and how that went
FX_MEMORY = "exchange-rates.json"
#: a day at least this recent is settled by the 90-day file, with the week before it
RECENT_DAYS = 83
#: after a failed fetch, the same file is not tried again for this long
RETRY_FAILED_S = 3600


@dataclass(frozen=True, slots=True)
class Refresh:
    """What a ``refresh`` did: the file fetched and kept (None: nothing was fetched), how
    many rates were stored, and one line when the fetch failed ("" when it did not)."""

    fetched: str | None = None
    stored: int = 0
    error: str = ""


def plan(days: Iterable[date], known: set[date], today: date) -> str | None:
    """The ECB file that would settle ``days`` (None: they are settled), given the days the
    store has rates for.

    A day without rates of its own is settled when the store holds a later published day
    and one within the week before it: the store is filled with whole spans (the 90-day
    file, the history) or with the one newest day, so a day missing between published ones
    had none. A day after the newest known one may still be published."""
    ordered = sorted(known)
    latest = ordered[-1] if ordered else None

    def settled(day: date) -> bool:
        if latest is None or day > latest:
            return False  # not published yet, or not fetched since it was
        at = bisect.bisect_right(ordered, day)
        return at > 0 and ordered[at - 1] >= oldest_usable(day)

    need = {d for d in days if d <= today and not settled(d)}
    if not need:
        return None
    if min(need) < today - timedelta(days=RECENT_DAYS):
        return HISTORY  # which holds the newest days too
    newest_only = (latest is not None and min(need) > latest
                   and _weekdays_after(latest, today) <= 1)
    return DAILY if newest_only else NINETY_DAYS


def _weekdays_after(first: date, last: date) -> int:
    """Weekdays after ``first`` up to ``last``: the days the ECB may have published on."""
    return sum(1 for n in range(1, (last - first).days + 1)
               if (first + timedelta(days=n)).weekday() < 5)


class Rates:
    """``services.fx``: exchange rates from the config and the ECB (see the module)."""

    def __init__(self, store: Store, overrides: Mapping[tuple[str, str], Decimal], *,
                 clock: Callable[[], datetime], memory: Path, base_url: str = ECB_URL,
                 policy: RetryPolicy | None = None) -> None:
        self.store = store
        self.overrides = dict(overrides)
        self.clock = clock
        self.memory = memory
        self.base_url = base_url
        self.policy = policy
        self._lock = asyncio.Lock()

    # --- reading (thread-safe, synchronous) ---------------------------------------------
    def rate(self, from_currency: str, to_currency: str, day: date) -> Rate | None:
        """Units of ``to_currency`` for one ``from_currency`` on ``day``: the config's pair
        (or its inverse), else the ECB's rates of the day or of the latest published day
        within a week before it, crossed through the euro. None when there is none;
        ``reason`` then says why."""
        return find_rate(from_currency, to_currency, day, overrides=self.overrides,
                         published=self.store.fx_published)

    def reason(self, from_currency: str, to_currency: str, day: date) -> str:
        """Why there is no rate, in one line; "" when there is one."""
        if self.rate(from_currency, to_currency, day) is not None:
            return ""
        why = no_rate_reason(from_currency, to_currency, day)
        failed = self.last_error()
        return _("{reason} (the last fetch failed: {error})").format(
            reason=why, error=k.shown(failed)) if failed else why

    def convert(self, money: Money, to: str, day: date) -> Money | None:
        """``money`` in ``to`` at the rate of ``day``, rounded to its minor unit; None
        without a rate."""
        return convert(money, to, day, self.rate)

    def last_error(self) -> str:
        """The error of the latest fetch, if it failed; "" otherwise (as it is kept, in
        English: ``kept.shown`` says it in the language of the process)."""
        latest = max(self._remembered().values(), key=lambda e: e.get("at", 0), default={})
        error = latest.get("error", "")
        return error if isinstance(error, str) else ""

    # --- fetching ---------------------------------------------------------------------------
    async def refresh(self, days: Iterable[date]) -> Refresh:
        """Fetch the ECB's rates that ``days`` lack (at most once a day per file) and keep
        them in the store. Never raises for a failed fetch: ``Refresh.error`` says it."""
        wanted = set(days)
        async with self._lock:
            now = self.clock()
            today = now.date()
            wanted = {d for d in wanted if d <= today}
            if not wanted:
                return Refresh()
            known = await asyncio.to_thread(self.store.fx_days,
                                            oldest_usable(min(wanted)), today)
            what = plan(wanted, known, today)
            memory = await asyncio.to_thread(self._remembered)
            if what is None or not self._due(what, memory, now):
                return Refresh()
            since = oldest_usable(min(wanted)) if what == HISTORY else None
            error = ""
            stored = 0
            try:
                stored = await self._fetch_and_keep(what, today, since)
            except OrdertuiError as exc:
                error = str(exc)
                log.warning("exchange rates: %s", error)
            except Exception as exc:  # one line, never a traceback: a sync goes on
                error = k.kept(k.ECB_UNREADABLE, file=what, error=type(exc).__name__)
                log.exception("fetching %s", what)
            memory[what] = {"day": today.isoformat(), "at": int(now.timestamp()),
                            "error": error}
            await asyncio.to_thread(self._remember, memory)
            if error:
                return Refresh(error=_("exchange rates not updated: {error}").format(
                    error=k.shown(error)))
            return Refresh(what, stored)

    async def _fetch_and_keep(self, what: str, today: date, since: date | None) -> int:
        data = await fetch(self.base_url, what, policy=self.policy)
        if what == HISTORY:
            rates: DayRates = await asyncio.to_thread(parse_history, data, since=since)
        else:
            rates = await asyncio.to_thread(parse_xml, data, what)
        future = [d for d in rates if d > today + timedelta(days=1)]
        if future:
            raise EcbError(k.kept(k.ECB_FUTURE, file=what, day=max(future)))
        stored = await asyncio.to_thread(self.store.put_fx_rates, rates, SOURCE)
        log.info("exchange rates: %s gave %d rates of %d days", what, stored, len(rates))
        return stored

    @staticmethod
    def _due(what: str, memory: dict[str, dict[str, Any]], now: datetime) -> bool:
        """``what`` was not fetched today, nor a file that holds its days (the history holds
        the 90 days' and the 90 days the daily file's), nor tried and failed within the last
        hour."""
        today = now.date().isoformat()
        covering = {DAILY: (DAILY, NINETY_DAYS, HISTORY), NINETY_DAYS: (NINETY_DAYS, HISTORY),
                    HISTORY: (HISTORY,)}[what]
        for name in covering:
            entry = memory.get(name, {})
            if entry.get("day") == today and not entry.get("error"):
                return False
        entry = memory.get(what, {})
        at = entry.get("at")
        return not (entry.get("error") and isinstance(at, int)
                    and now.timestamp() - at < RETRY_FAILED_S)

    def _remembered(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.memory.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, dict)}

    def _remember(self, memory: dict[str, dict[str, Any]]) -> None:
        try:
            atomic_write(self.memory, json.dumps(memory, indent=1, sort_keys=True))
        except OrdertuiError as exc:  # not remembered: at worst fetched again
            log.warning("exchange rates: %s", exc)
