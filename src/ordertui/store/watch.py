"""Noticing another session's changes without touching the store's own connections."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class StoreWatch:
    """SQLite's ``PRAGMA data_version`` on a connection of the watch's own: ``version()``
    changes whenever any other connection (of this process or another) commits to the store.

    The connection is opened on the first ``version()`` and is bound to the thread that
    opened it: call ``version()`` and ``close()`` on one and the same thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._con: sqlite3.Connection | None = None

    def version(self) -> int:
        if self._con is None:
            self._con = sqlite3.connect(self.path)
        return int(self._con.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None
