"""What adapters keep once for every ordertui sharing the store (``adapter_state``): values
as JSON text by (adapter, kind, key) (their locks by name: ``Store.exclusive``).

The services offer it to the adapters (``AdapterContext.shared``) only when the store is
shared (PostgreSQL); what the values mean is the adapters' business."""

from __future__ import annotations

from ordertui.store.connection import StoreBase
from ordertui.store.rows import _now

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
