"""The local store: SQLite in WAL mode, one connection per thread.

Screens read only from here (invariant 1 in docs/architecture.md). Writes happen in short ``BEGIN
IMMEDIATE``
transactions so that two ordertui sessions on one data directory stay consistent.
"""

from __future__ import annotations

import contextlib
import functools
import getpass
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, Protocol, TypeVar, cast

from ordertui.domain.errors import StoreBusy, StoreOutdated
from ordertui.i18n import _
from ordertui.sqlite_file import committed
from ordertui.store.dialect import WRITE_LOCK, named_lock_key
from ordertui.store.schema import LATEST, MIGRATIONS
from ordertui.store.watch import FileLock, StoreWatch

if TYPE_CHECKING:
    from ordertui.store.postgres import PgLock, PgPool, PgWatch


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


def _login() -> str:
    """The user name of the login ordertui runs in (an SSH login's, say)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""


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
    """The store's database: a connection per thread, transactions, the schema.

    ``target`` is the SQLite file, or a ``postgresql://`` URL of a database shared by a team
    (``postgres.py``); the code of the store runs the same statements on both."""

    def __init__(self, target: Path | str, *, password: str | None = None) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[Any] = []
        #: transactions under way on any thread: ``close`` waits for them, since closing a
        #: connection another thread is running a statement on can crash the process
        self._active = 0
        self._idle = threading.Condition()
        self.pg: PgPool | None = None
        if isinstance(target, str) and target.startswith(("postgresql://", "postgres://")):
            from ordertui.store.postgres import PgPool, server_name
            self.url: str | None = target
            self.path = Path()
            self.where = server_name(target)
            self.pg = PgPool(target, password=password)
        else:
            self.url = None
            self.path = Path(target)
            self.where = str(self.path)
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.migrate()
        self._finish_bulk_load()
        #: who this session's audit entries name: the login's user name, the database user
        self.login = _login()
        self.db_user = "" if self.pg is None else str(
            self.con.execute("SELECT current_user").fetchone()[0])

    @property
    def unavailable(self) -> str | None:
        """Why the shared database cannot be reached right now, in one line (None: it
        answers, or the store is a SQLite file)."""
        return None if self.pg is None else self.pg.down

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return "sqlite" if self.pg is None else "postgresql"

    # --- connections ---------------------------------------------------------------------
    @property
    def con(self) -> sqlite3.Connection:
        con: Any = getattr(self._local, "con", None)
        if con is not None and self.pg is not None and (con.raw.broken or con.raw.closed):
            self._drop_connection(con)  # lost: the pool replaces it
            con = None
        if con is None:
            if self.pg is not None:
                con = self.pg.take()
            else:
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
        return cast(sqlite3.Connection, con)

    def _drop_connection(self, con: Any) -> None:
        with self._lock:
            if con in self._connections:
                self._connections.remove(con)
        if self.pg is not None:
            self.pg.give_back(con)
        self._local.con = None

    def interrupter(self) -> Callable[[], None]:
        """A function that interrupts the statement the calling thread's connection is
        running (it then raises ``sqlite3.OperationalError`` "interrupted" on that thread).
        Take it on the thread that runs the query; call it later from any thread."""
        return self.con.interrupt

    def watch(self) -> StoreWatch | PgWatch:
        """A watch for other connections' commits, on a connection of its own opened on
        first use; call its ``version()`` and ``close()`` on one and the same thread."""
        if self.pg is not None:
            from ordertui.store.postgres import PgWatch
            return PgWatch(self.pg)
        return StoreWatch(self.path)

    def exclusive(self, name: str) -> FileLock | PgLock:
        """A lock by name that one process at a time holds, across every process sharing
        the store (the outbox runner's, an adapter's token lock): an advisory lock of
        PostgreSQL's (``dialect.named_lock_key``), an ``flock`` on ``<name>.lock`` beside
        the SQLite file; either is let go when its holder's process ends, however it ends."""
        if self.pg is not None:
            from ordertui.store.postgres import PgLock
            return PgLock(self.pg, named_lock_key(name))
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
        return FileLock(self.path.parent / f"{safe}.lock")

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
                with contextlib.suppress(Exception):
                    if self.pg is not None:
                        self.pg.give_back(con)
                    else:
                        con.close()
            self._connections.clear()
        self._local = threading.local()
        if self.pg is not None:
            self.pg.close()

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction. Nested use joins the outer transaction."""
        con = self.con
        if con.in_transaction:
            yield con
            return
        with self.working():
            try:
                if self.pg is not None:
                    con.execute("BEGIN")
                    # one writer at a time across every process, as BEGIN IMMEDIATE on SQLite
                    con.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))
                else:
                    con.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise StoreBusy(_("the store at {path} is busy ({error}); try again").format(
                    path=self.where, error=exc)) from exc
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
            con.execute("BEGIN" if self.pg is None else "BEGIN ISOLATION LEVEL REPEATABLE READ")
            try:
                yield con
            finally:
                con.execute("COMMIT")

    @contextlib.contextmanager
    def attempt(self) -> Iterator[None]:
        """Statements that may break a constraint (``IntegrityError``) inside a transaction
        that goes on after it: SQLite undoes just the failed statement, PostgreSQL the whole
        transaction, unless the statement runs in a savepoint, as here."""
        if self.pg is None:
            yield
            return
        con = self.con
        con.execute("SAVEPOINT attempt")
        try:
            yield
        except BaseException:
            con.execute("ROLLBACK TO SAVEPOINT attempt")
            con.execute("RELEASE SAVEPOINT attempt")
            raise
        con.execute("RELEASE SAVEPOINT attempt")

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
        if self.pg is not None:
            row = self.con.execute("SELECT version FROM ordertui_schema").fetchone() \
                if self._pg_has("ordertui_schema") else None
            return int(row[0]) if row else 0
        return int(self.con.execute("PRAGMA user_version").fetchone()[0])

    def _pg_has(self, table: str) -> bool:
        return self.con.execute("SELECT to_regclass(?) IS NOT NULL", (table,)).fetchone()[0]

    def migrate(self, target: int = LATEST) -> int:
        """Apply the migrations this store lacks, each in its own transaction."""
        if self.pg is not None:
            return self._migrate_pg(target)
        con = self.con
        while True:
            with self.write():
                current = int(con.execute("PRAGMA user_version").fetchone()[0])
                if current >= target:
                    return current
                for statement in _split_sql(MIGRATIONS[current]):
                    con.execute(statement)
                con.execute(f"PRAGMA user_version = {current + 1}")

    def _migrate_pg(self, target: int) -> int:
        """The same migrations on PostgreSQL (``dialect.pg_migrations``); the version is kept
        in ``ordertui_schema``. Sessions starting at once wait for each other's migration
        (the write lock), and a database user that may not change the schema is told to
        ask its owner when the schema is behind."""
        import psycopg.errors

        from ordertui.store.dialect import pg_migrations
        steps = pg_migrations()
        raw = cast(Any, self.con).raw
        while True:
            current = -1  # not read yet
            try:
                with self.write():
                    if not self._pg_has("ordertui_schema"):
                        current = 0
                        raw.execute("CREATE TABLE ordertui_schema (version INTEGER NOT NULL)")
                        raw.execute("INSERT INTO ordertui_schema VALUES (0)")
                    current = int(raw.execute("SELECT version FROM ordertui_schema"
                                              ).fetchone()[0])
                    if current >= target:
                        return current
                    for sql in steps[current]:
                        raw.execute(sql.encode())
                    raw.execute("UPDATE ordertui_schema SET version = %s", (current + 1,))
            except psycopg.errors.InsufficientPrivilege:
                if current < 0:
                    raise StoreOutdated(_(
                        "the database user may not read the store at {server}; the "
                        "database's owner gives it a role with 'ordertui store grant'"
                    ).format(server=self.where)) from None
                raise StoreOutdated(_(
                    "the database at {server} has schema version {version} and this ordertui "
                    "needs {latest}; the database's owner runs 'ordertui store migrate'"
                ).format(server=self.where, version=current, latest=target)) from None

    def grant(self, users: dict[str, frozenset[str]]) -> None:
        """Give each database user what its role allows (``{user: permission words}``), in
        one transaction; only the owner of the schema can. On SQLite there is nothing to
        grant: a file is readable and writable as a whole."""
        if self.pg is None:
            return
        from ordertui.store.dialect import grants
        raw = cast(Any, self.con).raw
        with self.write():
            for user, allow in sorted(users.items()):
                for sql in grants(user, allow):
                    raw.execute(sql.encode())

    # --- bulk loading ------------------------------------------------------------------
    @contextlib.contextmanager
    def bulk_load(self) -> Iterator[None]:
        """Load many orders fast: the orders' secondary indexes and search triggers are
        dropped during the load and rebuilt (by sorting, much faster than row by row) after.

        What was dropped is written down in the same transaction, so a load killed halfway is
        finished the next time the store is opened."""
        if self.pg is not None:  # PostgreSQL keeps its indexes up to date as it goes
            yield
            return
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
        if self.pg is not None:
            return
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
        if self.pg is not None:
            return "ok"  # the server keeps its own pages whole
        return str(self.con.execute("PRAGMA integrity_check").fetchone()[0])

    def data_version(self) -> int:
        """Changes when any connection (this process or another) commits to the store."""
        return int(self.con.execute("PRAGMA data_version").fetchone()[0])
