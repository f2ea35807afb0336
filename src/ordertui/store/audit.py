"""The append-only audit log: who did what to which order, and when."""

from __future__ import annotations

from datetime import UTC, datetime

from ordertui.domain.models import AuditEntry
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
            con.execute("INSERT INTO audit (at, order_id, actor, action, detail) "
                        "VALUES (?, ?, ?, ?, ?)",
                        (stamp or _now(), order_id, actor, action, detail))

    def audit_for(self, order_id: int | None, limit: int = 200) -> list[AuditEntry]:
        if order_id is None:
            rows = self.con.execute("SELECT id, at, order_id, actor, action, detail FROM audit "
                                    "ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        else:
            rows = self.con.execute("SELECT id, at, order_id, actor, action, detail FROM audit "
                                    "WHERE order_id = ? ORDER BY id DESC LIMIT ?",
                                    (order_id, limit)).fetchall()
        return [AuditEntry(id=r[0], at=datetime.fromtimestamp(r[1], UTC), order_id=r[2],
                           actor=r[3], action=r[4], detail=r[5]) for r in reversed(rows)]
