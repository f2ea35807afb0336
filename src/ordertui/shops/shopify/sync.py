"""Reading a store's orders: the first import, then what changed since, a page at a time.

The cursor the app stores after each page is a small JSON object (``SyncCursor``):

- an incremental pass asks for ``updated_at:>='<since>'`` sorted by ``UPDATED_AT``, paging
  with Shopify's ``after``; it keeps the latest ``updatedAt`` seen (``at``) and the orders
  seen at exactly that second (``ids``). The next pass starts at ``at`` again, because
  Shopify's search is to the second and another order may have changed in the same second,
  and skips the orders in ``ids`` that have not changed since (the boundary's duplicates);
- the first import (no cursor) of a store with more orders than ten pages runs a bulk
  operation instead: Shopify writes every order to a JSONL file, each line item a line of
  its own after its order (``__parentId``). While it runs, each call polls it once (after a
  growing wait) and returns an empty page; once done, the file is streamed to disk and read
  a page at a time from a byte ``offset``; at its end the cursor turns incremental from the
  latest ``updatedAt`` in the file, which also brings what changed while the bulk ran.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ordertui.domain.errors import (
    OrdertuiError,
    SupplierNotFound,
    SupplierProtocolError,
    SupplierRejected,
)
from ordertui.domain.shop import ShopOrder
from ordertui.i18n import _
from ordertui.shops.base import ShopOrderPage
from ordertui.shops.shopify import queries
from ordertui.shops.shopify.client import BulkFileGone, ShopifyClient, ShopifyCostExceeded
from ordertui.shops.shopify.mapping import (
    end_cursor,
    format_time,
    has_more,
    legacy_id,
    nodes_of,
    shop_order,
)

log = logging.getLogger(__name__)

#: pages of ``ORDERS_PAGE`` above which the first import is a bulk operation
BULK_THRESHOLD_PAGES = 10
#: seconds between polls of a running bulk operation: growing, at most this
POLL_FIRST_S = 1.0
POLL_MAX_S = 30.0
_DONE = ("COMPLETED",)
_RUNNING = ("CREATED", "RUNNING", "CANCELING")


@dataclass(slots=True)
class SyncCursor:
    """Where a sync of one store stands; stored by the app as JSON between pages."""

    since: str | None = None  # the pass asks for orders updated at or after this
    skip: list[str] = field(default_factory=list)  # seen at exactly ``since``, unchanged
    after: str | None = None  # Shopify's page cursor within the pass
    at: str | None = None  # the latest updatedAt seen so far
    ids: list[str] = field(default_factory=list)  # the orders seen at exactly ``at``
    bulk: str | None = None  # the bulk operation of the first import, while it lasts
    offset: int = 0  # bytes of the bulk file already returned as pages
    polls: int = 0
    total: int | None = None

    def encode(self) -> str:
        defaults = asdict(SyncCursor())
        data = {k: v for k, v in asdict(self).items() if v != defaults[k]}
        return json.dumps(data, separators=(",", ":"), sort_keys=True)

    @classmethod
    def decode(cls, text: str) -> SyncCursor:
        try:
            data = json.loads(text)
            cursor = cls(**data) if isinstance(data, dict) else None
        except (ValueError, TypeError):
            cursor = None
        if cursor is None:
            raise OrdertuiError(_("the Shopify sync cannot continue from {cursor}; run a full "
                                  "sync (its cursor is reset)").format(cursor=repr(text[:60])))
        return cursor

    def seen(self, order: ShopOrder) -> None:
        """Move ``at`` forward to ``order``'s change, keeping who changed in that second."""
        stamp = format_time(order.updated_at)
        if self.at is None or stamp > self.at:
            self.at, self.ids = stamp, [order.shop_order_id]
        elif stamp == self.at and order.shop_order_id not in self.ids:
            self.ids.append(order.shop_order_id)

    def next_pass(self) -> SyncCursor:
        """The cursor of the pass after this one: from the latest change seen."""
        if self.at is None:
            return SyncCursor(since=self.since, skip=list(self.skip))
        skip = list(self.ids)
        if self.at == self.since:
            skip = sorted(set(skip) | set(self.skip))
        return SyncCursor(since=self.at, skip=skip)


class ShopifySync:
    """The reads behind ``list_orders`` and ``get_order``."""

    def __init__(self, client: ShopifyClient, shop: str, store: str, directory: Path, *,
                 bulk: bool = True) -> None:
        self.client, self.shop, self.store = client, shop, store
        self.directory = directory
        self.bulk_enabled = bulk

    # --- one order ------------------------------------------------------------------------
    async def order(self, shop_order_id: str) -> ShopOrder:
        data = await self.client.query(queries.ORDER, {"id": shop_order_id})
        node = data.get("order")
        if not isinstance(node, dict):
            raise SupplierNotFound(self.shop, _("Shopify has no order {order}").format(
                order=shop_order_id))
        return await self._complete(node)

    async def _complete(self, node: dict[str, Any]) -> ShopOrder:
        """The order with every line item, reading the lines past the first page."""
        connection = node.get("lineItems")
        if not has_more(connection):
            return shop_order(self.shop, self.store, node)
        lines = nodes_of(connection)
        after = end_cursor(connection)
        while after:
            data = await self.client.query(queries.ORDER_LINES, {"id": node["id"],
                                                                 "after": after})
            more = (data.get("order") or {}).get("lineItems")
            lines += nodes_of(more)
            after = end_cursor(more) if has_more(more) else None
        return shop_order(self.shop, self.store, node, lines)

    # --- pages ------------------------------------------------------------------------------
    async def next_page(self, cursor: str | None, page_size: int) -> ShopOrderPage:
        size = max(1, min(page_size, queries.ORDERS_PER_PAGE))
        if cursor is None:
            return await self._first(size)
        state = SyncCursor.decode(cursor)
        if state.bulk:
            # pages of a downloaded file cost Shopify nothing: the caller's size
            return await self._bulk_page(state, max(1, page_size))
        return await self._page(state, size)

    async def _first(self, size: int) -> ShopOrderPage:
        """The first import: a bulk operation for a large store, else pages from the start."""
        limit = BULK_THRESHOLD_PAGES * size
        data = await self.client.query(queries.ORDERS_COUNT, {"limit": limit + 1})
        count = data.get("ordersCount") or {}
        number = count.get("count") if isinstance(count, dict) else None
        total = number if isinstance(number, int) and count.get("precision") == "EXACT" \
            else None
        if self.bulk_enabled and isinstance(number, int) and number > limit:
            operation = await self._start_bulk()
            if operation is not None:
                log.info("%s: first import of more than %d orders by bulk operation %s",
                         self.shop, limit, operation)
                return ShopOrderPage([], SyncCursor(bulk=operation).encode(), True, None)
        return await self._page(SyncCursor(total=total), size)

    async def _page(self, state: SyncCursor, size: int) -> ShopOrderPage:
        query = f"updated_at:>='{state.since}'" if state.since else None
        while True:
            try:
                data = await self.client.query(queries.ORDERS_PAGE, {
                    "first": size, "after": state.after, "query": query})
                break
            except ShopifyCostExceeded:
                # Shopify priced the page above its limit (it counts differently from the
                # published rule): a smaller page of the same orders
                if size == 1:
                    raise
                size = max(1, size // 2)
                log.warning("%s: an order page costs too much; asking for %d orders",
                            self.shop, size)
        connection = data.get("orders")
        if not isinstance(connection, dict):
            raise SupplierProtocolError(self.shop, _("Shopify's order page has no orders"))
        orders = []
        skip = set(state.skip)
        for node in nodes_of(connection):
            order = await self._complete(node)
            if order.shop_order_id in skip and format_time(order.updated_at) == state.since:
                continue  # seen at the end of the last pass and unchanged since
            state.seen(order)
            orders.append(order)
        more = has_more(connection)
        if more:
            state.after = end_cursor(connection)
            if state.after is None:
                raise SupplierProtocolError(self.shop, _("Shopify said more orders follow "
                                                         "without saying where"))
            nxt = state
        else:
            nxt = state.next_pass()
        return ShopOrderPage(orders, nxt.encode(), more, state.total)

    # --- the bulk import -------------------------------------------------------------------
    async def _start_bulk(self) -> str | None:
        try:
            payload = await self.client.mutate(queries.BULK_RUN, {"query": queries.BULK_ORDERS},
                                               "bulkOperationRunQuery")
        except SupplierRejected as exc:
            log.warning("%s: Shopify would not run the bulk import (%s); reading pages",
                        self.shop, exc)
            return None
        operation = payload.get("bulkOperation") or {}
        oid = operation.get("id") if isinstance(operation, dict) else None
        return oid if isinstance(oid, str) else None

    def _file(self, operation: str) -> Path:
        return self.directory / f"shopify-bulk-{legacy_id(operation)}.jsonl"

    async def _bulk_page(self, state: SyncCursor, size: int) -> ShopOrderPage:
        assert state.bulk is not None
        path = self._file(state.bulk)
        if not path.exists():
            if state.polls:
                await self.client.sleep(min(POLL_MAX_S, POLL_FIRST_S * 1.5 ** (state.polls - 1)))
            data = await self.client.query(queries.BULK_POLL, {"id": state.bulk})
            operation = data.get("bulkOperation")
            if not isinstance(operation, dict):
                return self._bulk_failed(state, "Shopify no longer knows it")
            status = str(operation.get("status", ""))
            count = operation.get("rootObjectCount")
            if isinstance(count, str) and count.isdigit():
                state.total = int(count)
            if status in _RUNNING:
                state.polls += 1
                return ShopOrderPage([], state.encode(), True, state.total)
            if status not in _DONE:
                return self._bulk_failed(state, f"{status.lower() or 'no status'}"
                                         f" ({operation.get('errorCode') or 'no reason'})")
            url = operation.get("url")
            if not url:  # a store without orders: nothing was written
                return ShopOrderPage([], SyncCursor().encode(), True, 0)
            self.directory.mkdir(parents=True, exist_ok=True)
            try:
                size_b = await self.client.download(str(url), path)
            except BulkFileGone as exc:  # its link expired (after a week): start over
                return self._bulk_failed(state, str(exc))
            log.info("%s: bulk file of %d bytes, %s orders", self.shop, size_b, count)
        orders, offset, done, orphans = await asyncio.to_thread(
            read_bulk, path, state.offset, size)
        built = [shop_order(self.shop, self.store, node, lines) for node, lines in orders]
        for gid in orphans:  # lines whose order was not beside them: read the order itself
            with contextlib.suppress(SupplierNotFound):
                built.append(await self.order(gid))
        for order in built:
            state.seen(order)
        state.offset = offset
        if done:
            path.unlink(missing_ok=True)
            nxt = SyncCursor(at=state.at, ids=state.ids).next_pass() if state.at \
                else SyncCursor()
            return ShopOrderPage(built, nxt.encode(), True, state.total)
        return ShopOrderPage(built, state.encode(), True, state.total)

    def _bulk_failed(self, state: SyncCursor, why: str) -> ShopOrderPage:
        """A bulk operation that failed: the import goes on by pages instead."""
        log.warning("%s: the bulk import %s failed: %s; reading pages instead", self.shop,
                    state.bulk, why)
        return ShopOrderPage([], SyncCursor().encode(), True, None)


def read_bulk(path: Path, offset: int, size: int
              ) -> tuple[list[tuple[dict[str, Any], list[dict[str, Any]]]], int, bool, list[str]]:
    """Up to ``size`` orders of a bulk file from byte ``offset``, each with its line items.

    An order is complete when the next order's line (or the end) comes: its children follow
    it (``groupObjects``). Returns the orders, the offset of the first order not returned,
    whether the file is done, and the ids of parents named by lines whose order was not
    among these (read on their own, never lost)."""
    orders: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    by_id: dict[str, list[dict[str, Any]]] = {}
    orphans: list[str] = []
    with path.open("rb") as fh:
        fh.seek(offset)
        while True:
            start = fh.tell()
            raw = fh.readline()
            if not raw:
                return orders, start, True, orphans
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except ValueError:
                log.warning("bulk file %s: a line at byte %d is not JSON", path.name, start)
                continue
            if not isinstance(obj, dict):
                continue
            parent = obj.get("__parentId")
            if isinstance(parent, str):
                if parent in by_id:
                    by_id[parent].append(obj)
                elif parent not in orphans:
                    orphans.append(parent)
                continue
            if len(orders) >= size:
                return orders, start, False, orphans
            lines: list[dict[str, Any]] = []
            by_id[str(obj.get("id", ""))] = lines
            orders.append((obj, lines))
