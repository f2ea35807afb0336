"""An order's details as Rich text, section by section: pure functions of what the services
report (``OrderDetails``), the keys as the merchant has them, what the session's role allows
(a key it leaves out is not named), and the time. Every string from a supplier or a customer
goes through ``safe``. Sentences are translated whole; where a word
of one stands out (bold), ``base.fill`` puts it into the translated sentence."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from rich.console import Group
from rich.table import Table
from rich.text import Text

from ordertui.domain.capabilities import Action
from ordertui.domain.policy import ProtectionBasis, ProtectionState, ShippingPayer
from ordertui.domain.returns import ReturnDestination, shown
from ordertui.domain.roles import ACTION_PERMISSIONS, Permission
from ordertui.domain.rules import tracking_stalled
from ordertui.domain.shop import LinkSource
from ordertui.domain.states import (
    CancellationState,
    DisputeState,
    OrderStatus,
    Source,
    in_sentence,
)
from ordertui.i18n import N_, _, formats, ngettext
from ordertui.services import OrderDetails
from ordertui.tui import keys
from ordertui.tui.base import fill
from ordertui.tui.format import link, safe, safe_block, status, when

SOURCE_NOTE = {Source.MANUAL: N_("(recorded by you, not confirmed by the supplier's API)"),
               Source.LOCAL: N_("(waiting to be sent / confirmed by the supplier)")}

#: the key (binding id) that does each action on this screen
ACTION_KEYS = {Action.CANCEL: "cancel", Action.ANSWER_CANCEL_INFO: "answer",
               Action.DISPUTE_OPEN: "dispute", Action.DISPUTE_REPLY: "thread",
               Action.DISPUTE_ESCALATE: "thread", Action.DISPUTE_WITHDRAW: "thread",
               Action.DISPUTE_ACCEPT_OFFER: "thread"}

#: the returns actions offered by key, with what the list calls them
RETURN_ACTIONS = (("return_open", "return", N_("Accept a return")),
                  ("return_step", "return_step", N_("Update the return")),
                  ("refund", "refund", N_("Refund the customer")),
                  ("use_stock", "use_stock", N_("Ship it from the returns stock")))

#: who wrote a message of a dispute, in a sentence (the thread says it capitalised)
AUTHORS = {"merchant": N_("merchant"), "supplier": N_("supplier"), "platform": N_("platform")}
#: the steps of a cancellation's history, as its states' values name them
HISTORY_STATES = {"requested": N_("requested"), "info_requested": N_("info requested"),
                  "approved": N_("approved"), "rejected": N_("rejected")}

HISTORY_SHOWN = 30
MESSAGES_SHOWN = 4

KeyText = Callable[[str], str]
#: what the session's role allows
Allows = Callable[[Permission], bool]


def everything(_permission: Permission) -> bool:
    """The owner's role: everything allowed."""
    return True


def may(allows: Allows, binding_id: str) -> bool:
    """The role allows what the key ``binding_id`` does (a sentence names it only then)."""
    permission = keys.PERMISSIONS.get(binding_id)
    return permission is None or allows(permission)


def author(name: str) -> str:
    """Who wrote a dispute's message, in a sentence."""
    return _(AUTHORS[name]) if name in AUTHORS else name


def rate_text(rate: Decimal) -> str:
    """An exchange rate with every decimal it has (``1.0876``)."""
    rate = rate.normalize()
    if not formats.localised():
        return f"{rate:f}"
    exponent = rate.as_tuple().exponent
    return formats.decimal(rate, max(-exponent, 0) if isinstance(exponent, int) else None)


def summary(d: OrderDetails, key: KeyText, allows: Allows = everything) -> Text:
    o = d.order
    t = Text()
    t.append(f"{safe(o.display_name)}  ", style="bold")
    t.append(f" {status(o.status)} ", style="reverse")
    if o.status is OrderStatus.UNKNOWN:
        t.append(" " + _("supplier says {status}").format(status=repr(safe(o.supplier_status))),
                 style="italic")
    t.append("   " + _("{supplier} ({supplier_id}) · order {order_id}").format(
        supplier=safe(d.supplier.title), supplier_id=safe(o.supplier),
        order_id=safe(o.supplier_order_id)) + "\n")
    t.append(_("Ordered {when}").format(when=when(o.created_at)))
    if o.paid_at:
        t.append(" · " + _("paid {when}").format(when=when(o.paid_at)))
    if o.payment:
        t.append(f" ({safe(o.payment)})")
    t.append("\n")
    m = d.returns.money
    converted = m.supplier_cost if m.cost.currency != m.paid.currency else None
    cost = m.cost.display() + (f" ({converted.display()})" if converted is not None else "")
    t.append(_("Customer paid {paid} · you paid the supplier {cost}").format(
        paid=m.paid.display(), cost=cost))
    if not m.cancelled:
        profit = m.profit
        t.append(" · ")
        t.append_text(fill(_("profit {profit}"), profit=Text(
            profit.display() if profit is not None else _("unknown"), style="bold")))
    else:
        t.append(" · " + _("cancelled, so it counts for nothing"))
        if m.owed_to_customer.amount > 0:
            owed = (_("{amount} still to refund to the customer ({key})")
                    if may(allows, "refund") else _("{amount} still to refund to the customer"))
            t.append("\n" + owed.format(amount=m.owed_to_customer.display(), key=key("refund")),
                     style="bold")
    t.append_text(shop_line(d, key, allows))
    c = o.cancellation
    if c is not None:
        waiting = {CancellationState.REQUESTED: " — " + _("waiting for the supplier")}
        if may(allows, "answer"):
            waiting[CancellationState.INFO_REQUESTED] = " — " + _("answer with {key}").format(
                key=key("answer"))
        t.append(f"\n{c.state.label}{waiting.get(c.state, '')}",
                 style="bold" if c.state.active else "")
    x = o.dispute
    if x is not None and not x.state.terminal:
        t.append("\n" + _("Dispute: {state} ({key} for the thread)").format(
            state=in_sentence(x.state.label), key=key("thread")), style="bold")
    r = d.returns
    if r.refunds or r.recoveries:
        t.append("\n")
        t.append_text(fill(
            _("Refunded {refunded} · recovered from the supplier {recovered} · net {net}"),
            refunded=r.money.refunded.display(), recovered=r.money.recovered.display(),
            net=Text(shown(r.money.net), style="bold")))
    p = r.protection
    if p is not None and p.state is not ProtectionState.NONE:
        described = p.describe()
        soon = p.state is ProtectionState.ACTIVE and (p.days_left or 0) <= d.warning_days
        t.append(f"\n{described[:1].upper()}{described[1:]}", style="bold" if soon else "")
    return t


def shop_line(d: OrderDetails, key: KeyText, allows: Allows = everything) -> Text:
    """The shop order it was placed for: the sale as the shop made it, where the rate came
    from, and whether the shop has the tracking; or how to link it."""
    t = Text()
    sl = d.shop
    if sl is None:
        if d.shops and may(allows, "link"):
            t.append("\n" + _("Not linked to a shop order ({key} to link it)").format(
                key=key("link")), style="italic")
        elif d.shops:
            t.append("\n" + _("Not linked to a shop order"), style="italic")
        return t
    how = _("linked by you") if sl.source is LinkSource.MANUAL else _("linked automatically")
    t.append("\n" + _("Shop order {name} at {shop} ({how}) · {tracking}").format(
        name=safe(sl.name), shop=safe(sl.shop), how=how, tracking=safe(sl.tracking)))
    if sl.rate is not None and sl.rate != 1:
        t.append("\n" + _("Cost in {currency} at {rate} ({note})").format(
            currency=sl.currency, rate=rate_text(sl.rate), note=safe(sl.rate_note)),
            style="dim")
    elif sl.cost is None:
        t.append("\n" + _("Profit unknown: {reason}").format(reason=safe(sl.rate_note)),
                 style="bold")
    return t


def actions(d: OrderDetails, key: KeyText, offered: Callable[[str], bool],
            allows: Allows = everything) -> Text:
    """What the merchant can do, each with its key; what only the supplier's page can do,
    with the page. What the role leaves out is not listed (``offered`` asks the role too)."""
    t = Text()
    t.append(_("What you can do") + "\n", style="bold underline")
    returns = [(b, label) for b, action, label in RETURN_ACTIONS if offered(action)]
    mine = [a for a in d.actions if allows(ACTION_PERMISSIONS[a.action])]
    if not mine and not returns:
        t.append(_("Nothing to do on this order now."), style="italic")
    c = d.order.cancellation
    if c is not None and c.state is CancellationState.INFO_REQUESTED:
        t.append(_("The supplier asks:") + " ", style="bold")
        t.append(f"{safe(c.supplier_message)}\n")
    x = d.order.dispute
    if x is not None and x.state is DisputeState.AWAITING_MERCHANT and x.last_message:
        t.append(_("The dispute waits on you:") + " ", style="bold")
        t.append(f"{safe(x.last_message.body, 200)}\n")
    hand: list[tuple[str, str | None]] = []
    for a in mine:
        if a.by_api:
            t.append(f" {key(ACTION_KEYS[a.action])} ", style="reverse")
            t.append(f" {a.action.label}\n")
        else:
            hand.append((a.action.label, a.url))
    o = d.order
    for binding_id, label in returns:
        t.append(f" {key(binding_id)} ", style="reverse")
        t.append(f" {_(label)}\n")
    if o.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED) and may(allows, "dispute") \
            and not any(a.action is Action.CANCEL for a in d.actions):
        t.append(_("This order has shipped, so it can no longer be cancelled: open a dispute "
                   "({key}) or record a return instead.").format(key=key("dispute")) + "\n",
                 style="italic")
    if hand:
        t.append("\n" + _("{supplier} has no API for these; do them on its page, then press "
                          "{key} to record what happened:").format(
            supplier=safe(o.supplier), key=key("record")) + "\n")
        for label, url in hand:
            t.append(f"  • {label}")
            if url:
                t.append(": ")
                t.append_text(link(url))
            t.append("\n")
    if d.web_url:
        t.append("\n" + _("Supplier's page for this order ({key}):").format(
            key=key("open_page")) + " ")
        t.append_text(link(d.web_url))
    return t


def customer(d: OrderDetails) -> Text:
    c = d.order.customer
    t = Text()
    t.append(_("Customer and shipping") + "\n", style="bold underline")
    t.append(f"{safe(c.name)}\n")
    if c.email:
        t.append(f"{safe(c.email)}\n")
    if c.phone:
        t.append(f"{safe(c.phone)}\n")
    for line in c.address.lines():
        t.append(f"{safe(line)}\n")
    return t


def items(d: OrderDetails) -> Group:
    """The supplier's lines with what each cost; their price and profit too where the
    supplier order stands alone. A linked order's sale is its shop order's (discounts and
    its share of the shipping charged), so the total says it instead of each line."""
    o = d.order
    sold_alone = d.shop is None
    table = Table(box=None, pad_edge=False, show_edge=False, expand=False,
                  title=_("Items"), title_justify="left", title_style="bold underline")
    # Translators: quantity, a column header
    table.add_column(_("Qty"), justify="right")
    table.add_column(_("Product"))
    table.add_column(_("SKU"))
    table.add_column(_("Cost"), justify="right")
    if sold_alone:
        table.add_column(_("Price"), justify="right")
        table.add_column(_("Profit"), justify="right")
    for i in o.items:
        title = Text(safe(i.title))
        if i.variant:
            title.append(f" — {safe(i.variant)}", style="italic")
        cells: list[str | Text] = [str(i.quantity), title, Text(safe(i.sku)),
                                   i.total_cost.display()]
        if sold_alone:
            cells += [i.total_price.display(), (i.total_price - i.total_cost).display()]
        table.add_row(*cells)
    foot = Text()
    if o.shipping_cost is not None:
        foot.append(_("Shipping paid to the supplier: {amount}").format(
            amount=o.shipping_cost.display()) + "\n")
    cost = o.total_cost.display()
    if o.revenue is not None and o.cost_converted is not None \
            and o.cost_converted.currency != o.total_cost.currency:
        cost += f" ({o.cost_converted.display()})"
    profit = o.profit.display() if o.profit_known else _("unknown")
    if d.shop is not None:
        foot.append(_("Total: customer paid {sale} (shop order {shop_order}), supplier cost "
                      "{cost}, profit {profit}").format(
            sale=o.sale.display(), shop_order=safe(d.shop.name), cost=cost, profit=profit))
    else:
        foot.append(_("Total: customer paid {sale}, supplier cost {cost}, profit "
                      "{profit}").format(sale=o.sale.display(), cost=cost, profit=profit))
    return Group(table, foot)


def tracking(d: OrderDetails, now: datetime) -> Text:
    o = d.order
    t = Text()
    t.append(_("Tracking") + "\n", style="bold underline")
    if not o.tracking_number:
        t.append(_("No tracking number yet."), style="italic")
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
    moved = o.tracking_events[-1].at if o.tracking_events else o.shipped_at
    if tracking_stalled(o.status, moved, now, d.stalled_days) and moved is not None:
        still = (now - moved).days
        t.append("  " + ngettext("No movement for {n} day.", "No movement for {n} days.",
                                 still).format(n=formats.number(still)), style="bold")
    return t


def cancellation(d: OrderDetails, key: KeyText, allows: Allows = everything) -> Text:
    t = Text()
    if not d.cancellations:
        return t
    t.append(_("Cancellation") + "\n", style="bold underline")
    for c in d.cancellations:
        t.append(c.state.label, style="bold")
        t.append(source_note(c.source), style="italic")
        t.append(" — " + _("requested {when}: {reason}").format(
            when=when(c.requested_at), reason=safe(c.reason)) + "\n")
        if c.state is CancellationState.INFO_REQUESTED:
            t.append(_("The supplier asks:") + " ", style="bold")
            t.append(f"{safe(c.supplier_message)}\n")
            if may(allows, "answer"):
                t.append(f" {key('answer')} ", style="reverse")
                t.append(" " + _("answer it") + "\n")
        elif c.supplier_message:
            t.append(_("Supplier: {message}").format(message=safe(c.supplier_message)) + "\n")
        for h in c.history:
            step = (_(HISTORY_STATES[h.state]) if h.state in HISTORY_STATES
                    else h.state.replace("_", " "))
            t.append(f"  {when(h.at)}  {step}", style="dim")
            if h.note:
                t.append(f" — {safe(h.note)}", style="dim")
            if h.source is Source.MANUAL:
                t.append(" " + _("(recorded by you)"), style="dim italic")
            t.append("\n")
    return t


def dispute(d: OrderDetails, key: KeyText) -> Text:
    x = d.order.dispute
    t = Text()
    if x is None:
        return t
    t.append(_("Dispute") + "\n", style="bold underline")
    t.append(x.state.label, style="bold")
    t.append(source_note(x.source), style="italic")
    t.append(f" · {x.reason.label} · "
             + _("you ask {amount}").format(amount=x.amount.display()))
    if x.offer and x.state is DisputeState.AWAITING_MERCHANT:
        t.append(" · " + _("supplier offers {amount}").format(amount=x.offer.display()),
                 style="bold")
    if x.refunded:
        t.append(" · " + _("refunded {amount}").format(amount=x.refunded.display()),
                 style="bold")
    t.append("\n" + _("Opened {when}").format(when=when(x.opened_at)))
    if x.evidence:
        t.append(" · " + _("evidence: {files}").format(
            files=", ".join(safe(e.name) for e in x.evidence)))
    t.append("\n")
    for m in x.messages[-MESSAGES_SHOWN:]:
        t.append(f"  {when(m.at)} {author(m.author)}: ", style="dim")
        t.append(f"{safe(m.body, 300)}\n")
    if len(x.messages) > MESSAGES_SHOWN:
        earlier = len(x.messages) - MESSAGES_SHOWN
        t.append("  " + ngettext("… {n} earlier message", "… {n} earlier messages",
                                 earlier).format(n=formats.number(earlier)) + "\n",
                 style="dim")
    t.append(f" {key('thread')} ", style="reverse")
    t.append(" " + _("open the thread to reply, escalate or withdraw") + "\n")
    return t


def returns(d: OrderDetails, key: KeyText) -> Text:
    t = Text()
    r = d.returns
    t.append(_("Supplier's return policy") + "\n", style="bold underline")
    p = r.policy
    if p is None:
        t.append(f"{safe(r.policy_error)}\n", style="italic")
    else:
        supplier = safe(d.order.supplier)
        if p.accepts_returns:
            t.append(returns_accepted(supplier, p.return_window_days, p.return_shipping)
                     + "\n")
        else:
            t.append(_("{supplier} accepts no returns:").format(supplier=supplier) + " ",
                     style="bold")
            t.append(_("accept them at your own address ({key}), refunds come through buyer "
                       "protection.").format(key=key("return_open")) + "\n")
        t.append(protection_terms(p.protection_days, p.protection_from))
        if p.text:
            t.append(f" {safe(p.text)}", style="italic")
        t.append("\n")
    if r.returns:
        t.append("\n" + _("Returns") + "\n", style="bold underline")
        for ret in r.returns:
            listed = ", ".join(f"{i.quantity}× {safe(i.title or i.key)}" for i in ret.items)
            t.append(f"  {ret.state.label}", style="bold")
            t.append(f" — {listed} — {safe(ret.reason)}")
            t.append(" " + (_("(to the merchant)")
                            if ret.destination is ReturnDestination.MERCHANT
                            else _("(to the supplier)")), style="dim")
            if ret.tracking_number:
                t.append(" · " + _("tracking {number}").format(
                    number=safe(ret.tracking_number)))
            if ret.condition:
                t.append(f" · {safe(ret.condition)}", style="italic")
            t.append("\n")
    if r.refunds or r.recoveries or r.stock_used:
        t.append("\n" + _("Money") + "\n", style="bold underline")
        for f in r.refunds:
            t.append(f"  {when(f.at)}  "
                     + _("refunded {amount} — {reason}").format(amount=f.amount.display(),
                                                               reason=safe(f.reason))
                     + (" " + _("(item comes back)") if f.item_returned else "") + "\n")
        for c in r.recoveries:
            t.append("  " + _("recovered {amount} from the supplier").format(
                amount=c.amount.display()) + (f" — {safe(c.note)}" if c.note else "") + "\n")
        for u in r.stock_used:
            t.append("  " + _("shipped {quantity}× {sku} from the returns stock").format(
                quantity=u.quantity, sku=safe(u.sku)) + "\n")
        t.append("  ")
        t.append_text(fill(_("Net: {formula} = {net}"), formula=r.money.net_formula(),
                           net=Text(shown(r.money.net), style="bold")))
        t.append("\n")
    return t


def pending(d: OrderDetails) -> Text:
    t = Text()
    if d.pending:
        t.append(_("Waiting to be sent") + "\n", style="bold underline")
        for p in d.pending:
            t.append(f"  {p.action.label} — "
                     + _("attempt {n}").format(n=formats.number(p.attempts)))
            if p.last_error:
                t.append(", " + _("last error: {error}").format(error=safe(p.last_error)),
                         style="italic")
            t.append("; " + _("next try {when}").format(when=when(p.next_at)) + "\n")
    return t


def history(d: OrderDetails) -> Text:
    t = Text()
    if not d.audit:
        return t
    t.append(_("History") + "\n", style="bold underline")
    for e in d.audit[-HISTORY_SHOWN:]:
        t.append(f"  {when(e.at)}  ", style="dim")
        what = e.what()
        t.append(f"{safe(e.who(d.login))}: {safe(what)}")
        if e.detail:
            t.append(f"{' — ' if what else ''}{safe_block(e.detail)[:300]}",
                     style="dim" if what else "")
        t.append("\n")
    return t


def source_note(source: Source) -> str:
    """What a request not (yet) confirmed by the supplier's API is, after its state."""
    note = SOURCE_NOTE.get(source)
    return " " + _(note) if note is not None else ""


def returns_accepted(supplier: str, days: int, payer: ShippingPayer) -> str:
    """The supplier's return terms in a sentence."""
    if payer is ShippingPayer.CUSTOMER:
        text = ngettext("{supplier} accepts returns within {days} day of delivery; return "
                        "shipping paid by the customer.",
                        "{supplier} accepts returns within {days} days of delivery; return "
                        "shipping paid by the customer.", days)
    elif payer is ShippingPayer.MERCHANT:
        text = ngettext("{supplier} accepts returns within {days} day of delivery; return "
                        "shipping paid by the merchant.",
                        "{supplier} accepts returns within {days} days of delivery; return "
                        "shipping paid by the merchant.", days)
    else:
        text = ngettext("{supplier} accepts returns within {days} day of delivery; return "
                        "shipping paid by the supplier.",
                        "{supplier} accepts returns within {days} days of delivery; return "
                        "shipping paid by the supplier.", days)
    return text.format(supplier=supplier, days=formats.number(days))


def protection_terms(days: int, basis: ProtectionBasis) -> str:
    """How long the supplier's buyer protection lasts, and from when."""
    if basis is ProtectionBasis.DELIVERY:
        text = ngettext("Buyer protection: {days} day after delivery.",
                        "Buyer protection: {days} days after delivery.", days)
    else:
        text = ngettext("Buyer protection: {days} day after order.",
                        "Buyer protection: {days} days after order.", days)
    return text.format(days=formats.number(days))
