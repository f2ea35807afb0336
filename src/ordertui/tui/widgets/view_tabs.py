"""The views above the orders table (All, Needs attention, Unpaid, ...), with their counts.

Drawn as one line that adapts to the width: full labels with counts on a wide terminal,
short labels on 80 columns, and on a narrower one the counts that matter most (the current
view's, what needs attention, protection running out) while they fit.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.cells import cell_len
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from ordertui.domain.query import View

SHORT = {View.ALL: "All", View.ATTENTION: "Attention", View.AWAITING_PAYMENT: "Unpaid",
         View.PROCESSING: "Processing", View.SHIPPED: "Shipped", View.DELIVERED: "Delivered",
         View.CANCELLED: "Cancelled", View.PROTECTION: "Protection ≤7d"}
TINY = {View.ALL: "All", View.ATTENTION: "Attn", View.AWAITING_PAYMENT: "Unpaid",
        View.PROCESSING: "Proc", View.SHIPPED: "Ship", View.DELIVERED: "Deliv",
        View.CANCELLED: "Canc", View.PROTECTION: "Prot"}
FULL = {v: v.label for v in View}
VIEWS = list(View)


class ViewTabs(Widget):
    DEFAULT_CSS = """
    ViewTabs { height: 1; padding: 0 1; }
    """

    current: reactive[View] = reactive(View.ALL)
    counts: reactive[dict[str, int]] = reactive(dict, always_update=True)

    def render(self) -> Text:
        width = self.size.width - 2
        every = frozenset(View)
        for labels, digits in ((FULL, True), (SHORT, True), (TINY, True), (TINY, False)):
            text = self._line(labels, digits, every)
            if cell_len(text.plain) <= width:
                return text
        # tiny labels, and the counts that matter most while they fit: the current view's,
        # what needs attention, protection running out, all orders, then the others
        keep = [self.current, View.ATTENTION, View.PROTECTION, View.ALL,
                *(v for v in VIEWS if v not in (View.ATTENTION, View.PROTECTION, View.ALL))]
        keep = list(dict.fromkeys(keep))
        while len(keep) > 1:
            keep.pop()
            text = self._line(TINY, False, frozenset(keep))
            if cell_len(text.plain) <= width:
                return text
        return text

    def _line(self, labels: Mapping[View, str], digits: bool, counted: frozenset[View]
              ) -> Text:
        text = Text()
        for i, view in enumerate(VIEWS, 1):
            label = labels[view]
            n = self.counts.get(view.value)
            selected = view is self.current
            count = f" {n:,}" if n is not None and view in counted else ""
            style = "reverse bold" if selected else ""
            if view in (View.ATTENTION, View.PROTECTION) and n and not selected:
                style = "bold"  # something waits on the merchant
            if i > 1:
                text.append(" ")
            if digits:
                text.append(f"{i} ", style="dim")
            text.append(f"{label}{count}", style=style)
        return text
