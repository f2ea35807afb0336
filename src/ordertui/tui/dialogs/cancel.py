"""The cancel confirmation: says plainly what happens next, asks for a reason, and queues the
request for each order when the merchant presses enter; nothing is sent before."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Label, Static

from ordertui.domain import rules
from ordertui.domain.errors import OrdertuiError, StoreUnavailable, ValidationError
from ordertui.domain.models import Order, items_shown
from ordertui.i18n import N_, _, formats, ngettext
from ordertui.tui.dialog import Dialog
from ordertui.tui.format import about, safe
from ordertui.tui.widgets.fields import OneLine

WHAT_HAPPENS = N_(
    "The supplier reviews the request and approves it, rejects it, or asks you for more "
    "details first. If it approves, the order is cancelled: the supplier does not ship it "
    "and the payment comes back. You will see the answer here, without doing anything.")

#: orders named in the dialog; the rest are counted
NAMED = 12
#: orders left out listed with their reason
SKIPPED_SHOWN = 6


class About(VerticalScroll):
    """What the request is about and what happens next: it scrolls when it is longer than
    the screen leaves it (many orders, a longer language on 80×24), so that the reason and
    the buttons stay in view; a tab stop only then."""

    def allow_focus(self) -> bool:
        return self.max_scroll_y > 0


@dataclass(slots=True)
class CancelOutcome:
    requested: list[str] = field(default_factory=list)  # the orders' names
    failed: list[str] = field(default_factory=list)  # "name: why"


class CancelDialog(Dialog[CancelOutcome | None]):
    """Dismissed with what was queued, or None when the merchant backs out (nothing sent)."""

    DEFAULT_CSS = """
    CancelDialog #cancel-about {
        height: auto;
        max-height: 50vh;
    }
    """
    FOCUS = "#reason"
    SUBMIT = (N_("Request cancellation"), None, "error")
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
            return _("Request cancellation of {order}?").format(
                order=safe(self.orders[0].display_name))
        n = len(self.orders)
        return ngettext("Request cancellation of {n} order?",
                        "Request cancellation of {n} orders?", n).format(n=formats.number(n))

    def compose_body(self) -> ComposeResult:
        if len(self.orders) == 1:
            o = self.orders[0]
            summary = Text(_("{customer} · {items} · {amount} · supplier {supplier}").format(
                customer=safe(o.customer.name), items=safe(items_shown(o.items_summary), 60),
                amount=o.sold.display(), supplier=safe(o.supplier)))
        else:
            names = ", ".join(safe(o.display_name) for o in self.orders[:NAMED])
            more = len(self.orders) - NAMED
            if more > 0:
                names = ngettext("{names} and {n} more", "{names} and {n} more", more).format(
                    names=names, n=formats.number(more))
            summary = Text(names)
        parts = [Static(summary, classes="dialog-body", markup=False),
                 Static(Text(_(WHAT_HAPPENS)), classes="dialog-body", markup=False)]
        if self.skipped:
            lines = "\n".join(safe(about(o.display_name, why))
                              for o, why in self.skipped[:SKIPPED_SHOWN])
            heading = _("Not included ({n}):").format(n=formats.number(len(self.skipped)))
            parts.append(Static(Text(f"{heading}\n{lines}", style="italic"),
                                classes="dialog-body", markup=False))
        # the field's label keeps its own space above: the text's last margin would double it
        parts[-1].styles.margin = (0, 0, 0, 0)
        yield About(*parts, id="cancel-about")
        yield Label(_("Reason (the supplier sees it):"), classes="field-label")
        yield OneLine(placeholder=_("e.g. the customer ordered the wrong size"), id="reason")
        yield self.error_line("reason")

    async def submit(self) -> CancelOutcome:
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            raise ValidationError("reason", _("Write a reason: the supplier needs one to "
                                            "review the request."))
        rules.check_text("reason", reason)
        outcome = CancelOutcome()
        for o in self.orders:
            assert o.id is not None
            try:
                await self.run_read(self.services.request_cancellation, o.id, reason)
            except ValidationError:
                raise  # the reason: the merchant can mend it here
            except StoreUnavailable:
                if not outcome.requested:
                    raise  # nothing was written: said on the error line, the dialog stays
                outcome.failed.append(about(o.display_name, str(sys.exc_info()[1])))
            except OrdertuiError as exc:  # the order's state: another session was faster
                outcome.failed.append(about(o.display_name, str(exc)))
            else:
                outcome.requested.append(o.display_name)
        return outcome
