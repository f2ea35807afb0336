"""A dispute's thread: the messages, and replying, escalating, accepting an offer or
withdrawing — each only when the dispute's state and the supplier's API allow it."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Input, Static

from ordertui.domain.capabilities import Action
from ordertui.domain.errors import OrdertuiError
from ordertui.domain.models import Order
from ordertui.domain.roles import Permission
from ordertui.domain.states import Source
from ordertui.i18n import N_, _
from ordertui.services import OrderDetails
from ordertui.tui import keys
from ordertui.tui.base import BaseScreen, fill
from ordertui.tui.dialog import ConfirmDialog
from ordertui.tui.dialogs.record import RecordDialog
from ordertui.tui.format import link, safe, safe_block, when
from ordertui.tui.messages import StoreChanged
from ordertui.tui.widgets.fields import OneLine
from ordertui.tui.widgets.key_bar import KeyBar
from ordertui.tui.widgets.top_bar import TopBar

AUTHOR_STYLE = {"merchant": "bold", "supplier": "bold italic", "platform": "bold underline"}
#: who wrote a message, over it
AUTHOR_NAME = {"merchant": N_("Merchant"), "supplier": N_("Supplier"),
               "platform": N_("Platform")}


class ThreadScreen(BaseScreen):
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("thread")
    SCROLL = "#thread"

    def __init__(self, order_id: int) -> None:
        super().__init__()
        self.order_id = order_id
        self.details: OrderDetails | None = None

    def compose(self) -> ComposeResult:
        yield TopBar(_("Dispute"), demo=self.services.is_demo)
        yield Static("", id="thread-head", markup=False)
        with VerticalScroll(id="thread"):
            yield Static(Text(_("Loading…")), id="messages", markup=False)
        reply = OneLine(placeholder=_("Your reply — enter sends, esc leaves it"), id="reply")
        reply.display = False
        yield reply
        yield KeyBar()

    def on_mount(self) -> None:
        self.load()

    def on_store_changed(self, message: StoreChanged) -> None:
        self.load()

    @work(group="thread-load", exclusive=True)
    async def load(self) -> None:
        details = await self.app.reads.run(self.services.details, self.order_id)
        self.details = details
        self.render_thread(details)
        self.refresh_bindings()

    def render_thread(self, d: OrderDetails) -> None:
        o, x = d.order, d.order.dispute
        self.query_one(TopBar).set_title(
            _("Dispute on {order}").format(order=safe(o.display_name)))
        head = Text()
        if x is None:
            head.append(_("This order has no dispute."))
            self.query_one("#thread-head", Static).update(head)
            self.query_one("#messages", Static).update("")
            return
        head.append(f"{safe(o.display_name)} · {safe(o.customer.name)} · ", style="bold")
        head.append(x.state.label, style="reverse")
        if x.source is Source.MANUAL:
            head.append(" " + _("(recorded by you)"), style="italic")
        head.append(f" · {x.reason.label} · "
                    + _("you ask {amount}").format(amount=x.amount.display()))
        if x.offer:
            head.append(" · " + _("offer {amount}").format(amount=x.offer.display()),
                        style="bold")
        if x.refunded:
            head.append(" · " + _("refunded {amount}").format(amount=x.refunded.display()),
                        style="bold")
        hand = [a for a in d.actions if not a.by_api and a.action.value.startswith("dispute")]
        if hand:
            head.append("\n")
            url = hand[0].url or d.web_url
            supplier, key = safe(o.supplier), self.key_text("record")
            if url:
                head.append_text(fill(
                    _("{supplier} has no API for replying here. Do it on its page: {url}, then "
                      "press {key} to record the outcome."),
                    supplier=supplier, url=link(url), key=key))
            else:
                head.append(_("{supplier} has no API for replying here. Do it on its page, "
                              "then press {key} to record the outcome.").format(
                    supplier=supplier, key=key))
        self.query_one("#thread-head", Static).update(head)
        body = Text()
        for m in x.messages:
            body.append(f"{when(m.at)}  ", style="dim")
            name = (_(AUTHOR_NAME[m.author]) if m.author in AUTHOR_NAME
                    else m.author.capitalize())
            body.append(name, style=AUTHOR_STYLE.get(m.author, "bold"))
            if m.source is Source.LOCAL:
                body.append("  " + _("(not yet confirmed by the supplier)"), style="dim italic")
            elif m.source is Source.MANUAL:
                body.append("  " + _("(recorded by you)"), style="dim italic")
            body.append("\n")
            body.append(safe_block(m.body))
            body.append("\n\n")
        self.query_one("#messages", Static).update(body)
        self.query_one("#thread", VerticalScroll).scroll_end(animate=False)

    def _allowed(self) -> set[Action]:
        d = self.details
        return {a.action for a in d.actions if a.by_api} if d else set()

    def offers(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "record" and not self.services.allows(Permission.DISPUTE):
            return False  # here it records a dispute
        if self.details is None:
            return True
        wanted = {"reply": Action.DISPUTE_REPLY, "escalate": Action.DISPUTE_ESCALATE,
                  "accept": Action.DISPUTE_ACCEPT_OFFER, "withdraw": Action.DISPUTE_WITHDRAW}
        if action in wanted:
            return wanted[action] in self._allowed()
        if action == "record":
            return bool([a for a in self.details.actions if not a.by_api])
        return True

    def why_not(self, action: str, description: str) -> str:
        d = self.details
        act = {"reply": Action.DISPUTE_REPLY, "escalate": Action.DISPUTE_ESCALATE,
               "accept": Action.DISPUTE_ACCEPT_OFFER,
               "withdraw": Action.DISPUTE_WITHDRAW}.get(action)
        reason = self.services.why_not(d.order, act) if d and act is not None else ""
        return reason or super().why_not(action, description)

    def action_back(self) -> None:
        reply = self.query_one("#reply", Input)
        if reply.has_focus:
            reply.display = False
            self.query_one("#thread", VerticalScroll).focus()
            return
        self.app.pop_screen()

    def action_reply(self) -> None:
        reply = self.query_one("#reply", Input)
        reply.display = True
        reply.focus()

    @on(Input.Submitted, "#reply")
    def send_reply(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self._act("reply", event.value)

    @work(group="thread-act", exclusive=True)
    async def _act(self, what: str, message: str = "") -> None:
        s = self.services
        d = self.details
        if d is None or d.order.dispute is None:
            return
        confirm = self._confirmation(what, d.order)
        if confirm is not None and not await self.app.push_screen_wait(confirm):
            return
        calls: dict[str, Callable[[], object]] = {
            "reply": lambda: s.reply_dispute(self.order_id, message),
            "escalate": lambda: s.escalate_dispute(self.order_id),
            "withdraw": lambda: s.withdraw_dispute(self.order_id),
            "accept": lambda: s.accept_dispute_offer(self.order_id),
        }
        try:
            await self.app.reads.run(calls[what])
        except OrdertuiError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        if what == "reply":
            reply = self.query_one("#reply", Input)
            reply.value = ""
            reply.display = False
            self.query_one("#thread", VerticalScroll).focus()
        self.notify(_(QUEUED[what]), markup=False)
        self.app.post_store_changed()
        self.load()

    @staticmethod
    def _confirmation(what: str, order: Order) -> ConfirmDialog | None:
        x = order.dispute
        assert x is not None
        if what == "escalate":
            return ConfirmDialog(
                _("Escalate the dispute?"), _("The platform will review the case and decide; "
                                              "the supplier can no longer settle it with you "
                                              "directly."), yes=_("Escalate"))
        if what == "withdraw":
            return ConfirmDialog(_("Withdraw the dispute?"), _("You give up this claim; you "
                                                               "cannot reopen this dispute."),
                                 yes=_("Withdraw"))
        if what == "accept" and x.offer is not None:
            return ConfirmDialog(
                _("Accept {amount}?").format(amount=x.offer.display()),
                _("The supplier refunds {offer} instead of the {amount} you asked for, and the "
                  "dispute closes.").format(offer=x.offer.display(), amount=x.amount.display()),
                yes=_("Accept"))
        return None

    def action_escalate(self) -> None:
        self._act("escalate")

    def action_withdraw(self) -> None:
        self._act("withdraw")

    def action_accept(self) -> None:
        self._act("accept")

    def action_record(self) -> None:
        def done(recorded: bool | None) -> None:
            if recorded:
                self.load()
        if self.details is not None:
            self.app.push_screen(RecordDialog(self.details.order, kind="dispute"), done)


QUEUED = {"reply": N_("Reply queued for the supplier."), "escalate": N_("Escalation queued."),
          "withdraw": N_("Withdrawal queued."), "accept": N_("Acceptance queued.")}
