"""The store on a PostgreSQL server shared by a team (``[store] url``), through psycopg 3.

Each thread of a process takes a connection from one pool (psycopg_pool) and keeps it, as
each thread keeps its SQLite connection: the store's code runs the same statements on both
(translated once by ``dialect.statement``) through :class:`PgConnection`, which speaks the
part of ``sqlite3``'s interface the store uses.

The same guarantees as on SQLite, across every process on every server:

- writes are serialised: each write transaction first takes one transaction-level advisory
  lock (``pg_advisory_xact_lock``), as SQLite's ``BEGIN IMMEDIATE`` takes the file's write
  lock, so a check and the write it allows never interleave with another session's; reads
  never wait (a read takes a snapshot);
- one outbox runner at a time: the runner holds a session-level advisory lock on a
  connection of its own (``pg_try_advisory_lock``), released by the server when that
  connection ends, however its process ends;
- a change made anywhere reaches every open screen: triggers on the shared tables
  ``NOTIFY ordertui`` when a transaction commits, and each screen's :class:`PgWatch`
  ``LISTEN``s on a connection of its own (nothing polls a table).
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import psycopg
import psycopg.errors
import psycopg.pq
from psycopg.adapt import Loader
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import RowMaker
from psycopg.types.numeric import Int8Dumper
from psycopg_pool import ConnectionPool, PoolTimeout

from ordertui.domain.errors import StoreRefused, StoreUnavailable
from ordertui.i18n import _
from ordertui.store.dialect import IntegrityError, statement

# the driver's and the pool's warnings go to ordertui's log file when it has one, never to
# the terminal (where a command's one-line error says what went wrong)
logging.getLogger("psycopg").addHandler(logging.NullHandler())

#: the channel every change is announced on
CHANNEL = "ordertui"

#: how long a command waits for a server before it says it cannot reach it
CONNECT_TIMEOUT_S = 5


def is_url(target: object) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def server_name(url: str) -> str:
    """The server and database a URL names, for messages: never its user's password."""
    try:
        info = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return _("the database server in [store] url")
    host = str(info.get("host") or os.environ.get("PGHOST") or "localhost")
    port = str(info.get("port") or os.environ.get("PGPORT") or "5432")
    db = str(info.get("dbname") or os.environ.get("PGDATABASE") or info.get("user") or "")
    where = f"{host}:{port}" if not host.startswith("/") else host
    return f"{where}/{db}" if db else where


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    # libpq names the host and sometimes the user, never the password; keep one line
    return line.removeprefix("connection failed: ")[:200]


def unavailable(url: str, exc: BaseException) -> StoreUnavailable:
    return StoreUnavailable(_("cannot reach the database at {server}: {reason}").format(
        server=server_name(url), reason=_reason(exc)))


class _IntLoader(Loader):
    """``numeric`` as an ``int`` when it is whole (``SUM`` of money units), as SQLite gives."""

    def load(self, data: Any) -> Any:
        from decimal import Decimal
        value = Decimal(bytes(data).decode())
        return int(value) if value == value.to_integral_value() else value


class Row(tuple[Any, ...]):
    """A row read by column name or by position (what ``sqlite3.Row`` gives the store)."""

    _names: dict[str, int]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


def _named_rows(cursor: psycopg.Cursor[Any]) -> RowMaker[Any]:
    names = {d.name: i for i, d in enumerate(cursor.description or ())}
    cls = type("Row", (Row,), {"_names": names})

    def make(values: Sequence[Any]) -> Any:
        return cls(values)
    return make


class PgCursor:
    """The result of one statement, as the store reads ``sqlite3.Cursor``."""

    def __init__(self, cur: psycopg.Cursor[Any], lastrowid: int | None, rows: list[Any] | None
                 ) -> None:
        self._cur = cur
        self.lastrowid = lastrowid
        self.rowcount = cur.rowcount
        self._rows = rows

    def fetchone(self) -> Any:
        if self._rows is not None:
            return self._rows.pop(0) if self._rows else None
        return self._cur.fetchone() if self._cur.description else None

    def fetchall(self) -> list[Any]:
        if self._rows is not None:
            rows, self._rows = self._rows, []
            return rows
        return self._cur.fetchall() if self._cur.description else []

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())

    @property
    def description(self) -> Any:
        return self._cur.description


def _param(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and "\x00" in value:
        # PostgreSQL's text cannot hold NUL: a supplier's NUL is kept as U+FFFD (SQLite keeps
        # it; no screen, export or mail shows it either way)
        return value.replace("\x00", "\ufffd")
    return value


class PgConnection:
    """One pooled connection, speaking the part of ``sqlite3.Connection`` the store uses.

    It runs in autocommit mode: the store begins and ends its transactions itself, as it
    does on SQLite."""

    def __init__(self, raw: psycopg.Connection[Any], url: str, pool: PgPool | None = None
                 ) -> None:
        self.raw = raw
        self.url = url
        self.pool = pool
        self._row_factory: Any = None
        raw.adapters.register_loader("numeric", _IntLoader)
        # every Python int as a bigint, the type of every integer column: a parameter used
        # twice (":c" in a SET and a CASE) must have one type
        raw.adapters.register_dumper(int, Int8Dumper)

    # --- what sqlite3.Connection offers ----------------------------------------------------
    @property
    def row_factory(self) -> Any:
        return self._row_factory

    @row_factory.setter
    def row_factory(self, factory: Any) -> None:
        self._row_factory = factory

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def execute(self, sql: str, params: Iterable[Any] = ()) -> PgCursor:
        text, returning = statement(sql)
        values = params if isinstance(params, dict) else [_param(p) for p in params]
        idle = not self.in_transaction
        cur = self.raw.cursor(row_factory=_named_rows) if self._row_factory else self.raw.cursor()
        try:
            cur.execute(text.encode(), values)
        except psycopg.Error as exc:
            if not (idle and self.raw.broken and self.pool is not None):
                raise self._translate(exc) from exc
            # the connection was lost before this statement (a server restarted, a network
            # that came back): outside a transaction the statement is a read or a BEGIN, so
            # it is run once more on a fresh connection
            self._reconnect()
            cur = self.raw.cursor(row_factory=_named_rows) if self._row_factory \
                else self.raw.cursor()
            try:
                cur.execute(text.encode(), values)
            except psycopg.Error as again:
                raise self._translate(again) from again
        if self.pool is not None and self.pool.down is not None:
            self.pool.down = None
        if returning:
            row = cur.fetchone()
            return PgCursor(cur, int(row[0]) if row else None, [])
        return PgCursor(cur, None, None)

    def executemany(self, sql: str, seq: Iterable[Iterable[Any]]) -> PgCursor:
        text, returning = statement(sql)
        if returning:
            text = text[:-len(" RETURNING id")]
        cur = self.raw.cursor()
        try:
            cur.executemany(text.encode(),
                            [[_param(p) for p in params] for params in seq])
        except psycopg.Error as exc:
            raise self._translate(exc) from exc
        return PgCursor(cur, None, [])

    def _reconnect(self) -> None:
        assert self.pool is not None
        fresh = self.pool.take()  # raises StoreUnavailable while the server is away
        self.pool.pool.putconn(self.raw)  # the pool drops a broken connection
        self.raw = fresh.raw

    def interrupt(self) -> None:
        """Cancel the statement running on this connection (from any thread). It returns
        once the server has the request: the caller (services/reads.py) holds the read's
        lock meanwhile, so the cancel can only meet the statement it was meant for, never
        the next one on this connection."""
        with contextlib.suppress(psycopg.Error):
            self.raw.cancel_safe(timeout=2)

    def close(self) -> None:
        self.raw.close()

    # --- errors ------------------------------------------------------------------------
    def _translate(self, exc: psycopg.Error) -> BaseException:
        """The store's errors as its code catches them on either backend."""
        if isinstance(exc, psycopg.errors.QueryCanceled):
            return sqlite3.OperationalError("interrupted")
        if isinstance(exc, psycopg.errors.IntegrityError):
            return Conflict(_reason(exc))
        if isinstance(exc, psycopg.errors.InsufficientPrivilege):
            return StoreRefused(_("the database at {server} refused this database user: "
                                  "{reason}").format(server=server_name(self.url),
                                                     reason=_reason(exc)))
        if isinstance(exc, psycopg.OperationalError) or self.raw.closed or self.raw.broken:
            lost = unavailable(self.url, exc)
            if self.pool is not None:
                self.pool.down = str(lost)
            return lost
        return exc


class Conflict(IntegrityError):
    """A row that would break a unique or check constraint (PostgreSQL's, told as SQLite's)."""


def _options(url: str, extra: str) -> str:
    """libpq's ``options`` of the URL with ``extra`` after them (the URL's are kept)."""
    try:
        given = str(conninfo_to_dict(url).get("options") or "")
    except psycopg.ProgrammingError:
        given = ""
    return f"{given} {extra}".strip()


class PgPool:
    """The process's connections to one database."""

    def __init__(self, url: str, *, password: str | None = None, max_size: int = 8) -> None:
        self.url = url
        kwargs: dict[str, Any] = {"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S,
                                  "application_name": "ordertui",
                                  # the store's queries are short: compiling one to machine
                                  # code (JIT) costs more than it saves (60 ms on a count)
                                  "options": _options(url, "-c jit=off")}
        if password:
            kwargs["password"] = password
        self.kwargs = kwargs
        #: why the server cannot be reached, while it cannot (None: it answers)
        self.down: str | None = None
        self.pool = ConnectionPool(url, kwargs=kwargs, min_size=1, max_size=max_size,
                                   open=False, timeout=CONNECT_TIMEOUT_S * 2,
                                   reconnect_timeout=0, name="ordertui")
        try:
            self.pool.open(wait=True, timeout=CONNECT_TIMEOUT_S * 2)
        except (PoolTimeout, psycopg.Error) as exc:
            self.pool.close(timeout=0)
            raise unavailable(url, self._first_error(exc)) from None

    def _first_error(self, exc: BaseException) -> BaseException:
        """The reason a connection cannot be made (the pool only says it timed out)."""
        try:
            psycopg.connect(self.url, **self.kwargs).close()
        except psycopg.Error as direct:
            return direct
        return exc

    def take(self) -> PgConnection:
        if self.down is not None:
            # while the server is away, one quick try of its own instead of waiting for the
            # pool: a screen asking again learns at once, and the first answer brings it back
            try:
                psycopg.connect(self.url, **self.kwargs).close()
            except psycopg.Error as exc:
                lost = unavailable(self.url, exc)
                self.down = str(lost)
                raise lost from None
        try:
            raw = self.pool.getconn()
        except (PoolTimeout, psycopg.Error) as exc:
            lost = unavailable(self.url, self._first_error(exc))
            self.down = str(lost)
            raise lost from None
        self.down = None
        return PgConnection(raw, self.url, self)

    def give_back(self, con: PgConnection) -> None:
        with contextlib.suppress(Exception):
            if con.in_transaction and not con.raw.broken:
                con.raw.rollback()
            self.pool.putconn(con.raw)

    def connect(self) -> psycopg.Connection[Any]:
        """A connection of its own, outside the pool (a watch's, the runner's lock)."""
        try:
            return psycopg.connect(self.url, **self.kwargs)
        except psycopg.Error as exc:
            raise unavailable(self.url, exc) from None

    def close(self) -> None:
        self.pool.close(timeout=2)


class PgWatch:
    """``LISTEN``s for the changes every session announces; ``version()`` counts them.

    Reading what has arrived reads the connection's socket, no query: call ``version()`` as
    often as the screen likes. A lost connection is opened again on a later call (and counts
    as a change, since something may have happened meanwhile)."""

    def __init__(self, pool: PgPool) -> None:
        self.pool = pool
        self._con: psycopg.Connection[Any] | None = None
        self._count = 0
        self._problem: str | None = None

    def problem(self) -> str | None:
        """Why the watch's connection is down, when it is."""
        return None if self.connected() else self._problem

    def version(self) -> int:
        try:
            if self._con is None or self._con.closed or self._con.broken:
                self._con = self.pool.connect()
                self._con.execute(f"LISTEN {CHANNEL}")
                self._count += 1
            pgconn = self._con.pgconn
            ready, _w, _x = select.select([pgconn.socket], [], [], 0)
            if ready:
                pgconn.consume_input()
                if pgconn.status == psycopg.pq.ConnStatus.BAD:
                    raise psycopg.OperationalError("connection lost")
            while pgconn.notifies() is not None:
                self._count += 1
            self._problem = None
        except StoreUnavailable as exc:
            self._problem = str(exc)
            self.close()
        except (psycopg.Error, OSError) as exc:
            self._problem = str(unavailable(self.pool.url, exc))
            self.close()
        return self._count

    def connected(self) -> bool:
        """Whether the watch's own connection is up (it reconnects in ``version()``)."""
        return self._con is not None and not self._con.closed and not self._con.broken

    def close(self) -> None:
        if self._con is not None:
            with contextlib.suppress(psycopg.Error):
                self._con.close()
            self._con = None


class PgLock:
    """A session-level advisory lock held on a connection of its own."""

    def __init__(self, pool: PgPool, key: int) -> None:
        self.pool = pool
        self.key = key
        self._con: psycopg.Connection[Any] | None = None
        self._mutex = threading.Lock()

    def acquire(self, wait_s: float = 0.0) -> bool:
        """Take the lock if it is free, or as soon as it is within ``wait_s`` seconds (the
        server queues the waiters); whether it is held now."""
        with self._mutex:
            if self._con is not None:
                try:  # still held: the session that holds it is alive
                    self._con.execute("SELECT 1")
                    return True
                except psycopg.Error:
                    with contextlib.suppress(psycopg.Error):
                        self._con.close()
                    self._con = None  # the server let it go with the session
            con = self.pool.connect()
            try:
                if wait_s > 0:
                    con.execute(f"SET lock_timeout = {max(int(wait_s * 1000), 1)}")
                    try:
                        con.execute("SELECT pg_advisory_lock(%s)", (self.key,))
                        got = True
                    except psycopg.errors.LockNotAvailable:
                        got = False
                else:
                    row = con.execute("SELECT pg_try_advisory_lock(%s)",
                                      (self.key,)).fetchone()
                    got = bool(row and row[0])
            except psycopg.Error as exc:
                con.close()
                raise unavailable(self.pool.url, exc) from None
            if got:
                self._con = con
                return True
            con.close()
            return False

    def held(self) -> bool:
        """Taken, as far as this process knows (``acquire`` asks the server again)."""
        return self._con is not None

    def release(self) -> None:
        with self._mutex:
            if self._con is not None:
                with contextlib.suppress(psycopg.Error):
                    self._con.close()  # the server lets the lock go with the session
                self._con = None
