"""`?`: every key of the screen you came from, grouped, with the keys as remapped in the
config."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from ordertui.tui.format import CANCEL_MARK, DISPUTE_MARK

GROUP_ORDER = ["Move", "Views", "Find", "Orders", "Act", "Supplier", "Go to", "App", "Other"]


def collect(screen: Screen[Any]) -> dict[str, list[tuple[str, str]]]:
    """(keys, description) of every binding active on ``screen``, grouped."""
    groups: dict[str, list[tuple[str, str]]] = {}
    app = screen.app
    seen: dict[tuple[str, str], list[str]] = {}
    help_groups: dict[str, str] = {}
    for node in (screen, *screen.query("*")):
        help_groups.update(getattr(node, "HELP_GROUPS", {}))
    for key, active in screen.active_bindings.items():
        b = active.binding
        if not b.description or (b.system and b.action not in ("command_palette",)):
            continue
        action = b.action
        group = help_groups.get(action) or getattr(app, "HELP_GROUPS", {}).get(action, "Other")
        if active.node is app:
            group = getattr(app, "HELP_GROUPS", {}).get(action, "App")
        seen.setdefault((group, b.description), []).append(
            app.get_key_display(b.with_key(key)))
    for (group, description), keys in seen.items():
        groups.setdefault(group, []).append((", ".join(dict.fromkeys(keys)), description))
    return {g: groups[g] for g in GROUP_ORDER if g in groups} | {
        g: v for g, v in groups.items() if g not in GROUP_ORDER}


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="help.close"),
        Binding("j,down", "scroll_down", "Scroll", show=False),
        Binding("k,up", "scroll_up", "Scroll", show=False),
    ]

    def __init__(self, target: Screen[Any]) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-wide"):
            yield Label(Text("Keys", style="bold"), classes="dialog-title")
            with VerticalScroll(id="help-body"):
                yield Static(self._body(), markup=False)

    def _body(self) -> Table:
        outer = Table.grid(padding=(0, 2))
        outer.add_column()
        for group, entries in collect(self.target).items():
            table = Table(box=None, show_header=False, title=group, title_justify="left",
                          title_style="bold underline", pad_edge=False)
            table.add_column(style="bold", no_wrap=True)
            table.add_column()
            for keys, description in entries:
                table.add_row(keys, description)
            outer.add_row(table)
        if type(self.target).__name__ == "OrdersScreen":
            legend = Table(box=None, show_header=False, title="Flags in the table",
                           title_justify="left", title_style="bold underline")
            legend.add_column(style="bold")
            legend.add_column()
            for state, mark in CANCEL_MARK.items():
                legend.add_row(mark, state.label)
            for dstate, mark in DISPUTE_MARK.items():
                legend.add_row(mark, f"Dispute: {dstate.label}")
            outer.add_row(legend)
        outer.add_row(Text("Keys can be remapped under [keys] in the config file, or in "
                           "Settings (ctrl+p → Settings).", style="italic"))
        return outer

    def action_scroll_down(self) -> None:
        self.query_one("#help-body", VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#help-body", VerticalScroll).scroll_up()
