"""Bringing the local store up to date with the suppliers: incremental, resumable (the cursor
is stored with each page), with progress reports."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ordertui.domain.capabilities import Capability
from ordertui.domain.errors import (
    OrdertuiError,
    SupplierError,
    SupplierNotFound,
    SupplierRateLimited,
    SupplierRejected,
    ValidationError,
)
from ordertui.domain.models import Order, SyncEvent
from ordertui.i18n import _

if TYPE_CHECKING:
    from ordertui.services.core import Services

RETRY_AFTER_ERROR_S = 60


@dataclass(slots=True)
class SyncProgress:
    supplier: str
    done: int
    total: int | None

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        return min(self.done / self.total, 1.0)


@dataclass(slots=True)
class SyncReport:
    orders: int = 0
    events: list[SyncEvent] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    shop_orders: int = 0  # shop orders brought
    linked: int = 0  # supplier orders linked to their shop orders on the way
    pushed: int = 0  # tracking queued for the shops
    notes: list[str] = field(default_factory=list)  # one line each, not failures (rates)


async def sync(services: Services, supplier: str | None = None,
               progress: Callable[[SyncProgress], None] | None = None,
               *, page_size: int = 500, shop: str | None = None) -> SyncReport:
    """The suppliers' orders (``supplier``: one), then the shops' (``shop``: one; with only
    a supplier named, none), linking what they bring and queueing tracking for the shops."""
    report = SyncReport()
    started = time.monotonic()
    since = int(time.time())
    names = [supplier] if supplier else [] if shop else services.supplier_names()
    store = services.store
    for name in names:
        adapter = services.adapter(name)
        await asyncio.to_thread(store.sync_started, name)
        try:
            if adapter.can(Capability.LIST_ORDERS):
                cursor = store.sync_cursor(name)
                done = 0
                while True:
                    page = await adapter.list_orders(cursor, page_size=page_size)
                    events = await asyncio.to_thread(store.apply_sync_page, name, page.orders,
                                                     page.cursor)
                    report.events.extend(events)
                    cursor = page.cursor
                    done += len(page.orders)
                    report.orders += len(page.orders)
                    if progress is not None:
                        progress(SyncProgress(name, done, page.total))
                    if not page.more:
                        break
            elif adapter.can(Capability.GET_ORDER):
                ids = await asyncio.to_thread(store.active_supplier_order_ids, name)
                n = await _refresh(services, name, ids, report, progress)
                report.orders += n
        except SupplierError as exc:
            retry = exc.retry_after if isinstance(exc, SupplierRateLimited) and \
                exc.retry_after else RETRY_AFTER_ERROR_S
            await asyncio.to_thread(store.sync_finished, name, str(exc),
                                    int(time.time() + (retry or RETRY_AFTER_ERROR_S)))
            report.errors[name] = str(exc)
            continue
        await asyncio.to_thread(store.sync_finished, name)
    if names and services.config.shops:
        synced = await asyncio.to_thread(store.orders_synced_since, since)
        report.linked += await asyncio.to_thread(services.shops.link_pass, synced)
        report.pushed += await asyncio.to_thread(services.shops.push.tracking_pass, synced)
    for name in [shop] if shop else [] if supplier else services.shops.names():
        shop_report = await services.shops.sync(
            name, (lambda p: progress(SyncProgress(p.shop, p.done, p.total)))
            if progress is not None else None)
        report.shop_orders += shop_report.orders
        report.linked += shop_report.linked
        report.pushed += shop_report.pushed
        report.errors.update(shop_report.errors)
    if services.config.shops:
        note = await services.shops.settle_rates()
        if note:
            report.notes.append(note)
    report.seconds = time.monotonic() - started
    return report


async def _refresh(services: Services, name: str, ids: list[str], report: SyncReport,
                   progress: Callable[[SyncProgress], None] | None) -> int:
    """For suppliers without an order list: read each known order by its id."""
    adapter = services.adapter(name)
    batch: list[Order] = []
    done = 0
    for soid in ids:
        batch.append(await adapter.get_order(soid))
        done += 1
        if len(batch) >= 20 or done == len(ids):
            report.events.extend(await asyncio.to_thread(
                services.store.apply_sync_page, name, batch, None))
            batch = []
            if progress is not None:
                progress(SyncProgress(name, done, len(ids)))
    return done


@dataclass(slots=True)
class AddReport:
    """What adding orders by id did: the orders found (stored), and why each other id was
    not added."""

    orders: list[Order] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def split_ids(ids: str | Iterable[str]) -> list[str]:
    """Order ids as a merchant pastes them (separated by spaces, commas, semicolons or line
    breaks), each once, in the order given."""
    text = ids if isinstance(ids, str) else " ".join(ids)
    return list(dict.fromkeys(t for t in re.split(r"[\s,;]+", text) if t))


async def add_orders(services: Services, supplier: str, ids: str | Iterable[str],
                     progress: Callable[[SyncProgress], None] | None = None) -> AddReport:
    """Add orders the merchant names by the supplier's id (suppliers with no order list).

    An id the supplier does not know or refuses is reported and the others are still added;
    when the supplier fails (unreachable, throttling, a broken answer), the orders found so
    far are kept and the error is raised."""
    adapter = services.adapter(supplier)
    if not adapter.can(Capability.GET_ORDER):
        raise OrdertuiError(_("{supplier} cannot look up orders by id").format(
            supplier=supplier))
    wanted = split_ids(ids)
    if not wanted:
        raise ValidationError("ids", _("give at least one of the supplier's order ids"))
    report = AddReport()
    try:
        for done, soid in enumerate(wanted, 1):
            try:
                report.orders.append(await adapter.get_order(soid))
            except (SupplierNotFound, SupplierRejected) as exc:  # this id; the rest go on
                report.failed[soid] = str(exc)
            if progress is not None:
                progress(SyncProgress(supplier, done, len(wanted)))
    finally:
        if report.orders:
            await asyncio.to_thread(services.store.apply_sync_page, supplier, report.orders,
                                    None)
    return report
