"""Choosing the sort: every column of the table. Picking the current one reverses it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ordertui.domain.query import SortKey
from ordertui.i18n import _
from ordertui.tui.dialog import Dialog


class SortDialog(Dialog[SortKey | None]):
    FRAME = "dialog dialog-narrow"
    FOCUS = "#sort-options"
    SUBMIT = None
    BACK = None
    ERROR_LINE = False

    def __init__(self, current: SortKey, descending: bool,
                 keys: list[SortKey] | None = None) -> None:
        super().__init__()
        self.current, self.descending = current, descending
        self.keys = keys or [k for k in SortKey if k is not SortKey.ENDS]

    def heading(self) -> str:
        return _("Sort orders by")

    def compose_body(self) -> ComposeResult:
        options = []
        for key in self.keys:
            label = key.label
            if key is self.current:
                label += "  " + _("(now {arrow}; pick again to reverse)").format(
                    arrow="▼" if self.descending else "▲")
            options.append(Option(Text(label), id=key.value))
        yield OptionList(*options, id="sort-options")

    def on_mount(self) -> None:
        if self.current in self.keys:
            self.query_one(OptionList).highlighted = self.keys.index(self.current)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(SortKey(event.option.id or SortKey.CREATED.value))
