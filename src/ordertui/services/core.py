"""The one API the TUI and the CLI use.

Reads are plain methods, safe to call from any thread (each thread gets its own SQLite
connection); the TUI calls them from thread workers. Everything that talks to a supplier is a
coroutine. Merchant actions never call a supplier directly: they write their local effect and
an outbox entry in one transaction, and the runner sends them (invariant 2 in docs/architecture.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ordertui.config import Config, write_toml
from ordertui.domain import codec, rules
from ordertui.domain.capabilities import Action, Capability
from ordertui.domain.errors import (
    CapabilityMissing,
    InvalidTransition,
    OrdertuiError,
    ValidationError,
)
from ordertui.domain.models import (
    AuditEntry,
    CancellationRequest,
    Dispute,
    DisputeMessage,
    Evidence,
    Order,
    OrderSummary,
    StateChange,
    SyncEvent,
)
from ordertui.domain.money import Money
from ordertui.domain.query import OrderQuery, View
from ordertui.domain.states import (
    CANCELLABLE,
    CANCELLATION_TRANSITIONS,
    DISPUTABLE,
    DISPUTE_TRANSITIONS,
    CancellationState,
    DisputeReason,
    DisputeState,
    OrderStatus,
    Source,
    check_cancellation,
    check_dispute,
    path_to,
)
from ordertui.domain.text import one_line
from ordertui.export.request import ExportRequest, ExportResult
from ordertui.export.service import BATCH_SIZE as EXPORT_BATCH
from ordertui.export.service import run_export
from ordertui.export.service import validate as validate_export
from ordertui.secrets import TOKEN_FILE, check_private
from ordertui.services.policy import PolicyDocument, generate_policy, save_policy
from ordertui.services.reads import ReadPool
from ordertui.services.returns import ReturnsOverview, ReturnsService
from ordertui.services.runner import OutboxRunner
from ordertui.services.settings import check_suppliers
from ordertui.services.syncing import AddReport, SyncProgress, SyncReport, add_orders, sync
from ordertui.store import Store
from ordertui.store.outbox import OutboxEntry
from ordertui.store.watch import StoreWatch
from ordertui.suppliers.base import AdapterContext, SupplierAdapter
from ordertui.suppliers.demo import DemoAdapter
from ordertui.suppliers.registry import adapter_class

MAX_EVIDENCE_BYTES = 25 * 1024 * 1024
#: an order not shipped yet can be shipped from the returns stock instead of the supplier
SHIPPABLE_FROM_STOCK = frozenset({OrderStatus.AWAITING_PAYMENT, OrderStatus.PROCESSING})


@dataclass(frozen=True, slots=True)
class SupplierInfo:
    name: str
    kind: str
    title: str
    capabilities: frozenset[Capability]
    is_demo: bool
    follow_up_s: float  # how often to sync while its answer is awaited (the adapter's)


@dataclass(slots=True)
class OrderDetails:
    """Everything the details screen shows about one order."""

    order: Order
    supplier: SupplierInfo
    actions: list[rules.ActionOption]
    audit: list[AuditEntry]
    cancellations: list[CancellationRequest]
    pending: list[OutboxEntry]
    web_url: str | None
    returns: ReturnsOverview
    #: this order's SKUs that the returns stock holds, while it can still ship from there
    stock_skus: list[str] = field(default_factory=list)


@dataclass(slots=True)
class CancelPlan:
    ok: list[Order] = field(default_factory=list)
    skipped: list[tuple[Order, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DisputePlan:
    order: Order
    then: str  # "thread", "form" or "refused"
    title: str = ""
    why: str = ""


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class Services:
    def __init__(self, config: Config, *, clock: Callable[[], datetime] = _now) -> None:
        check_suppliers(config)  # a known kind and accepted settings for every supplier
        self.config = config
        self.clock = clock
        self.data_dir = config.data_dir
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):  # a directory the merchant made; keep theirs
            os.chmod(self.data_dir, 0o700)
        # a supplier's token cache that others can read: refuse to start, as ssh does
        for token_file in sorted((self.data_dir / "suppliers").glob("*/*token*.json")):
            check_private(token_file, TOKEN_FILE)
        self.store = Store(self.data_dir / "store.sqlite3")
        self._adapters: dict[str, SupplierAdapter] = {}
        #: set whenever an action is queued, so a waiting outbox runner wakes at once
        self.outbox_wakeup: asyncio.Event | None = None
        self._runner: OutboxRunner | None = None
        self._taking_ids: list[tuple[str, str]] | None = None
        #: returns, refunds, supplier policies, buyer protection, the returns stock
        self.returns = ReturnsService(self)

    # --- suppliers -------------------------------------------------------------------
    def supplier_names(self) -> list[str]:
        return list(self.config.suppliers)

    def adapter(self, name: str) -> SupplierAdapter:
        if name not in self._adapters:
            sc = self.config.suppliers.get(name)
            if sc is None:
                raise OrdertuiError(f"no supplier named {name!r} in {self.config.path}; "
                                    f"configured: {', '.join(self.config.suppliers)}")
            cls = adapter_class(sc.kind)
            context = AdapterContext(directory=self.data_dir / "suppliers" / name,
                                     clock=self.clock, config_path=self.config.path)
            context.directory.mkdir(parents=True, exist_ok=True)
            self._adapters[name] = cls(name, sc.settings, context)
        return self._adapters[name]

    def supplier_info(self, name: str) -> SupplierInfo:
        sc = self.config.suppliers.get(name)
        if sc is None:
            # orders from a supplier that is no longer configured stay readable
            return SupplierInfo(name, "unknown", name, frozenset(), False,
                                SupplierAdapter.follow_up_s)
        cls = adapter_class(sc.kind)
        return SupplierInfo(name, sc.kind, cls.title, cls.capabilities,
                            sc.kind == "demo", cls.follow_up_s)

    def suppliers_taking_ids(self) -> list[tuple[str, str]]:
        """(name, title) of each configured supplier whose orders are added by their ids
        (its API lists none)."""
        if self._taking_ids is None:
            infos = [self.supplier_info(n) for n in self.config.suppliers]
            self._taking_ids = [(i.name, i.title) for i in infos
                                if Capability.ADD_BY_ID in i.capabilities]
        return self._taking_ids

    @property
    def is_demo(self) -> bool:
        return any(s.kind == "demo" for s in self.config.suppliers.values())

    async def aclose(self) -> None:
        for adapter in self._adapters.values():
            await adapter.aclose()
        self._adapters.clear()
        self.store.close()

    # --- reading (thread-safe, synchronous) -------------------------------------------
    def window(self, q: OrderQuery, **kw: Any) -> list[OrderSummary]:
        return self.store.window(q, **kw)

    def windows(self, q: OrderQuery, *, batch: int = 1000) -> Iterator[list[OrderSummary]]:
        """Every matching row in the query's order, a window at a time (never all at once)."""
        after: tuple[object, ...] | None = None
        while True:
            rows = self.store.window(q, limit=batch, after=after)
            if not rows:
                return
            yield rows
            after = rows[-1].key

    def window_at(self, q: OrderQuery, position: int, limit: int, total: int
                  ) -> list[OrderSummary]:
        return self.store.window_at(q, position, limit, total)

    def count(self, q: OrderQuery) -> int:
        return self.store.count(q)

    def window_and_count(self, q: OrderQuery, *, limit: int) -> tuple[list[OrderSummary], int]:
        return self.store.window_and_count(q, limit=limit)

    def view_counts(self) -> dict[str, int]:
        """Counts for the orders screen's views (the protection view is counted live)."""
        counts = self.store.count_by_view()
        counts[View.PROTECTION.value] = self.store.count(
            OrderQuery.for_view(View.PROTECTION, as_of=self.clock()))
        return counts

    def resolve(self, ref: str) -> int:
        return self.store.resolve(ref)

    def order(self, order_id: int) -> Order:
        return self.store.get_order(order_id)

    def details(self, order_id: int) -> OrderDetails:
        order = self.store.get_order(order_id)
        info = self.supplier_info(order.supplier)
        url_for: dict[Action, str | None] = {}
        web_url = order.supplier_url or None
        if order.supplier in self.config.suppliers:
            adapter = self.adapter(order.supplier)
            web_url = adapter.web_url(order)
            url_for = {a: adapter.web_url(order, a) for a in Action}
        return OrderDetails(
            order=order, supplier=info,
            actions=rules.available_actions(order, info.capabilities, url_for),
            audit=self.store.audit_for(order_id),
            cancellations=self.store.cancellation_history(order_id),
            pending=self.store.outbox.entries(order_id=order_id), web_url=web_url,
            returns=self.returns.overview(order_id),
            stock_skus=sorted({i.sku for i in order.items if i.sku}
                              & {s.sku for s in self.returns.stock()})
            if order.status in SHIPPABLE_FROM_STOCK else [])

    def disputes(self, states: Sequence[DisputeState] = (), *, limit: int = 500
                 ) -> list[tuple[OrderSummary, Dispute]]:
        """Disputes with their orders, the latest activity first."""
        return self.store.disputes(states=states, limit=limit)

    def sync_status(self) -> dict[str, dict[str, Any]]:
        return self.store.sync_status()

    def pending_actions(self) -> list[OutboxEntry]:
        return self.store.outbox.entries()

    # --- merchant actions ---------------------------------------------------------------
    def _stamp(self) -> tuple[datetime, int]:
        now = self.clock()
        return now, int(now.timestamp())

    def _require(self, order: Order, action: Action) -> None:
        """The action must suit the order's state, and the supplier must do it by API."""
        rules.check_action(order, action)
        info = self.supplier_info(order.supplier)
        if action.capability not in info.capabilities:
            url = None
            if order.supplier in self.config.suppliers:
                url = self.adapter(order.supplier).web_url(order, action)
            raise CapabilityMissing(order.supplier, action.label.lower(), url)

    def _queue(self, order: Order, action: Action, payload: dict[str, Any],
               local_effect: Callable[[str, datetime], None]) -> str:
        """Write the local effect and the outbox entry in one transaction."""
        key = f"ot-{uuid.uuid4().hex}"
        now, ts = self._stamp()
        assert order.id is not None
        with self.store.write() as con:
            local_effect(key, now)
            self.store.outbox.enqueue(con, key=key, order_id=order.id, supplier=order.supplier,
                                      action=action, payload=payload, now=ts)
            self.store.audit(order.id, "merchant", action.value, _describe(action, payload),
                             at=ts)
        if self.outbox_wakeup is not None:
            self.outbox_wakeup.set()
        return key

    def request_cancellation(self, order_id: int, reason: str) -> Order:
        reason = rules.check_text("reason", reason)
        order = self.store.get_order(order_id)
        self._require(order, Action.CANCEL)

        def effect(key: str, now: datetime) -> None:
            self.store.add_cancellation(order_id, CancellationRequest(
                state=check_cancellation(None, CancellationState.REQUESTED), reason=reason,
                requested_at=now, updated_at=now, source=Source.LOCAL, client_key=key,
                history=[StateChange(now, "requested", reason, Source.LOCAL)]))
        self._queue(order, Action.CANCEL, {"reason": reason}, effect)
        return self.store.get_order(order_id)

    def answer_cancellation_info(self, order_id: int, message: str) -> Order:
        message = rules.check_text("message", message)
        order = self.store.get_order(order_id)
        self._require(order, Action.ANSWER_CANCEL_INFO)
        c = order.cancellation
        assert c is not None
        before = codec.cancellation_to(c)

        def effect(key: str, now: datetime) -> None:
            c.state = check_cancellation(c.state, CancellationState.REQUESTED)
            c.updated_at, c.source = now, Source.LOCAL
            c.history.append(StateChange(now, "requested", message, Source.LOCAL))
            self.store.update_cancellation(c, order_id)
        self._queue(order, Action.ANSWER_CANCEL_INFO, {"message": message, "before": before},
                    effect)
        return self.store.get_order(order_id)

    def check_evidence(self, paths: Sequence[str]) -> list[Evidence]:
        """Evidence files must exist on this machine and be readable."""
        if len(paths) > rules.MAX_EVIDENCE:
            raise ValidationError("evidence", f"at most {rules.MAX_EVIDENCE} evidence files")
        result = []
        for raw in paths:
            raw = raw.strip()
            if not raw:
                continue
            try:
                path = Path(raw).expanduser()
                path.stat()
            except FileNotFoundError:
                pass
            except (OSError, ValueError, RuntimeError) as exc:
                # a name too long, a NUL byte, ~nosuchuser: not a file on this machine
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else \
                    "not a usable path"
                raise ValidationError("evidence", f"{one_line(raw, 60)!r}: {reason}; give the "
                                      "path of a file on this machine") from None
            if not path.exists():
                raise ValidationError("evidence", f"no file at {raw}; give the path of a file "
                                      "on this machine")
            if not path.is_file():
                raise ValidationError("evidence", f"{raw} is not a file")
            if not os.access(path, os.R_OK):
                raise ValidationError("evidence", f"{raw} cannot be read (check its "
                                      "permissions)")
            size = path.stat().st_size
            if size > MAX_EVIDENCE_BYTES:
                raise ValidationError("evidence", f"{raw} is {size // 1_048_576} MB; the limit "
                                      f"is {MAX_EVIDENCE_BYTES // 1_048_576} MB")
            result.append(Evidence(str(path.resolve()), path.name, size))
        return result

    def validate_dispute(self, order: Order, *, reason: str, amount: str,
                         description: str, evidence: Sequence[str]
                         ) -> tuple[DisputeReason, Money, str, list[Evidence]]:
        """Check a dispute form; each problem names its field."""
        try:
            dreason = DisputeReason(reason)
        except ValueError:
            raise ValidationError("reason", "the reason must be one of: " + ", ".join(
                r.value for r in DisputeReason)) from None
        money = (Money.parse(amount, order.total_cost.currency) if amount.strip()
                 else order.total_cost)
        rules.check_dispute_amount(order, money)
        text = rules.check_text("description", description)
        return dreason, money, text, self.check_evidence(evidence)

    def open_dispute(self, order_id: int, *, reason: str, amount: str, description: str,
                     evidence: Sequence[str] = ()) -> Order:
        order = self.store.get_order(order_id)
        self._require(order, Action.DISPUTE_OPEN)
        dreason, money, text, files = self.validate_dispute(
            order, reason=reason, amount=amount, description=description, evidence=evidence)

        def effect(key: str, now: datetime) -> None:
            self.store.add_dispute(order_id, Dispute(
                state=check_dispute(None, DisputeState.OPEN), reason=dreason, amount=money,
                description=text, opened_at=now, updated_at=now, evidence=files,
                messages=[DisputeMessage(now, "merchant", text, key, Source.LOCAL)],
                source=Source.LOCAL, client_key=key,
                history=[StateChange(now, "open", "", Source.LOCAL)]))
        self._queue(order, Action.DISPUTE_OPEN, {
            "reason": dreason.value, "amount": money.plain(), "currency": money.currency,
            "description": text,
            "evidence": [{"path": e.path, "name": e.name, "size": e.size} for e in files]},
            effect)
        return self.store.get_order(order_id)

    def _dispute_step(self, order_id: int, action: Action, payload: dict[str, Any],
                      change: Callable[[Dispute, str, datetime], None]) -> Order:
        order = self.store.get_order(order_id)
        self._require(order, action)
        d = order.dispute
        assert d is not None
        payload = payload | {"before": codec.dispute_to(d)}

        def effect(key: str, now: datetime) -> None:
            change(d, key, now)
            d.updated_at, d.source = now, Source.LOCAL
            self.store.update_dispute(d, order_id)
        self._queue(order, action, payload, effect)
        return self.store.get_order(order_id)

    def reply_dispute(self, order_id: int, message: str) -> Order:
        message = rules.check_text("message", message)

        def change(d: Dispute, key: str, now: datetime) -> None:
            d.messages.append(DisputeMessage(now, "merchant", message, key, Source.LOCAL))
            if d.state is not DisputeState.ESCALATED and d.state is not \
                    DisputeState.AWAITING_SUPPLIER:
                d.state = check_dispute(d.state, DisputeState.AWAITING_SUPPLIER)
                d.history.append(StateChange(now, d.state.value, "", Source.LOCAL))
        return self._dispute_step(order_id, Action.DISPUTE_REPLY, {"message": message}, change)

    def escalate_dispute(self, order_id: int) -> Order:
        def change(d: Dispute, key: str, now: datetime) -> None:
            d.state = check_dispute(d.state, DisputeState.ESCALATED)
            d.history.append(StateChange(now, d.state.value, "", Source.LOCAL))
        return self._dispute_step(order_id, Action.DISPUTE_ESCALATE, {}, change)

    def withdraw_dispute(self, order_id: int) -> Order:
        def change(d: Dispute, key: str, now: datetime) -> None:
            d.state = check_dispute(d.state, DisputeState.WITHDRAWN)
            d.history.append(StateChange(now, d.state.value, "", Source.LOCAL))
        return self._dispute_step(order_id, Action.DISPUTE_WITHDRAW, {}, change)

    def accept_dispute_offer(self, order_id: int) -> Order:
        def change(d: Dispute, key: str, now: datetime) -> None:
            d.state = check_dispute(d.state, DisputeState.RESOLVED_REFUNDED)
            d.refunded = d.offer
            d.history.append(StateChange(now, d.state.value, "offer accepted", Source.LOCAL))
        return self._dispute_step(order_id, Action.DISPUTE_ACCEPT_OFFER, {}, change)

    # --- recording by hand, where the supplier has no API -----------------------------
    def record_cancellation(self, order_id: int, state: str, note: str = "") -> Order:
        """The merchant did it on the supplier's page; keep the order's history complete."""
        try:
            target = CancellationState(state)
        except ValueError:
            raise ValidationError("cancellation", "the state must be one of: " + ", ".join(
                s.value for s in CancellationState)) from None
        note = rules.check_text("note", note, required=False)
        order = self.store.get_order(order_id)
        now, ts = self._stamp()
        current = order.cancellation if order.cancellation and order.cancellation.state.active \
            else None
        route = path_to(CANCELLATION_TRANSITIONS, current.state if current else None, target)
        if not route:
            raise InvalidTransition("cancellation", current.state if current else None, target)
        with self.store.write():
            req = current
            for step in route:
                if req is None:
                    req = CancellationRequest(
                        state=step, reason=note or "recorded by hand", requested_at=now,
                        updated_at=now, source=Source.MANUAL,
                        history=[StateChange(now, step.value, note, Source.MANUAL)])
                    req.id = self.store.add_cancellation(order_id, req)
                    continue
                req.state, req.updated_at, req.source = step, now, Source.MANUAL
                if step is not CancellationState.REQUESTED and note:
                    req.supplier_message = note
                req.history.append(StateChange(now, step.value, note, Source.MANUAL))
                self.store.update_cancellation(req, order_id)
            if target is CancellationState.APPROVED and order.status in CANCELLABLE:
                self.store.set_order_status(order_id, OrderStatus.CANCELLED, now=ts)
            self.store.audit(order_id, "merchant", "record cancellation",
                             f"{target.value} (recorded by hand)" + (f": {note}" if note else ""),
                             at=ts)
        return self.store.get_order(order_id)

    def record_dispute(self, order_id: int, state: str, *, amount: str = "", note: str = "",
                       reason: str = "other") -> Order:
        try:
            target = DisputeState(state)
        except ValueError:
            raise ValidationError("dispute", "the state must be one of: " + ", ".join(
                s.value for s in DisputeState)) from None
        note = rules.check_text("note", note, required=False)
        order = self.store.get_order(order_id)
        money = Money.parse(amount, order.total_cost.currency) if amount.strip() else None
        if money is not None:
            rules.check_dispute_amount(order, money)
        now, ts = self._stamp()
        current = order.dispute if order.dispute and not order.dispute.state.terminal else None
        route = path_to(DISPUTE_TRANSITIONS, current.state if current else None, target)
        if not route:
            raise InvalidTransition("dispute", current.state if current else None, target)
        with self.store.write():
            d = current
            for step in route:
                if d is None:
                    if order.status not in DISPUTABLE:
                        rules.check_can_open_dispute(order)
                    d = Dispute(state=step, reason=DisputeReason(reason),
                                amount=money or order.total_cost, description=note,
                                opened_at=now, updated_at=now, source=Source.MANUAL,
                                history=[StateChange(now, step.value, note, Source.MANUAL)])
                    d.id = self.store.add_dispute(order_id, d)
                    continue
                d.state, d.updated_at, d.source = step, now, Source.MANUAL
                d.history.append(StateChange(now, step.value, note, Source.MANUAL))
                if step is DisputeState.RESOLVED_REFUNDED:
                    d.refunded = money or d.amount
                self.store.update_dispute(d, order_id)
            if note and d is not None:
                d.messages.append(DisputeMessage(now, "merchant", f"(recorded) {note}", "",
                                                 Source.MANUAL))
                self.store.update_dispute(d, order_id)
            self.store.audit(order_id, "merchant", "record dispute",
                             f"{target.value} (recorded by hand)"
                             + (f", {money.display()}" if money else "")
                             + (f": {note}" if note else ""), at=ts)
        return self.store.get_order(order_id)

    # --- supplier traffic ----------------------------------------------------------------
    async def sync(self, supplier: str | None = None,
                   progress: Callable[[SyncProgress], None] | None = None) -> SyncReport:
        return await sync(self, supplier, progress)

    async def add_orders(self, supplier: str, ids: str | Sequence[str],
                         progress: Callable[[SyncProgress], None] | None = None) -> AddReport:
        """Orders by the supplier's ids: an ``AddReport`` of those added and those not."""
        return await add_orders(self, supplier, ids, progress)

    def demo_supplier(self) -> str:
        for name, sc in self.config.suppliers.items():
            if sc.kind == "demo":
                return name
        raise OrdertuiError("no demo supplier is configured; add [suppliers.demo] with "
                            "kind = \"demo\" to the config")

    async def seed_demo(self, orders: int, seed: int | None = None,
                        progress: Callable[[SyncProgress], None] | None = None) -> SyncReport:
        """(Re)create the demo supplier with ``orders`` orders and sync them all in."""
        name = self.demo_supplier()
        adapter = self.adapter(name)
        assert isinstance(adapter, DemoAdapter)
        await asyncio.to_thread(adapter.engine.create, seed=adapter.seed if seed is None
                                else seed, count=orders)
        await asyncio.to_thread(self.store.delete_supplier_orders, name)
        if orders < 20_000:
            return await sync(self, name, progress, page_size=5000)
        with self.store.bulk_load():
            return await sync(self, name, progress, page_size=5000)

    def runner(self) -> OutboxRunner:
        if self._runner is None:
            self._runner = OutboxRunner(self)
        return self._runner

    async def run_outbox(self) -> tuple[bool, list[SyncEvent]]:
        """Send what is due, if no other session is doing so. Returns (ran, events)."""
        runner = self.runner()
        if not runner.acquire():
            return False, []
        try:
            return True, await runner.drain()
        finally:
            runner.release()

    async def refresh_order(self, order_id: int) -> list[SyncEvent]:
        """Read one order from its supplier now (when the merchant opens it)."""
        order = self.store.get_order(order_id)
        adapter = self.adapter(order.supplier)
        if not adapter.can(Capability.GET_ORDER):
            return []
        fresh = await adapter.get_order(order.supplier_order_id)
        return await asyncio.to_thread(self.store.apply_sync_page, order.supplier, [fresh], None)


    async def fill_details(self, budget: int = 20, done: set[int] | None = None) -> list[int]:
        """Read, one by one, orders whose supplier lists them without details, newest first,
        at most ``budget`` of them and none in ``done``; the adapter's rate limiter sets the
        pace. Returns the ids read (the caller adds them to ``done``)."""
        done = done if done is not None else set()
        read: list[int] = []
        for name in self.supplier_names():
            adapter = self.adapter(name)
            if adapter.list_has_details or not adapter.can(Capability.GET_ORDER):
                continue
            ids = await asyncio.to_thread(self.store.orders_missing_details, name,
                                          budget + len(done))
            for order_id in [i for i in ids if i not in done][:budget - len(read)]:
                await self.refresh_order(order_id)
                read.append(order_id)
            if len(read) >= budget:
                break
        return read

    # --- exports -----------------------------------------------------------------------
    def check_export(self, request: ExportRequest) -> ExportRequest:
        """The request checked and completed (see ``export.service.validate``)."""
        return validate_export(request, self.config)

    def export(self, request: ExportRequest,
               progress: Callable[[int, int], None] | None = None,
               cancelled: threading.Event | None = None, *,
               batch_size: int = EXPORT_BATCH) -> ExportResult:
        """Write an export of the store's orders (and e-mail it if asked); synchronous, for
        a thread."""
        return run_export(self.store, self.config, request, progress, cancelled,
                          batch_size=batch_size)

    # --- the shop's return policy ----------------------------------------------------
    def policy_document(self, lang: str = "en", fmt: str = "markdown") -> PolicyDocument:
        """The shop's refund and return policy, made from the current config."""
        return generate_policy(self.config, lang=lang, fmt=fmt)

    def save_policy(self, doc: PolicyDocument, path: Path) -> Path:
        """Write the policy to ``path`` and remember it, so that a change of a supplier's
        policy regenerates the file; returns the path written."""
        return save_policy(self.config, doc, path)

    # --- settings ----------------------------------------------------------------------
    def save_settings(self, *, theme: str | None = None,
                      keys: Mapping[str, str] | None = None) -> Path:
        """Write the theme and the key map to the config file (atomically, mode 0600)."""
        cfg = self.config
        raw = dict(cfg.raw)
        if theme is not None:
            raw["app"] = {**dict(raw.get("app", {})), "theme": theme}
        if keys:
            raw["keys"] = dict(keys)
        write_toml(cfg.path, raw)
        cfg.raw = raw
        if theme is not None:
            cfg.theme = theme
        if keys:
            cfg.keys = dict(keys)
        return cfg.path

    # --- what the screens ask before they act -----------------------------------------
    def read_pool(self, workers: int = 2) -> ReadPool:
        """Threads for reading the store off the terminal app's event loop."""
        return ReadPool(self.store, workers)

    def watch(self) -> StoreWatch:
        """Notices what other sessions write to the store (use it from one thread)."""
        return self.store.watch()

    def load_orders(self, ids: Sequence[int]) -> list[Order]:
        return self.store.load_orders(ids)

    def awaiting_supplier(self) -> int:
        """Requests the suppliers have not answered yet (worth polling for more often)."""
        return self.store.awaiting_supplier()

    def check_action(self, order: Order, action: Action) -> None:
        """Raise why ``action`` cannot be done on ``order`` now, by API; ``CapabilityMissing``
        (with the supplier's own page) when only its web page can do it."""
        self._require(order, action)

    def cancel_plan(self, ids: Sequence[int]) -> CancelPlan:
        """Which of these orders a cancellation can be asked for, and why not the others."""
        plan = CancelPlan()
        for order in self.store.load_orders(ids):
            try:
                self._require(order, Action.CANCEL)
            except CapabilityMissing:
                plan.skipped.append((order, f"{order.supplier} has no cancellation API: open "
                                            "the order to do it on the supplier's page"))
            except OrdertuiError as exc:
                plan.skipped.append((order, str(exc)))
            else:
                plan.ok.append(order)
        return plan

    def dispute_plan(self, order_id: int) -> DisputePlan:
        """What ``d`` on an order leads to: its open dispute's thread, the form to open one,
        or the reason neither is possible here."""
        order = self.store.get_order(order_id)
        if order.dispute is not None and not order.dispute.state.terminal:
            return DisputePlan(order, "thread")
        try:
            rules.check_can_open_dispute(order)
        except OrdertuiError as exc:
            return DisputePlan(order, "refused", "No dispute possible", str(exc))
        if Action.DISPUTE_OPEN.capability not in self.supplier_info(order.supplier).capabilities:
            return DisputePlan(order, "refused", "On the supplier's page",
                               f"{order.supplier} has no dispute API. Open the order for its "
                               "dispute page, then record the outcome there.")
        return DisputePlan(order, "form")


def _describe(action: Action, payload: dict[str, Any]) -> str:
    if action is Action.CANCEL:
        return f"requested cancellation: {payload['reason']}"
    if action is Action.ANSWER_CANCEL_INFO:
        return f"answered the supplier: {payload['message']}"
    if action is Action.DISPUTE_OPEN:
        return (f"opened a dispute ({payload['reason']}, {payload['amount']} "
                f"{payload['currency']}): {payload['description']}")
    if action is Action.DISPUTE_REPLY:
        return f"replied in the dispute: {payload['message']}"
    return action.label.lower()
