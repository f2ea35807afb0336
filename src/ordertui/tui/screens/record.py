"""Recording a step the merchant took on the supplier's own page, so the order's history
stays complete. What is recorded here is marked as such wherever it is shown."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Select, Static

from ordertui.domain.errors import OrdertuiError, ValidationError
from ordertui.domain.models import Order
from ordertui.domain.states import CancellationState, DisputeState
from ordertui.tui.format import safe
from ordertui.tui.widgets.line_input import LineInput

CANCEL_CHOICES = [(s.label, s.value) for s in CancellationState]
DISPUTE_CHOICES = [(f"Dispute: {s.label}", s.value) for s in DisputeState]


class RecordModal(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(False)", "Back", id="modal.back"),
        Binding("ctrl+s", "submit", "Record", id="form.submit", priority=True),
    ]

    def __init__(self, order: Order, kind: str = "cancellation") -> None:
        super().__init__()
        self.order = order
        self.kind = kind

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(f"Record what happened on {safe(self.order.supplier)}'s page — "
                             f"{safe(self.order.display_name)}", style="bold"),
                        classes="dialog-title")
            yield Static(Text("Use this after doing it on the supplier's own page. It is "
                              "kept as recorded by you, not confirmed by the supplier's API."),
                         classes="dialog-body", markup=False)
            with RadioSet(id="kind"):
                yield RadioButton("Cancellation", value=self.kind == "cancellation",
                                  name="cancellation")
                yield RadioButton("Dispute", value=self.kind == "dispute", name="dispute")
            yield Label("What is the state now?", classes="field-label")
            yield Select(CANCEL_CHOICES if self.kind == "cancellation" else DISPUTE_CHOICES,
                         id="state", allow_blank=False)
            yield Label("Amount (disputes: asked for, or refunded)", classes="field-label")
            yield LineInput(placeholder=self.order.total_cost.plain(), id="amount")
            yield Label("Note: what you did, what the supplier said", classes="field-label")
            yield LineInput(id="note")
            yield Static("", classes="field-error", id="error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Record (ctrl+s)", variant="primary", id="submit")
                yield Button("Back (esc)", id="back")

    @on(RadioSet.Changed, "#kind")
    def kind_changed(self, event: RadioSet.Changed) -> None:
        self.kind = event.pressed.name or "cancellation"
        select = self.query_one("#state", Select)
        select.set_options(CANCEL_CHOICES if self.kind == "cancellation" else DISPUTE_CHOICES)

    def action_submit(self) -> None:
        self._submit()

    @work(exclusive=True)
    async def _submit(self) -> None:
        state = self.query_one("#state", Select).value
        amount = self.query_one("#amount", Input).value
        note = self.query_one("#note", Input).value
        services = self.app.services  # type: ignore[attr-defined]
        run = self.app.query_runner.run  # type: ignore[attr-defined]
        assert self.order.id is not None
        try:
            if self.kind == "cancellation":
                await run(services.record_cancellation, self.order.id, str(state), note)
            else:
                await run(services.record_dispute, self.order.id, str(state), amount=amount,
                          note=note)
        except (ValidationError, OrdertuiError) as exc:
            self.query_one("#error", Static).update(Text(str(exc)))
            return
        self.notify("Recorded.", markup=False)
        self.dismiss(True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "submit":
            self._submit()
        else:
            self.dismiss(False)
