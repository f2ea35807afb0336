"""The role of a command's session: ``--role NAME`` or ``ORDERTUI_ROLE``, the owner's by
default. A command the role does not allow exits 2 with one line saying which role may not
do what, and nothing is queued, written or sent (the store, row by row, the export's file
and the supplier are as they were); an unknown role is one line, exit 2, before anything
runs; what the role allows works as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from ordertui.domain.roles import BUILTIN_ROLES, Permission
from support.cli import Cli
from support.roles import digest

P = Permission


def ids(cli: Cli) -> dict[str, str]:
    """Orders each command suits: one still processing, one delivered."""
    processing = cli.first("processing", cancellation=None)
    delivered = cli.first("delivered", dispute=None)
    return {"processing": str(processing["id"]), "delivered": str(delivered["id"]),
            "delivered_name": delivered["name"]}


#: every command that changes or sends something, with the permission it needs and its
#: arguments ({processing}, {delivered}, {delivered_name}, {out} filled in)
COMMANDS: list[tuple[Permission, tuple[str, ...]]] = [
    (P.SYNC, ("sync",)),
    (P.SYNC, ("sync", "--shop", "demo")),
    (P.SYNC, ("add", "--supplier", "demo", "NOPE-1")),
    (P.SYNC, ("demo", "seed", "--orders", "10")),
    (P.CANCEL, ("cancel", "{processing}", "--reason", "ordered twice", "--yes")),
    (P.CANCEL, ("cancel", "{processing}", "--reason", "ordered twice")),  # asks nothing
    (P.CANCEL, ("cancel-reply", "{processing}", "--message", "the new address")),
    (P.CANCEL, ("record", "{processing}", "--cancellation", "approved")),
    (P.DISPUTE, ("dispute", "open", "{delivered}", "--reason", "not_received", "--amount",
                 "5", "--description", "never came")),
    (P.DISPUTE, ("dispute", "reply", "{delivered}", "--message", "photos")),
    (P.DISPUTE, ("dispute", "escalate", "{delivered}")),
    (P.DISPUTE, ("dispute", "accept", "{delivered}")),
    (P.DISPUTE, ("dispute", "withdraw", "{delivered}")),
    (P.DISPUTE, ("record", "{delivered}", "--dispute", "open")),
    (P.RETURN, ("return", "open", "{delivered}", "--items", "#1:1", "--reason", "too small")),
    (P.RETURN, ("return", "set", "{delivered}", "--state", "received")),
    (P.RETURN, ("stock", "use", "SKU-1", "--order", "{processing}")),
    (P.REFUND, ("refund", "{delivered}", "--amount", "1.00", "--reason", "late")),
    (P.REFUND, ("recovered", "{delivered}", "--amount", "1.00")),
    (P.EXPORT, ("export", "--output", "{out}")),
    (P.EXPORT, ("export", "--output", "{out}", "--email", "accountant@example.com")),
    (P.LINK, ("link", "{delivered}", "--shop-order", "{delivered_name}")),
    (P.LINK, ("unlink", "{delivered}")),
]

REFUSED = [(role.name, permission, args) for role in BUILTIN_ROLES.values()
           for permission, args in COMMANDS if not role.allows(permission)]


def test_every_permission_but_view_and_settings_has_a_command() -> None:
    # Settings are saved in the app only; a command never writes the config
    assert {p for p, _args in COMMANDS} == set(Permission) - {P.VIEW, P.SETTINGS}


@pytest.mark.parametrize(("role", "permission", "args"), REFUSED,
                         ids=[f"{r}-{' '.join(a[:2])}" for r, _p, a in REFUSED])
def test_a_command_the_role_lacks_exits_2_and_changes_nothing(
        cli: Cli, tmp_path: Path, role: str, permission: Permission,
        args: tuple[str, ...]) -> None:
    out = tmp_path / "orders.csv"
    filled = [a.format(out=out, **ids(cli)) for a in args]
    before = digest(cli.store_url or cli.data, out)
    line = cli.fails(2, "--role", role, *filled)
    assert line == (f"ordertui: role '{role}' may not {permission.words}; ask someone whose "
                    f"role allows {permission.value}")
    assert digest(cli.store_url or cli.data, out) == before
    assert cli.engine.action_counts() == {}  # nothing reached the supplier
    assert "nothing waiting" in cli.ok("outbox").stderr


def test_the_same_from_ordertui_role(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    order = ids(cli)["delivered"]
    monkeypatch.setenv("ORDERTUI_ROLE", "staff")
    before = digest(cli.store_url or cli.data)
    cli.fails(2, "refund", order, "--amount", "1.00", "--reason", "late",
              match="role 'staff' may not refund; ask someone whose role allows refund")
    assert digest(cli.store_url or cli.data) == before
    # --role is the command line's word, over the environment's
    assert "refunded" in cli.ok("--role", "owner", "refund", order, "--amount", "1.00",
                                "--reason", "late").stdout


@pytest.mark.parametrize("permission_args", COMMANDS, ids=[" ".join(a[:2]) for _p, a in
                                                           COMMANDS])
def test_the_owner_is_refused_nothing(cli: Cli, tmp_path: Path,
                                      permission_args: tuple[Permission, tuple[str, ...]]
                                      ) -> None:
    """By default and named: whatever the order's state makes of the command, it is not the
    role that says no."""
    _permission, args = permission_args
    filled = [a.format(out=tmp_path / "orders.csv", **ids(cli)) for a in args]
    for role in ((), ("--role", "owner")):
        result = cli(*role, *filled)
        assert "may not" not in result.stderr, result.stderr


def test_staff_cancels_disputes_and_syncs(cli: Cli) -> None:
    o = ids(cli)
    done = cli.ok("--role", "staff", "cancel", o["processing"], "--reason", "twice", "--yes")
    assert "cancellation requested" in done.stdout
    cli.ok("--role", "staff", "dispute", "open", o["delivered"], "--reason", "not_received",
           "--amount", "5", "--description", "never came")
    assert cli.engine.action_counts() == {"cancel": 1, "dispute_open": 1}
    cli.ok("--role", "staff", "sync")


def test_a_viewer_still_reads(cli: Cli) -> None:
    o = ids(cli)
    assert cli.json("--role", "viewer", "orders")
    assert cli.json("--role", "viewer", "show", o["delivered"])["id"] == int(o["delivered"])
    cli.ok("--role", "viewer", "outbox")
    cli.ok("--role", "viewer", "dispute", "list")
    cli.ok("--role", "viewer", "stock", "list")
    cli.ok("--role", "viewer", "export", "--list-columns")


def test_a_role_that_cancels_but_does_not_sync_leaves_the_sending_to_others(
        cli: Cli) -> None:
    cli.config.write_text(cli.config.read_text() + '\n[roles.desk]\nallow = ["cancel"]\n')
    o = ids(cli)
    done = cli.ok("--role", "desk", "cancel", o["processing"], "--reason", "twice", "--yes")
    assert "queued, not yet sent (your role leaves sending to a session whose role allows " \
           "sync)" in done.stderr
    assert cli.engine.action_counts() == {}
    cli.ok("sync")  # the owner's session sends it
    assert cli.engine.action_counts() == {"cancel": 1}


@pytest.mark.parametrize("how", ["option", "environment"])
def test_an_unknown_role_is_one_line_exit_2(cli: Cli, how: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    if how == "environment":
        monkeypatch.setenv("ORDERTUI_ROLE", "admin")
        args: tuple[str, ...] = ()
    else:
        args = ("--role", "admin")
    before = digest(cli.store_url or cli.data)
    for command in (("orders",), ("sync",), ("policy",), ()):  # () starts the app
        line = cli.fails(2, *args, *command, match="no role named 'admin'")
        assert "the roles are owner, staff, viewer" in line
    assert digest(cli.store_url or cli.data) == before


def test_the_help_names_the_option(cli: Cli) -> None:
    text = cli.ok("--help").stdout
    assert "--role NAME" in text and "ORDERTUI_ROLE" in text
