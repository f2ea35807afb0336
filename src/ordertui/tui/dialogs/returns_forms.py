"""Dialogs for returns and refunds on one order: accept a return (at the merchant's address
when the supplier takes none), move it along, refund the customer, record money got back
from the supplier, ship from the returns stock. Each is dismissed with True once saved."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Checkbox, Input, Label, Select, Static

from ordertui.domain.errors import ValidationError
from ordertui.domain.models import Order
from ordertui.domain.money import Money
from ordertui.domain.returns import RETURN_TRANSITIONS, Return, ReturnState
from ordertui.i18n import N_, _, ngettext
from ordertui.services.returns import ReturnOptions, ReturnsService
from ordertui.tui.dialog import Dialog
from ordertui.tui.format import safe
from ordertui.tui.widgets.fields import OneLine
from ordertui.tui.widgets.toggles import Check


class _ReturnsDialog(Dialog[bool]):
    BACK_RESULT = False
    SUBMIT_ON_ENTER = True

    @property
    def returns(self) -> ReturnsService:
        return self.services.returns


class ReturnDialog(_ReturnsDialog):
    """Which items, how many, why; where they go is the supplier's policy's answer."""

    FRAME = "dialog dialog-wide"
    FOCUS = "#reason"
    SUBMIT = (N_("Record return"), "form.submit", "primary")

    def __init__(self, order_id: int, order_name: str, options: ReturnOptions) -> None:
        super().__init__()
        self.order_id, self.order_name, self.options = order_id, order_name, options

    def heading(self) -> str:
        return _("Return from {order}").format(order=safe(self.order_name))

    def compose_body(self) -> ComposeResult:
        o = self.options
        with VerticalScroll(classes="form"):
            yield Static(Text(safe(o.message)), classes="dialog-body", markup=False)
            if o.days_since_delivery is not None:
                days = o.days_since_delivery
                if o.within_window:
                    # Translators: the English says "days" for 1 too; the translation has
                    # its singular ("vor 1 Tag")
                    said = ngettext(
                        "Delivered {n} days ago — inside the window your shop promises.",
                        "Delivered {n} days ago — inside the window your shop promises.", days)
                else:
                    # Translators: as above, "days" for 1 too in English
                    said = ngettext(
                        "Delivered {n} days ago — outside the window your shop promises.",
                        "Delivered {n} days ago — outside the window your shop promises.",
                        days)
                yield Static(Text(said.format(n=days)), markup=False)
            yield Label(_("Items to take back (quantity, 0 to leave out)"),
                        classes="field-label")
            for i, item in enumerate(o.items):
                free = item.bought - item.in_returns
                with Horizontal(classes="item-row"):
                    yield Input(value="1" if i == 0 and free > 0 else "0", id=f"qty-{i}",
                                classes="qty", type="integer")
                    left = _("({free} of {bought} can be returned)").format(
                        free=free, bought=item.bought)
                    yield Static(Text(f"{safe(item.title)}"
                                      + (f" — {safe(item.variant)}" if item.variant else "")
                                      + f"  {left}"),
                                 markup=False, classes="item-label")
            yield Label(_("The customer's reason"), classes="field-label")
            yield OneLine(id="reason",
                          placeholder=_("e.g. the colour does not match the photo"))
            yield Label(_("The customer's tracking number (optional)"), classes="field-label")
            yield Input(id="tracking")

    async def submit(self) -> bool:
        items = []
        for i, item in enumerate(self.options.items):
            raw = self.query_one(f"#qty-{i}", Input).value.strip() or "0"
            if not raw.isdigit():
                raise ValidationError("items", _("{item}: write a whole number").format(
                    item=item.title))
            if int(raw):
                items.append((item.key, int(raw)))
        reason = self.query_one("#reason", Input).value
        tracking = self.query_one("#tracking", Input).value
        await self.run_read(self.returns.open_return, self.order_id, items, reason,
                            tracking=tracking)
        return True


class ReturnStepDialog(_ReturnsDialog):
    """Move a return to its next state (the table decides which are offered)."""

    SUBMIT = (N_("Save"), "form.submit", "primary")

    def __init__(self, ret: Return) -> None:
        super().__init__()
        self.ret = ret

    def heading(self) -> str:
        return _("Return on {order}: {state}").format(order=safe(self.ret.order_name),
                                                     state=self.ret.state.label)

    def compose_body(self) -> ComposeResult:
        r = self.ret
        nexts = [s for s in ReturnState if s in RETURN_TRANSITIONS[r.state]]
        yield Label(_("It is now"), classes="field-label")
        yield Select([(s.label, s.value) for s in nexts], id="state", allow_blank=False)
        yield Label(_("Tracking number (when it is in transit)"), classes="field-label")
        yield Input(value=r.tracking_number, id="tracking")
        yield Label(_("Condition (when it arrived: resellable? what is wrong?)"),
                    classes="field-label")
        yield OneLine(value=r.condition, id="condition")

    async def submit(self) -> bool:
        rid = self.ret.id
        assert rid is not None
        tracking = self.query_one("#tracking", Input).value
        condition = self.query_one("#condition", Input).value
        state = str(self.query_one("#state", Select).value)
        await self.run_read(self.returns.set_return_state, rid, state,
                            tracking=tracking or None, condition=condition or None)
        return True


class RefundDialog(_ReturnsDialog):
    FOCUS = "#reason"
    SUBMIT = (N_("Record refund"), "form.submit", "primary")

    def __init__(self, order_id: int, order_name: str, refundable: Money) -> None:
        super().__init__()
        self.order_id, self.order_name, self.refundable = order_id, order_name, refundable

    def heading(self) -> str:
        return _("Refund the customer of {order}").format(order=safe(self.order_name))

    def compose_body(self) -> ComposeResult:
        yield Static(Text(_("At most {amount} can still be refunded.").format(
            amount=self.refundable.display())), markup=False)
        # Translators: "full" is typed as it is, in every language
        yield Label(_("Amount (or \"full\")"), classes="field-label")
        yield Input(value=self.refundable.plain(), id="amount")
        yield Label(_("Reason"), classes="field-label")
        yield OneLine(id="reason")
        yield Check(_("The item comes back (a return)"), id="returned")

    async def submit(self) -> bool:
        amount = self.query_one("#amount", Input).value
        reason = self.query_one("#reason", Input).value
        returned = self.query_one("#returned", Checkbox).value
        await self.run_read(self.returns.record_refund, self.order_id, amount, reason,
                            item_returned=returned)
        return True


class RecoveryDialog(_ReturnsDialog):
    FOCUS = "#amount"
    SUBMIT = (N_("Record"), "form.submit", "primary")

    def __init__(self, order_id: int, order_name: str, recoverable: Money) -> None:
        super().__init__()
        self.order_id, self.order_name, self.recoverable = order_id, order_name, recoverable

    def heading(self) -> str:
        return _("Money got back from the supplier for {order}").format(
            order=safe(self.order_name))

    def compose_body(self) -> ComposeResult:
        yield Static(Text(_("Disputes refunded through ordertui count by themselves; record "
                            "here what came back some other way. At most {amount}.").format(
                                amount=self.recoverable.display())), markup=False)
        yield Label(_("Amount"), classes="field-label")
        yield Input(id="amount")
        yield Label(_("Note"), classes="field-label")
        yield OneLine(id="note")

    async def submit(self) -> bool:
        amount = self.query_one("#amount", Input).value
        note = self.query_one("#note", Input).value
        await self.run_read(self.returns.record_recovery, self.order_id, amount, note)
        return True


class StockUseDialog(_ReturnsDialog):
    """Ship this order's item from the returns stock instead of ordering it again. It says
    what does not change: the supplier's order stays, and ships unless it is cancelled, and
    what the supplier was paid stays the order's cost."""

    FRAME = "dialog dialog-wide"
    SUBMIT = (N_("Use from stock"), "form.submit", "primary")

    def __init__(self, order: Order, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        assert order.id is not None
        self.order, self.order_id, self.choices = order, order.id, choices

    def heading(self) -> str:
        return _("Ship {order} from the returns stock").format(
            order=safe(self.order.display_name))

    def compose_body(self) -> ComposeResult:
        o = self.order
        yield Static(Text(_(
            "The order you placed with {supplier} ({supplier_order}) stays as it is: "
            "{supplier} ships it too unless you cancel it ({key} on this order). What you "
            "paid {supplier}, {amount}, stays this order's cost.").format(
                supplier=safe(o.supplier), supplier_order=safe(o.supplier_order_id),
                key=self.app.key_text("cancel"), amount=o.total_cost.display())),
            classes="dialog-body", markup=False)
        yield Label(_("Item"), classes="field-label")
        yield Select(self.choices, id="sku", allow_blank=False)
        yield Label(_("Quantity"), classes="field-label")
        yield Input(value="1", id="quantity", type="integer")

    async def submit(self) -> bool:
        raw = self.query_one("#quantity", Input).value.strip()
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError("quantity", _("write a whole number, 1 or more"))
        sku = str(self.query_one("#sku", Select).value)
        await self.run_read(self.returns.use_stock, sku, self.order_id, int(raw))
        self.app.notify(_("{order}: {quantity}× {sku} ships from the returns stock. "
                          "{supplier}'s order still ships unless you cancel it ({key}).").format(
                              order=self.order.display_name, quantity=raw, sku=sku,
                              supplier=self.order.supplier, key=self.app.key_text("cancel")),
                        markup=False)
        return True
