"""AliExpress Open Platform transport: signed calls, the two error shapes, the OAuth token.

Business APIs go to ``/sync`` with their dotted name in ``method``; system APIs (the token
calls) go to ``/rest/<path>`` with the path signed in front (``sign``). The
access token comes from the merchant's config the first time; after a refresh the newest
pair (AliExpress hands out a new refresh token too) lives in ``ae-token.json`` (0600) in
the adapter's directory — or, when several servers share one store, in the state they share,
so that one refresh serves them all — and the config's tokens are used again only when the
merchant puts new ones there.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from ordertui.adapters import SharedState
from ordertui.domain.errors import (
    SupplierAuthError,
    SupplierError,
    SupplierNotFound,
    SupplierProtocolError,
    SupplierRateLimited,
    SupplierRejected,
    SupplierUnavailable,
)
from ordertui.http import (
    RetryPolicy,
    SupplierHTTP,
    file_lock,
)
from ordertui.i18n import _
from ordertui.logs import redact, register_secret
from ordertui.secrets import read_private, write_private
from ordertui.suppliers.aliexpress.sign import sign

DEFAULT_BASE_URL = "https://api-sg.aliexpress.com"
TOKEN_CODES = ("IllegalAccessToken", "InvalidSession", "SessionExpired", "27")
CREDENTIAL_CODES = ("IncompleteSignature", "InvalidAppkey", "InvalidSignature", "25", "29",
                    "InvalidTimestamp")
LIMIT_CODES = ("ApiCallLimit", "AppCallLimit", "7")
TRANSIENT_CODES = ("InternalError", "ServiceUnavailable", "isp.service-unavailable",
                   "isp.remote-service-error")
REFRESH_BEFORE_S = 1800  # AliExpress suggests refreshing at least 30 minutes early
RETRIES = 3
_SECONDS = re.compile(r"(\d+)\s*(?:more\s*)?second")


def _limited(code: str, sub_code: str) -> bool:
    return code in LIMIT_CODES or "call-limit" in sub_code or "limited" in sub_code \
        or "frequency" in sub_code


def _transient(err: Mapping[str, Any]) -> bool:
    """The platform's own trouble (ISP, SYSTEM), not the caller's (ISV): worth a retry."""
    code, sub = str(err.get("code", "")), str(err.get("sub_code", ""))
    if _limited(code, sub) or sub.startswith("isv."):
        return False
    return code in TRANSIENT_CODES or sub in TRANSIENT_CODES or sub.startswith("isp.") or \
        str(err.get("type")) in ("ISP", "SYSTEM")


@dataclass(slots=True)
class AEPair:
    seed: str  # which configured tokens this pair descends from
    access: str = ""
    refresh: str = ""
    access_exp: float = 0.0  # seconds since the epoch; 0: unknown (tokens from the config)
    refresh_exp: float = 0.0


class AEClient:
    def __init__(self, supplier: str, base_url: str, app_key: str, app_secret: str, *,
                 access_token: str | None, refresh_token: str | None, directory: Path,
                 clock: Callable[[], datetime], rate: float | None,
                 connect_timeout: float = 10.0, read_timeout: float = 30.0,
                 policy: RetryPolicy | None = None, simplify: bool = False,
                 shared: SharedState | None = None) -> None:
        self.supplier = supplier
        self.app_key = app_key
        self.simplify = "true" if simplify else "false"
        self.app_secret = app_secret
        self.clock = clock
        self.configured = AEPair(
            seed=hashlib.sha256(f"{app_key}\0{access_token}\0{refresh_token}".encode())
            .hexdigest()[:24], access=access_token or "", refresh=refresh_token or "")
        self.path = directory / "ae-token.json"
        self.lock_path = directory / "ae-token.lock"
        self.shared = shared
        directory.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            os.chmod(directory, 0o700)
        self.http = SupplierHTTP(supplier, base_url, rate=rate,
                                 secrets=(app_secret, access_token, refresh_token),
                                 connect_timeout=connect_timeout, read_timeout=read_timeout,
                                 policy=policy, throttle=self._throttle)
        self._lock = asyncio.Lock()
        self._pair: AEPair | None = None

    async def aclose(self) -> None:
        await self.http.aclose()

    def _now(self) -> float:
        return self.clock().timestamp()

    @staticmethod
    def _throttle(response: httpx.Response) -> float | None:
        """AliExpress says "too many" inside an ``error_response`` with HTTP 200."""
        head = response.content[:600]
        if b"error_response" not in head or not any(w in head for w in (
                b"Limit", b"limit", b'"7"', b"frequency")):
            return None
        try:
            err = response.json().get("error_response") or {}
        except (ValueError, AttributeError):
            return None
        if not _limited(str(err.get("code", "")), str(err.get("sub_code", ""))):
            return None
        found = _SECONDS.search(f"{err.get('sub_msg', '')} {err.get('msg', '')}")
        return float(found.group(1)) if found else 1.0

    # --- calls -----------------------------------------------------------------------------
    def _signed(self, params: Mapping[str, str], api_path: str | None) -> dict[str, str]:
        out = {"app_key": self.app_key, "sign_method": "sha256",
               "timestamp": str(int(self._now() * 1000)), **params}
        out["sign"] = sign(out, self.app_secret, api_path)
        return out

    async def call(self, method: str, params: Mapping[str, str]) -> dict[str, Any]:
        """A business API on ``/sync``: the ``<method>_response`` object of its answer."""
        renewed = False
        transient = 0
        while True:
            token = await self.access_token()
            data = self._signed({"method": method, "format": "json", "simplify": self.simplify,
                                 "access_token": token, **params}, None)
            body, response = await self.http.request_json("POST", "/sync", data=data)
            if not isinstance(body, dict):
                raise SupplierProtocolError(self.supplier, _(
                    "AliExpress answered JSON that is not an object"),
                    request_id=self._rid(response))
            err = body.get("error_response")
            if isinstance(err, dict):
                if str(err.get("code", "")) in TOKEN_CODES and not renewed:
                    renewed = True
                    await self._renew(token)
                    continue
                if _transient(err) and transient < RETRIES:
                    transient += 1
                    await asyncio.sleep(self.http.policy.delay(transient))
                    continue
                raise self.error(err, response)
            key = method.replace(".", "_") + "_response"
            result = body.get(key)
            if not isinstance(result, dict):
                raise SupplierProtocolError(self.supplier, _(
                    "AliExpress's answer has no {field}").format(field=key),
                    request_id=self._rid(response, body))
            return result

    async def system(self, path: str, params: Mapping[str, str]) -> dict[str, Any]:
        """A system API on ``/rest`` (the token calls): the flat answer."""
        body, response = await self.http.request_json("POST", "/rest" + path,
                                                      data=self._signed(params, path))
        if not isinstance(body, dict):
            raise SupplierProtocolError(self.supplier, _(
                "AliExpress answered JSON that is not an object"),
                request_id=self._rid(response))
        code = str(body.get("code", "0"))
        if code != "0":
            raise self.error({"code": code, "msg": body.get("message") or body.get("msg"),
                              "request_id": body.get("request_id")}, response)
        return body

    def _rid(self, response: httpx.Response, body: Any = None) -> str | None:
        if isinstance(body, dict):
            for value in body.values():
                if isinstance(value, dict) and isinstance(value.get("request_id"), str):
                    return str(value["request_id"])
            if isinstance(body.get("request_id"), str):
                return str(body["request_id"])
        return self.http.request_id(response)

    def error(self, err: Mapping[str, Any], response: httpx.Response) -> SupplierError:
        name = self.supplier
        code, sub = str(err.get("code", "")), str(err.get("sub_code", ""))
        said = redact(" — ".join(str(x) for x in (err.get("msg"), err.get("sub_msg")) if x))
        text = said or _("no message")
        rid = err.get("request_id") if isinstance(err.get("request_id"), str) else \
            self.http.request_id(response)
        detail = f"{text} ({code}{'/' + sub if sub else ''})"
        if code in TOKEN_CODES or code in ("IllegalRefreshToken", "InvalidCode") or \
                "invalid-authorization" in sub:
            # Translators: detail is AliExpress's own text and code; name is the supplier's
            # name in the config
            return SupplierAuthError(name, _(
                "AliExpress refused the authorization: {detail}; authorize ordertui again in "
                "the AliExpress console and put the new tokens in [suppliers.{name}]").format(
                    detail=detail, name=name), request_id=rid)
        if code in CREDENTIAL_CODES:
            return SupplierAuthError(name, _(
                "AliExpress refused the call: {detail}; check app_key and app_secret in "
                "[suppliers.{name}] and this computer's clock").format(detail=detail, name=name),
                request_id=rid)
        if _limited(code, sub):
            return SupplierRateLimited(name, _("AliExpress limits the calls: {detail}").format(
                detail=detail), retry_after=1.0, request_id=rid)
        low = f"{sub} {said}".lower()
        if any(w in low for w in ("not-exist", "not_exist", "not exist", "not found",
                                  "not-found", "notfound")):
            return SupplierNotFound(name, _("AliExpress has no such order: {detail}").format(
                detail=detail), request_id=rid)
        if _transient(err):
            return SupplierUnavailable(name, _("AliExpress is not answering: {detail}").format(
                detail=detail), request_id=rid)
        return SupplierRejected(name, detail, request_id=rid)

    # --- the token ------------------------------------------------------------------------
    def _load(self) -> AEPair:
        data = None
        if self.shared is not None:
            data = self.shared.get("aliexpress", "token", self.configured.seed)
        if data is None:  # none shared yet: this directory's, from before the store was
            data = read_private(self.path)
        try:
            pair = AEPair(**data) if isinstance(data, dict) else None
        except TypeError:
            pair = None
        if pair is None or pair.seed != self.configured.seed:
            pair = AEPair(**asdict(self.configured))  # new tokens in the config win
        register_secret(pair.access)
        register_secret(pair.refresh)
        return pair

    async def access_token(self) -> str:
        async with self._lock:
            if self._pair is None:
                self._pair = await asyncio.to_thread(self._load)
            pair = self._pair
            now = self._now()
            if pair.access_exp and pair.access_exp - now < REFRESH_BEFORE_S and \
                    self._can_refresh(pair, now):
                await self._refresh_locked(pair.access)
                pair = self._pair
            if not pair.access:
                raise SupplierAuthError(self.supplier, _(
                    "no access token: authorize ordertui in the AliExpress console and set "
                    "access_token and refresh_token in [suppliers.{name}]").format(
                        name=self.supplier))
            return pair.access

    @staticmethod
    def _can_refresh(pair: AEPair, now: float) -> bool:
        return bool(pair.refresh) and (not pair.refresh_exp or pair.refresh_exp > now)

    async def _renew(self, failed: str) -> None:
        """AliExpress refused ``failed``: refresh once (unless another process did)."""
        async with self._lock:
            await self._refresh_locked(failed)

    def _locked(self) -> Any:
        """Held while the pair is refreshed, so that two ordertui processes do not both
        refresh it (the second would present a refresh token the first made void)."""
        if self.shared is None:
            return file_lock(self.lock_path, supplier=self.supplier)
        return self._shared_lock(self.shared)

    @contextlib.asynccontextmanager
    async def _shared_lock(self, shared: SharedState) -> AsyncIterator[None]:
        try:
            async with shared.lock(f"aliexpress-token:{self.configured.seed}"):
                yield
        except TimeoutError:
            raise SupplierUnavailable(self.supplier, _(
                "another ordertui of the team has been refreshing AliExpress's token for a "
                "minute; try again")) from None

    def _save(self, pair: AEPair) -> None:
        if self.shared is not None:
            self.shared.put("aliexpress", "token", pair.seed, asdict(pair))
        else:
            write_private(self.path, asdict(pair))

    async def _refresh_locked(self, failed: str) -> None:
        async with self._locked():
            pair = await asyncio.to_thread(self._load)
            if pair.access and pair.access != failed:
                self._pair = pair  # renewed meanwhile by another process
                return
            if not self._can_refresh(pair, self._now()):
                raise SupplierAuthError(self.supplier, _(
                    "the access token expired and there is no usable refresh token: authorize "
                    "ordertui again in the AliExpress console"))
            data = await self.system("/auth/token/refresh", {"refresh_token": pair.refresh})
            access = data.get("access_token")
            if not isinstance(access, str) or not access:
                raise SupplierProtocolError(self.supplier, _(
                    "AliExpress's token answer has no access_token"))
            now = self._now()
            fresh = AEPair(seed=pair.seed, access=access,
                           refresh=str(data.get("refresh_token") or pair.refresh),
                           access_exp=_expiry(data, "expire_time", "expires_in", now),
                           refresh_exp=_expiry(data, "refresh_token_valid_time",
                                               "refresh_expires_in", now))
            register_secret(fresh.access)
            register_secret(fresh.refresh)
            await asyncio.to_thread(self._save, fresh)
            self._pair = fresh


def _expiry(data: Mapping[str, Any], at_ms: str, in_s: str, now: float) -> float:
    with contextlib.suppress(TypeError, ValueError):
        if data.get(at_ms):
            return float(data[at_ms]) / 1000
    with contextlib.suppress(TypeError, ValueError):
        if data.get(in_s) is not None:
            return now + float(data[in_s])
    return 0.0
