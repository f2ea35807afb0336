"""An AliExpress Open Platform (DS API) look-alike on loopback, serving the demo engine's
orders under 16-digit AliExpress order ids.

``/sync`` answers the business APIs named in ``method`` (``aliexpress.trade.ds.order.get``,
``aliexpress.ds.order.tracking.get``); ``/rest/auth/token/create`` and ``/refresh`` are the
system APIs. Every call is checked as the platform does: known ``app_key``, ``sha256``
signature over the sorted parameters (``IncompleteSignature`` when it does not match), a
timestamp within two hours, a valid ``access_token``. Errors come in the documented shapes:
``{"error_response": {...}}`` on ``/sync``, a flat object on ``/rest``.

Refreshing hands out a new token pair; the old refresh token keeps working until the new
access token is first used, after which only the newest pair is good — so a client that
does not store the newest refresh token finds out.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ordertui.domain.models import Order
from ordertui.domain.states import CancellationState, OrderStatus
from ordertui.secrets import read_private, write_private
from ordertui.simulators.common import SimConfig, Simulator, json_response, new_request_id
from ordertui.simulators.demo import IdScheme
from ordertui.suppliers.aliexpress.sign import sign

CHINA = timezone(timedelta(hours=8))
METHOD_ORDER = "aliexpress.trade.ds.order.get"
METHOD_TRACKING = "aliexpress.ds.order.tracking.get"


@dataclass
class AESimConfig(SimConfig):
    app_key: str = "34567890"
    app_secret: str = "ordertui-simulator-app-secret"
    access_token: str = "50000000000sim0access0token0000000000"
    refresh_token: str = "50001000000sim0refresh0token000000000"
    auth_code: str = "3_34567890_simulator_code"
    access_ttl_s: float = 30 * 86400.0
    refresh_ttl_s: float = 60 * 86400.0
    clock_skew_s: float = 7200.0
    overrides: dict[str, dict[str, str]] = field(default_factory=dict)


class AEError(Exception):
    def __init__(self, code: str, msg: str, *, sub_code: str = "", kind: str = "ISV") -> None:
        super().__init__(msg)
        self.code, self.msg, self.sub_code, self.kind = code, msg, sub_code, kind


@dataclass
class _Pair:
    access: str
    refresh: str
    access_exp: float
    refresh_exp: float
    used: bool = False  # the access token was used: older refresh tokens are void now


def _money(value: Decimal, currency: str = "USD") -> dict[str, str]:
    return {"amount": str(value.quantize(Decimal("0.01"))), "currency_code": currency}


def _china(dt: datetime | None) -> str:
    return dt.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S") if dt else ""


class AliExpressSimulator(Simulator):
    name = "aliexpress"
    scheme = IdScheme(prefix="", base=8_190_000_000_000_000)
    config: AESimConfig

    def __init__(self, config: AESimConfig | None = None) -> None:
        super().__init__(config or AESimConfig())
        c = self.config
        now = self.now()
        self._pairs = [_Pair(c.access_token, c.refresh_token, now + c.access_ttl_s,
                             now + c.refresh_ttl_s)]
        # tokens handed out survive a restart on the same --state-dir, as at AliExpress
        self._tokens_path = self.state_dir / "ae-tokens.json"
        saved = None if self.fresh else read_private(self._tokens_path)
        if isinstance(saved, list) and saved:
            self._pairs = [_Pair(**p) for p in saved]
        self._state_lock = threading.RLock()
        self._order = lru_cache(maxsize=20_000)(self._load)

    def _load(self, idx: int) -> Order:
        return self.engine.get(self.scheme.order_id(idx))

    def base_path(self) -> str:
        return ""

    def throttle_response(self, injected: bool = False) -> Response:
        return self._sync_error(AEError("ApiCallLimit", "App Call Limited", kind="ISP",
                                        sub_code="isp.call-limit"),
                                sub_msg="This ban will last for 1 more seconds")

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/sync", self._sync, methods=["GET", "POST"]),
            Route("/rest/{path:path}", self._rest, methods=["GET", "POST"]),
            Route("/_sim/ae/orders", self._truth, methods=["GET"]),
            Route("/_sim/ae/orders/{order_id}", self._set_order, methods=["POST"]),
            Route("/_sim/ae/tokens/expire", self._expire, methods=["POST"]),
        ]

    # --- the wire ------------------------------------------------------------------------
    async def _params(self, request: Request) -> dict[str, str]:
        params = dict(request.query_params)
        if request.method == "POST" and request.headers.get("content-type", "").startswith(
                "application/x-www-form-urlencoded"):
            # parsed here: Starlette's form parser needs python-multipart, even for this
            body = (await request.body()).decode("utf-8", "replace")
            params.update(parse_qsl(body, keep_blank_values=True))
        return params

    def _sync_error(self, e: AEError, sub_msg: str = "") -> Response:
        rid = new_request_id()
        body: dict[str, Any] = {"code": e.code, "type": e.kind, "msg": e.msg,
                                "request_id": rid}
        if e.sub_code:
            body["sub_code"] = e.sub_code
            body["sub_msg"] = sub_msg or e.msg
        return json_response({"error_response": body}, request_id=rid)

    def _check(self, params: dict[str, str], api_path: str | None, *, token: bool) -> None:
        c = self.config
        if params.get("app_key") != c.app_key:
            raise AEError("InvalidAppkey", "The app key is invalid")
        if params.get("sign_method") != "sha256" or not params.get("sign"):
            raise AEError("IncompleteSignature", "The request signature does not conform to "
                          "platform standards")
        if sign(params, c.app_secret, api_path) != params["sign"]:
            raise AEError("IncompleteSignature", "The request signature does not conform to "
                          "platform standards")
        stamp = params.get("timestamp", "")
        try:
            when = int(stamp) / 1000 if stamp.isdigit() else datetime.fromisoformat(
                stamp.replace("Z", "+00:00")).timestamp()
        except ValueError:
            raise AEError("InvalidTimestamp", "The timestamp is invalid") from None
        if abs(when - self.now()) > c.clock_skew_s:
            raise AEError("InvalidTimestamp", "The timestamp is more than 7200 s off")
        if token:
            pair = self._pair_by_access(params.get("access_token", ""))
            if pair is None or pair.access_exp <= self.now():
                raise AEError("IllegalAccessToken", "The specified access token is invalid "
                              "or expired")
            pair.used = True

    def _pair_by_access(self, access: str) -> _Pair | None:
        return next((p for p in self._pairs if p.access == access and access), None)

    async def _sync(self, request: Request) -> Response:
        params = await self._params(request)
        try:
            with self._state_lock:
                self._check(params, None, token=True)
                method = params.get("method", "")
                if method == METHOD_ORDER:
                    data = self._order_get(params)
                elif method == METHOD_TRACKING:
                    data = self._tracking_get(params)
                else:
                    raise AEError("InvalidApiPath", f"The API {method!r} does not exist")
        except AEError as exc:
            return self._sync_error(exc)
        rid = new_request_id()
        key = method.replace(".", "_") + "_response"
        return json_response({key: {**data, "request_id": rid}}, request_id=rid)

    async def _rest(self, request: Request) -> Response:
        path = "/" + request.path_params["path"]
        params = await self._params(request)
        rid = new_request_id()
        try:
            with self._state_lock:
                self._check(params, path, token=False)
                if path == "/auth/token/create":
                    self.stats.count("token_create")
                    if params.get("code") != self.config.auth_code:
                        raise AEError("InvalidCode", "The authorization code is invalid")
                    pair = self._mint(None)
                elif path == "/auth/token/refresh":
                    self.stats.count("token_refresh")
                    pair = self._mint(params.get("refresh_token", ""))
                else:
                    raise AEError("InvalidApiPath", f"The API {path} does not exist")
        except AEError as exc:
            return json_response({"type": exc.kind, "code": exc.code, "message": exc.msg,
                                  "request_id": rid}, request_id=rid)
        now = self.now()
        return json_response({
            "access_token": pair.access, "refresh_token": pair.refresh,
            "expires_in": int(pair.access_exp - now),
            "refresh_expires_in": int(pair.refresh_exp - now),
            "expire_time": int(pair.access_exp * 1000),
            "refresh_token_valid_time": int(pair.refresh_exp * 1000),
            "user_id": "2200000000001", "seller_id": "2200000000001", "account": "buyer@sim",
            "account_id": "2200000000001", "account_platform": "buyerApp",
            "user_nick": "sim buyer", "havana_id": "2200000000001", "sp": "ae",
            "locale": "en_US", "code": "0", "request_id": rid}, request_id=rid)

    def _mint(self, refresh: str | None) -> _Pair:
        now = self.now()
        c = self.config
        refresh_exp = now + c.refresh_ttl_s
        if refresh is not None:
            current = self._pairs[-1]
            usable = [p for p in self._pairs if p.refresh == refresh and p.refresh_exp > now]
            # an older refresh token stays good until the newest access token is used
            if not usable or (usable[-1] is not current and current.used):
                raise AEError("IllegalRefreshToken", "The refresh token is invalid or expired")
            refresh_exp = usable[-1].refresh_exp  # a refresh does not extend its lifetime
        pair = _Pair("5000" + uuid.uuid4().hex, "5001" + uuid.uuid4().hex,
                     now + c.access_ttl_s, refresh_exp)
        self._pairs = [*self._pairs[-1:], pair]
        write_private(self._tokens_path, [asdict(p) for p in self._pairs])
        return pair

    # --- orders ------------------------------------------------------------------------------
    def _idx(self, order_id: Any) -> int:
        idx = self.scheme.index(str(order_id), self.engine.count)
        if idx is None:
            raise AEError("15", "Remote service error", sub_code="isv.order-not-exist")
        return idx

    def statuses(self, idx: int) -> tuple[str, str]:
        """(order_status, logistics_status) as AliExpress would show the order."""
        o = self._order(idx)
        over = self.config.overrides.get(self.scheme.order_id(idx), {})
        s, lines = o.status, len(o.items)
        disputed = o.dispute is not None and not o.dispute.state.terminal
        if s is OrderStatus.AWAITING_PAYMENT:
            status = ("PAYMENT_PROCESSING", "RISK_CONTROL", "PLACE_ORDER_SUCCESS")[min(idx % 6, 2)]
            logistics = "DEFAULT"
        elif s is OrderStatus.PROCESSING:
            asking = o.cancellation is not None and o.cancellation.state in (
                CancellationState.REQUESTED, CancellationState.INFO_REQUESTED)
            status = "IN_CANCEL" if asking else "WAIT_SELLER_SEND_GOODS"
            logistics = "WAIT_SELLER_SEND_GOODS"
        elif s is OrderStatus.SHIPPED:
            part = lines > 1 and idx % 4 == 0
            status = "SELLER_PART_SEND_GOODS" if part else "WAIT_BUYER_ACCEPT_GOODS"
            logistics = "SELLER_SEND_PART_GOODS" if part else "SELLER_SEND_GOODS"
            status = "IN_ISSUE" if disputed else status
        elif s is OrderStatus.DELIVERED:
            status, logistics = ("IN_ISSUE" if disputed else "FINISH"), "BUYER_ACCEPT_GOODS"
        elif s is OrderStatus.CLOSED:
            status, logistics = "ARCHIVE", "BUYER_ACCEPT_GOODS"
        else:
            status, logistics = "FINISH", "NO_LOGISTICS"
        return over.get("order_status", status), over.get("logistics_status", logistics)

    def _order_get(self, params: dict[str, str]) -> dict[str, Any]:
        try:
            query = json.loads(params.get("single_order_query", ""))
            order_id = query["order_id"]
        except (ValueError, KeyError, TypeError):
            raise AEError("MissingParameter", "single_order_query.order_id is required") \
                from None
        idx = self._idx(order_id)
        o = self._order(idx)
        status, logistics = self.statuses(idx)
        simplify = params.get("simplify") == "true"
        cancelled = o.status is OrderStatus.CANCELLED
        children = [{
            "product_id": 1005000000000000 + int(hashlib.blake2b(
                i.product_id.encode(), digest_size=4).hexdigest(), 16),
            "product_name": f"{i.title} {i.variant}".strip(), "product_count": i.quantity,
            "sku_id": i.sku, "product_price": _money(i.unit_cost.amount),
            "sale_fee": _money(i.unit_cost.amount * i.quantity),
            "actual_fee": _money(i.unit_cost.amount * i.quantity),
            "already_include_tax": "false",
            **({"end_reason": "CANCELED"} if cancelled else {})} for i in o.items]
        logistics_info = [{"logistics_no": o.tracking_number,
                           "logistics_service": "CAINIAO_STANDARD"}] if o.tracking_number \
            else []
        result = {
            "gmt_create": _china(o.created_at), "order_status": status,
            "logistics_status": logistics, "order_amount": _money(o.total_cost.amount),
            "user_order_amount": _money(o.total_cost.amount),
            "pay_timeout_second": 86400,
            "order_paidtime_string": _china(o.paid_at),
            "child_order_list": children if simplify else {"aeop_child_order_info": children},
            "logistics_info_list": logistics_info if simplify else
            {"aeop_order_logistics_info": logistics_info},
            "store_info": {"store_id": 1100000000 + idx % 97, "store_name": "Sim Store",
                           "store_url": "https://www.aliexpress.com/store/1100000000"},
        }
        return {"result": result}

    def _tracking_get(self, params: dict[str, str]) -> dict[str, Any]:
        if not params.get("ae_order_id") or not params.get("language"):
            raise AEError("MissingParameter", "ae_order_id and language are required")
        idx = self._idx(params["ae_order_id"])
        o = self._order(idx)
        if not o.tracking_number:
            return {"result": {"ret": False, "code": "1001", "msg": "TRACKING DATA NOT FOUND"}}
        simplify = params.get("simplify") == "true"
        nodes = [{"tracking_name": e.description, "tracking_detail_desc":
                  f"{e.description} — {e.location}" if e.location else e.description,
                  "time_stamp": int(e.at.timestamp() * 1000)} for e in o.tracking_events]
        items = [{"item_id": n + 1, "quantity": i.quantity, "item_title": i.title,
                  "sku_desc": i.variant} for n, i in enumerate(o.items)]
        eta = (o.shipped_at or o.created_at) + timedelta(days=14)
        line = {"mail_no": o.tracking_number, "carrier_name": o.carrier,
                "eta_time_stamps": int(eta.timestamp() * 1000),
                "detail_node_list": nodes if simplify else {"detail_node": nodes},
                "package_item_list": items if simplify else {"package_item": items}}
        lines = [line]
        return {"result": {"ret": True, "code": "0", "msg": "",
                           "data": {"tracking_detail_line_list": lines if simplify else
                                    {"tracking_detail": lines}}}}

    # --- what tests ask ---------------------------------------------------------------------
    def order_ids(self, n: int | None = None) -> list[str]:
        count = self.engine.count if n is None else min(n, self.engine.count)
        return [self.scheme.order_id(i) for i in range(count)]

    def set_status(self, order_id: str, order_status: str | None = None,
                   logistics_status: str | None = None) -> None:
        with self._state_lock:
            over = self.config.overrides.setdefault(order_id, {})
            if order_status:
                over["order_status"] = order_status
            if logistics_status:
                over["logistics_status"] = logistics_status

    async def _truth(self, request: Request) -> Response:
        return json_response({oid: self.statuses(i)[0]
                              for i, oid in enumerate(self.order_ids())})

    async def _set_order(self, request: Request) -> Response:
        body = await request.json()
        self.set_status(request.path_params["order_id"], body.get("order_status"),
                        body.get("logistics_status"))
        return json_response({"ok": True})

    async def _expire(self, request: Request) -> Response:
        with self._state_lock:
            for p in self._pairs:
                p.access_exp = self.now() - 1
        return json_response({"ok": True})

    def expire_access(self) -> None:
        with self._state_lock:
            for p in self._pairs:
                p.access_exp = self.now() - 1

    def config_snippet(self, base_url: str, name: str = "aliexpress-sim") -> str:
        c = self.config
        return (f'[suppliers.{name}]\nkind = "aliexpress"\nbase_url = "{base_url}"\n'
                f'app_key = "{c.app_key}"\napp_secret = "{c.app_secret}"\n'
                f'access_token = "{c.access_token}"\nrefresh_token = "{c.refresh_token}"\n')

