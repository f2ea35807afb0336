"""Opening a dispute: reason, refund amount (what was paid, never more), description and
evidence files on this machine. Each problem shows under its field; what was typed stays."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static, TextArea

from ordertui.domain.errors import OrdertuiError, ValidationError
from ordertui.domain.models import Order
from ordertui.domain.states import DisputeReason
from ordertui.tui.format import safe
from ordertui.tui.widgets.line_input import LineInput

FIELDS = ("reason", "amount", "description", "evidence")


class DisputeForm(ModalScreen[bool]):
    """Returns True when the dispute was queued for the supplier."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(False)", "Back, send nothing", id="modal.back"),
        Binding("ctrl+s", "submit", "Open dispute", id="form.submit", priority=True),
    ]

    def __init__(self, order: Order, reason: DisputeReason | None = None) -> None:
        super().__init__()
        self.order = order
        self.initial_reason = reason or (DisputeReason.NOT_RECEIVED
                                         if order.status.value == "shipped"
                                         else DisputeReason.NOT_AS_DESCRIBED)

    def compose(self) -> ComposeResult:
        o = self.order
        with Vertical(classes="dialog dialog-wide"):
            yield Label(Text(f"Open a dispute on {safe(o.display_name)}", style="bold"),
                        classes="dialog-title")
            with VerticalScroll(classes="form"):
                yield Static(Text(
                    f"{safe(o.customer.name)} · {safe(o.items_summary, 60)} · you paid the "
                    f"supplier {o.total_cost.display()}"), classes="dialog-body", markup=False)
                yield Label("Reason", classes="field-label")
                with RadioSet(id="reason"):
                    for r in DisputeReason:
                        yield RadioButton(r.label, value=r is self.initial_reason, name=r.value)
                yield Static("", classes="field-error", id="reason-error", markup=False)
                yield Label(f"Refund you ask for ({o.total_cost.currency}, at most "
                            f"{o.total_cost.display()})", classes="field-label")
                yield LineInput(value=o.total_cost.plain(), id="amount")
                yield Static("", classes="field-error", id="amount-error", markup=False)
                yield Label("What went wrong (the supplier reads this)", classes="field-label")
                yield TextArea(id="description", soft_wrap=True, show_line_numbers=False)
                yield Static("", classes="field-error", id="description-error", markup=False)
                yield Label("Evidence: paths of files on this machine, separated by commas "
                            "(optional)", classes="field-label")
                yield LineInput(placeholder="/home/anna/photos/lamp.jpg", id="evidence")
                yield Static("", classes="field-error", id="evidence-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Open dispute (ctrl+s)", variant="primary", id="submit")
                yield Button("Back (esc)", id="back")

    def on_mount(self) -> None:
        self.query_one("#reason", RadioSet).focus()

    def _values(self) -> dict[str, Any]:
        radio = self.query_one("#reason", RadioSet)
        pressed = radio.pressed_button
        reason = pressed.name if pressed is not None and pressed.name else ""
        evidence = [p.strip() for p in self.query_one("#evidence", Input).value.split(",")
                    if p.strip()]
        return {"reason": reason, "amount": self.query_one("#amount", Input).value,
                "description": self.query_one("#description", TextArea).text,
                "evidence": evidence}

    def _show_error(self, field: str, message: str) -> None:
        for name in FIELDS:
            self.query_one(f"#{name}-error", Static).update(
                Text(message) if name == field else "")
        target = {"reason": "#reason", "amount": "#amount", "description": "#description",
                  "evidence": "#evidence"}.get(field)
        if target:
            self.query_one(target).focus()

    def action_submit(self) -> None:
        values = self._values()
        if not values["reason"]:
            self._show_error("reason", "Pick a reason.")
            return
        self._submit(values)

    @work(exclusive=True, group="dispute-submit")
    async def _submit(self, values: dict[str, Any]) -> None:
        runner = self.app.query_runner  # type: ignore[attr-defined]
        services = self.app.services  # type: ignore[attr-defined]
        assert self.order.id is not None
        try:
            await runner.run(services.open_dispute, self.order.id, reason=values["reason"],
                             amount=values["amount"], description=values["description"],
                             evidence=values["evidence"])
        except ValidationError as exc:
            self._show_error(exc.field if exc.field in FIELDS else "description", str(exc))
            return
        except OrdertuiError as exc:
            self._show_error("description", str(exc))
            return
        self.dismiss(True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "submit":
            self.action_submit()
        else:
            self.dismiss(False)
