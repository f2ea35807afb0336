"""The demo supplier: the default when nothing is configured, so that a newcomer has a shop
to try everything on. Its back office (``ordertui.simulators.demo``, the same remote party
the simulators serve) runs in-process but keeps its own state in the data directory and
answers after a delay, like a remote supplier."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, ClassVar

from ordertui.adapters import AdapterContext, Applied
from ordertui.domain.capabilities import Action, Capability
from ordertui.domain.models import CancellationRequest, Dispute, Order
from ordertui.i18n import N_, _
from ordertui.simulators.demo import DemoEngine
from ordertui.suppliers.base import (
    DisputeDraft,
    OrderPage,
    PendingAction,
    SupplierAdapter,
    Tracking,
)

DEFAULT_SEED = 1042
DEFAULT_ORDERS = 500
DEFAULT_REVIEW_DELAY_S = 5.0


class DemoAdapter(SupplierAdapter):
    kind = "demo"
    title = N_("Demo supplier")  # translated where shown: _(title)
    capabilities: ClassVar[frozenset[Capability]] = frozenset(Capability) - {Capability.ADD_BY_ID}
    is_demo = True
    follow_up_s = 2.0  # it answers within seconds (review_delay_s) and has no rate limit

    def __init__(self, name: str, settings: Mapping[str, Any], context: AdapterContext) -> None:
        super().__init__(name, settings, context)
        self.engine = DemoEngine(context.directory / "state.sqlite3", supplier=name,
                                 review_delay_s=float(settings.get("review_delay_s",
                                                                   DEFAULT_REVIEW_DELAY_S)))
        self.seed = int(settings.get("seed", DEFAULT_SEED))
        self.initial_orders = int(settings.get("orders", DEFAULT_ORDERS))

    @classmethod
    def validate_settings(cls, settings: Mapping[str, Any]) -> list[tuple[str, str]]:
        problems = []
        delay = settings.get("review_delay_s", DEFAULT_REVIEW_DELAY_S)
        if not isinstance(delay, int | float) or isinstance(delay, bool) or delay < 0:
            problems.append(("review_delay_s", _("review_delay_s must be a number of seconds, "
                                                 "0 or more")))
        for key, top in (("seed", 2**31), ("orders", 5_000_000)):
            value = settings.get(key, 0)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= top:
                # Translators: key is a config setting; top is written as in the config
                problems.append((key, _("{key} must be a whole number from 0 to {top}").format(
                    key=key, top=top)))
        return problems

    def web_url(self, order: Order, action: Action | None = None) -> str | None:
        return None

    async def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(fn, *args, **kwargs)

    def _ensure(self) -> None:
        self.engine.ensure(seed=self.seed, count=self.initial_orders)

    async def list_orders(self, cursor: str | None, *, page_size: int = 500) -> OrderPage:
        def run() -> OrderPage:
            self._ensure()
            orders, nxt, more, total = self.engine.list_changes(cursor, page_size)
            return OrderPage(orders, nxt, more, total)
        return await self._call(run)

    async def get_order(self, supplier_order_id: str) -> Order:
        return await self._call(self.engine.get, supplier_order_id)

    async def get_tracking(self, order: Order) -> Tracking:
        fresh = await self.get_order(order.supplier_order_id)
        return Tracking(fresh.carrier, fresh.tracking_number, fresh.tracking_events,
                        fresh.tracking_url)

    async def get_disputes(self, order: Order) -> list[Dispute]:
        fresh = await self.get_order(order.supplier_order_id)
        return [fresh.dispute] if fresh.dispute else []

    async def request_cancellation(self, order: Order, reason: str,
                                   key: str) -> CancellationRequest:
        return await self._call(
            self.engine.request_cancellation, order.supplier_order_id, reason, key)

    async def answer_cancellation_info(self, order: Order, message: str,
                                       key: str) -> CancellationRequest:
        return await self._call(
            self.engine.answer_cancellation, order.supplier_order_id, message, key)

    async def open_dispute(self, order: Order, draft: DisputeDraft, key: str) -> Dispute:
        return await self._call(
            self.engine.open_dispute, order.supplier_order_id, reason=draft.reason,
            amount=draft.amount, description=draft.description, evidence=draft.evidence, key=key)

    async def reply_dispute(self, order: Order, message: str, key: str) -> Dispute:
        return await self._call(
            self.engine.reply_dispute, order.supplier_order_id, message, key)

    async def escalate_dispute(self, order: Order, key: str) -> Dispute:
        return await self._call(
            self.engine.escalate_dispute, order.supplier_order_id, key)

    async def withdraw_dispute(self, order: Order, key: str) -> Dispute:
        return await self._call(
            self.engine.withdraw_dispute, order.supplier_order_id, key)

    async def accept_dispute_offer(self, order: Order, key: str) -> Dispute:
        return await self._call(
            self.engine.accept_offer, order.supplier_order_id, key)

    async def was_applied(self, pending: PendingAction, order: Order) -> Applied:
        found = await self._call(self.engine.lookup, pending.key)
        return Applied.YES if found else Applied.NO
