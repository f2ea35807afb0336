"""The demo shop: the shop the demo supplier's orders were placed for, so that a newcomer
can try the shop's side (orders waiting to be ordered, tracking pushed to the customer,
refunds) without an account. Its back office (``ordertui.simulators.demo.shop``) runs
in-process over the demo supplier's own back office, keeps its state beside it, and is
called on a worker thread as a remote shop would be; nothing goes over the network.

Settings: ``supplier``, the name of the demo supplier whose shop it is (``[shops.demo]``
comes with the demo supplier: ``supplier = "demo"``), and the shop settings every adapter
has (``notify_customer``, ``push_tracking``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from ordertui.adapters import AdapterContext, Applied
from ordertui.domain.errors import (
    OrdertuiError,
    SupplierNotFound,
    SupplierRejected,
    SupplierUnavailable,
)
from ordertui.domain.money import Money
from ordertui.domain.shop import (
    ShopCapability,
    ShopFulfillment,
    ShopLine,
    ShopOrder,
    ShopRefund,
)
from ordertui.i18n import N_, _
from ordertui.shops.base import ShopAction, ShopAdapter, ShopOrderPage, TrackingPush
from ordertui.simulators.demo import DemoEngine
from ordertui.simulators.demo.shop import DemoShopOffice, ShopOrderUnknown, ShopRefused
from ordertui.simulators.demo.shop_orders import (
    ShopFulfillmentRecord,
    ShopOrderRecord,
    ShopRefundRecord,
)

T = TypeVar("T")


def supplier_directory(context: AdapterContext, supplier: str) -> Path:
    """The demo supplier's own directory, ``<data>/suppliers/<supplier>``, from the shop's
    (``<data>/shops/<name>``): where its back office and the shop's state live."""
    return context.directory.parent.parent / "suppliers" / supplier


class DemoShop(ShopAdapter):
    kind = "demo"
    title = N_("Demo shop")  # translated where shown: _(title)
    capabilities: ClassVar[frozenset[ShopCapability]] = frozenset(ShopCapability)
    is_demo = True

    def __init__(self, name: str, settings: Mapping[str, Any], context: AdapterContext) -> None:
        super().__init__(name, settings, context)
        self.supplier = str(settings.get("supplier") or "demo")
        engine = DemoEngine(supplier_directory(context, self.supplier) / "state.sqlite3",
                            supplier=self.supplier)
        self.office = DemoShopOffice(engine, clock=lambda: context.clock().timestamp())

    @classmethod
    def validate_settings(cls, settings: Mapping[str, Any]) -> list[tuple[str, str]]:
        supplier = settings.get("supplier", "demo")
        if not isinstance(supplier, str) or not supplier:
            return [("supplier", _("supplier must name the demo supplier whose shop this is, "
                                   "like supplier = \"demo\""))]
        return []

    def web_url(self, order: ShopOrder) -> str | None:
        return None  # the demo shop has no admin pages

    async def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except ShopOrderUnknown as exc:
            raise SupplierNotFound(self.name, exc.message) from exc
        except ShopRefused as exc:
            raise SupplierRejected(self.name, exc.message) from exc
        except OrdertuiError as exc:  # the demo supplier has not started yet
            raise SupplierUnavailable(self.name, exc.message) from exc

    # --- reading ---------------------------------------------------------------------------
    async def list_orders(self, cursor: str | None, *, page_size: int = 50) -> ShopOrderPage:
        """Every order first, by index (``b:<next>:<t>:<seq>``, the point of the shop's last
        change when the pass began); then the orders changed after that point, by
        ``updated_at`` (``u:<t>:<seq>``)."""
        def run() -> ShopOrderPage:
            office = self.office
            at = cursor
            if at is None:
                t, seq = office.watermark()
                at = f"b:0:{t}:{seq}"
            kind, _sep, rest = at.partition(":")
            parts = [int(p) for p in rest.split(":") if p.isdigit()]
            if kind == "b" and len(parts) == 3:
                start, t, seq = parts
                records = office.page(start, page_size)
                end, total = start + len(records), office.count
                nxt = f"u:{t}:{seq}" if end >= total else f"b:{end}:{t}:{seq}"
                return ShopOrderPage([self._order(r) for r in records], nxt, True, total)
            if kind == "u" and len(parts) == 2:
                records, (t, seq), total = office.changed_since(parts[0], parts[1], page_size)
                return ShopOrderPage([self._order(r) for r in records], f"u:{t}:{seq}",
                                     total > len(records), total)
            raise OrdertuiError(_("the demo shop does not understand cursor {cursor}").format(
                cursor=repr(cursor)))
        return await self._call(run)

    async def get_order(self, shop_order_id: str) -> ShopOrder:
        return self._order(await self._call(self.office.get, shop_order_id))

    # --- writing ---------------------------------------------------------------------------
    async def create_fulfillment(self, order: ShopOrder, lines: Sequence[tuple[str, int]],
                                 tracking: TrackingPush, key: str) -> ShopFulfillment:
        def run() -> tuple[ShopOrderRecord, ShopFulfillmentRecord]:
            record = self.office.get(order.shop_order_id)
            by_id = {x.line_id: x.n for x in record.lines}
            unknown = [line_id for line_id, _q in lines if line_id not in by_id]
            if unknown:
                raise ShopRefused(_("{order} has no line {line}").format(
                    order=order.name, line=unknown[0]), ["lines"])
            return self.office.create_fulfillment(
                record.index, [(by_id[line_id], q) for line_id, q in lines],
                company=tracking.company, number=tracking.number, url=tracking.url,
                notify=self.notify_customer, key=key)
        return _fulfillment(*await self._call(run))

    async def update_tracking(self, order: ShopOrder, fulfillment_id: str,
                              tracking: TrackingPush, key: str) -> ShopFulfillment:
        return _fulfillment(*await self._call(
            self.office.update_tracking, fulfillment_id, company=tracking.company,
            number=tracking.number, url=tracking.url, notify=self.notify_customer, key=key))

    async def create_refund(self, order: ShopOrder, amount: Money, note: str,
                            key: str) -> ShopRefund:
        if amount.currency != order.currency:
            raise SupplierRejected(self.name, _(
                "the shop refunds in {currency}, not {other}").format(
                    currency=order.currency, other=amount.currency))

        def run() -> ShopRefundRecord:
            idx = self.office.index_of(order.shop_order_id)
            _order, made = self.office.create_refund(idx, amount.amount, note=note,
                                                     notify=self.notify_customer, key=key)
            return made
        made = await self._call(run)
        return ShopRefund(made.refund_id, made.created_at, Money(made.amount, order.currency),
                          made.note)

    async def was_applied(self, action: ShopAction, order: ShopOrder) -> Applied:
        found = await self._call(self.office.lookup, action.key)
        return Applied.YES if found else Applied.NO

    # --- the shop's orders as the app keeps them -------------------------------------------
    def _order(self, r: ShopOrderRecord) -> ShopOrder:
        cur = r.currency

        def money(amount: Any) -> Money:
            return Money(amount, cur)
        return ShopOrder(
            shop=self.name, shop_order_id=r.order_id, name=r.name, created_at=r.created_at,
            updated_at=r.updated_at, currency=cur, financial_status=r.financial_status,
            fulfillment_status=r.fulfillment_status,
            lines=[ShopLine(line_id=x.line_id, title=x.title, quantity=x.current_quantity,
                            unit_price=money(x.discounted),
                            total=money(x.discounted * x.current_quantity), sku=x.sku,
                            variant=x.variant, product_id=x.product_id) for x in r.lines],
            shipping=money(r.shipping), taxes=money(r.tax), total=money(r.total),
            refunded=money(r.refunded), customer=r.customer,
            discounts=money(r.discounts) if r.discounts else None,
            cancelled_at=r.cancelled_at, closed=r.closed, test=False,
            fulfillments=[_fulfillment(r, f) for f in r.fulfillments],
            refunds=[ShopRefund(x.refund_id, x.created_at, money(x.amount), x.note)
                     for x in r.refunds])


def _fulfillment(order: ShopOrderRecord, f: ShopFulfillmentRecord) -> ShopFulfillment:
    return ShopFulfillment(
        fulfillment_id=f.fulfillment_id, status=f.status.lower(), company=f.company,
        number=f.number, url=f.url,
        lines=tuple((order.lines[n].line_id, q) for n, q in f.lines), created_at=f.created_at)
