"""Everything about one order, and the actions its state and its supplier allow.

Where the supplier has no API for an action, the screen gives the supplier's own page as a
terminal hyperlink *and* as plain text (over SSH the browser is on another machine), and lets
the merchant record what happened by hand.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from ordertui.domain.capabilities import Action
from ordertui.domain.errors import OrdertuiError
from ordertui.domain.states import CancellationState, DisputeState, OrderStatus, Source
from ordertui.services import OrderDetails
from ordertui.tui.format import STATUS_SHORT, link, safe, safe_block, when
from ordertui.tui.messages import StoreChanged
from ordertui.tui.widgets.top_bar import TopBar

SOURCE_NOTE = {Source.MANUAL: " (recorded by you, not confirmed by the supplier's API)",
               Source.LOCAL: " (waiting to be sent / confirmed by the supplier)"}


async def start_dispute(screen: Screen[Any], order_id: int) -> bool:
    """Open the dispute form for an order, or say why not. True when a dispute was queued."""
    from ordertui.tui.screens.dispute_form import DisputeForm
    from ordertui.tui.screens.thread import ThreadScreen

    app: Any = screen.app
    order = await app.query_runner.run(app.services.order, order_id)
    if order.dispute is not None and not order.dispute.state.terminal:
        await app.push_screen_wait(ThreadScreen(order_id))
        return False
    from ordertui.domain import rules

    try:
        rules.check_can_open_dispute(order)
    except OrdertuiError as exc:
        app.notify(str(exc), title="No dispute possible", severity="warning", markup=False)
        return False
    info = app.services.supplier_info(order.supplier)
    if Action.DISPUTE_OPEN.capability not in info.capabilities:
        app.notify(f"{order.supplier} has no dispute API. Open the order (enter) for its "
                   "dispute page, then record the outcome with m.", title="On the supplier's "
                   "page", severity="warning", markup=False)
        return False
    queued: bool = await app.push_screen_wait(DisputeForm(order))
    if queued:
        app.notify(f"Dispute on {order.display_name} queued for {order.supplier}; its answer "
                   "will show in the thread.", title="Dispute opened", markup=False)
    return queued


class DetailsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("c", "cancel", "Cancel", id="cancel"),
        Binding("a", "answer", "Answer supplier", id="answer"),
        Binding("d", "dispute", "Dispute", id="dispute"),
        Binding("t", "thread", "Thread", id="thread"),
        Binding("m", "record", "Record by hand", id="record"),
        Binding("o", "open_page", "Supplier page", id="open_page"),
        Binding("R", "return", "Return", id="return_open"),
        Binding("u", "return_step", "Update return", id="return_step"),
        Binding("f", "refund", "Refund", id="refund"),
        Binding("v", "recovered", "Recovered", show=False, id="recovered"),
        Binding("x", "use_stock", "From stock", id="use_stock"),
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("j,down", "scroll_down", "Scroll", show=False, id="scroll_down"),
        Binding("k,up", "scroll_up", "Scroll", show=False, id="scroll_up"),
    ]

    HELP_GROUPS: ClassVar[dict[str, str]] = {
        "app.pop_screen": "Move", "scroll_down": "Move", "scroll_up": "Move",
        "cancel": "Act", "answer": "Act", "dispute": "Act", "thread": "Act",
        "record": "Act", "open_page": "Supplier", "refresh": "Supplier",
        "return": "Returns", "return_step": "Returns", "refund": "Returns",
        "recovered": "Returns", "use_stock": "Returns",
    }

    def __init__(self, order_id: int) -> None:
        super().__init__()
        self.order_id = order_id
        self.details: OrderDetails | None = None

    @property
    def services(self) -> Any:
        return self.app.services  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield TopBar("Order", demo=self.services.is_demo)
        with VerticalScroll(id="details"):
            yield Static(Text("Loading…"), id="summary", markup=False)
            yield Static("", id="actions", classes="section", markup=False)
            yield Static("", id="customer", classes="section", markup=False)
            yield Static("", id="items", classes="section", markup=False)
            yield Static("", id="tracking", classes="section", markup=False)
            yield Static("", id="cancellation", classes="section", markup=False)
            yield Static("", id="dispute", classes="section", markup=False)
            yield Static("", id="returns", classes="section", markup=False)
            yield Static("", id="extra", classes="section", markup=False)
            yield Static("", id="audit", classes="section", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.load()
        self.refresh_from_supplier(quiet=True)

    def on_store_changed(self, message: StoreChanged) -> None:
        self.load()

    @work(group="details-load", exclusive=True)
    async def load(self) -> None:
        try:
            details = await self.app.query_runner.run(  # type: ignore[attr-defined]
                self.services.details, self.order_id)
        except OrdertuiError as exc:
            self.notify(str(exc), severity="error", markup=False)
            self.app.pop_screen()
            return
        self.details = details
        self.render_details(details)
        self.refresh_bindings()

    @work(group="details-refresh", exclusive=True)
    async def refresh_from_supplier(self, quiet: bool = False) -> None:
        """Read the order from its supplier now (details, tracking): the merchant opened it."""
        try:
            events = await self.services.refresh_order(self.order_id)
        except OrdertuiError as exc:
            if not quiet:
                self.notify(str(exc), title="Could not refresh", severity="warning",
                            markup=False)
            return
        if events:
            self.app.post_message(StoreChanged())
            self.app.announce(events)  # type: ignore[attr-defined]
        elif not quiet:
            self.notify("Up to date with the supplier.", markup=False)
        self.load()

    # --- drawing ---------------------------------------------------------------------
    def render_details(self, d: OrderDetails) -> None:
        o = d.order
        self.query_one(TopBar).set_title(f"Order {safe(o.display_name)}")
        summary = Text()
        summary.append(f"{safe(o.display_name)}  ", style="bold")
        summary.append(f" {STATUS_SHORT[o.status]} ", style="reverse")
        if o.status is OrderStatus.UNKNOWN:
            summary.append(f" supplier says {safe(o.supplier_status)!r}", style="italic")
        summary.append(f"   {safe(d.supplier.title)} ({safe(o.supplier)}) · order "
                       f"{safe(o.supplier_order_id)}\n")
        summary.append(f"Ordered {when(o.created_at)}")
        if o.paid_at:
            summary.append(f" · paid {when(o.paid_at)}")
        if o.payment:
            summary.append(f" ({safe(o.payment)})")
        summary.append("\n")
        summary.append(f"Customer paid {o.total_price.display()} · you paid the supplier "
                       f"{o.total_cost.display()} · profit ")
        summary.append(o.profit.display(), style="bold")
        c = o.cancellation
        if c is not None:
            waiting = {CancellationState.REQUESTED: " — waiting for the supplier",
                       CancellationState.INFO_REQUESTED: " — the supplier asks for details (a)"}
            summary.append(f"\n{c.state.label}{waiting.get(c.state, '')}",
                           style="bold" if c.state.active else "")
        x = o.dispute
        if x is not None and not x.state.terminal:
            summary.append(f"\nDispute: {x.state.label.lower()} (t for the thread)",
                           style="bold")
        r = d.returns
        if r is not None and (r.refunds or r.recoveries):
            summary.append(f"\nRefunded {r.money.refunded.display()} · recovered from the "
                           f"supplier {r.money.recovered.display()} · net ")
            summary.append(r.money.net.display(), style="bold")
        if r is not None and r.protection is not None and r.protection.state.value != "none":
            described = r.protection.describe()
            summary.append(f"\n{described[:1].upper()}{described[1:]}",
                           style="bold" if (r.protection.days_left or 99) <= 7 else "")
        self.query_one("#summary", Static).update(summary)
        self.query_one("#actions", Static).update(self._actions(d))
        self.query_one("#customer", Static).update(self._customer(d))
        self.query_one("#items", Static).update(self._items(d))
        self.query_one("#tracking", Static).update(self._tracking(d))
        self.query_one("#cancellation", Static).update(self._cancellation(d))
        self.query_one("#dispute", Static).update(self._dispute(d))
        self.query_one("#returns", Static).update(self._returns(d))
        self.query_one("#extra", Static).update(self._extra(d))
        self.query_one("#audit", Static).update(self._audit(d))

    def _actions(self, d: OrderDetails) -> Text:
        t = Text()
        t.append("What you can do\n", style="bold underline")
        keys = {Action.CANCEL: "c", Action.ANSWER_CANCEL_INFO: "a", Action.DISPUTE_OPEN: "d",
                Action.DISPUTE_REPLY: "t", Action.DISPUTE_ESCALATE: "t",
                Action.DISPUTE_WITHDRAW: "t", Action.DISPUTE_ACCEPT_OFFER: "t"}
        if not d.actions:
            t.append("Nothing to do on this order now.", style="italic")
        c = d.order.cancellation
        if c is not None and c.state is CancellationState.INFO_REQUESTED:
            t.append("The supplier asks: ", style="bold")
            t.append(f"{safe(c.supplier_message)}\n")
        x = d.order.dispute
        if x is not None and x.state is DisputeState.AWAITING_MERCHANT and x.last_message:
            t.append("The dispute waits on you: ", style="bold")
            t.append(f"{safe(x.last_message.body, 200)}\n")
        hand: list[tuple[str, str | None]] = []
        for a in d.actions:
            if a.by_api:
                t.append(f" {keys[a.action]} ", style="reverse")
                t.append(f" {a.action.label}\n")
            else:
                hand.append((a.action.label, a.url))
        o = d.order
        for key, action, label in (("R", "return", "Accept a return"),
                                   ("u", "return_step", "Update the return"),
                                   ("f", "refund", "Refund the customer"),
                                   ("x", "use_stock", "Ship it from the returns stock")):
            if self.check_action(action, ()):
                t.append(f" {key} ", style="reverse")
                t.append(f" {label}\n")
        if o.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED) and not any(
                a.action is Action.CANCEL for a in d.actions):
            t.append("This order has shipped, so it can no longer be cancelled: open a "
                     "dispute (d) or record a return instead.\n", style="italic")
        if hand:
            t.append(f"\n{safe(o.supplier)} has no API for these; do them on its page, then "
                     "press m to record what happened:\n")
            for label, url in hand:
                t.append(f"  • {label}")
                if url:
                    t.append(": ")
                    t.append_text(link(url))
                t.append("\n")
        if d.web_url:
            t.append("\nSupplier's page for this order (o): ")
            t.append_text(link(d.web_url))
        return t

    def _customer(self, d: OrderDetails) -> Text:
        c = d.order.customer
        t = Text()
        t.append("Customer and shipping\n", style="bold underline")
        t.append(f"{safe(c.name)}\n")
        if c.email:
            t.append(f"{safe(c.email)}\n")
        if c.phone:
            t.append(f"{safe(c.phone)}\n")
        for line in c.address.lines():
            t.append(f"{safe(line)}\n")
        return t

    def _items(self, d: OrderDetails) -> Group:
        o = d.order
        table = Table(box=None, pad_edge=False, show_edge=False, expand=False,
                      title="Items", title_justify="left", title_style="bold underline")
        table.add_column("Qty", justify="right")
        table.add_column("Product")
        table.add_column("SKU")
        table.add_column("Cost", justify="right")
        table.add_column("Price", justify="right")
        table.add_column("Profit", justify="right")
        for i in o.items:
            title = Text(safe(i.title))
            if i.variant:
                title.append(f" — {safe(i.variant)}", style="italic")
            table.add_row(str(i.quantity), title, Text(safe(i.sku)), i.total_cost.display(),
                          i.total_price.display(), (i.total_price - i.total_cost).display())
        foot = Text()
        if o.shipping_cost is not None:
            foot.append(f"Shipping paid to the supplier: {o.shipping_cost.display()}\n")
        foot.append(f"Total: customer paid {o.total_price.display()}, supplier cost "
                    f"{o.total_cost.display()}, profit {o.profit.display()}")
        return Group(table, foot)

    def _tracking(self, d: OrderDetails) -> Text:
        o = d.order
        t = Text()
        t.append("Tracking\n", style="bold underline")
        if not o.tracking_number:
            t.append("No tracking number yet.", style="italic")
            return t
        t.append(f"{safe(o.carrier)} {safe(o.tracking_number)}")
        if o.tracking_url:
            t.append("  ")
            t.append_text(link(o.tracking_url))
        t.append("\n")
        for e in reversed(o.tracking_events):
            t.append(f"  {when(e.at)}  ", style="dim")
            t.append(safe(e.description))
            if e.location:
                t.append(f" — {safe(e.location)}", style="dim")
            t.append("\n")
        if o.tracking_events and o.status is OrderStatus.SHIPPED:
            days = (self.services.clock() - o.tracking_events[-1].at).days
            if days >= 10:
                t.append(f"  No movement for {days} days.", style="bold")
        return t

    def _cancellation(self, d: OrderDetails) -> Text:
        t = Text()
        if not d.cancellations:
            return t
        t.append("Cancellation\n", style="bold underline")
        for c in d.cancellations:
            t.append(f"{c.state.label}", style="bold")
            t.append(SOURCE_NOTE.get(c.source, ""), style="italic")
            t.append(f" — requested {when(c.requested_at)}: {safe(c.reason)}\n")
            if c.state is CancellationState.INFO_REQUESTED:
                t.append("The supplier asks: ", style="bold")
                t.append(f"{safe(c.supplier_message)}\n")
                t.append(" a ", style="reverse")
                t.append(" answer it\n")
            elif c.supplier_message:
                t.append(f"Supplier: {safe(c.supplier_message)}\n")
            for h in c.history:
                t.append(f"  {when(h.at)}  {h.state.replace('_', ' ')}", style="dim")
                if h.note:
                    t.append(f" — {safe(h.note)}", style="dim")
                if h.source is Source.MANUAL:
                    t.append(" (recorded by you)", style="dim italic")
                t.append("\n")
        return t

    def _dispute(self, d: OrderDetails) -> Text:
        x = d.order.dispute
        t = Text()
        if x is None:
            return t
        t.append("Dispute\n", style="bold underline")
        t.append(f"{x.state.label}", style="bold")
        t.append(SOURCE_NOTE.get(x.source, ""), style="italic")
        t.append(f" · {x.reason.label} · you ask {x.amount.display()}")
        if x.offer and x.state is DisputeState.AWAITING_MERCHANT:
            t.append(f" · supplier offers {x.offer.display()}", style="bold")
        if x.refunded:
            t.append(f" · refunded {x.refunded.display()}", style="bold")
        t.append(f"\nOpened {when(x.opened_at)}")
        if x.evidence:
            t.append(" · evidence: " + ", ".join(safe(e.name) for e in x.evidence))
        t.append("\n")
        for m in x.messages[-4:]:
            t.append(f"  {when(m.at)} {m.author}: ", style="dim")
            t.append(f"{safe(m.body, 300)}\n")
        if len(x.messages) > 4:
            t.append(f"  … {len(x.messages) - 4} earlier messages\n", style="dim")
        t.append(" t ", style="reverse")
        t.append(" open the thread to reply, escalate or withdraw\n")
        return t

    def _returns(self, d: OrderDetails) -> Text:
        t = Text()
        r = d.returns
        if r is None:
            return t
        t.append("Supplier's return policy\n", style="bold underline")
        p = r.policy
        if p is None:
            t.append(f"{safe(r.policy_error)}\n", style="italic")
        else:
            if p.accepts_returns:
                t.append(f"{safe(d.order.supplier)} accepts returns within "
                         f"{p.return_window_days} days of delivery; return shipping paid by "
                         f"the {p.return_shipping.value}.\n")
            else:
                t.append(f"{safe(d.order.supplier)} accepts no returns: ", style="bold")
                t.append("accept them at your own address (R), refunds come through buyer "
                         "protection.\n")
            t.append(f"Buyer protection: {p.protection_days} days after "
                     f"{p.protection_from.value}.")
            if p.text:
                t.append(f" {safe(p.text)}", style="italic")
            t.append("\n")
        if r.returns:
            t.append("\nReturns\n", style="bold underline")
            for ret in r.returns:
                items = ", ".join(f"{i.quantity}× {safe(i.title or i.key)}" for i in ret.items)
                t.append(f"  {ret.state.label}", style="bold")
                t.append(f" — {items} — {safe(ret.reason)}")
                t.append(f" (to the {ret.destination.value})", style="dim")
                if ret.tracking_number:
                    t.append(f" · tracking {safe(ret.tracking_number)}")
                if ret.condition:
                    t.append(f" · {safe(ret.condition)}", style="italic")
                t.append("\n")
        if r.refunds or r.recoveries or r.stock_used:
            t.append("\nMoney\n", style="bold underline")
            for f in r.refunds:
                t.append(f"  {when(f.at)}  refunded {f.amount.display()} — {safe(f.reason)}"
                         + (" (item comes back)" if f.item_returned else "") + "\n")
            for c in r.recoveries:
                t.append(f"  recovered {c.amount.display()} from the supplier"
                         + (f" — {safe(c.note)}" if getattr(c, "note", "") else "") + "\n")
            for u in r.stock_used:
                t.append(f"  shipped {u.quantity}× {safe(u.sku)} from the returns stock\n")
            t.append(f"  Net: sale {r.money.sale_price.display()} − cost "
                     f"{r.money.supplier_cost.display()} − refunds {r.money.refunded.display()}"
                     f" + recovered {r.money.recovered.display()} = ")
            t.append(r.money.net.display(), style="bold")
            t.append("\n")
        return t

    def _extra(self, d: OrderDetails) -> Text:
        t = Text()
        if d.pending:
            t.append("Waiting to be sent\n", style="bold underline")
            for p in d.pending:
                t.append(f"  {p.action.label} — attempt {p.attempts}")
                if p.last_error:
                    t.append(f", last error: {safe(p.last_error)}", style="italic")
                t.append(f"; next try {when(p.next_at)}\n")
        return t

    def _audit(self, d: OrderDetails) -> Text:
        t = Text()
        if not d.audit:
            return t
        t.append("History\n", style="bold underline")
        for e in d.audit[-30:]:
            t.append(f"  {when(e.at)}  ", style="dim")
            t.append(f"{safe(e.actor)}: {safe(e.action)}")
            if e.detail:
                t.append(f" — {safe_block(e.detail)[:300]}", style="dim")
            t.append("\n")
        return t

    # --- what the keys do ---------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer only what this order's state and its supplier allow."""
        d = self.details
        if d is None:
            return True
        allowed = {a.action for a in d.actions if a.by_api}
        if action == "cancel":
            return Action.CANCEL in allowed
        if action == "answer":
            return Action.ANSWER_CANCEL_INFO in allowed
        if action == "thread":
            return d.order.dispute is not None
        if action == "dispute":
            return Action.DISPUTE_OPEN in allowed or d.order.dispute is not None
        if action == "record":
            return bool([a for a in d.actions if not a.by_api]) or (
                d.order.cancellation is not None and d.order.cancellation.source is
                Source.MANUAL) or (d.order.dispute is not None and d.order.dispute.source is
                                   Source.MANUAL)
        if action == "open_page":
            return bool(d.web_url)
        r = d.returns
        if action == "return":
            return d.order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED,
                                      OrderStatus.CLOSED)
        if action == "return_step":
            return r is not None and any(not x.state.terminal for x in r.returns)
        if action == "refund":
            return r is not None and r.money.refundable.amount > 0
        if action == "recovered":
            return r is not None and r.money.recoverable.amount > 0
        if action == "use_stock":
            return bool(d.stock_skus) and d.order.status in (OrderStatus.AWAITING_PAYMENT,
                                                            OrderStatus.PROCESSING)
        return True

    def action_scroll_down(self) -> None:
        self.query_one("#details", VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#details", VerticalScroll).scroll_up()

    def action_refresh(self) -> None:
        self.refresh_from_supplier()

    def action_cancel(self) -> None:
        self._cancel()

    @work(group="action", exclusive=True)
    async def _cancel(self) -> None:
        from ordertui.tui.screens.cancel import CancelModal

        d = self.details
        if d is None:
            return
        reason = await self.app.push_screen_wait(CancelModal([d.order]))
        if reason is None:
            self.notify("Nothing was sent.", markup=False)
            return
        try:
            await self.app.query_runner.run(  # type: ignore[attr-defined]
                self.services.request_cancellation, self.order_id, reason)
        except OrdertuiError as exc:
            self.notify(str(exc), title="Not requested", severity="error", markup=False)
            return
        self.notify(f"Cancellation of {d.order.display_name} requested. The supplier's answer "
                    "will show here.", title="Sent to the outbox", markup=False)
        self.app.post_message(StoreChanged())

    def action_answer(self) -> None:
        self._answer()

    @work(group="action", exclusive=True)
    async def _answer(self) -> None:
        from ordertui.tui.screens.modals import TextPrompt

        d = self.details
        if d is None or d.order.cancellation is None:
            return
        question = Text("The supplier asks: ", style="bold")
        question.append(safe(d.order.cancellation.supplier_message))
        answer = await self.app.push_screen_wait(TextPrompt(
            f"Answer the supplier about {safe(d.order.display_name)}", question,
            label="Your answer:", submit="Send answer"))
        if answer is None:
            return
        try:
            await self.app.query_runner.run(  # type: ignore[attr-defined]
                self.services.answer_cancellation_info, self.order_id, answer)
        except OrdertuiError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.notify("Answer queued for the supplier.", markup=False)
        self.app.post_message(StoreChanged())

    def action_dispute(self) -> None:
        self._dispute_action()

    @work(group="action", exclusive=True)
    async def _dispute_action(self) -> None:
        if await start_dispute(self, self.order_id):
            self.app.post_message(StoreChanged())
        self.load()

    def action_thread(self) -> None:
        from ordertui.tui.screens.thread import ThreadScreen

        self.app.push_screen(ThreadScreen(self.order_id))

    def action_record(self) -> None:
        from ordertui.tui.screens.record import RecordModal

        d = self.details
        if d is None:
            return

        def done(result: bool | None) -> None:
            if result:
                self.app.post_message(StoreChanged())
                self.load()
        self.app.push_screen(RecordModal(d.order), done)

    def action_open_page(self) -> None:
        d = self.details
        if d is None or not d.web_url:
            return
        self.app.open_url(d.web_url)
        self.notify(f"Opening {d.web_url} — over SSH, copy the address instead.",
                    markup=False)

    # --- returns and refunds ---------------------------------------------------------
    def _after(self, saved: bool | None) -> None:
        if saved:
            self.app.post_message(StoreChanged())
            self.load()

    def action_return(self) -> None:
        self._open_return()

    @work(group="action", exclusive=True)
    async def _open_return(self) -> None:
        from ordertui.tui.screens.returns_forms import ReturnForm

        d = self.details
        if d is None:
            return
        try:
            options = await self.app.query_runner.run(  # type: ignore[attr-defined]
                self.services.returns.return_options, self.order_id)
        except OrdertuiError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.app.push_screen(ReturnForm(self.order_id, d.order.display_name, options),
                             self._after)

    def action_return_step(self) -> None:
        from ordertui.tui.screens.returns_forms import ReturnStepModal

        d = self.details
        if d is None or d.returns is None:
            return
        open_returns = [x for x in d.returns.returns if not x.state.terminal]
        if open_returns:
            self.app.push_screen(ReturnStepModal(open_returns[-1]), self._after)

    def action_refund(self) -> None:
        from ordertui.tui.screens.returns_forms import RefundForm

        d = self.details
        if d is not None and d.returns is not None:
            self.app.push_screen(RefundForm(self.order_id, d.order.display_name,
                                            d.returns.money.refundable), self._after)

    def action_recovered(self) -> None:
        from ordertui.tui.screens.returns_forms import RecoveryForm

        d = self.details
        if d is not None and d.returns is not None:
            self.app.push_screen(RecoveryForm(self.order_id, d.order.display_name,
                                              d.returns.money.recoverable), self._after)

    def action_use_stock(self) -> None:
        from ordertui.tui.screens.returns_forms import StockUseModal

        d = self.details
        if d is not None and d.stock_skus:
            choices = [(sku, sku) for sku in d.stock_skus]
            self.app.push_screen(StockUseModal(self.order_id, d.order.display_name, choices),
                                 self._after)
