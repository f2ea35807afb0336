"""Roles as a pure model: the nine permissions, the three built-in roles, "view" always
implied, what a role leaves out, two roles narrowed to what both allow, and the one-line
refusal in English and German."""

from __future__ import annotations

import pytest

from ordertui import i18n
from ordertui.domain.capabilities import Action
from ordertui.domain.errors import NotAllowed
from ordertui.domain.roles import (
    ACTION_PERMISSIONS,
    BUILTIN_ROLES,
    EVERYTHING,
    OWNER,
    Permission,
    Role,
    permissions,
    role_of_db_user,
)

P = Permission


def test_the_nine_permissions_are_the_words_the_config_takes() -> None:
    assert [p.value for p in Permission] == ["view", "sync", "cancel", "dispute", "return",
                                             "refund", "export", "link", "settings"]


def test_the_built_in_roles() -> None:
    assert list(BUILTIN_ROLES) == [OWNER, "staff", "viewer"]
    assert BUILTIN_ROLES["owner"].allow == EVERYTHING
    assert BUILTIN_ROLES["staff"].left_out == (P.REFUND, P.EXPORT, P.SETTINGS)
    assert BUILTIN_ROLES["viewer"].allow == {P.VIEW}
    assert BUILTIN_ROLES["viewer"].left_out == tuple(p for p in Permission if p is not P.VIEW)
    assert all(r.db_users == () for r in BUILTIN_ROLES.values())


def test_view_is_always_allowed() -> None:
    assert Role("nobody", frozenset()).allow == {P.VIEW}
    assert Role("sync-only", frozenset({P.SYNC})).allows(P.VIEW)


def test_require_raises_not_allowed_in_one_line_with_exit_code_2() -> None:
    staff = BUILTIN_ROLES["staff"]
    staff.require(P.CANCEL)  # allowed: nothing happens
    with pytest.raises(NotAllowed) as caught:
        staff.require(P.REFUND)
    exc = caught.value
    assert str(exc) == "role 'staff' may not refund; ask someone whose role allows refund"
    assert exc.exit_code == 2 and exc.role == "staff" and exc.permission is P.REFUND
    for p in Permission:
        line = str(NotAllowed("viewer", p))
        assert "\n" not in line and line.endswith(f"whose role allows {p.value}")


def test_the_refusal_and_the_labels_in_german() -> None:
    i18n.use("de")
    assert str(NotAllowed("staff", P.REFUND)) == (
        "die Rolle 'staff' darf nicht erstatten; fragen Sie jemanden, dessen Rolle refund "
        "erlaubt")
    assert [p.label for p in BUILTIN_ROLES["staff"].left_out] == [
        "Rückerstattung", "Export", "Einstellungen"]
    for p in Permission:  # every label and every phrase translated
        i18n.use("en")
        english = (p.label, p.words)
        i18n.use("de")
        assert (p.label, p.words) != english or p is P.EXPORT


def test_labels_in_english() -> None:
    assert [p.label for p in Permission] == ["View", "Sync", "Cancel", "Dispute", "Return",
                                             "Refund", "Export", "Link", "Settings"]


def test_every_supplier_action_needs_cancel_or_dispute() -> None:
    assert set(ACTION_PERMISSIONS) == set(Action)
    assert {a for a, p in ACTION_PERMISSIONS.items() if p is P.CANCEL} == {
        Action.CANCEL, Action.ANSWER_CANCEL_INFO}
    assert {p for p in ACTION_PERMISSIONS.values()} == {P.CANCEL, P.DISPUTE}


def test_permissions_reads_the_words_and_names_the_unknown_ones() -> None:
    assert permissions(["sync", "refund"]) == (frozenset({P.SYNC, P.REFUND}), [])
    assert permissions(["sync", "refunds", "Export"]) == (frozenset({P.SYNC}),
                                                          ["refunds", "Export"])


def test_narrowed_keeps_what_both_allow() -> None:
    owner, staff, viewer = (BUILTIN_ROLES[n] for n in ("owner", "staff", "viewer"))
    assert owner.narrowed(staff) == Role("staff", staff.allow)
    assert staff.narrowed(owner) == staff
    assert staff.narrowed(viewer).allow == {P.VIEW} and staff.narrowed(viewer).name == "viewer"
    helper = Role("helper", frozenset({P.SYNC, P.REFUND}))
    both = staff.narrowed(helper)
    assert both.allow == {P.VIEW, P.SYNC} and both.name == "staff+helper"


def test_the_role_of_a_database_user() -> None:
    roles = {**BUILTIN_ROLES, "staff": Role("staff", BUILTIN_ROLES["staff"].allow,
                                            ("anna", "ben"))}
    assert role_of_db_user(roles, "ben") is roles["staff"]
    assert role_of_db_user(roles, "carl") is None
