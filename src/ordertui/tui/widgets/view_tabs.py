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
from ordertui.i18n import formats, pgettext

# the labels in the language of the process, asked for each time the line is drawn


def full() -> dict[View, str]:
    """The labels on a wide terminal (the views' own)."""
    return {v: v.label for v in View}


def short() -> dict[View, str]:
    """The shorter labels, for when the full ones do not fit (120 columns)."""
    return {View.ALL: pgettext("tab", "All"), View.ATTENTION: pgettext("tab", "Attention"),
            View.AWAITING_PAYMENT: pgettext("tab", "Unpaid"),
            View.PROCESSING: pgettext("tab", "Processing"),
            View.SHIPPED: pgettext("tab", "Shipped"),
            View.DELIVERED: pgettext("tab", "Delivered"),
            View.CANCELLED: pgettext("tab", "Cancelled"),
            View.PROTECTION: pgettext("tab", "Protection ≤7d")}


def tiny() -> dict[View, str]:
    """The labels on a narrower terminal: four or five letters."""
    return {View.ALL: pgettext("narrow tab", "All"),
            View.ATTENTION: pgettext("narrow tab", "Attn"),
            View.AWAITING_PAYMENT: pgettext("narrow tab", "Unpaid"),
            View.PROCESSING: pgettext("narrow tab", "Proc"),
            View.SHIPPED: pgettext("narrow tab", "Ship"),
            View.DELIVERED: pgettext("narrow tab", "Deliv"),
            View.CANCELLED: pgettext("narrow tab", "Canc"),
            View.PROTECTION: pgettext("narrow tab", "Prot")}


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
        narrow = tiny()
        for labels, digits in ((full(), True), (short(), True), (narrow, True), (narrow, False)):
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
            text = self._line(narrow, False, frozenset(keep))
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
            count = f" {formats.number(n)}" if n is not None and view in counted else ""
            style = "reverse bold" if selected else ""
            if view in (View.ATTENTION, View.PROTECTION) and n and not selected:
                style = "bold"  # something waits on the merchant
            if i > 1:
                text.append(" ")
            if digits:
                text.append(f"{i} ", style="dim")
            text.append(f"{label}{count}", style=style)
        return text
