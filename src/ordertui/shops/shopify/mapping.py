"""Shopify's answers as the domain's shop orders, and the supplier's carrier names as the
tracking companies Shopify knows.

Every amount is read in the shop's currency (``shopMoney``), the one the merchant keeps
books in: the customer may have paid in another (``presentmentMoney``), but the sale, the
refunds and the supplier's converted cost are all compared in one currency. A line's price
is what the customer paid per unit after every discount (the line's own and its share of
the order's), so that revenue is the sale as the shop made it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ordertui.domain.models import Address, Customer
from ordertui.domain.money import Money
from ordertui.domain.shop import (
    FinancialStatus,
    FulfillmentStatus,
    ShopFulfillment,
    ShopLine,
    ShopOrder,
    ShopRefund,
)

#: Shopify's display fulfillment statuses that the domain has no word of its own for
_FULFILLMENT_ALIASES = {
    "OPEN": FulfillmentStatus.UNFULFILLED,
    "PENDING_FULFILLMENT": FulfillmentStatus.UNFULFILLED,
    "REQUEST_DECLINED": FulfillmentStatus.UNFULFILLED,
    # nothing to send (a gift card, a digital good): as good as sent
    "FULFILLMENT_NOT_REQUIRED": FulfillmentStatus.FULFILLED,
}

#: Shopify's supported tracking companies (the names it builds tracking links for), by the
#: ways suppliers write them: a key is the carrier's name in lower case, letters and digits
#: only
SHOPIFY_CARRIERS: dict[str, str] = {}
for _name, _aliases in {
    "4PX": ("4px", "4pxexpress", "4pxworldwide"),
    "YunExpress": ("yunexpress", "yun", "yuntu", "yunexpresstracking"),
    "China Post": ("chinapost", "chinapostregisteredairmail", "chinaair", "chinapostair",
                   "epacket", "chinaems", "ems"),
    "Cainiao": ("cainiao", "aliexpressstandardshipping", "aliexpressstandard",
                "cainiaosupereconomy", "cainiaoexpedited"),
    "YANWEN": ("yanwen", "yanwenexpress"),
    "DHL Express": ("dhl", "dhlexpress"),
    "DHL eCommerce": ("dhlecommerce", "dhlglobalmail"),
    "DHL eCommerce Asia": ("dhlecommerceasia", "dhlasia"),
    "UPS": ("ups", "unitedparcelservice"),
    "USPS": ("usps", "unitedstatespostalservice"),
    "FedEx": ("fedex", "federalexpress"),
    "Royal Mail": ("royalmail",),
    "Deutsche Post": ("deutschepost",),
    "SF Express": ("sfexpress", "sf", "shunfeng"),
    "SFC Fulfillment": ("sfc", "sfcfulfillment", "sendfromchina"),
    "Singapore Post": ("singaporepost", "singpost"),
    "Australia Post": ("australiapost", "auspost"),
    "Canada Post": ("canadapost",),
    "La Poste": ("laposte",),
    "Colissimo": ("colissimo",),
    "PostNL": ("postnl",),
    "GLS": ("gls",),
    "DPD": ("dpd",),
    "Evri": ("evri", "hermesuk"),
    "TNT": ("tnt",),
    "Correos": ("correos",),
    "Correios": ("correios",),
    "Poste Italiane": ("posteitaliane",),
    "Swiss Post": ("swisspost",),
    "New Zealand Post": ("newzealandpost", "nzpost"),
    "Japan Post (EN)": ("japanpost",),
    "OnTrac": ("ontrac",),
    "Purolator": ("purolator",),
    "An Post": ("anpost",),
    "BPost": ("bpost",),
    "Chronopost": ("chronopost",),
    "Anjun Logistics": ("anjun", "anjunlogistics"),
    "Chukou1": ("chukou1", "ck1"),
}.items():
    for _alias in _aliases:
        SHOPIFY_CARRIERS[_alias] = _name


def _carrier_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def shopify_company(carrier: str) -> str | None:
    """The tracking company Shopify knows for the supplier's carrier name, or None when it
    knows none (then the carrier's own name and the tracking URL are sent)."""
    return SHOPIFY_CARRIERS.get(_carrier_key(carrier))


def tracking_input(company: str, number: str, url: str) -> dict[str, str]:
    """``FulfillmentTrackingInput``: a company Shopify knows builds its own link; any other
    goes with the supplier's tracking URL, when there is one."""
    known = shopify_company(company)
    info = {"number": number}
    if known:
        info["company"] = known
    else:
        if company.strip():
            info["company"] = company.strip()
        if url.startswith(("https://", "http://")):
            info["url"] = url
    return info


# --- values -------------------------------------------------------------------------------


def parse_time(value: Any) -> datetime | None:
    """Shopify's ``DateTime`` ("2026-12-01T10:00:00Z") as an aware datetime."""
    if not isinstance(value, str) or not value:
        return None
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def format_time(at: datetime) -> str:
    """A time as Shopify's search syntax takes it (UTC, to the second)."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def money(bag: Any, currency: str) -> Money:
    """The shop's amount of a ``MoneyBag`` (zero when Shopify gave none)."""
    shop = bag.get("shopMoney") if isinstance(bag, Mapping) else None
    if not isinstance(shop, Mapping):
        return Money.zero(currency)
    try:
        amount = Decimal(str(shop.get("amount", "0")))
    except (InvalidOperation, ValueError):
        amount = Decimal(0)
    if not amount.is_finite():
        amount = Decimal(0)
    return Money(amount, str(shop.get("currencyCode") or currency))


def nodes_of(connection: Any) -> list[dict[str, Any]]:
    """The nodes of a connection (``nodes`` or ``edges { node }``) or of a plain list."""
    if isinstance(connection, list):
        return [n for n in connection if isinstance(n, dict)]
    if not isinstance(connection, Mapping):
        return []
    if isinstance(connection.get("nodes"), list):
        return [n for n in connection["nodes"] if isinstance(n, dict)]
    edges = connection.get("edges")
    if isinstance(edges, list):
        return [e["node"] for e in edges if isinstance(e, dict) and isinstance(e.get("node"),
                                                                               dict)]
    return []


def has_more(connection: Any) -> bool:
    info = connection.get("pageInfo") if isinstance(connection, Mapping) else None
    return bool(isinstance(info, Mapping) and info.get("hasNextPage"))


def end_cursor(connection: Any) -> str | None:
    info = connection.get("pageInfo") if isinstance(connection, Mapping) else None
    value = info.get("endCursor") if isinstance(info, Mapping) else None
    return value if isinstance(value, str) else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def admin_url(store: str, legacy_id: Any) -> str:
    """The order in the store's admin (the store's own name, not a simulator's address)."""
    if legacy_id in (None, ""):
        return ""
    return f"https://{store}.myshopify.com/admin/orders/{legacy_id}"


def legacy_id(gid: str) -> str:
    """``gid://shopify/Order/450789469`` → ``450789469``."""
    return gid.rsplit("/", 1)[-1]


# --- orders ---------------------------------------------------------------------------------


def shop_line(node: Mapping[str, Any], currency: str) -> ShopLine:
    quantity = node.get("currentQuantity")
    if not isinstance(quantity, int) or isinstance(quantity, bool):
        quantity = int(node.get("quantity") or 0) if isinstance(node.get("quantity"),
                                                                int) else 0
    unit = money(node.get("discountedUnitPriceAfterAllDiscountsSet"), currency)
    return ShopLine(line_id=str(node.get("id", "")), title=_text(node.get("title")),
                    quantity=quantity, unit_price=unit, total=unit * quantity,
                    sku=_text(node.get("sku")), variant=_text(node.get("variantTitle")))


def shop_fulfillment(node: Mapping[str, Any]) -> ShopFulfillment:
    tracking = node.get("trackingInfo")
    first = tracking[0] if isinstance(tracking, list) and tracking and \
        isinstance(tracking[0], dict) else {}
    lines = []
    for item in nodes_of(node.get("fulfillmentLineItems")):
        line = item.get("lineItem")
        if isinstance(line, dict) and line.get("id"):
            lines.append((str(line["id"]), int(item.get("quantity") or 0)))
    return ShopFulfillment(fulfillment_id=str(node.get("id", "")),
                           status=_text(node.get("status")).lower(),
                           company=_text(first.get("company")),
                           number=_text(first.get("number")), url=_text(first.get("url")),
                           lines=tuple(lines), created_at=parse_time(node.get("createdAt")))


def shop_refund(node: Mapping[str, Any], currency: str, fallback: datetime) -> ShopRefund:
    return ShopRefund(refund_id=str(node.get("id", "")),
                      at=parse_time(node.get("createdAt")) or fallback,
                      amount=money(node.get("totalRefundedSet"), currency),
                      note=_text(node.get("note")))


def _financial(value: Any) -> FinancialStatus:
    try:
        return FinancialStatus(_text(value).lower())
    except ValueError:
        return FinancialStatus.UNKNOWN


def _fulfillment_status(value: Any) -> FulfillmentStatus:
    text = _text(value)
    if text in _FULFILLMENT_ALIASES:
        return _FULFILLMENT_ALIASES[text]
    try:
        return FulfillmentStatus(text.lower())
    except ValueError:
        return FulfillmentStatus.UNKNOWN


def shop_order(shop: str, store: str, node: Mapping[str, Any],
               lines: list[dict[str, Any]] | None = None) -> ShopOrder:
    """One ``Order`` as Shopify answers it (``OrderFields``); ``lines``, when given, are
    every line item of the order (read in more pages, or from a bulk file)."""
    currency = _text(node.get("currencyCode")) or "USD"
    created = parse_time(node.get("createdAt")) or datetime.fromtimestamp(0, UTC)
    updated = parse_time(node.get("updatedAt")) or created
    line_nodes = lines if lines is not None else nodes_of(node.get("lineItems"))
    address = _dict(node.get("shippingAddress"))
    buyer = _dict(node.get("customer"))
    customer = Customer(
        name=_text(address.get("name")) or _text(buyer.get("displayName")),
        email=_text(node.get("email")),
        phone=_text(address.get("phone")) or _text(node.get("phone")),
        address=Address(line1=_text(address.get("address1")),
                        line2=_text(address.get("address2")),
                        city=_text(address.get("city")),
                        province=_text(address.get("province")),
                        zip=_text(address.get("zip")),
                        country=_text(address.get("countryCodeV2"))))
    discounts = money(node.get("currentTotalDiscountsSet"), currency)
    return ShopOrder(
        shop=shop, shop_order_id=str(node.get("id", "")), name=_text(node.get("name")),
        created_at=created, updated_at=updated, currency=currency,
        financial_status=_financial(node.get("displayFinancialStatus")),
        fulfillment_status=_fulfillment_status(node.get("displayFulfillmentStatus")),
        lines=[shop_line(x, currency) for x in line_nodes],
        shipping=money(node.get("currentShippingPriceSet"), currency),
        taxes=money(node.get("currentTotalTaxSet"), currency),
        total=money(node.get("currentTotalPriceSet"), currency),
        refunded=money(node.get("totalRefundedSet"), currency),
        customer=customer,
        discounts=discounts if discounts.amount else None,
        taxes_included=bool(node.get("taxesIncluded")),
        cancelled_at=parse_time(node.get("cancelledAt")),
        closed=bool(node.get("closed")), test=bool(node.get("test")),
        fulfillments=[shop_fulfillment(f) for f in nodes_of(node.get("fulfillments"))],
        refunds=[shop_refund(r, currency, updated) for r in nodes_of(node.get("refunds"))],
        url=admin_url(store, node.get("legacyResourceId")
                      or legacy_id(str(node.get("id", "")))))
