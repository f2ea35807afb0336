"""The outbox runner: sends queued actions to suppliers, at most once each.

Only one runner works on a store at a time, across every process sharing it: it holds the
store's exclusive lock (an ``flock`` on ``outbox.lock`` beside a SQLite store, an advisory
lock on PostgreSQL), which is let go when its process dies, so a crashed session never
blocks the next. An entry left in ``sending`` by a dead runner, or one whose send ended in a
timeout or a lost connection, is *ambiguous*: before it is sent again the runner asks the
supplier whether it already took effect.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from ordertui.adapters import Applied
from ordertui.domain import codec
from ordertui.domain.capabilities import Action, Capability
from ordertui.domain.errors import (
    CapabilityMissing,
    OrderNotFound,
    OrdertuiError,
    SupplierAuthError,
    SupplierNotFound,
    SupplierRateLimited,
    SupplierRejected,
)
from ordertui.domain.models import CancellationRequest, Dispute, Evidence, Order, SyncEvent
from ordertui.domain.money import Money
from ordertui.domain.shop import ShopActionKind, ShopFulfillment, ShopRefund
from ordertui.domain.states import CancellationState, DisputeReason, Source, in_sentence
from ordertui.i18n import _
from ordertui.services import kept as k
from ordertui.services.kept import shown
from ordertui.services.shop_push import ShopTarget
from ordertui.shops.base import ShopCapabilityMissing
from ordertui.store.outbox import DONE, FAILED, OutboxEntry
from ordertui.suppliers.base import DisputeDraft, PendingAction, SupplierAdapter

if TYPE_CHECKING:
    from ordertui.services.core import Services

log = logging.getLogger(__name__)

BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 900.0
AUTH_RETRY_S = 600.0


def backoff(attempts: int) -> float:
    """Exponential backoff with ±20 % jitter: 2 s, 4 s, 8 s ... at most 15 minutes."""
    delay = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** max(attempts - 1, 0))
    return delay * random.uniform(0.8, 1.2)


class OutboxRunner:
    def __init__(self, services: Services) -> None:
        self.services = services
        self._lock = services.store.exclusive("outbox")

    # --- the lock --------------------------------------------------------------------
    def acquire(self) -> bool:
        return self._lock.acquire()

    def release(self) -> None:
        self._lock.release()

    @property
    def held(self) -> bool:
        return self._lock.held()

    # --- work ------------------------------------------------------------------------
    def now(self) -> int:
        return int(self.services.clock().timestamp())

    async def drain(self, limit: int | None = None) -> list[SyncEvent]:
        """Send every due action (at most ``limit``); returns what is worth telling."""
        assert self.held, "acquire() the runner first"
        events: list[SyncEvent] = []
        done = 0
        while limit is None or done < limit:
            entry = await asyncio.to_thread(self.services.store.outbox.claim, self.now())
            if entry is None:
                break
            events.extend(await self.perform(entry))
            done += 1
        return events

    async def run_forever(self, on_events: Callable[[list[SyncEvent]], None],
                          interval_s: float = 2.0) -> None:
        """For a long-lived session: take the lock when free, send what comes due."""
        wakeup = self.services.outbox_wakeup
        while True:
            if self.acquire():
                try:
                    events = await self.drain()
                except OrdertuiError as exc:
                    log.warning("outbox: %s", exc)
                    events = []
                if events:
                    on_events(events)
            if wakeup is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wakeup.wait(), interval_s)
                wakeup.clear()
            else:
                await asyncio.sleep(interval_s)

    async def perform(self, entry: OutboxEntry) -> list[SyncEvent]:
        """Send one action, at most once: an ambiguous one is looked up first; a refusal
        undoes its local effect; a timeout leaves it ambiguous for the next attempt."""
        store = self.services.store
        outbox = store.outbox
        try:
            order = await asyncio.to_thread(store.get_order, entry.order_id)
        except OrderNotFound:
            outbox.finish(entry.id, FAILED, now=self.now(), error=k.kept(k.ORDER_GONE))
            return []
        try:
            target = self._target(entry, order)
        except OrdertuiError as exc:
            outbox.retry(entry.id, now=self.now(), next_at=self.now() + int(AUTH_RETRY_S),
                         error=str(exc), ambiguous=False)
            return [SyncEvent(entry.order_id, order.display_name, "failed", None,
                              _("{action} not sent yet").format(action=entry.action.label),
                              shown(str(exc)))]
        try:
            if entry.ambiguous and await target.was_applied():
                await target.refresh()
                outbox.finish(entry.id, DONE, now=self.now(),
                              result={"confirmed": "by reading the other side's state"})
                store.audit(entry.order_id, "outbox", f"{entry.action.value} confirmed",
                            _kept_by(target, k.HAD_IT_SHOP, k.HAD_IT_SUPPLIER))
                return [SyncEvent(entry.order_id, order.display_name, "sent", None,
                                  _said_by(target, entry.action.label, sent=False))]
            result = await target.send()
        except SupplierRejected as exc:
            return await target.refused(exc.supplier_message)
        except (SupplierNotFound, CapabilityMissing, ShopCapabilityMissing) as exc:
            return await target.refused(exc.message)
        except SupplierRateLimited as exc:
            delay = exc.retry_after if exc.retry_after is not None else backoff(entry.attempts)
            outbox.retry(entry.id, now=self.now(), next_at=self.now() + max(int(delay), 1),
                         error=str(exc), ambiguous=False)
            return []
        except SupplierAuthError as exc:
            outbox.retry(entry.id, now=self.now(), next_at=self.now() + int(AUTH_RETRY_S),
                         error=str(exc), ambiguous=False)
            return [SyncEvent(entry.order_id, order.display_name, "failed", None,
                              _("{action} not sent yet").format(action=entry.action.label),
                              str(exc))]
        except Exception as exc:
            # the other side may or may not have acted: look before sending again
            log.warning("outbox: %s on %s: %s", entry.action.value, entry.key, exc)
            outbox.retry(entry.id, now=self.now(),
                         next_at=self.now() + max(int(backoff(entry.attempts)), 1),
                         error=str(exc) or type(exc).__name__, ambiguous=True)
            return []
        await asyncio.to_thread(target.merge, result)
        outbox.finish(entry.id, DONE, now=self.now(), result=_plain(result))
        store.audit(entry.order_id, "outbox", f"{entry.action.value} sent",
                    _kept_by(target, k.RECEIVED_BY_SHOP, k.RECEIVED_BY_SUPPLIER))
        return [SyncEvent(entry.order_id, order.display_name, "sent", None,
                          _said_by(target, entry.action.label, sent=True))]

    def _target(self, entry: OutboxEntry, order: Order) -> Target:
        if isinstance(entry.action, ShopActionKind):
            return ShopTarget(self, entry, order)
        return SupplierTarget(self, entry, order, self.services.adapter(entry.supplier))


class Target(Protocol):
    """Where an outbox entry goes: a supplier, or the merchant's shop."""

    name: str  # as the merchant calls it in a sentence

    async def was_applied(self) -> bool: ...

    async def send(self) -> Any: ...

    def merge(self, result: Any) -> None: ...

    async def refresh(self) -> None: ...

    async def refused(self, message: str) -> list[SyncEvent]: ...


class SupplierTarget:
    def __init__(self, runner: OutboxRunner, entry: OutboxEntry, order: Order,
                 adapter: SupplierAdapter) -> None:
        self.runner, self.entry, self.order, self.adapter = runner, entry, order, adapter
        self.services = runner.services
        self.name = entry.supplier
        assert isinstance(entry.action, Action)
        self.action: Action = entry.action

    def _pending(self) -> PendingAction:
        e = self.entry
        return PendingAction(self.action, e.key, self.order.supplier_order_id, e.payload,
                             e.first_sent_at)

    async def was_applied(self) -> bool:
        return await self.adapter.was_applied(self._pending(), self.order) is Applied.YES

    async def send(self) -> CancellationRequest | Dispute:
        p, key, order, adapter = self.entry.payload, self.entry.key, self.order, self.adapter
        action = self.action
        if action is Action.CANCEL:
            return await adapter.request_cancellation(order, p["reason"], key)
        if action is Action.ANSWER_CANCEL_INFO:
            return await adapter.answer_cancellation_info(order, p["message"], key)
        if action is Action.DISPUTE_OPEN:
            draft = DisputeDraft(
                reason=DisputeReason(p["reason"]),
                amount=Money(Decimal(p["amount"]), p["currency"]),
                description=p["description"],
                evidence=[Evidence(e["path"], e["name"], int(e["size"]))
                          for e in p.get("evidence", [])])
            return await adapter.open_dispute(order, draft, key)
        if action is Action.DISPUTE_REPLY:
            return await adapter.reply_dispute(order, p["message"], key)
        if action is Action.DISPUTE_ESCALATE:
            return await adapter.escalate_dispute(order, key)
        if action is Action.DISPUTE_WITHDRAW:
            return await adapter.withdraw_dispute(order, key)
        if action is Action.DISPUTE_ACCEPT_OFFER:
            return await adapter.accept_dispute_offer(order, key)
        raise OrdertuiError(f"unknown action {action}")

    def merge(self, result: CancellationRequest | Dispute) -> None:
        """The supplier's answer to what was sent; a decision in it is news."""
        store = self.services.store
        with store.write():
            if isinstance(result, CancellationRequest):
                event = store.merge_cancellation(self.entry.order_id, result)
            else:
                event = store.merge_dispute(self.entry.order_id, result)
            if event is not None:
                store.record_news([event])

    async def refresh(self) -> None:
        if self.adapter.can(Capability.GET_ORDER):
            with contextlib.suppress(OrdertuiError):
                fresh = await self.adapter.get_order(self.order.supplier_order_id)
                await asyncio.to_thread(self.services.store.apply_sync_page,
                                        self.order.supplier, [fresh], None)

    async def refused(self, message: str) -> list[SyncEvent]:
        """The supplier said no: undo the local effect, keep its words, tell the merchant."""
        store, entry, order = self.services.store, self.entry, self.order
        assert order.id is not None
        now = self.services.clock()
        action, before = self.action, entry.payload.get("before")
        # undone on the order as it is now, in one transaction: another session may have
        # changed it while the action was on its way, and may not change it under us
        with store.write():
            order = store.get_order(order.id)
            assert order.id is not None
            if action is Action.CANCEL and order.cancellation and \
                    order.cancellation.client_key == entry.key:
                c = order.cancellation
                c.state, c.supplier_message, c.updated_at = CancellationState.REJECTED, message, now
                c.source = Source.API
                c.history.append(codec.change_from({"at": codec.ts(now), "state": "rejected",
                                                    "note": message}))
                store.update_cancellation(c, order.id)
            elif action is Action.DISPUTE_OPEN and order.dispute and \
                    order.dispute.client_key == entry.key and order.dispute.id is not None:
                store.delete_dispute(order.dispute.id, order.id)
            # a refused step restores the request it was taken on, only if that is still
            # the order's request: not over one recorded since (nor beside it, open twice)
            elif before is not None and action is Action.ANSWER_CANCEL_INFO and \
                    order.cancellation:
                restored = codec.cancellation_from(before)
                if (restored.client_key, restored.requested_at) == \
                        (order.cancellation.client_key, order.cancellation.requested_at):
                    restored.id = order.cancellation.id
                    store.update_cancellation(restored, order.id)
            elif before is not None and order.dispute is not None:
                restored_d = codec.dispute_from(before)
                mine = (restored_d.client_key, restored_d.opened_at, restored_d.reason)
                if mine == (order.dispute.client_key, order.dispute.opened_at,
                            order.dispute.reason):
                    restored_d.id = order.dispute.id
                    store.update_dispute(restored_d, order.id)
        now_s = self.runner.now()
        store.outbox.finish(entry.id, FAILED, now=now_s, error=message)
        store.audit(order.id, f"supplier:{entry.supplier}", f"{action.value} refused", message)
        # steps the merchant queued on the request just refused have nothing to act on; sent,
        # they would land on another request the supplier has for this order
        for later in store.outbox.entries(order_id=order.id):
            if (later.payload.get("before") or {}).get("client_key") == entry.key:
                why = k.kept(k.DROPPED, supplier=entry.supplier,
                             action=k.ACTIONS.get(action.value, in_sentence(action.label)))
                store.outbox.finish(later.id, FAILED, now=now_s, error=why)
                store.audit(order.id, "outbox", f"{later.action.value} dropped", why)
        refused = SyncEvent(order.id, order.display_name, "refused", None,
                            _("{supplier} refused: {action}").format(
                                supplier=entry.supplier, action=in_sentence(action.label)), message)
        store.record_news([refused])  # for every session, above all the one that asked
        await self.refresh()
        return [refused]


def _kept_by(target: Target, by_shop: str, by_supplier: str) -> str:
    """An audit line that names where the action went (kept in English, ``kept``)."""
    if isinstance(target, ShopTarget):
        return k.kept(by_shop, shop=target.entry.supplier)
    return k.kept(by_supplier, supplier=target.name)


def _said_by(target: Target, action: str, *, sent: bool) -> str:
    """The news that ``action`` reached the shop or the supplier (``sent``: now, else
    before)."""
    if isinstance(target, ShopTarget):
        said = (_("{action}: sent to the shop {shop}") if sent
                else _("{action}: received by the shop {shop}"))
        return said.format(action=action, shop=target.entry.supplier)
    said = (_("{action}: sent to {supplier}") if sent
            else _("{action}: received by {supplier}"))
    return said.format(action=action, supplier=target.name)


def _plain(result: Any) -> Any:
    if isinstance(result, CancellationRequest):
        return codec.cancellation_to(result)
    if isinstance(result, Dispute):
        return codec.dispute_to(result)
    if isinstance(result, ShopFulfillment):
        return {"fulfillment_id": result.fulfillment_id, "number": result.number}
    if isinstance(result, ShopRefund):
        return {"refund_id": result.refund_id, "amount": result.amount.plain()}
    return None


def utcnow() -> datetime:
    return datetime.now(UTC)
