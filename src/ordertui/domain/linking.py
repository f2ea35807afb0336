"""How a supplier order meets the shop order it was placed for, and what it sold for.

- ``reference``: the shop order a supplier order names (CJ's ``orderNum`` is the shop
  order's name), when exactly one shop order has that name: linked without asking.
- ``suggest``: for a supplier order without the shop's reference (AliExpress), the shop
  orders that may be its own, scored by the signs that agree (the same person at the same
  postcode, SKUs in common, placed within days), each with its reasons; where the supplier
  does not say whom it ships to, SKUs in common placed within days. A suggestion is only
  ever proposed: the merchant confirms it.
- ``match_lines``: each supplier line to the shop line it fulfils: the shop line id the
  supplier carries, else the same SKU, else the same product and variant, else the only
  line of each.
- ``revenue``: the sale value of those lines after discounts plus their share of the
  shipping charged, taxes left out — what the shop sold this supplier order for.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from ordertui.domain.models import LineItem, Order
from ordertui.domain.money import Money
from ordertui.domain.shop import LinkSuggestion, ShopOrder
from ordertui.i18n import _, formats, ngettext

#: a supplier order is placed within this long after its shop order (looked for either way)
PLACED_WITHIN = timedelta(days=7)
#: below this score a shop order is not worth proposing
SUGGEST_FROM = 0.5


def order_number(name: str) -> str:
    """A shop order's name as suppliers carry it: "#1042", "1042" and " #1042 " are one."""
    return name.strip().lstrip("#").strip()


def reference(order: Order, candidates: Iterable[ShopOrder]) -> ShopOrder | None:
    """The one shop order the supplier order names; None when it names none or when several
    shops have an order of that name (the merchant then chooses)."""
    wanted = order_number(order.name)
    if not wanted:
        return None
    found = [s for s in candidates if order_number(s.name) == wanted]
    return found[0] if len(found) == 1 else None


def _folded(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


def _postcode(text: str) -> str:
    return text.replace(" ", "").upper()


def _skus(items: Iterable[str]) -> set[str]:
    return {s.strip().casefold() for s in items if s.strip()}


def suggest(order: Order, candidates: Iterable[ShopOrder], *,
            refused: Iterable[int] = ()) -> list[LinkSuggestion]:
    """The shop orders that may be ``order``'s, best first, each with why; those in
    ``refused`` (turned down by the merchant) never."""
    no = set(refused)
    found = []
    name = _folded(order.customer.name)
    zip_code = _postcode(order.customer.address.zip)
    # a supplier that does not say whom it ships to (AliExpress): what it sold and when are
    # all there is to go on, and both must agree
    anonymous = not name and not zip_code
    skus = _skus(i.sku for i in order.items)
    for s in candidates:
        if s.id is None or s.id in no:
            continue
        reasons, score = [], 0.0
        if name and _folded(s.customer.name) == name:
            score += 0.35
            reasons.append(_("the same customer"))
        if zip_code and _postcode(s.customer.address.zip) == zip_code:
            score += 0.25
            reasons.append(_("the same postcode"))
        common = skus & _skus(x.sku for x in s.lines)
        if common:
            score += 0.25
            reasons.append(ngettext("a SKU in common", "SKUs in common", len(common)))
        gap = order.created_at - s.created_at
        within = timedelta(0) <= gap <= PLACED_WITHIN
        if within:
            score += 0.15
            days = gap.days
            reasons.append(_("placed the same day") if days == 0 else
                           ngettext("placed {n} day after it", "placed {n} days after it",
                                    days).format(n=formats.number(days)))
        if score >= SUGGEST_FROM or (anonymous and common and within):
            found.append(LinkSuggestion(order_id=order.id or 0, shop_order=s.id, name=s.name,
                                        score=round(score, 2), reasons=tuple(reasons)))
    found.sort(key=lambda x: (-x.score, x.shop_order))
    return found


def line_number(line_id: str) -> str:
    """A shop line's id as suppliers carry it: Shopify's ``gid://shopify/LineItem/123`` is
    ``123`` at CJ (``storeLineItemId``)."""
    return line_id.strip().rsplit("/", 1)[-1]


def named_items(items: Sequence[LineItem], shop: ShopOrder,
                lines: Mapping[int, str]) -> list[LineItem]:
    """The supplier's lines, those the supplier gave no SKU (nor, often, a name: a CJ order
    shows "CJ variant 97028c03") named as the shop line they fulfil: its title, variant and
    SKU."""
    by_id = {x.line_id: x for x in shop.lines}
    named = []
    for n, item in enumerate(items):
        line = by_id.get(lines.get(n, ""))
        if line is not None and not item.sku.strip():
            item = replace(item, title=line.title, variant=line.variant, sku=line.sku)
        named.append(item)
    return named


def match_lines(items: Sequence[LineItem], shop: ShopOrder,
                taken: Iterable[str] = ()) -> dict[int, str]:
    """Supplier line index → the shop line it fulfils. ``taken``: shop lines another
    supplier order of the same shop order fulfils already."""
    free = [x for x in shop.lines if x.line_id not in set(taken)]
    matched: dict[int, str] = {}
    used: set[str] = set()

    def take(index: int, line_id: str) -> None:
        matched[index] = line_id
        used.add(line_id)

    by_number = {line_number(x.line_id): x.line_id for x in free}
    for n, item in enumerate(items):  # the shop's own line id, as the supplier carries it
        line_id = by_number.get(line_number(item.shop_line_id))
        if item.shop_line_id and line_id is not None and line_id not in used:
            take(n, line_id)
    for n, item in enumerate(items):  # the same SKU
        sku = item.sku.strip().casefold()
        if n in matched or not sku:
            continue
        line = next((x for x in free if x.line_id not in used
                     and x.sku.strip().casefold() == sku), None)
        if line is not None:
            take(n, line.line_id)
    for n, item in enumerate(items):  # the same product and variant
        if n in matched:
            continue
        key = (_folded(item.title), _folded(item.variant))
        line = next((x for x in free if x.line_id not in used
                     and (_folded(x.title), _folded(x.variant)) == key), None)
        if line is not None:
            take(n, line.line_id)
    rest_items = [n for n in range(len(items)) if n not in matched]
    rest_lines = [x for x in free if x.line_id not in used]
    if len(rest_items) == 1 and len(rest_lines) == 1:  # one left on each side
        take(rest_items[0], rest_lines[0].line_id)
    return matched


def revenue(items: Sequence[LineItem], shop: ShopOrder, lines: Mapping[int, str]) -> Money:
    """What the shop sold these supplier lines for: each matched shop line's price after
    discounts for the quantity supplied (never more than the shop line's), plus the same
    share of the shipping charged; with taxes included in the shop's prices, their share is
    taken out."""
    cur = shop.currency
    sold = Decimal(0)
    for n, line_id in lines.items():
        line = shop.line(line_id)
        if line is None or not 0 <= n < len(items):
            continue
        sold += line.unit_price.amount * min(items[n].quantity, line.quantity)
    goods = sum((x.total.amount for x in shop.lines), Decimal(0))
    share = sold / goods if goods else Decimal(0)
    gross = sold + shop.shipping.amount * share
    if shop.taxes_included and shop.taxes.amount:
        charged = goods + shop.shipping.amount
        if charged:
            gross -= shop.taxes.amount * gross / charged
    return Money(gross, cur).quantized()


def whole(shop: ShopOrder) -> Money:
    """What the whole shop order sold for: goods and shipping after discounts, taxes left
    out (for a supplier order that is the shop order's only one, its lines not known yet)."""
    return Money(shop.total.amount - shop.taxes.amount, shop.currency).quantized()
