"""Acting commands: cancel, cancel-reply, dispute ..., record."""

from __future__ import annotations

import sys

import click

from ordertui.cli.common import AppContext, closing, fail, guard, pass_app, table
from ordertui.domain.models import Order, state_words
from ordertui.domain.roles import Permission
from ordertui.domain.rules import check_can_cancel
from ordertui.domain.states import CancellationState, DisputeReason, DisputeState
from ordertui.domain.text import visible
from ordertui.i18n import N_, _, formats, pgettext
from ordertui.services import kept, serialize


def _send_now(app: AppContext) -> bool:
    """Try to send what was queued; False when another session's runner has the outbox, or
    when the role leaves sending to others (the next session that syncs sends it)."""
    if not app.services.allows(Permission.SYNC):
        return False
    ran, events = closing(app, app.services.run_outbox)
    for e in events:
        if e.kind in ("refused", "failed"):
            click.echo(f"ordertui: {visible(e.describe())}", err=True)
    return ran


def _report(app: AppContext, order_id: int, what: str) -> Order:
    """The order after an action; ``what`` (the action's name, translated) is said to be
    queued when it could not be sent now."""
    s = app.services
    order: Order = s.order(order_id)
    pending = s.store.outbox.entries(order_id=order_id)
    if pending:
        p = pending[-1]
        why = visible(kept.shown(p.last_error or "")) or (
            _("another ordertui session is sending it") if s.allows(Permission.SYNC)
            else _("your role leaves sending to a session whose role allows sync"))
        click.echo(_("{action}: queued, not yet sent ({reason}); it goes out "
                     "automatically").format(action=what, reason=why), err=True)
    return order


@click.command("cancel", help=_(
    "Ask the supplier to cancel an order.\n\n"
    "The supplier reviews the request and approves it, rejects it, or asks for more details. "
    "If approved, the order is cancelled, not shipped, and the payment is returned."))
@click.argument("order_ref", metavar="ORDER_ID")
@click.option("--reason", required=True, help=_("Why the customer wants to cancel."))
@click.option("--yes", "-y", is_flag=True, help=_("Do not ask for confirmation."))
@pass_app
@guard
def cancel_cmd(app: AppContext, order_ref: str, reason: str, yes: bool) -> None:
    s = app.services
    s.require(Permission.CANCEL)  # before the question, not after it
    order_id = s.resolve(order_ref)
    order = s.order(order_id)
    check_can_cancel(order)
    if not yes:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            fail(_("not a terminal: add --yes to request the cancellation without "
                   "confirming"), 2)
        click.echo(_("Ask {supplier} to cancel {order} ({customer}, {amount})?").format(
            supplier=visible(order.supplier), order=visible(order.display_name),
            customer=visible(order.customer.name), amount=order.sold.display()) + "\n"
            + _("The supplier reviews it and approves, rejects, or asks for details. "
                "If approved, nothing ships and the payment comes back."))
        if not click.confirm(_("Request cancellation"), default=False):
            fail(_("aborted; nothing was sent"), 1)
    s.request_cancellation(order_id, reason)
    _send_now(app)
    order = _report(app, order_id, pgettext("queued", "cancellation request"))
    c = order.cancellation
    assert c is not None
    click.echo(f"{visible(order.display_name)}: {state_words('cancellation', c.state)}"
               + (f" — {visible(c.supplier_message)}" if c.supplier_message else ""))


@click.command("cancel-reply", help=_("Answer the supplier's request for more details on a "
                                      "cancellation."))
@click.argument("order_ref", metavar="ORDER_ID")
@click.option("--message", required=True, help=_("Your answer to the supplier's question."))
@pass_app
@guard
def cancel_reply_cmd(app: AppContext, order_ref: str, message: str) -> None:
    s = app.services
    s.require(Permission.CANCEL)
    order_id = s.resolve(order_ref)
    s.answer_cancellation_info(order_id, message)
    _send_now(app)
    order = _report(app, order_id, pgettext("queued", "answer"))
    assert order.cancellation is not None
    click.echo(f"{visible(order.display_name)}: "
               f"{state_words('cancellation', order.cancellation.state)}")


@click.group("dispute", help=_("Open and follow disputes with suppliers."))
def dispute_group() -> None:
    pass


def _dispute_result(app: AppContext, order_id: int, what: str) -> None:
    _send_now(app)
    order = _report(app, order_id, what)
    d = order.dispute
    assert d is not None
    state = state_words("dispute", d.state)
    if d.refunded:
        state = _("{state}, refunded {amount}").format(state=state, amount=d.refunded.display())
    click.echo(f"{visible(order.display_name)}: {state}")


@dispute_group.command("open", help=_("Open a dispute on an order."))
@click.argument("order_ref", metavar="ORDER_ID")
@click.option("--reason", required=True, type=click.Choice([r.value for r in DisputeReason]))
@click.option("--amount", required=True, help=_("Refund you ask for; at most what you paid "
              "the supplier."))
@click.option("--description", required=True, help=_("What went wrong."))
@click.option("--evidence", multiple=True, help=_("A file on this machine (repeat for more)."))
@pass_app
@guard
def dispute_open_cmd(app: AppContext, order_ref: str, reason: str, amount: str,
                     description: str, evidence: tuple[str, ...]) -> None:
    s = app.services
    s.require(Permission.DISPUTE)
    order_id = s.resolve(order_ref)
    s.open_dispute(order_id, reason=reason, amount=amount, description=description,
                   evidence=list(evidence))
    _dispute_result(app, order_id, pgettext("queued", "dispute"))


@dispute_group.command("reply", help=_("Reply in a dispute's thread."))
@click.argument("order_ref", metavar="ORDER_ID")
@click.option("--message", required=True)
@pass_app
@guard
def dispute_reply_cmd(app: AppContext, order_ref: str, message: str) -> None:
    s = app.services
    s.require(Permission.DISPUTE)
    order_id = s.resolve(order_ref)
    s.reply_dispute(order_id, message)
    _dispute_result(app, order_id, pgettext("queued", "reply"))


@dispute_group.command("escalate", help=_("Ask the platform to decide a dispute the supplier "
                                          "will not settle."))
@click.argument("order_ref", metavar="ORDER_ID")
@pass_app
@guard
def dispute_escalate_cmd(app: AppContext, order_ref: str) -> None:
    s = app.services
    s.require(Permission.DISPUTE)
    order_id = s.resolve(order_ref)
    s.escalate_dispute(order_id)
    _dispute_result(app, order_id, pgettext("queued", "escalation"))


@dispute_group.command("accept", help=_("Accept the partial refund the supplier offered."))
@click.argument("order_ref", metavar="ORDER_ID")
@pass_app
@guard
def dispute_accept_cmd(app: AppContext, order_ref: str) -> None:
    s = app.services
    s.require(Permission.DISPUTE)
    order_id = s.resolve(order_ref)
    s.accept_dispute_offer(order_id)
    _dispute_result(app, order_id, pgettext("queued", "acceptance"))


@dispute_group.command("withdraw", help=_("Withdraw a dispute."))
@click.argument("order_ref", metavar="ORDER_ID")
@pass_app
@guard
def dispute_withdraw_cmd(app: AppContext, order_ref: str) -> None:
    s = app.services
    s.require(Permission.DISPUTE)
    order_id = s.resolve(order_ref)
    s.withdraw_dispute(order_id)
    _dispute_result(app, order_id, pgettext("queued", "withdrawal"))


#: the columns of ``dispute list``
DISPUTE_HEADERS = (N_("Order"), N_("Supplier"), N_("State"), N_("Reason"), N_("Amount"),
                   N_("Offer"), N_("Updated"), N_("Last message"))


@dispute_group.command("list", help=_("Disputes, the latest activity first."))
@click.option("--state", "states", multiple=True,
              type=click.Choice([s.value for s in DisputeState]))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@pass_app
@guard
def dispute_list_cmd(app: AppContext, states: tuple[str, ...], fmt: str) -> None:
    if fmt == "json":
        app.for_programs()
    s = app.services
    rows = s.disputes([DisputeState(x) for x in states])
    if fmt == "json":
        click.echo(serialize.dumps([serialize.summary(o) | {"dispute": serialize.dispute(d)}
                                    for o, d in rows]))
        return
    click.echo(table([_(h) for h in DISPUTE_HEADERS],
                     [[o.display_name, o.supplier, d.state.label, d.reason.label,
                       d.amount.display(), d.offer.display() if d.offer else "",
                       formats.date(d.updated_at),
                       d.last_message.body if d.last_message else ""] for o, d in rows],
                     right=(4, 5)))


@click.command("record", help=_("Record a step you took on the supplier's own page (marked as "
                                "recorded by hand)."))
@click.argument("order_ref", metavar="ORDER_ID")
@click.option("--cancellation", type=click.Choice([s.value for s in CancellationState]),
              help=_("What happened to a cancellation you requested on the supplier's page."))
@click.option("--dispute", type=click.Choice([s.value for s in DisputeState]),
              help=_("What happened to a dispute on the supplier's page."))
@click.option("--amount", default="", help=_("The dispute's amount or refund."))
@click.option("--note", default="", help=_("What you did, what the supplier said."))
@pass_app
@guard
def record_cmd(app: AppContext, order_ref: str, cancellation: str | None, dispute: str | None,
               amount: str, note: str) -> None:
    if bool(cancellation) == bool(dispute):
        fail(_("give exactly one of --cancellation or --dispute"), 2)
    s = app.services
    s.require(Permission.CANCEL if cancellation else Permission.DISPUTE)
    order_id = s.resolve(order_ref)
    if cancellation:
        order = s.record_cancellation(order_id, cancellation, note)
        assert order.cancellation is not None
        state = state_words("cancellation", order.cancellation.state)
    else:
        assert dispute is not None
        order = s.record_dispute(order_id, dispute, amount=amount, note=note)
        assert order.dispute is not None
        state = state_words("dispute", order.dispute.state)
    click.echo(f"{visible(order.display_name)}: "
               + _("{state} (recorded by hand)").format(state=state))


COMMANDS = [cancel_cmd, cancel_reply_cmd, dispute_group, record_cmd]
