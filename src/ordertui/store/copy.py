"""Copying a shop's SQLite store into an empty PostgreSQL database (``ordertui store copy``).

Every table of the schema is copied table by table, in an order that satisfies the foreign
keys (a table after the tables it refers to), in batches read from the SQLite file by primary
key and written with ``COPY`` in one transaction each. Ids are kept: the identity columns take
the rows' own ids, and each identity's sequence is then set to the largest (so that new rows
go on from there).

- ``search`` on orders is computed by PostgreSQL, and is not copied; ``return_items``' ``rowid``
  (PostgreSQL's own column) takes SQLite's rowid, the order a return's items were written in.
- The triggers stay active: nothing here needs a superuser, or even more than the owner of
  the database's tables. ``order_counts`` (kept by triggers on orders) is filled by them as
  the orders arrive and then replaced, in one transaction, by the source's own rows (which
  also keeps its counts gone to zero); the audit log only refuses UPDATE and DELETE.
- Resumable: what has been copied is written down in the target, in a table
  ``ordertui_copy`` (table, last key, rows, done), in the same transaction as each batch; a
  copy that stopped halfway goes on where it stopped when it is run again. A database that
  holds only a half-finished copy of the same SQLite file is not "not empty"; the table is
  dropped once the copy is complete and checked.
- Checked: each table's rows are counted and hashed on both sides, the same way (rows in
  primary key order, each value rendered with its type, NULL apart from '').

Run it with ordertui stopped on the source store: each run reads one snapshot of the SQLite
file, and a change made between two runs is found by the check at the end.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from ordertui.domain.errors import OrdertuiError
from ordertui.i18n import _
from ordertui.store.connection import StoreBase

#: rows read and written per transaction
BATCH = 5_000

#: where the target keeps the progress of a copy under way
PROGRESS = "ordertui_copy"
#: the row of PROGRESS that names the source of the copy
SOURCE_ROW = ":source"

#: tables kept by triggers on the target as the rows they count arrive: replaced whole, last
REPLACED = ("order_counts",)

#: tables of the target that are not the store's data
OWN_TABLES = ("ordertui_schema", PROGRESS)


class CopyRefused(OrdertuiError):
    """The target cannot take this copy (not empty, another copy, another schema)."""


@dataclass(frozen=True)
class Table:
    """A table as it is copied: its columns (on both sides, in the target's order; ``rowid``
    is SQLite's), its key (the columns the rows are read and compared in order of) and its
    identity columns."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    identities: tuple[str, ...]

    @property
    def key_at(self) -> tuple[int, ...]:
        return tuple(self.columns.index(k) for k in self.key)


@dataclass(frozen=True)
class TableCheck:
    """A table compared after the copy: rows and checksum on both sides."""

    name: str
    source_rows: int
    target_rows: int
    source_sum: str
    target_sum: str

    @property
    def ok(self) -> bool:
        return self.source_rows == self.target_rows and self.source_sum == self.target_sum


#: called after each batch is committed (table, rows of it copied so far): a test stops a
#: copy halfway through it
def after_batch(table: str, copied: int) -> None:
    return None


Report = Callable[[str, int, int, bool], None]
"""told of each table's progress: (table, rows copied, rows in all, table finished)"""


# --- the schema on both sides ----------------------------------------------------------

def _source_tables(con: sqlite3.Connection) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE 'orders_fts%' AND name != 'bulk_restore' ORDER BY name")]


def _target_tables(raw: Any) -> list[str]:
    rows = raw.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = "
        "current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name").fetchall()
    return [r[0] for r in rows if r[0] not in OWN_TABLES]


def _tables(source: sqlite3.Connection, raw: Any, where: str) -> list[Table]:
    """The tables to copy, in an order that satisfies the foreign keys."""
    mine, theirs = _source_tables(source), _target_tables(raw)
    if set(mine) != set(theirs):
        raise CopyRefused(_("the database at {server} has other tables than the store "
                            "({tables}); copy into an empty database").format(
            server=where, tables=", ".join(sorted(set(mine) ^ set(theirs)))))
    tables = []
    for name in mine:
        info = source.execute(f"PRAGMA table_info({name})").fetchall()
        have = {r[1] for r in info}
        cols = raw.execute(
            "SELECT column_name, is_generated, is_identity FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s "
            "ORDER BY ordinal_position", (name,)).fetchall()
        columns = tuple(c[0] for c in cols if c[1] != "ALWAYS")
        missing = (have - set(columns)) | {c for c in columns if c not in have and c != "rowid"}
        if missing:
            raise CopyRefused(_("the table {table} differs between the store and the database "
                                "at {server} ({columns})").format(
                table=name, server=where, columns=", ".join(sorted(missing))))
        key = tuple(r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5])) \
            or ("rowid",)
        if any(k not in columns for k in key):
            raise CopyRefused(_("the table {table} differs between the store and the database "
                                "at {server} ({columns})").format(
                table=name, server=where, columns=", ".join(key)))
        tables.append(Table(name, columns, key,
                            tuple(c[0] for c in cols if c[2] == "YES")))
    return _ordered(source, tables)


def _ordered(source: sqlite3.Connection, tables: list[Table]) -> list[Table]:
    """Each table after those it refers to (by name where free to choose), REPLACED last."""
    needs = {t.name: {r[2] for r in source.execute(f"PRAGMA foreign_key_list({t.name})")
                      if r[2] != t.name} for t in tables}
    by_name = {t.name: t for t in tables}
    order: list[Table] = []
    done: set[str] = set()
    while len(done) < len(tables):
        ready = sorted(n for n in by_name if n not in done and needs[n] <= done)
        if not ready:  # a cycle of foreign keys: the schema has none
            ready = sorted(n for n in by_name if n not in done)
        for name in ready:
            done.add(name)
            order.append(by_name[name])
    return ([t for t in order if t.name not in REPLACED]
            + [t for t in order if t.name in REPLACED])


# --- checksums ------------------------------------------------------------------------

def _render(value: Any) -> bytes:
    """One value with its type: NULL is not '', 1 is not '1', bytes are not text."""
    if value is None:
        return b"N"
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        return b"i" + str(value).encode()
    if isinstance(value, float):
        return b"f" + repr(value).encode()
    if isinstance(value, str):
        return b"s" + value.encode("utf-8", "surrogatepass")
    if isinstance(value, bytes | bytearray | memoryview):
        return b"b" + bytes(value)
    return b"?" + repr(value).encode()


def checksum(rows: Iterable[Iterable[Any]]) -> tuple[int, str]:
    """How many rows, and a SHA-256 over them, each value rendered with its type and length."""
    h = hashlib.sha256()
    n = 0
    for row in rows:
        n += 1
        for value in row:
            text = _render(value)
            h.update(len(text).to_bytes(8, "big"))
            h.update(text)
        h.update(b"\n")
    return n, h.hexdigest()


# --- the copy -------------------------------------------------------------------------

def _cols(table: Table) -> str:
    return ", ".join(table.columns)


def _read(source: sqlite3.Connection, table: Table, after: list[Any] | None,
          limit: int | None) -> list[tuple[Any, ...]]:
    key = ", ".join(table.key)
    sql = f"SELECT {_cols(table)} FROM {table.name}"
    params: list[Any] = []
    if after is not None:
        marks = ", ".join("?" for _k in table.key)
        sql += f" WHERE ({key}) > ({marks})" if len(table.key) > 1 else f" WHERE {key} > ?"
        params.extend(after)
    sql += f" ORDER BY {key}"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [tuple(r) for r in source.execute(sql, params)]


def _write(raw: Any, table: Table, rows: list[tuple[Any, ...]]) -> None:
    with raw.cursor() as cur, cur.copy(
            f"COPY {table.name} ({_cols(table)}) FROM STDIN".encode()) as copy:
        for row in rows:
            copy.write_row(row)


def _progress(raw: Any) -> dict[str, tuple[list[Any] | None, int, bool]]:
    rows = raw.execute(f"SELECT table_name, last_key, copied, done FROM {PROGRESS}").fetchall()
    return {r[0]: (json.loads(r[1]) if r[1] else None, int(r[2]), bool(r[3])) for r in rows}


def _save(raw: Any, table: str, last: list[Any] | None, copied: int, done: bool) -> None:
    raw.execute(
        f"INSERT INTO {PROGRESS} (table_name, last_key, copied, done) VALUES (%s, %s, %s, %s) "
        "ON CONFLICT (table_name) DO UPDATE SET last_key = EXCLUDED.last_key, "
        "copied = EXCLUDED.copied, done = EXCLUDED.done",
        (table, json.dumps(last) if last is not None else None, copied, int(done)))


def _sequences(raw: Any, table: Table) -> None:
    """Each identity column's sequence set to the largest id copied."""
    for column in table.identities:
        raw.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), m) FROM "
            f"(SELECT max({column}) AS m FROM {table.name}) AS x WHERE m IS NOT NULL",
            (table.name, column))


def _empty_or_resuming(raw: Any, tables: list[Table], source_id: str, where: str) -> bool:
    """Whether a copy of the same source is under way in the target (else the target must
    be empty, and the record of a copy is begun)."""
    if raw.execute("SELECT to_regclass(%s) IS NOT NULL", (PROGRESS,)).fetchone()[0]:
        row = raw.execute(f"SELECT last_key FROM {PROGRESS} WHERE table_name = %s",
                          (SOURCE_ROW,)).fetchone()
        theirs = json.loads(row[0]) if row and row[0] else None
        if theirs != [source_id]:
            raise CopyRefused(_("the database at {server} holds part of a copy of another "
                                "store ({other}); copy into an empty database").format(
                server=where, other=theirs[0] if theirs else "?"))
        return True
    for table in tables:
        if raw.execute(f"SELECT EXISTS (SELECT 1 FROM {table.name})").fetchone()[0]:
            raise CopyRefused(_("the database at {server} is not empty (the table {table} "
                                "has rows); copy into an empty database").format(
                server=where, table=table.name))
    raw.execute(f"CREATE TABLE {PROGRESS} (table_name TEXT PRIMARY KEY, last_key TEXT, "
                "copied BIGINT NOT NULL DEFAULT 0, done INTEGER NOT NULL DEFAULT 0)")
    _save(raw, SOURCE_ROW, [source_id], 0, False)
    return False


def copy_store(source: StoreBase, target: StoreBase, *, batch: int = BATCH,
               report: Report | None = None) -> tuple[bool, list[TableCheck]]:
    """Copy the SQLite store ``source`` into the PostgreSQL store ``target`` (empty, or
    holding a half-finished copy of the same source); return whether it resumed one, and
    each table compared on both sides. The record of the copy is dropped when every table is
    equal."""
    if source.backend != "sqlite" or target.backend != "postgresql":
        raise CopyRefused(_("a copy goes from a SQLite store to a PostgreSQL database"))
    if source.version != target.version:
        raise CopyRefused(_("the store is at schema version {mine}, the database at {server} "
                            "at {theirs}; run 'ordertui store migrate' on both").format(
            mine=source.version, server=target.where, theirs=target.version))
    source_id = str(source.path.resolve())
    with source.read() as scon:  # one snapshot of the source for the whole run
        with target.write() as tcon:
            raw = cast(Any, tcon).raw
            tables = _tables(scon, raw, target.where)
            resumed = _empty_or_resuming(raw, tables, source_id, target.where)
        for table in tables:
            _copy_table(scon, target, table, batch, report)
        checks = _check(scon, target, tables)
    if all(c.ok for c in checks):
        with target.write() as tcon:
            cast(Any, tcon).raw.execute(f"DROP TABLE IF EXISTS {PROGRESS}")
        # the planner's statistics and the visibility map of what was just loaded, now
        # rather than when autovacuum comes by: a search's count then reads the index alone
        for table in tables:
            cast(Any, target.con).raw.execute(f'VACUUM (ANALYZE) "{table.name}"')
    return resumed, checks


def _copy_table(scon: sqlite3.Connection, target: StoreBase, table: Table, batch: int,
                report: Report | None) -> None:
    total = int(scon.execute(f"SELECT COUNT(*) FROM {table.name}").fetchone()[0])
    with target.read() as tcon:
        last, copied, done = _progress(cast(Any, tcon).raw).get(table.name, (None, 0, False))
    if done:
        if report:
            report(table.name, copied, total, True)
        return
    if table.name in REPLACED:
        rows = _read(scon, table, None, None)
        with target.write() as tcon:
            raw = cast(Any, tcon).raw
            raw.execute(f"DELETE FROM {table.name}")
            _write(raw, table, rows)
            _save(raw, table.name, None, len(rows), True)
        if report:
            report(table.name, len(rows), total, True)
        after_batch(table.name, len(rows))
        return
    while not done:
        rows = _read(scon, table, last, batch)
        done = len(rows) < batch
        if rows:
            last = [rows[-1][i] for i in table.key_at]
        copied += len(rows)
        with target.write() as tcon:
            raw = cast(Any, tcon).raw
            if rows:
                _write(raw, table, rows)
            if done:
                _sequences(raw, table)
            _save(raw, table.name, last, copied, done)
        if report:
            report(table.name, copied, total, done)
        after_batch(table.name, copied)


def _check(scon: sqlite3.Connection, target: StoreBase, tables: list[Table]
           ) -> list[TableCheck]:
    checks = []
    for table in tables:
        n_source, sum_source = checksum(
            scon.execute(f"SELECT {_cols(table)} FROM {table.name} "
                         f"ORDER BY {', '.join(table.key)}"))
        with target.read() as tcon:
            raw = cast(Any, tcon).raw
            with raw.cursor(name="ordertui_check") as cur:
                cur.itersize = BATCH
                cur.execute(f"SELECT {_cols(table)} FROM {table.name} "
                            f"ORDER BY {', '.join(table.key)}".encode())
                n_target, sum_target = checksum(cur)
        checks.append(TableCheck(table.name, n_source, n_target, sum_source, sum_target))
    return checks


# --- the schema version, without migrating ---------------------------------------------

def schema_version(target: Path | str, password: str | None = None) -> int:
    """The schema version of a store as it is, before opening it (which migrates it)."""
    from ordertui.store.postgres import is_url
    if is_url(target):
        import psycopg

        from ordertui.store.postgres import CONNECT_TIMEOUT_S, unavailable
        url = str(target)
        kwargs: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT_S, "autocommit": True,
                                  "application_name": "ordertui"}
        if password:
            kwargs["password"] = password
        try:
            with psycopg.connect(url, **kwargs) as pg:
                has = pg.execute("SELECT to_regclass('ordertui_schema') IS NOT NULL"
                                 ).fetchone()
                if not has or not has[0]:
                    return 0
                row = pg.execute("SELECT version FROM ordertui_schema").fetchone()
                return int(row[0]) if row else 0
        except psycopg.Error as exc:
            raise unavailable(url, exc) from None
    path = Path(target)
    if not path.exists():
        return 0
    lite = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(lite.execute("PRAGMA user_version").fetchone()[0])
    finally:
        lite.close()
