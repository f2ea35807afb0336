"""Everything about one order, and the actions its state and its supplier allow.

Where the supplier has no API for an action, the screen gives the supplier's own page as a
terminal hyperlink *and* as plain text (over SSH the browser is on another machine), and lets
the merchant record what happened by hand.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from ordertui.domain.capabilities import Action
from ordertui.domain.errors import OrdertuiError
from ordertui.domain.roles import ACTION_PERMISSIONS, Permission
from ordertui.domain.states import Source
from ordertui.i18n import _
from ordertui.services import OrderDetails
from ordertui.tui import flows, keys
from ordertui.tui.base import BaseScreen
from ordertui.tui.dialog import PromptDialog
from ordertui.tui.dialogs.link import LinkDialog, UnlinkDialog
from ordertui.tui.dialogs.record import RecordDialog
from ordertui.tui.dialogs.returns_forms import (
    RecoveryDialog,
    RefundDialog,
    ReturnDialog,
    ReturnStepDialog,
    StockUseDialog,
)
from ordertui.tui.format import safe
from ordertui.tui.key_order import Hold
from ordertui.tui.messages import StoreChanged
from ordertui.tui.screens.details import render
from ordertui.tui.screens.thread import ThreadScreen
from ordertui.tui.widgets.key_bar import KeyBar
from ordertui.tui.widgets.top_bar import TopBar

SECTIONS = ("actions", "customer", "items", "tracking", "cancellation", "dispute", "returns",
            "extra", "audit")


class DetailsScreen(BaseScreen):
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("details")
    SCROLL = "#details"

    def __init__(self, order_id: int) -> None:
        super().__init__()
        self.order_id = order_id
        self.details: OrderDetails | None = None

    def compose(self) -> ComposeResult:
        yield TopBar(_("Order"), demo=self.services.is_demo)
        with VerticalScroll(id="details"):
            yield Static(Text(_("Loading…")), id="summary", markup=False)
            for section in SECTIONS:
                yield Static("", id=section, classes="section", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.load()
        if self.services.allows(Permission.SYNC):  # a role that does not sync reads no supplier
            self.refresh_from_supplier(quiet=True)

    def on_store_changed(self, message: StoreChanged) -> None:
        self.load()

    @work(group="details-load", exclusive=True)
    async def load(self) -> None:
        try:
            details = await self.app.reads.run(self.services.details, self.order_id)
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
                self.notify(str(exc), title=_("Could not refresh"), severity="warning",
                            markup=False)
            return
        if events:
            self.app.post_store_changed()
            self.app.supervisor.tell_news()
        elif not quiet:
            self.notify(_("Up to date with the supplier."), markup=False)
        self.load()

    # --- drawing ---------------------------------------------------------------------
    def render_details(self, d: OrderDetails) -> None:
        key, allows = self.key_text, self.services.allows
        self.query_one(TopBar).set_title(
            _("Order {order}").format(order=safe(d.order.display_name)))
        parts: dict[str, RenderableType] = {
            "summary": render.summary(d, key, allows),
            "actions": render.actions(d, key, lambda a: bool(self.check_action(a, ())), allows),
            "customer": render.customer(d), "items": render.items(d),
            "tracking": render.tracking(d, self.services.clock()),
            "cancellation": render.cancellation(d, key, allows),
            "dispute": render.dispute(d, key),
            "returns": render.returns(d, key), "extra": render.pending(d),
            "audit": render.history(d),
        }
        for section, content in parts.items():
            self.query_one(f"#{section}", Static).update(content)

    # --- what the keys do ---------------------------------------------------------------
    def recordable(self) -> tuple[str, ...]:
        """What the role may record by hand: "cancellation", "dispute", both or neither."""
        return tuple(kind for kind, permission in (("cancellation", Permission.CANCEL),
                                                   ("dispute", Permission.DISPUTE))
                     if self.services.allows(permission))

    def offers(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer only what this order's state and its supplier allow (and, for recording by
        hand, what the role may record)."""
        d = self.details
        kinds = self.recordable()
        if action == "record" and not kinds:
            return False
        if d is None:
            return True
        allowed = {a.action for a in d.actions if a.by_api}
        r = d.returns
        offers = {
            "cancel": Action.CANCEL in allowed,
            "answer": Action.ANSWER_CANCEL_INFO in allowed,
            "thread": d.order.dispute is not None,
            "dispute": Action.DISPUTE_OPEN in allowed or d.order.dispute is not None,
            "record": any(not a.by_api and self.services.allows(ACTION_PERMISSIONS[a.action])
                          for a in d.actions)
            or ("cancellation" in kinds and d.order.cancellation is not None
                and d.order.cancellation.source is Source.MANUAL)
            or ("dispute" in kinds and d.order.dispute is not None
                and d.order.dispute.source is Source.MANUAL),
            "open_page": bool(d.web_url),
            "return": r.returnable,
            "return_step": any(not x.state.terminal for x in r.returns),
            "refund": r.money.refundable.amount > 0,
            "recovered": r.money.recoverable.amount > 0,
            "use_stock": bool(d.stock_skus),
            "link": d.shops,
        }
        return offers.get(action, True)

    def why_not(self, action: str, description: str) -> str:
        d = self.details
        if d is None:
            return super().why_not(action, description)
        o, name = d.order, d.order.display_name
        act = {"cancel": Action.CANCEL, "answer": Action.ANSWER_CANCEL_INFO,
               "dispute": Action.DISPUTE_OPEN}.get(action)
        reason = self.services.why_not(o, act) if act is not None else ""
        if reason:
            return reason
        reasons = {
            "return": _("nothing more of {order} can be returned"),
            "return_step": _("{order} has no return in progress"),
            "link": _("no shop is configured: add [shops.main] to the config (see the "
                      "README)"),
            "refund": _("{order} is refunded in full"),
            "recovered": _("nothing more can come back from {supplier} on {order}"),
            "use_stock": _("{order} cannot ship from the returns stock: only an order not "
                           "shipped yet can, with an item the stock holds"),
            "record": _("there is nothing on {order} to record by hand"),
        }
        if action not in reasons:
            return super().why_not(action, description)
        return reasons[action].format(order=name, supplier=o.supplier)

    def action_refresh(self) -> None:
        self.refresh_from_supplier()

    def action_link(self) -> None:
        self._link(self.app.key_order.hold())

    @work(group="action", exclusive=True)
    async def _link(self, hold: Hold) -> None:
        """Linked: ask to unlink; else the shop orders it may be, to choose from."""
        d = self.details
        try:
            if d is None:
                return
            if d.shop is not None:
                self.app.push_screen(UnlinkDialog(d.order, d.shop.name), self._after)
            else:
                found = await self.app.reads.run(self.services.shops.suggestions,
                                                 self.order_id)
                self.app.push_screen(LinkDialog(d.order, found), self._after)
            hold.release()
        finally:
            hold.release(discard=True)

    def action_cancel(self) -> None:
        d = self.details
        if d is not None:
            self._cancel(self.app.key_order.hold())

    @work(group="action", exclusive=True)
    async def _cancel(self, hold: Hold) -> None:
        assert self.details is not None
        await flows.cancel(self.app, [self.order_id], hold, orders=[self.details.order])

    def action_answer(self) -> None:
        d = self.details
        if d is None or d.order.cancellation is None:
            return
        question = Text(_("The supplier asks:") + " ", style="bold")
        question.append(safe(d.order.cancellation.supplier_message))

        def answered(answer: str | None) -> None:
            if answer is not None:
                self.notify(_("Answer queued for the supplier."), markup=False)
                self.app.post_store_changed()
        self.app.push_screen(AnswerDialog(self.order_id, d.order.display_name, question),
                             answered)

    def action_dispute(self) -> None:
        self._dispute(self.app.key_order.hold())

    @work(group="action", exclusive=True)
    async def _dispute(self, hold: Hold) -> None:
        await flows.dispute(self.app, self.order_id, hold)
        self.load()

    def action_thread(self) -> None:
        self.app.push_screen(ThreadScreen(self.order_id))

    def action_record(self) -> None:
        kinds = self.recordable()
        if self.details is not None and kinds:
            self.app.push_screen(RecordDialog(self.details.order, kinds[0], kinds=kinds),
                                 self._after)

    def action_open_page(self) -> None:
        d = self.details
        if d is None or not d.web_url:
            return
        self.app.open_url(d.web_url)
        self.notify(_("Opening {url} — over SSH, copy the address instead.").format(
            url=d.web_url), markup=False)

    # --- returns and refunds ---------------------------------------------------------
    def _after(self, saved: bool | None) -> None:
        if saved:
            self.app.post_store_changed()
            self.load()

    def action_return(self) -> None:
        self._open_return(self.app.key_order.hold())

    @work(group="action", exclusive=True)
    async def _open_return(self, hold: Hold) -> None:
        d = self.details
        try:
            if d is None:
                return
            try:
                options = await self.app.reads.run(self.services.returns.return_options,
                                                   self.order_id)
            except OrdertuiError as exc:
                hold.release(discard=True)
                self.notify(str(exc), severity="error", markup=False)
                return
            if not options.destinations:  # said before the form, not after it is filled
                hold.release(discard=True)
                self.notify(_("{supplier} accepts no returns; to accept this one at your own "
                              "address, set your return address in Settings ({key})").format(
                                  supplier=options.supplier, key=self.key_text("settings")),
                            severity="warning", markup=False)
                return
            self.app.push_screen(ReturnDialog(self.order_id, d.order.display_name, options),
                                 self._after)
            hold.release()
        finally:
            hold.release(discard=True)

    def action_return_step(self) -> None:
        d = self.details
        if d is None:
            return
        open_returns = [x for x in d.returns.returns if not x.state.terminal]
        if open_returns:
            self.app.push_screen(ReturnStepDialog(open_returns[-1]), self._after)

    def action_refund(self) -> None:
        d = self.details
        if d is not None:
            self.app.push_screen(RefundDialog(self.order_id, d.order.display_name,
                                              d.returns.money.refundable), self._after)

    def action_recovered(self) -> None:
        d = self.details
        if d is not None:
            self.app.push_screen(RecoveryDialog(self.order_id, d.order.display_name,
                                                d.returns.money.recoverable), self._after)

    def action_use_stock(self) -> None:
        d = self.details
        if d is not None and d.stock_skus:
            choices = [(sku, sku) for sku in d.stock_skus]
            self.app.push_screen(StockUseDialog(d.order, choices), self._after)


class AnswerDialog(PromptDialog):
    """The merchant's answer to the supplier's question about a cancellation, queued."""

    def __init__(self, order_id: int, order_name: str, question: Text) -> None:
        super().__init__(_("Answer the supplier about {order}").format(order=safe(order_name)),
                         question, label=_("Your answer:"), submit=_("Send answer"))
        self.order_id = order_id

    async def submit(self) -> str:
        answer = await super().submit()
        await self.run_read(self.services.answer_cancellation_info, self.order_id, answer)
        return answer
