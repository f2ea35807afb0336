"""One short transaction on a small SQLite file of its own (an adapter's journal, the demo
supplier's back office, a simulator's state): open, BEGIN, commit or roll back, close.
Opening per transaction keeps these files safe to share between threads and processes."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def transaction(path: Path, *, write: bool = True, wal: bool = True
                ) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` for a write (one writer at a time, waiting up to 30 s), a
    plain ``BEGIN`` for a consistent read."""
    con = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        if wal:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
        con.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        with committed(con):
            yield con
    finally:
        con.close()


@contextlib.contextmanager
def committed(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """End the transaction ``con`` has begun: COMMIT when the block succeeds, ROLLBACK when
    it raises (anything, KeyboardInterrupt and cancellation too)."""
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
