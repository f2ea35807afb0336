"""What the demo shop refuses, as Shopify does: a fulfillment of more than is left to send
or of a cancelled order, a refund of more than was paid and not refunded yet, and the links
Shopify builds for the tracking numbers of the carriers it knows."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from ordertui.domain.errors import OrdertuiError
from ordertui.simulators.demo.shop_orders import CENT, ShopOrderRecord


class ShopRefused(OrdertuiError):
    """The shop refuses a write: ``field`` names the input at fault (Shopify's
    ``userErrors``), ``code`` a machine-readable reason where there is one."""

    def __init__(self, message: str, field: Sequence[str] | None = None,
                 code: str | None = None) -> None:
        super().__init__(message)
        self.field = list(field) if field is not None else None
        self.code = code


class ShopOrderUnknown(ShopRefused):
    pass


#: carriers Shopify knows by name, and how it links their tracking numbers (a few of them)
CARRIER_LINKS = {
    "4PX": "https://track.4px.com/#/result/0/{n}",
    "China Post": "https://track.chinapost.com.cn/?no={n}",
    "Cainiao": "https://global.cainiao.com/detail.htm?mailNoList={n}",
    "YunExpress": "https://www.yuntrack.com/parcelTracking?id={n}",
    "DHL Express": "https://www.dhl.com/en/express/tracking.html?AWB={n}",
    "DHL eCommerce Asia": "https://ecommerceportal.dhl.com/track/?ref={n}",
    "USPS": "https://tools.usps.com/go/TrackConfirmAction?tLabels={n}",
    "UPS": "https://www.ups.com/track?tracknum={n}",
    "FedEx": "https://www.fedex.com/fedextrack/?trknbr={n}",
    "Royal Mail": "https://www.royalmail.com/track-your-item#/tracking-results/{n}",
    "Deutsche Post": "https://www.deutschepost.de/sendung/simpleQuery.html?form.sendungsnummer={n}",
}


def tracking_url(company: str, number: str) -> str:
    """The link Shopify builds for a known carrier; "" for any other company."""
    pattern = CARRIER_LINKS.get(company)
    return pattern.format(n=number) if pattern and number else ""


def check_fulfillment(order: ShopOrderRecord, lines: Sequence[tuple[int, int]] | None
                      ) -> dict[int, int]:
    """The quantities to send per line n (``lines`` None: all that is left), or why not."""
    if order.cancelled_at is not None:
        raise ShopRefused("The order is cancelled; its fulfillment order is closed.",
                          ["lines"])
    wanted = ([(x.n, order.remaining(x.n)) for x in order.lines if order.remaining(x.n)]
              if lines is None else list(lines))
    if not wanted:
        raise ShopRefused("Nothing is left to fulfill on this order.", ["lines"])
    asked: dict[int, int] = {}
    for n, q in wanted:
        if not 0 <= n < len(order.lines) or q < 1:
            raise ShopRefused("Invalid fulfillment order line item quantity requested.",
                              ["lines"])
        asked[n] = asked.get(n, 0) + q
    for n, q in asked.items():
        if q > order.remaining(n):
            raise ShopRefused(f"Invalid fulfillment order line item quantity requested: {q} "
                              f"of {order.lines[n].sku or 'the line'} asked, "
                              f"{order.remaining(n)} left to fulfill.", ["lines"])
    return asked


def check_refund(order: ShopOrderRecord, amount: Decimal,
                 lines: Sequence[tuple[int, int, str]], shipping: Decimal,
                 parent_id: str | None, gateway: str | None, allow_over: bool) -> None:
    """Why the refund cannot be made, if it cannot."""
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(CENT):
        raise ShopRefused("The amount must be a positive amount in cents.", ["amount"])
    if amount == 0 and not lines and not shipping:
        raise ShopRefused("A refund must return money, items or shipping.", ["amount"])
    sale = order.sale
    if amount > 0:
        if sale is None or sale.status != "SUCCESS":
            raise ShopRefused("The order has no successful payment to refund.", ["amount"])
        if parent_id is not None and parent_id != sale.transaction_id:
            raise ShopRefused(f"Transaction {parent_id} is not a payment of this order.",
                              ["parent"])
        if gateway is not None and gateway != sale.gateway:
            raise ShopRefused(f"The order was paid through {sale.gateway}, not {gateway}.",
                              ["gateway"])
        if amount > order.refundable and not allow_over:
            raise ShopRefused(f"Refund amount {amount} {order.currency} is more than the "
                              f"{order.refundable} {order.currency} that can be refunded.",
                              ["amount"], code="OVER_REFUND")
    for n, q, _restock in lines:
        if not 0 <= n < len(order.lines) or not 1 <= q <= order.lines[n].current_quantity:
            raise ShopRefused("The quantity to refund is more than the line's quantity.",
                              ["lines"])
    if shipping < 0 or shipping > order.shipping - order.refunded_shipping:
        raise ShopRefused("The shipping to refund is more than the shipping charged.",
                          ["shipping"])
