"""The items of a return as the merchant names them: by SKU, or ``#N`` for the N-th line of
the order (``domain.returns.item_key``), with a quantity. ``parse_items`` reads them as typed
on the command line or in the return form; ``ReturnsService.open_return`` checks them
against the order's lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ordertui.domain.errors import ValidationError
from ordertui.domain.models import LineItem, Order
from ordertui.domain.returns import item_key
from ordertui.i18n import _


def norm_items(items: Mapping[str, int] | Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    """Items to return as (key, quantity) pairs, checked, with a key named twice added up."""
    pairs = list(items.items()) if isinstance(items, Mapping) else list(items)
    merged: dict[str, int] = {}
    for key, qty in pairs:
        key = str(key).strip()
        if not key:
            raise ValidationError("items", _("an item needs its SKU (or #N for the N-th line)"))
        if not isinstance(qty, int) or isinstance(qty, bool) or qty < 1:
            raise ValidationError("items", _(
                "the quantity of {item} must be a whole number, 1 or more").format(item=key))
        merged[key] = merged.get(key, 0) + qty
    if not merged:
        raise ValidationError("items", _("name at least one item to return, like LAMP-01:1"))
    return list(merged.items())


def parse_items(text: str) -> list[tuple[str, int]]:
    """``"LAMP-01:1,MUG-2:2"`` as typed on the command line or in a form field."""
    pairs = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        key, sep, qty = part.rpartition(":")
        if not sep:
            key, qty = part, "1"
        try:
            n = int(qty)
        except ValueError:
            # Translators: SKU:QUANTITY says what to type; LAMP-01:2 is an example of it
            raise ValidationError("items", _("{text}: write SKU:QUANTITY, like LAMP-01:2"
                                             ).format(text=repr(part))) from None
        pairs.append((key.strip(), n))
    return norm_items(pairs)


def lines_by_key(order: Order) -> dict[str, list[LineItem]]:
    """The order's lines by item key (see ``domain.returns.item_key``)."""
    found: dict[str, list[LineItem]] = {}
    for i, line in enumerate(order.items):
        found.setdefault(item_key(line, i), []).append(line)
    return found


def line_key(order: Order, lines: Mapping[str, list[LineItem]], key: str) -> str:
    """The key of ``order``'s line that ``key`` names, matched exactly or else ignoring case."""
    if key in lines:
        return key
    folded = [k for k in lines if k.casefold() == key.casefold()]
    if len(folded) == 1:
        return folded[0]
    known = ", ".join(f"{k} ({sum(x.quantity for x in v)})" for k, v in lines.items())
    raise ValidationError("items", _("{order} has no item {item}; its items: {items}").format(
        order=order.display_name, item=repr(key), items=known))
