"""The columns an export can hold, in one registry shared by the CLI and the TUI's form.

Each column knows its value for a whole order and for one line item, so one list serves both
layouts. In the line-item layout (one row per item, as Shopify's order export) the facts of
the order repeat on every row so that sorting and filtering in a spreadsheet keep working,
but the order's amounts (totals, shipping, profit, dispute, refund) stand on the order's first
row only: a sum over the column then counts each order once.

Values are plain Python: ``str``, ``int``, :class:`Money`, ``date``, naive local
``datetime`` (spreadsheets know no time zones; the merchant reads local time, as
``ordertui orders`` shows it) or ``None`` for an empty cell. The writers turn them into
cells.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ordertui.domain.errors import ValidationError
from ordertui.domain.models import LineItem, Order
from ordertui.domain.money import Money
from ordertui.domain.returns import OrderMoney
from ordertui.domain.states import OrderStatus
from ordertui.i18n import N_, _, ngettext

#: "label" is text from the app's own vocabulary (a status, a dispute's state): English in
#: the CSV for scripts, in the app's language in the files for people
KINDS = ("text", "label", "money", "int", "date", "datetime")

#: (order, its money) -> value: the money holds what went back to the customer and came
#: back from the supplier, and counts a cancelled order for nothing (``OrderMoney``)
OrderFn = Callable[[Order, OrderMoney], Any]
ItemFn = Callable[[Order, OrderMoney, LineItem | None, bool], Any]


@dataclass(frozen=True, slots=True)
class Column:
    """One column. Its header (``label``) and ``help`` are in the language of the process;
    the ``csv`` format for scripts keeps the English header in every language
    (:func:`for_format`)."""

    key: str
    english: str  # the header cell, in English
    kind: str  # one of KINDS; decides the cell type and number format
    of_order: OrderFn  # the value in the one-row-per-order layout
    of_item: ItemFn  # (order, money, line item or None, first row of its order) -> value
    about: str  # one line for --list-columns and the TUI's column picker, in English
    #: the header follows the language of the process (False: the CSV for scripts)
    translated: bool = True
    #: an amount of the order, on the first of its line-item rows only (``help`` says so)
    first_row_only: bool = False

    @property
    def label(self) -> str:
        """The header cell."""
        return _(self.english) if self.translated else self.english

    @property
    def help(self) -> str:
        """One line for --list-columns and the TUI's column picker."""
        if self.first_row_only:
            return _("{help} (line-item layout: on the order's first row)").format(
                help=_(self.about))
        return _(self.about)


def for_format(columns: Sequence[Column], fmt: str) -> tuple[Column, ...]:
    """``columns`` with their headers as the format ``fmt`` writes them: in the language of
    the process for people (``csv-excel``, ``xlsx``), in English for scripts (``csv``), so
    that a script reads the same header whatever the merchant's language."""
    return tuple(replace(c, translated=fmt != "csv") for c in columns)


def _local(value: datetime | None) -> datetime | None:
    # fromtimestamp gives naive local time, four times faster than astimezone()
    return datetime.fromtimestamp(value.timestamp()) if value is not None else None


#: the cells hold the status in English, as the ``csv`` for scripts keeps it; the files for
#: people translate it (a column of kind "label", see ``writers``)
_STATUS_LABELS = {s: s.english for s in OrderStatus}


def _item_text(item: LineItem) -> str:
    text = f"{item.quantity}× {item.title}"
    return f"{text} ({item.variant})" if item.variant else text


def _joined(values: Sequence[str]) -> str:
    return "; ".join(v for v in values if v)


def _money_sum(order: Order, values: Sequence[Money]) -> Money:
    return Money(sum((v.amount for v in values), Decimal(0)), order.currency)


def _last_event(order: Order) -> str | None:
    if not order.tracking_events:
        return None
    e = order.tracking_events[-1]
    return f"{e.description} — {e.location}" if e.location else e.description


def _words(value: Any) -> str | None:
    return value.value.replace("_", " ") if value is not None else None


BY_KEY: dict[str, Column] = {}


def _add(key: str, label: str, kind: str, of_order: OrderFn, of_item: ItemFn,
         help: str, *, first_row_only: bool = False) -> None:
    BY_KEY[key] = Column(key, label, kind, of_order, of_item, help,
                         first_row_only=first_row_only)


def _order(key: str, label: str, kind: str, fn: OrderFn, help: str) -> None:
    """A fact of the order, repeated on each of its line-item rows."""
    _add(key, label, kind, fn, lambda o, m, _i, _first: fn(o, m), help)


def _once(key: str, label: str, fn: OrderFn, help: str) -> None:
    """An amount of the order, on the first of its line-item rows only."""
    _add(key, label, "money", fn, lambda o, m, _i, first: fn(o, m) if first else None,
         help, first_row_only=True)


def _item(key: str, label: str, kind: str, per_order: OrderFn,
          per_item: Callable[[Order, LineItem], Any], help: str) -> None:
    _add(key, label, kind, per_order,
         lambda o, _m, i, _first: per_item(o, i) if i is not None else None, help)


# --- the order -------------------------------------------------------------------------
_order("order", N_("Order"), "text", lambda o, _m: o.display_name,
       N_("the shop's order name (#1042), or the supplier's id when it has none"))
_order("id", N_("ID"), "int", lambda o, _m: o.id, N_("ordertui's local order id"))
_order("supplier", N_("Supplier"), "text", lambda o, _m: o.supplier, N_("the supplier's name"))
_order("supplier_order_id", N_("Supplier order"), "text", lambda o, _m: o.supplier_order_id,
       N_("the supplier's order id"))
_order("date", N_("Date"), "date",
       lambda o, _m: date.fromtimestamp(o.created_at.timestamp()),
       N_("the day the order was placed"))
_order("created", N_("Created at"), "datetime", lambda o, _m: _local(o.created_at),
       N_("when the order was placed"))
_order("paid", N_("Paid at"), "datetime", lambda o, _m: _local(o.paid_at),
       N_("when the supplier was paid"))
_order("shipped", N_("Shipped at"), "datetime", lambda o, _m: _local(o.shipped_at),
       N_("when it shipped"))
_order("delivered", N_("Delivered at"), "datetime", lambda o, _m: _local(o.delivered_at),
       N_("when it was delivered"))
_order("status", N_("Status"), "label", lambda o, _m: _STATUS_LABELS[o.status],
       N_("the order's status"))
_order("supplier_status", N_("Supplier status"), "text", lambda o, _m: o.supplier_status,
       N_("the supplier's own word for the status"))
_order("payment", N_("Payment"), "text", lambda o, _m: o.payment, N_("how the supplier was paid"))
_order("cancellation", N_("Cancellation"), "text",
       lambda o, _m: _words(o.cancellation.state) if o.cancellation else None,
       N_("the latest cancellation request's state"))
_order("cancellation_reason", N_("Cancellation reason"), "text",
       lambda o, _m: o.cancellation.reason if o.cancellation else None,
       N_("why the cancellation was asked for"))
_order("dispute", N_("Dispute"), "label",
       lambda o, _m: o.dispute.state.english if o.dispute else None,
       N_("the latest dispute's state"))
_order("dispute_reason", N_("Dispute reason"), "label",
       lambda o, _m: o.dispute.reason.english if o.dispute else None,
       N_("why the dispute was opened"))
_once("dispute_amount", N_("Dispute amount"), lambda o, _m: o.dispute.amount if o.dispute else None,
      N_("what the dispute asks back"))
_once("dispute_refund", N_("Dispute refund"),
      lambda o, _m: o.dispute.refunded if o.dispute else None,
      N_("what the supplier refunded on the latest dispute (in recovered)"))

# --- the customer ----------------------------------------------------------------------
_order("customer", N_("Customer"), "text", lambda o, _m: o.customer.name, N_("the customer's name"))
_order("email", N_("E-mail"), "text", lambda o, _m: o.customer.email, N_("the customer's e-mail"))
_order("phone", N_("Phone"), "text", lambda o, _m: o.customer.phone, N_("the customer's phone"))
_order("address1", N_("Address 1"), "text", lambda o, _m: o.customer.address.line1, N_("street"))
_order("address2", N_("Address 2"), "text", lambda o, _m: o.customer.address.line2,
       N_("apartment, suite"))
_order("city", N_("City"), "text", lambda o, _m: o.customer.address.city, N_("city"))
_order("province", N_("Province"), "text", lambda o, _m: o.customer.address.province,
       N_("province or state"))
_order("zip", N_("ZIP"), "text", lambda o, _m: o.customer.address.zip, N_("postal code"))
_order("country", N_("Country"), "text", lambda o, _m: o.customer.address.country,
       N_("country (ISO code)"))

# --- what was ordered ------------------------------------------------------------------
_item("items", N_("Items"), "text", lambda o, _m: _joined([_item_text(i) for i in o.items]),
      lambda _o, i: _item_text(i), N_("quantity × product (variant); every item of the order"))
_item("product", N_("Product"), "text", lambda o, _m: _joined([i.title for i in o.items]),
      lambda _o, i: i.title, N_("the product title"))
_item("variant", N_("Variant"), "text", lambda o, _m: _joined([i.variant for i in o.items]),
      lambda _o, i: i.variant, N_("the product variant"))
_item("sku", N_("SKU"), "text", lambda o, _m: _joined([i.sku for i in o.items]),
      lambda _o, i: i.sku, N_("the supplier's SKU"))
_item("quantity", N_("Quantity"), "int", lambda o, _m: o.quantity, lambda _o, i: i.quantity,
      N_("units (per order: all items)"))
_item("unit_cost", N_("Unit cost"), "money",
      lambda o, _m: o.items[0].unit_cost if len(o.items) == 1 else None,
      lambda _o, i: i.unit_cost, N_("what the supplier charges per unit (per order: one-item "
      "orders only)"))
_item("unit_price", N_("Price"), "money",
      lambda o, _m: o.items[0].unit_price if len(o.items) == 1 else None,
      lambda _o, i: i.unit_price, N_("what the customer paid per unit (per order: one-item "
      "orders only)"))
_item("line_cost", N_("Items cost"), "money",
      lambda o, _m: _money_sum(o, [i.total_cost for i in o.items]),
      lambda _o, i: i.total_cost, N_("unit cost × quantity, without shipping"))
_item("line_price", N_("Items price"), "money",
      lambda o, _m: _money_sum(o, [i.total_price for i in o.items]),
      lambda _o, i: i.total_price, N_("price × quantity"))
_once("shipping_cost", N_("Shipping cost"), lambda o, _m: o.shipping_cost,
      N_("what the supplier charged for shipping"))

# --- the money, as it counts: total price − total cost − refunds + recovered = net --------
_once("total_price", N_("Total price"), lambda _o, m: m.sale_price,
      N_("what the customer paid; nothing if cancelled (see customer_paid)"))
_once("total_cost", N_("Total cost"), lambda _o, m: m.supplier_cost,
      N_("the supplier's charge; nothing if cancelled (supplier_charged)"))
_once("profit", N_("Profit"), lambda _o, m: m.profit,
      N_("total price − total cost"))
_once("refunds", N_("Refunds"), lambda _o, m: m.counted_refunds,
      N_("given back to the customer; nothing if cancelled"))
_once("recovered", N_("Recovered"), lambda _o, m: m.counted_recoveries,
      N_("got back from the supplier (disputes, sums recorded by hand)"))
_once("net", N_("Net"), lambda _o, m: m.net,
      N_("total price − total cost − refunds + recovered"))
_once("customer_paid", N_("Customer paid"), lambda _o, m: m.paid,
      N_("what the customer paid, cancelled or not"))
_once("supplier_charged", N_("Supplier charged"), lambda _o, m: m.cost,
      N_("what the supplier charged, cancelled or not"))
_once("refund_owed", N_("Refund owed"),
      lambda _o, m: m.owed_to_customer if m.owed_to_customer.amount else None,
      N_("what a cancelled order still owes the customer"))
_order("currency", N_("Currency"), "text", lambda _o, m: m.paid.currency,
       N_("the currency of the totals, profit, refunds and net: the shop's for an order linked "
       "to its shop order"))
_order("supplier_currency", N_("Supplier currency"), "text", lambda o, _m: o.total_cost.currency,
       N_("the currency of what the supplier charged (unit and line costs and prices, shipping "
       "cost, supplier_charged)"))

# --- shipping --------------------------------------------------------------------------
_order("carrier", N_("Carrier"), "text", lambda o, _m: o.carrier, N_("the carrier"))
_order("tracking_number", N_("Tracking number"), "text", lambda o, _m: o.tracking_number,
       N_("the tracking number"))
_order("tracking_url", N_("Tracking URL"), "text", lambda o, _m: o.tracking_url,
       N_("the carrier's tracking page"))
_order("last_event", N_("Last tracking event"), "text", lambda o, _m: _last_event(o),
       N_("the latest tracking event and where it happened"))
_order("last_event_at", N_("Last tracking event at"), "datetime",
       lambda o, _m: _local(o.tracking_events[-1].at) if o.tracking_events else None,
       N_("when the latest tracking event happened"))

#: Every column, in the order the TUI's picker and --list-columns show them.
COLUMNS: tuple[Column, ...] = tuple(BY_KEY.values())

#: The default keys for one row per order: what an accountant and a merchant look at.
#: Its amounts add up: total_price − total_cost − refunds + recovered = net.
DEFAULT_COLUMNS: tuple[str, ...] = (
    "order", "date", "status", "supplier", "supplier_order_id", "customer", "email",
    "country", "items", "quantity", "total_price", "total_cost", "profit", "refunds",
    "recovered", "net", "currency", "refund_owed", "cancellation", "dispute", "carrier",
    "tracking_number")

#: The default keys for one row per line item: the product lines with their amounts.
DEFAULT_LINE_ITEM_COLUMNS: tuple[str, ...] = (
    "order", "date", "status", "supplier", "supplier_order_id", "customer", "country",
    "product", "variant", "sku", "quantity", "unit_cost", "unit_price", "line_cost",
    "line_price", "shipping_cost", "total_price", "total_cost", "profit", "refunds",
    "recovered", "net", "currency", "tracking_number")


def default_columns(per: str = "order") -> tuple[str, ...]:
    return DEFAULT_LINE_ITEM_COLUMNS if per == "line-item" else DEFAULT_COLUMNS


def parse_keys(text: str) -> tuple[str, ...]:
    """'total price, Profit,sku' -> ('total_price', 'profit', 'sku'), as typed in a form or
    after --columns."""
    return tuple(k for k in (_normal(p) for p in text.split(",")) if k)


def _normal(key: str) -> str:
    return key.strip().lower().replace("-", "_").replace(" ", "_")


def resolve_columns(keys: Sequence[str] | None, per: str = "order") -> tuple[Column, ...]:
    """The columns for ``keys`` (the default set for ``per`` when None), in that order.

    Repeated keys count once. An unknown key is a ValidationError on ``columns`` that lists
    every valid key, so a typo in a cron line explains itself.
    """
    chosen = default_columns(per) if keys is None else tuple(_normal(k) for k in keys if
                                                             k.strip())
    if not chosen:
        raise ValidationError("columns", _("choose at least one column; valid columns: "
                                           "{keys}").format(keys=", ".join(BY_KEY)))
    unknown = [k for k in chosen if k not in BY_KEY]
    if unknown:
        raise ValidationError("columns", ngettext(
            "unknown column {names}; valid columns: {keys}",
            "unknown columns {names}; valid columns: {keys}", len(unknown)).format(
                names=", ".join(repr(k) for k in unknown), keys=", ".join(BY_KEY)))
    return tuple(BY_KEY[k] for k in dict.fromkeys(chosen))


Rows = list[list[Any]]
_NO_ITEMS: list[LineItem | None] = [None]


def _same(value: Any) -> Any:
    return value


#: what went back to the customer and came back from the supplier, per order id
#: (``Store.money_moved``); an order missing from it has neither
Moved = Mapping[int, tuple[Money, Money]]
RowFn = Callable[[Sequence[Order], Moved], Rows]
_NOTHING_MOVED: tuple[None, None] = (None, None)


def _with_money(orders: Sequence[Order], moved: Moved) -> list[tuple[Order, OrderMoney]]:
    get = moved.get
    return [(o, OrderMoney.of(o, *get(o.id or 0, _NOTHING_MOVED))) for o in orders]


def row_builder(columns: Sequence[Column], per: str,
                convert: Sequence[Callable[[Any], Any]] | None = None) -> RowFn:
    """A function from a batch of orders (and what moved back for them) to their rows: one
    per order, or one per line item (an order without items still gets one row, so no
    order goes missing).

    ``convert`` (one function per column) turns each value into its cell in the same pass;
    a writer that can take finished cells saves a second walk over every row that way.
    """
    funcs = list(convert) if convert is not None else [_same] * len(columns)
    if per == "line-item":
        item_pairs = [(c.of_item, f) for c, f in zip(columns, funcs, strict=True)]

        def item_rows(orders: Sequence[Order], moved: Moved) -> Rows:
            return [[f(fn(o, m, item, n == 0)) for fn, f in item_pairs]
                    for o, m in _with_money(orders, moved)
                    for n, item in enumerate(o.items or _NO_ITEMS)]
        return item_rows
    if convert is None:
        order_fns = [c.of_order for c in columns]

        def order_rows(orders: Sequence[Order], moved: Moved) -> Rows:
            return [[fn(o, m) for fn in order_fns] for o, m in _with_money(orders, moved)]
        return order_rows
    order_pairs = [(c.of_order, f) for c, f in zip(columns, funcs, strict=True)]

    def converted_rows(orders: Sequence[Order], moved: Moved) -> Rows:
        return [[f(fn(o, m)) for fn, f in order_pairs] for o, m in _with_money(orders, moved)]
    return converted_rows


#: The Python type each kind's values have (besides None), for tests and for writers that
#: check what they are given.
KIND_TYPES: dict[str, tuple[type, ...]] = {"text": (str,), "label": (str,), "money": (Money,),
                                           "int": (int,),
                                           "date": (date,), "datetime": (datetime,)}
