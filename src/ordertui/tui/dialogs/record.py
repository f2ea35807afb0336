"""Recording a step the merchant took on the supplier's own page, so the order's history
stays complete. What is recorded here is marked as such wherever it is shown."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Label, RadioSet, Select, Static

from ordertui.domain.models import Order
from ordertui.domain.states import CancellationState, DisputeState
from ordertui.i18n import N_, _
from ordertui.tui.dialog import Dialog
from ordertui.tui.format import safe
from ordertui.tui.widgets.fields import OneLine
from ordertui.tui.widgets.toggles import Radio


def choices(kind: str) -> list[tuple[str, str]]:
    """The states a cancellation or a dispute can be recorded in, as the Select offers them
    (made when shown: the labels are in the language of the process)."""
    if kind == "cancellation":
        return [(s.label, s.value) for s in CancellationState]
    return [(_("Dispute: {state}").format(state=s.label), s.value) for s in DisputeState]


class RecordDialog(Dialog[bool]):
    """Dismissed with True when something was recorded."""

    SUBMIT = (N_("Record"), "form.submit", "primary")
    BACK_RESULT = False

    def __init__(self, order: Order, kind: str = "cancellation",
                 kinds: tuple[str, ...] = ("cancellation", "dispute")) -> None:
        """``kinds``: what may be recorded (what the session's role allows); ``kind`` is
        chosen first."""
        super().__init__()
        self.order = order
        self.kind = kind
        self.kinds = kinds

    def heading(self) -> str:
        return _("Record what happened on {supplier}'s page — {order}").format(
            supplier=safe(self.order.supplier), order=safe(self.order.display_name))

    def compose_body(self) -> ComposeResult:
        yield Static(Text(_("Use this after doing it on the supplier's own page. It is kept "
                            "as recorded by you, not confirmed by the supplier's API.")),
                     classes="dialog-body", markup=False)
        with RadioSet(id="kind"):
            if "cancellation" in self.kinds:
                yield Radio(_("Cancellation"), value=self.kind == "cancellation",
                            name="cancellation")
            if "dispute" in self.kinds:
                yield Radio(_("Dispute"), value=self.kind == "dispute", name="dispute")
        yield Label(_("What is the state now?"), classes="field-label")
        yield Select(choices(self.kind), id="state", allow_blank=False)
        yield Label(_("Amount (disputes: asked for, or refunded)"), classes="field-label")
        yield Input(placeholder=self.order.total_cost.plain(), id="amount")
        yield Label(_("Note: what you did, what the supplier said"), classes="field-label")
        yield OneLine(id="note")

    @on(RadioSet.Changed, "#kind")
    def kind_changed(self, event: RadioSet.Changed) -> None:
        self.kind = event.pressed.name or "cancellation"
        select = self.query_one("#state", Select)
        select.set_options(choices(self.kind))

    async def submit(self) -> bool:
        state = str(self.query_one("#state", Select).value)
        amount = self.query_one("#amount", Input).value
        note = self.query_one("#note", Input).value
        assert self.order.id is not None
        if self.kind == "cancellation":
            await self.run_read(self.services.record_cancellation, self.order.id, state, note)
        else:
            await self.run_read(self.services.record_dispute, self.order.id, state,
                                amount=amount, note=note)
        self.notify(_("Recorded."), markup=False)
        return True
