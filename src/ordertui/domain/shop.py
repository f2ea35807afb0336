"""The merchant's shop: its orders (what the customer bought and paid), how they link to
the supplier orders placed for them, and what a shop platform can do by API.

A shop order is the customer's side of a sale: its name (``#1042``), its lines with the
prices the customer paid after discounts, the shipping charged, taxes, refunds, and its
financial and fulfillment status as the shop keeps them. A supplier order is linked to the
shop order it was placed for (usually one supplier order per shop order; several when its
lines come from different suppliers), and each of its lines to the shop line it fulfils.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from ordertui.domain.models import Customer
from ordertui.domain.money import Money
from ordertui.i18n import N_, _


class ShopCapability(StrEnum):
    LIST_ORDERS = "list_orders"  # orders changed since a point, paged
    GET_ORDER = "get_order"
    BULK_IMPORT = "bulk_import"  # the first import of a large shop in one bulk job
    FULFILL = "fulfill"  # mark lines fulfilled with tracking (the customer is told)
    UPDATE_TRACKING = "update_tracking"  # change the tracking of a fulfillment
    REFUND = "refund"  # refund the customer through the shop's payment


class ShopActionKind(StrEnum):
    """What goes back to the shop, through the outbox like a supplier action."""

    FULFILL = "shop_fulfill"  # the supplier shipped: the shop order's lines, with tracking
    TRACKING = "shop_tracking"  # the tracking number changed: the fulfillment's, updated
    REFUND = "shop_refund"  # the merchant refunded the customer

    @property
    def label(self) -> str:
        return _(SHOP_ACTION_LABELS[self.value])

    @property
    def english(self) -> str:
        return SHOP_ACTION_LABELS[self.value]


class FinancialStatus(StrEnum):
    """What the customer paid, as the shop keeps it (Shopify's words)."""

    PENDING = "pending"
    AUTHORIZED = "authorized"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    VOIDED = "voided"
    EXPIRED = "expired"
    UNKNOWN = "unknown"  # a word this version does not know

    @property
    def label(self) -> str:
        return _(FINANCIAL_LABELS[self.value])

    @property
    def english(self) -> str:
        return FINANCIAL_LABELS[self.value]


class FulfillmentStatus(StrEnum):
    """What has been sent to the customer, as the shop keeps it."""

    UNFULFILLED = "unfulfilled"
    PARTIALLY_FULFILLED = "partially_fulfilled"
    FULFILLED = "fulfilled"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    SCHEDULED = "scheduled"
    RESTOCKED = "restocked"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return _(FULFILLMENT_LABELS[self.value])

    @property
    def english(self) -> str:
        return FULFILLMENT_LABELS[self.value]


#: the labels people read, in English (``label`` translates them)
SHOP_ACTION_LABELS: dict[str, str] = {
    "shop_fulfill": N_("Send tracking to the shop"),
    "shop_tracking": N_("Update the tracking at the shop"),
    "shop_refund": N_("Refund through the shop")}
FINANCIAL_LABELS: dict[str, str] = {
    "pending": N_("Pending"), "authorized": N_("Authorized"),
    "partially_paid": N_("Partially paid"), "paid": N_("Paid"),
    "partially_refunded": N_("Partially refunded"), "refunded": N_("Refunded"),
    "voided": N_("Voided"), "expired": N_("Expired"), "unknown": N_("Unknown")}
FULFILLMENT_LABELS: dict[str, str] = {
    "unfulfilled": N_("Unfulfilled"), "partially_fulfilled": N_("Partially fulfilled"),
    "fulfilled": N_("Fulfilled"), "in_progress": N_("In progress"), "on_hold": N_("On hold"),
    "scheduled": N_("Scheduled"), "restocked": N_("Restocked"), "unknown": N_("Unknown")}


#: a shop order in these states has been paid for (some of it may be refunded since)
PAID_STATES = frozenset({FinancialStatus.PAID, FinancialStatus.PARTIALLY_PAID,
                         FinancialStatus.PARTIALLY_REFUNDED})
#: a shop order in these states still waits for (some of) its goods to be sent
OPEN_FULFILLMENT = frozenset({FulfillmentStatus.UNFULFILLED,
                              FulfillmentStatus.PARTIALLY_FULFILLED,
                              FulfillmentStatus.IN_PROGRESS, FulfillmentStatus.SCHEDULED})


@dataclass(slots=True)
class ShopLine:
    line_id: str  # the shop's id of the line (Shopify: gid://shopify/LineItem/…)
    title: str
    quantity: int  # as ordered, less what was removed or refunded before sending
    unit_price: Money  # what the customer paid per unit, after discounts
    total: Money  # unit price × quantity, after discounts
    sku: str = ""
    variant: str = ""
    product_id: str = ""


@dataclass(slots=True)
class ShopFulfillment:
    """Goods sent for some lines, with the tracking the customer was given."""

    fulfillment_id: str
    status: str  # the shop's word ("success", "cancelled", …)
    company: str = ""
    number: str = ""
    url: str = ""
    #: (shop line id, quantity) of what this fulfillment sent
    lines: tuple[tuple[str, int], ...] = ()
    created_at: datetime | None = None


@dataclass(slots=True)
class ShopRefund:
    refund_id: str
    at: datetime
    amount: Money
    note: str = ""


@dataclass(slots=True)
class ShopOrder:
    shop: str  # the configured shop's name ([shops.NAME])
    shop_order_id: str  # the shop's own id (Shopify: gid://shopify/Order/…)
    name: str  # how the merchant and the customer call it: "#1042"
    created_at: datetime
    updated_at: datetime
    currency: str  # the shop's currency: every amount below is in it
    financial_status: FinancialStatus
    fulfillment_status: FulfillmentStatus
    lines: list[ShopLine]
    shipping: Money  # shipping charged to the customer, after discounts
    taxes: Money
    total: Money  # what the customer pays now (after edits and before refunds)
    refunded: Money
    customer: Customer
    discounts: Money | None = None
    #: the line prices and shipping include the taxes (EU shops): revenue leaves them out
    taxes_included: bool = False
    cancelled_at: datetime | None = None
    closed: bool = False
    test: bool = False  # an order placed by the shop's test gateway
    fulfillments: list[ShopFulfillment] = field(default_factory=list)
    refunds: list[ShopRefund] = field(default_factory=list)
    url: str = ""  # the order in the shop's admin
    id: int | None = None  # local id in the store

    @property
    def paid(self) -> bool:
        return self.financial_status in PAID_STATES

    @property
    def waiting(self) -> bool:
        """Paid, not cancelled, and some of it still to send: someone must order it."""
        return (self.paid and self.cancelled_at is None
                and self.fulfillment_status in OPEN_FULFILLMENT)

    def line(self, line_id: str) -> ShopLine | None:
        return next((x for x in self.lines if x.line_id == line_id), None)


@dataclass(frozen=True, slots=True)
class ShopRef:
    """Which shop order a supplier order was placed for, as listings name it."""

    shop: str
    shop_order_id: str
    name: str


@dataclass(frozen=True, slots=True)
class ShopQuery:
    """Which shop orders to list: ``waiting`` — paid, not sent, no supplier order linked
    ("To order"), oldest first; else every shop order (``unlinked``: those no supplier order
    is linked to), newest first."""

    shop: str | None = None
    waiting: bool = False
    unlinked: bool = False


class LinkSource(StrEnum):
    AUTO = "auto"  # the supplier carries the shop order's reference (CJ's orderNum)
    MANUAL = "manual"  # the merchant confirmed it (a suggestion, or by name)


@dataclass(frozen=True, slots=True)
class ShopLink:
    """A supplier order's shop order, and what the shop says it sold."""

    shop: str
    shop_order_id: str
    name: str
    source: LinkSource
    currency: str  # the shop's
    #: the sale value of this supplier order's lines after discounts, plus its share of the
    #: shipping charged; taxes are the state's, not the merchant's
    revenue: Money
    #: what the supplier charged, in the shop's currency at the rate of the order's day;
    #: None when no rate is known (profit is then unknown, never guessed)
    cost: Money | None
    rate: Decimal | None = None  # shop currency per supplier currency unit, when converted
    rate_note: str = ""  # where the rate came from, or why there is none
    #: whether the shop has this order's tracking, in words ("the shop has it", "on its way
    #: to the shop", …)
    tracking: str = ""
    url: str = ""  # the shop order in the shop's admin


@dataclass(frozen=True, slots=True)
class LinkSuggestion:
    """A shop order that may be the one a supplier order was placed for, with why."""

    order_id: int
    shop_order: int  # its local id
    name: str
    score: float  # 0..1: how many of the signs agree
    reasons: tuple[str, ...]  # "same name and postcode", "SKUs in common", …
