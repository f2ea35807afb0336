"""A one-line text field whose editing keys take effect in the order they were typed."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding
from textual.widgets import Input


def _editing_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for binding in Input.BINDINGS:
        if isinstance(binding, Binding) and binding.action != "submit":
            for key in binding.key.split(","):
                keys[key.strip()] = binding.action
    return keys


class LineInput(Input):
    """Textual's Input applies a typed character as its key arrives, but its editing keys
    (backspace, the arrows, ctrl+u…) through bindings, which are resolved only after the
    key has gone round the widgets — by then a priority key typed behind it (enter in the
    filter, ctrl+s in a form) may have moved the focus away, and the edit is lost. Over SSH
    several keys arrive at once, so "#1123⌫⌫⌫⌫1177⏎" must give "#1177" every time: here the
    field's own editing keys are applied as they arrive, in order with the characters."""

    EDITING: ClassVar[dict[str, str]] = _editing_keys()

    async def _on_key(self, event: events.Key) -> None:
        action = self.EDITING.get(event.key)
        if action is None:
            await super()._on_key(event)
            return
        event.stop()
        event.prevent_default()
        self._restart_blink()
        await self.run_action(action)
