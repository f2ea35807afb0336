"""The returns stock: restocked items waiting to ship the next order of the same product
(``K``, ``x`` on an order, ``ordertui stock``). ``set_return_state`` files a restocked
return's items here under ``stock_key``.

Taking from stock checks what is there and what the order bought, and writes each use and
its audit entries in one ``BEGIN IMMEDIATE`` transaction, so two sessions cannot ship more
than the stock holds. Composed into ``ordertui.services.returns.ReturnsService``; call it as
``services.returns.use_stock(...)`` and so on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ordertui.domain.errors import ValidationError
from ordertui.domain.models import LineItem
from ordertui.domain.returns import ReturnItem, StockItem, StockUse
from ordertui.domain.roles import Permission
from ordertui.domain.rules import check_text
from ordertui.domain.states import OrderStatus
from ordertui.i18n import _
from ordertui.services import kept as k
from ordertui.store import Store
from ordertui.store.returns import ReturnsStore

if TYPE_CHECKING:
    from ordertui.services.core import Services


def stock_key(line_or_item: LineItem | ReturnItem) -> str:
    """What the returns stock files an item under: its SKU, or its title when it has none."""
    return line_or_item.sku or line_or_item.title


class StockMixin:
    """The returns stock; ``ReturnsService`` sets the attributes below."""

    services: Services
    store: Store
    db: ReturnsStore

    def stock(self, sku: str | None = None, *, include_empty: bool = False) -> list[StockItem]:
        """Restocked lots, oldest first; ``include_empty`` adds lots used up already."""
        return self.db.stock(sku=sku, include_empty=include_empty)

    def use_stock(self, sku: str, order_id: int, quantity: int = 1) -> list[StockUse]:
        """Ship ``quantity`` of ``sku`` for ``order_id`` from the returns stock, oldest lots
        first, and note it in the audit of the new order and of each order it came from.

        Raises ``ValidationError`` (fields sku, quantity, order).
        """
        self.services.require(Permission.RETURN)
        sku = check_text("sku", sku, limit=200)
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            raise ValidationError("quantity", _("the quantity must be a whole number, 1 or more"))
        order = self.store.get_order(order_id)
        if order.status is OrderStatus.CANCELLED:
            raise ValidationError("order", _("order {order} is cancelled").format(
                order=order.display_name))
        lines = [x for x in order.items if stock_key(x) == sku]
        if not lines:
            folded = [x for x in order.items if stock_key(x).casefold() == sku.casefold()]
            if not folded:
                known = ", ".join(sorted({stock_key(x) for x in order.items}))
                raise ValidationError("sku", _("{order} has no item {item}; its items: {items}"
                                               ).format(order=order.display_name, item=repr(sku),
                                                        items=known))
            lines = folded
            sku = stock_key(folded[0])
        wanted_total = sum(x.quantity for x in lines)
        now = self.services.clock()
        ts = int(now.timestamp())
        uses: list[StockUse] = []
        with self.store.write():
            lots = self.db.stock(sku=sku)
            available = sum(lot.quantity for lot in lots)
            if available == 0:
                raise ValidationError("sku", _("no {sku} in the returns stock").format(sku=sku))
            if available < quantity:
                raise ValidationError("quantity", _(
                    "only {count} of {sku} in the returns stock").format(count=available,
                                                                         sku=sku))
            shipped = sum(u.quantity for u in self.db.stock_uses_for(order_id) if u.sku == sku)
            if shipped + quantity > wanted_total:
                message = (_("{order} bought {bought} of {sku} and {shipped} already come "
                             "from stock; at most {more} more can") if shipped else
                           _("{order} bought {bought} of {sku}; at most {more} more can"))
                raise ValidationError("quantity", message.format(
                    order=order.display_name, bought=wanted_total, sku=sku, shipped=shipped,
                    more=max(wanted_total - shipped, 0)))
            need = quantity
            for lot in lots:
                if need == 0:
                    break
                take = min(need, lot.quantity)
                assert lot.id is not None
                self.db.take_stock(lot.id, take)
                use = StockUse(stock_id=lot.id, order_id=order_id, quantity=take, at=now,
                               sku=sku, from_order_id=lot.from_order_id)
                use.id = self.db.insert_stock_use(use)
                uses.append(use)
                need -= take
                self.store.audit(order_id, "merchant", k.kept(k.SHIPPED_FROM_STOCK),
                                 k.kept(k.FROM_STOCK if lot.from_order_name
                                        else k.FROM_STOCK_UNNAMED, count=take, sku=sku,
                                        order=lot.from_order_name), at=ts)
                if lot.from_order_id is not None:
                    self.store.audit(lot.from_order_id, "merchant", k.kept(k.STOCK_USED),
                                     k.kept(k.STOCK_SHIPS_WITH, count=take, sku=sku,
                                            order=order.display_name), at=ts)
        return uses

    def stock_uses(self, order_id: int) -> list[StockUse]:
        return self.db.stock_uses_for(order_id)
