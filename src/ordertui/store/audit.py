"""The append-only logs: the audit log (who did what to which order, and when) and the news
(what the suppliers decided, for every session to tell its merchant once)."""

from __future__ import annotations

from datetime import UTC, datetime

from ordertui.domain.models import AuditEntry, SyncEvent
from ordertui.store.connection import StoreBase
from ordertui.store.rows import _epoch, _now


class AuditLog(StoreBase):
    def audit(self, order_id: int | None, actor: str, action: str, detail: str = "", *,
              at: int | datetime | None = None) -> None:
        """Append one entry; ``at`` (epoch seconds or a datetime) defaults to now.

        Inside an open ``write()`` the entry joins that transaction, so it is written with
        the change it describes or not at all; elsewhere it commits on its own."""
        stamp = _epoch(at) if isinstance(at, datetime) else at
        with self.write() as con:
            con.execute("INSERT INTO audit (at, order_id, actor, action, detail, login, db_user) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (stamp or _now(), order_id, actor, action, detail, self.login,
                         self.db_user))

    def audit_for(self, order_id: int | None, limit: int = 200) -> list[AuditEntry]:
        columns = "id, at, order_id, actor, action, detail, login, db_user"
        if order_id is None:
            rows = self.con.execute(f"SELECT {columns} FROM audit "
                                    "ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        else:
            rows = self.con.execute(f"SELECT {columns} FROM audit "
                                    "WHERE order_id = ? ORDER BY id DESC LIMIT ?",
                                    (order_id, limit)).fetchall()
        return [AuditEntry(id=r[0], at=datetime.fromtimestamp(r[1], UTC), order_id=r[2],
                           actor=r[3], action=r[4], detail=r[5], login=r[6], db_user=r[7])
                for r in reversed(rows)]

    def record_news(self, events: list[SyncEvent], *, at: int | None = None) -> None:
        """Keep the suppliers' decisions for every open session (joins an open write)."""
        if not events:
            return
        with self.write() as con:
            con.executemany(
                "INSERT INTO news (at, order_id, order_name, kind, old, new, message) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(at or _now(), e.order_id, e.order_name, e.kind, e.old, e.new, e.message)
                 for e in events])

    def news_since(self, after: int, limit: int = 200) -> list[SyncEvent]:
        """The news written after the one numbered ``after``, oldest first."""
        return [SyncEvent(order_id=oid, order_name=name, kind=kind, old=old, new=new,
                          message=message, id=nid)
                for nid, oid, name, kind, old, new, message in self.con.execute(
                    "SELECT id, order_id, order_name, kind, old, new, message FROM news "
                    "WHERE id > ? ORDER BY id LIMIT ?", (after, limit))]

    def latest_news(self) -> int:
        """The number of the latest news (0 when there is none)."""
        return int(self.con.execute("SELECT COALESCE(MAX(id), 0) FROM news").fetchone()[0])
