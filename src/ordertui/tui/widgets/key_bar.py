"""The keys of the screen on one line at the bottom, most important first: a key the merchant
moved in ``[keys]`` keeps its place, and when the line is too short (80 columns, longer
words in another language) the least important keys give way, never the ones a merchant
needs to act."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widget import Widget

from ordertui.i18n import N_, _
from ordertui.tui import keys

#: what the right end of the line says about the command palette
PALETTE = N_("palette")


@dataclass(frozen=True, slots=True)
class Shown:
    key: str  # the key as Textual names it, to press it on a click
    display: str  # as people read it
    description: str  # in the language of the process
    enabled: bool
    rank: int


class KeyBar(Widget):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
    }
    KeyBar > .key-bar--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyBar > .key-bar--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    KeyBar > .key-bar--disabled {
        color: $text-disabled;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-bar--key", "key-bar--description",
                                              "key-bar--disabled"}

    def __init__(self) -> None:
        super().__init__()
        #: (start, end, key) of each key drawn, for a click
        self._spans: list[tuple[int, int, str]] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _changed(self, _screen: object) -> None:
        self.refresh()

    def shown(self) -> list[Shown]:
        """The keys the screen offers now, most important first, each action once."""
        found: dict[str, Shown] = {}
        for key, active in self.screen.active_bindings.items():
            b = active.binding
            if not b.show or b.action in found:
                continue
            found[b.action] = Shown(key, self.app.get_key_display(b.with_key(key)),
                                    keys.describe(b.description), active.enabled,
                                    keys.footer_rank(b.id, b.action))
        return sorted(found.values(), key=lambda s: s.rank)

    def render(self) -> Text:
        width = self.size.width
        key_style = self.get_component_rich_style("key-bar--key")
        text_style = self.get_component_rich_style("key-bar--description")
        off_style = self.get_component_rich_style("key-bar--disabled")
        palette, palette_word = "", _(PALETTE)
        command = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if self.app.ENABLE_COMMAND_PALETTE and command is not None:
            palette = f" {self.app.get_key_display(command.binding)} "
        room = width - (cell_len(palette) + cell_len(palette_word) + 2 if palette else 0)
        line = Text(no_wrap=True, overflow="crop")
        self._spans = []
        for s in self.shown():
            part = cell_len(s.display) + cell_len(s.description) + 3
            if line.cell_len + part > room:
                continue  # a less important key that fits may still follow
            start = line.cell_len
            line.append(f" {s.display} ", key_style if s.enabled else off_style)
            line.append(f"{s.description} ", text_style if s.enabled else off_style)
            self._spans.append((start, line.cell_len, s.key))
        if palette:
            line.append(" " * max(width - line.cell_len - cell_len(palette)
                                  - cell_len(palette_word) - 1, 0))
            line.append(palette, key_style)
            line.append(f"{palette_word} ", text_style)
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return
