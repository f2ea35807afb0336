"""Logging in to a shared store as people do: the password from ~/.pgpass (libpq's own
file) with nothing in the URL or the config; a database user that may not change the
schema meets an outdated one with one line saying who must migrate it."""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from ordertui.domain.errors import StoreOutdated
from ordertui.store import Store
from ordertui.store.schema import LATEST
from support.postgres import database_name, login_role, with_user


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    return f"postgresql://{parts.username}@{parts.hostname}:{parts.port}{parts.path}"


def test_the_password_comes_from_pgpass(pg_url: str, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    user, password = f"p_{secrets.token_hex(3)}", secrets.token_hex(8)
    url = _without_password(login_role(user, password, database=pg_url))
    owner = Store(pg_url)  # the owner makes the schema and gives the user a role
    owner.grant({user: frozenset({"view"})})
    owner.close()
    parts = urlsplit(url)
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"{parts.hostname}:{parts.port}:{database_name(url)}:{user}:"
                      f"{password}\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    store = Store(url)
    try:
        assert store.db_user == user and store.version == LATEST
    finally:
        store.close()


def test_a_user_that_may_not_migrate_is_told_who_must(pg_url: str) -> None:
    user, password = f"r_{secrets.token_hex(3)}", secrets.token_hex(8)
    login_role(user, password, database=pg_url)
    url = with_user(pg_url, user, password)
    with pytest.raises(StoreOutdated, match="owner runs 'ordertui store migrate'") as caught:
        Store(url)  # an empty database: version 0, and no right to create tables
    assert password not in str(caught.value)
    Store(pg_url).close()  # migrated by the owner, but the user was given no role
    with pytest.raises(StoreOutdated, match="'ordertui store grant'"):
        Store(url)
