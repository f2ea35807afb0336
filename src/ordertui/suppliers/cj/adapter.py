"""CJ Dropshipping (API 2.0): everything the merchant's workflow needs, by API.

Cancellation has no endpoint of its own at CJ, so it is mapped onto what CJ offers: an
unpaid order is deleted; a paid order that has not shipped gets a dispute with CJ's
"Unfulfilled Order Cancellation" reason asking for a refund; a shipped order cannot be
cancelled, and the merchant is told to open a dispute instead.

The order list is read by the sync planner (``sync``); this module reads one order when the
merchant opens it, sends the merchant's actions — each written to the state's journal
before it goes out — and, after an ambiguous send, reads CJ's state to say whether it took
effect. See ``state`` for what the adapter remembers between passes and ``mapping`` for how
CJ's answers become orders.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any, ClassVar

from ordertui.adapters import TIMEOUTS, AdapterContext, Applied, http_settings_problems
from ordertui.domain.capabilities import Action, Capability
from ordertui.domain.errors import (
    ConfigError,
    SupplierError,
    SupplierNotFound,
    SupplierProtocolError,
    SupplierRateLimited,
    SupplierRejected,
)
from ordertui.domain.models import (
    CancellationRequest,
    Dispute,
    DisputeMessage,
    Order,
    StateChange,
)
from ordertui.domain.money import Money
from ordertui.domain.states import CancellationState, DisputeReason, DisputeState
from ordertui.http import check_base_url
from ordertui.i18n import _
from ordertui.secrets import resolve_secret
from ordertui.suppliers.base import (
    DisputeDraft,
    OrderPage,
    PendingAction,
    SupplierAdapter,
    Tracking,
)
from ordertui.suppliers.cj.client import DEFAULT_BASE_URL, CJClient
from ordertui.suppliers.cj.mapping import (
    CENT,
    CURRENCY,
    UNPAID,
    OrderBuilder,
    dec,
    epoch_s,
    from_epoch,
    int_or_0,
    is_cancel_reason,
    list_of,
    page_url,
    parse_time,
    pick_reason,
    spread,
    tracking_event,
    withdrawn,
)
from ordertui.suppliers.cj.state import CJState, JournalEntry
from ordertui.suppliers.cj.sync import CJSync

DEFAULT_PAGE_SIZE = 100
#: how long a variant whose look-up failed is left alone before it is asked again
VARIANT_RETRY_S = 600
WEB_BASE = "https://cjdropshipping.com"
#: the actions done on CJ's dispute pages; the others on its order pages
DISPUTE_ACTIONS = frozenset({Action.DISPUTE_OPEN, Action.DISPUTE_REPLY,
                             Action.DISPUTE_ESCALATE, Action.DISPUTE_WITHDRAW,
                             Action.DISPUTE_ACCEPT_OFFER})


log = logging.getLogger(__name__)


class CJOrderShipped(SupplierRejected):
    """A shipped order cannot be cancelled at CJ; a dispute is the way."""


class CJAdapter(SupplierAdapter):
    kind = "cj"
    title = "CJ Dropshipping"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({
        Capability.LIST_ORDERS, Capability.GET_ORDER, Capability.TRACKING, Capability.CANCEL,
        Capability.DISPUTE_OPEN, Capability.DISPUTE_WITHDRAW, Capability.DISPUTE_LIST})
    secret_keys = ("api_key",)
    rate_limit = 1.0  # CJ's default for free and level-1 accounts
    list_has_details = False  # the order list has no products and no tracking

    def __init__(self, name: str, settings: Mapping[str, Any], context: AdapterContext) -> None:
        super().__init__(name, settings, context)
        where = f"{context.config_path or 'config'} [suppliers.{name}]"
        api_key = resolve_secret(settings, "api_key", where=where)
        if not api_key:
            # Translators: "My CJ → Authorization → API" names CJ's own menus
            raise ConfigError(where, _("needs api_key = \"...\" or api_key_env = \"VARIABLE\" "
                                       "(the key from My CJ → Authorization → API)"),
                              key="api_key")
        base_url = check_base_url(str(settings.get("base_url", DEFAULT_BASE_URL)), where=where)
        self.page_size = int(settings.get("page_size", DEFAULT_PAGE_SIZE))
        self.refund_type = 2 if settings.get("refund_type") == "platform" else 1
        self.web_base = str(settings.get("web_url", WEB_BASE)).rstrip("/")
        self.client = CJClient(
            name, base_url, api_key, context.directory, context.clock,
            rate=float(settings.get("rate_limit", self.rate_limit)),
            connect_timeout=float(settings.get("connect_timeout_s", 10)),
            read_timeout=float(settings.get("read_timeout_s", 30)), shared=context.shared)
        self.state = CJState(context.directory / "cj-state.sqlite3", context.shared, name)
        self.orders = OrderBuilder(name, self.state, context.clock, web_base=self.web_base)
        self.sync = CJSync(self.client, self.state, self.orders, max_page_size=self.page_size)
        #: vid -> when a failed look-up of it may be tried again (this process only)
        self._variant_retry: dict[str, int] = {}

    @classmethod
    def validate_settings(cls, settings: Mapping[str, Any]) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        if not settings.get("api_key") and not settings.get("api_key_env"):
            problems.append(("api_key", _("needs api_key = \"...\" or api_key_env = "
                                          "\"VARIABLE\"")))
        for key in ("api_key", "api_key_env", "base_url", "web_url"):
            if key in settings and not isinstance(settings[key], str):
                problems.append((key, _("{key} must be a string").format(key=key)))
        problems += http_settings_problems(settings, (("rate_limit", 0.01, 100), *TIMEOUTS))
        size = settings.get("page_size")
        if size is not None and (not isinstance(size, int) or isinstance(size, bool)
                                 or not 1 <= size <= 200):
            problems.append(("page_size", _("page_size must be a whole number from 1 to 200")))
        if settings.get("refund_type", "balance") not in ("balance", "platform"):
            problems.append(("refund_type", _("refund_type must be \"balance\" (CJ wallet) or "
                                              "\"platform\" (back the way you paid)")))
        if "policy" in settings and not isinstance(settings["policy"], Mapping):
            problems.append(("policy", _("policy must be a table, [suppliers.NAME.policy]")))
        return problems

    async def aclose(self) -> None:
        await self.client.aclose()

    # --- pages ------------------------------------------------------------------------------
    def web_url(self, order: Order, action: Action | None = None) -> str | None:
        """CJ's own pages (deep links UNCONFIRMED: My CJ opens at its start page when it
        does not know the fragment, and the order id is there to search for)."""
        return page_url(self.web_base, order.supplier_order_id,
                        disputes=action in DISPUTE_ACTIONS)

    def _now(self) -> int:
        return int(self.context.clock().timestamp())

    # --- reading ------------------------------------------------------------------------------
    async def list_orders(self, cursor: str | None, *, page_size: int = 200) -> OrderPage:
        return await self.sync.next_page(cursor, page_size=page_size)

    async def get_order(self, supplier_order_id: str) -> Order:
        detail = await self.client.order_detail(supplier_order_id)
        oid = str(detail["orderId"])
        tracking = None
        if detail.get("trackNumber"):
            tracking = await self._tracking_events(oid, str(detail["trackNumber"]))
        known = (await asyncio.to_thread(self.state.known, [oid])).get(oid)
        has_disputes = bool(await asyncio.to_thread(self.state.disputes_of, oid))
        if detail.get("disputeId") or has_disputes or (known and known.status != str(
                detail.get("orderStatus"))):
            await self._remember_disputes(oid, await self.client.order_disputes(oid))
        await self._name_variants(detail)
        orders = await asyncio.to_thread(
            self.orders.materialise, [detail], details={oid: detail},
            trackings={oid: tracking} if tracking is not None else None)
        return orders[0]

    async def _name_variants(self, detail: dict[str, Any]) -> None:
        """CJ's order details name no product: ask the product API for the variants of
        ``detail`` that have no name yet, once each (the answers are kept in the state). A
        failed look-up leaves the line's stand-in name and is tried again after
        ``VARIANT_RETRY_S``; it never fails the order's read."""
        vids = list(dict.fromkeys(
            str(p["vid"]) for p in list_of(detail.get("productList")) if isinstance(p, dict)
            and p.get("vid") and not (p.get("productName") or p.get("productNameEn"))))
        if not vids:
            return
        named = await asyncio.to_thread(self.state.named, vids)
        now = self._now()
        for vid in vids:
            if vid in named or self._variant_retry.get(vid, 0) > now:
                continue
            try:
                await self._look_up_variant(vid)
                self._variant_retry.pop(vid, None)
            except SupplierError as exc:
                self._variant_retry[vid] = now + VARIANT_RETRY_S
                log.info("%s: no name for CJ variant %s yet: %s", self.name, vid, exc)
                if isinstance(exc, SupplierRateLimited):
                    break  # the rest wait for a later read

    async def _look_up_variant(self, vid: str) -> None:
        """Name, variant and SKU of ``vid`` from CJ's product API, into the state: the
        product's English name (asked once per product), the variant's key, its SKU."""
        v = await self.client.variant(vid)
        if v is None:
            raise SupplierNotFound(self.name, f"CJ's product API knows no variant {vid}")
        pid = str(v.get("pid") or "")
        name = await asyncio.to_thread(self.state.product_name, pid) if pid else ""
        if not name and pid:
            product = await self.client.product(pid)
            name = str((product or {}).get("productNameEn") or "")
        variant = str(v.get("variantKey") or "")
        if not name:  # no product to name it by: the variant's own English name
            name = str(v.get("variantNameEn") or v.get("variantName") or "")
            if variant and name.endswith(" " + variant):
                name = name[:-len(variant) - 1]
        await asyncio.to_thread(
            self.state.save_variant, vid, pid=pid, name=name, variant=variant,
            sku=str(v.get("variantSku") or ""), fetched_at=self._now())

    async def _tracking_events(self, order_id: str, number: str) -> list[dict[str, Any]]:
        """CJ gives the parcel's present state only; the history is what ordertui saw."""
        info = await self.client.track_info(number)
        known = (await asyncio.to_thread(self.state.known, [order_id])).get(order_id)
        events = list(known.tracking) if known else []
        if info and info.get("trackingStatus"):
            text = str(info["trackingStatus"])
            delivered = parse_time(info.get("deliveryTime"))
            at = delivered if delivered and "deliver" in text.lower() else \
                self.context.clock().replace(microsecond=0)
            if not events or events[-1]["description"] != text:
                events.append({"at": epoch_s(at), "description": text,
                               "location": str(info.get("trackingTo") or ""),
                               "status": text})
        return events

    async def get_tracking(self, order: Order) -> Tracking:
        number = order.tracking_number
        if not number:
            detail = await self.client.order_detail(order.supplier_order_id)
            number = str(detail.get("trackNumber") or "")
        if not number:
            return Tracking(order.carrier, "", [], status="not shipped yet")
        info = await self.client.track_info(number)
        events = await self._tracking_events(order.supplier_order_id, number)
        known = (await asyncio.to_thread(self.state.known, [order.supplier_order_id])).get(
            order.supplier_order_id)
        if known is not None:
            await asyncio.to_thread(self.state.save_orders, [(
                known.order_id, known.status, known.item, None, events, known.fp,
                known.updated_at)])
        return Tracking(carrier=str((info or {}).get("logisticName") or order.carrier),
                        tracking_number=number, events=[tracking_event(e) for e in events],
                        url=order.tracking_url or f"https://cjpacket.com/?trackingNumber={number}",
                        status=str((info or {}).get("trackingStatus") or ""))

    async def get_disputes(self, order: Order) -> list[Dispute]:
        oid = order.supplier_order_id
        await self._remember_disputes(oid, await self.client.order_disputes(oid))
        rows = (await asyncio.to_thread(self.state.disputes_for, [oid])).get(oid, [])
        return [self.orders.dispute(item, key, requested, order.total_cost)
                for _id, item, key, kind, requested in rows
                if kind != "cancel" and not is_cancel_reason(item.get("disputeReason"))]

    async def _remember_disputes(self, order_id: str, items: list[dict[str, Any]]) -> None:
        await asyncio.to_thread(self.orders.remember_disputes, order_id, items)

    # --- writing --------------------------------------------------------------------------
    async def request_cancellation(self, order: Order, reason: str,
                                   key: str) -> CancellationRequest:
        oid = order.supplier_order_id
        detail = await self.client.order_detail(oid)
        raw = str(detail.get("orderStatus") or "")
        now = from_epoch(self._now())
        if raw in UNPAID:
            await self._journal(key, Action.CANCEL, oid, "delete", [], {"reason": reason})
            await self.client.call("DELETE", "/shopping/order/deleteOrder",
                                   params={"orderId": oid}, write=True)
            note = "CJ deleted the unpaid order; nothing will be charged or shipped"
            return CancellationRequest(
                state=CancellationState.APPROVED, reason=reason, requested_at=now,
                updated_at=now, supplier_message=note, client_key=key,
                history=[StateChange(now, "requested", reason), StateChange(now, "approved",
                                                                             note)])
        if raw == "UNSHIPPED":
            dispute_id, amount = await self._create_dispute(
                order, key, Action.CANCEL, cancel=True, reason=DisputeReason.OTHER,
                amount=None, text=reason)
            note = (f"CJ has no cancellation for paid orders: ordertui opened dispute "
                    f"{dispute_id or '(id pending)'} (Unfulfilled Order Cancellation) asking "
                    f"for a refund of {Money(amount, CURRENCY).english()}; CJ decides on it")
            return CancellationRequest(
                state=CancellationState.REQUESTED, reason=reason, requested_at=now,
                updated_at=now, supplier_message=note, client_key=key,
                history=[StateChange(now, "requested", note)])
        if raw in ("SHIPPED", "DELIVERED"):
            tracking = detail.get("trackNumber")
            raise CJOrderShipped(self.name, _(
                "CJ has shipped this order (tracking {tracking}); a shipped order cannot be "
                "cancelled — open a dispute instead").format(tracking=tracking) if tracking
                else _("CJ has shipped this order; a shipped order cannot be cancelled — open "
                       "a dispute instead"))
        if raw == "CANCELLED":
            note = "CJ lists the order as cancelled already"
            return CancellationRequest(
                state=CancellationState.APPROVED, reason=reason, requested_at=now,
                updated_at=now, supplier_message=note, client_key=key,
                history=[StateChange(now, "approved", note)])
        raise SupplierRejected(self.name, _(
            "CJ reports the status {status}, which ordertui does not know; cancel the order "
            "on CJ's page").format(status=raw or _("(none)")))

    async def open_dispute(self, order: Order, draft: DisputeDraft, key: str) -> Dispute:
        text = draft.description
        if draft.evidence:
            text += " — evidence kept by the merchant: " + ", ".join(
                e.name for e in draft.evidence)
        dispute_id, amount = await self._create_dispute(
            order, key, Action.DISPUTE_OPEN, cancel=False, reason=draft.reason,
            amount=draft.amount.amount, text=text, description=draft.description)
        now = from_epoch(self._now())
        return Dispute(
            state=DisputeState.AWAITING_SUPPLIER, reason=draft.reason,
            amount=Money(amount, CURRENCY), description=draft.description, opened_at=now,
            updated_at=now, supplier_dispute_id=dispute_id, evidence=list(draft.evidence),
            client_key=key,
            messages=[DisputeMessage(now, "merchant", draft.description, client_key=key)],
            history=[StateChange(now, "open"), StateChange(now, "awaiting_supplier")])

    async def _create_dispute(self, order: Order, key: str, action: Action, *, cancel: bool,
                              reason: DisputeReason, amount: Decimal | None, text: str,
                              description: str = "") -> tuple[str, Decimal]:
        """CJ's three steps (products, confirm, create) with ``businessDisputeId`` = the
        outbox key; the journal entry goes to disk before the create goes out."""
        oid = order.supplier_order_id
        data = await self.client.call("GET", "/disputes/disputeProducts",
                                      params={"orderId": oid})
        products = data.get("productInfoList") if isinstance(data, dict) else None
        if not isinstance(products, list):
            raise SupplierProtocolError(self.name, _("CJ's dispute products have no "
                                                     "productInfoList"))
        await asyncio.to_thread(self.state.save_names, [
            (str(p.get("cjVariantId")), str(p.get("cjProductName") or ""), str(p.get("sku") or ""))
            for p in products if isinstance(p, dict) and p.get("cjVariantId")])
        lines = [p for p in products if isinstance(p, dict) and p.get("canChoose")
                 and int_or_0(p.get("quantity")) > 0 and p.get("lineItemId")]
        if not lines:
            raise SupplierRejected(self.name, _("CJ allows no dispute on this order now (it "
                                                "may have an unfinished dispute, or not be "
                                                "paid)"))
        chosen = [{"lineItemId": str(p["lineItemId"]), "quantity": int_or_0(p["quantity"]),
                   "price": float(dec(p.get("price")))} for p in lines]
        confirm = await self.client.call("POST", "/disputes/disputeConfirmInfo",
                                         body={"orderId": oid, "productInfoList": chosen})
        if not isinstance(confirm, dict):
            raise SupplierProtocolError(self.name, _("CJ's dispute confirmation is not an "
                                                     "object"))
        options = {str(o) for o in confirm.get("expectResultOptionList") or []}
        if "1" not in options:
            raise SupplierRejected(self.name, _("CJ offers no refund for this order; ask for "
                                                "a reissue on CJ's page"))
        reasons = [r for r in confirm.get("disputeReasonList") or [] if isinstance(r, dict)]
        picked = pick_reason(reasons, reason, cancel=cancel)
        if picked is None:
            want = "Unfulfilled Order Cancellation" if cancel else reason.label
            # Translators: reason is the name of one of CJ's dispute reasons
            raise SupplierRejected(self.name, _("CJ offers no '{reason}' reason for this "
                                                "order now; do it on CJ's page").format(
                                                    reason=want))
        most = dec(confirm.get("maxAmount")) or dec(confirm.get("maxProductPrice"))
        wanted = most if amount is None else min(amount.quantize(CENT), most)
        if wanted <= 0:
            raise SupplierRejected(self.name, _("CJ allows no refund on this order"))
        before = [str(i["id"]) for i in await self.client.order_disputes(oid)]
        payload = {"kind": "cancel" if cancel else "dispute", "reason": (
            text if cancel else reason.value), "amount": str(wanted),
            "description": description or text}
        await self._journal(key, action, oid, "dispute", before, payload)
        await self.client.call("POST", "/disputes/create", write=True, body={
            "businessDisputeId": key, "orderId": oid,
            "disputeReasonId": picked["disputeReasonId"], "expectType": 1,
            "refundType": self.refund_type, "messageText": text[:500],
            "productInfoList": spread(chosen, wanted)})
        items = await self.client.order_disputes(oid)
        await self._remember_disputes(oid, items)
        entry = await asyncio.to_thread(self.state.journal_entry, key, oid)
        return (entry.dispute_id if entry else ""), wanted

    async def withdraw_dispute(self, order: Order, key: str) -> Dispute:
        oid = order.supplier_order_id
        dispute = order.dispute
        did = dispute.supplier_dispute_id if dispute else ""
        if not did:
            rows = await asyncio.to_thread(self.state.disputes_of, oid)
            did = next((r[0] for r in reversed(rows) if r[3] != "cancel"), "")
        if not did or dispute is None:
            raise SupplierRejected(self.name, _("ordertui does not know CJ's id for this "
                                                "dispute yet; sync, then try again"))
        await self._journal(key, Action.DISPUTE_WITHDRAW, oid, "withdraw", [], {},
                            dispute_id=did)
        await self.client.call("POST", "/disputes/cancel", write=True,
                               body={"orderId": oid, "disputeId": did})
        now = from_epoch(self._now())
        return replace(dispute, state=DisputeState.WITHDRAWN, updated_at=now,
                       supplier_dispute_id=did,
                       history=[*dispute.history, StateChange(now, "withdrawn")])

    async def _journal(self, key: str, action: Action, order_id: str, route: str,
                       before: list[str], payload: dict[str, Any], dispute_id: str = "") -> None:
        await asyncio.to_thread(self.state.journal, JournalEntry(
            key=key, action=action.value, order_id=order_id, route=route, before=before,
            at=self._now(), dispute_id=dispute_id, payload=payload))

    async def _applied_elsewhere(self, action: Action, oid: str) -> Applied:
        """A cancellation or a dispute sent with no journal entry here: the order
        deleted or cancelled, or an undecided dispute on it (the store let the action be
        queued only when the order had no live request; CJ allows one unfinished dispute)."""
        if action is Action.CANCEL:
            try:
                detail = await self.client.order_detail(oid)
            except SupplierNotFound:
                return Applied.YES
            if str(detail.get("orderStatus")) == "CANCELLED":
                return Applied.YES
        items = await self.client.order_disputes(oid)
        await self._remember_disputes(oid, items)
        return Applied.YES if any(not item.get("finallyDeal") and not withdrawn(
            str(item.get("status") or "")) for item in items) else Applied.NO

    async def was_applied(self, pending: PendingAction, order: Order) -> Applied:
        """The journal says what was sent; CJ's state says whether it took effect."""
        entry = await asyncio.to_thread(self.state.journal_entry, pending.key,
                                        order.supplier_order_id)
        if entry is None and pending.first_attempt_at is not None \
                and pending.action in (Action.CANCEL, Action.DISPUTE_OPEN):
            # sent, yet no entry here: from another data directory sharing the store before
            # the journal was shared (its entry is in that directory): CJ's state of the
            # order says
            return await self._applied_elsewhere(pending.action, order.supplier_order_id)
        if entry is None:
            return Applied.NO  # the journal is written before every send: nothing went out
        oid = entry.order_id
        if entry.route == "delete":
            try:
                detail = await self.client.order_detail(oid)
            except SupplierNotFound:
                return Applied.YES
            return Applied.YES if str(detail.get("orderStatus")) == "CANCELLED" else Applied.NO
        items = await self.client.order_disputes(oid)
        if entry.route == "dispute":
            await self._remember_disputes(oid, items)
            return Applied.YES if any(str(i["id"]) not in entry.before for i in items) \
                else Applied.NO
        if entry.route == "withdraw":
            await self._remember_disputes(oid, items)
            item = next((i for i in items if str(i["id"]) == entry.dispute_id), None)
            return Applied.YES if item is not None and withdrawn(str(item.get("status") or "")) \
                else Applied.NO
        return Applied.NO

