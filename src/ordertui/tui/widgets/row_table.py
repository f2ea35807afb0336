"""A table of rows to pick from (disputes, returns, the key map): j/k and the arrows move,
home and end go to the first and last row (not sideways, as a spreadsheet's would)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from ordertui.i18n import N_


class RowTable(DataTable[Any]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", N_("Down"), show=False),
        Binding("k", "cursor_up", N_("Up"), show=False),
        Binding("home,g", "scroll_top", N_("First"), show=False),
        Binding("end,G", "scroll_bottom", N_("Last"), show=False),
    ]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cursor_type", "row")
        super().__init__(**kwargs)
