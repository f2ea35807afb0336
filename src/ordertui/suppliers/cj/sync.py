"""Syncing a CJ account: a planner that reads CJ's lists one step per call.

CJ's order list filters by status only — no "changed since" — and its items carry neither
products nor disputes. A first sync (no cursor) reads every status's pages. Later syncs read
the open statuses only (the orders that can still change), find the orders that left them
with ``orderIds`` look-ups in the terminal lists, compare the terminal lists' totals with
what the adapter knows (reading a list again only when they differ), and read the dispute
list to follow the disputes the adapter knows. A sync reads list pages only; details and
tracking are read when the merchant opens an order.

Where a pass stands is a ``SyncCursor``: the app stores it with each page's orders and hands
it back for the next page, so an interrupted pass continues where it stopped.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from ordertui.domain.errors import SupplierNotFound
from ordertui.domain.models import Order
from ordertui.suppliers.base import OrderPage
from ordertui.suppliers.cj.client import DISPUTE_PAGE_SIZE, CJClient
from ordertui.suppliers.cj.mapping import LIST_STATUSES, OPEN, TERMINAL, OrderBuilder
from ordertui.suppliers.cj.state import CJState

CURSOR_PREFIX = "cj1:"


class Phase(StrEnum):
    """The steps of a pass, in the order they run."""

    LIST = "list"  # read the queued statuses' list pages, one page per call
    MOVED = "moved"  # find where the orders that left the open lists went
    TERMINAL = "terminal"  # compare the terminal lists' totals with what the adapter knows
    VANISH = "vanish"  # look up the orders that no list showed in this pass
    DISPUTES = "disputes"  # follow the disputes the adapter knows, a page per call
    IDLE = "idle"  # the pass is over: the next call starts an incremental one


#: the phases that continue a pass (an idle cursor, or none, starts a new one)
STEPS = frozenset(Phase) - {Phase.IDLE}


@dataclass(frozen=True, slots=True)
class SyncCursor:
    """Where a sync pass stands. Encoded as ``cj1:`` and compact JSON with two-letter keys
    (the names in ``encode``), the form merchants' stores already hold."""

    pass_id: int
    """The pass's number from the state: an order listed in this pass is marked with it."""
    phase: Phase = Phase.IDLE
    """The step the next call runs."""
    full: bool = True
    """A full pass reads every status's list; an incremental one the open statuses only."""
    statuses: tuple[str, ...] = ()
    """The statuses whose lists are still to read (the first is being read)."""
    then: Phase = Phase.VANISH
    """The step after the list step: look-ups after a full pass, the moved orders after an
    incremental one."""
    page: int = 1
    """The next page of the first status's list."""
    page_size: int = 0
    """Orders per list page: what was asked, or less when CJ silently capped it (0 in an
    idle cursor)."""
    consumed: int = 0
    """Items read so far from the first status's list."""
    done: int = 0
    """Orders given to the app so far in this pass (for the progress estimate)."""
    known_counts: Mapping[str, int] = field(default_factory=dict)
    """How many orders the adapter knew in each status when the pass began."""
    dispute_page: int = 1
    """The next page of the dispute list."""
    vanish_statuses: tuple[str, ...] | None = None
    """The statuses whose orders the vanish step looks up (None: all): the terminal lists
    that differed, in an incremental pass."""

    def encode(self) -> str:
        if self.phase is Phase.IDLE:
            st: dict[str, Any] = {"v": 1, "p": self.pass_id, "ph": self.phase.value}
        else:
            st = {"v": 1, "p": self.pass_id, "m": "full" if self.full else "inc",
                  "ph": self.phase.value, "q": list(self.statuses), "then": self.then.value,
                  "n": self.page, "ps": self.page_size, "c": self.consumed, "done": self.done,
                  "k": dict(self.known_counts), "d": self.dispute_page}
            if self.vanish_statuses is not None:
                st["vs"] = list(self.vanish_statuses)
        return CURSOR_PREFIX + json.dumps(st, separators=(",", ":"))

    @classmethod
    def decode(cls, cursor: str | None) -> SyncCursor | None:
        """The cursor ``encode`` wrote; None for none, or for one this version cannot read
        (a new full pass then starts)."""
        if not cursor or not cursor.startswith(CURSOR_PREFIX):
            return None
        try:
            st = json.loads(cursor[len(CURSOR_PREFIX):])
        except ValueError:
            return None
        if not isinstance(st, dict) or "p" not in st:
            return None
        try:
            phase = Phase(str(st.get("ph")))
        except ValueError:
            return None  # no phase ordertui knows: a new full pass, as for no cursor
        try:
            if phase is Phase.IDLE:
                return cls(pass_id=int(st["p"]))
            vanish = st.get("vs")
            return cls(
                pass_id=int(st["p"]), phase=phase, full=st.get("m") != "inc",
                statuses=tuple(str(s) for s in st["q"]), then=Phase(st["then"]),
                page=int(st["n"]), page_size=int(st["ps"]), consumed=int(st["c"]),
                done=int(st["done"]),
                known_counts={str(s): int(n) for s, n in dict(st["k"]).items()},
                dispute_page=int(st.get("d", 1)),
                vanish_statuses=None if vanish is None else tuple(str(s) for s in vanish))
        except (KeyError, TypeError, ValueError):
            return None


class CJSync:
    """One account's sync passes: each call of ``next_page`` runs one step."""

    def __init__(self, client: CJClient, state: CJState, orders: OrderBuilder, *,
                 max_page_size: int) -> None:
        self.client = client
        self.state = state
        self.orders = orders
        self.max_page_size = max_page_size

    async def next_page(self, cursor: str | None, *, page_size: int) -> OrderPage:
        cur = SyncCursor.decode(cursor)
        if cur is None or cur.phase not in STEPS:
            cur = await self._begin(full=cur is None,
                                    page_size=max(1, min(page_size, self.max_page_size)))
        if cur.phase is Phase.LIST:
            return await self._list_step(cur)
        if cur.phase is Phase.MOVED:
            return await self._moved_step(cur)
        if cur.phase is Phase.TERMINAL:
            return await self._terminal_step(cur)
        if cur.phase is Phase.VANISH:
            return await self._vanish_step(cur)
        return await self._disputes_step(cur)

    async def _begin(self, *, full: bool, page_size: int) -> SyncCursor:
        """A new pass: full when there was none before, incremental after an idle cursor."""
        pass_id = await asyncio.to_thread(self.state.next_pass)
        counts = {s: await asyncio.to_thread(self.state.count, s) for s in LIST_STATUSES}
        return SyncCursor(pass_id=pass_id, phase=Phase.LIST, full=full,
                          statuses=LIST_STATUSES if full else (*OPEN, "OTHER"),
                          then=Phase.VANISH if full else Phase.MOVED, page=1,
                          page_size=page_size, consumed=0, done=0, known_counts=counts,
                          dispute_page=1)

    async def _list_step(self, cur: SyncCursor) -> OrderPage:
        status, page, size = cur.statuses[0], cur.page, cur.page_size
        items, total = await self.client.order_list(status, page, size)
        orders = await asyncio.to_thread(self.orders.materialise, items,
                                         seen_pass=cur.pass_id)
        consumed = cur.consumed + len(items)
        next_size = size
        if items and len(items) < size and total is not None and consumed < total:
            # CJ capped the page size without saying so: continue at its size
            next_size = len(items)
            next_page = consumed // len(items) + 1
        else:
            next_page = page + 1
        finished = not items or (total is not None and consumed >= total) or \
            (total is None and len(items) < size)
        done = cur.done + len(orders)
        remaining = max((total or 0) - consumed, 0) if not finished else 0
        later = sum(int(cur.known_counts.get(s, 0)) for s in cur.statuses[1:])
        estimate = done + remaining + later
        if finished:
            rest = cur.statuses[1:]
            nxt = replace(cur, statuses=rest, page=1, consumed=0, done=done,
                          phase=cur.phase if rest else cur.then)
        else:
            nxt = replace(cur, page=next_page, page_size=next_size, consumed=consumed,
                          done=done)
        return OrderPage(orders, nxt.encode(), True, estimate)

    async def _moved_step(self, cur: SyncCursor) -> OrderPage:
        """Orders open at the last pass and missing from the open lists now: find where
        they went with ``orderIds`` look-ups, then by their details."""
        pass_id, size = cur.pass_id, cur.page_size
        candidates = await asyncio.to_thread(self.state.unseen, pass_id, None, TERMINAL)
        found: dict[str, dict[str, Any]] = {}
        for status in (*TERMINAL, *OPEN, "OTHER"):
            left = [c for c in candidates if c not in found]
            if not left:
                break
            for start in range(0, len(left), size):
                batch = left[start:start + size]
                items, _ = await self.client.order_list(status, 1, len(batch), batch)
                for item in items:
                    if str(item["orderId"]) in batch:
                        found[str(item["orderId"])] = item
        orders = await asyncio.to_thread(self.orders.materialise, list(found.values()),
                                         seen_pass=pass_id)
        orders += await self._look_up([c for c in candidates if c not in found], pass_id)
        nxt = replace(cur, done=cur.done + len(orders), phase=Phase.TERMINAL,
                      statuses=TERMINAL)
        return OrderPage(orders, nxt.encode(), True, nxt.done)

    async def _look_up(self, order_ids: list[str], pass_id: int) -> list[Order]:
        """Orders that no list shows: their details, or — when CJ knows them no more —
        the last thing CJ said of them, marked deleted."""
        orders: list[Order] = []
        for oid in order_ids:
            try:
                detail = await self.client.order_detail(oid)
            except SupplierNotFound:
                orders += await asyncio.to_thread(self.orders.gone, oid)
                continue
            orders += await asyncio.to_thread(self.orders.materialise, [detail],
                                              details={oid: detail}, seen_pass=pass_id)
        return orders

    async def _terminal_step(self, cur: SyncCursor) -> OrderPage:
        """Orders never leave DELIVERED or CANCELLED: when a terminal list holds as many
        orders as the adapter knows in it, nothing there is new."""
        differ = []
        for status in cur.statuses:
            _, total = await self.client.order_list(status, 1, 1)
            if total is None or total != await asyncio.to_thread(self.state.count, status):
                differ.append(status)
        if differ:
            nxt = replace(cur, phase=Phase.LIST, statuses=tuple(differ), then=Phase.VANISH,
                          vanish_statuses=tuple(differ), page=1, consumed=0)
        else:
            nxt = replace(cur, phase=Phase.DISPUTES)
        return OrderPage([], nxt.encode(), True, cur.done)

    async def _vanish_step(self, cur: SyncCursor) -> OrderPage:
        statuses = list(cur.vanish_statuses) if cur.vanish_statuses is not None else None
        candidates = await asyncio.to_thread(self.state.unseen, cur.pass_id, statuses)
        orders = await self._look_up(candidates, cur.pass_id)
        nxt = replace(cur, done=cur.done + len(orders), phase=Phase.DISPUTES, dispute_page=1)
        return OrderPage(orders, nxt.encode(), True, nxt.done)

    async def _disputes_step(self, cur: SyncCursor) -> OrderPage:
        """Follow the disputes the adapter knows: CJ decides on them without the order's
        status changing, so the order list alone would never show it."""
        page = cur.dispute_page
        items, total = await self.client.dispute_page(page)
        changed = await asyncio.to_thread(self.orders.dispute_changes, items)
        orders = await asyncio.to_thread(self.orders.rebuild, sorted(changed))
        done = cur.done + len(orders)
        if items and total is not None and page * DISPUTE_PAGE_SIZE < total:
            return OrderPage(orders, replace(cur, done=done, dispute_page=page + 1).encode(),
                             True, done)
        return OrderPage(orders, SyncCursor(pass_id=cur.pass_id).encode(), False, done)
