"""Where each supplier's sync stands (its list cursor, when it last ran, its last error), and
the cheap questions asked between syncs: is anything awaiting a supplier, has another
session written to the store."""

from __future__ import annotations

from typing import Any

from ordertui.store.connection import StoreBase
from ordertui.store.rows import _dt, _now


class SyncState(StoreBase):
    def sync_cursor(self, supplier: str) -> str | None:
        row = self.con.execute("SELECT cursor FROM sync_state WHERE supplier = ?",
                               (supplier,)).fetchone()
        return row[0] if row else None

    def sync_started(self, supplier: str) -> None:
        with self.write() as con:
            con.execute("INSERT INTO sync_state (supplier, started_at) VALUES (?, ?) "
                        "ON CONFLICT (supplier) DO UPDATE SET started_at = excluded.started_at",
                        (supplier, _now()))

    def sync_finished(self, supplier: str, error: str = "", next_retry_at: int | None = None
                      ) -> None:
        with self.write() as con:
            if error:
                con.execute("INSERT INTO sync_state (supplier, last_error, next_retry_at) "
                            "VALUES (?, ?, ?) ON CONFLICT (supplier) DO UPDATE SET "
                            "last_error = excluded.last_error, "
                            "next_retry_at = excluded.next_retry_at",
                            (supplier, error, next_retry_at))
            else:
                con.execute("INSERT INTO sync_state (supplier, finished_at) VALUES (?, ?) "
                            "ON CONFLICT (supplier) DO UPDATE SET finished_at = "
                            "excluded.finished_at, last_error = '', next_retry_at = NULL",
                            (supplier, _now()))

    def sync_status(self) -> dict[str, dict[str, Any]]:
        result = {}
        for supplier, cursor, started, finished, error, retry in self.con.execute(
                "SELECT supplier, cursor, started_at, finished_at, last_error, next_retry_at "
                "FROM sync_state"):
            result[supplier] = {"cursor": cursor, "started_at": _dt(started),
                                "finished_at": _dt(finished), "error": error,
                                "next_retry_at": _dt(retry)}
        return result

    def awaiting_supplier(self) -> int:
        """Requests the suppliers have not answered yet: worth polling for more often."""
        # the conditions repeat the partial indexes' own, so that SQLite can use them
        row = self.con.execute(
            "SELECT (SELECT COUNT(*) FROM cancellations WHERE state IN ('requested', "
            "'info_requested') AND state = 'requested') + "
            "(SELECT COUNT(*) FROM disputes WHERE state NOT IN ('resolved_refunded', "
            "'resolved_rejected', 'withdrawn') AND state != 'awaiting_merchant') + "
            "(SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending'))").fetchone()
        return int(row[0])

    def last_change_marker(self) -> tuple[int, int, int]:
        """A cheap fingerprint of the store's latest writes, for noticing another session's
        changes."""
        row = self.con.execute(
            "SELECT (SELECT COALESCE(MAX(id), 0) FROM audit), "
            "(SELECT COALESCE(MAX(updated_at), 0) FROM outbox), "
            "(SELECT COALESCE(SUM(n), 0) FROM order_counts)").fetchone()
        return int(row[0]), int(row[1]), int(row[2])
