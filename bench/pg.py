"""PostgreSQL for the benchmarks: a server, and the PostgreSQL twin of a seeded SQLite store.

The server is the one ``ORDERTUI_TEST_PG`` names (a superuser's URL; ``.ci/run`` starts a
throwaway cluster and sets it). Without it, ``server()`` starts a private cluster of the
bench's own, the way ``.ci/postgres.sh`` does (initdb and pg_ctl from the newest of Debian's
``/usr/lib/postgresql/*/bin``, as the ``postgres`` OS user when run as root, on a free port
of 127.0.0.1, scram-sha-256, UTF8 in C.UTF-8, UTC, fsync off), but with its data directory
kept in ``bench/.data/postgres/`` beside the seeded stores (in the temporary directory when
the ``postgres`` OS user cannot reach that), so that the copies made there
survive the run: it is stopped when the run ends, however it ends (a watcher process stops it
when ours is killed), and started again by the next run. The code is copied, in short, from
tests/support/postgres.py, so the bench does not import the tests.

The twin of the store ``orders-N-s1042`` is the database ``bench_N_s1042``, filled by
``ordertui store copy --to URL`` from the SQLite file, and its data directory
``orders-N-s1042-pg/`` (the demo supplier's state, copied with the store, so that the twin's
sync cursor and the supplier agree). It is made once; a run that finds the database complete
(no copy under way, as many orders as the seeded store) uses it again; ``--reseed`` drops it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import psycopg
from psycopg import sql

ENV = "ORDERTUI_TEST_PG"
SUPERUSER = "ordertui_bench"


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + quote(name, safe="")))


def database_name(url: str) -> str:
    return unquote(urlsplit(url).path.lstrip("/"))


def admin(url: str) -> psycopg.Connection:
    return psycopg.connect(url, autocommit=True, connect_timeout=10)


# --- the server ------------------------------------------------------------------------------
def server_bin() -> Path | None:
    """initdb's and pg_ctl's directory: pg_config's, the newest of Debian's, or the PATH's."""
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# beside the bench, its stdin a pipe only the bench holds: when the bench ends, however it
# ends, the read returns and the server is stopped (its data directory is kept)
_WATCHER = """
import subprocess, sys
sys.stdin.buffer.read()
subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
               cwd=sys.argv[1], check=False)
"""


@dataclass
class Server:
    url: str
    private: bool = False
    _pipe: int = field(default=-1, repr=False)
    _watcher: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def stop(self) -> None:
        """Stops a private cluster (the watcher does it); a server we were given stays."""
        if self._watcher is None:
            return
        with contextlib.suppress(OSError):
            os.close(self._pipe)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._watcher.wait(60)
        self._watcher = None


def server(directory: Path) -> Server:
    """``ORDERTUI_TEST_PG``'s server, else the bench's private cluster in ``directory``
    (created on first use), started now and stopped by ``Server.stop`` or when we exit."""
    if url := os.environ.get(ENV):
        return Server(url)
    bindir = server_bin()
    if bindir is None:
        raise RuntimeError(f"PostgreSQL is needed: set {ENV} to a superuser's URL, or install "
                           "its server programs (apt-get install postgresql postgresql-contrib)")
    as_owner: list[str] = []
    owner: tuple[int, int] | None = None
    if os.geteuid() == 0:  # the server refuses to run as root
        import pwd

        entry = pwd.getpwnam("postgres")
        owner = (entry.pw_uid, entry.pw_gid)
        as_owner = ["runuser", "-u", "postgres", "--"]
    if as_owner and subprocess.run([*as_owner, "test", "-x", str(directory.parent)],
                                   capture_output=True).returncode:
        # the postgres OS user cannot reach bench/.data (a checkout in /root): the temporary
        # directory instead, kept until it is cleaned
        directory = Path(tempfile.gettempdir()) / "ordertui-bench-postgres"
    data = directory / "data"
    secret = directory / "password"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*as_owner, *args], cwd=directory, capture_output=True,
                              text=True, timeout=300, start_new_session=True)

    if not (data / "PG_VERSION").exists():
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        password = secrets.token_hex(16)
        pwfile = directory / "pw"
        pwfile.write_text(password + "\n")
        if owner:
            for path in (directory, pwfile):
                os.chown(path, *owner)
        done = run(str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER,
                   f"--pwfile={pwfile}", "--auth=scram-sha-256", "--encoding=UTF8",
                   "--locale=C.UTF-8", "--no-sync")
        pwfile.unlink()
        if done.returncode:
            raise RuntimeError(f"initdb failed: {(done.stderr or done.stdout).strip()[-500:]}")
        with (data / "postgresql.conf").open("a") as conf:
            conf.write("\n# ordertui's benchmarks: a private cluster, as the CI's\n"
                       "listen_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{directory}'\n"
                       "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                       "timezone = 'UTC'\n")
        secret.write_text(password)
        secret.chmod(0o600)
    password = secret.read_text().strip()
    pid = data / "postmaster.pid"
    if pid.exists() and run(str(bindir / "pg_ctl"), "-D", str(data), "status").returncode == 0:
        # another run's (or one left running): used as it is, and left running
        port = int(pid.read_text().splitlines()[3])
        return Server(f"postgresql://{SUPERUSER}:{password}@127.0.0.1:{port}/postgres")
    stop = [*as_owner, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "-s",
            "stop"]
    read, write = os.pipe()
    watcher = subprocess.Popen([sys.executable, "-c", _WATCHER, str(directory), *stop],
                               stdin=read, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, cwd="/", start_new_session=True)
    os.close(read)
    for _attempt in range(5):
        port = _free_port()
        done = run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(directory / "server.log"),
                   "-o", f"-p {port}", "-w", "-t", "120", "-s", "start")
        if done.returncode == 0:
            break
    else:
        os.close(write)
        watcher.wait(60)
        log = directory / "server.log"
        tail = log.read_text(errors="replace")[-500:] if log.exists() else done.stderr
        raise RuntimeError(f"PostgreSQL did not start: {tail.strip()}")
    url = f"postgresql://{SUPERUSER}:{password}@127.0.0.1:{port}/postgres"
    return Server(url, True, write, watcher)


# --- databases -------------------------------------------------------------------------------
def exists(url: str, name: str) -> bool:
    with admin(url) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                            (name,)).fetchone() is not None


def drop(url: str, name: str) -> None:
    with admin(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                     .format(sql.Identifier(name)))


def create(url: str, name: str, template: str = "template0") -> None:
    """A new database; from another (a clone of it) with the file copy, the quick way."""
    strategy = sql.SQL("") if template == "template0" else sql.SQL(" STRATEGY FILE_COPY")
    with admin(url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(template)) + strategy)


def orders_in(url: str) -> int | None:
    """Orders in a database, or None while a copy is under way (or there is no store)."""
    with admin(url) as conn:
        tables = {r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}
        if "ordertui_copy" in tables or "orders" not in tables:
            return None
        row = conn.execute("SELECT count(*) FROM orders").fetchone()
        return int(row[0]) if row else 0


def sqlite_orders(store: Path) -> int:
    con = sqlite3.connect(f"file:{store / 'store.sqlite3'}?mode=ro", uri=True)
    try:
        return int(con.execute("SELECT count(*) FROM orders").fetchone()[0])
    finally:
        con.close()


def copy_data_dir(source: Path, target: Path) -> None:
    """A store's data directory without its SQLite file: the demo supplier's state (and the
    shops'), which belong with the store's sync cursors."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for sub in ("suppliers", "shops"):
        if (source / sub).exists():
            shutil.copytree(source / sub, target / sub)


@dataclass
class Twin:
    """The PostgreSQL copy of a seeded store: its data directory and database URL."""

    store: Path
    url: str
    info: dict[str, object]

    def env(self) -> dict[str, str]:
        return {"ORDERTUI_STORE_URL": self.url}


def twin(server_url: str, store: Path, argv: list[str], env: dict[str, str],
         reseed: bool, log: Callable[[str], None]) -> Twin:
    """The PostgreSQL twin of ``store``, copied once (``env``: the environment to run
    ``argv`` = ordertui on the SQLite store)."""
    name = "bench_" + store.name.removeprefix("orders-").replace("-", "_")
    url = with_database(server_url, name)
    directory = store.with_name(store.name + "-pg")
    marker = directory / "bench.json"
    if reseed:
        drop(server_url, name)
    expected = sqlite_orders(store)
    seeded = (store / "bench.json").read_text() if (store / "bench.json").exists() else ""
    if exists(server_url, name) and marker.exists():
        info = json.loads(marker.read_text())
        have = orders_in(url)
        if have == expected and info.get("seeded") == seeded:
            return Twin(directory, url, info | {"cached": True})
        log(f"the PostgreSQL copy {name} has {have} orders, not {expected:,}, or is of "
            "another seeding: copying again")
    drop(server_url, name)
    marker.unlink(missing_ok=True)
    create(server_url, name)
    log(f"copying {store.name} into PostgreSQL ({name}) with ordertui store copy …")
    t0 = time.perf_counter()
    done = subprocess.run([*argv, "store", "copy", "--to", url], env=env, capture_output=True,
                          text=True)
    if done.returncode:
        raise RuntimeError(f"ordertui store copy failed: {done.stderr.strip()[-800:]}")
    seconds = time.perf_counter() - t0
    have = orders_in(url)
    if have != expected:
        raise RuntimeError(f"the copy {name} has {have} orders, the store {expected:,}")
    copy_data_dir(store, directory)
    info: dict[str, object] = {"database": name, "orders": expected, "seeded": seeded,
                               "seconds": round(seconds, 1),
                               "when": time.strftime("%Y-%m-%d %H:%M")}
    marker.write_text(json.dumps(info))
    log(f"  copied in {seconds:.0f} s")
    return Twin(directory, url, info | {"cached": False})
