"""The local store: SQLite in WAL mode, one connection per thread.

Screens read only from here (invariant 1 in docs/architecture.md). Writes happen in short ``BEGIN
IMMEDIATE``
transactions so that two ordertui sessions on one data directory stay consistent.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Concatenate, ParamSpec, Protocol, TypeVar

from ordertui.domain.errors import StoreBusy
from ordertui.i18n import _
from ordertui.sqlite_file import committed
from ordertui.store.schema import LATEST, MIGRATIONS
from ordertui.store.watch import StoreWatch

#: how long ``close`` waits for a transaction under way, twice (before and after interrupting)
CLOSE_WAIT_S = 5.0


class HasStore(Protocol):
    @property
    def store(self) -> StoreBase: ...


S = TypeVar("S", bound=HasStore)
P = ParamSpec("P")
R = TypeVar("R")


def store_work(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """A service's job of many statements, run on a worker thread: the store's ``close``
    waits for it (a thread goes on after its task is cancelled, and closing a connection
    under a running statement can crash the process)."""
    @functools.wraps(method)
    def run(self: S, *args: P.args, **kwargs: P.kwargs) -> R:
        with self.store.working():
            return method(self, *args, **kwargs)
    return run


def _split_sql(script: str) -> Iterator[str]:
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                yield buffer
            buffer = ""
    if buffer.strip():
        yield buffer


class StoreBase:
    """The store's database file: a connection per thread, transactions, the schema."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        #: transactions under way on any thread: ``close`` waits for them, since closing a
        #: connection another thread is running a statement on can crash the process
        self._active = 0
        self._idle = threading.Condition()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.migrate()
        self._finish_bulk_load()

    # --- connections ---------------------------------------------------------------------
    @property
    def con(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                  check_same_thread=False)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            con.execute("PRAGMA foreign_keys=ON")
            con.execute("PRAGMA busy_timeout=30000")
            con.execute("PRAGMA cache_size=-4000")  # 4 MB of page cache per connection
            con.execute("PRAGMA temp_store=MEMORY")
            self._local.con = con
            with self._lock:
                self._connections.append(con)
        return con

    def interrupter(self) -> Callable[[], None]:
        """A function that interrupts the statement the calling thread's connection is
        running (it then raises ``sqlite3.OperationalError`` "interrupted" on that thread).
        Take it on the thread that runs the query; call it later from any thread."""
        return self.con.interrupt

    def watch(self) -> StoreWatch:
        """A watch for other connections' commits, on a connection of its own opened on
        first use; call its ``version()`` and ``close()`` on one and the same thread."""
        return StoreWatch(self.path)

    def close(self) -> None:
        """Close every thread's connection, once the transactions under way have ended (a
        thread still working after its task was cancelled, say); one that takes longer than
        a few seconds is interrupted (it rolls back) before its connection is closed."""
        with self._idle:
            if not self._idle.wait_for(lambda: self._active == 0, timeout=CLOSE_WAIT_S):
                with self._lock:
                    for con in self._connections:
                        con.interrupt()
                self._idle.wait_for(lambda: self._active == 0, timeout=CLOSE_WAIT_S)
        with self._lock:
            for con in self._connections:
                with contextlib.suppress(sqlite3.Error):
                    con.close()
            self._connections.clear()
        self._local = threading.local()

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction. Nested use joins the outer transaction."""
        con = self.con
        if con.in_transaction:
            yield con
            return
        with self.working():
            try:
                con.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StoreBusy(_("the store at {path} is busy ({error}); try again").format(
                    path=self.path, error=exc)) from exc
            with committed(con):
                yield con

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for several reads."""
        con = self.con
        if con.in_transaction:
            yield con
            return
        with self.working():
            con.execute("BEGIN")
            try:
                yield con
            finally:
                con.execute("COMMIT")

    @contextlib.contextmanager
    def working(self) -> Iterator[None]:
        """Mark a piece of work on this store under way (a transaction, or a job of many
        statements on a worker thread): ``close`` waits for it to end."""
        with self._idle:
            self._active += 1
        try:
            yield
        finally:
            with self._idle:
                self._active -= 1
                self._idle.notify_all()

    # --- schema --------------------------------------------------------------------------
    @property
    def version(self) -> int:
        return int(self.con.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self, target: int = LATEST) -> int:
        """Apply the migrations this store lacks, each in its own transaction."""
        con = self.con
        while True:
            with self.write():
                current = int(con.execute("PRAGMA user_version").fetchone()[0])
                if current >= target:
                    return current
                for statement in _split_sql(MIGRATIONS[current]):
                    con.execute(statement)
                con.execute(f"PRAGMA user_version = {current + 1}")

    # --- bulk loading ------------------------------------------------------------------
    @contextlib.contextmanager
    def bulk_load(self) -> Iterator[None]:
        """Load many orders fast: the orders' secondary indexes and search triggers are
        dropped during the load and rebuilt (by sorting, much faster than row by row) after.

        What was dropped is written down in the same transaction, so a load killed halfway is
        finished the next time the store is opened."""
        con = self.con
        with self.write():
            saved = con.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name = 'orders' AND sql IS NOT NULL "
                "AND ((type = 'index' AND name != 'orders_attention') "
                "OR (type = 'trigger' AND name LIKE 'orders_fts_%'))").fetchall()
            con.execute("CREATE TABLE IF NOT EXISTS bulk_restore (sql TEXT NOT NULL)")
            con.executemany("INSERT INTO bulk_restore (sql) VALUES (?)", saved)
            for (name, kind) in con.execute(
                    "SELECT name, type FROM sqlite_master WHERE tbl_name = 'orders' AND "
                    "sql IS NOT NULL AND ((type = 'index' AND name != 'orders_attention') OR "
                    "(type = 'trigger' AND name LIKE 'orders_fts_%'))").fetchall():
                con.execute(f"DROP {kind.upper()} {name}")
        con.execute("PRAGMA cache_size=-262144")
        try:
            yield
        finally:
            con.execute("PRAGMA cache_size=-4000")
            self._finish_bulk_load()

    def _finish_bulk_load(self) -> None:
        con = self.con
        has = con.execute("SELECT 1 FROM sqlite_master WHERE name = 'bulk_restore'").fetchone()
        if not has:
            return
        with self.write():
            for (sql,) in con.execute("SELECT sql FROM bulk_restore").fetchall():
                con.execute(sql)
            con.execute("INSERT INTO orders_fts (orders_fts) VALUES ('rebuild')")
            con.execute("DROP TABLE bulk_restore")

    def integrity_check(self) -> str:
        return str(self.con.execute("PRAGMA integrity_check").fetchone()[0])

    def data_version(self) -> int:
        """Changes when any connection (this process or another) commits to the store."""
        return int(self.con.execute("PRAGMA data_version").fetchone()[0])
