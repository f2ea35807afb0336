"""Noticing another session's changes without touching the store's own connections, and
the lock one process at a time holds (SQLite's; PostgreSQL's are in ``postgres.py``)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import time
from pathlib import Path
from typing import IO


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

    def connected(self) -> bool:
        return True  # a file

    def problem(self) -> str | None:
        return None

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None


class FileLock:
    """An ``flock`` on a file beside the store, held until released or the process ends
    (the kernel lets it go then, so a crashed session never blocks the next)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: IO[str] | None = None

    def acquire(self, wait_s: float = 0.0) -> bool:
        """Take the lock if it is free, or as soon as it is within ``wait_s`` seconds;
        whether it is held now."""
        if self._fh is not None:
            return True
        fh = open(self.path, "a+")  # noqa: SIM115 - held until released
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() >= deadline:
                    fh.close()
                    return False
                time.sleep(0.05)
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        self._fh = fh
        return True

    def held(self) -> bool:
        return self._fh is not None

    def release(self) -> None:
        if self._fh is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None
