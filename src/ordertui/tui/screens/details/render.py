"""An order's details as Rich text, section by section: pure functions of what the services
report (``OrderDetails``), the keys as the merchant has them, and the time. Every string from
a supplier or a customer goes through ``safe``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.console import Group
from rich.table import Table
from rich.text import Text

from ordertui.domain.capabilities import Action
from ordertui.domain.policy import ProtectionState
from ordertui.domain.returns import shown
from ordertui.domain.rules import tracking_stalled
from ordertui.domain.shop import LinkSource
from ordertui.domain.states import CancellationState, DisputeState, OrderStatus, Source
from ordertui.services import OrderDetails
from ordertui.tui.format import STATUS_SHORT, link, safe, safe_block, when

SOURCE_NOTE = {Source.MANUAL: " (recorded by you, not confirmed by the supplier's API)",
               Source.LOCAL: " (waiting to be sent / confirmed by the supplier)"}

#: the key (binding id) that does each action on this screen
ACTION_KEYS = {Action.CANCEL: "cancel", Action.ANSWER_CANCEL_INFO: "answer",
               Action.DISPUTE_OPEN: "dispute", Action.DISPUTE_REPLY: "thread",
               Action.DISPUTE_ESCALATE: "thread", Action.DISPUTE_WITHDRAW: "thread",
               Action.DISPUTE_ACCEPT_OFFER: "thread"}

#: the returns actions offered by key, with what the list calls them
RETURN_ACTIONS = (("return_open", "return", "Accept a return"),
                  ("return_step", "return_step", "Update the return"),
                  ("refund", "refund", "Refund the customer"),
                  ("use_stock", "use_stock", "Ship it from the returns stock"))

HISTORY_SHOWN = 30
MESSAGES_SHOWN = 4

KeyText = Callable[[str], str]


def summary(d: OrderDetails, key: KeyText) -> Text:
    o = d.order
    t = Text()
    t.append(f"{safe(o.display_name)}  ", style="bold")
    t.append(f" {STATUS_SHORT[o.status]} ", style="reverse")
    if o.status is OrderStatus.UNKNOWN:
        t.append(f" supplier says {safe(o.supplier_status)!r}", style="italic")
    t.append(f"   {safe(d.supplier.title)} ({safe(o.supplier)}) · order "
             f"{safe(o.supplier_order_id)}\n")
    t.append(f"Ordered {when(o.created_at)}")
    if o.paid_at:
        t.append(f" · paid {when(o.paid_at)}")
    if o.payment:
        t.append(f" ({safe(o.payment)})")
    t.append("\n")
    m = d.returns.money
    converted = m.supplier_cost if m.cost.currency != m.paid.currency else None
    cost = m.cost.display() + (f" ({converted.display()})" if converted is not None else "")
    t.append(f"Customer paid {m.paid.display()} · you paid the supplier {cost}"
             + (" · cancelled, so it counts for nothing" if m.cancelled else " · profit "))
    if not m.cancelled:
        profit = m.profit
        t.append(profit.display() if profit is not None else "unknown", style="bold")
    elif m.owed_to_customer.amount > 0:
        t.append(f"\n{m.owed_to_customer.display()} still to refund to the customer "
                 f"({key('refund')})", style="bold")
    t.append_text(shop_line(d, key))
    c = o.cancellation
    if c is not None:
        waiting = {CancellationState.REQUESTED: " — waiting for the supplier",
                   CancellationState.INFO_REQUESTED: f" — answer with {key('answer')}"}
        t.append(f"\n{c.state.label}{waiting.get(c.state, '')}",
                 style="bold" if c.state.active else "")
    x = o.dispute
    if x is not None and not x.state.terminal:
        t.append(f"\nDispute: {x.state.label.lower()} ({key('thread')} for the thread)",
                 style="bold")
    r = d.returns
    if r.refunds or r.recoveries:
        t.append(f"\nRefunded {r.money.refunded.display()} · recovered from the supplier "
                 f"{r.money.recovered.display()} · net ")
        t.append(shown(r.money.net), style="bold")
    p = r.protection
    if p is not None and p.state is not ProtectionState.NONE:
        described = p.describe()
        soon = p.state is ProtectionState.ACTIVE and (p.days_left or 0) <= d.warning_days
        t.append(f"\n{described[:1].upper()}{described[1:]}", style="bold" if soon else "")
    return t


def shop_line(d: OrderDetails, key: KeyText) -> Text:
    """The shop order it was placed for: the sale as the shop made it, where the rate came
    from, and whether the shop has the tracking; or how to link it."""
    t = Text()
    sl = d.shop
    if sl is None:
        if d.shops:
            t.append(f"\nNot linked to a shop order ({key('link')} to link it)", style="italic")
        return t
    how = "linked by you" if sl.source is LinkSource.MANUAL else "linked automatically"
    t.append(f"\nShop order {safe(sl.name)} at {safe(sl.shop)} ({how}) · "
             f"{safe(sl.tracking)}")
    if sl.rate is not None and sl.rate != 1:
        t.append(f"\nCost in {sl.currency} at {sl.rate.normalize():f} ({safe(sl.rate_note)})",
                 style="dim")
    elif sl.cost is None:
        t.append(f"\nProfit unknown: {safe(sl.rate_note)}", style="bold")
    return t


def actions(d: OrderDetails, key: KeyText, offered: Callable[[str], bool]) -> Text:
    """What the merchant can do, each with its key; what only the supplier's page can do,
    with the page."""
    t = Text()
    t.append("What you can do\n", style="bold underline")
    returns = [(b, label) for b, action, label in RETURN_ACTIONS if offered(action)]
    if not d.actions and not returns:
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
            t.append(f" {key(ACTION_KEYS[a.action])} ", style="reverse")
            t.append(f" {a.action.label}\n")
        else:
            hand.append((a.action.label, a.url))
    o = d.order
    for binding_id, label in returns:
        t.append(f" {key(binding_id)} ", style="reverse")
        t.append(f" {label}\n")
    if o.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED) and not any(
            a.action is Action.CANCEL for a in d.actions):
        t.append(f"This order has shipped, so it can no longer be cancelled: open a dispute "
                 f"({key('dispute')}) or record a return instead.\n", style="italic")
    if hand:
        t.append(f"\n{safe(o.supplier)} has no API for these; do them on its page, then "
                 f"press {key('record')} to record what happened:\n")
        for label, url in hand:
            t.append(f"  • {label}")
            if url:
                t.append(": ")
                t.append_text(link(url))
            t.append("\n")
    if d.web_url:
        t.append(f"\nSupplier's page for this order ({key('open_page')}): ")
        t.append_text(link(d.web_url))
    return t


def customer(d: OrderDetails) -> Text:
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


def items(d: OrderDetails) -> Group:
    """The supplier's lines with what each cost; their price and profit too where the
    supplier order stands alone. A linked order's sale is its shop order's (discounts and
    its share of the shipping charged), so the total says it instead of each line."""
    o = d.order
    sold_alone = d.shop is None
    table = Table(box=None, pad_edge=False, show_edge=False, expand=False,
                  title="Items", title_justify="left", title_style="bold underline")
    table.add_column("Qty", justify="right")
    table.add_column("Product")
    table.add_column("SKU")
    table.add_column("Cost", justify="right")
    if sold_alone:
        table.add_column("Price", justify="right")
        table.add_column("Profit", justify="right")
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
        foot.append(f"Shipping paid to the supplier: {o.shipping_cost.display()}\n")
    cost = o.total_cost.display()
    if o.revenue is not None and o.cost_converted is not None \
            and o.cost_converted.currency != o.total_cost.currency:
        cost += f" ({o.cost_converted.display()})"
    profit = o.profit.display() if o.profit_known else "unknown"
    sold = f" (shop order {safe(d.shop.name)})" if d.shop is not None else ""
    foot.append(f"Total: customer paid {o.sale.display()}{sold}, supplier cost {cost}, "
                f"profit {profit}")
    return Group(table, foot)


def tracking(d: OrderDetails, now: datetime) -> Text:
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
    moved = o.tracking_events[-1].at if o.tracking_events else o.shipped_at
    if tracking_stalled(o.status, moved, now, d.stalled_days) and moved is not None:
        t.append(f"  No movement for {(now - moved).days} days.", style="bold")
    return t


def cancellation(d: OrderDetails, key: KeyText) -> Text:
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
            t.append(f" {key('answer')} ", style="reverse")
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


def dispute(d: OrderDetails, key: KeyText) -> Text:
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
    for m in x.messages[-MESSAGES_SHOWN:]:
        t.append(f"  {when(m.at)} {m.author}: ", style="dim")
        t.append(f"{safe(m.body, 300)}\n")
    if len(x.messages) > MESSAGES_SHOWN:
        t.append(f"  … {len(x.messages) - MESSAGES_SHOWN} earlier messages\n", style="dim")
    t.append(f" {key('thread')} ", style="reverse")
    t.append(" open the thread to reply, escalate or withdraw\n")
    return t


def returns(d: OrderDetails, key: KeyText) -> Text:
    t = Text()
    r = d.returns
    t.append("Supplier's return policy\n", style="bold underline")
    p = r.policy
    if p is None:
        t.append(f"{safe(r.policy_error)}\n", style="italic")
    else:
        if p.accepts_returns:
            t.append(f"{safe(d.order.supplier)} accepts returns within "
                     f"{p.return_window_days} days of delivery; return shipping paid by the "
                     f"{p.return_shipping.value}.\n")
        else:
            t.append(f"{safe(d.order.supplier)} accepts no returns: ", style="bold")
            t.append(f"accept them at your own address ({key('return_open')}), refunds come "
                     "through buyer protection.\n")
        t.append(f"Buyer protection: {p.protection_days} days after "
                 f"{p.protection_from.value}.")
        if p.text:
            t.append(f" {safe(p.text)}", style="italic")
        t.append("\n")
    if r.returns:
        t.append("\nReturns\n", style="bold underline")
        for ret in r.returns:
            listed = ", ".join(f"{i.quantity}× {safe(i.title or i.key)}" for i in ret.items)
            t.append(f"  {ret.state.label}", style="bold")
            t.append(f" — {listed} — {safe(ret.reason)}")
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
                     + (f" — {safe(c.note)}" if c.note else "") + "\n")
        for u in r.stock_used:
            t.append(f"  shipped {u.quantity}× {safe(u.sku)} from the returns stock\n")
        t.append(f"  Net: {r.money.net_formula()} = ")
        t.append(shown(r.money.net), style="bold")
        t.append("\n")
    return t


def pending(d: OrderDetails) -> Text:
    t = Text()
    if d.pending:
        t.append("Waiting to be sent\n", style="bold underline")
        for p in d.pending:
            t.append(f"  {p.action.label} — attempt {p.attempts}")
            if p.last_error:
                t.append(f", last error: {safe(p.last_error)}", style="italic")
            t.append(f"; next try {when(p.next_at)}\n")
    return t


def history(d: OrderDetails) -> Text:
    t = Text()
    if not d.audit:
        return t
    t.append("History\n", style="bold underline")
    for e in d.audit[-HISTORY_SHOWN:]:
        t.append(f"  {when(e.at)}  ", style="dim")
        what = e.what()
        t.append(f"{safe(e.who())}: {safe(what)}")
        if e.detail:
            t.append(f"{' — ' if what else ''}{safe_block(e.detail)[:300]}",
                     style="dim" if what else "")
        t.append("\n")
    return t
