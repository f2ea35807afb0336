"""Published exchange rates (the ECB's reference rates): how many units of a currency one
euro buys on a day. Written a batch at a time, read one (currency, day) at a time through the
table's primary key."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from ordertui.domain.fx import Published, oldest_usable
from ordertui.store.connection import StoreBase


class FxRates(StoreBase):
    def put_fx_rates(self, rates: Mapping[date, Mapping[str, Decimal]], source: str) -> int:
        """Keep ``rates`` ({day: {currency: per_eur}}) from ``source`` in one transaction,
        replacing what the store held for the same currency and day. Returns how many.
        A rate that is not a positive number is refused (``ValueError``) before any is kept."""
        for by_currency in rates.values():
            for currency, per_eur in by_currency.items():
                if not (isinstance(per_eur, Decimal) and per_eur.is_finite() and per_eur > 0):
                    raise ValueError(f"{currency}: {per_eur!r} is no exchange rate")
        rows = [(day.isoformat(), currency, str(per_eur), source)
                for day, by_currency in rates.items()
                for currency, per_eur in by_currency.items()]
        with self.write() as con:
            con.executemany("INSERT INTO fx_rates (day, currency, per_eur, source) "
                            "VALUES (?, ?, ?, ?) ON CONFLICT (currency, day) DO UPDATE SET "
                            "per_eur = excluded.per_eur, source = excluded.source", rows)
        return len(rows)

    def fx_published(self, currency: str, day: date) -> Published | None:
        """The rate of ``currency`` published on ``day``, or else on the latest earlier day
        within ``domain.fx.MAX_AGE_DAYS`` (a weekend or holiday has none of its own); None
        when there is none. One search of the primary key (currency, day)."""
        row = self.con.execute(
            "SELECT day, per_eur, source FROM fx_rates WHERE currency = ? AND day <= ? "
            "AND day >= ? ORDER BY day DESC LIMIT 1",
            (currency.upper(), day.isoformat(), oldest_usable(day).isoformat())).fetchone()
        if row is None:
            return None
        try:
            return Published(date.fromisoformat(row[0]), Decimal(row[1]), row[2])
        except (ValueError, InvalidOperation):
            return None

    def fx_days(self, first: date, last: date) -> set[date]:
        """The days from ``first`` to ``last`` (both included) with any published rate."""
        rows = self.con.execute("SELECT DISTINCT day FROM fx_rates WHERE day BETWEEN ? AND ?",
                                (first.isoformat(), last.isoformat())).fetchall()
        return {date.fromisoformat(day) for (day,) in rows}

