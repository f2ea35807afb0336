"""What goes back to the shop, through the outbox like a supplier action, exactly once:
tracking when a linked supplier order ships (a fulfillment of that order's lines at the
shop, or new tracking on the fulfillment it has), and refunds the merchant makes in
ordertui.

Each is queued under a key that says what it is (``shop-fulfill:<order>:<tracking
number>``), so that two sessions, two syncs or a sync after a crash never queue it twice;
the runner sends it (``ShopTarget``), and after a send whose outcome is unknown reads the
shop's order before sending again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ordertui.adapters import Applied
from ordertui.domain.errors import OrdertuiError
from ordertui.domain.models import Order, SyncEvent
from ordertui.domain.money import Money
from ordertui.domain.shop import (
    FulfillmentStatus,
    ShopActionKind,
    ShopCapability,
    ShopFulfillment,
    ShopOrder,
    ShopRefund,
)
from ordertui.domain.states import in_sentence
from ordertui.i18n import _
from ordertui.services import kept as k
from ordertui.shops.base import ShopAction, TrackingPush
from ordertui.store.connection import store_work
from ordertui.store.dialect import IntegrityError
from ordertui.store.outbox import FAILED, OutboxEntry
from ordertui.store.shop_orders import Link

if TYPE_CHECKING:
    from ordertui.services.core import Services
    from ordertui.services.runner import OutboxRunner
    from ordertui.store import Store

log = logging.getLogger(__name__)

#: how many supplier orders the tracking pass reads together
TRACKING_BATCH = 200


def linked_orders(store: Store, order_ids: Sequence[int], batch: int
                  ) -> Iterator[tuple[Order, Link, ShopOrder, bool]]:
    """Those of ``order_ids`` linked to a shop order: each order, its link, its shop order
    and whether it is that shop order's only supplier order, read ``batch`` at a time with
    a few queries each (not several per order: a shared store is a network away)."""
    for start in range(0, len(order_ids), batch):
        part = order_ids[start:start + batch]
        links = store.links_of_orders(part)
        shops = store.shop_orders_by_id(x.shop_order for x in links.values())
        shared = store.links_of_shop_orders(shops)
        orders = {o.id: o for o in store.load_orders(list(links))}
        for order_id in part:
            link = links.get(order_id)
            shop = shops.get(link.shop_order) if link is not None else None
            order = orders.get(order_id)
            if link is not None and shop is not None and order is not None:
                yield order, link, shop, len(shared.get(link.shop_order, [])) == 1


def shipped_lines(order: Order, shop: ShopOrder, link: Link, alone: bool
                  ) -> list[tuple[str, int]]:
    """The shop lines (id, quantity) this supplier order sent: its matched lines with the
    quantity supplied (never more than the shop line's); all of the shop order's lines when
    it is the shop order's only supplier order and its lines are not known."""
    if link.lines:
        found = []
        for n, line_id in sorted(link.lines.items()):
            line = shop.line(line_id)
            if line is not None and 0 <= n < len(order.items):
                found.append((line_id, min(order.items[n].quantity, line.quantity)))
        return found
    return [(x.line_id, x.quantity) for x in shop.lines] if alone else []


class ShopPush:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.store = services.store

    # --- tracking -----------------------------------------------------------------------
    @store_work
    def tracking_pass(self, order_ids: Iterable[int]) -> int:
        """Queue the tracking of these supplier orders for their shops where it is not
        there yet. Returns how many actions were queued."""
        queued = 0
        for order, link, shop, alone in linked_orders(self.store, list(order_ids),
                                                      TRACKING_BATCH):
            with contextlib.suppress(OrdertuiError):
                queued += self._tracking(order, link, shop, alone)
        return queued

    def _tracking(self, order: Order, link: Link, shop: ShopOrder, alone: bool) -> int:
        order_id = order.id
        assert order_id is not None
        if not order.tracking_number or shop.cancelled_at is not None:
            return 0
        adapter = self.services.shops.adapter(shop.shop)
        if not adapter.push_tracking or not adapter.can(ShopCapability.FULFILL):
            return 0
        if any(f.number == order.tracking_number for f in shop.fulfillments):
            return 0  # the shop has it (sent by ordertui, or by the merchant)
        lines = shipped_lines(order, shop, link, alone)
        if not lines:
            return 0
        mine = _fulfillment_of(shop, {line_id for line_id, _ in lines})
        payload: dict[str, Any] = {
            "shop_order": shop.id, "shop_order_id": shop.shop_order_id, "name": shop.name,
            "lines": [list(x) for x in lines], "company": order.carrier,
            "number": order.tracking_number, "url": order.tracking_url}
        if mine is not None:
            if not adapter.can(ShopCapability.UPDATE_TRACKING):
                return 0
            kind = ShopActionKind.TRACKING
            payload["fulfillment_id"] = mine.fulfillment_id
        elif shop.fulfillment_status is FulfillmentStatus.FULFILLED:
            return 0  # fulfilled at the shop already: never fulfilled twice
        else:
            kind = ShopActionKind.FULFILL
        key = f"{kind.value.replace('_', '-')}:{order_id}:{order.tracking_number}"
        return self._queue(order_id, shop.shop, kind, key, payload,
                           k.kept(k.QUEUED_TRACKING, carrier=order.carrier,
                                  tracking=order.tracking_number, shop_order=shop.name))

    def _queue(self, order_id: int, shop: str, kind: ShopActionKind, key: str,
               payload: dict[str, Any], detail: str) -> int:
        now = int(self.services.clock().timestamp())
        with self.store.write() as con:
            if self.store.outbox.by_key(key) is not None:
                return 0  # queued before (by this session or another)
            try:
                with self.store.attempt():
                    self.store.outbox.enqueue(con, key=key, order_id=order_id, supplier=shop,
                                              action=kind, payload=payload, now=now)
            except IntegrityError:
                return 0
            self.store.audit(order_id, "ordertui", kind.value, detail)
        self.services.wake_outbox()
        return 1

    # --- refunds --------------------------------------------------------------------------
    def queue_refund(self, con: sqlite3.Connection, order_id: int, refund_id: int,
                     amount: Money, note: str, now: int) -> bool:
        """Within the transaction that records a refund: queue it for the order's shop, when
        the order is linked and the shop refunds by API. True when queued."""
        link = self.store.link_of(order_id)
        shop = self.store.shop_order(link.shop_order) if link is not None else None
        if shop is None:
            return False
        adapter = self.services.shops.adapter(shop.shop)
        if not adapter.can(ShopCapability.REFUND):
            return False
        self.store.outbox.enqueue(
            con, key=f"shop-refund:{refund_id}", order_id=order_id, supplier=shop.shop,
            action=ShopActionKind.REFUND,
            payload={"shop_order": shop.id, "shop_order_id": shop.shop_order_id,
                     "name": shop.name, "refund": refund_id, "amount": amount.plain(),
                     "currency": amount.currency, "note": note}, now=now)
        return True


def _fulfillment_of(shop: ShopOrder, lines: set[str]) -> ShopFulfillment | None:
    """The shop's fulfillment that sent these lines, if one did."""
    for f in shop.fulfillments:
        if f.status != "cancelled" and lines & {line_id for line_id, _ in f.lines}:
            return f
    return None


class ShopTarget:
    """An outbox entry for the shop, as the runner sends it."""

    def __init__(self, runner: OutboxRunner, entry: OutboxEntry, order: Order) -> None:
        self.runner, self.entry, self.order = runner, entry, order
        self.services = runner.services
        self.store = self.services.store
        assert isinstance(entry.action, ShopActionKind)
        self.kind: ShopActionKind = entry.action
        self.adapter = self.services.shops.adapter(entry.supplier)
        self.name = f"the shop {entry.supplier}"
        shop = self.store.shop_order(int(entry.payload["shop_order"]))
        if shop is None:  # kept as the outbox entry's error, in English (``kept``)
            raise OrdertuiError(k.kept(k.SHOP_ORDER_GONE,
                                       shop_order=entry.payload.get("name", "")))
        self.shop: ShopOrder = shop

    def _action(self) -> ShopAction:
        return ShopAction(self.kind.value, self.entry.key, self.shop.shop_order_id,
                          self.entry.payload)

    def _tracking(self) -> TrackingPush:
        p = self.entry.payload
        return TrackingPush(p.get("company", ""), p["number"], p.get("url", ""))

    async def was_applied(self) -> bool:
        return await self.adapter.was_applied(self._action(), self.shop) is Applied.YES

    async def send(self) -> ShopFulfillment | ShopRefund:
        p, key = self.entry.payload, self.entry.key
        if self.kind is ShopActionKind.FULFILL:
            lines = [(str(a), int(b)) for a, b in p["lines"]]
            return await self.adapter.create_fulfillment(self.shop, lines, self._tracking(),
                                                         key)
        if self.kind is ShopActionKind.TRACKING:
            return await self.adapter.update_tracking(self.shop, p["fulfillment_id"],
                                                      self._tracking(), key)
        return await self.adapter.create_refund(
            self.shop, Money(Decimal(p["amount"]), p["currency"]), p.get("note", ""), key)

    def merge(self, result: ShopFulfillment | ShopRefund) -> None:
        """Keep what the shop now has, so that nothing is pushed twice before the next sync
        brings the shop's order as it is."""
        shop = self.store.shop_order(self.shop.id or 0) or self.shop
        if isinstance(result, ShopRefund):
            shop.refunds = [r for r in shop.refunds if r.refund_id != result.refund_id]
            shop.refunds.append(result)
            self.services.returns.db.set_refund_shop_id(int(self.entry.payload["refund"]),
                                                         result.refund_id)
        else:
            shop.fulfillments = [f for f in shop.fulfillments
                                 if f.fulfillment_id != result.fulfillment_id]
            shop.fulfillments.append(result)
        self.store.apply_shop_page(shop.shop, [shop], None, keep_cursor=True)

    async def refresh(self) -> None:
        with contextlib.suppress(OrdertuiError):
            fresh = await self.adapter.get_order(self.shop.shop_order_id)
            await asyncio.to_thread(self.store.apply_shop_page, fresh.shop, [fresh], None,
                                    keep_cursor=True)

    async def refused(self, message: str) -> list[SyncEvent]:
        """The shop said no: a refund it refused was not made, so it is taken back here."""
        entry, order = self.entry, self.order
        assert order.id is not None
        if self.kind is ShopActionKind.REFUND:
            self.services.returns.db.delete_refund(int(entry.payload["refund"]))
        self.store.outbox.finish(entry.id, FAILED, now=self.runner.now(), error=message)
        self.store.audit(order.id, f"shop:{entry.supplier}", f"{self.kind.value} refused",
                         message)
        refused = SyncEvent(order.id, order.display_name, "refused", None,
                            _("the shop {shop} refused: {action}").format(
                                shop=entry.supplier, action=in_sentence(self.kind.label)), message)
        self.store.record_news([refused])
        await self.refresh()
        return [refused]
