"""`?`: every key of the screen you came from, grouped as the key table groups them, with the
keys as remapped in the config; and, for a role that leaves some out, which."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from ordertui.domain.roles import Permission
from ordertui.i18n import _, ngettext
from ordertui.tui import keys
from ordertui.tui.base import BaseScreen
from ordertui.tui.dialog import Dialog
from ordertui.tui.format import (
    CANCEL_MARK,
    DISPUTE_MARK,
    PROTECTION_MARK,
    REFUND_MARK,
    STALLED_MARK,
)


def collect(screen: Screen[Any]) -> dict[str, list[tuple[str, str]]]:
    """(keys, description) of every binding active on ``screen``, by help group, in the
    language of the process (the bindings hold their English words: see ``keys.describe``)."""
    app = screen.app
    seen: dict[tuple[str, str], list[str]] = {}
    for key, active in screen.active_bindings.items():
        b = active.binding
        if not b.description or (b.system and b.action != "command_palette"):
            continue
        group = keys.group_of(b.id, b.action) or ("App" if active.node is app else "Other")
        seen.setdefault((group, keys.describe(b.description)), []).append(
            app.get_key_display(b.with_key(key)))
    groups: dict[str, list[tuple[str, str]]] = {}
    for (group, description), found in seen.items():
        groups.setdefault(group, []).append((", ".join(dict.fromkeys(found)), description))
    order = [g for g in keys.GROUPS if g in groups] + [g for g in groups if g not in keys.GROUPS]
    return {keys.group_name(g): groups[g] for g in order}


def _section(title: str, rows: list[tuple[str, str]]) -> Text:
    """A titled list of keys; plain text, so the scroll area measures its height right."""
    width = max((cell_len(k) for k, _ in rows), default=0)
    text = Text(title, style="bold underline")
    for key, description in rows:
        text.append("\n")
        text.append(key + " " * (width - cell_len(key)), style="bold")
        text.append(f"  {description}")
    return text


class HelpDialog(Dialog[None]):
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("help")
    FRAME = "dialog dialog-wide"
    FOCUS = "#help-body"
    SUBMIT = None
    BACK = None
    ERROR_LINE = False

    def __init__(self, target: Screen[Any]) -> None:
        super().__init__()
        self.target = target

    def heading(self) -> str:
        return _("Keys")

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            role = self.services.role
            if role.left_out:  # where the merchant looks for the keys that are not there
                yield Static(Text(_("Your role {role} leaves out: {actions}").format(
                    role=role.name, actions=", ".join(p.label for p in role.left_out)),
                    style="bold"), markup=False, id="help-role")
            for group, entries in collect(self.target).items():
                yield Static(_section(group, entries), markup=False, classes="help-group")
            if isinstance(self.target, BaseScreen) and self.target.SHOWS_FLAGS:
                rows = [(mark, state.label) for state, mark in CANCEL_MARK.items()]
                rows += [(mark, _("Dispute: {state}").format(state=d.label))
                         for d, mark in DISPUTE_MARK.items()]
                days = self.services.config.stalled_tracking_days
                rows += [(REFUND_MARK, _("A cancelled order still owes its customer a refund")),
                         (STALLED_MARK, ngettext("Its tracking has not moved for {n} day",
                                                 "Its tracking has not moved for {n} days",
                                                 days).format(n=days)),
                         (PROTECTION_MARK, _("Buyer protection ends soon, and it has not "
                                             "arrived"))]
                yield Static(_section(_("Flags in the table"), rows), markup=False,
                             classes="help-group")
            remap = (_("Keys can be remapped under [keys] in the config file, or in "
                       "Settings (ctrl+p → Settings).") if role.allows(Permission.SETTINGS)
                     else _("Keys can be remapped under [keys] in the config file."))
            yield Static(Text(remap, style="italic"), markup=False)

    def action_scroll_down(self) -> None:
        self.query_one("#help-body", VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#help-body", VerticalScroll).scroll_up()
