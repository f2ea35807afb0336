"""The cancel confirmation: says plainly what happens next, asks for a reason, and queues the
request for each order when the merchant presses enter; nothing is sent before."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Label, Static

from ordertui.domain import rules
from ordertui.domain.errors import OrdertuiError, ValidationError
from ordertui.domain.models import Order
from ordertui.tui.dialog import Dialog
from ordertui.tui.format import about, safe
from ordertui.tui.widgets.fields import OneLine

WHAT_HAPPENS = (
    "The supplier reviews the request and approves it, rejects it, or asks you for more "
    "details first. If it approves, the order is cancelled: the supplier does not ship it "
    "and the payment comes back. You will see the answer here, without doing anything.")

#: orders named in the dialog; the rest are counted
NAMED = 12
#: orders left out listed with their reason
SKIPPED_SHOWN = 6


@dataclass(slots=True)
class CancelOutcome:
    requested: list[str] = field(default_factory=list)  # the orders' names
    failed: list[str] = field(default_factory=list)  # "name: why"


class CancelDialog(Dialog[CancelOutcome | None]):
    """Dismissed with what was queued, or None when the merchant backs out (nothing sent)."""

    FOCUS = "#reason"
    SUBMIT = ("Request cancellation", None, "error")
    SUBMIT_ON_ENTER = True
    FIELDS = ("reason",)
    LIMITS = {"reason": rules.MAX_TEXT}

    def __init__(self, orders: list[Order], skipped: list[tuple[Order, str]] | None = None
                 ) -> None:
        super().__init__()
        self.orders = orders
        self.skipped = skipped or []

    def heading(self) -> str:
        if len(self.orders) == 1:
            return f"Request cancellation of {safe(self.orders[0].display_name)}?"
        return f"Request cancellation of {len(self.orders)} orders?"

    def compose_body(self) -> ComposeResult:
        if len(self.orders) == 1:
            o = self.orders[0]
            summary = Text(f"{safe(o.customer.name)} · {safe(o.items_summary, 60)} · "
                           f"{o.sold.display()} · supplier {safe(o.supplier)}")
        else:
            names = ", ".join(safe(o.display_name) for o in self.orders[:NAMED])
            more = len(self.orders) - NAMED
            summary = Text(names + (f" and {more} more" if more > 0 else ""))
        yield Static(summary, classes="dialog-body", markup=False)
        yield Static(Text(WHAT_HAPPENS), classes="dialog-body", markup=False)
        if self.skipped:
            lines = "\n".join(safe(about(o.display_name, why))
                              for o, why in self.skipped[:SKIPPED_SHOWN])
            yield Static(Text(f"Not included ({len(self.skipped)}):\n{lines}", style="italic"),
                         classes="dialog-body", markup=False)
        yield Label("Reason (the supplier sees it):", classes="field-label")
        yield OneLine(placeholder="e.g. the customer ordered the wrong size", id="reason")
        yield self.error_line("reason")

    async def submit(self) -> CancelOutcome:
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            raise ValidationError("reason", "Write a reason: the supplier needs one to review "
                                  "the request.")
        rules.check_text("reason", reason)
        outcome = CancelOutcome()
        for o in self.orders:
            assert o.id is not None
            try:
                await self.run_read(self.services.request_cancellation, o.id, reason)
            except ValidationError:
                raise  # the reason: the merchant can mend it here
            except OrdertuiError as exc:  # the order's state: another session was faster
                outcome.failed.append(about(o.display_name, str(exc)))
            else:
                outcome.requested.append(o.display_name)
        return outcome
