"""The demo shop's orders: the customer's side of the demo supplier's orders, each a pure
function of ``(seed, index)`` like the supplier's own (``generator``).

Shop order ``i`` is the order the demo supplier's order ``i`` was placed for: the same name
(``#1042``), customer and address, and the supplier order's items as the shop's lines, with
what the customer paid. Beyond the supplier's orders come a few recent ones that no supplier
order covers yet (``waiting_count``): paid, unfulfilled, someone must order them.

Money, as a shop in US dollars selling to these countries would charge it:

- a discount code on about one order in seven (10 % or 20 % off every line);
- shipping free from ``FREE_SHIPPING_FROM`` of goods (after discounts), else ``STANDARD``;
- taxes: VAT included in the price for the EU and the UK (the shop is registered for
  IOSS and the UK's low-value scheme), GST included for Australia; sales tax added on top
  in the US states where the shop has nexus (``SALES_TAX``); none elsewhere (duties and
  import taxes, if any, are the customer's on delivery).

Lifecycle, following what the supplier did: a cancelled supplier order was cancelled and
refunded in full in the shop; a dispute the supplier refunded was refunded to the customer
(in full when the parcel never came, 30 % otherwise); an order the supplier shipped more
than ``FULFILLED_AFTER_DAYS`` days ago was fulfilled at the shop then, with the supplier's
tracking (by whatever the merchant used before ordertui). Every other order is unfulfilled:
the tracking of those shipped since is for ordertui to push. The ids are Shopify's
(``gid://shopify/Order/<number>``), numbered from the index so that each leads back to it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from ordertui.domain.models import Customer, Order
from ordertui.domain.shop import FinancialStatus, FulfillmentStatus
from ordertui.domain.states import DisputeReason, DisputeState, OrderStatus
from ordertui.simulators.demo.generator import DAY, IdScheme, generate

CURRENCY = "USD"
CENT = Decimal("0.01")
FREE_SHIPPING_FROM = Decimal("35.00")
STANDARD = Decimal("4.99")
FULFILLED_AFTER_DAYS = 3
#: VAT or GST included in the price, percent
INCLUDED_TAX = {"DE": 19, "FR": 20, "NL": 21, "AT": 20, "ES": 21, "IT": 22, "SE": 25,
                "PL": 23, "GB": 20, "AU": 10}
#: US states where the shop collects sales tax, added to the price, percent
SALES_TAX = {"TX": Decimal("6.25"), "NY": Decimal("4"), "CA": Decimal("7.25"),
             "WA": Decimal("6.5"), "FL": Decimal("6")}
DISCOUNTS = (("WELCOME10", Decimal("0.10")), ("FLASH20", Decimal("0.20")))
LOCATION = "Demo warehouse"


class Ids:
    """The shop's numbers for everything, each leading back to the order's index. Ids made
    by the back office later (fulfillments, refunds, their transactions) count from
    ``*_NEW`` by the back office's own sequence."""

    ORDER = 5_100_000_000_000
    CUSTOMER = 6_900_000_000_000
    FULFILLMENT_ORDER = 6_100_000_000_000
    LINE = 13_100_000_000_000  # + index * 8 + line
    FO_LINE = 14_100_000_000_000  # + index * 8 + line
    SHIPPING_LINE = 4_500_000_000_000
    SALE = 7_100_000_000_000
    FULFILLMENT = 4_100_000_000_000
    FULFILLMENT_NEW = 4_900_000_000_000
    REFUND = 8_100_000_000_000
    REFUND_NEW = 8_900_000_000_000
    REFUND_TX = 7_200_000_000_000
    REFUND_TX_NEW = 7_900_000_000_000
    SPAN = 800_000_000_000  # room for every index (and index * 8) under one base

    @staticmethod
    def gid(kind: str, number: int) -> str:
        return f"gid://shopify/{kind}/{number}"

    @staticmethod
    def parse(gid: str) -> tuple[str, int] | None:
        """(kind, number) of ``gid://shopify/<Kind>/<number>``; None for anything else."""
        head, _, number = gid.rpartition("/")
        prefix, _, kind = head.rpartition("/")
        if prefix != "gid://shopify" or not kind or not number.isdigit():
            return None
        return kind, int(number)

    @classmethod
    def offset(cls, number: int, base: int) -> int | None:
        n = number - base
        return n if 0 <= n < cls.SPAN else None


@dataclass(slots=True)
class ShopLineRecord:
    n: int  # its place in the order (0, 1, …)
    order_index: int
    title: str
    variant: str
    sku: str
    product_id: str
    quantity: int  # as ordered
    price: Decimal  # unit price before discounts
    discounted: Decimal  # unit price the customer paid
    tax: Decimal  # tax on the whole line (included or added, as the order says)
    refunded_quantity: int = 0

    @property
    def line_id(self) -> str:
        return Ids.gid("LineItem", Ids.LINE + self.order_index * 8 + self.n)

    @property
    def fo_line_id(self) -> str:
        return Ids.gid("FulfillmentOrderLineItem", Ids.FO_LINE + self.order_index * 8 + self.n)

    @property
    def current_quantity(self) -> int:
        return self.quantity - self.refunded_quantity

    @property
    def total(self) -> Decimal:
        return self.discounted * self.quantity


@dataclass(slots=True)
class ShopFulfillmentRecord:
    fulfillment_id: str
    created_at: datetime
    updated_at: datetime
    company: str
    number: str
    url: str
    lines: tuple[tuple[int, int], ...]  # (line n, quantity)
    notify: bool
    status: str = "SUCCESS"


@dataclass(slots=True)
class ShopTransaction:
    transaction_id: str
    kind: str  # SALE or REFUND
    status: str  # SUCCESS or PENDING
    gateway: str
    amount: Decimal
    created_at: datetime
    parent_id: str | None = None


@dataclass(slots=True)
class ShopRefundRecord:
    refund_id: str
    created_at: datetime
    amount: Decimal  # money returned to the customer
    note: str
    transaction: ShopTransaction | None
    lines: tuple[tuple[int, int, str], ...] = ()  # (line n, quantity, restock type)
    shipping: Decimal = Decimal(0)
    notify: bool = False


@dataclass(slots=True)
class ShopOrderRecord:
    index: int
    name: str
    created_at: datetime
    updated_at: datetime
    customer: Customer
    lines: list[ShopLineRecord]
    shipping_title: str
    shipping: Decimal  # charged to the customer, tax included where the tax is
    discount_code: str
    tax_title: str
    tax_rate: Decimal  # percent; 0 where none is charged
    taxes_included: bool
    shipping_tax: Decimal
    gateway: str
    transactions: list[ShopTransaction] = field(default_factory=list)
    fulfillments: list[ShopFulfillmentRecord] = field(default_factory=list)
    refunds: list[ShopRefundRecord] = field(default_factory=list)
    cancelled_at: datetime | None = None
    closed_at: datetime | None = None
    supplier_order_id: str = ""  # "" for an order no supplier order covers yet
    currency: str = CURRENCY

    # --- ids ----------------------------------------------------------------------------
    @property
    def number(self) -> int:
        return Ids.ORDER + self.index

    @property
    def order_id(self) -> str:
        return Ids.gid("Order", self.number)

    @property
    def fulfillment_order_id(self) -> str:
        return Ids.gid("FulfillmentOrder", Ids.FULFILLMENT_ORDER + self.index)

    @property
    def customer_id(self) -> str:
        return Ids.gid("Customer", Ids.CUSTOMER + self.index)

    # --- money ----------------------------------------------------------------------------
    @property
    def subtotal(self) -> Decimal:
        return sum((x.total for x in self.lines), Decimal(0))

    @property
    def tax(self) -> Decimal:
        return sum((x.tax for x in self.lines), Decimal(0)) + self.shipping_tax

    @property
    def discounts(self) -> Decimal:
        return sum(((x.price - x.discounted) * x.quantity for x in self.lines), Decimal(0))

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.shipping + (Decimal(0) if self.taxes_included else self.tax)

    @property
    def sale(self) -> ShopTransaction | None:
        return next((t for t in self.transactions if t.kind == "SALE"), None)

    @property
    def received(self) -> Decimal:
        return sum((t.amount for t in self.transactions
                    if t.kind == "SALE" and t.status == "SUCCESS"), Decimal(0))

    @property
    def refunded(self) -> Decimal:
        return sum((r.amount for r in self.refunds), Decimal(0))

    @property
    def refunded_shipping(self) -> Decimal:
        return sum((r.shipping for r in self.refunds), Decimal(0))

    @property
    def refundable(self) -> Decimal:
        return max(self.received - self.refunded, Decimal(0))

    @property
    def financial_status(self) -> FinancialStatus:
        if self.received <= 0:
            return FinancialStatus.PENDING
        if self.refunded >= self.received:
            return FinancialStatus.REFUNDED
        if self.refunded > 0:
            return FinancialStatus.PARTIALLY_REFUNDED
        return FinancialStatus.PAID

    # --- goods ----------------------------------------------------------------------------
    def fulfilled(self, n: int) -> int:
        return sum(q for f in self.fulfillments if f.status == "SUCCESS"
                   for line, q in f.lines if line == n)

    def remaining(self, n: int) -> int:
        return max(self.lines[n].current_quantity - self.fulfilled(n), 0)

    @property
    def fulfillment_status(self) -> FulfillmentStatus:
        sent = sum(self.fulfilled(x.n) for x in self.lines)
        if sent == 0:
            return FulfillmentStatus.UNFULFILLED
        if any(self.remaining(x.n) for x in self.lines):
            return FulfillmentStatus.PARTIALLY_FULFILLED
        return FulfillmentStatus.FULFILLED

    @property
    def fulfillment_order_status(self) -> str:
        if self.cancelled_at is not None or not any(self.remaining(x.n) for x in self.lines):
            return "CLOSED"
        return "IN_PROGRESS" if any(self.fulfilled(x.n) for x in self.lines) else "OPEN"

    @property
    def closed(self) -> bool:
        return self.closed_at is not None


# --- the shop's size ---------------------------------------------------------------------

def waiting_count(supplier_orders: int) -> int:
    """How many recent shop orders no supplier order covers yet: about 1.5 % of the shop,
    at most a day's orders, at least three."""
    span_days = min(max(supplier_orders / 40.0, 30.0), 1095.0)
    per_day = math.ceil(supplier_orders / span_days)
    return max(3, min(math.ceil(supplier_orders * 0.015), per_day))


def shop_count(supplier_orders: int) -> int:
    return supplier_orders + waiting_count(supplier_orders)


# --- one order -----------------------------------------------------------------------------

def shop_order(seed: int, index: int, count: int, epoch: float, scheme: IdScheme,
               supplier: str) -> ShopOrderRecord:
    """Shop order number ``index`` of the demo shop over a demo supplier of ``count`` orders,
    as it stood at ``epoch``. Pure: the same arguments give the same order."""
    source = generate(seed, index, count, epoch, scheme, supplier)
    rng = random.Random(f"ordertui-shop:{seed}:{index}")
    covered = index < count
    if covered:
        created = source.created_at.timestamp() - 300 - rng.random() * 7200
    else:
        waiting = waiting_count(count)
        created = epoch - DAY + DAY * (index - count + 0.05 + 0.9 * rng.random()) / waiting
    order = _priced(index, source, rng, _dt(created))
    order.supplier_order_id = source.supplier_order_id if covered else ""
    pending = not covered and (index - count) % 6 == 2  # a few wait for a bank transfer
    sale_id = Ids.gid("OrderTransaction", Ids.SALE + index)
    if pending:
        order.gateway = "Bank Deposit"
        order.transactions.append(ShopTransaction(sale_id, "SALE", "PENDING", order.gateway,
                                                  order.total, order.created_at))
    else:
        order.transactions.append(ShopTransaction(sale_id, "SALE", "SUCCESS", order.gateway,
                                                  order.total, order.created_at))
    if covered:
        _follow_supplier(order, source, rng, epoch)
    order.updated_at = max([order.created_at, *(t.created_at for t in order.transactions),
                            *(f.updated_at for f in order.fulfillments),
                            *([order.closed_at] if order.closed_at else [])])
    return order


def _priced(index: int, source: Order, rng: random.Random, created: datetime
            ) -> ShopOrderRecord:
    address = source.customer.address
    roll = rng.random()
    code, off = ("", Decimal(0))
    if roll < 0.10:
        code, off = DISCOUNTS[0]
    elif roll < 0.14:
        code, off = DISCOUNTS[1]
    if address.country in INCLUDED_TAX:
        rate, included = Decimal(INCLUDED_TAX[address.country]), True
        title = "GST" if address.country == "AU" else "VAT"
    elif address.country == "US" and address.province in SALES_TAX:
        rate, included = SALES_TAX[address.province], False
        title = f"{address.province} State Tax"
    else:
        rate, included, title = Decimal(0), False, ""
    lines = []
    for n, item in enumerate(source.items):
        price = item.unit_price.amount
        discounted = (price * (1 - off)).quantize(CENT)
        lines.append(ShopLineRecord(
            n=n, order_index=index, title=item.title, variant=item.variant, sku=item.sku,
            product_id=item.product_id, quantity=item.quantity, price=price,
            discounted=discounted, tax=_tax(discounted * item.quantity, rate, included)))
    goods = sum((x.total for x in lines), Decimal(0))
    free = goods >= FREE_SHIPPING_FROM
    shipping = Decimal("0.00") if free else STANDARD
    return ShopOrderRecord(
        index=index, name=source.name, created_at=created, updated_at=created,
        customer=source.customer, lines=lines,
        shipping_title="Free shipping" if free else "Standard shipping", shipping=shipping,
        discount_code=code, tax_title=title, tax_rate=rate, taxes_included=included,
        shipping_tax=_tax(shipping, rate, included) if included else Decimal(0),
        gateway="paypal" if rng.random() < 0.2 else "shopify_payments")


def _tax(amount: Decimal, rate: Decimal, included: bool) -> Decimal:
    if not rate:
        return Decimal(0)
    if included:
        return (amount * rate / (100 + rate)).quantize(CENT)
    return (amount * rate / 100).quantize(CENT)


def _follow_supplier(order: ShopOrderRecord, source: Order, rng: random.Random,
                     epoch: float) -> None:
    """What the merchant did in the shop after the supplier acted: refunds for cancelled
    and refunded orders, the fulfillment of orders delivered long ago."""
    if source.status is OrderStatus.CANCELLED and source.cancellation is not None:
        at = _dt(min(source.cancellation.updated_at.timestamp() + 1800, epoch))
        order.cancelled_at = order.closed_at = at
        _base_refund(order, at, order.total, "Order cancelled by the supplier",
                     lines=tuple((x.n, x.quantity, "CANCEL") for x in order.lines),
                     shipping=order.shipping)
        return
    d = source.dispute
    if d is not None and d.state is DisputeState.RESOLVED_REFUNDED:
        refund_at = d.updated_at.timestamp() + 3600
        if refund_at <= epoch:
            whole = d.reason is DisputeReason.NOT_RECEIVED
            amount = order.total if whole else (order.total * Decimal("0.3")).quantize(CENT)
            _base_refund(order, _dt(refund_at), amount,
                         "Parcel never arrived" if whole else "Partial refund: item not as "
                         "described")
    delivered = source.delivered_at
    if (source.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.CLOSED)
            and source.shipped_at is not None and source.tracking_number
            and source.shipped_at.timestamp() <= epoch - FULFILLED_AFTER_DAYS * DAY):
        at = _dt(source.shipped_at.timestamp() + (0.2 + rng.random() * 0.5) * DAY)
        order.fulfillments.append(ShopFulfillmentRecord(
            Ids.gid("Fulfillment", Ids.FULFILLMENT + order.index), at, at, source.carrier,
            source.tracking_number, source.tracking_url,
            tuple((x.n, x.quantity) for x in order.lines), notify=True))
        if source.status is OrderStatus.CLOSED and delivered is not None:
            order.closed_at = _dt(min(delivered.timestamp() + 14 * DAY, epoch))


def _base_refund(order: ShopOrderRecord, at: datetime, amount: Decimal, note: str, *,
                 lines: tuple[tuple[int, int, str], ...] = (),
                 shipping: Decimal = Decimal(0)) -> None:
    sale = order.sale
    assert sale is not None
    tx = ShopTransaction(Ids.gid("OrderTransaction", Ids.REFUND_TX + order.index), "REFUND",
                         "SUCCESS", sale.gateway, amount, at, sale.transaction_id)
    order.transactions.append(tx)
    order.refunds.append(ShopRefundRecord(Ids.gid("Refund", Ids.REFUND + order.index), at,
                                          amount, note, tx, lines, shipping, notify=True))
    for n, quantity, _restock in lines:
        order.lines[n].refunded_quantity += quantity


def _dt(seconds: float) -> datetime:
    return datetime.fromtimestamp(int(seconds), UTC)
