"""Small dialogs shared by several screens: confirm once, ask for a line of text."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from ordertui.domain.errors import OrdertuiError
from ordertui.tui.widgets.line_input import LineInput


class ConfirmModal(ModalScreen[bool]):
    """Destructive actions ask once, clearly: y or enter confirms, n or esc aborts."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "dismiss(False)", "No", id="modal.no"),
        Binding("y", "dismiss(True)", "Yes", id="modal.yes"),
    ]

    def __init__(self, title: str, body: Text | str, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.title_text, self.body, self.yes, self.no = title, body, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text, style="bold"), classes="dialog-title")
            yield Static(self.body if isinstance(self.body, Text) else Text(self.body),
                         classes="dialog-body", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes} (y)", variant="primary", id="yes")
                yield Button(f"{self.no} (esc)", id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line of text; ``check`` may raise to show a message under the field."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back", id="modal.back"),
    ]

    def __init__(self, title: str, body: Text | str, *, label: str, placeholder: str = "",
                 value: str = "", submit: str = "Send", check: object = None) -> None:
        super().__init__()
        self.title_text, self.body, self.label = title, body, label
        self.placeholder, self.value, self.submit = placeholder, value, submit
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text, style="bold"), classes="dialog-title")
            yield Static(self.body if isinstance(self.body, Text) else Text(self.body),
                         classes="dialog-body", markup=False)
            yield Label(self.label, classes="field-label")
            yield LineInput(value=self.value, placeholder=self.placeholder, id="text")
            yield Static("", classes="field-error", id="error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.submit} (enter)", variant="primary", id="submit")
                yield Button("Back (esc)", id="back")

    def on_mount(self) -> None:
        self.query_one("#text", Input).focus()

    def _submit(self) -> None:
        value = self.query_one("#text", Input).value
        error = self.query_one("#error", Static)
        if not value.strip():
            error.update(Text(f"Please write the {self.label.lower().rstrip(':')}."))
            return
        if callable(self.check):
            try:
                self.check(value)
            except OrdertuiError as exc:
                error.update(Text(str(exc)))
                return
        self.dismiss(value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "submit":
            self._submit()
        else:
            self.dismiss(None)
