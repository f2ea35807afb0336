"""The local store: SQLite in WAL mode, one connection per thread.

Screens read only from here (design invariant 1). Writes happen in short ``BEGIN IMMEDIATE``
transactions so that two ordertui sessions on one data directory stay consistent.
"""

from __future__ import annotations

from pathlib import Path

from ordertui.store.sync_merge import SyncMerge
from ordertui.store.sync_state import SyncState

TERMINAL_DISPUTES = ("resolved_refunded", "resolved_rejected", "withdrawn")


class Store(SyncMerge, SyncState):
    """The merchant's local database."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(path)
        from ordertui.store.outbox import Outbox

        self.outbox = Outbox(self)

