"""``CJSimulator``: the simulated CJ's parts composed into one Starlette app. Each API path is
routed to its part's method, and every call goes through the same steps: a POST's body read
as a JSON object, the token checked (all but the token calls), the disputes that are due
decided, then the method's answer — or its ``CJError`` — sent in CJ's envelope."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ordertui.simulators.cj.auth import CJAuth
from ordertui.simulators.cj.control import CJControl
from ordertui.simulators.cj.disputes import CJDisputes
from ordertui.simulators.cj.orders import CJOrders
from ordertui.simulators.cj.products import CJProducts
from ordertui.simulators.cj.wire import BASE_PATH, CJError, envelope


class CJSimulator(CJAuth, CJOrders, CJProducts, CJDisputes, CJControl):
    """A CJ Dropshipping API 2.0 look-alike on loopback (see the package's docstring)."""

    def base_path(self) -> str:
        return BASE_PATH

    def is_write(self, method: str, path: str) -> bool:
        return path in (f"{BASE_PATH}/shopping/order/deleteOrder", f"{BASE_PATH}/disputes/create",
                        f"{BASE_PATH}/disputes/cancel")

    def throttle_response(self, injected: bool = False) -> Response:
        return envelope(None, CJError(1600200, "Too much request",
                                      status=200 if injected else 429))

    def routes(self) -> list[BaseRoute]:
        b = BASE_PATH
        api = [
            ("POST", "/authentication/getAccessToken", self.get_access_token, False),
            ("POST", "/authentication/refreshAccessToken", self.refresh_access_token, False),
            ("POST", "/authentication/logout", self.logout, True),
            ("GET", "/setting/get", self.settings, True),
            ("GET", "/shopping/order/list", self.order_list, True),
            ("GET", "/shopping/order/getOrderDetail", self.order_detail, True),
            ("DELETE", "/shopping/order/deleteOrder", self.delete_order, True),
            ("GET", "/logistic/trackInfo", self.track_info, True),
            ("GET", "/product/variant/queryByVid", self.variant_by_vid, True),
            ("GET", "/product/query", self.product_query, True),
            ("GET", "/disputes/disputeProducts", self.dispute_products, True),
            ("POST", "/disputes/disputeConfirmInfo", self.dispute_confirm, True),
            ("POST", "/disputes/create", self.dispute_create, True),
            ("POST", "/disputes/cancel", self.dispute_cancel, True),
            ("GET", "/disputes/getDisputeList", self.dispute_list, True),
        ]
        routes: list[BaseRoute] = [Route(b + path, self._handler(fn, auth), methods=[method])
                                   for method, path, fn, auth in api]
        routes += [
            Route("/_sim/cj/tokens/expire", self._expire_tokens, methods=["POST"]),
            Route("/_sim/cj/orders", self._orders_truth, methods=["GET"]),
            Route("/_sim/cj/orders/{order_id}", self._set_order, methods=["POST"]),
            Route("/_sim/cj/grow", self._grow, methods=["POST"]),
            Route("/_sim/cj/disputes", self._disputes_truth, methods=["GET"]),
            Route("/_sim/cj/variants/{vid}", self._delist, methods=["POST"]),
        ]
        return routes

    def _handler(self, fn: Any, auth: bool) -> Any:
        async def endpoint(request: Request) -> Response:
            try:
                body: Any = None
                if request.method in ("POST", "PATCH"):
                    raw = await request.body()
                    if raw:
                        try:
                            body = json.loads(raw)
                        except ValueError:
                            raise CJError(16900205, "Request body is not JSON") from None
                    if body is not None and not isinstance(body, dict):
                        raise CJError(16900205, "Request body is not a JSON object")
                with self._state_lock:
                    if auth:
                        self._check_token(request.headers.get("CJ-Access-Token", ""))
                    self._decide_due()
                    data = fn(request, body or {})
            except CJError as exc:
                return envelope(None, exc)
            return envelope(data)
        return endpoint

    def config_snippet(self, base_url: str, name: str = "cj-sim") -> str:
        return (f'[suppliers.{name}]\nkind = "cj"\nbase_url = "{base_url}"\n'
                f'api_key = "{self.config.api_key}"\n')

