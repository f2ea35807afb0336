"""The one-line bar at the top of every screen: where you are, the session's role when it is
not the owner's, and DEMO when the demo supplier is in use (so nobody mistakes it for their
real shop)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ordertui.domain.roles import OWNER, Role
from ordertui.i18n import _


class TopBar(Static):
    DEFAULT_CSS = """
    TopBar { dock: top; height: 1; background: $panel; color: $foreground; padding: 0 1; }
    """

    def __init__(self, title: str, *, demo: bool) -> None:
        """``title``: where the merchant is, translated by the screen."""
        super().__init__(markup=False)
        self.title_text = title
        self.demo = demo

    def on_mount(self) -> None:
        self.set_title(self.title_text)

    def set_title(self, title: str) -> None:
        self.title_text = title
        text = Text()
        text.append("ordertui", style="bold")
        text.append(f" · {title}")
        role = getattr(getattr(self.app, "services", None), "role", None)
        if isinstance(role, Role) and role.name != OWNER:
            text.append(" · ")
            text.append(_("role {role}").format(role=role.name), style="italic")
        if self.demo:
            text.append("  ")
            text.append(" " + _("DEMO") + " ", style="bold reverse")
            text.append(" " + _("demo supplier: nothing here is real"), style="italic")
        self.update(text)
