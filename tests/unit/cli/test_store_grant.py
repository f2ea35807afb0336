"""``ordertui store grant``: the database users [roles.NAME] db_users names get what their
role allows; a session logging in as one of them is narrowed to that role, and the
database refuses its refund even when the app is bypassed."""

from __future__ import annotations

import secrets

import psycopg
import pytest
from click.testing import CliRunner

from ordertui.cli import main_group
from ordertui.config import load
from ordertui.domain.errors import NotAllowed
from ordertui.domain.roles import Permission
from ordertui.services.core import Services
from support.postgres import login_role


def test_store_grant_ties_database_users_to_their_roles(pg_url: str, tmp_path) -> None:
    staff = f"anna_{secrets.token_hex(3)}"
    password = secrets.token_hex(8)
    staff_url = login_role(staff, password, database=pg_url)
    config = tmp_path / "config.toml"
    config.write_text(f'[store]\nurl = "{pg_url}"\n\n[roles.staff]\ndb_users = ["{staff}"]\n',
                      encoding="utf-8")
    runner = CliRunner()
    done = runner.invoke(main_group, ["--config", str(config), "store", "grant"])
    assert done.exit_code == 0, done.output
    assert f"{staff}: staff" in done.output

    # the staff member's own session, asking to be owner, is narrowed to staff
    mine = tmp_path / "anna.toml"
    mine.write_text(f'[store]\nurl = "{staff_url.replace(":" + password, "")}"\n'
                    f'password_env = "ANNA_PW"\n\n[roles.staff]\ndb_users = ["{staff}"]\n',
                    encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.setenv("ANNA_PW", password)
    try:
        services = Services(load(mine, tmp_path / "anna-data"))
        try:
            assert services.store.db_user == staff
            assert not services.allows(Permission.REFUND)
            with pytest.raises(NotAllowed):
                services.require(Permission.REFUND)
        finally:
            services.store.close()
    finally:
        mp.undo()
    with psycopg.connect(staff_url, password=password, autocommit=True) as con, \
            pytest.raises(psycopg.errors.InsufficientPrivilege):
        con.execute("INSERT INTO refunds (order_id, amount, currency, reason, at) "
                    "VALUES (1, 100, 'USD', 'x', 1)")


def test_store_grant_needs_a_postgresql_store(tmp_path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    done = CliRunner().invoke(main_group, ["--config", str(config), "store", "grant"])
    assert done.exit_code != 0 and "[store] url" in done.output
    assert "Traceback" not in done.output
