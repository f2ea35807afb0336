"""PostgreSQL for the tests: the tests' way to a server, and fresh databases on it.

The server is the one ``ORDERTUI_TEST_PG`` names (a superuser's URL,
``postgresql://USER:PASSWORD@HOST:PORT/postgres``; ``.ci/run`` starts one and sets it).
Without it, the first test that asks starts a private throwaway cluster the way
``.ci/postgres.sh`` does — initdb and pg_ctl from PostgreSQL's server programs (Debian's
``/usr/lib/postgresql/*/bin``) in a temporary directory (in /dev/shm when it has room), as
the ``postgres`` OS user when run as root, on a free port of 127.0.0.1, superuser
``ordertui_test`` with a random password (scram-sha-256), UTF8 in the C.UTF-8 locale, UTC,
fsync off — once per process, and stops it when the process ends, however it ends (a
watcher stops it when the process is killed). The processes the tests start inherit its URL
in ``ORDERTUI_TEST_PG``. With neither, the test fails with one line saying how to get
PostgreSQL: it is never skipped.

- ``admin_url()``: the superuser's URL (its database: ``postgres``);
- ``fresh_database()``: a new, empty database (from template0; pg_trgm and unaccent can be
  created in it), its URL; ``drop_database(url)`` drops it, connections and all;
- ``login_role(name, password, database)``: a role that logs in with a password and is not a
  superuser, its URL on that database.

The fixtures ``pg_admin`` and ``pg_url`` (a fresh database per test, dropped after it) are in
tests/conftest.py. Needs PostgreSQL 13 or newer.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

#: the variable naming the tests' server: a superuser's URL
ENV = "ORDERTUI_TEST_PG"
#: the superuser of a private cluster
SUPERUSER = "ordertui_test"
#: every database fresh_database makes is named so (and only those are dropped)
PREFIX = "ordertui_test_"

HOW = (f"PostgreSQL is needed: set {ENV}=postgresql://USER:PASSWORD@HOST:PORT/postgres "
       "(a superuser), or install its server programs for the tests to start their own "
       "(Debian/Ubuntu: apt-get install postgresql postgresql-contrib); .ci/run does both")

_lock = threading.RLock()
_admin: str | None = None
_failure: str | None = None
_conn: tuple[int, psycopg.Connection] | None = None  # (pid, connection) of the admin
_names = itertools.count(1)


# --- the server ------------------------------------------------------------------------------

def server_bin() -> Path | None:
    """The directory of initdb and pg_ctl: pg_config's, else the newest of Debian's
    /usr/lib/postgresql/*/bin, else the one on the PATH; None when there is none."""
    candidates: list[Path] = []
    if pg_config := shutil.which("pg_config"):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True,
                                 timeout=10, check=True).stdout.strip()
            if out:
                candidates.append(Path(out))

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", path.parent.name)) or (0,)

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    if initdb := shutil.which("initdb"):
        candidates.append(Path(initdb).resolve().parent)
    for path in candidates:
        if (path / "initdb").is_file() and (path / "pg_ctl").is_file():
            return path
    return None


def _utf8_locale() -> str:
    try:
        names = subprocess.run(["locale", "-a"], capture_output=True, text=True,
                               timeout=10).stdout.split()
    except (OSError, subprocess.SubprocessError):
        names = []
    return "C.UTF-8" if {"c.utf8", "c.utf-8"} & {n.lower() for n in names} else "C"


def _parent() -> str:
    """Where a private cluster goes: /dev/shm when it has 4 GiB free (RAM: a database is
    created and dropped there in ~10 ms, ten times faster than on a busy disk), else the
    temporary directory."""
    try:
        if shutil.disk_usage("/dev/shm").free >= 4 << 30 and os.access("/dev/shm", os.W_OK):
            return "/dev/shm"
    except OSError:
        pass
    return tempfile.gettempdir()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Runs beside the test process, its stdin the read end of a pipe only that process holds:
# when the process ends, however it ends, the read returns, and the cluster is stopped and
# its directory deleted.
_WATCHER = """
import shutil, subprocess, sys
sys.stdin.buffer.read()
subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
               cwd=sys.argv[1], check=False)
shutil.rmtree(sys.argv[1], ignore_errors=True)
"""


@dataclass
class Cluster:
    """A private throwaway cluster: ``Cluster.start()``, ``url``, ``stop()``."""

    directory: Path
    url: str
    _pipe: int = field(repr=False)
    _watcher: subprocess.Popen[bytes] = field(repr=False)

    @classmethod
    def start(cls, bindir: Path | None = None) -> Cluster:
        """Initialises and starts a cluster; fails the test with HOW without PostgreSQL."""
        bindir = bindir or server_bin()
        if bindir is None:
            pytest.fail(HOW, pytrace=False)
        as_owner: list[str] = []
        owner: tuple[int, int] | None = None
        if os.geteuid() == 0:  # the server refuses to run as root
            import pwd

            try:
                entry = pwd.getpwnam("postgres")
            except KeyError:
                pytest.fail("PostgreSQL's server cannot run as root and there is no postgres "
                            f"OS user to run it; set {ENV} or run the tests as another user",
                            pytrace=False)
            owner = (entry.pw_uid, entry.pw_gid)
            as_owner = ["runuser", "-u", "postgres", "--"]
        directory = Path(tempfile.mkdtemp(prefix="ordertui-pg-", dir=_parent()))
        try:
            return cls._init(bindir, directory, as_owner, owner)
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise

    @classmethod
    def _init(cls, bindir: Path, directory: Path, as_owner: list[str],
              owner: tuple[int, int] | None) -> Cluster:
        data = directory / "data"
        password = secrets.token_hex(16)
        pwfile = directory / "pw"
        pwfile.write_text(password + "\n")
        if owner:
            for path in (directory, pwfile):
                os.chown(path, *owner)

        def run(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([*as_owner, *args], cwd=directory, capture_output=True,
                                  text=True, timeout=120, start_new_session=True)

        done = run(str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER,
                   f"--pwfile={pwfile}", "--auth=scram-sha-256", "--encoding=UTF8",
                   f"--locale={_utf8_locale()}", "--no-sync")
        pwfile.unlink()
        if done.returncode:
            pytest.fail(f"initdb failed: {(done.stderr or done.stdout).strip()[-500:]}",
                        pytrace=False)
        with (data / "postgresql.conf").open("a") as conf:
            conf.write("\n# ordertui's tests: a throwaway cluster\n"
                       "listen_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{directory}'\n"
                       "max_connections = 300\n"
                       "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                       "timezone = 'UTC'\n")
        stop = [*as_owner, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                "-w", "-s", "stop"]
        read, write = os.pipe()
        watcher = subprocess.Popen([sys.executable, "-c", _WATCHER, str(directory), *stop],
                                   stdin=read, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, cwd="/",
                                   start_new_session=True)
        os.close(read)
        for _attempt in range(5):
            port = _free_port()
            done = run(str(bindir / "pg_ctl"), "-D", str(data),
                       "-l", str(directory / "server.log"), "-o", f"-p {port}",
                       "-w", "-t", "60", "-s", "start")
            if done.returncode == 0:
                break
        else:
            log = directory / "server.log"
            tail = log.read_text(errors="replace")[-500:] if log.exists() else done.stderr
            os.close(write)
            watcher.wait(60)
            pytest.fail(f"PostgreSQL did not start: {tail.strip()}", pytrace=False)
        url = f"postgresql://{SUPERUSER}:{password}@127.0.0.1:{port}/postgres"
        return cls(directory, url, write, watcher)

    def stop(self) -> None:
        """Stops the cluster and deletes its directory (the watcher does both)."""
        with contextlib.suppress(OSError):
            os.close(self._pipe)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._watcher.wait(60)


def admin_url() -> str:
    """The superuser's URL: ``ORDERTUI_TEST_PG``, else a private cluster's, started on the
    first call and stopped when the process ends; fails the test with HOW without either."""
    global _admin, _failure
    with _lock:
        if url := os.environ.get(ENV):
            return url
        if _admin:
            return _admin
        if _failure:
            pytest.fail(_failure, pytrace=False)
        try:
            cluster = Cluster.start()
        except pytest.fail.Exception as failed:
            _failure = str(failed.msg)
            raise
        atexit.register(cluster.stop)
        _admin = cluster.url
        os.environ[ENV] = cluster.url  # the processes the tests start use it too
        return cluster.url


# --- URLs ------------------------------------------------------------------------------------

def database_name(url: str) -> str:
    """The database a URL names."""
    return unquote(urlsplit(url).path.lstrip("/"))


def with_database(url: str, name: str) -> str:
    """The same URL on another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + quote(name, safe="")))


def with_user(url: str, user: str, password: str) -> str:
    """The same URL as another user."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    login = f"{quote(user, safe='')}:{quote(password, safe='')}"
    return urlunsplit(parts._replace(netloc=f"{login}@{host}"))


# --- databases and roles ---------------------------------------------------------------------

def _admin_connection() -> psycopg.Connection:
    """One autocommit connection of the superuser per process, made again when broken."""
    global _conn
    if _conn is None or _conn[0] != os.getpid() or _conn[1].closed or _conn[1].broken:
        _conn = (os.getpid(), psycopg.connect(admin_url(), autocommit=True, connect_timeout=10))
    return _conn[1]


def _admin_execute(statement: sql.Composable, params: tuple[object, ...] = ()) -> list[tuple]:
    with _lock:
        conn = _admin_connection()
        try:
            cursor = conn.execute(statement, params)
        except psycopg.OperationalError:
            if not conn.broken:
                raise
            cursor = _admin_connection().execute(statement, params)  # connected again, once
        return cursor.fetchall() if cursor.description else []


def fresh_database() -> str:
    """A new, empty database (from template0, so nothing another test left in template1),
    its URL; pg_trgm and unaccent can be created in it."""
    name = f"{PREFIX}{os.getpid()}_{next(_names)}_{secrets.token_hex(3)}"
    _admin_execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0")
                   .format(sql.Identifier(name)))
    return with_database(admin_url(), name)


def drop_database(url: str) -> None:
    """Drops a database fresh_database made, closing whatever is still connected to it."""
    name = database_name(url)
    if not name.startswith(PREFIX):
        raise ValueError(f"not a test database: {name!r}")
    _admin_execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                   .format(sql.Identifier(name)))


def login_role(name: str, password: str, database: str | None = None) -> str:
    """A role that logs in with ``password`` and is not a superuser (nor creates roles or
    databases, nor bypasses row-level security): created NOLOGIN if missing, then given
    LOGIN and the password. Its URL on ``database`` (a URL or a name; default: the admin's).
    Roles belong to the whole server: the same name in two tests is the same role."""
    role = sql.Identifier(name)
    if not _admin_execute(sql.SQL("SELECT 1 FROM pg_roles WHERE rolname = %s"), (name,)):
        with contextlib.suppress(psycopg.errors.DuplicateObject):
            _admin_execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(role))
    _admin_execute(sql.SQL("ALTER ROLE {} WITH LOGIN PASSWORD {} NOSUPERUSER NOCREATEDB "
                           "NOCREATEROLE NOREPLICATION NOBYPASSRLS")
                   .format(role, sql.Literal(password)))
    url = admin_url()
    if database:
        url = with_database(url, database_name(database) if "://" in database else database)
    return with_user(url, name, password)


def pg_indexes_sound(url: str) -> bool:
    """PostgreSQL's nearest to SQLite's ``integrity_check``: amcheck's ``bt_index_check``
    (with ``heapallindexed``: every row is in each index) on every B-tree index of the
    database's schema; raises what amcheck finds. Needs the superuser's URL (amcheck is
    created in the database when missing)."""
    with psycopg.connect(url, autocommit=True) as con:
        con.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
        indexes = [r[0] for r in con.execute(
            "SELECT c.oid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE am.amname = 'btree' AND n.nspname = current_schema() AND i.indisready "
            "AND i.indisvalid")]
        for oid in indexes:
            con.execute("SELECT bt_index_check(%s, true)", (oid,))
        return bool(indexes)
