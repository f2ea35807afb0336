"""The state machines: one explicit transition table each.

A table maps a state to the states it may move to. ``None`` stands for "no request yet" in
the cancellation and dispute machines. Anything not in a table raises a typed error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from ordertui.domain.errors import InvalidTransition
from ordertui.i18n import N_, _, current, pgettext


class OrderStatus(StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"
    PROCESSING = "processing"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    CLOSED = "closed"
    #: The supplier sent a status we do not know; shown as such, never guessed.
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        """The status as a title, in the language of the process: "Awaiting payment"."""
        return _(ORDER_LABELS[self.value])

    @property
    def english(self) -> str:
        """The label in English whatever the language (the CSV for scripts)."""
        return ORDER_LABELS[self.value]

    @property
    def words(self) -> str:
        """The status inside a sentence ("order #1042 is {words}"): "awaiting payment"."""
        return {"awaiting_payment": pgettext("order status in a sentence", "awaiting payment"),
                "processing": pgettext("order status in a sentence", "processing"),
                "shipped": pgettext("order status in a sentence", "shipped"),
                "delivered": pgettext("order status in a sentence", "delivered"),
                "cancelled": pgettext("order status in a sentence", "cancelled"),
                "closed": pgettext("order status in a sentence", "closed"),
                "unknown": pgettext("order status in a sentence", "unknown")}[self.value]


class CancellationState(StrEnum):
    REQUESTED = "requested"
    INFO_REQUESTED = "info_requested"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return _(CANCELLATION_LABELS[self.value])

    @property
    def english(self) -> str:
        return CANCELLATION_LABELS[self.value]

    @property
    def words(self) -> str:
        """The state inside a sentence ("a cancellation request ({words})"): "info
        requested"."""
        return {"requested": pgettext("cancellation state in a sentence", "requested"),
                "info_requested": pgettext("cancellation state in a sentence", "info requested"),
                "approved": pgettext("cancellation state in a sentence", "approved"),
                "rejected": pgettext("cancellation state in a sentence", "rejected")}[self.value]

    @property
    def active(self) -> bool:
        return self in (CancellationState.REQUESTED, CancellationState.INFO_REQUESTED)


class DisputeReason(StrEnum):
    NOT_AS_DESCRIBED = "not_as_described"
    NOT_RECEIVED = "not_received"
    BILLING = "billing"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _(REASON_LABELS[self.value])

    @property
    def english(self) -> str:
        return REASON_LABELS[self.value]


class DisputeState(StrEnum):
    OPEN = "open"
    AWAITING_SUPPLIER = "awaiting_supplier"
    AWAITING_MERCHANT = "awaiting_merchant"
    ESCALATED = "escalated"
    RESOLVED_REFUNDED = "resolved_refunded"
    RESOLVED_REJECTED = "resolved_rejected"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return _(DISPUTE_LABELS[self.value])

    @property
    def english(self) -> str:
        return DISPUTE_LABELS[self.value]

    @property
    def words(self) -> str:
        """The state inside a sentence ("an open dispute ({words})"): "awaiting
        supplier"."""
        return {"open": pgettext("dispute state in a sentence", "open"),
                "awaiting_supplier": pgettext("dispute state in a sentence", "awaiting supplier"),
                "awaiting_merchant": pgettext("dispute state in a sentence", "awaiting merchant"),
                "escalated": pgettext("dispute state in a sentence", "escalated"),
                "resolved_refunded": pgettext("dispute state in a sentence", "resolved refunded"),
                "resolved_rejected": pgettext("dispute state in a sentence", "resolved rejected"),
                "withdrawn": pgettext("dispute state in a sentence", "withdrawn")}[self.value]

    @property
    def terminal(self) -> bool:
        return self in TERMINAL_DISPUTE_STATES


#: the labels people read, in English (``label`` translates them)
ORDER_LABELS: dict[str, str] = {
    "awaiting_payment": N_("Awaiting payment"), "processing": N_("Processing"),
    "shipped": N_("Shipped"), "delivered": N_("Delivered"), "cancelled": N_("Cancelled"),
    "closed": N_("Closed"), "unknown": N_("Unknown")}
CANCELLATION_LABELS: dict[str, str] = {
    "requested": N_("Cancellation requested"), "info_requested": N_("Supplier asks for details"),
    "approved": N_("Cancellation approved"), "rejected": N_("Cancellation rejected")}
REASON_LABELS: dict[str, str] = {
    "not_as_described": N_("Not as described"), "not_received": N_("Not received"),
    "billing": N_("Billing problem"), "other": N_("Other")}
DISPUTE_LABELS: dict[str, str] = {
    "open": N_("Open"), "awaiting_supplier": N_("Awaiting supplier"),
    "awaiting_merchant": N_("Awaiting you"), "escalated": N_("Escalated"),
    "resolved_refunded": N_("Refunded"), "resolved_rejected": N_("Rejected"),
    "withdrawn": N_("Withdrawn")}


class Source(StrEnum):
    """Who established a fact: the supplier's API, or the merchant recording it by hand."""

    API = "api"
    MANUAL = "manual"
    LOCAL = "local"  # written here, not yet confirmed by the supplier


O, C, D = OrderStatus, CancellationState, DisputeState  # noqa: E741 - short names for the tables

ORDER_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    O.AWAITING_PAYMENT: frozenset({O.PROCESSING, O.CANCELLED}),
    O.PROCESSING: frozenset({O.SHIPPED, O.CANCELLED}),
    O.SHIPPED: frozenset({O.DELIVERED, O.CLOSED}),
    O.DELIVERED: frozenset({O.CLOSED}),
    O.CANCELLED: frozenset({O.CLOSED}),
    O.CLOSED: frozenset(),
    O.UNKNOWN: frozenset(),
}

#: Orders in these states can still be cancelled (the supplier has not shipped).
CANCELLABLE = frozenset({O.AWAITING_PAYMENT, O.PROCESSING})

CANCELLATION_TRANSITIONS: dict[CancellationState | None, frozenset[CancellationState]] = {
    None: frozenset({C.REQUESTED}),
    C.REQUESTED: frozenset({C.INFO_REQUESTED, C.APPROVED, C.REJECTED}),
    # the merchant answers (back to requested) or the supplier decides without the answer
    C.INFO_REQUESTED: frozenset({C.REQUESTED, C.APPROVED, C.REJECTED}),
    C.APPROVED: frozenset(),
    C.REJECTED: frozenset(),
}

#: A dispute can be opened on orders that were paid and not cancelled.
DISPUTABLE = frozenset({O.PROCESSING, O.SHIPPED, O.DELIVERED})

TERMINAL_DISPUTE_STATES = frozenset({D.RESOLVED_REFUNDED, D.RESOLVED_REJECTED, D.WITHDRAWN})
_ENDINGS = TERMINAL_DISPUTE_STATES

DISPUTE_TRANSITIONS: dict[DisputeState | None, frozenset[DisputeState]] = {
    None: frozenset({D.OPEN}),
    D.OPEN: frozenset({D.AWAITING_SUPPLIER, D.AWAITING_MERCHANT, D.ESCALATED}) | _ENDINGS,
    D.AWAITING_SUPPLIER: frozenset({D.AWAITING_MERCHANT, D.ESCALATED}) | _ENDINGS,
    D.AWAITING_MERCHANT: frozenset({D.AWAITING_SUPPLIER, D.ESCALATED}) | _ENDINGS,
    # the platform may ask the merchant for more evidence while it decides
    D.ESCALATED: frozenset({D.AWAITING_MERCHANT}) | _ENDINGS,
    D.RESOLVED_REFUNDED: frozenset(),
    D.RESOLVED_REJECTED: frozenset(),
    D.WITHDRAWN: frozenset(),
}

#: What the merchant may do to a dispute in each state.
DISPUTE_REPLY_STATES = frozenset({D.OPEN, D.AWAITING_SUPPLIER, D.AWAITING_MERCHANT, D.ESCALATED})
DISPUTE_ESCALATE_STATES = frozenset({D.AWAITING_MERCHANT, D.AWAITING_SUPPLIER})
DISPUTE_WITHDRAW_STATES = frozenset({D.OPEN, D.AWAITING_SUPPLIER, D.AWAITING_MERCHANT, D.ESCALATED})


def check_order(current: OrderStatus, target: OrderStatus) -> OrderStatus:
    if target not in ORDER_TRANSITIONS[current]:
        raise InvalidTransition("order", current, target)
    return target


def check_cancellation(current: CancellationState | None,
                       target: CancellationState) -> CancellationState:
    if target not in CANCELLATION_TRANSITIONS[current]:
        raise InvalidTransition("cancellation", current, target)
    return target


def check_dispute(current: DisputeState | None, target: DisputeState) -> DisputeState:
    if target not in DISPUTE_TRANSITIONS[current]:
        raise InvalidTransition("dispute", current, target)
    return target


def path_to(table: Mapping[Any, Iterable[Any]], current: object, target: object) -> list[Any]:
    """Shortest list of states leading from ``current`` to ``target`` along ``table``.

    Used when a merchant records by hand an outcome whose intermediate steps happened at the
    supplier unseen (e.g. "approved" with no request recorded yet). Empty when unreachable
    or already there (a route back to the present state would invent steps).
    """
    if current == target:
        return []
    frontier: list[list[Any]] = [[current]]
    seen = {current}
    while frontier:
        route = frontier.pop(0)
        for nxt in sorted(table.get(route[-1], ()), key=str):
            if nxt == target:
                return [*route[1:], nxt]
            if nxt not in seen:
                seen.add(nxt)
                frontier.append([*route, nxt])
    return []


def label(kind: type[OrderStatus] | type[CancellationState] | type[DisputeState]
          | type[DisputeReason], value: str | None) -> str:
    """The label of a state kept as its value ("none" for None; a value this version does
    not know is shown as it is)."""
    if value is None:
        return _("none")
    try:
        return kind(value).label
    except ValueError:
        return value


def words(kind: type[OrderStatus] | type[CancellationState] | type[DisputeState],
          value: str) -> str:
    """A state kept as its value, inside a sentence ("awaiting payment"); a value this
    version does not know in its own words."""
    try:
        return kind(value).words
    except ValueError:
        return value.replace("_", " ")


def in_sentence(label: str) -> str:
    """A label (a title: "Request cancellation") inside a sentence: lower case as English
    writes it; another language keeps its translation's capitals (German nouns)."""
    return label.lower() if current().english else label
