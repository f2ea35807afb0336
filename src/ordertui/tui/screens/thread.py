"""A dispute's thread: the messages, and replying, escalating, accepting an offer or
withdrawing — each only when the dispute's state and the supplier's API allow it."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from ordertui.domain.capabilities import Action
from ordertui.domain.errors import OrdertuiError
from ordertui.domain.states import Source
from ordertui.services import OrderDetails
from ordertui.tui.format import link, safe, safe_block, when
from ordertui.tui.messages import StoreChanged
from ordertui.tui.widgets.line_input import LineInput
from ordertui.tui.widgets.top_bar import TopBar

AUTHOR_STYLE = {"merchant": "bold", "supplier": "bold italic", "platform": "bold underline"}


class ThreadScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back"),
        Binding("r", "reply", "Reply", id="reply"),
        Binding("x", "escalate", "Escalate", id="escalate"),
        Binding("A", "accept", "Accept offer", id="accept"),
        Binding("w", "withdraw", "Withdraw", id="withdraw"),
        Binding("m", "record", "Record by hand", id="record"),
        Binding("j,down", "scroll_down", "Scroll", show=False, id="scroll_down"),
        Binding("k,up", "scroll_up", "Scroll", show=False, id="scroll_up"),
    ]

    HELP_GROUPS: ClassVar[dict[str, str]] = {
        "back": "Move", "scroll_down": "Move", "scroll_up": "Move", "reply": "Act",
        "escalate": "Act", "accept": "Act", "withdraw": "Act", "record": "Act",
    }

    def __init__(self, order_id: int) -> None:
        super().__init__()
        self.order_id = order_id
        self.details: OrderDetails | None = None

    @property
    def services(self) -> Any:
        return self.app.services  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield TopBar("Dispute", demo=self.services.is_demo)
        yield Static("", id="thread-head", markup=False)
        with VerticalScroll(id="thread"):
            yield Static(Text("Loading…"), id="messages", markup=False)
        reply = LineInput(placeholder="Your reply — enter sends, esc leaves it", id="reply")
        reply.display = False
        yield reply
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def on_store_changed(self, message: StoreChanged) -> None:
        self.load()

    @work(group="thread-load", exclusive=True)
    async def load(self) -> None:
        details = await self.app.query_runner.run(  # type: ignore[attr-defined]
            self.services.details, self.order_id)
        self.details = details
        self.render_thread(details)
        self.refresh_bindings()

    def render_thread(self, d: OrderDetails) -> None:
        o, x = d.order, d.order.dispute
        self.query_one(TopBar).set_title(f"Dispute on {safe(o.display_name)}")
        head = Text()
        if x is None:
            head.append("This order has no dispute.")
            self.query_one("#thread-head", Static).update(head)
            self.query_one("#messages", Static).update("")
            return
        head.append(f"{safe(o.display_name)} · {safe(o.customer.name)} · ", style="bold")
        head.append(f"{x.state.label}", style="reverse")
        if x.source is Source.MANUAL:
            head.append(" (recorded by you)", style="italic")
        head.append(f" · {x.reason.label} · you ask {x.amount.display()}")
        if x.offer:
            head.append(f" · offer {x.offer.display()}", style="bold")
        if x.refunded:
            head.append(f" · refunded {x.refunded.display()}", style="bold")
        hand = [a for a in d.actions if not a.by_api and a.action.value.startswith("dispute")]
        if hand:
            head.append(f"\n{safe(o.supplier)} has no API for replying here. Do it on its page")
            url = hand[0].url or d.web_url
            if url:
                head.append(": ")
                head.append_text(link(url))
            head.append(", then press m to record the outcome.")
        self.query_one("#thread-head", Static).update(head)
        body = Text()
        for m in x.messages:
            body.append(f"{when(m.at)}  ", style="dim")
            body.append(m.author.capitalize(), style=AUTHOR_STYLE.get(m.author, "bold"))
            if m.source is Source.LOCAL:
                body.append("  (not yet confirmed by the supplier)", style="dim italic")
            elif m.source is Source.MANUAL:
                body.append("  (recorded by you)", style="dim italic")
            body.append("\n")
            body.append(safe_block(m.body))
            body.append("\n\n")
        self.query_one("#messages", Static).update(body)
        self.query_one("#thread", VerticalScroll).scroll_end(animate=False)

    def _allowed(self) -> set[Action]:
        d = self.details
        return {a.action for a in d.actions if a.by_api} if d else set()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.details is None:
            return True
        wanted = {"reply": Action.DISPUTE_REPLY, "escalate": Action.DISPUTE_ESCALATE,
                  "accept": Action.DISPUTE_ACCEPT_OFFER, "withdraw": Action.DISPUTE_WITHDRAW}
        if action in wanted:
            return wanted[action] in self._allowed()
        if action == "record":
            return bool([a for a in self.details.actions if not a.by_api])
        return True

    def action_back(self) -> None:
        reply = self.query_one("#reply", Input)
        if reply.has_focus:
            reply.display = False
            self.query_one("#thread", VerticalScroll).focus()
            return
        self.app.pop_screen()

    def action_scroll_down(self) -> None:
        self.query_one("#thread", VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#thread", VerticalScroll).scroll_up()

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
        from ordertui.tui.screens.modals import ConfirmModal

        s = self.services
        run = self.app.query_runner.run  # type: ignore[attr-defined]
        d = self.details
        if d is None or d.order.dispute is None:
            return
        x = d.order.dispute
        if what == "escalate":
            ok = await self.app.push_screen_wait(ConfirmModal(
                "Escalate the dispute?", "The platform will review the case and decide; the "
                "supplier can no longer settle it with you directly.", yes="Escalate"))
            if not ok:
                return
        elif what == "withdraw":
            ok = await self.app.push_screen_wait(ConfirmModal(
                "Withdraw the dispute?", "You give up this claim; you cannot reopen this "
                "dispute.", yes="Withdraw"))
            if not ok:
                return
        elif what == "accept":
            assert x.offer is not None
            ok = await self.app.push_screen_wait(ConfirmModal(
                f"Accept {x.offer.display()}?", f"The supplier refunds {x.offer.display()} "
                f"instead of the {x.amount.display()} you asked for, and the dispute closes.",
                yes="Accept"))
            if not ok:
                return
        try:
            if what == "reply":
                await run(s.reply_dispute, self.order_id, message)
                reply = self.query_one("#reply", Input)
                reply.value = ""
                reply.display = False
                self.query_one("#thread", VerticalScroll).focus()
            elif what == "escalate":
                await run(s.escalate_dispute, self.order_id)
            elif what == "withdraw":
                await run(s.withdraw_dispute, self.order_id)
            elif what == "accept":
                await run(s.accept_dispute_offer, self.order_id)
        except OrdertuiError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.notify({"reply": "Reply queued for the supplier.",
                     "escalate": "Escalation queued.", "withdraw": "Withdrawal queued.",
                     "accept": "Acceptance queued."}[what], markup=False)
        self.app.post_message(StoreChanged())
        self.load()

    def action_escalate(self) -> None:
        self._act("escalate")

    def action_withdraw(self) -> None:
        self._act("withdraw")

    def action_accept(self) -> None:
        self._act("accept")

    def action_record(self) -> None:
        from ordertui.tui.screens.record import RecordModal

        def done(recorded: bool | None) -> None:
            if recorded:
                self.load()
        if self.details is not None:
            self.app.push_screen(RecordModal(self.details.order, kind="dispute"), done)
