"""Choosing the sort: every column of the table. Picking the current one reverses it."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from ordertui.domain.query import SortKey


class SortModal(ModalScreen[SortKey | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back", id="modal.back"),
    ]

    def __init__(self, current: SortKey, descending: bool) -> None:
        super().__init__()
        self.current, self.descending = current, descending

    def compose(self) -> ComposeResult:
        options = []
        for key in SortKey:
            label = key.label
            if key is self.current:
                label += f"  (now {'▼' if self.descending else '▲'}; pick again to reverse)"
            options.append(Option(Text(label), id=key.value))
        with Vertical(classes="dialog dialog-narrow"):
            yield Label(Text("Sort orders by", style="bold"), classes="dialog-title")
            yield OptionList(*options, id="sort-options")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = list(SortKey).index(self.current)
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(SortKey(event.option.id or SortKey.CREATED.value))
