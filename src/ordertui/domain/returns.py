"""Returns, refunds, money recovered from suppliers, and the returns stock.

A return follows its own state machine (one table, below). It is either sent to the
supplier, when the supplier takes returns, or accepted at the merchant's own address, which
is the usual case: most suppliers take none. A resellable item goes to the returns stock,
from which a later order of the same product can be shipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from ordertui.domain.errors import InvalidTransition, OrdertuiError, ValidationError
from ordertui.domain.models import LineItem, Order, StateChange
from ordertui.domain.money import Money
from ordertui.domain.states import OrderStatus
from ordertui.i18n import N_, _


class ReturnState(StrEnum):
    REQUESTED = "requested"  # the customer asked; nothing sent yet
    IN_TRANSIT = "in_transit"  # the customer sent it (tracking number, if any)
    RECEIVED = "received"  # it arrived, or the customer handed it over
    RESTOCKED = "restocked"  # resellable: it is in the returns stock
    DISPOSED = "disposed"  # not resellable
    CANCELLED = "cancelled"  # the customer kept it after all; its quantities are free again

    @property
    def label(self) -> str:
        return _(RETURN_LABELS[self.value])

    @property
    def english(self) -> str:
        return RETURN_LABELS[self.value]

    @property
    def terminal(self) -> bool:
        return not RETURN_TRANSITIONS[self]


#: the labels people read, in English (``label`` translates them)
RETURN_LABELS: dict[str, str] = {
    "requested": N_("Requested"), "in_transit": N_("In transit"), "received": N_("Received"),
    "restocked": N_("Restocked"), "disposed": N_("Disposed"), "cancelled": N_("Cancelled")}


class ReturnDestination(StrEnum):
    """Where the customer sends the item."""

    MERCHANT = "merchant"  # the merchant's own address from ``[returns]``
    SUPPLIER = "supplier"  # the supplier's, when its policy accepts returns


R = ReturnState

RETURN_TRANSITIONS: dict[ReturnState | None, frozenset[ReturnState]] = {
    None: frozenset({R.REQUESTED}),
    R.REQUESTED: frozenset({R.IN_TRANSIT, R.RECEIVED, R.CANCELLED}),  # handed over in person
    R.IN_TRANSIT: frozenset({R.RECEIVED, R.CANCELLED}),  # lost or sent back by the carrier
    R.RECEIVED: frozenset({R.RESTOCKED, R.DISPOSED}),
    R.RESTOCKED: frozenset(),
    R.DISPOSED: frozenset(),
    R.CANCELLED: frozenset(),
}

#: Returns in these states hold their quantities against what the order bought.
HOLDING_STATES = frozenset(s for s in ReturnState if s is not R.CANCELLED)


class ReturnTransitionError(InvalidTransition):
    def __init__(self, current: ReturnState | None, target: ReturnState) -> None:
        options = sorted(s.value for s in RETURN_TRANSITIONS[current])
        cur = current.value if current else _("none")
        message = (_("a return cannot go from {current} to {target}; from {current} it can go "
                     "to {options}") if options else
                   _("a return cannot go from {current} to {target}; a {current} return is "
                     "finished"))
        super().__init__("return", current, target, message.format(
            current=cur, target=target.value, options=", ".join(options)))


def check_return(current: ReturnState | None, target: ReturnState) -> ReturnState:
    if target not in RETURN_TRANSITIONS[current]:
        raise ReturnTransitionError(current, target)
    return target


class ReturnsNotAccepted(ValidationError):
    """The supplier takes no returns and no address of the merchant's own is configured."""

    def __init__(self, supplier: str, message: str) -> None:
        super().__init__("destination", message)
        self.supplier = supplier


class ReturnNotFound(OrdertuiError):
    exit_code = 2

    def __init__(self, ref: str, hint: str = "") -> None:
        super().__init__(_("no return {ref}; {hint}").format(ref=ref, hint=hint) if hint
                         else _("no return {ref}").format(ref=ref))


def item_key(line: LineItem, index: int) -> str:
    """How a person names a line of an order: its SKU, or ``#2`` for a line without one."""
    return line.sku or f"#{index + 1}"


@dataclass(slots=True)
class ReturnItem:
    key: str  # the SKU, or "#N" for the order's N-th line when it has no SKU
    quantity: int
    title: str = ""
    variant: str = ""
    sku: str = ""
    product_id: str = ""


@dataclass(slots=True)
class Return:
    order_id: int
    state: ReturnState
    items: list[ReturnItem]
    reason: str
    destination: ReturnDestination
    opened_at: datetime
    updated_at: datetime
    address: str = ""  # where it goes, as written in the config when it was opened
    tracking_number: str = ""  # the customer's, if any
    condition: str = ""  # what the merchant found when it arrived
    history: list[StateChange] = field(default_factory=list)
    order_name: str = ""
    id: int | None = None

    @property
    def quantity(self) -> int:
        return sum(i.quantity for i in self.items)

    @property
    def items_summary(self) -> str:
        return ", ".join(f"{i.quantity}× {i.title or i.key}" for i in self.items)


@dataclass(slots=True)
class Refund:
    """Money the merchant gave back to the customer."""

    order_id: int
    amount: Money
    reason: str
    item_returned: bool  # whether the item comes back (a return) or the customer keeps it
    at: datetime
    return_id: int | None = None
    id: int | None = None
    #: the shop's id of it: made through the shop, or in the shop's admin and read back
    shop_refund_id: str = ""


class RecoverySource(StrEnum):
    DISPUTE = "dispute"  # a dispute the supplier resolved with a refund
    MANUAL = "manual"  # recorded by hand (a refund agreed by mail, a chargeback ...)


@dataclass(slots=True)
class Recovery:
    """Money the merchant got back from the supplier."""

    order_id: int
    amount: Money
    source: RecoverySource
    at: datetime
    note: str = ""
    dispute_id: int | None = None
    id: int | None = None


@dataclass(slots=True)
class StockItem:
    """One lot of resellable returned goods: what one return put back on the shelf."""

    sku: str
    title: str
    variant: str
    quantity: int  # how many are left
    restocked: int  # how many the return put in
    condition: str
    from_order_id: int | None
    from_order_name: str
    return_id: int | None
    restocked_at: datetime
    product_id: str = ""
    unit_cost: Money | None = None  # what the supplier charged for it originally
    id: int | None = None


@dataclass(slots=True)
class StockUse:
    """Items taken from the returns stock to ship an order."""

    stock_id: int
    order_id: int
    quantity: int
    at: datetime
    sku: str = ""
    from_order_id: int | None = None
    id: int | None = None


def shown(amount: Money | None) -> str:
    """An amount as people read it, or "unknown" where no exchange rate gave one."""
    return amount.display() if amount is not None else _("unknown")


@dataclass(slots=True, frozen=True)
class OrderMoney:
    """An order's money for the merchant: what moved, and what is still to move.

    What counts (``sale_price``, ``supplier_cost``, ``counted_refunds``,
    ``counted_recoveries`` and their ``net``) is what actually moved. A cancelled order
    counts for nothing: its sale is void and the supplier's charge comes back, so its
    refunds and recoveries only settle those and count for nothing either; what the
    customer is still owed is ``owed_to_customer``. The table, the details, the exports
    and their totals all count this way (``ordertui.domain.models.counted``).

    The sale is in the currency the customer paid (the shop's, for an order linked to its
    shop order), the supplier's charge and what came back from it in the supplier's. What
    counts is in the sale's currency: the cost converted at the rate of the order's day
    (``converted_cost``); without a rate the cost, the recoveries and the net are unknown
    (None), never a wrong number.
    """

    paid: Money  # what the customer paid
    cost: Money  # what the supplier charged (the supplier's currency)
    refunded: Money  # given back to the customer (the sale's currency)
    recovered: Money  # got back from the supplier (disputes and by hand; its currency)
    cancelled: bool = False
    #: it turned cancelled while ordertui knew it and the customer is not refunded in full
    #: (orders first seen cancelled were settled before)
    refund_due: bool = False
    #: the supplier's charge in the sale's currency, where the two differ (None: no rate)
    converted_cost: Money | None = None

    @classmethod
    def of(cls, order: Order, refunded: Money | None = None,
           recovered: Money | None = None) -> OrderMoney:
        """The money of ``order`` with the sums given back to the customer and got back
        from the supplier (none when not given); a linked order's sale is its shop's."""
        paid = order.sold
        return cls(paid=paid, cost=order.total_cost,
                   refunded=refunded or Money.zero(paid.currency),
                   recovered=recovered or Money.zero(order.total_cost.currency),
                   cancelled=order.status is OrderStatus.CANCELLED,
                   refund_due=order.refund_due,
                   converted_cost=order.cost_converted if order.revenue is not None else None)

    def _counted(self, amount: Money) -> Money:
        return Money.zero(amount.currency) if self.cancelled else amount

    @property
    def rate(self) -> Decimal | None:
        """Units of the sale's currency per unit of the supplier's (None: unknown)."""
        if self.cost.currency == self.paid.currency:
            return Decimal(1)
        if self.converted_cost is not None and self.cost.amount:
            return self.converted_cost.amount / self.cost.amount
        return None

    def in_sale_currency(self, amount: Money) -> Money | None:
        """A supplier amount in the sale's currency, at the order's rate."""
        if amount.currency == self.paid.currency:
            return amount
        if not amount.amount:
            return Money.zero(self.paid.currency)
        rate = self.rate
        return Money(amount.amount * rate, self.paid.currency).quantized() if rate else None

    @property
    def known(self) -> bool:
        """Whether the cost is known in the sale's currency (else there is no net)."""
        return self.cancelled or self.in_sale_currency(self.cost) is not None

    @property
    def sale_price(self) -> Money:
        return self._counted(self.paid)

    @property
    def supplier_cost(self) -> Money | None:
        cost = self.in_sale_currency(self.cost)
        return Money.zero(self.paid.currency) if self.cancelled else cost

    @property
    def counted_refunds(self) -> Money:
        return self._counted(self.refunded)

    @property
    def counted_recoveries(self) -> Money | None:
        recovered = self.in_sale_currency(self.recovered)
        return Money.zero(self.paid.currency) if self.cancelled else recovered

    @property
    def profit(self) -> Money | None:
        """Sale − cost, as counted (None: no rate)."""
        cost = self.supplier_cost
        return self.sale_price - cost if cost is not None else None

    @property
    def net(self) -> Money | None:
        """Sale − cost − refunds + recovered, as counted (None: no rate)."""
        cost, recovered = self.supplier_cost, self.counted_recoveries
        if cost is None or recovered is None:
            return None
        return self.sale_price - cost - self.counted_refunds + recovered

    def net_formula(self) -> str:
        """How ``net`` is made, in words: ``sale $X − cost $Y − refunds $Z + recovered $W``."""
        if self.cancelled:
            return _("cancelled, so its sale, cost, refunds and recoveries count for nothing")
        cost, recovered = self.supplier_cost, self.counted_recoveries
        unknown = _("unknown (no {source}→{target} rate)").format(
            source=self.cost.currency, target=self.paid.currency)
        return _("sale {sale} − cost {cost} − refunds {refunds} + recovered {recovered}").format(
            sale=self.sale_price.display(),
            cost=cost.display() if cost is not None else unknown,
            refunds=self.counted_refunds.display(),
            recovered=recovered.display() if recovered is not None else unknown)

    @property
    def refundable(self) -> Money:
        """How much more may still be refunded to the customer."""
        return self.paid - self.refunded

    @property
    def owed_to_customer(self) -> Money:
        """What a cancelled order still has to give back to the customer."""
        due = self.cancelled and self.refund_due
        return self.refundable if due else Money.zero(self.paid.currency)

    @property
    def recoverable(self) -> Money:
        """How much more the supplier could still give back, in its currency (nothing once
        it cancelled: a cancellation gives the charge back)."""
        return self._counted(self.cost - self.recovered)
