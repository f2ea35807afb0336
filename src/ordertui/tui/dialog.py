"""The one dialog every modal of the app is: a title, a body with its fields, an error line
for each field that can be wrong (and one for the rest), buttons that name their keys, and a
worker that runs the service call when the merchant submits — in the manner of Textual's
``ModalScreen[T]``, which returns its result by ``dismiss()``.

A subclass says what it shows (``compose_body``) and what submitting does (``submit``,
a coroutine returning the dialog's result). A ``ValidationError`` raised there is shown under
the field it names, and the field is focused; any other ``OrdertuiError`` on the error line;
what was typed stays. Submitting twice at once is not possible.

The words of a class's buttons (``SUBMIT``, ``BACK``) are English constants, marked with
``N_()`` and translated when the dialog is made; words given to a dialog when it is made
(a title, ``ConfirmDialog``'s ``yes``) are given translated.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, ParamSpec, TypeVar

from rich.text import Text
from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea
from textual.widgets.button import ButtonVariant

from ordertui import i18n
from ordertui.domain import rules
from ordertui.domain.errors import OrdertuiError, ValidationError
from ordertui.i18n import N_, _
from ordertui.services import Services
from ordertui.tui import keys
from ordertui.tui.shell import Shell
from ordertui.tui.widgets.fields import OneLine

R = TypeVar("R")
T = TypeVar("T")
P = ParamSpec("P")


class KeepOpen(Exception):
    """Raised by ``submit`` to leave the dialog open without an error (it said why itself)."""


class Dialog(ModalScreen[R]):
    app = getters.app(Shell)

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("dialog")

    #: the classes of the dialog's frame ("dialog dialog-wide", "dialog dialog-narrow")
    FRAME: ClassVar[str] = "dialog"
    #: the submit button: its words (English, marked with N_), the key id it names (None:
    #: enter, in a field), variant
    SUBMIT: ClassVar[tuple[str, str | None, ButtonVariant] | None] = (
        N_("Save"), "form.submit", "primary")
    #: the back button: its words (English, marked with N_) and the key id it names
    BACK: ClassVar[tuple[str, str] | None] = (N_("Back"), "modal.back")
    #: fields with an error line of their own (``<field>-error``, placed by compose_body)
    FIELDS: ClassVar[tuple[str, ...]] = ()
    #: a line for errors of no field (``#error``), above the buttons; when False, such
    #: errors go under GENERAL_FIELD
    ERROR_LINE: ClassVar[bool] = True
    GENERAL_FIELD: ClassVar[str] = ""
    #: enter in a one-line field submits
    SUBMIT_ON_ENTER: ClassVar[bool] = False
    #: what esc gives back
    BACK_RESULT: ClassVar[Any] = None
    #: the widget that has the focus when the dialog opens (else the first that can)
    FOCUS: ClassVar[str] = ""
    #: text fields (by id, among FIELDS) and the most characters each takes: a longer text
    #: (a paste) is said at once, under the field, not only when submitting
    LIMITS: ClassVar[dict[str, int]] = {}

    def __init__(self) -> None:
        super().__init__()
        self.submitting = False
        self._over: set[str] = set()  # fields whose text is longer than they take
        #: the buttons as shown: their words in the language of the process
        self.submit_button = (None if self.SUBMIT is None else
                              (_(self.SUBMIT[0]), self.SUBMIT[1], self.SUBMIT[2]))
        self.back_button = None if self.BACK is None else (_(self.BACK[0]), self.BACK[1])

    @property
    def services(self) -> Services:
        return self.app.services

    # --- what a dialog shows -----------------------------------------------------------
    def heading(self) -> str | Text:
        raise NotImplementedError  # every dialog has a title

    def compose_body(self) -> ComposeResult:
        yield from ()

    def compose_extra(self) -> ComposeResult:
        """What goes between the error line and the buttons (a progress bar)."""
        yield from ()

    def compose(self) -> ComposeResult:
        with Vertical(classes=self.FRAME):
            heading = self.heading()
            yield Label(heading if isinstance(heading, Text) else Text(heading, style="bold"),
                        classes="dialog-title")
            yield from self.compose_body()
            if self.ERROR_LINE:
                yield Static("", classes="field-error", id="error", markup=False)
            yield from self.compose_extra()
            buttons = list(self.buttons())
            if buttons:
                with Horizontal(classes="dialog-buttons"):
                    yield from buttons

    def buttons(self) -> Iterable[Button]:
        if self.submit_button is not None:
            words, key_id, variant = self.submit_button
            key = self.app.key_text(key_id) if key_id else "enter"
            yield Button(f"{words} ({key})", variant=variant, id="submit")
        if self.back_button is not None:
            words, key_id = self.back_button
            yield Button(f"{words} ({self.app.key_text(key_id)})", id="back")

    def error_line(self, field: str) -> Static:
        """The line under a field where its problem shows."""
        return Static("", classes="field-error", id=f"{field}-error", markup=False)

    def on_mount(self) -> None:
        # now, not when the screen resumes: the keys typed behind the one that opened the
        # dialog wait for a focused widget, and focus given before the first layout does not
        # scroll a long form away from its top
        for widget in self.query(self.FOCUS) if self.FOCUS else ():
            widget.focus()
            break

    # --- errors -------------------------------------------------------------------------
    def show_error(self, field: str | None, message: str) -> None:
        """Under the field it is about (focusing the field), else on the error line."""
        if field in self.FIELDS:
            self._line(f"#{field}-error").update(Text(message))
            with contextlib.suppress(NoMatches):
                self.query_one(f"#{field}").focus()
            return
        if self.ERROR_LINE:
            self._line("#error").update(Text(message))
        else:
            self._line(f"#{self.GENERAL_FIELD}-error").update(Text(message))

    def clear_errors(self) -> None:
        for widget in self.query(".field-error"):
            if isinstance(widget, Static):
                widget.update("")

    def _line(self, selector: str) -> Static:
        return self.query_one(selector, Static)

    # --- submitting ---------------------------------------------------------------------
    async def submit(self) -> R:
        """Read the fields, call the service, return the dialog's result."""
        raise NotImplementedError

    async def run_read(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """A service call that reads or writes the store, off the event loop."""
        return await self.app.reads.run(fn, *args, **kwargs)

    def action_submit(self) -> None:
        if not self.submitting:
            self.submitting = True
            self._submit()

    @work(exclusive=True, group="dialog-submit")
    async def _submit(self) -> None:
        try:
            self.clear_errors()
            result = await self.submit()
        except KeepOpen:
            return
        except ValidationError as exc:
            self.show_error(exc.field, str(exc))
            return
        except OrdertuiError as exc:
            self.show_error(None, str(exc))
            return
        finally:
            self.submitting = False
        self.dismiss(result)

    def action_back(self) -> None:
        self.dismiss(self.BACK_RESULT)

    @on(Button.Pressed, "#submit")
    def _submit_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#back")
    def _back_pressed(self) -> None:
        self.action_back()

    @on(Input.Changed)
    @on(TextArea.Changed)
    def _within_limit(self, event: Input.Changed | TextArea.Changed) -> None:
        widget = event.input if isinstance(event, Input.Changed) else event.text_area
        field = widget.id or ""
        limit = self.LIMITS.get(field)
        if limit is None:
            return
        text = (widget.value if isinstance(widget, Input) else widget.text).strip()
        if len(text) > limit:
            self._over.add(field)
            self._line(f"#{field}-error").update(Text(rules.too_long(field, len(text), limit)))
        elif field in self._over:
            self._over.discard(field)
            self._line(f"#{field}-error").update("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self.SUBMIT_ON_ENTER:
            event.stop()
            self.action_submit()


class ConfirmDialog(Dialog[bool]):
    """Destructive actions ask once, clearly: y or enter confirms, n or esc aborts."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("confirm")
    FOCUS = "#submit"
    ERROR_LINE = False
    BACK_RESULT = False

    def __init__(self, title: str, body: Text | str, *, yes: str | None = None,
                 no: str | None = None) -> None:
        """``title``, ``body``, ``yes`` and ``no`` as shown: translated by the caller."""
        super().__init__()
        self.title_text, self.body = title, body
        self.submit_button = (_("Yes") if yes is None else yes, "modal.yes", "primary")
        self.back_button = (_("No") if no is None else no, "modal.no")

    def heading(self) -> str:
        return self.title_text

    def compose_body(self) -> ComposeResult:
        yield Static(self.body if isinstance(self.body, Text) else Text(self.body),
                     classes="dialog-body", markup=False)

    async def submit(self) -> bool:
        return True


class PromptDialog(Dialog[str | None]):
    """Ask for one line of text; ``check`` may raise to show a message under the field."""

    FOCUS = "#text"
    SUBMIT_ON_ENTER = True
    FIELDS = ("text",)
    LIMITS = {"text": rules.MAX_TEXT}

    def __init__(self, title: str, body: Text | str, *, label: str, placeholder: str = "",
                 value: str = "", submit: str | None = None,
                 check: Callable[[str], object] | None = None) -> None:
        """The words as shown: translated by the caller."""
        super().__init__()
        self.title_text, self.body, self.label = title, body, label
        self.placeholder, self.value, self.check = placeholder, value, check
        self.submit_button = (_("Send") if submit is None else submit, None, "primary")

    def heading(self) -> str:
        return self.title_text

    def compose_body(self) -> ComposeResult:
        yield Static(self.body if isinstance(self.body, Text) else Text(self.body),
                     classes="dialog-body", markup=False)
        yield Label(self.label, classes="field-label")
        yield OneLine(value=self.value, placeholder=self.placeholder, id="text")
        yield self.error_line("text")

    async def submit(self) -> str:
        value = self.query_one("#text", Input).value
        if not value.strip():
            what = self.label.rstrip(":")
            # English writes the field's label in lower case in the sentence; German nouns
            # keep their capital
            raise ValidationError("text", _("Please write the {what}.").format(
                what=what.lower() if i18n.current().english else what))
        if self.check is not None:
            self.check(value)
        return value


