"""One HTTP discipline for every adapter.

- timeouts on connect and read; HTTP/1.1 keep-alive with a small, bounded pool;
- TLS verification always on, and plain ``http://`` refused except to loopback;
- a client-side rate limiter per supplier, set from the supplier's documented limit, so a
  full sync never trips it;
- retries with exponential backoff and jitter, honouring ``Retry-After`` and the supplier's
  own "too many requests" codes, but only where safe: reads are retried; a write whose fate
  is unknown (timeout, connection lost, 5xx after sending) raises ``SupplierAmbiguous`` so
  that the outbox reads the supplier's state before anything is sent again;
- secrets redacted from every log line, error message and exception text.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import ipaddress
import json
import logging
import math
import os
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from ordertui import __version__
from ordertui.domain.errors import (
    ConfigError,
    SupplierAmbiguous,
    SupplierProtocolError,
    SupplierRateLimited,
    SupplierUnavailable,
)
from ordertui.i18n import _
from ordertui.logs import redact, register_secret

log = logging.getLogger(__name__)

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def base_url_problem(url: str, key: str = "base_url") -> str | None:
    """What is wrong with ``url`` as a supplier's or a shop's address (None: nothing): it
    must be https, or http to this machine only (the simulators)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return _("{key} must be an https:// URL").format(key=key)
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        return _("{key} uses plain http:// to {host}; only https is allowed except to this "
                 "machine (127.0.0.1, localhost)").format(key=key, host=parts.hostname)
    return None


def check_base_url(url: str, *, where: str, key: str = "base_url") -> str:
    """A supplier URL must be https, or http to this machine only (the simulators)."""
    problem = base_url_problem(url, key)
    if problem is not None:
        raise ConfigError(where, problem, key=key)
    return url.rstrip("/")


#: how much wider than ``1 / rate`` the limiter spaces requests: a supplier counts arrivals,
#: and a request that waits a few milliseconds in the event loop before it leaves lets the
#: next one arrive early; 3 % absorbs 30 ms of such jitter at 1 request per second
SPACING_MARGIN = 1.03


class RateLimiter:
    """Spaces requests at least ``1 / rate`` seconds apart (a token bucket of one), with a
    small margin so that the supplier never sees more than ``rate`` in any second."""

    def __init__(self, rate: float | None) -> None:
        self.rate = rate
        self.interval = SPACING_MARGIN / rate if rate else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        if not self.interval:
            return
        async with self._lock:
            now = time.monotonic()
            wait = self._next - now
            if wait > 0:
                await asyncio.sleep(wait)
                now = time.monotonic()
            self._next = max(now, self._next) + self.interval

    def penalise(self, seconds: float) -> None:
        """The supplier said "too many": hold every caller back for ``seconds``."""
        self._next = max(self._next, time.monotonic() + seconds)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4  # tries in all, for requests that are safe to repeat
    base_s: float = 0.5
    cap_s: float = 20.0

    def delay(self, attempt: int) -> float:
        return min(self.cap_s, self.base_s * 2 ** attempt) * random.uniform(0.5, 1.0)


def retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:  # "nan", "inf" or 400 nines are no wait at all: the caller's default applies
        return max(seconds, 0.0) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


#: a hook that looks at a response and says "this is the supplier's rate limit or busy
#: signal: wait this long and try again" (seconds), or None when the response stands
Throttle = Callable[[httpx.Response], float | None]


class SupplierHTTP:
    """An httpx client for one supplier account."""

    def __init__(self, supplier: str, base_url: str, *, rate: float | None = None,
                 connect_timeout: float = 10.0, read_timeout: float = 30.0,
                 policy: RetryPolicy | None = None, secrets: tuple[str | None, ...] = (),
                 transport: httpx.AsyncBaseTransport | None = None,
                 throttle: Throttle | None = None) -> None:
        self.supplier = supplier
        self.base_url = base_url.rstrip("/")
        self.limiter = RateLimiter(rate)
        self.policy = policy or RetryPolicy()
        self.throttle = throttle
        #: what this client did, for the log, the tests and the benchmark
        self.counts = {"requests": 0, "retries": 0, "throttled": 0}
        for s in secrets:
            register_secret(s)
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            limits=httpx.Limits(max_connections=4, max_keepalive_connections=2,
                                keepalive_expiry=30),
            verify=True, http2=False, follow_redirects=False, trust_env=False,
            headers={"User-Agent": f"ordertui/{__version__}", "Accept": "application/json"},
            transport=transport)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def request(self, method: str, path: str, *, params: Any = None,
                      json_body: Any = None, data: Mapping[str, str] | None = None,
                      headers: Mapping[str, str] | None = None, write: bool = False
                      ) -> httpx.Response:
        """Send a request. Reads are retried on failure; a write is tried once against
        failures that may have reached the supplier, and raises ``SupplierAmbiguous``."""
        response, _body = await self._send(method, path, params=params, json_body=json_body,
                                       data=data, headers=headers, write=write, parse=False)
        return response

    async def request_json(self, method: str, path: str, *, params: Any = None,
                           json_body: Any = None, data: Mapping[str, str] | None = None,
                           headers: Mapping[str, str] | None = None, write: bool = False
                           ) -> tuple[Any, httpx.Response]:
        """Like :meth:`request`, and the body as JSON. A read whose answer cannot be parsed
        (an HTML page from a proxy, a body cut short) is tried again like a 5xx; after a write
        such an answer is ambiguous."""
        response, body = await self._send(method, path, params=params, json_body=json_body,
                                          data=data, headers=headers, write=write, parse=True)
        return body, response

    async def _send(self, method: str, path: str, *, params: Any, json_body: Any,
                    data: Mapping[str, str] | None, headers: Mapping[str, str] | None,
                    write: bool, parse: bool) -> tuple[httpx.Response, Any]:
        attempt = 0

        async def again(delay: float | None = None) -> bool:
            nonlocal attempt
            if attempt + 1 >= self.policy.attempts:
                return False
            attempt += 1
            await asyncio.sleep(self.policy.delay(attempt) if delay is None else delay)
            return True

        while True:
            await self.limiter.acquire()
            started = time.monotonic()
            self.counts["requests"] += 1
            if attempt:
                self.counts["retries"] += 1
            try:
                response = await self._client.request(method, path, params=params,
                                                      json=json_body, data=data,
                                                      headers=headers)
            except (httpx.InvalidURL, UnicodeEncodeError) as exc:
                # a request that cannot even be written (an id from the supplier 100,000
                # characters long, a lone surrogate): nothing was sent
                raise SupplierProtocolError(self.supplier, _(
                    "cannot send {method} {path}: {error}").format(
                        method=method, path=path, error=type(exc).__name__)) from None
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                # nothing reached the supplier: safe to try again, for reads and writes alike
                if await again():
                    continue
                raise SupplierUnavailable(self.supplier, _("cannot connect ({error})").format(
                    error=type(exc).__name__)) from None
            except httpx.HTTPError as exc:
                # timeouts and lost connections after the request went out
                text = redact(f"{type(exc).__name__} on {method} {path}")
                log.info("%s: %s", self.supplier, text)
                if write:
                    raise SupplierAmbiguous(self.supplier, redact(_(
                        "no answer ({error} on {method} {path}); the outcome is unknown and "
                        "will be checked").format(error=type(exc).__name__, method=method,
                                                  path=path))) from None
                if await again():
                    continue
                raise SupplierUnavailable(self.supplier, redact(_(
                    "no answer ({error} on {method} {path})").format(
                        error=type(exc).__name__, method=method, path=path))) from None
            log.debug("%s %s %s -> %s in %.0f ms", self.supplier, method, path,
                      response.status_code, (time.monotonic() - started) * 1000)
            wait = self._throttled(response)
            if wait is not None:
                # a "too many requests" answer means the request was refused, not performed:
                # repeating it is safe for writes too
                self.counts["throttled"] += 1
                self.limiter.penalise(wait)
                if await again(wait):
                    continue
                raise SupplierRateLimited(self.supplier, retry_after=wait,
                                          request_id=self.request_id(response))
            if response.status_code >= 500:
                rid = self.request_id(response)
                if write:
                    raise SupplierAmbiguous(self.supplier, _(
                        "server error {status}; the outcome is unknown and will be "
                        "checked").format(status=response.status_code), request_id=rid)
                if await again(retry_after(response)):
                    continue
                raise SupplierUnavailable(self.supplier, _("server error {status}").format(
                    status=response.status_code), request_id=rid)
            if not parse:
                return response, None
            try:
                return response, self.json(response, write=write)
            except SupplierProtocolError:
                if await again():
                    continue
                raise

    def _throttled(self, response: httpx.Response) -> float | None:
        if response.status_code == 429:
            return retry_after(response) or 1.0
        if self.throttle is not None:
            return self.throttle(response)
        return None

    @staticmethod
    def request_id(response: httpx.Response) -> str | None:
        for header in ("X-Request-Id", "x-request-id", "X-Acs-Request-Id", "EagleEye-TraceId"):
            if header in response.headers:
                return response.headers[header]
        return None

    def json(self, response: httpx.Response, *, write: bool = False) -> Any:
        """The body as JSON, or a typed error naming the supplier and the request.

        After a write, an unreadable answer says nothing about whether the supplier acted
        (the body may have been cut off after the work was done), so it is ambiguous."""
        rid = self.request_id(response)
        ctype = response.headers.get("Content-Type", "")
        try:
            body = json.loads(response.content)
            # "\ud800" alone is valid JSON but no character: it cannot be stored or shown
            return _no_lone_surrogates(body) if _SURROGATE_ESCAPE.search(response.content) \
                else body
        except (ValueError, UnicodeDecodeError):
            html = "html" in ctype or response.content.lstrip()[:1] == b"<"
            if write:
                message = _("answered an HTML page (HTTP {status}); the outcome is unknown "
                            "and will be checked") if html else \
                    _("answered a body that is not JSON (HTTP {status}); the outcome is "
                      "unknown and will be checked")
                raise SupplierAmbiguous(
                    self.supplier, message.format(status=response.status_code),
                    request_id=rid) from None
            message = _("answered an HTML page (HTTP {status})") if html else \
                _("answered a body that is not JSON (HTTP {status})")
            raise SupplierProtocolError(
                self.supplier, message.format(status=response.status_code),
                request_id=rid) from None


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_lone_surrogates(value: Any) -> Any:
    """``value`` with every lone surrogate (from a ``\\udXXX`` escape) replaced by U+FFFD."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_no_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_no_lone_surrogates(k): _no_lone_surrogates(v) for k, v in value.items()}
    return value


@contextlib.asynccontextmanager
async def client(*args: Any, **kwargs: Any) -> Any:
    c = SupplierHTTP(*args, **kwargs)
    try:
        yield c
    finally:
        await c.aclose()


# --- the lock around a token cache, shared by the processes on one account -----------------


@contextlib.asynccontextmanager
async def file_lock(path: Path, *, supplier: str, timeout_s: float = 60.0) -> Any:
    """An exclusive ``flock`` on ``path`` without blocking the event loop, so that two
    ordertui processes never renew the same token at once (suppliers throttle that)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+")  # noqa: SIM115 - closed below
    with contextlib.suppress(OSError):
        os.chmod(path, 0o600)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SupplierUnavailable(supplier, _(
                        "another process holds {path}").format(path=path)) from None
                await asyncio.sleep(0.05)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        fh.close()
