"""Looking after the store itself: bringing its schema up to date (``ordertui store
migrate``) and moving a shop's SQLite store to a PostgreSQL database (``ordertui store
copy``). The SQL is the store's (``store/copy.py``); this opens the stores the config names."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ordertui.config import Config
from ordertui.domain.errors import ValidationError
from ordertui.i18n import _
from ordertui.store import Store
from ordertui.store import copy as store_copy
from ordertui.store.copy import BATCH, CopyRefused, Report, TableCheck
from ordertui.store.postgres import is_url, server_name

__all__ = ["BATCH", "CopyRefused", "CopyResult", "Report", "TableCheck", "copy_to",
           "migrate", "sqlite_path"]


@dataclass(frozen=True)
class Migrated:
    where: str
    before: int
    after: int


@dataclass(frozen=True)
class CopyResult:
    source: str
    target: str
    resumed: bool
    checks: list[TableCheck]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def migrate(config: Config) -> Migrated:
    """Open the configured store (SQLite or PostgreSQL), applying the migrations it lacks."""
    target: Path | str = config.store_url or config.data_dir / "store.sqlite3"
    password = config.store_password()
    before = store_copy.schema_version(target, password)
    store = Store(target, password=password)
    try:
        return Migrated(config.store_where(), before, store.version)
    finally:
        store.close()


def sqlite_path(config: Config) -> Path:
    """The SQLite store of the data directory (what ``copy_to`` copies)."""
    return config.data_dir / "store.sqlite3"


def copy_to(config: Config, url: str, *, password: str | None = None, batch: int = BATCH,
            report: Report | None = None) -> CopyResult:
    """Copy the data directory's SQLite store into the (empty) PostgreSQL database ``url``,
    or finish a copy of it that stopped halfway."""
    if not is_url(url):
        raise ValidationError("to", _("--to takes a postgresql:// URL"))
    path = sqlite_path(config)
    if not path.is_file():
        raise CopyRefused(_("there is no store at {path} to copy").format(path=path))
    # reach the server first: one connection says at once why it cannot be reached (the
    # pool would try for seconds)
    store_copy.schema_version(url, password)
    source = Store(path)
    try:
        target = Store(url, password=password)
        try:
            resumed, checks = store_copy.copy_store(source, target, batch=batch, report=report)
        finally:
            target.close()
    finally:
        source.close()
    return CopyResult(str(path), server_name(url), resumed, checks)


def grant(config: Config) -> dict[str, str]:
    """Give every database user the config's ``[roles.<name>] db_users`` name what its role
    allows, and no more (``store.grant``); {user: role}. Run by the schema's owner."""
    if not config.store_url:
        raise ValidationError("store", _("roles are granted in a PostgreSQL store: set "
                                         "[store] url first"))
    users: dict[str, frozenset[str]] = {}
    named: dict[str, str] = {}
    for role in config.roles.values():
        for user in role.db_users:
            if user in named:
                raise ValidationError("roles", _(
                    "the database user {user} is in the roles {first} and {second}; give it "
                    "one").format(user=user, first=named[user], second=role.name))
            named[user] = role.name
            users[user] = frozenset(p.value for p in role.allow)
    store = Store(config.store_url, password=config.store_password())
    try:
        store.grant(users)
    finally:
        store.close()
    return named


def role_of_db_user(config: Config, db_user: str) -> str | None:
    """The role whose ``db_users`` names the database user a session logs in as."""
    for role in config.roles.values():
        if db_user and db_user in role.db_users:
            return role.name
    return None
