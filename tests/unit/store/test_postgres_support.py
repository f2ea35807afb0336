"""The tests' way to PostgreSQL (support/postgres.py): fresh databases are empty and each
its own, a login role logs in and is no superuser, the extensions the store needs can be
created, a private cluster starts and is gone when its process is, however it ends, and
without PostgreSQL a test fails with one line instead of being skipped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from support import postgres


def tables(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT table_schema || '.' || table_name FROM"
                            " information_schema.tables WHERE table_schema NOT IN"
                            " ('pg_catalog', 'information_schema') ORDER BY 1").fetchall()
    return [row[0] for row in rows]


def test_the_admin_is_a_superuser_on_a_throwaway_server(pg_admin: str) -> None:
    with psycopg.connect(pg_admin) as conn:
        assert conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
                            ).fetchone() == (True,)
        assert conn.execute("SHOW server_encoding").fetchone() == ("UTF8",)


def test_a_fresh_database_is_empty_and_separate_from_another(pg_url: str) -> None:
    other = postgres.fresh_database()
    try:
        assert postgres.database_name(other) != postgres.database_name(pg_url)
        assert tables(pg_url) == [] and tables(other) == []
        with psycopg.connect(pg_url) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == (
                postgres.database_name(pg_url),)
            assert conn.execute("SELECT extname FROM pg_extension").fetchall() == [
                ("plpgsql",)]
            conn.execute("CREATE TABLE orders (id int PRIMARY KEY)")
            conn.execute("INSERT INTO orders VALUES (1)")
        assert tables(pg_url) == ["public.orders"]
        assert tables(other) == []
    finally:
        postgres.drop_database(other)


def test_a_dropped_database_is_gone_even_with_connections_left_open() -> None:
    url = postgres.fresh_database()
    left_open = psycopg.connect(url)
    postgres.drop_database(url)
    with psycopg.connect(postgres.admin_url()) as conn:
        assert conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s",
                            [postgres.database_name(url)]).fetchone() == (0,)
    assert _dead(left_open)
    left_open.close()
    with pytest.raises(ValueError):
        postgres.drop_database(postgres.with_database(url, "postgres"))


def _dead(conn: psycopg.Connection) -> bool:
    try:
        conn.execute("SELECT 1")
    except psycopg.OperationalError:
        return True
    return False


def test_a_login_role_logs_in_and_is_not_a_superuser(pg_url: str) -> None:
    admin = postgres.admin_url()
    with psycopg.connect(admin, autocommit=True) as conn:  # made NOLOGIN beforehand
        conn.execute("DROP ROLE IF EXISTS ordertui_test_clerk")
        conn.execute("CREATE ROLE ordertui_test_clerk NOLOGIN")
    url = postgres.login_role("ordertui_test_clerk", "first pässword", pg_url)
    assert postgres.database_name(url) == postgres.database_name(pg_url)
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT current_user, current_database()").fetchone() == (
            "ordertui_test_clerk", postgres.database_name(pg_url))
        assert conn.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolbypassrls FROM pg_roles"
            " WHERE rolname = current_user").fetchone() == (False, False, False, False)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE ROLE ordertui_test_intruder")
    # again: the same role, the new password only
    again = postgres.login_role("ordertui_test_clerk", "second", pg_url)
    with psycopg.connect(again) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("ordertui_test_clerk",)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP ROLE ordertui_test_clerk")


def test_pg_trgm_and_unaccent_can_be_created_in_a_fresh_database(pg_url: str) -> None:
    with psycopg.connect(pg_url) as conn:
        conn.execute("CREATE EXTENSION pg_trgm")
        conn.execute("CREATE EXTENSION unaccent")
        assert conn.execute("SELECT unaccent('Müller Ærø Łódź')").fetchone() == (
            "Muller AEro Lodz",)
        assert conn.execute("SELECT similarity('lovelace', 'lovelance') > 0.5"
                            ).fetchone() == (True,)
        assert conn.execute("SELECT lower('ÄÖÜ ÉÈ')").fetchone() == ("äöü éè",)


def test_a_private_cluster_listens_on_loopback_and_is_gone_after_stop() -> None:
    cluster = postgres.Cluster.start()
    try:
        assert cluster.directory.is_dir()
        with psycopg.connect(cluster.url) as conn:
            assert conn.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
            assert conn.execute("SHOW fsync").fetchone() == ("off",)
            assert conn.execute("SHOW password_encryption").fetchone() == ("scram-sha-256",)
            assert conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
                                ).fetchone() == (True,)
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(postgres.with_user(cluster.url, postgres.SUPERUSER, "wrong"))
    finally:
        cluster.stop()
    assert not cluster.directory.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(cluster.url, connect_timeout=5)


def test_a_private_cluster_is_stopped_when_its_process_is_killed(tmp_path: Path) -> None:
    script = ("import sys, time\n"
              "from support.postgres import Cluster\n"
              "c = Cluster.start()\n"
              "print(c.url, c.directory, flush=True)\n"
              "time.sleep(600)\n")
    tests = Path(__file__).parents[2]
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(tests)})
    assert process.stdout is not None and process.stderr is not None
    try:
        started = process.stdout.readline().split()
        if not started:  # the cluster did not start: the child's last line says why
            pytest.fail(process.stderr.read().strip().splitlines()[-1], pytrace=False)
        url, directory = started
        with psycopg.connect(url) as conn:
            conn.execute("SELECT 1")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
        process.stdout.close()
        process.stderr.close()
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    deadline = time.monotonic() + 30
    while Path(directory).exists() or _listening(port):
        assert time.monotonic() < deadline, "the cluster outlived its process"
        time.sleep(0.1)


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_without_postgresql_a_test_fails_with_one_line(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres, "server_bin", lambda: None)
    with pytest.raises(pytest.fail.Exception) as failed:
        postgres.Cluster.start()
    message = str(failed.value)
    assert message == postgres.HOW
    assert "\n" not in message
    assert postgres.ENV in message and "apt-get install postgresql" in message
