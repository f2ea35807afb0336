"""The one API the TUI and the CLI use: ``Services``, made of the suppliers and the store
(``base``), the merchant's actions (``actions``), recording by hand (``recording``), and here
what the screens and commands read, the traffic with the suppliers, exports, the shop's
policy and the settings. ``services.returns`` and ``services.fx`` (exchange rates) are parts
of their own.

Reads are plain methods, safe to call from any thread (each thread gets its own SQLite
connection); the TUI calls them from thread workers. Everything that talks to a supplier is a
coroutine. Merchant actions never call a supplier directly: they write their local effect and
an outbox entry in one transaction, and the runner sends them (invariant 2 in
docs/architecture.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ordertui.config import Config, write_toml
from ordertui.domain import rules
from ordertui.domain.capabilities import Action, Capability
from ordertui.domain.errors import (
    CapabilityMissing,
    OrdertuiError,
    ValidationError,
)
from ordertui.domain.models import (
    AuditEntry,
    CancellationRequest,
    Dispute,
    Order,
    OrderSummary,
    SyncEvent,
)
from ordertui.domain.query import OrderQuery, View
from ordertui.domain.roles import Permission, Role
from ordertui.domain.shop import ShopLink
from ordertui.domain.states import (
    DisputeState,
    OrderStatus,
)
from ordertui.export.request import ExportRequest, ExportResult
from ordertui.export.service import BATCH_SIZE as EXPORT_BATCH
from ordertui.export.service import run_export
from ordertui.export.service import validate as validate_export
from ordertui.fsutil import atomic_write
from ordertui.i18n import CHOICES, _
from ordertui.services.actions import Actions
from ordertui.services.base import SupplierInfo, _now
from ordertui.services.fx import FX_MEMORY, Rates
from ordertui.services.policy import PolicyDocument, generate_policy, save_policy
from ordertui.services.reads import ReadPool
from ordertui.services.recording import Recording
from ordertui.services.returns import ReturnsOverview, ReturnsService
from ordertui.services.runner import OutboxRunner
from ordertui.services.shops import ShopService
from ordertui.services.syncing import AddReport, SyncProgress, SyncReport, add_orders, sync
from ordertui.store.outbox import OutboxEntry
from ordertui.store.watch import StoreWatch

if TYPE_CHECKING:
    from ordertui.store.postgres import PgWatch
from ordertui.suppliers.demo import DemoAdapter

MAX_EVIDENCE_BYTES = 25 * 1024 * 1024
#: an order not shipped yet can be shipped from the returns stock instead of the supplier
#: in the data directory: what the export form remembers (the last address e-mailed to)
EXPORT_MEMORY = "export-form.json"
SHIPPABLE_FROM_STOCK = frozenset({OrderStatus.AWAITING_PAYMENT, OrderStatus.PROCESSING})


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
    #: tracking still for this many days is pointed out ([app] stalled_tracking_days)
    stalled_days: int = 10
    #: buyer protection ending within this many days is pointed out
    #: ([app] protection_warning_days)
    warning_days: int = 5
    #: the shop order it was placed for, and its money as the shop sold it
    shop: ShopLink | None = None
    #: shops are configured: the order can be linked to its shop order
    shops: bool = False
    #: the login reading it: what it did is "you", another person's by their login's name
    login: str = ""


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


class Services(Actions, Recording):
    """The one door: every part of ordertui's work a screen or a command asks for."""

    def __init__(self, config: Config, *, clock: Callable[[], datetime] = _now,
                 role: Role | None = None) -> None:
        """``role``: what the session may do (the config's ``owner`` when None)."""
        super().__init__(config, clock=clock, role=role)
        #: returns, refunds, supplier policies, buyer protection, the returns stock
        self.returns = ReturnsService(self)
        #: the merchant's shops: their orders, links to supplier orders, what goes back
        self.shops = ShopService(self)
        #: exchange rates: the config's [exchange_rates], then the ECB's kept in the store
        self.fx = Rates(self.store, config.exchange_rates, clock=self.clock,
                        memory=self.data_dir / FX_MEMORY)

    async def aclose(self) -> None:
        """Close the shops' and the suppliers' connections, then the store."""
        await self.shops.aclose()
        await super().aclose()

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

    @property
    def search_counts_are_cheap(self) -> bool:
        """Whether a search is counted from its index alone, as fast as its first rows are
        found (SQLite's FTS5). PostgreSQL checks every match's row to count it: thousands
        of matches take longer than the rows shown, so the screens show those first."""
        return self.store.backend == "sqlite"

    def window_and_count(self, q: OrderQuery, *, limit: int) -> tuple[list[OrderSummary], int]:
        return self.store.window_and_count(q, limit=limit)

    def view_query(self, view: View, **kw: Any) -> OrderQuery:
        """The query of an orders view, with what the config and the clock decide: what
        needs attention now, and the protection view counted from now."""
        if view is View.ATTENTION:
            kw.update(stalled_days=self.config.stalled_tracking_days,
                      warning_days=self.config.protection_warning_days, as_of=self.clock())
        elif view is View.PROTECTION:
            kw.update(as_of=self.clock())
        return OrderQuery.for_view(view, **kw)

    def view_counts(self) -> dict[str, int]:
        """Counts for the orders screen's views (attention and protection counted live)."""
        counts = self.store.count_by_view()
        for view in (View.ATTENTION, View.PROTECTION):
            counts[view.value] = self.store.count(self.view_query(view))
        return counts

    def resolve(self, ref: str) -> int:
        return self.store.resolve(ref)

    def order(self, order_id: int) -> Order:
        return self.store.get_order(order_id)

    def details(self, order_id: int) -> OrderDetails:
        """Everything the details screen shows, read in one snapshot (one transaction: a
        shared store answers each statement over the network)."""
        with self.store.read():
            return self._details(order_id)

    def _details(self, order_id: int) -> OrderDetails:
        order = raw = self.store.get_order(order_id)
        info = self.supplier_info(order.supplier)
        url_for: dict[Action, str | None] = {}
        web_url = order.supplier_url or None
        if order.supplier in self.config.suppliers:
            adapter = self.adapter(order.supplier)
            web_url = adapter.web_url(order)
            url_for = {a: adapter.web_url(order, a) for a in Action}
        order = self.shops.named(order)
        return OrderDetails(
            order=order, supplier=info,
            actions=rules.available_actions(order, info.capabilities, url_for),
            audit=self.store.audit_for(order_id),
            cancellations=self.store.cancellation_history(order_id),
            pending=self.store.outbox.entries(order_id=order_id), web_url=web_url,
            returns=self.returns.overview(order_id, raw),
            stock_skus=sorted({i.sku for i in order.items if i.sku}
                              & {s.sku for s in self.returns.stock()})
            if order.status in SHIPPABLE_FROM_STOCK else [],
            stalled_days=self.config.stalled_tracking_days,
            warning_days=self.config.protection_warning_days,
            shop=self.shops.shop_link(order_id, raw), shops=bool(self.config.shops),
            login=self.store.login)

    def disputes(self, states: Sequence[DisputeState] = (), *, limit: int = 500
                 ) -> list[tuple[OrderSummary, Dispute]]:
        """Disputes with their orders, the latest activity first."""
        return self.store.disputes(states=states, limit=limit)

    def sync_status(self) -> dict[str, dict[str, Any]]:
        return self.store.sync_status()

    def pending_actions(self) -> list[OutboxEntry]:
        return self.store.outbox.entries()

    # --- supplier traffic ----------------------------------------------------------------
    async def sync(self, supplier: str | None = None,
                   progress: Callable[[SyncProgress], None] | None = None, *,
                   shop: str | None = None) -> SyncReport:
        """The suppliers' orders, then the shops' (see ``services.syncing.sync``)."""
        self.require(Permission.SYNC)
        return await sync(self, supplier, progress, shop=shop)

    async def add_orders(self, supplier: str, ids: str | Sequence[str],
                         progress: Callable[[SyncProgress], None] | None = None) -> AddReport:
        """Orders by the supplier's ids: an ``AddReport`` of those added and those not."""
        self.require(Permission.SYNC)
        return await add_orders(self, supplier, ids, progress)


    async def seed_demo(self, orders: int, seed: int | None = None,
                        progress: Callable[[SyncProgress], None] | None = None) -> SyncReport:
        """(Re)create the demo supplier with ``orders`` orders and sync them all in."""
        self.require(Permission.SYNC)
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
        self.require(Permission.SYNC)
        runner = self.runner()
        if not runner.acquire():
            return False, []
        try:
            return True, await runner.drain()
        finally:
            runner.release()

    async def refresh_order(self, order_id: int) -> list[SyncEvent]:
        """Read one order from its supplier now (when the merchant opens it)."""
        self.require(Permission.SYNC)
        order = self.store.get_order(order_id)
        adapter = self.adapter(order.supplier)
        if not adapter.can(Capability.GET_ORDER):
            return []
        fresh = await adapter.get_order(order.supplier_order_id)
        events = await asyncio.to_thread(self.store.apply_sync_page, order.supplier, [fresh],
                                         None)
        if self.config.shops:  # its lines may have come only now: matched to the shop's
            await asyncio.to_thread(self.shops.link_pass, [order_id])
        return events


    async def fill_details(self, budget: int = 20, done: set[int] | None = None) -> list[int]:
        """Read, one by one, orders whose supplier lists them without details, newest first,
        at most ``budget`` of them and none in ``done``; the adapter's rate limiter sets the
        pace. Returns the ids read (the caller adds them to ``done``)."""
        self.require(Permission.SYNC)
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
        self.require(Permission.EXPORT)
        return validate_export(request, self.config)

    def remembered_export_email(self) -> str:
        """The address the last export from this data directory was e-mailed to."""
        try:
            data = json.loads((self.data_dir / EXPORT_MEMORY).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return ""
        email = data.get("email") if isinstance(data, dict) else None
        return email if isinstance(email, str) else ""

    def export(self, request: ExportRequest,
               progress: Callable[[int, int], None] | None = None,
               cancelled: threading.Event | None = None, *,
               batch_size: int = EXPORT_BATCH) -> ExportResult:
        """Write an export of the store's orders (and e-mail it if asked); synchronous, for
        a thread."""
        self.require(Permission.EXPORT)
        result = run_export(self.store, self.config, request, progress, cancelled,
                            batch_size=batch_size)
        if result.emailed_to:  # the form offers it next time (best effort)
            with contextlib.suppress(OrdertuiError):
                atomic_write(self.data_dir / EXPORT_MEMORY,
                             json.dumps({"email": result.emailed_to}))
        return result

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
                      keys: Mapping[str, str] | None = None,
                      return_address: Sequence[str] | None = None,
                      language: str | None = None) -> Path:
        """Write the theme, the language, the key map and the return address (``[returns]
        address``) to the config file (atomically, mode 0600); None leaves a setting as it
        is."""
        self.require(Permission.SETTINGS)
        cfg = self.config
        raw = dict(cfg.raw)
        if theme is not None:
            raw["app"] = {**dict(raw.get("app", {})), "theme": theme}
        if language is not None:
            if language not in CHOICES:
                raise ValidationError("language", _("the language is one of {choices}").format(
                    choices=", ".join(CHOICES)))
            raw["app"] = {**dict(raw.get("app", {})), "language": language}
        if keys is not None:
            if keys:
                raw["keys"] = dict(keys)
            else:
                raw.pop("keys", None)
        returns = dict(cfg.returns)
        if return_address is not None:
            lines = [x.strip() for x in return_address if x.strip()]
            if lines:
                returns["address"] = lines
            else:
                returns.pop("address", None)
            if returns:
                raw["returns"] = returns
            else:
                raw.pop("returns", None)
        write_toml(cfg.path, raw)
        cfg.raw = raw
        if theme is not None:
            cfg.theme = theme
        if language is not None:
            cfg.language = language
        if keys is not None:
            cfg.keys = dict(keys)
        cfg.returns = returns
        return cfg.path

    # --- what the screens ask before they act -----------------------------------------
    def read_pool(self, workers: int = 2) -> ReadPool:
        """Threads for reading the store off the terminal app's event loop."""
        return ReadPool(self.store, workers)

    def watch(self) -> StoreWatch | PgWatch:
        """Notices what other sessions write to the store (use it from one thread)."""
        return self.store.watch()

    def load_orders(self, ids: Sequence[int]) -> list[Order]:
        return self.store.load_orders(ids)

    def latest_news(self) -> int:
        return self.store.latest_news()

    def news_since(self, after: int) -> list[SyncEvent]:
        """What the suppliers decided since the news numbered ``after``, whichever session
        synced it or sent the action (see ``Store.record_news``)."""
        return self.store.news_since(after)

    def awaiting_supplier(self) -> int:
        """Requests the suppliers have not answered yet (worth polling for more often)."""
        return self.store.awaiting_supplier()


    def cancel_plan(self, ids: Sequence[int]) -> CancelPlan:
        """Which of these orders a cancellation can be asked for, and why not the others."""
        plan = CancelPlan()
        for order in self.store.load_orders(ids):
            try:
                self.require(Permission.CANCEL)
                self._require(order, Action.CANCEL)
            except CapabilityMissing:
                plan.skipped.append((order, _(
                    "{supplier} has no cancellation API: open the order to do it on the "
                    "supplier's page").format(supplier=order.supplier)))
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
            return DisputePlan(order, "thread")  # to read, whatever the role
        try:
            self.require(Permission.DISPUTE)
            rules.check_can_open_dispute(order)
        except OrdertuiError as exc:
            return DisputePlan(order, "refused", _("No dispute possible"), str(exc))
        if Action.DISPUTE_OPEN.capability not in self.supplier_info(order.supplier).capabilities:
            return DisputePlan(order, "refused", _("On the supplier's page"), _(
                "{supplier} has no dispute API. Open the order for its dispute page, then "
                "record the outcome there.").format(supplier=order.supplier))
        return DisputePlan(order, "form")


