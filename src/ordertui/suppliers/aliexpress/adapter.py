"""AliExpress (Open Platform, DS API): order details and tracking by API; the rest by hand.

The DS API has no order list, no buyer-side cancellation and no dispute API. So the merchant
adds orders by their AliExpress ids (``ordertui add``), after which they sync one by one
like any other; cancelling and disputing happen in the AliExpress buyer centre, reached from
the order's detail page (``web_url``), and the merchant records there what they did and what
the seller answered, so the order's history in ordertui stays complete. What AliExpress's
order status does say about a cancellation (``IN_CANCEL``) or a dispute (``IN_ISSUE``,
``IN_FROZEN``) is shown as confirmed by the supplier.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar

from ordertui.adapters import TIMEOUTS, AdapterContext, Applied, http_settings_problems
from ordertui.domain.capabilities import Action, Capability
from ordertui.domain.errors import ConfigError, SupplierNotFound, SupplierProtocolError
from ordertui.domain.models import Order
from ordertui.domain.states import OrderStatus
from ordertui.http import check_base_url
from ordertui.i18n import _
from ordertui.secrets import resolve_secret
from ordertui.suppliers.aliexpress.client import DEFAULT_BASE_URL, AEClient
from ordertui.suppliers.aliexpress.mapping import (
    DISPUTE_STATUSES,
    build_order,
    order_status,
    page_url,
    request_id,
    tracking_from,
    tracking_plain,
)
from ordertui.suppliers.aliexpress.state import AEState
from ordertui.suppliers.base import PendingAction, SupplierAdapter, Tracking

WEB_BASE = "https://www.aliexpress.com"


class AliExpressAdapter(SupplierAdapter):
    kind = "aliexpress"
    title = "AliExpress"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({
        Capability.GET_ORDER, Capability.ADD_BY_ID, Capability.TRACKING})
    secret_keys = ("app_secret", "access_token", "refresh_token")
    rate_limit = 2.0  # AliExpress's per-app limit is UNCONFIRMED; stay well below it

    def __init__(self, name: str, settings: Mapping[str, Any], context: AdapterContext) -> None:
        super().__init__(name, settings, context)
        where = f"{context.config_path or 'config'} [suppliers.{name}]"
        app_key = settings.get("app_key")
        secret = resolve_secret(settings, "app_secret", where=where)
        if not isinstance(app_key, str | int) or not str(app_key) or not secret:
            raise ConfigError(where, _("needs app_key and app_secret (or app_secret_env) "
                                       "from the AliExpress Open Platform console"),
                              key="app_secret")
        base_url = check_base_url(str(settings.get("base_url", DEFAULT_BASE_URL)), where=where)
        self.language = str(settings.get("language", "en_US"))
        self.web_base = str(settings.get("web_url", WEB_BASE)).rstrip("/")
        self.client = AEClient(
            name, base_url, str(app_key), secret,
            access_token=resolve_secret(settings, "access_token", where=where),
            refresh_token=resolve_secret(settings, "refresh_token", where=where),
            directory=context.directory, clock=context.clock,
            rate=float(settings.get("rate_limit", self.rate_limit)),
            connect_timeout=float(settings.get("connect_timeout_s", 10)),
            read_timeout=float(settings.get("read_timeout_s", 30)),
            simplify=settings.get("simplify") is True, shared=context.shared)
        self.state = AEState(context.directory / "ae-state.sqlite3")

    @classmethod
    def validate_settings(cls, settings: Mapping[str, Any]) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        if not isinstance(settings.get("app_key"), str | int) or isinstance(
                settings.get("app_key"), bool):
            problems.append(("app_key", _("needs app_key = \"...\" from the AliExpress Open "
                                          "Platform console")))
        if not settings.get("app_secret") and not settings.get("app_secret_env"):
            problems.append(("app_secret", _("needs app_secret = \"...\" or app_secret_env = "
                                             "\"VARIABLE\"")))
        if not any(settings.get(k) for k in ("access_token", "access_token_env",
                                              "refresh_token", "refresh_token_env")):
            problems.append(("access_token", _("needs access_token (or access_token_env) and "
                                               "refresh_token (or refresh_token_env) from "
                                               "authorizing the app")))
        for key in ("app_secret", "app_secret_env", "access_token", "access_token_env",
                    "refresh_token", "refresh_token_env", "base_url", "web_url", "language"):
            if key in settings and not isinstance(settings[key], str):
                problems.append((key, _("{key} must be a string").format(key=key)))
        problems += http_settings_problems(settings, (("rate_limit", 0.01, 100), *TIMEOUTS))
        if "simplify" in settings and not isinstance(settings["simplify"], bool):
            problems.append(("simplify", _("{key} must be true or false").format(
                key="simplify")))
        if "policy" in settings and not isinstance(settings["policy"], Mapping):
            problems.append(("policy", _("policy must be a table, [suppliers.NAME.policy]")))
        return problems

    async def aclose(self) -> None:
        await self.client.aclose()

    def web_url(self, order: Order, action: Action | None = None) -> str | None:
        """The buyer centre's order page: cancelling ("Cancel order", before the seller
        ships) and disputes ("Open dispute", after) start from there."""
        return page_url(self.web_base, order.supplier_order_id)

    def _now(self) -> datetime:
        return self.context.clock().replace(microsecond=0)

    # --- reading ------------------------------------------------------------------------------
    async def get_order(self, supplier_order_id: str) -> Order:
        oid = supplier_order_id.strip()
        if not oid.isdigit():
            raise SupplierNotFound(self.name, _(
                "{id} is not an AliExpress order id (those are numbers, like "
                "8190000000000001)").format(id=repr(oid)))
        answer = await self.client.call("aliexpress.trade.ds.order.get", {
            "single_order_query": json.dumps({"order_id": oid}, separators=(",", ":"))})
        result = answer.get("result")
        inner = result if isinstance(result, dict) else {}
        rsp = answer.get("rsp_code", inner.get("rsp_code"))
        if rsp not in (None, "", 200, "200", 0, "0"):
            msg = answer.get("rsp_msg") or inner.get("rsp_msg")
            # Translators: message is AliExpress's own text, code its answer's code
            raise SupplierNotFound(self.name, _("AliExpress: {message} ({code})").format(
                message=msg or _("no message"), code=rsp)) \
                if "not" in str(msg).lower() else SupplierProtocolError(
                    self.name, _("AliExpress answered {code}: {message}").format(
                        code=rsp, message=msg or _("no message")))
        if not isinstance(result, dict) or not result.get("order_status"):
            raise SupplierProtocolError(self.name, _(
                "AliExpress's answer for {order} has no order status").format(order=oid),
                request_id=request_id(answer))
        state = await asyncio.to_thread(self.state.get, oid)
        status = order_status(result, state)
        tracking = state.get("tracking")
        moving = status is OrderStatus.SHIPPED or str(result.get("order_status")) in \
            DISPUTE_STATUSES
        if moving or (status is OrderStatus.DELIVERED and not tracking):
            tracking = tracking_plain(await self._tracking(oid)) or tracking
        return await asyncio.to_thread(self._finish, oid, result, state, tracking)

    def _finish(self, oid: str, result: dict[str, Any], state: dict[str, Any],
                tracking: dict[str, Any] | None) -> Order:
        """Build the order; remember what AliExpress does not keep for us."""
        raw = str(result.get("order_status"))
        status = order_status(result, state)
        now = self._now()
        cancel_at, issue_at = int(state.get("cancel_at") or 0), int(state.get("issue_at") or 0)
        if raw == "IN_CANCEL" and not cancel_at:
            cancel_at = int(now.timestamp())
        if raw in DISPUTE_STATUSES and not issue_at:
            issue_at = int(now.timestamp())
        order = build_order(self.name, oid, result, status, tracking, now=now,
                            cancel_at=cancel_at, issue_at=issue_at, web_base=self.web_base)
        created = order.created_at
        fp = hashlib.sha1(repr(replace(order, updated_at=created)).encode()).hexdigest()
        before = int(state.get("updated_at") or 0)
        # a change gets a later time than the one before, even within the same second
        updated = before if state.get("fp") == fp else max(int(now.timestamp()), before + 1)
        order.updated_at = datetime.fromtimestamp(updated, UTC)
        last = status.value if status is not OrderStatus.UNKNOWN else \
            state.get("last_status", "")
        self.state.put(oid, fp=fp, updated_at=int(order.updated_at.timestamp()),
                       last_status=last, cancel_at=cancel_at, issue_at=issue_at,
                       tracking=tracking)
        return order

    async def _tracking(self, oid: str) -> Tracking | None:
        answer = await self.client.call("aliexpress.ds.order.tracking.get",
                                        {"ae_order_id": oid, "language": self.language})
        return tracking_from(self.name, answer)

    async def get_tracking(self, order: Order) -> Tracking:
        found = await self._tracking(order.supplier_order_id)
        if found is None:
            return Tracking(order.carrier, order.tracking_number, [], status="not shipped yet")
        state = await asyncio.to_thread(self.state.get, order.supplier_order_id)
        if state:
            await asyncio.to_thread(self.state.put, order.supplier_order_id,
                                    tracking=tracking_plain(found))
        return found

    async def was_applied(self, pending: PendingAction, order: Order) -> Applied:
        """Nothing is ever sent to AliExpress by API (no action capability), so nothing
        can have taken effect there on ordertui's behalf."""
        return Applied.NO

