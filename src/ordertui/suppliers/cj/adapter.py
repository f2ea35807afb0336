"""CJ Dropshipping (API 2.0): everything the merchant's workflow needs, by API.

Cancellation has no endpoint of its own at CJ, so it is mapped onto what CJ offers: an
unpaid order is deleted; a paid order that has not shipped gets a dispute with CJ's
"Unfulfilled Order Cancellation" reason asking for a refund; a shipped order cannot be
cancelled, and the merchant is told to open a dispute instead.

Syncing: CJ's order list filters by status only — no "changed since" — and its items carry
neither products nor disputes. A first sync (no cursor) reads every status's pages. Later
syncs read the open statuses only (the orders that can still change), find the orders that
left them with ``orderIds`` look-ups in the terminal lists, compare the terminal lists'
totals with what the adapter knows (reading a list again only when they differ), and read
the dispute list to follow the disputes the adapter knows. A sync reads list pages only;
details and tracking are read when the merchant opens an order. See ``state`` for what
the adapter remembers between passes.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, ClassVar, TypeVar
from urllib.parse import quote

from ordertui.domain.capabilities import Action, Capability
from ordertui.domain.errors import (
    ConfigError,
    SupplierNotFound,
    SupplierProtocolError,
    SupplierRejected,
)
from ordertui.domain.models import (
    Address,
    CancellationRequest,
    Customer,
    Dispute,
    DisputeMessage,
    LineItem,
    Order,
    StateChange,
    TrackingEvent,
)
from ordertui.domain.money import MAX_AMOUNT, Money
from ordertui.domain.states import CancellationState, DisputeReason, DisputeState, OrderStatus
from ordertui.secrets import resolve_secret
from ordertui.suppliers.base import (
    AdapterContext,
    Applied,
    DisputeDraft,
    OrderPage,
    PendingAction,
    SupplierAdapter,
    Tracking,
)
from ordertui.suppliers.cj.client import (
    DEFAULT_BASE_URL,
    NOT_FOUND,
    CJClient,
    CJRejected,
    parse_time,
)
from ordertui.suppliers.cj.state import CJState, JournalEntry
from ordertui.suppliers.http import check_base_url

T = TypeVar("T")

CURRENCY = "USD"  # CJ's amounts are in US dollars
STATUS_MAP = {
    "CREATED": OrderStatus.AWAITING_PAYMENT, "IN_CART": OrderStatus.AWAITING_PAYMENT,
    "UNPAID": OrderStatus.AWAITING_PAYMENT, "UNSHIPPED": OrderStatus.PROCESSING,
    "SHIPPED": OrderStatus.SHIPPED, "DELIVERED": OrderStatus.DELIVERED,
    "CANCELLED": OrderStatus.CANCELLED,
}
UNPAID = ("CREATED", "IN_CART", "UNPAID")
OPEN = ("CREATED", "IN_CART", "UNPAID", "UNSHIPPED", "SHIPPED")
TERMINAL = ("DELIVERED", "CANCELLED")
#: "OTHER" is a filter value only: orders in statuses outside the documented set
LIST_STATUSES = (*OPEN, *TERMINAL, "OTHER")
CANCEL_REASON = "unfulfilled order cancellation"
DEFAULT_PAGE_SIZE = 100
DISPUTE_PAGE_SIZE = 50
WEB_BASE = "https://cjdropshipping.com"
GONE = "DELETED"  # our word for an order CJ no longer lists (deleted before payment)
_REASON_WORDS = {
    DisputeReason.NOT_RECEIVED: ("not received", "lost", "never arrived", "delay", "tracking"),
    DisputeReason.NOT_AS_DESCRIBED: ("not as described", "damaged", "wrong", "defect",
                                     "quality", "missing"),
    DisputeReason.BILLING: ("price", "billing", "charge", "payment"),
    DisputeReason.OTHER: ("other",),
}
_CENT = Decimal("0.01")


class CJOrderShipped(SupplierRejected):
    """A shipped order cannot be cancelled at CJ; a dispute is the way."""


def _dec(value: Any) -> Decimal:
    if value is None or value == "" or isinstance(value, bool):
        return Decimal(0)
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)
    if not d.is_finite() or d.copy_abs() >= MAX_AMOUNT:  # no amount CJ can mean
        return Decimal(0)
    return d.quantize(_CENT)


def _count(value: Any, default: int = 1) -> int:
    """A count CJ wrote as a number or a string of (ASCII) digits; ``default`` otherwise."""
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else default


def _list(value: Any) -> list[Any]:
    """A list CJ sent, or none: ``productList: true`` is not a list of products."""
    return value if isinstance(value, list) else []


def _usd(value: Any) -> Money:
    return Money(_dec(value), CURRENCY)


def _ts(dt: datetime | None) -> int:
    return int(dt.timestamp()) if dt else 0


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(int(ts), UTC)


def _is_cancel_reason(name: Any) -> bool:
    return isinstance(name, str) and " ".join(name.lower().split()) == CANCEL_REASON


def _withdrawn(status: str) -> bool:
    s = status.lower()
    return any(w in s for w in ("cancel", "close", "withdr", "revoke"))


def _fingerprint(order: Order) -> str:
    """What the merchant can see of an order, apart from when it last changed."""
    frozen = replace(order, updated_at=_dt(0))
    return hashlib.sha1(repr(frozen).encode()).hexdigest()


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
            raise ConfigError(where, "needs api_key = \"...\" or api_key_env = \"VARIABLE\" "
                              "(the key from My CJ → Authorization → API)", key="api_key")
        base_url = check_base_url(str(settings.get("base_url", DEFAULT_BASE_URL)), where=where)
        self.page_size = int(settings.get("page_size", DEFAULT_PAGE_SIZE))
        self.refund_type = 2 if settings.get("refund_type") == "platform" else 1
        self.web_base = str(settings.get("web_url", WEB_BASE)).rstrip("/")
        self.client = CJClient(
            name, base_url, api_key, context.directory, context.clock,
            rate=float(settings.get("rate_limit", self.rate_limit)),
            connect_timeout=float(settings.get("connect_timeout_s", 10)),
            read_timeout=float(settings.get("read_timeout_s", 30)))
        self.state = CJState(context.directory / "cj-state.sqlite3")

    @classmethod
    def validate_settings(cls, settings: Mapping[str, Any]) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        if not settings.get("api_key") and not settings.get("api_key_env"):
            problems.append(("api_key", "needs api_key = \"...\" or api_key_env = \"VARIABLE\""))
        for key in ("api_key", "api_key_env", "base_url", "web_url"):
            if key in settings and not isinstance(settings[key], str):
                problems.append((key, f"{key} must be a string"))
        if isinstance(settings.get("base_url"), str):
            try:
                check_base_url(settings["base_url"], where="config")
            except ConfigError as exc:
                problems.append(("base_url", exc.message.split(": ", 1)[-1]))
        for key, low, high in (("rate_limit", 0.01, 100), ("connect_timeout_s", 0.1, 300),
                               ("read_timeout_s", 0.1, 600)):
            value = settings.get(key)
            if value is not None and (not isinstance(value, int | float)
                                      or isinstance(value, bool) or not low <= value <= high):
                problems.append((key, f"{key} must be a number from {low} to {high}"))
        size = settings.get("page_size")
        if size is not None and (not isinstance(size, int) or isinstance(size, bool)
                                 or not 1 <= size <= 200):
            problems.append(("page_size", "page_size must be a whole number from 1 to 200"))
        if settings.get("refund_type", "balance") not in ("balance", "platform"):
            problems.append(("refund_type", "refund_type must be \"balance\" (CJ wallet) or "
                             "\"platform\" (back the way you paid)"))
        if "policy" in settings and not isinstance(settings["policy"], Mapping):
            problems.append(("policy", "policy must be a table, [suppliers.NAME.policy]"))
        return problems

    async def aclose(self) -> None:
        await self.client.aclose()

    # --- pages ------------------------------------------------------------------------------
    def web_url(self, order: Order, action: Action | None = None) -> str | None:
        """CJ's own pages (deep links UNCONFIRMED: My CJ opens at its start page when it
        does not know the fragment, and the order id is there to search for)."""
        oid = quote(order.supplier_order_id, safe="")
        if action is not None and action.value.startswith("dispute"):
            return f"{self.web_base}/myCJ.html#/disputes?orderId={oid}"
        return f"{self.web_base}/myCJ.html#/orders?orderId={oid}"

    async def _run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await asyncio.to_thread(fn, *args, **kwargs)

    def _now(self) -> int:
        return int(self.context.clock().timestamp())

    # --- reading ------------------------------------------------------------------------------
    async def _list(self, status: str, page: int, size: int,
                    order_ids: list[str] | None = None) -> tuple[list[dict[str, Any]], int | None]:
        params: list[tuple[str, str | int]] = [("pageNum", page), ("pageSize", size),
                                               ("status", status)]
        params += [("orderIds", i) for i in order_ids or []]
        data = await self.client.call("GET", "/shopping/order/list", params=params)
        return self._page(data, "orderId")

    def _page(self, data: Any, id_field: str) -> tuple[list[dict[str, Any]], int | None]:
        if data is None:
            return [], 0
        if isinstance(data, list):  # a bare list instead of a page object
            items, total = data, None
        elif isinstance(data, dict):
            items = data.get("list") or []
            raw_total = data.get("total")
            total = _count(raw_total, -1)
            total = total if total >= 0 else None
        else:
            raise SupplierProtocolError(self.name, "CJ's list answer is neither a page nor a "
                                        "list")
        if not isinstance(items, list) or not all(
                isinstance(i, dict) and i.get(id_field) not in (None, "") for i in items):
            raise SupplierProtocolError(self.name, f"CJ's list has items without {id_field}")
        return items, total

    async def _detail(self, order_id: str) -> dict[str, Any]:
        try:
            data = await self.client.call("GET", "/shopping/order/getOrderDetail",
                                          params={"orderId": order_id})
        except CJRejected as exc:
            if exc.code in NOT_FOUND:
                raise SupplierNotFound(self.name, f"CJ has no order {order_id}",
                                       request_id=exc.request_id) from None
            raise
        if not isinstance(data, dict) or not data.get("orderId"):
            raise SupplierProtocolError(self.name, f"CJ's details of {order_id} have no orderId")
        return data

    async def _dispute_items(self, order_id: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            data = await self.client.call("GET", "/disputes/getDisputeList", params={
                "orderId": order_id, "pageNum": page, "pageSize": DISPUTE_PAGE_SIZE})
            chunk, total = self._page(data, "id")
            items += chunk
            if not chunk or total is None or len(items) >= total:
                return items
            page += 1

    async def get_order(self, supplier_order_id: str) -> Order:
        detail = await self._detail(supplier_order_id)
        oid = str(detail["orderId"])
        tracking = None
        if detail.get("trackNumber"):
            tracking = await self._tracking_events(oid, str(detail["trackNumber"]))
        known = (await self._run(self.state.known, [oid])).get(oid)
        has_disputes = bool(await self._run(self.state.disputes_of, oid))
        if detail.get("disputeId") or has_disputes or (known and known.status != str(
                detail.get("orderStatus"))):
            await self._remember_disputes(oid, await self._dispute_items(oid))
        orders = await self._run(self._materialise, [detail], details={oid: detail},
                                 trackings={oid: tracking} if tracking is not None else None)
        return orders[0]

    async def _track_info(self, number: str) -> dict[str, Any] | None:
        data = await self.client.call("GET", "/logistic/trackInfo",
                                      params=[("trackNumber", number)])
        if data is None:
            return None
        if not isinstance(data, list):
            raise SupplierProtocolError(self.name, "CJ's tracking answer is not a list")
        for item in data:
            if isinstance(item, dict) and str(item.get("trackingNumber", "")) == number:
                return item
        return None

    async def _tracking_events(self, order_id: str, number: str) -> list[dict[str, Any]]:
        """CJ gives the parcel's present state only; the history is what ordertui saw."""
        info = await self._track_info(number)
        known = (await self._run(self.state.known, [order_id])).get(order_id)
        events = list(known.tracking) if known else []
        if info and info.get("trackingStatus"):
            text = str(info["trackingStatus"])
            delivered = parse_time(info.get("deliveryTime"))
            at = delivered if delivered and "deliver" in text.lower() else \
                self.context.clock().replace(microsecond=0)
            if not events or events[-1]["description"] != text:
                events.append({"at": _ts(at), "description": text,
                               "location": str(info.get("trackingTo") or ""),
                               "status": text})
        return events

    async def get_tracking(self, order: Order) -> Tracking:
        number = order.tracking_number
        if not number:
            detail = await self._detail(order.supplier_order_id)
            number = str(detail.get("trackNumber") or "")
        if not number:
            return Tracking(order.carrier, "", [], status="not shipped yet")
        info = await self._track_info(number)
        events = await self._tracking_events(order.supplier_order_id, number)
        known = (await self._run(self.state.known, [order.supplier_order_id])).get(
            order.supplier_order_id)
        if known is not None:
            await self._run(self.state.save_orders, [(
                known.order_id, known.status, known.item, None, events, known.fp,
                known.updated_at)])
        return Tracking(carrier=str((info or {}).get("logisticName") or order.carrier),
                        tracking_number=number, events=[_event(e) for e in events],
                        url=order.tracking_url or f"https://cjpacket.com/?trackingNumber={number}",
                        status=str((info or {}).get("trackingStatus") or ""))

    async def get_disputes(self, order: Order) -> list[Dispute]:
        oid = order.supplier_order_id
        await self._remember_disputes(oid, await self._dispute_items(oid))
        rows = (await self._run(self.state.disputes_for, [oid])).get(oid, [])
        return [self._dispute(item, key, requested, order.total_cost)
                for _, item, key, kind, requested in rows
                if kind != "cancel" and not _is_cancel_reason(item.get("disputeReason"))]

    # --- the order list, one page per call ----------------------------------------------
    async def list_orders(self, cursor: str | None, *, page_size: int = 200) -> OrderPage:
        st = _decode(cursor)
        size = max(1, min(page_size, self.page_size))
        if st is None or st.get("ph") not in ("list", "moved", "terminal", "vanish",
                                              "disputes"):
            full = st is None or st.get("ph") != "idle"
            pass_id = await self._run(self.state.next_pass)
            counts = {s: await self._run(self.state.count, s) for s in LIST_STATUSES}
            st = {"v": 1, "p": pass_id, "m": "full" if full else "inc", "ph": "list",
                  "q": list(LIST_STATUSES if full else (*OPEN, "OTHER")),
                  "then": "vanish" if full else "moved", "n": 1, "ps": size, "c": 0,
                  "done": 0, "k": counts, "d": 1}
        phase = st["ph"]
        if phase == "list":
            return await self._list_step(st)
        if phase == "moved":
            return await self._moved_step(st)
        if phase == "terminal":
            return await self._terminal_step(st)
        if phase == "vanish":
            return await self._vanish_step(st)
        return await self._disputes_step(st)

    def _estimate(self, st: dict[str, Any], remaining: int) -> int:
        later = sum(int(st["k"].get(s, 0)) for s in st["q"][1:]) if st["ph"] == "list" else 0
        return int(st["done"]) + remaining + later

    async def _list_step(self, st: dict[str, Any]) -> OrderPage:
        status, page, size = st["q"][0], int(st["n"]), int(st["ps"])
        items, total = await self._list(status, page, size)
        orders = await self._run(self._materialise, items, seen_pass=st["p"])
        consumed = int(st["c"]) + len(items)
        if items and len(items) < size and total is not None and consumed < total:
            # CJ capped the page size without saying so: continue at its size
            st["ps"] = len(items)
            next_page = consumed // len(items) + 1
        else:
            next_page = page + 1
        done = not items or (total is not None and consumed >= total) or \
            (total is None and len(items) < size)
        st["done"] = int(st["done"]) + len(orders)
        remaining = max((total or 0) - consumed, 0) if not done else 0
        estimate = self._estimate(st, remaining)
        if done:
            st["q"].pop(0)
            st["n"], st["c"] = 1, 0
            if not st["q"]:
                st["ph"] = st["then"]
        else:
            st["n"], st["c"] = next_page, consumed
        return OrderPage(orders, _encode(st), True, estimate)

    async def _moved_step(self, st: dict[str, Any]) -> OrderPage:
        """Orders open at the last pass and missing from the open lists now: find where
        they went with ``orderIds`` look-ups, then by their details."""
        pass_id, size = int(st["p"]), int(st["ps"])
        candidates = await self._run(self.state.unseen, pass_id, None, TERMINAL)
        found: dict[str, dict[str, Any]] = {}
        for status in (*TERMINAL, *OPEN, "OTHER"):
            left = [c for c in candidates if c not in found]
            if not left:
                break
            for start in range(0, len(left), size):
                batch = left[start:start + size]
                items, _ = await self._list(status, 1, len(batch), batch)
                for item in items:
                    if str(item["orderId"]) in batch:
                        found[str(item["orderId"])] = item
        orders = await self._run(self._materialise, list(found.values()), seen_pass=pass_id)
        orders += await self._look_up([c for c in candidates if c not in found], pass_id)
        st["done"] = int(st["done"]) + len(orders)
        st["ph"], st["q"] = "terminal", list(TERMINAL)
        return OrderPage(orders, _encode(st), True, int(st["done"]))

    async def _look_up(self, order_ids: list[str], pass_id: int) -> list[Order]:
        """Orders that no list shows: their details, or — when CJ knows them no more —
        the last thing CJ said of them, marked deleted."""
        orders: list[Order] = []
        for oid in order_ids:
            try:
                detail = await self._detail(oid)
            except SupplierNotFound:
                orders += await self._run(self._gone, oid)
                continue
            orders += await self._run(self._materialise, [detail], details={oid: detail},
                                      seen_pass=pass_id)
        return orders

    async def _terminal_step(self, st: dict[str, Any]) -> OrderPage:
        """Orders never leave DELIVERED or CANCELLED: when a terminal list holds as many
        orders as the adapter knows in it, nothing there is new."""
        differ = []
        for status in st["q"]:
            _, total = await self._list(status, 1, 1)
            if total is None or total != await self._run(self.state.count, status):
                differ.append(status)
        if differ:
            st.update(ph="list", q=differ, then="vanish", vs=differ, n=1, c=0)
        else:
            st["ph"] = "disputes"
        return OrderPage([], _encode(st), True, int(st["done"]))

    async def _vanish_step(self, st: dict[str, Any]) -> OrderPage:
        statuses = st.get("vs")
        candidates = await self._run(self.state.unseen, int(st["p"]), statuses)
        orders = await self._look_up(candidates, int(st["p"]))
        st["done"] = int(st["done"]) + len(orders)
        st["ph"], st["d"] = "disputes", 1
        return OrderPage(orders, _encode(st), True, int(st["done"]))

    async def _disputes_step(self, st: dict[str, Any]) -> OrderPage:
        """Follow the disputes the adapter knows: CJ decides on them without the order's
        status changing, so the order list alone would never show it."""
        page = int(st.get("d", 1))
        data = await self.client.call("GET", "/disputes/getDisputeList", params={
            "pageNum": page, "pageSize": DISPUTE_PAGE_SIZE})
        items, total = self._page(data, "id")
        changed = await self._run(self._dispute_changes, items)
        orders = await self._run(self._rebuild, sorted(changed))
        st["done"] = int(st["done"]) + len(orders)
        if items and total is not None and page * DISPUTE_PAGE_SIZE < total:
            st["d"] = page + 1
            return OrderPage(orders, _encode(st), True, int(st["done"]))
        return OrderPage(orders, _encode({"v": 1, "p": st["p"], "ph": "idle"}), False,
                         int(st["done"]))

    # --- turning CJ's items into orders (runs in a worker thread) -------------------------
    def _materialise(self, items: list[dict[str, Any]], *, seen_pass: int | None = None,
                     details: dict[str, dict[str, Any]] | None = None,
                     trackings: dict[str, list[dict[str, Any]]] | None = None,
                     gone: Iterable[str] = ()) -> list[Order]:
        ids = [str(i["orderId"]) for i in items]
        known = self.state.known(ids)
        disputes = self.state.disputes_for(ids)
        gone_ids = set(gone)
        details = details or {}
        trackings = trackings or {}
        vids = []
        for oid in ids:
            d = details.get(oid) or (known[oid].detail if oid in known else None) or {}
            vids += [str(p.get("vid")) for p in _list(d.get("productList"))
                     if isinstance(p, dict)]
        names = self.state.names(vids)
        now = self._now()
        orders, rows = [], []
        for item, oid in zip(items, ids, strict=True):
            k = known.get(oid)
            detail = details.get(oid) or (k.detail if k else None)
            tracking = trackings.get(oid, k.tracking if k else [])
            merged = {**(detail or {}), **item}
            order = self._order(merged, detail or {}, tracking, disputes.get(oid, []), names,
                                gone=oid in gone_ids)
            fp = _fingerprint(order)
            # a change gets a later time than the one before, even within the same second:
            # the store keeps an order whose time and status are unchanged as it is
            updated = k.updated_at if k is not None and k.fp == fp else \
                max(now, (k.updated_at + 1) if k is not None else 0)
            order.updated_at = _dt(updated)
            orders.append(order)
            rows.append((oid, GONE if oid in gone_ids else str(item.get("orderStatus") or ""),
                         item, details.get(oid), trackings.get(oid), fp, updated))
        self.state.save_orders(rows, seen_pass=seen_pass)
        for oid in gone_ids:
            self.state.mark_gone(oid)
        return orders

    def _gone(self, order_id: str) -> list[Order]:
        known = self.state.known([order_id]).get(order_id)
        if known is None:
            return []
        return self._materialise([known.item], gone=[order_id])

    def _rebuild(self, order_ids: list[str]) -> list[Order]:
        known = self.state.known(order_ids)
        items = [known[o].item for o in order_ids if o in known and not known[o].gone]
        gone = [o for o in order_ids if o in known and known[o].gone]
        orders = self._materialise(items) if items else []
        for oid in gone:
            orders += self._materialise([known[oid].item], gone=[oid])
        return orders

    def _order(self, m: dict[str, Any], detail: dict[str, Any], tracking: list[dict[str, Any]],
               disputes: list[tuple[str, dict[str, Any], str, str, str]],
               names: dict[str, tuple[str, str]], *, gone: bool = False) -> Order:
        raw = str(m.get("orderStatus") or "")
        status = OrderStatus.CANCELLED if gone else STATUS_MAP.get(raw, OrderStatus.UNKNOWN)
        store_created = parse_time(m["storeCreateDate"] + "+00:00") \
            if isinstance(m.get("storeCreateDate"), str) and m["storeCreateDate"] else None
        created = parse_time(m.get("createDate")) or store_created or _dt(self._now())
        items = []
        for p in _list(detail.get("productList")) or _list(m.get("productList")):
            if not isinstance(p, dict):
                continue
            vid = str(p.get("vid") or "")
            name, sku = names.get(vid, (str(p.get("productName") or p.get("productNameEn") or ""),
                                        str(p.get("sku") or p.get("variantSku") or "")))
            title = name or (f"CJ product {sku}" if sku else
                             f"CJ variant {vid[:8].lower()}" if vid else "CJ product")
            items.append(LineItem(
                title=title, quantity=_count(p.get("quantity")),
                unit_cost=_usd(p.get("sellPrice")),
                unit_price=Money.zero(CURRENCY), sku=sku, product_id=vid,
                line_id=str(p.get("lineItemId") or "")))
        events = [_event(e) for e in tracking]
        track = str(m.get("trackNumber") or "")
        delivered = None
        if status is OrderStatus.DELIVERED:
            delivered = next((e.at for e in reversed(events) if "deliver" in
                              e.description.lower()), None)
        total_cost = _usd(m.get("orderAmount"))
        order = Order(
            supplier=self.name, supplier_order_id=str(m["orderId"]),
            name=str(m.get("orderNum") or ""), status=status,
            supplier_status="deleted at CJ" if gone else raw,
            created_at=created, updated_at=created, currency=CURRENCY, items=items,
            customer=Customer(
                name=str(m.get("shippingCustomerName") or ""), phone=str(
                    m.get("shippingPhone") or ""),
                address=Address(line1=str(m.get("shippingAddress") or ""),
                                line2=str(m.get("shippingAddress2") or ""),
                                city=str(m.get("shippingCity") or ""),
                                province=str(m.get("shippingProvince") or ""),
                                zip=str(m.get("shippingZip") or ""),
                                country=str(m.get("shippingCountryCode") or ""))),
            # what the customer paid the shop: CJ knows it only for orders created with it
            # (createOrderV2's shopAmount); otherwise it shows as 0
            total_price=_usd(m.get("shopAmount")), total_cost=total_cost,
            shipping_cost=_usd(m.get("postageAmount")),
            paid_at=parse_time(m.get("paymentDate")),
            payment="CJ" if m.get("paymentDate") else "", carrier=str(m.get("logisticName") or ""),
            tracking_number=track, tracking_url=str(m.get("trackingUrl") or ""),
            tracking_events=events, shipped_at=parse_time(m.get("outWarehouseTime")),
            delivered_at=delivered, supplier_url=self.web_url(_stub(self.name, m)) or "")
        cancels = [d for d in disputes if d[3] == "cancel" or _is_cancel_reason(
            d[1].get("disputeReason"))]
        others = [d for d in disputes if d not in cancels]
        if cancels:
            order.cancellation = self._cancellation(*cancels[-1][1:3], cancels[-1][4])
        elif status is OrderStatus.CANCELLED:
            note = "CJ deleted the unpaid order" if gone else "CJ lists the order as cancelled"
            order.cancellation = CancellationRequest(
                state=CancellationState.APPROVED, reason="cancelled at CJ", requested_at=created,
                updated_at=created, supplier_message=note,
                history=[StateChange(created, "approved", note)])
        if others:
            _, item, key, _, requested = others[-1]
            order.dispute = self._dispute(item, key, requested, total_cost)
        return order

    def _cancellation(self, item: dict[str, Any], key: str, requested: str
                      ) -> CancellationRequest:
        req = json.loads(requested) if requested else {}
        at = parse_time(item.get("createDate")) or _dt(self._now())
        decided = _dt(item["_decided_at"]) if item.get("_decided_at") else at
        deal, status = item.get("finallyDeal"), str(item.get("status") or "")
        history = [StateChange(at, "requested", str(req.get("reason", "")))]
        if deal == 1:
            state = CancellationState.APPROVED
            refund = _usd(item.get("money")).display()
            message = f"CJ approved the cancellation and refunds {refund}"
        elif deal in (2, 3):
            state = CancellationState.REJECTED
            message = "CJ rejected the cancellation (dispute " + str(item.get("id")) + ")"
        elif _withdrawn(status):
            state = CancellationState.REJECTED
            message = f"the cancellation dispute was closed on CJ ({status})"
        else:
            state = CancellationState.REQUESTED
            message = f"CJ is reviewing dispute {item.get('id')} ({status or 'open'})"
        if state is not CancellationState.REQUESTED:
            history.append(StateChange(decided, state.value, message))
        return CancellationRequest(state=state, reason=str(req.get("reason") or
                                                          "Unfulfilled order cancellation"),
                                   requested_at=at, updated_at=decided, supplier_message=message,
                                   history=history, client_key=key)

    def _dispute(self, item: dict[str, Any], key: str, requested: str, total_cost: Money
                 ) -> Dispute:
        req = json.loads(requested) if requested else {}
        opened = parse_time(item.get("createDate")) or _dt(self._now())
        decided = _dt(item["_decided_at"]) if item.get("_decided_at") else opened
        deal, status = item.get("finallyDeal"), str(item.get("status") or "")
        products = sum((_dec(p.get("price")) for p in _list(item.get("productList"))
                        if isinstance(p, dict)), Decimal(0))
        amount = _dec(req.get("amount")) or products or total_cost.amount
        reason_text = str(item.get("disputeReason") or "")
        try:
            reason = DisputeReason(req["reason"])
        except (KeyError, ValueError):
            reason = _reason_from(reason_text)
        description = str(req.get("description") or f"Opened on CJ: {reason_text}")
        messages = [DisputeMessage(opened, "merchant", description, client_key=key)]
        history = [StateChange(opened, "open")]
        refunded = None
        if deal == 1:
            state = DisputeState.RESOLVED_REFUNDED
            refunded = _usd(item.get("money"))
            text = f"CJ refunds {refunded.display()}."
        elif deal == 2:
            state = DisputeState.RESOLVED_REFUNDED
            text = "CJ resends the products" + (f" (order {item['resendOrderCode']})"
                                               if item.get("resendOrderCode") else "") + "."
        elif deal == 3:
            state, text = DisputeState.RESOLVED_REJECTED, "CJ rejected the dispute."
        elif _withdrawn(status):
            state, text = DisputeState.WITHDRAWN, f"The dispute was closed ({status})."
        else:
            state, text = DisputeState.AWAITING_SUPPLIER, ""
        if state is DisputeState.AWAITING_SUPPLIER:
            history.append(StateChange(opened, state.value, status))
        else:
            messages.append(DisputeMessage(decided, "supplier", text))
            history.append(StateChange(decided, state.value, text))
        return Dispute(state=state, reason=reason,
                       amount=Money(min(amount, total_cost.amount) or amount, CURRENCY),
                       description=description, opened_at=opened, updated_at=decided,
                       supplier_dispute_id=str(item.get("id") or ""), messages=messages,
                       refunded=refunded, history=history, client_key=key)

    def _dispute_changes(self, items: list[dict[str, Any]]) -> set[str]:
        """Store what changed among the listed disputes; the orders whose dispute did."""
        mapping = self.state.dispute_orders([str(i["id"]) for i in items])
        changed: set[str] = set()
        for item in items:
            did = str(item["id"])
            if did in mapping:
                oid, old = mapping[did]
            elif item.get("orderId"):
                oid, old = str(item["orderId"]), {}
            else:
                continue  # a dispute on an order ordertui has not opened yet
            if _dispute_view(old) != _dispute_view(item):
                self.state.save_dispute(did, oid, self._stamp(item, old))
                changed.add(oid)
        return changed

    def _stamp(self, item: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
        """Keep when ordertui first saw CJ's decision: CJ's list does not say."""
        item = dict(item)
        if old.get("_decided_at"):
            item["_decided_at"] = old["_decided_at"]
        elif item.get("finallyDeal") or _withdrawn(str(item.get("status") or "")):
            item["_decided_at"] = self._now()
        return item

    async def _remember_disputes(self, order_id: str, items: list[dict[str, Any]]) -> None:
        await self._run(self._remember_disputes_sync, order_id, items)

    def _remember_disputes_sync(self, order_id: str, items: list[dict[str, Any]]) -> None:
        mapping = self.state.dispute_orders([str(i["id"]) for i in items])
        pending = self.state.open_journal(order_id)
        for item in sorted(items, key=lambda i: str(i.get("createDate") or "")):
            did = str(item["id"])
            old = mapping.get(did, ("", {}))[1]
            key = kind = requested = ""
            if did not in mapping:
                entry = next((e for e in pending if did not in e.before), None)
                if entry is not None:
                    pending.remove(entry)
                    key, kind = entry.key, str(entry.payload.get("kind", "dispute"))
                    requested = json.dumps(entry.payload)
                    entry.dispute_id = did
                    self.state.journal(entry)
                elif _is_cancel_reason(item.get("disputeReason")):
                    kind = "cancel"
            self.state.save_dispute(did, order_id, self._stamp(item, old), client_key=key,
                                    kind=kind, requested=requested)

    # --- writing --------------------------------------------------------------------------
    async def request_cancellation(self, order: Order, reason: str,
                                   key: str) -> CancellationRequest:
        oid = order.supplier_order_id
        detail = await self._detail(oid)
        raw = str(detail.get("orderStatus") or "")
        now = _dt(self._now())
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
                    f"for a refund of {Money(amount, CURRENCY).display()}; CJ decides on it")
            return CancellationRequest(
                state=CancellationState.REQUESTED, reason=reason, requested_at=now,
                updated_at=now, supplier_message=note, client_key=key,
                history=[StateChange(now, "requested", note)])
        if raw in ("SHIPPED", "DELIVERED"):
            tracking = detail.get("trackNumber")
            raise CJOrderShipped(self.name, "CJ has shipped this order" + (
                f" (tracking {tracking})" if tracking else "") + "; a shipped order cannot be "
                "cancelled — open a dispute instead")
        if raw == "CANCELLED":
            note = "CJ lists the order as cancelled already"
            return CancellationRequest(
                state=CancellationState.APPROVED, reason=reason, requested_at=now,
                updated_at=now, supplier_message=note, client_key=key,
                history=[StateChange(now, "approved", note)])
        raise SupplierRejected(self.name, f"CJ reports the status {raw or '(none)'}, which "
                               "ordertui does not know; cancel the order on CJ's page")

    async def open_dispute(self, order: Order, draft: DisputeDraft, key: str) -> Dispute:
        text = draft.description
        if draft.evidence:
            text += " — evidence kept by the merchant: " + ", ".join(
                e.name for e in draft.evidence)
        dispute_id, amount = await self._create_dispute(
            order, key, Action.DISPUTE_OPEN, cancel=False, reason=draft.reason,
            amount=draft.amount.amount, text=text, description=draft.description)
        now = _dt(self._now())
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
            raise SupplierProtocolError(self.name, "CJ's dispute products have no "
                                        "productInfoList")
        await self._run(self.state.save_names, [
            (str(p.get("cjVariantId")), str(p.get("cjProductName") or ""), str(p.get("sku") or ""))
            for p in products if isinstance(p, dict) and p.get("cjVariantId")])
        lines = [p for p in products if isinstance(p, dict) and p.get("canChoose")
                 and _int(p.get("quantity")) > 0 and p.get("lineItemId")]
        if not lines:
            raise SupplierRejected(self.name, "CJ allows no dispute on this order now (it may "
                                   "have an unfinished dispute, or not be paid)")
        chosen = [{"lineItemId": str(p["lineItemId"]), "quantity": _int(p["quantity"]),
                   "price": float(_dec(p.get("price")))} for p in lines]
        confirm = await self.client.call("POST", "/disputes/disputeConfirmInfo",
                                         body={"orderId": oid, "productInfoList": chosen})
        if not isinstance(confirm, dict):
            raise SupplierProtocolError(self.name, "CJ's dispute confirmation is not an object")
        options = {str(o) for o in confirm.get("expectResultOptionList") or []}
        if "1" not in options:
            raise SupplierRejected(self.name, "CJ offers no refund for this order; ask for a "
                                   "reissue on CJ's page")
        reasons = [r for r in confirm.get("disputeReasonList") or [] if isinstance(r, dict)]
        picked = _pick_reason(reasons, reason, cancel=cancel)
        if picked is None:
            want = "Unfulfilled Order Cancellation" if cancel else reason.label
            raise SupplierRejected(self.name, f"CJ offers no '{want}' reason for this order "
                                   "now; do it on CJ's page")
        most = _dec(confirm.get("maxAmount")) or _dec(confirm.get("maxProductPrice"))
        wanted = most if amount is None else min(amount.quantize(_CENT), most)
        if wanted <= 0:
            raise SupplierRejected(self.name, "CJ allows no refund on this order")
        before = [str(i["id"]) for i in await self._dispute_items(oid)]
        payload = {"kind": "cancel" if cancel else "dispute", "reason": (
            text if cancel else reason.value), "amount": str(wanted),
            "description": description or text}
        await self._journal(key, action, oid, "dispute", before, payload)
        await self.client.call("POST", "/disputes/create", write=True, body={
            "businessDisputeId": key, "orderId": oid,
            "disputeReasonId": picked["disputeReasonId"], "expectType": 1,
            "refundType": self.refund_type, "messageText": text[:500],
            "productInfoList": _spread(chosen, wanted)})
        items = await self._dispute_items(oid)
        await self._remember_disputes(oid, items)
        entry = await self._run(self.state.journal_entry, key)
        return (entry.dispute_id if entry else ""), wanted

    async def withdraw_dispute(self, order: Order, key: str) -> Dispute:
        oid = order.supplier_order_id
        dispute = order.dispute
        did = dispute.supplier_dispute_id if dispute else ""
        if not did:
            rows = await self._run(self.state.disputes_of, oid)
            did = next((r[0] for r in reversed(rows) if r[3] != "cancel"), "")
        if not did or dispute is None:
            raise SupplierRejected(self.name, "ordertui does not know CJ's id for this dispute "
                                   "yet; sync, then try again")
        await self._journal(key, Action.DISPUTE_WITHDRAW, oid, "withdraw", [], {},
                            dispute_id=did)
        await self.client.call("POST", "/disputes/cancel", write=True,
                               body={"orderId": oid, "disputeId": did})
        now = _dt(self._now())
        return replace(dispute, state=DisputeState.WITHDRAWN, updated_at=now,
                       supplier_dispute_id=did,
                       history=[*dispute.history, StateChange(now, "withdrawn")])

    async def _journal(self, key: str, action: Action, order_id: str, route: str,
                       before: list[str], payload: dict[str, Any], dispute_id: str = "") -> None:
        await self._run(self.state.journal, JournalEntry(
            key=key, action=action.value, order_id=order_id, route=route, before=before,
            at=self._now(), dispute_id=dispute_id, payload=payload))

    async def was_applied(self, pending: PendingAction, order: Order) -> Applied:
        """The journal says what was sent; CJ's state says whether it took effect."""
        entry = await self._run(self.state.journal_entry, pending.key)
        if entry is None:
            return Applied.NO  # the journal is written before every send: nothing went out
        oid = entry.order_id
        if entry.route == "delete":
            try:
                detail = await self._detail(oid)
            except SupplierNotFound:
                return Applied.YES
            return Applied.YES if str(detail.get("orderStatus")) == "CANCELLED" else Applied.NO
        items = await self._dispute_items(oid)
        if entry.route == "dispute":
            await self._remember_disputes(oid, items)
            return Applied.YES if any(str(i["id"]) not in entry.before for i in items) \
                else Applied.NO
        if entry.route == "withdraw":
            await self._remember_disputes(oid, items)
            item = next((i for i in items if str(i["id"]) == entry.dispute_id), None)
            return Applied.YES if item is not None and _withdrawn(str(item.get("status") or "")) \
                else Applied.NO
        return Applied.NO


# --- helpers --------------------------------------------------------------------------------


def _event(e: dict[str, Any]) -> TrackingEvent:
    return TrackingEvent(at=_dt(e["at"]), description=str(e.get("description", "")),
                         location=str(e.get("location", "")), status=str(e.get("status", "")))


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _stub(supplier: str, m: dict[str, Any]) -> Order:
    """Just enough of an order to build its web address."""
    zero = Money.zero(CURRENCY)
    at = _dt(0)
    return Order(supplier=supplier, supplier_order_id=str(m["orderId"]), name="",
                 status=OrderStatus.UNKNOWN, created_at=at, updated_at=at, currency=CURRENCY,
                 items=[], customer=Customer(), total_price=zero, total_cost=zero)


def _reason_from(text: str) -> DisputeReason:
    low = text.lower()
    for reason in (DisputeReason.NOT_RECEIVED, DisputeReason.NOT_AS_DESCRIBED,
                   DisputeReason.BILLING):
        if any(w in low for w in _REASON_WORDS[reason]):
            return reason
    return DisputeReason.OTHER


def _pick_reason(reasons: list[dict[str, Any]], reason: DisputeReason, *, cancel: bool
                 ) -> dict[str, Any] | None:
    """CJ's reason ids come per order from its confirmation: choose by name."""
    usable = [r for r in reasons if r.get("disputeReasonId") is not None]
    if cancel:
        return next((r for r in usable if _is_cancel_reason(r.get("reasonName"))), None)
    usable = [r for r in usable if not _is_cancel_reason(r.get("reasonName"))]
    for word in _REASON_WORDS[reason]:
        for r in usable:
            if word in str(r.get("reasonName", "")).lower():
                return r
    other = next((r for r in usable if "other" in str(r.get("reasonName", "")).lower()), None)
    return other or (usable[0] if usable else None)


def _spread(lines: list[dict[str, Any]], total: Decimal) -> list[dict[str, Any]]:
    """Share the refund over the disputed lines in proportion to their value (CJ takes a
    price per line; that it is the line's refund is our reading, UNCONFIRMED)."""
    weights = [_dec(line["price"]) * line["quantity"] for line in lines]
    whole = sum(weights, Decimal(0))
    out, given = [], Decimal(0)
    for n, (line, weight) in enumerate(zip(lines, weights, strict=True)):
        if n == len(lines) - 1:
            share = total - given
        else:
            share = ((total * weight / whole) if whole else total / len(lines)).quantize(
                _CENT, rounding=ROUND_HALF_UP)
        given += share
        out.append({"lineItemId": line["lineItemId"], "quantity": line["quantity"],
                    "price": float(share)})
    return out


def _dispute_view(item: dict[str, Any]) -> tuple[Any, ...]:
    return (item.get("status"), item.get("finallyDeal"), str(item.get("money")),
            item.get("resendOrderCode"))


def _encode(st: dict[str, Any]) -> str:
    return "cj1:" + json.dumps(st, separators=(",", ":"))


def _decode(cursor: str | None) -> dict[str, Any] | None:
    if not cursor or not cursor.startswith("cj1:"):
        return None
    try:
        st = json.loads(cursor[4:])
    except ValueError:
        return None
    return st if isinstance(st, dict) and "p" in st else None

