"""The cancel confirmation: says plainly what happens next, asks for a reason, sends nothing
until enter."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from ordertui.domain.models import Order
from ordertui.domain.rules import MAX_TEXT
from ordertui.tui.format import safe
from ordertui.tui.widgets.line_input import LineInput

WHAT_HAPPENS = (
    "The supplier reviews the request and approves it, rejects it, or asks you for more "
    "details first. If it approves, the order is cancelled: the supplier does not ship it "
    "and the payment comes back. You will see the answer here, without doing anything.")


class CancelModal(ModalScreen[str | None]):
    """Returns the reason, or None when the merchant backs out (nothing is sent)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back, send nothing", id="modal.back"),
    ]

    def __init__(self, orders: list[Order], skipped: list[tuple[Order, str]] | None = None
                 ) -> None:
        super().__init__()
        self.orders = orders
        self.skipped = skipped or []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            if len(self.orders) == 1:
                o = self.orders[0]
                title = f"Request cancellation of {safe(o.display_name)}?"
                summary = Text(f"{safe(o.customer.name)} · {safe(o.items_summary, 60)} · "
                               f"{o.total_price.display()} · supplier {safe(o.supplier)}")
            else:
                title = f"Request cancellation of {len(self.orders)} orders?"
                names = ", ".join(safe(o.display_name) for o in self.orders[:12])
                more = len(self.orders) - 12
                summary = Text(names + (f" and {more} more" if more > 0 else ""))
            yield Label(Text(title, style="bold"), classes="dialog-title")
            yield Static(summary, classes="dialog-body", markup=False)
            yield Static(Text(WHAT_HAPPENS), classes="dialog-body", markup=False)
            if self.skipped:
                lines = "\n".join(f"{safe(o.display_name)}: {safe(why)}"
                                  for o, why in self.skipped[:6])
                yield Static(Text(f"Not included ({len(self.skipped)}):\n{lines}",
                                  style="italic"), classes="dialog-body", markup=False)
            yield Label("Reason (the supplier sees it):", classes="field-label")
            yield LineInput(placeholder="e.g. the customer ordered the wrong size", id="reason",
                        max_length=MAX_TEXT)
            yield Static("", classes="field-error", id="error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Request cancellation (enter)", variant="error", id="confirm")
                yield Button("Back (esc)", id="back")

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    def _confirm(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.query_one("#error", Static).update(
                Text("Write a reason: the supplier needs one to review the request."))
            return
        self.dismiss(reason)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._confirm()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "confirm":
            self._confirm()
        else:
            self.dismiss(None)
