"""What a key starts when it takes more than one step: ask the services what is possible,
open the dialog for it (or say why not), and tell the merchant how it ended. Shared by the
orders screen and an order's details, which start the same flows on one or several orders.

Each flow holds the keys typed behind the key that started it until it knows whether a
dialog opens (see ``tui/key_order.py``): they go to the dialog, or, when nothing opens,
they are dropped rather than run as commands on the screen below.
"""

from __future__ import annotations

from typing import TypeVar

from textual.screen import Screen

from ordertui.domain.errors import OrdertuiError
from ordertui.domain.models import Order
from ordertui.i18n import _, formats, ngettext
from ordertui.tui.dialogs.cancel import CancelDialog, CancelOutcome
from ordertui.tui.dialogs.dispute_form import DisputeDialog
from ordertui.tui.format import safe
from ordertui.tui.key_order import Hold
from ordertui.tui.screens.thread import ThreadScreen
from ordertui.tui.shell import Shell

R = TypeVar("R")

#: failures listed in one notification
FAILED_SHOWN = 5


async def open_then(app: Shell, dialog: Screen[R], hold: Hold) -> R | None:
    """Push ``dialog``, let the held keys go to it, and wait for its result."""
    waiting = app.push_screen(dialog, wait_for_dismiss=True)
    hold.release()
    result: R | None = await waiting
    return result


async def cancel(app: Shell, ids: list[int], hold: Hold,
                 orders: list[Order] | None = None) -> bool:
    """Ask for the cancellation of ``ids`` (or of ``orders``, already read). True when at
    least one request was queued."""
    try:
        if orders is None:
            plan = await app.reads.run(app.services.cancel_plan, ids)
            ok, skipped = plan.ok, plan.skipped
        else:
            ok, skipped = orders, []
        if not ok:
            hold.release(discard=True)
            why = skipped[0][1]
            app.notify(why if len(skipped) == 1 else
                       _("None of the {n} orders can be cancelled. {why}").format(
                           n=formats.number(len(skipped)), why=why),
                       title=_("Cannot cancel"), severity="warning", markup=False)
            return False
        outcome: CancelOutcome | None = await open_then(app, CancelDialog(ok, skipped), hold)
    finally:
        hold.release(discard=True)
    if outcome is None:
        app.notify(_("Nothing was sent."), markup=False)
        return False
    done = len(outcome.requested)
    if done == 1 and len(ok) == 1:
        app.notify(_("Cancellation of {order} requested. The supplier's answer will show "
                     "here.").format(order=outcome.requested[0]),
                   title=_("Sent to the outbox"), markup=False)
    elif done:
        app.notify(ngettext("Cancellation requested for {n} order. The supplier's answer will "
                            "show here.",
                            "Cancellation requested for {n} orders. The supplier's answer "
                            "will show here.", done).format(n=formats.number(done)),
                   title=_("Sent to the outbox"), markup=False)
    if outcome.failed:
        app.notify("\n".join(safe(f) for f in outcome.failed[:FAILED_SHOWN]),
                   title=_("Not requested"), severity="error", markup=False)
    app.post_store_changed()
    return done > 0


async def dispute(app: Shell, order_id: int, hold: Hold) -> bool:
    """Open the dispute form for an order, its open dispute's thread, or say why neither.
    True when a dispute was queued."""
    try:
        plan = await app.reads.run(app.services.dispute_plan, order_id)
        if plan.then == "thread":
            await open_then(app, ThreadScreen(order_id), hold)
            return False
        if plan.then == "refused":
            hold.release(discard=True)
            app.notify(plan.why, title=plan.title, severity="warning", markup=False)
            return False
        queued = await open_then(app, DisputeDialog(plan.order), hold)
    except OrdertuiError as exc:
        hold.release(discard=True)
        app.notify(str(exc), severity="error", markup=False)
        return False
    finally:
        hold.release(discard=True)
    if queued:
        app.notify(_("Dispute on {order} queued for {supplier}; its answer will show in the "
                     "thread.").format(order=plan.order.display_name,
                                       supplier=plan.order.supplier),
                   title=_("Dispute opened"), markup=False)
        app.post_store_changed()
    return bool(queued)
