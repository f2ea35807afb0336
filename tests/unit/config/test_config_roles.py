"""``[roles.<name>]`` in the config: the built-in roles without it, staff and viewer
redefined, roles of the merchant's own, ``owner`` always everything, and a one-line error
that names the table, the key and the line for each thing a role table can get wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from ordertui import config as cfg
from ordertui.domain.errors import ConfigError, ValidationError
from ordertui.domain.roles import BUILTIN_ROLES, EVERYTHING, Permission, Role

P = Permission


def load(tmp_path: Path, text: str) -> cfg.Config:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return cfg.load(path, tmp_path / "data")


def refused(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    line = str(caught.value)
    assert "\n" not in line and caught.value.exit_code == 2
    return line


def test_without_roles_the_three_built_in_ones(tmp_path: Path) -> None:
    c = load(tmp_path, "")
    assert c.roles == dict(BUILTIN_ROLES)
    assert c.role() is c.roles["owner"] and c.role("") is c.roles["owner"]
    assert c.role("viewer").allow == {P.VIEW}


def test_staff_redefined_and_a_role_of_ones_own(tmp_path: Path) -> None:
    c = load(tmp_path, '[roles.staff]\nallow = ["sync", "cancel", "refund"]\n'
                       'db_users = ["anna", "ben"]\n\n'
                       '[roles.support]\nallow = ["dispute", "return"]\n\n'
                       '[roles.viewer]\ndb_users = ["carl"]\n')
    assert c.roles["staff"] == Role("staff", frozenset({P.VIEW, P.SYNC, P.CANCEL, P.REFUND}),
                                    ("anna", "ben"))
    assert c.roles["support"].allow == {P.VIEW, P.DISPUTE, P.RETURN}  # view always
    # db_users alone keeps the built-in role's permissions
    assert c.roles["viewer"] == Role("viewer", frozenset({P.VIEW}), ("carl",))
    assert list(c.roles) == ["owner", "staff", "viewer", "support"]
    assert c.role("support") is c.roles["support"]


def test_owner_may_be_given_db_users_but_stays_everything(tmp_path: Path) -> None:
    c = load(tmp_path, '[roles.owner]\ndb_users = ["shop"]\n')
    assert c.roles["owner"].allow == EVERYTHING and c.roles["owner"].db_users == ("shop",)
    c = load(tmp_path, '[roles.owner]\nallow = ["sync", "cancel", "dispute", "return", '
                       '"refund", "export", "link", "settings"]\n')
    assert c.roles["owner"].allow == EVERYTHING
    line = refused(tmp_path, '[roles.owner]\nallow = ["view", "sync"]\n')
    assert "key roles.owner.allow" in line and "line 2" in line
    assert "the owner role may do everything" in line


@pytest.mark.parametrize(("text", "says"), [
    ('[roles.staff]\nallow = ["sync", "refunds"]\n',
     "line 2, key roles.staff.allow: 'refunds' is no permission; allow takes words from: "
     "view, sync, cancel, dispute, return, refund, export, link, settings"),
    ('[roles.staff]\nallow = "sync"\n',
     'key roles.staff.allow: allow must be a list of words like ["view", "sync"]'),
    ('[roles.staff]\nallow = ["sync", 3]\n', "allow must be a list of words"),
    ('[roles.helper]\ndb_users = ["anna"]\n',
     "key roles.helper: [roles.helper] needs allow = [...], words from: view, sync"),
    ('[roles.staff]\nalow = ["sync"]\n',
     "key roles.staff.alow: a role takes allow and db_users only, not 'alow'"),
    ('[roles.staff]\ndb_users = "anna"\n',
     "key roles.staff.db_users: db_users must be a list of database user names"),
    ('[roles.staff]\ndb_users = [""]\n', "db_users must be a list of database user names"),
    ('[roles.staff]\ndb_users = ["anna"]\n[roles.viewer]\ndb_users = ["anna"]\n',
     "key roles.viewer.db_users: the database user 'anna' is in [roles.staff] already"),
    ('roles = ["staff"]\n', "key roles: [roles] holds tables like [roles.staff]"),
    ('[roles]\nstaff = "all"\n', "key roles.staff: [roles.staff] must be a table"),
    ('[roles."a b"]\nallow = []\n', "a role name may hold letters, digits, - and _ only"),
])
def test_a_bad_role_table_is_one_line_saying_what_to_fix(tmp_path: Path, text: str,
                                                         says: str) -> None:
    assert says in refused(tmp_path, text)


def test_an_unknown_role_name_is_refused_naming_the_roles(tmp_path: Path) -> None:
    c = load(tmp_path, '[roles.support]\nallow = ["dispute"]\n')
    with pytest.raises(ValidationError) as caught:
        c.role("admin")
    line = str(caught.value)
    assert caught.value.exit_code == 2 and "\n" not in line
    assert line.startswith("no role named 'admin' (from --role or ORDERTUI_ROLE); the roles "
                           "are owner, staff, viewer, support")
    with pytest.raises(ValidationError):
        c.role("Staff")  # names are exact
