"""``ordertui store``: the store itself. ``migrate`` brings the configured store's schema up
to date; ``copy --to URL`` moves a shop's SQLite store into an empty PostgreSQL database
(resumable, checked table by table at the end)."""

from __future__ import annotations

import logging
import os
import time

import click

from ordertui.cli.common import AppContext, Progress, fail, guard, pass_app, table
from ordertui.domain.errors import ValidationError
from ordertui.i18n import N_, _, formats, ngettext
from ordertui.logs import configure
from ordertui.services import store_admin


def _logs(app: AppContext) -> None:
    """The log file in the data directory, for ordertui and for the database driver too:
    the connection pool's warnings (a server it cannot reach) go there, not to the screen,
    which gets the one line of the error."""
    configure(app.config.data_dir)
    driver = logging.getLogger("psycopg")
    if not driver.handlers:
        for handler in logging.getLogger("ordertui").handlers:
            driver.addHandler(handler)
        driver.propagate = False


@click.group("store", help=_("The store itself: its schema, moving it to PostgreSQL."))
def store_group() -> None:
    pass


@store_group.command("migrate", help=_(
    "Bring the configured store (the SQLite file or the PostgreSQL database of [store] url) "
    "up to the schema this version of ordertui uses."))
@pass_app
@guard
def migrate_cmd(app: AppContext) -> None:
    _logs(app)
    done = store_admin.migrate(app.config)
    click.echo(_("store at {where} is at schema version {version} (was {before})").format(
        where=done.where, version=done.after, before=done.before))


@store_group.command("grant", help=_(
    "Give each database user that [roles.NAME] db_users names what its role allows in the "
    "PostgreSQL store, and no more; run it as the database's owner after changing roles."))
@pass_app
@guard
def grant_cmd(app: AppContext) -> None:
    _logs(app)
    named = store_admin.grant(app.config)
    if not named:
        click.echo(_("no [roles.NAME] db_users in the config: nothing to grant"))
    for user, role in sorted(named.items()):
        click.echo(_("{user}: {role}").format(user=user, role=role))


#: the columns of the check printed at the end of a copy
CHECK_HEADERS = (N_("Table"), N_("Rows"), N_("Checksum"), N_("OK"))


@store_group.command("copy", help=_(
    "Copy the data directory's SQLite store into an empty PostgreSQL database, keeping every "
    "id; then compare both, table by table. Stopped halfway, it goes on where it stopped when "
    "run again."))
@click.option("--to", "url", required=True, metavar="URL",
              help=_("The database, as postgresql://user@host:port/database."))
@click.option("--password-env", "password_env", default=None, metavar="VAR",
              help=_("The environment variable holding the database user's password (else "
                     "~/.pgpass or PGPASSWORD)."))
@click.option("--batch-size", "batch", type=click.IntRange(1, 1_000_000),
              default=store_admin.BATCH, show_default=True,
              help=_("Rows per transaction."))
@pass_app
@guard
def copy_cmd(app: AppContext, url: str, password_env: str | None, batch: int) -> None:
    password = None
    if password_env:
        password = os.environ.get(password_env)
        if not password:
            raise ValidationError("password-env", _(
                "the variable {name} named by --password-env is not set").format(
                    name=password_env))
    _logs(app)
    started = time.monotonic()
    bar: dict[str, Progress] = {}

    def report(name: str, copied: int, total: int, finished: bool) -> None:
        progress = bar.setdefault(name, Progress(name))
        progress(copied, total)
        if finished:
            progress.done()
            click.echo(ngettext("{table}: {n} row copied", "{table}: {n} rows copied",
                                copied).format(table=name, n=formats.number(copied)))

    result = store_admin.copy_to(app.config, url, password=password, batch=batch,
                                 report=report)
    rows = [(c.name,
             formats.number(c.source_rows) if c.source_rows == c.target_rows
             else f"{formats.number(c.source_rows)} ≠ {formats.number(c.target_rows)}",
             c.source_sum[:16] if c.source_sum == c.target_sum
             else f"{c.source_sum[:16]} ≠ {c.target_sum[:16]}",
             _("ok") if c.ok else _("DIFFERS"))
            for c in result.checks]
    click.echo(table([_(h) for h in CHECK_HEADERS], rows, right=(1,)))
    differ = [c.name for c in result.checks if not c.ok]
    if differ:
        fail(_("the copy at {server} differs from the store in {tables}: stop every ordertui "
               "on the store, drop and create the database again, and copy again").format(
            server=result.target, tables=", ".join(differ)), 1)
    total = sum(c.source_rows for c in result.checks)
    click.echo(_("copied {source} to {server}: {tables} tables, {rows} rows, all equal "
                 "({seconds} s)").format(
        source=result.source, server=result.target, tables=len(result.checks),
        rows=formats.number(total), seconds=f"{time.monotonic() - started:.1f}"))


COMMANDS = [store_group]
