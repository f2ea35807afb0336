"""The things a merchant deals with: orders, their items, customers, tracking, cancellations,
disputes. Plain data; the rules live in ``states`` and ``rules``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from ordertui.domain.capabilities import Action
from ordertui.domain.money import Money
from ordertui.domain.states import (
    CancellationState,
    DisputeReason,
    DisputeState,
    OrderStatus,
    Source,
    in_sentence,
)
from ordertui.i18n import N_, _, current, ngettext


@dataclass(slots=True)
class Address:
    line1: str = ""
    line2: str = ""
    city: str = ""
    province: str = ""
    zip: str = ""
    country: str = ""  # ISO 3166-1 alpha-2

    def lines(self) -> list[str]:
        city = " ".join(p for p in (self.zip, self.city) if p)
        if self.province:
            city = f"{city}, {self.province}" if city else self.province
        return [p for p in (self.line1, self.line2, city, self.country) if p]


@dataclass(slots=True)
class Customer:
    name: str = ""
    email: str = ""
    phone: str = ""
    address: Address = field(default_factory=Address)


@dataclass(slots=True)
class LineItem:
    title: str
    quantity: int
    unit_cost: Money  # what the merchant pays the supplier per unit
    unit_price: Money  # what the customer paid the merchant per unit
    variant: str = ""
    sku: str = ""
    product_id: str = ""
    line_id: str = ""  # the supplier's id for this line, where it has one
    #: the shop's id of the line this one fulfils, where the supplier carries it (CJ's
    #: storeLineItemId): the link from a supplier line to the shop line is then certain
    shop_line_id: str = ""

    @property
    def total_cost(self) -> Money:
        return self.unit_cost * self.quantity

    @property
    def total_price(self) -> Money:
        return self.unit_price * self.quantity


@dataclass(slots=True)
class TrackingEvent:
    at: datetime
    description: str
    location: str = ""
    status: str = ""  # the carrier's own word for it, when given


@dataclass(slots=True)
class StateChange:
    """One step in the history of a cancellation request or a dispute."""

    at: datetime
    state: str
    note: str = ""
    source: Source = Source.API


@dataclass(slots=True)
class CancellationRequest:
    state: CancellationState
    reason: str
    requested_at: datetime
    updated_at: datetime
    source: Source = Source.API
    supplier_message: str = ""  # the supplier's latest words (question, rejection reason)
    history: list[StateChange] = field(default_factory=list)
    client_key: str = ""  # our idempotency key, where the supplier echoes it
    id: int | None = None


@dataclass(slots=True)
class DisputeMessage:
    at: datetime
    author: str  # "merchant", "supplier" or "platform"
    body: str
    client_key: str = ""  # our idempotency key for a reply, where the supplier echoes it
    source: Source = Source.API


@dataclass(slots=True)
class Evidence:
    path: str
    name: str
    size: int


@dataclass(slots=True)
class Dispute:
    state: DisputeState
    reason: DisputeReason
    amount: Money  # what the merchant asks back; never above the order's total cost
    description: str
    opened_at: datetime
    updated_at: datetime
    supplier_dispute_id: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    messages: list[DisputeMessage] = field(default_factory=list)
    offer: Money | None = None  # a partial refund the supplier offered
    refunded: Money | None = None  # what the supplier finally refunded
    source: Source = Source.API
    history: list[StateChange] = field(default_factory=list)
    client_key: str = ""
    id: int | None = None

    @property
    def last_message(self) -> DisputeMessage | None:
        return self.messages[-1] if self.messages else None


class Counted:
    """Sale, cost and profit as they count, for an order and a row of the table alike: a
    linked order's are its shop's (revenue, and the supplier's cost in the shop's currency),
    and a cancelled order's are nothing (``counted``)."""

    __slots__ = ()
    status: OrderStatus
    total_price: Money
    total_cost: Money
    revenue: Money | None
    cost_converted: Money | None

    @property
    def sold(self) -> Money:
        """What the customer paid for it: its shop order's sale for a linked order."""
        return self.revenue if self.revenue is not None else self.total_price

    @property
    def sale(self) -> Money:
        """What the customer's payment counts for: nothing once the order is cancelled."""
        return counted(self.status, self.sold)

    @property
    def profit_known(self) -> bool:
        """False for a linked order whose cost has no exchange rate to the shop's currency."""
        return self.revenue is None or self.cost_converted is not None \
            or self.status is OrderStatus.CANCELLED

    @property
    def cost(self) -> Money:
        """What the supplier's charge counts for: nothing once the order is cancelled; in the
        shop's currency for a linked order (0 while no rate is known: see profit_known)."""
        if self.revenue is None:
            return counted(self.status, self.total_cost)
        if self.cost_converted is None:
            return Money.zero(self.revenue.currency)
        return counted(self.status, self.cost_converted)

    @property
    def profit(self) -> Money:
        return self.sale - self.cost


@dataclass(slots=True)
class Order(Counted):
    supplier: str
    supplier_order_id: str
    name: str  # the shop's order name the customer knows, e.g. "#1042"
    status: OrderStatus
    created_at: datetime
    updated_at: datetime
    currency: str
    items: list[LineItem]
    customer: Customer
    total_price: Money  # what the customer paid the shop
    total_cost: Money  # what the shop paid the supplier (items and shipping)
    shipping_cost: Money | None = None
    supplier_status: str = ""  # the supplier's own status word, kept for "unknown"
    paid_at: datetime | None = None
    payment: str = ""  # how the supplier was paid, in the supplier's words
    carrier: str = ""
    tracking_number: str = ""
    tracking_url: str = ""
    tracking_events: list[TrackingEvent] = field(default_factory=list)
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    cancellation: CancellationRequest | None = None
    dispute: Dispute | None = None
    supplier_url: str = ""  # the supplier's own page for this order
    id: int | None = None  # local id in the store
    #: kept by the store: it turned cancelled while ordertui knew it and its customer is
    #: not refunded in full yet
    refund_due: bool = False
    #: kept by the store for an order linked to its shop order: what the shop sold it for
    #: (the shop's currency) and the supplier's cost converted to it (None: no rate)
    revenue: Money | None = None
    cost_converted: Money | None = None

    @property
    def display_name(self) -> str:
        return self.name or self.supplier_order_id

    @property
    def items_summary(self) -> str:
        return items_summary(self.items)

    @property
    def quantity(self) -> int:
        return sum(i.quantity for i in self.items)


def items_summary(items: list[LineItem]) -> str:
    """'2× Desk lamp', or '2× Desk lamp +3 more' for several lines: kept in the store (the
    table sorts on it) as English writes it; :func:`items_shown` says it in the language."""
    if not items:
        return ""
    first = items[0]
    text = f"{first.quantity}× {first.title}"
    if len(items) > 1:
        text += f" +{len(items) - 1} more"
    return text


_MORE = re.compile(r" \+(\d+) more$")


def items_shown(summary: str) -> str:
    """A kept :func:`items_summary` in the language of the process ('+3 weitere')."""
    found = _MORE.search(summary)
    if found is None or current().english:
        return summary
    n = int(found.group(1))
    more = ngettext("+{n} more", "+{n} more", n).format(n=n)
    return f"{summary[:found.start()]} {more}"


def money_sum(values: list[Money], currency: str) -> Money:
    total = Money(Decimal(0), currency)
    for v in values:
        total = total + v
    return total


@dataclass(slots=True)
class OrderSummary(Counted):
    """One row of the orders table: what the list shows, nothing more."""

    id: int
    name: str
    supplier: str
    supplier_order_id: str
    status: OrderStatus
    created_at: datetime
    customer_name: str
    country: str
    items_summary: str
    total_price: Money
    total_cost: Money
    carrier: str
    tracking_number: str
    cancellation_state: CancellationState | None
    dispute_state: DisputeState | None
    key: tuple[object, ...] = ()  # position in the current sort, for paging
    #: when its buyer protection ends (read for the protection view only)
    protection_ends: datetime | None = None
    #: a cancelled order that still owes its customer a refund
    refund_due: bool = False
    #: when its tracking last moved (or it shipped, before any tracking event)
    moved_at: datetime | None = None
    #: a linked order's money as its shop sold it (see ``Order``)
    revenue: Money | None = None
    cost_converted: Money | None = None

    @property
    def display_name(self) -> str:
        return self.name or self.supplier_order_id


def counted(status: OrderStatus, amount: Money) -> Money:
    """What an order's amount counts for in revenue, cost and profit: what actually moved.
    A cancelled order's sale is void (the customer's money goes back to them) and the
    supplier's charge comes back, so both count for nothing; what the customer is still owed
    is told apart (``OrderMoney.owed_to_customer``)."""
    return Money.zero(amount.currency) if status is OrderStatus.CANCELLED else amount


@dataclass(slots=True)
class AuditEntry:
    at: datetime
    actor: str  # "merchant", "supplier:<name>", "sync", "outbox"
    action: str
    detail: str
    order_id: int | None = None
    id: int | None = None
    login: str = ""  # the user name of the login that did it ("" before ordertui recorded it)
    db_user: str = ""  # the database user it worked as (a shared PostgreSQL store)

    def who(self, me: str = "") -> str:
        """Who did it, as the merchant reads it: you, ordertui, or the supplier by name; in
        a team, another person by the name of their login (``me``: the reader's)."""
        if self.actor == "merchant" and self.login and me and self.login != me:
            return self.login
        if self.actor.startswith(("supplier:", "shop:")):
            return self.actor.split(":", 1)[1]
        if self.actor in ("outbox", "sync"):
            return "ordertui"
        return _(AUDIT_ACTORS[self.actor]) if self.actor in AUDIT_ACTORS else self.actor

    def what(self) -> str:
        """What happened, in words: an action's name becomes what it is ("answer to the
        supplier sent" for ``answer_cancel_info sent``); "" when the detail says it all (the
        merchant's own action: "requested cancellation: …")."""
        head, _sep, tail = self.action.partition(" ")
        if head in SHOP_NOUNS:
            return _on_its_way(_(SHOP_NOUNS[head]), tail)
        try:
            action = Action(head)
        except ValueError:
            return _audit_words(self.action)
        if tail:
            return _on_its_way(_(ACTION_NOUNS[action]), tail)
        return "" if self.detail else in_sentence(action.label)


def _on_its_way(noun: str, tail: str) -> str:
    """What happened to an action sent to a supplier or a shop ("cancellation request
    sent"); a word this version does not know is kept as it is."""
    if not tail:
        return noun
    template = OUTCOMES.get(tail)
    return _(template).format(what=noun) if template else f"{noun} {tail}"


def _audit_words(action: str) -> str:
    """An audit action that names no supplier action ("status", "return 12"), in words."""
    known = AUDIT_WORDS.get(action)
    if known is not None:
        return _(known)
    head, _sep, tail = action.partition(" ")
    if head == "return" and tail.isdigit():
        return _("return {id}").format(id=tail)
    return action


#: who did it, besides ordertui itself (outbox, sync) and a supplier or shop by name
AUDIT_ACTORS = {"merchant": N_("you")}
#: what each action sent to a supplier is called once it is on its way
ACTION_NOUNS: dict[Action, str] = {
    Action.CANCEL: N_("cancellation request"),
    Action.ANSWER_CANCEL_INFO: N_("answer to the supplier"),
    Action.DISPUTE_OPEN: N_("dispute"), Action.DISPUTE_REPLY: N_("reply in the dispute"),
    Action.DISPUTE_ESCALATE: N_("escalation of the dispute"),
    Action.DISPUTE_WITHDRAW: N_("withdrawal of the dispute"),
    Action.DISPUTE_ACCEPT_OFFER: N_("acceptance of the supplier's offer"),
}
#: the same for what goes back to the shop (``ShopActionKind``'s values)
SHOP_NOUNS = {"shop_fulfill": N_("tracking to the shop"),
              "shop_tracking": N_("new tracking to the shop"),
              "shop_refund": N_("refund through the shop")}
#: what became of an action on its way, as the audit keeps it after the action's name
OUTCOMES = {"sent": N_("{what} sent"), "confirmed": N_("{what} confirmed"),
            "refused": N_("{what} refused"), "dropped": N_("{what} dropped"),
            "failed": N_("{what} failed")}
#: the audit's other actions (the store keeps these words; they are shown translated)
AUDIT_WORDS = {
    "status": N_("status"), "cancellation": N_("cancellation"), "dispute": N_("dispute"),
    "dispute message": N_("dispute message"), "refund": N_("refund"),
    "recovered": N_("recovered"), "linked": N_("linked"), "unlinked": N_("unlinked"),
    "return opened": N_("return opened"), "record cancellation": N_("record cancellation"),
    "record dispute": N_("record dispute"), "shipped from stock": N_("shipped from stock"),
    "stock used": N_("stock used"), "forget supplier orders": N_("forget supplier orders")}


@dataclass(slots=True)
class SyncEvent:
    """Something the supplier decided, found while syncing or sending: worth telling."""

    order_id: int
    order_name: str
    kind: str  # "cancellation", "dispute", "status"
    old: str | None
    new: str
    message: str = ""
    id: int | None = None  # its number in the store's news, once kept there

    def describe(self) -> str:
        if self.kind in ("sent", "refused", "failed"):
            return f"{self.order_name}: {self.new}" + (f" — {self.message}" if self.message
                                                       else "")
        text = f"{self.order_name}: {state_words(self.kind, self.new)}"
        return f"{text} — {self.message}" if self.message else text


#: how the news says each new state, by kind of news ("" is the fallback's subject)
NEWS_WORDS: dict[str, dict[str, str]] = {
    "cancellation": {
        "": N_("cancellation"), "requested": N_("cancellation requested"),
        "info_requested": N_("the supplier asks for details about the cancellation"),
        "approved": N_("cancellation approved"), "rejected": N_("cancellation rejected")},
    "dispute": {
        "": N_("dispute"), "open": N_("dispute opened"),
        "awaiting_supplier": N_("dispute waits on the supplier"),
        "awaiting_merchant": N_("dispute waits on you"), "escalated": N_("dispute escalated"),
        "resolved_refunded": N_("dispute resolved with a refund"),
        "resolved_rejected": N_("dispute rejected"), "withdrawn": N_("dispute withdrawn")},
    "status": {
        "": N_("order"), "awaiting_payment": N_("order awaiting payment"),
        "processing": N_("order processing"), "shipped": N_("order shipped"),
        "delivered": N_("order delivered"), "cancelled": N_("order cancelled"),
        "closed": N_("order closed")},
}


def state_words(kind: str, state: str) -> str:
    """How a person is told that a cancellation, a dispute or an order (``kind``: its news
    kind; "status" for an order) is now in ``state``: "dispute resolved with a refund"."""
    words = NEWS_WORDS.get(kind, NEWS_WORDS["status"])
    known = words.get(state)
    if known:
        return _(known)
    # a state this version does not know: its subject and the value as the supplier says it
    return f"{_(words[''])} {state.replace('_', ' ')}"
