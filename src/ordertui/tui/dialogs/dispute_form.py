"""Opening a dispute: reason, refund amount (what was paid, never more), description and
evidence files on this machine. Each problem shows under its field; what was typed stays."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Label, RadioSet, Static, TextArea

from ordertui.domain import rules
from ordertui.domain.errors import ValidationError
from ordertui.domain.models import Order, items_shown
from ordertui.domain.states import DisputeReason, OrderStatus
from ordertui.i18n import N_, _
from ordertui.tui.dialog import Dialog
from ordertui.tui.format import safe
from ordertui.tui.widgets.toggles import Radio


class DisputeDialog(Dialog[bool]):
    """Dismissed with True when the dispute was queued for the supplier."""

    FRAME = "dialog dialog-wide"
    FOCUS = "#reason"
    SUBMIT = (N_("Open dispute"), "form.submit", "primary")
    FIELDS = ("reason", "amount", "description", "evidence")
    LIMITS = {"description": rules.MAX_TEXT}
    ERROR_LINE = False
    GENERAL_FIELD = "description"
    BACK_RESULT = False

    def __init__(self, order: Order, reason: DisputeReason | None = None) -> None:
        super().__init__()
        self.order = order
        self.initial_reason = reason or (DisputeReason.NOT_RECEIVED
                                         if order.status is OrderStatus.SHIPPED
                                         else DisputeReason.NOT_AS_DESCRIBED)

    def heading(self) -> str:
        return _("Open a dispute on {order}").format(order=safe(self.order.display_name))

    def compose_body(self) -> ComposeResult:
        o = self.order
        with VerticalScroll(classes="form"):
            yield Static(Text(_("{customer} · {items} · you paid the supplier {amount}").format(
                customer=safe(o.customer.name), items=safe(items_shown(o.items_summary), 60),
                amount=o.total_cost.display())), classes="dialog-body", markup=False)
            yield Label(_("Reason"), classes="field-label")
            with RadioSet(id="reason"):
                for r in DisputeReason:
                    yield Radio(r.label, value=r is self.initial_reason, name=r.value)
            yield self.error_line("reason")
            yield Label(_("Refund you ask for ({currency}, at most {amount})").format(
                currency=o.total_cost.currency, amount=o.total_cost.display()),
                classes="field-label")
            yield Input(value=o.total_cost.plain(), id="amount")
            yield self.error_line("amount")
            yield Label(_("What went wrong (the supplier reads this)"), classes="field-label")
            yield TextArea(id="description", soft_wrap=True, show_line_numbers=False)
            yield self.error_line("description")
            yield Label(_("Evidence: paths of files on this machine, separated by commas "
                          "(optional)"), classes="field-label")
            yield Input(placeholder="/home/anna/photos/lamp.jpg", id="evidence")
            yield self.error_line("evidence")

    async def submit(self) -> bool:
        pressed = self.query_one("#reason", RadioSet).pressed_button
        reason = pressed.name if pressed is not None and pressed.name else ""
        if not reason:
            raise ValidationError("reason", _("Pick a reason."))
        evidence = [p.strip() for p in self.query_one("#evidence", Input).value.split(",")
                    if p.strip()]
        assert self.order.id is not None
        await self.run_read(self.services.open_dispute, self.order.id, reason=reason,
                            amount=self.query_one("#amount", Input).value,
                            description=self.query_one("#description", TextArea).text,
                            evidence=evidence)
        return True
