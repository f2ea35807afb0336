"""Shopify's transport: GraphQL over ``ordertui.http`` (timeouts, retries of reads, a write
never repeated after an ambiguous failure, secrets redacted), paced by Shopify's own account
of its cost bucket.

Every answer carries ``extensions.cost.throttleStatus``: how many points the bucket holds,
its size and how fast it refills. Before a query the client works out what the bucket holds
now (as last reported, refilled at ``restoreRate`` since) and waits until it holds what the
query is expected to cost, so a long sync runs at the shop's pace instead of tripping its
limit. When Shopify answers ``THROTTLED`` anyway (another app spent the points), nothing was
done: the client waits for the bucket and sends the same request again, read or write alike,
so a sync never fails because of throttling.

The access token goes in one header and nowhere else: it is registered for redaction, and no
error or log line is built from a request's headers.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from ordertui.domain.errors import (
    SupplierAmbiguous,
    SupplierAuthError,
    SupplierError,
    SupplierNotFound,
    SupplierProtocolError,
    SupplierRateLimited,
    SupplierRejected,
    SupplierUnavailable,
)
from ordertui.http import RetryPolicy, SupplierHTTP, check_base_url
from ordertui.i18n import _, pgettext
from ordertui.logs import redact, register_secret
from ordertui.shops.shopify.queries import COSTS

log = logging.getLogger(__name__)

#: Shopify's limit on a single query's requested cost
MAX_QUERY_COST = 1000
#: a bucket is never assumed to refill faster than this when Shopify has not said (points/s)
FALLBACK_RESTORE_RATE = 50.0
#: THROTTLED answers in a row before the client gives up: at any restore rate Shopify
#: publishes, the bucket refills long before this
THROTTLED_LIMIT = 50
_OPERATION = re.compile(r"\b(query|mutation)\s+([A-Za-z_]\w*)")
_SCOPE = re.compile(r"[`'\"]?(\b(?:read|write)_[a-z_]+)[`'\"]?")

Sleep = Callable[[float], Awaitable[None]]


@dataclass(slots=True)
class Bucket:
    """Shopify's cost bucket as it last reported it, and when (by the client's clock)."""

    maximum: float = 0.0
    available: float = 0.0
    rate: float = 0.0
    at: float = 0.0
    known: bool = False

    def update(self, status: Mapping[str, Any], now: float) -> None:
        try:
            self.maximum = float(status["maximumAvailable"])
            self.available = float(status["currentlyAvailable"])
            self.rate = float(status["restoreRate"])
        except (KeyError, TypeError, ValueError):
            return
        self.at, self.known = now, True

    def holds(self, now: float) -> float:
        """Points in the bucket now: what it held, refilled since, never above its size."""
        return min(self.maximum, self.available + self.rate * max(now - self.at, 0.0))

    def wait_for(self, cost: float, now: float) -> float:
        """Seconds until the bucket holds ``cost`` (0 when it does, or nothing is known)."""
        if not self.known or cost <= 0:
            return 0.0
        short = min(cost, self.maximum) - self.holds(now)
        return short / (self.rate or FALLBACK_RESTORE_RATE) if short > 0 else 0.0

    def spend(self, cost: float, now: float) -> None:
        """Count a request sent before its answer reports the bucket, so that requests sent
        together do not each think the whole bucket is theirs."""
        if self.known:
            self.available, self.at = self.holds(now) - cost, now


class ShopifyGraphQLError(SupplierError):
    """Shopify refused the document itself (it does not validate, or costs too much): the
    same request would be refused again."""


class ShopifyCostExceeded(ShopifyGraphQLError):
    """The query asks for more than Shopify allows a single query (``MAX_COST_EXCEEDED``):
    a smaller page of the same query may pass."""


class BulkFileGone(SupplierUnavailable):
    """A bulk operation's file is no longer there (its signed link lasts a week)."""


def operation_name(document: str) -> str:
    m = _OPERATION.search(document)
    return m.group(2) if m else "anonymous"


def endpoint_base(store: str, base_url: str | None) -> str:
    """Where the Admin API of ``store`` is: ``https://<store>.myshopify.com`` unless the
    settings point elsewhere (a simulator on this machine)."""
    if base_url:
        return check_base_url(base_url, where="shopify")
    return f"https://{store}.myshopify.com"


class ShopifyClient:
    """Sends GraphQL documents to one store's Admin API."""

    def __init__(self, shop: str, base_url: str, token: str, *, api_version: str,
                 connect_timeout: float = 10.0, read_timeout: float = 30.0,
                 policy: RetryPolicy | None = None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.shop = shop
        self.path = f"/admin/api/{api_version}/graphql.json"
        register_secret(token)
        self._headers = {"X-Shopify-Access-Token": token, "Content-Type": "application/json"}
        self.http = SupplierHTTP(shop, base_url, secrets=(token,), policy=policy,
                                 connect_timeout=connect_timeout, read_timeout=read_timeout,
                                 transport=transport)
        self.bucket = Bucket()
        #: the cost Shopify last asked for each operation, to pace the next one by
        self.costs: dict[str, float] = {}
        self.sleep: Sleep = asyncio.sleep
        self.monotonic: Callable[[], float] = time.monotonic
        #: what the client did, for the log and the tests
        self.counts = {"requests": 0, "throttled": 0, "waited_s": 0.0}

    def __repr__(self) -> str:
        return f"ShopifyClient({self.shop!r}, {self.http.base_url + self.path!r})"

    async def aclose(self) -> None:
        await self.http.aclose()

    # --- requests ------------------------------------------------------------------------
    async def query(self, document: str, variables: Mapping[str, Any] | None = None
                    ) -> dict[str, Any]:
        """The ``data`` of a read. Failures that say nothing about the query (5xx, timeouts,
        Shopify's own internal errors) are tried again; throttling is waited out."""
        return await self._run(document, variables, write=False)

    async def mutate(self, document: str, variables: Mapping[str, Any], field: str
                     ) -> dict[str, Any]:
        """The payload of the mutation ``field``. Sent once: after a timeout or a 5xx its
        outcome is unknown (``SupplierAmbiguous``) and the outbox reads the shop before
        anything is sent again. ``userErrors`` become a refusal in one line."""
        data = await self._run(document, variables, write=True)
        payload = data.get(field)
        if not isinstance(payload, dict):
            raise SupplierProtocolError(self.shop, _(
                "Shopify's answer to {field} has no payload").format(field=field))
        errors = payload.get("userErrors") or []
        if errors:
            raise SupplierRejected(self.shop, user_errors(errors))
        return payload

    async def _run(self, document: str, variables: Mapping[str, Any] | None, *,
                   write: bool) -> dict[str, Any]:
        name = operation_name(document)
        body = {"query": document, "variables": dict(variables or {}), "operationName": name}
        throttled = 0
        failures = 0
        while True:
            await self._pace(name)
            self.counts["requests"] += 1
            answer, response = await self.http.request_json("POST", self.path, json_body=body,
                                                            headers=self._headers, write=write)
            self._http_status(response, name)
            if not isinstance(answer, dict):
                raise SupplierProtocolError(self.shop, _(
                    "Shopify answered {operation} with JSON that is not an object").format(
                        operation=name))
            cost = self._account(answer, name)
            errors = answer.get("errors")
            if errors:
                codes = error_codes(errors)
                if "THROTTLED" in codes:
                    # refused before it ran: the same request is safe to send again
                    throttled += 1
                    self.counts["throttled"] += 1
                    if throttled >= THROTTLED_LIMIT:
                        raise SupplierRateLimited(self.shop, _(
                            "Shopify kept throttling {operation}").format(operation=name),
                            retry_after=60.0)
                    wait = self.bucket.wait_for(cost or self._estimate(name), self.monotonic())
                    await self._wait(max(wait, 0.05), name, "throttled")
                    continue
                if "INTERNAL_SERVER_ERROR" in codes and not write:
                    failures += 1
                    if failures < self.http.policy.attempts:
                        await self.sleep(self.http.policy.delay(failures))
                        continue
                raise self._graphql_error(errors, codes, name, answer.get("data"), write)
            data = answer.get("data")
            if not isinstance(data, dict):
                raise SupplierProtocolError(self.shop, _(
                    "Shopify answered {operation} without data").format(operation=name))
            return data

    async def _pace(self, name: str) -> None:
        cost = self._estimate(name)
        wait = self.bucket.wait_for(cost, self.monotonic())
        if wait > 0:
            await self._wait(wait, name, "pacing")
        self.bucket.spend(cost, self.monotonic())

    async def _wait(self, seconds: float, name: str, why: str) -> None:
        log.debug("%s: %s waits %.2f s for Shopify's cost bucket (%s)", self.shop, name,
                  seconds, why)
        self.counts["waited_s"] += seconds
        await self.sleep(seconds)

    def _estimate(self, name: str) -> float:
        return self.costs.get(name) or COSTS.get(name, 50)

    def _account(self, answer: Mapping[str, Any], name: str) -> float | None:
        """Take the bucket's state and the query's price from the answer's extensions."""
        ext = answer.get("extensions")
        cost = ext.get("cost") if isinstance(ext, dict) else None
        if not isinstance(cost, dict):
            return None
        status = cost.get("throttleStatus")
        if isinstance(status, dict):
            self.bucket.update(status, self.monotonic())
        requested = cost.get("requestedQueryCost")
        if isinstance(requested, int | float) and not isinstance(requested, bool):
            self.costs[name] = float(requested)
            log.debug("%s: %s cost %s of %s (bucket %.0f/%.0f)", self.shop, name,
                      cost.get("actualQueryCost"), requested, self.bucket.available,
                      self.bucket.maximum)
            return float(requested)
        return None

    def _http_status(self, response: httpx.Response, name: str) -> None:
        status = response.status_code
        rid = self.http.request_id(response)
        if status == 401:
            # Translators: shop is the shop's name in the config ([shops.NAME])
            raise SupplierAuthError(self.shop, _(
                "Shopify does not accept the access token (HTTP 401); check access_token_env "
                "in [shops.{shop}] and that the app is still installed").format(shop=self.shop),
                request_id=rid)
        if status == 403:
            raise SupplierAuthError(self.shop, _(
                "Shopify refused the request (HTTP 403): the app lacks a scope or the store is "
                "closed; see docs/shops/shopify.md for the scopes"), request_id=rid)
        if status == 404:
            raise SupplierAuthError(self.shop, _(
                "Shopify knows no store or API version at {url} (HTTP 404); check store and "
                "api_version").format(url=self.http.base_url + self.path), request_id=rid)
        if status == 402:
            raise SupplierAuthError(self.shop, _("the store is frozen for an unpaid bill "
                                                 "(HTTP 402)"), request_id=rid)
        if status >= 400:
            raise SupplierProtocolError(self.shop, _(
                "Shopify answered HTTP {status} to {operation}").format(
                    status=status, operation=name), request_id=rid)

    def _graphql_error(self, errors: Any, codes: set[str], name: str, data: Any,
                       write: bool) -> SupplierError:
        text = error_text(errors)
        if "ACCESS_DENIED" in codes:
            scopes = sorted(set(_SCOPE.findall(text)))
            need = _("Shopify denied {operation}: the app needs the {scopes} scope (give it "
                     "in the app's configuration and install it again)") if scopes else \
                _("Shopify denied {operation}: the app lacks an access scope (give it in the "
                  "app's configuration and install it again)")
            return SupplierAuthError(self.shop, need.format(operation=name,
                                                            scopes=", ".join(scopes)))
        if "MAX_COST_EXCEEDED" in codes:
            # Translators: message is Shopify's own text
            return ShopifyCostExceeded(self.shop, _(
                "{operation} costs more than Shopify allows a single query ({points} points): "
                "{message}").format(operation=name, points=MAX_QUERY_COST, message=text))
        if "NOT_FOUND" in codes:
            return SupplierNotFound(self.shop, _("Shopify: {message}").format(message=text))
        if "INTERNAL_SERVER_ERROR" in codes:
            if write:
                return SupplierAmbiguous(self.shop, _(
                    "Shopify failed inside {operation} ({message}); whether it took effect "
                    "will be checked").format(operation=name, message=text))
            return SupplierUnavailable(self.shop, _(
                "Shopify failed inside {operation} ({message})").format(operation=name,
                                                                        message=text))
        return ShopifyGraphQLError(self.shop, _("Shopify refused {operation}: {message}").format(
            operation=name, message=text))

    # --- files -----------------------------------------------------------------------------
    async def download(self, url: str, path: Path) -> int:
        """Stream the file at ``url`` (a bulk operation's result: a signed URL that needs no
        token) into ``path``, a chunk at a time; returns its size. The token is never sent
        there: the file lives on another host."""
        check_base_url(url, where=f"shops.{self.shop}", key="bulk operation url")
        tmp = path.with_name(path.name + ".part")
        attempt = 0
        while True:
            size = 0
            try:
                async with httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=10.0),
                                             follow_redirects=True, trust_env=False,
                                             verify=True) as client, \
                        client.stream("GET", url) as response:
                    if response.status_code in (403, 404, 410):
                        raise BulkFileGone(self.shop, _(
                            "Shopify's bulk file is gone (HTTP {status})").format(
                                status=response.status_code))
                    if response.status_code != 200:
                        raise SupplierUnavailable(self.shop, _(
                            "Shopify's bulk file answered HTTP {status}").format(
                                status=response.status_code))
                    with tmp.open("wb") as fh:
                        async for chunk in response.aiter_bytes(1 << 16):
                            fh.write(chunk)
                            size += len(chunk)
                tmp.replace(path)
                return size
            except BulkFileGone:
                tmp.unlink(missing_ok=True)
                raise
            except (httpx.HTTPError, SupplierUnavailable) as exc:
                tmp.unlink(missing_ok=True)
                attempt += 1
                if attempt >= self.http.policy.attempts:
                    raise SupplierUnavailable(self.shop, _(
                        "cannot download Shopify's bulk file ({error})").format(
                            error=redact(type(exc).__name__))) from None
                await self.sleep(self.http.policy.delay(attempt))


def error_codes(errors: Any) -> set[str]:
    codes: set[str] = set()
    if isinstance(errors, list):
        for e in errors:
            ext = e.get("extensions") if isinstance(e, dict) else None
            if isinstance(ext, dict) and isinstance(ext.get("code"), str):
                codes.add(ext["code"])
            elif isinstance(e, dict) and str(e.get("message", "")).lower() == "throttled":
                codes.add("THROTTLED")
    return codes


def error_text(errors: Any) -> str:
    """Shopify's messages in one line, shortened; never anything from the request."""
    if isinstance(errors, str):
        messages = [errors]
    elif isinstance(errors, list):
        messages = [str(e.get("message", "")) if isinstance(e, dict) else str(e)
                    for e in errors]
    else:
        messages = [str(errors)]
    text = "; ".join(m for m in messages if m) or _("no message")
    text = " ".join(redact(text).split())
    return text if len(text) <= 300 else text[:297] + "..."


def user_errors(errors: list[Any]) -> str:
    """A mutation's ``userErrors`` as one line: "field: message; …"."""
    parts = []
    for e in errors:
        if not isinstance(e, dict):
            continue
        field = e.get("field")
        where = ".".join(str(f) for f in field) if isinstance(field, list) and field else ""
        message = str(e.get("message") or pgettext("shop's answer", "refused"))
        parts.append(f"{where}: {message}" if where else message)
    return " ".join(redact("; ".join(parts) or pgettext("shop's answer", "refused")).split())
