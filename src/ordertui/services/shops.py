"""The merchant's shops, behind the one door: their adapters, syncing their orders, linking
supplier orders to the shop orders they were placed for, and a linked order's money as the
shop sold it (revenue in the shop's currency, the supplier's cost converted to it).

Linking is automatic only where the supplier names the shop order (CJ's ``orderNum``);
otherwise the shop orders that may be the one are suggested and the merchant confirms
(``link``), or turns a suggestion down (``refuse``) so it is not proposed again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from ordertui.adapters import AdapterContext
from ordertui.domain import linking
from ordertui.domain.errors import OrdertuiError, ValidationError
from ordertui.domain.fx import Rate
from ordertui.domain.models import Order
from ordertui.domain.money import Money
from ordertui.domain.returns import Refund
from ordertui.domain.roles import Permission
from ordertui.domain.shop import (
    FulfillmentStatus,
    LinkSource,
    LinkSuggestion,
    ShopActionKind,
    ShopLink,
    ShopOrder,
    ShopQuery,
    ShopRef,
)
from ordertui.i18n import _
from ordertui.services import kept as k
from ordertui.services.shop_push import ShopPush, linked_orders
from ordertui.shops.base import ShopAdapter
from ordertui.shops.registry import adapter_class
from ordertui.store.connection import store_work
from ordertui.store.shop_orders import Link

if TYPE_CHECKING:  # the services object that composes this one
    from ordertui.services.core import Services

log = logging.getLogger(__name__)

#: shop orders linked and priced in one transaction (short enough not to hold up a screen's
#: own writes, long enough that a first import of 100,000 is not 100,000 commits)
LINK_BATCH = 200


@dataclass(slots=True)
class ShopSyncProgress:
    shop: str
    done: int
    total: int | None


@dataclass(slots=True)
class ShopSyncReport:
    orders: int = 0
    linked: int = 0  # supplier orders linked automatically on the way
    pushed: int = 0  # tracking queued for the shop (orders linked on the way, shipped)
    errors: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


class ShopService:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.store = services.store
        self._adapters: dict[str, ShopAdapter] = {}
        #: tracking and refunds on their way back to the shops
        self.push = ShopPush(services)

    # --- the shops --------------------------------------------------------------------
    def names(self) -> list[str]:
        return list(self.services.config.shops)

    def adapter(self, name: str) -> ShopAdapter:
        if name not in self._adapters:
            sc = self.services.config.shops.get(name)
            if sc is None:
                configured = ", ".join(self.services.config.shops) or _("none")
                raise OrdertuiError(_("no shop named {name} in {path}; configured: {shops}"
                                      ).format(name=repr(name), path=self.services.config.path,
                                               shops=configured))
            cls = adapter_class(sc.kind)
            context = AdapterContext(directory=self.services.data_dir / "shops" / name,
                                     clock=self.services.clock,
                                     config_path=self.services.config.path,
                                     shared=self.services.shared_state())
            context.directory.mkdir(parents=True, exist_ok=True)
            self._adapters[name] = cls(name, sc.settings, context)
        return self._adapters[name]

    async def aclose(self) -> None:
        for adapter in self._adapters.values():
            await adapter.aclose()
        self._adapters.clear()

    # --- syncing ----------------------------------------------------------------------
    async def sync(self, shop: str | None = None,
                   progress: Callable[[ShopSyncProgress], None] | None = None, *,
                   page_size: int = 50) -> ShopSyncReport:
        """Bring each shop's orders changed since its cursor, then link what can be linked
        and price the linked supplier orders anew."""
        self.services.require(Permission.SYNC)
        report = ShopSyncReport()
        started = time.monotonic()
        for name in [shop] if shop else self.names():
            adapter = self.adapter(name)
            await asyncio.to_thread(self.store.shop_sync_started, name)
            changed: list[int] = []
            try:
                cursor = self.store.shop_cursor(name)
                done = 0
                while True:
                    page = await adapter.list_orders(cursor, page_size=page_size)
                    changed += await asyncio.to_thread(self.store.apply_shop_page, name,
                                                       page.orders, page.cursor)
                    cursor = page.cursor
                    done += len(page.orders)
                    if progress is not None:
                        progress(ShopSyncProgress(name, done, page.total))
                    if not page.more:
                        break
            except OrdertuiError as exc:
                await asyncio.to_thread(self.store.shop_sync_finished, name, str(exc))
                report.errors[name] = str(exc)
            else:
                await asyncio.to_thread(self.store.shop_sync_finished, name)
            report.orders += len(changed)
            linked = await asyncio.to_thread(self.after_shop_changes, changed)
            report.linked += len(linked)
            report.pushed += await asyncio.to_thread(self.push.tracking_pass, linked)
        report.seconds = time.monotonic() - started
        return report

    @store_work
    def after_shop_changes(self, shop_orders: list[int]) -> list[int]:
        """Shop orders came or changed: link the supplier orders that name them, price the
        linked ones anew. Returns the supplier orders linked now."""
        made = []
        for start in range(0, len(shop_orders), LINK_BATCH):
            with self.store.write():  # a batch in one transaction: a first import is large
                for shop_order in shop_orders[start:start + LINK_BATCH]:
                    made += self._shop_order_changed(shop_order)
        return made

    def _shop_order_changed(self, shop_order: int) -> list[int]:
        s = self.store.shop_order(shop_order)
        if s is None:
            return []
        made = []
        linked = {x.order_id for x in self.store.links_of_shop_order(shop_order)}
        for order_id in self.store.order_ids_named(s.name):
            if order_id not in linked and self.store.link_of(order_id) is None \
                    and self._auto_link(self.store.get_order(order_id)):
                made.append(order_id)
        self.refresh_money([x.order_id for x in self.store.links_of_shop_order(shop_order)])
        self.read_back_refunds(s)
        return made

    @store_work
    def link_pass(self, order_ids: list[int] | None = None) -> int:
        """Link the supplier orders that name their shop order (after a supplier sync).
        Returns how many were linked."""
        ids = order_ids if order_ids is not None else self.store.unlinked_order_ids()
        made = 0
        # in batches, each read with a few queries: a sync that changed ten thousand orders
        # must not ask the store ten times per order (a shared store is a network away)
        for start in range(0, len(ids), LINK_BATCH):
            batch = ids[start:start + LINK_BATCH]
            links = self.store.links_of_orders(batch)
            unlinked = [i for i in batch if i not in links]
            if unlinked:
                made += sum(self._auto_link(o) for o in self.store.load_orders(unlinked))
                links = self.store.links_of_orders(batch)
            linked = [i for i in batch if i in links]
            for order_id in linked:
                self._match_lines(order_id, links[order_id])
            self.refresh_money(linked)
        return made

    def _match_lines(self, order_id: int, link: Link | None = None) -> None:
        """Lines that came after the link (a supplier that lists orders without them, like
        CJ, gives them with the order's details): matched to the shop's lines now."""
        link = link if link is not None else self.store.link_of(order_id)
        if link is None or link.lines:
            return
        shop = self.store.shop_order(link.shop_order)
        order = self.store.get_order(order_id)
        if shop is None or shop.id is None or not order.items:
            return
        taken = [line for x in self.store.links_of_shop_order(shop.id)
                 if x.order_id != order_id for line in x.lines.values()]
        lines = linking.match_lines(order.items, shop, taken)
        if lines:
            self.store.link(order_id, shop.id, link.source, lines)

    def _auto_link(self, order: Order) -> int:
        assert order.id is not None
        shop = linking.reference(order, self._named(order.name))
        if shop is None or shop.id is None or shop.id in self.store.refused_links(order.id):
            return 0  # an unlinked pair is not linked again by itself
        self._link(order, shop, LinkSource.AUTO)
        return 1

    def _named(self, name: str) -> list[ShopOrder]:
        number = linking.order_number(name)
        if not number:
            return []
        return self.store.shop_orders_named(f"#{number}") + self.store.shop_orders_named(number)

    def _link(self, order: Order, shop: ShopOrder, source: LinkSource) -> None:
        assert order.id is not None and shop.id is not None
        taken = [line for x in self.store.links_of_shop_order(shop.id)
                 if x.order_id != order.id for line in x.lines.values()]
        lines = linking.match_lines(order.items, shop, taken)
        self.store.link(order.id, shop.id, source, lines)
        self.store.audit(order.id, "merchant" if source is LinkSource.MANUAL else "ordertui",
                         k.kept(k.LINKED),
                         k.kept(k.LINKED_BY_YOU if source is LinkSource.MANUAL else k.LINKED_TO,
                                shop_order=shop.name, shop=shop.shop))

    # --- the merchant's links ---------------------------------------------------------
    def suggestions(self, order_id: int) -> list[LinkSuggestion]:
        """Shop orders that may be the one this supplier order was placed for, best first."""
        order = self.store.get_order(order_id)
        around = int(order.created_at.timestamp())
        window = int(linking.PLACED_WITHIN.total_seconds())
        near = self.store.shop_orders_near(order.customer.address.zip, around - window,
                                           around + window)
        named = self._named(order.name)
        seen: dict[int | None, ShopOrder] = {s.id: s for s in near + named}
        return linking.suggest(order, seen.values(),
                               refused=self.store.refused_links(order_id))

    def link(self, order_id: int, ref: str) -> ShopOrder:
        """Link a supplier order to the shop order ``ref`` names: its name ("#1042"), the
        shop's id, or ordertui's id of it. Raises ``ValidationError`` (field shop_order)."""
        self.services.require(Permission.LINK)
        shop = self.find_shop_order(ref)
        assert shop.id is not None
        with self.store.write():
            self.store.allow_link(order_id, shop.id)
            self._link(self.store.get_order(order_id), shop, LinkSource.MANUAL)
        self.refresh_money([order_id])
        return shop

    def unlink(self, order_id: int) -> bool:
        """Undo the order's link; the pair is remembered as refused, so that neither the
        automatic pass nor the suggestions bring it back (linking it by hand does)."""
        self.services.require(Permission.LINK)
        link = self.store.link_of(order_id)
        if link is None:
            return False
        shop = self.store.shop_order(link.shop_order)
        with self.store.write():
            self.store.unlink(order_id)
            self.store.refuse_link(order_id, link.shop_order)
            self.store.audit(order_id, "merchant", k.kept(k.UNLINKED),
                             k.kept(k.UNLINKED_FROM, shop_order=shop.name) if shop
                             else k.kept(k.UNLINKED_FROM_UNKNOWN))
        return True

    def refuse(self, order_id: int, shop_order: int) -> None:
        """Not this shop order: it is suggested for ``order_id`` no more."""
        self.services.require(Permission.LINK)
        self.store.refuse_link(order_id, shop_order)

    def find_shop_order(self, ref: str) -> ShopOrder:
        ref = ref.strip()
        found: list[ShopOrder] = []
        if ref.startswith("gid://") or "/" in ref:
            found = [s for name in self.names()
                     if (i := self.store.shop_order_ref(name, ref)) is not None
                     and (s := self.store.shop_order(i)) is not None]
        if not found:
            found = self._named(ref)
        if not found and ref.isdigit():
            s = self.store.shop_order(int(ref))
            found = [s] if s is not None else []
        if not found:
            raise ValidationError("shop_order", _(
                "no shop order {ref}; give its name (#1042) or the shop's id; `ordertui sync` "
                "brings new ones").format(ref=repr(ref)))
        if len(found) > 1:
            raise ValidationError("shop_order", _(
                "{ref} names orders in several shops ({orders}); give the shop's id").format(
                    ref=repr(ref),
                    orders=", ".join(f"{s.shop}: {s.shop_order_id}" for s in found)))
        return found[0]

    # --- money ------------------------------------------------------------------------
    def refresh_money(self, order_ids: list[int]) -> None:
        """Price linked supplier orders as their shop sold them (what is priced as it was
        already is not written again)."""
        for order, link, shop, alone in linked_orders(self.store, order_ids, LINK_BATCH):
            if link.lines:
                revenue = linking.revenue(order.items, shop, link.lines)
            elif alone:  # its lines are not known yet (or match none): the whole shop order
                revenue = linking.whole(shop)
            else:
                log.info("%s: no line matched in %s, which other supplier orders share; "
                         "its revenue waits for its lines", order.display_name, shop.name)
                continue
            cost, _rate = self.convert(order.total_cost, shop.currency, order.created_at.date())
            if (order.revenue, order.cost_converted) != (revenue, cost):
                self.store.set_order_money(link.order_id, revenue, cost)

    async def settle_rates(self) -> str:
        """Fetch the exchange rates that linked orders in another currency than their shop's
        lack (the ECB's, at most once a day per file) and price those orders anew. Returns
        the fetch's one-line error, "" when there was none: profit stays unknown until a
        later sync succeeds, never guessed."""
        missing = await asyncio.to_thread(self.store.orders_without_rate)
        if not missing:
            return ""
        result = await self.services.fx.refresh({day for _, day in missing})
        if result.stored:
            await asyncio.to_thread(self.refresh_money, [order_id for order_id, _ in missing])
        return result.error

    def convert(self, amount: Money, to: str, day: date) -> tuple[Money | None, Rate | str]:
        """``amount`` in the currency ``to`` at the rate of ``day`` (the supplier order's),
        with the rate used; or None with why no rate is known (one line)."""
        found = self.services.fx.rate(amount.currency, to, day)
        if found is None:
            return None, self.services.fx.reason(amount.currency, to, day)
        return found.apply(amount), found

    def named(self, order: Order) -> Order:
        """``order`` with the lines its supplier gave no SKU or name for named as the shop
        lines they fulfil (for a linked order; as it is otherwise)."""
        link = self.store.link_of(order.id) if order.id is not None else None
        shop = self.store.shop_order(link.shop_order) if link is not None else None
        if link is None or shop is None or not link.lines \
                or all(i.sku.strip() for i in order.items):
            return order
        return replace(order, items=linking.named_items(order.items, shop, link.lines))

    def shop_link(self, order_id: int, order: Order | None = None) -> ShopLink | None:
        """The order's shop order and its money as the shop sold it, for the details
        (``order``: the order as the caller read it in the same snapshot)."""
        link = self.store.link_of(order_id)
        shop = self.store.shop_order(link.shop_order) if link is not None else None
        money = self.store.order_money(order_id)
        if link is None or shop is None or money is None:
            return None
        revenue, cost = money
        order = order if order is not None else self.store.get_order(order_id)
        _converted, rate = self.convert(order.total_cost, shop.currency,
                                        order.created_at.date())
        return ShopLink(shop=shop.shop, shop_order_id=shop.shop_order_id, name=shop.name,
                        source=link.source, currency=shop.currency, revenue=revenue,
                        cost=cost, rate=rate.rate if isinstance(rate, Rate) else None,
                        rate_note=rate.source if isinstance(rate, Rate) else rate,
                        tracking=self._tracking_words(order, shop),
                        url=self.adapter(shop.shop).web_url(shop) or ""
                        if shop.shop in self.services.config.shops else shop.url)

    def _tracking_words(self, order: Order, shop: ShopOrder) -> str:
        """Whether the shop has this order's tracking, in words."""
        if not order.tracking_number:
            return _("no tracking yet: it goes to the shop when the supplier ships")
        if any(f.number == order.tracking_number for f in shop.fulfillments):
            return _("the shop has the tracking")
        assert order.id is not None
        for entry in self.store.outbox.entries(order_id=order.id,
                                               states=("pending", "sending", "failed")):
            if entry.action in (ShopActionKind.FULFILL, ShopActionKind.TRACKING) and \
                    entry.payload.get("number") == order.tracking_number:
                if entry.state == "failed":
                    return _("the shop refused the tracking: {error}").format(
                        error=k.shown(entry.last_error))
                return _("the tracking is on its way to the shop")
        if shop.shop in self.services.config.shops and \
                not self.adapter(shop.shop).push_tracking:
            return _("not sent: push_tracking is off for this shop")
        if shop.fulfillment_status is FulfillmentStatus.FULFILLED:
            return _("the shop order was fulfilled in the shop, with other tracking")
        return _("not sent to the shop yet (the next sync sends it)")

    # --- refunds ---------------------------------------------------------------------------
    def refundable(self, order_id: int) -> Money | None:
        """What the shop can still refund on the order's shop order (None: not linked):
        what its customer paid less what the shop refunded and the refunds on their way
        there from any of its supplier orders."""
        link = self.store.link_of(order_id)
        shop = self.store.shop_order(link.shop_order) if link is not None else None
        if link is None or shop is None:
            return None
        queued = Money.zero(shop.currency)
        for x in self.store.links_of_shop_order(link.shop_order):
            for r in self.services.returns.db.refunds_for(x.order_id):
                if not r.shop_refund_id and r.amount.currency == shop.currency:
                    queued = queued + r.amount
        return shop.total - shop.refunded - queued

    def read_back_refunds(self, shop: ShopOrder) -> int:
        """Refunds made in the shop's own admin: counted on the shop order's (first) supplier
        order, once each. Returns how many were new."""
        links = self.store.links_of_shop_order(shop.id or 0)
        if not links or not shop.refunds:
            return 0
        db = self.services.returns.db
        known = set().union(*(db.shop_refund_ids(x.order_id) for x in links))
        # refunds made here and sent, whose answer has not come back yet (a send whose
        # outcome was unknown): the shop's refund is theirs, not another one
        waiting = [r for x in links for r in db.refunds_for(x.order_id) if not r.shop_refund_id]
        new = 0
        for r in shop.refunds:
            if r.refund_id in known:
                continue
            mine = next((w for w in waiting if w.amount == r.amount), None)
            if mine is not None and mine.id is not None:
                waiting.remove(mine)
                db.set_refund_shop_id(mine.id, r.refund_id)
                continue
            with self.store.write():
                self.services.returns.db.insert_refund(Refund(
                    order_id=links[0].order_id, amount=r.amount, at=r.at,
                    reason=k.kept(k.REFUNDED_IN_SHOP_NOTE if r.note else k.REFUNDED_IN_SHOP,
                                  note=r.note),
                    item_returned=False, shop_refund_id=r.refund_id))
                self.store.audit(links[0].order_id, f"shop:{shop.shop}", k.kept(k.REFUND),
                                 k.kept(k.SHOP_REFUND_READ, amount=r.amount,
                                        shop_order=shop.name))
            new += 1
        return new

    # --- the shop orders, for the screens and commands ------------------------------------
    def shop_orders(self, q: ShopQuery, *, limit: int = 500) -> list[ShopOrder]:
        return self.store.shop_orders(q, limit=limit)

    def count_shop_orders(self, q: ShopQuery) -> int:
        return self.store.count_shop_orders(q)

    def refs(self, order_ids: list[int]) -> dict[int, ShopRef]:
        """The shop order each of these supplier orders is linked to."""
        return self.store.shop_refs(order_ids)

    def linked_orders(self, shop_orders: list[int]) -> dict[int, list[int]]:
        return self.store.linked_order_ids(shop_orders)

