"""Dialogs for returns and refunds on one order: accept a return (at the merchant's address
when the supplier takes none), move it along, refund the customer, record money got back
from the supplier, ship from the returns stock. Each problem shows under its field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from ordertui.domain.errors import OrdertuiError, ValidationError
from ordertui.domain.returns import RETURN_TRANSITIONS, Return, ReturnState
from ordertui.tui.format import safe
from ordertui.tui.widgets.line_input import LineInput


class _Form(ModalScreen[bool]):
    """A dialog that submits on ctrl+s (or enter in its last field), esc backs out."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(False)", "Back", id="modal.back"),
        Binding("ctrl+s", "submit", "Save", id="form.submit", priority=True),
    ]

    title_text = ""

    def buttons(self, label: str) -> ComposeResult:
        yield Static("", classes="field-error", id="error", markup=False)
        with Horizontal(classes="dialog-buttons"):
            yield Button(f"{label} (ctrl+s)", variant="primary", id="submit")
            yield Button("Back (esc)", id="back")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "submit":
            self.action_submit()
        else:
            self.dismiss(False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        self._go()

    @work(exclusive=True, group="form")
    async def _go(self) -> None:
        try:
            job = self.prepare()  # reads the fields here, on the event loop
            await self.app.query_runner.run(job)  # type: ignore[attr-defined]
        except ValidationError as exc:
            self.query_one("#error", Static).update(Text(f"{exc.field}: {exc}"))
            return
        except OrdertuiError as exc:
            self.query_one("#error", Static).update(Text(str(exc)))
            return
        self.dismiss(True)

    def prepare(self) -> Callable[[], object]:
        """Read the form and return the service call to run on a query thread."""
        raise OrdertuiError("nothing to save")

    @property
    def returns(self) -> Any:
        return self.app.services.returns  # type: ignore[attr-defined]


class ReturnForm(_Form):
    """Which items, how many, why; where they go is the supplier's policy's answer."""

    def __init__(self, order_id: int, order_name: str, options: Any) -> None:
        super().__init__()
        self.order_id, self.order_name, self.options = order_id, order_name, options

    def compose(self) -> ComposeResult:
        o = self.options
        with Vertical(classes="dialog dialog-wide"):
            yield Label(Text(f"Return from {safe(self.order_name)}", style="bold"),
                        classes="dialog-title")
            with VerticalScroll(classes="form"):
                yield Static(Text(safe(o.message)), classes="dialog-body", markup=False)
                if o.days_since_delivery is not None:
                    inside = "inside" if o.within_window else "outside"
                    yield Static(Text(f"Delivered {o.days_since_delivery} days ago — {inside} "
                                      "the window your shop promises."), markup=False)
                yield Label("Items to take back (quantity, 0 to leave out)",
                            classes="field-label")
                for i, item in enumerate(o.items):
                    free = item.bought - item.in_returns
                    with Horizontal(classes="item-row"):
                        yield LineInput(value="1" if i == 0 and free > 0 else "0",
                                    id=f"qty-{i}", classes="qty", type="integer")
                        yield Static(Text(f"{safe(item.title)}"
                                          + (f" — {safe(item.variant)}" if item.variant else "")
                                          + f"  ({free} of {item.bought} can be returned)"),
                                     markup=False, classes="item-label")
                yield Label("The customer's reason", classes="field-label")
                yield LineInput(id="reason", placeholder="e.g. the colour does not match the photo")
                yield Label("The customer's tracking number (optional)", classes="field-label")
                yield LineInput(id="tracking")
            yield from self.buttons("Record return")

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    def prepare(self) -> Callable[[], object]:
        items = []
        for i, item in enumerate(self.options.items):
            raw = self.query_one(f"#qty-{i}", Input).value.strip() or "0"
            if not raw.isdigit():
                raise ValidationError("items", f"{item.title}: write a whole number")
            if int(raw):
                items.append((item.key, int(raw)))
        reason = self.query_one("#reason", Input).value
        tracking = self.query_one("#tracking", Input).value
        return lambda: self.returns.open_return(self.order_id, items, reason, tracking=tracking)


class ReturnStepModal(_Form):
    """Move a return to its next state (the table decides which are offered)."""

    def __init__(self, ret: Return) -> None:
        super().__init__()
        self.ret = ret

    def compose(self) -> ComposeResult:
        r = self.ret
        nexts = [s for s in ReturnState if s in RETURN_TRANSITIONS[r.state]]
        with Vertical(classes="dialog"):
            yield Label(Text(f"Return on {safe(r.order_name)}: {r.state.label}", style="bold"),
                        classes="dialog-title")
            yield Label("It is now", classes="field-label")
            yield Select([(s.label, s.value) for s in nexts], id="state", allow_blank=False)
            yield Label("Tracking number (when it is in transit)", classes="field-label")
            yield LineInput(value=r.tracking_number, id="tracking")
            yield Label("Condition (when it arrived: resellable? what is wrong?)",
                        classes="field-label")
            yield LineInput(value=r.condition, id="condition")
            yield from self.buttons("Save")

    def prepare(self) -> Callable[[], object]:
        rid = self.ret.id
        assert rid is not None
        tracking = self.query_one("#tracking", Input).value
        condition = self.query_one("#condition", Input).value
        state = str(self.query_one("#state", Select).value)
        return lambda: self.returns.set_return_state(
            rid, state, tracking=tracking or None, condition=condition or None)


class RefundForm(_Form):
    def __init__(self, order_id: int, order_name: str, refundable: Any) -> None:
        super().__init__()
        self.order_id, self.order_name, self.refundable = order_id, order_name, refundable

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(f"Refund the customer of {safe(self.order_name)}", style="bold"),
                        classes="dialog-title")
            yield Static(Text(f"At most {self.refundable.display()} can still be refunded."),
                         markup=False)
            yield Label("Amount (or \"full\")", classes="field-label")
            yield LineInput(value=self.refundable.plain(), id="amount")
            yield Label("Reason", classes="field-label")
            yield LineInput(id="reason")
            yield Checkbox("The item comes back (a return)", id="returned")
            yield from self.buttons("Record refund")

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    def prepare(self) -> Callable[[], object]:
        amount = self.query_one("#amount", Input).value
        reason = self.query_one("#reason", Input).value
        returned = self.query_one("#returned", Checkbox).value
        return lambda: self.returns.record_refund(self.order_id, amount, reason,
                                                  item_returned=returned)


class RecoveryForm(_Form):
    def __init__(self, order_id: int, order_name: str, recoverable: Any) -> None:
        super().__init__()
        self.order_id, self.order_name, self.recoverable = order_id, order_name, recoverable

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(f"Money got back from the supplier for {safe(self.order_name)}",
                             style="bold"), classes="dialog-title")
            yield Static(Text("Disputes refunded through ordertui count by themselves; record "
                              "here what came back some other way. At most "
                              f"{self.recoverable.display()}."), markup=False)
            yield Label("Amount", classes="field-label")
            yield LineInput(id="amount")
            yield Label("Note", classes="field-label")
            yield LineInput(id="note")
            yield from self.buttons("Record")

    def on_mount(self) -> None:
        self.query_one("#amount", Input).focus()

    def prepare(self) -> Callable[[], object]:
        amount = self.query_one("#amount", Input).value
        note = self.query_one("#note", Input).value
        return lambda: self.returns.record_recovery(self.order_id, amount, note)


class StockUseModal(_Form):
    """Ship this order's item from the returns stock instead of ordering it again."""

    def __init__(self, order_id: int, order_name: str, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.order_id, self.order_name, self.choices = order_id, order_name, choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(f"Ship {safe(self.order_name)} from the returns stock",
                             style="bold"), classes="dialog-title")
            yield Select(self.choices, id="sku", allow_blank=False)
            yield Label("Quantity", classes="field-label")
            yield LineInput(value="1", id="quantity", type="integer")
            yield from self.buttons("Use from stock")

    def prepare(self) -> Callable[[], object]:
        raw = self.query_one("#quantity", Input).value.strip()
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError("quantity", "write a whole number, 1 or more")
        sku = str(self.query_one("#sku", Select).value)
        return lambda: self.returns.use_stock(sku, self.order_id, int(raw))
