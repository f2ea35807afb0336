"""(temporary) PostgreSQL for tests."""
from __future__ import annotations

import itertools
import os

import psycopg

_n = itertools.count()


def admin_url() -> str:
    return os.environ["ORDERTUI_TEST_PG"]


def fresh_database() -> str:
    name = f"t_{os.getpid()}_{next(_n)}"
    with psycopg.connect(admin_url(), autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name}")
        con.execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'")
    return admin_url().rsplit("/", 1)[0] + "/" + name


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url(), autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
