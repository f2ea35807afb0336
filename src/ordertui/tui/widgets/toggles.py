"""Checkboxes and radio buttons whose state shows without colour.

Textual draws the same mark inside a toggle whether it is on or off and tells the two
apart by colour alone, which a terminal without colour (``NO_COLOR``, a monochrome
console) cannot show: here the mark is there when on and blank when off.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import Checkbox, RadioButton, SelectionList
from textual.widgets.option_list import OptionDoesNotExist
from textual.widgets.selection_list import Selection

OFF = " "


class Check(Checkbox):
    ON = "X"
    BUTTON_INNER = OFF

    def watch_value(self) -> None:
        self.BUTTON_INNER = self.ON if self.value else OFF
        super().watch_value()


class Radio(RadioButton):
    ON = "●"
    BUTTON_INNER = OFF

    def watch_value(self) -> None:
        self.BUTTON_INNER = self.ON if self.value else OFF
        super().watch_value()


class Picks(SelectionList[str]):
    """A list of choices to tick, whose ticks show without colour: the mark only on a
    chosen line."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        try:
            option = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        if len(segments) < 2 or not isinstance(option, Selection):
            return strip
        if option.value not in self.selected:
            mark = segments[1]
            segments[1] = Segment(OFF * len(mark.text), mark.style, mark.control)
        return Strip(segments, strip.cell_length)
