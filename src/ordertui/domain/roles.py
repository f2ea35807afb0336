"""Roles: what the person in a session may do.

A role is a name and the permissions it allows, one word each, as ``[roles.<name>] allow``
in the config names them. Three roles are built in: ``owner`` may do everything, ``staff``
everything but refunds, exports and the settings, ``viewer`` only look. ``view`` is always
allowed: a role that could not see the orders could do nothing else either.

The services refuse what the session's role does not allow (``NotAllowed``) before they
write or queue anything; the screens do not offer it; the commands exit 2 with its line.
``db_users`` ties database users to a role, for a shared store where each person logs in
as their own user.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from ordertui.domain.capabilities import Action
from ordertui.domain.errors import NotAllowed
from ordertui.i18n import pgettext

#: the role of a session that names none
OWNER = "owner"


class Permission(StrEnum):
    """One thing a role may be allowed to do; the value is the word ``allow`` takes."""

    VIEW = "view"  # see the orders, disputes, returns, the stock and the policy
    SYNC = "sync"  # read from the suppliers and shops, and send the outbox
    CANCEL = "cancel"  # ask for cancellations, answer the supplier, record them by hand
    DISPUTE = "dispute"  # open and follow disputes, record them by hand
    RETURN = "return"  # returns and the returns stock
    REFUND = "refund"  # refunds to customers and money recovered from suppliers
    EXPORT = "export"  # orders to a file or by e-mail
    LINK = "link"  # link supplier orders to shop orders, or unlink them
    SETTINGS = "settings"  # save the settings

    @property
    def label(self) -> str:
        """As a list of what a role leaves out names it, in the language of the process:
        "Refund"."""
        return {"view": pgettext("permission", "View"),
                "sync": pgettext("permission", "Sync"),
                "cancel": pgettext("permission", "Cancel"),
                "dispute": pgettext("permission", "Dispute"),
                "return": pgettext("permission", "Return"),
                "refund": pgettext("permission", "Refund"),
                "export": pgettext("permission", "Export"),
                "link": pgettext("permission", "Link"),
                "settings": pgettext("permission", "Settings")}[self.value]

    @property
    def words(self) -> str:
        """What it allows, inside a sentence ("role 'staff' may not {words}"): "refund"."""
        return {"view": pgettext("a role may not", "view orders"),
                "sync": pgettext("a role may not", "sync with the suppliers and shops"),
                "cancel": pgettext("a role may not", "cancel orders"),
                "dispute": pgettext("a role may not", "open or follow disputes"),
                "return": pgettext("a role may not", "handle returns"),
                "refund": pgettext("a role may not", "refund"),
                "export": pgettext("a role may not", "export orders"),
                "link": pgettext("a role may not", "link orders to shop orders"),
                "settings": pgettext("a role may not", "change the settings")}[self.value]


EVERYTHING = frozenset(Permission)

#: what each of a supplier action needs (the order's actions the details screen lists)
ACTION_PERMISSIONS: Mapping[Action, Permission] = {
    Action.CANCEL: Permission.CANCEL, Action.ANSWER_CANCEL_INFO: Permission.CANCEL,
    Action.DISPUTE_OPEN: Permission.DISPUTE, Action.DISPUTE_REPLY: Permission.DISPUTE,
    Action.DISPUTE_ESCALATE: Permission.DISPUTE, Action.DISPUTE_WITHDRAW: Permission.DISPUTE,
    Action.DISPUTE_ACCEPT_OFFER: Permission.DISPUTE}


@dataclass(frozen=True, slots=True)
class Role:
    """A role: its name, what it allows (``view`` always), and the database users that log
    in with it."""

    name: str
    allow: frozenset[Permission]
    db_users: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "allow", frozenset(self.allow) | {Permission.VIEW})

    def allows(self, permission: Permission) -> bool:
        return permission in self.allow

    def require(self, permission: Permission) -> None:
        """Raise ``NotAllowed`` unless the role allows ``permission``."""
        if permission not in self.allow:
            raise NotAllowed(self.name, permission)

    @property
    def left_out(self) -> tuple[Permission, ...]:
        """What the role does not allow, in the order of ``Permission``."""
        return tuple(p for p in Permission if p not in self.allow)

    def narrowed(self, other: Role) -> Role:
        """What this role and ``other`` both allow, under the name of the narrower (this
        one's when they allow the same): a session asked for one role that logs in to the
        store as a user of another may do only what both allow."""
        allow = self.allow & other.allow
        name = self.name if allow == self.allow else other.name if allow == other.allow \
            else f"{self.name}+{other.name}"
        return Role(name, allow, self.db_users)


#: the roles every config has; ``[roles.staff]`` or ``[roles.viewer]`` may change them,
#: ``owner`` always allows everything
BUILTIN_ROLES: Mapping[str, Role] = {
    OWNER: Role(OWNER, EVERYTHING),
    "staff": Role("staff", EVERYTHING - {Permission.REFUND, Permission.EXPORT,
                                         Permission.SETTINGS}),
    "viewer": Role("viewer", frozenset({Permission.VIEW})),
}


def permissions(words: Sequence[str]) -> tuple[frozenset[Permission], list[str]]:
    """The permissions ``words`` name, and the words that name none (for the config's
    error)."""
    known = {p.value: p for p in Permission}
    found = {known[w] for w in words if w in known}
    return frozenset(found), [w for w in words if w not in known]


def role_of_db_user(roles: Mapping[str, Role], user: str) -> Role | None:
    """The role whose ``db_users`` lists ``user`` (None when none does)."""
    return next((r for r in roles.values() if user in r.db_users), None)
