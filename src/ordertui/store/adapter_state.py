"""What adapters keep once for every ordertui sharing the store (``adapter_state``): values
as JSON text by (adapter, kind, key), and locks by name held across every process.

The services offer it to the adapters (``AdapterContext.shared``) only when the store is
shared (PostgreSQL); what the values mean is the adapters' business."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ordertui.store.connection import StoreBase
from ordertui.store.dialect import named_lock_key
from ordertui.store.rows import _now
from ordertui.store.watch import FileLock

if TYPE_CHECKING:
    from ordertui.store.postgres import PgLock

#: the end of a prefix's range: no key continues a prefix with a higher character
_LAST = "\U0010ffff"


class AdapterState(StoreBase):
    def adapter_value(self, adapter: str, kind: str, key: str) -> str | None:
        row = self.con.execute("SELECT value FROM adapter_state WHERE adapter = ? AND "
                               "kind = ? AND key = ?", (adapter, kind, key)).fetchone()
        return str(row[0]) if row else None

    def adapter_values(self, adapter: str, kind: str, prefix: str = "") -> dict[str, str]:
        """Every value of the kind whose key starts with ``prefix``, by key (through the
        primary key's index: keys are compared byte by byte on both backends)."""
        return {str(r[0]): str(r[1]) for r in self.con.execute(
            "SELECT key, value FROM adapter_state WHERE adapter = ? AND kind = ? AND "
            "key >= ? AND key < ? ORDER BY key", (adapter, kind, prefix, prefix + _LAST))}

    def put_adapter_value(self, adapter: str, kind: str, key: str, value: str) -> None:
        with self.write() as con:
            con.execute("INSERT INTO adapter_state (adapter, kind, key, value, updated_at) "
                        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (adapter, kind, key) DO UPDATE "
                        "SET value = excluded.value, updated_at = excluded.updated_at",
                        (adapter, kind, key, value, _now()))

    def named_lock(self, name: str) -> FileLock | PgLock:
        """A lock by name that one process at a time holds, across every process sharing
        the store: an advisory lock of PostgreSQL's (``dialect.named_lock_key``), an
        ``flock`` beside the SQLite file; either is let go when its holder's process ends."""
        if self.pg is not None:
            from ordertui.store.postgres import PgLock
            return PgLock(self.pg, named_lock_key(name))
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
        return FileLock(self.path.parent / f"lock-{safe}.lock")
