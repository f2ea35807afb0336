"""Checkboxes and radio buttons whose state shows without colour.

Textual draws the same mark inside a toggle whether it is on or off and tells the two
apart by colour alone, which a terminal without colour (``NO_COLOR``, a monochrome
console) cannot show: here the mark is there when on and blank when off.
"""

from __future__ import annotations

from textual.widgets import Checkbox, RadioButton

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
