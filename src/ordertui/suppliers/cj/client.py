"""CJ's transport: the envelope, its error codes, the access token, and the reads the adapter
makes, their answers checked for shape.

CJ throttles its token endpoints hard (getAccessToken once per five minutes, refresh five
times a minute), so the token pair lives in a 0600 file in the adapter's directory, shared
by every ordertui process on the account under a file lock — or, when several servers share
one store, in the store's shared state under its lock (``SharedTokens``) — refreshed before
it expires, and a login happens only when the refresh token is gone or refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from ordertui.adapters import SharedState
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
from ordertui.http import (
    RetryPolicy,
    SupplierHTTP,
    file_lock,
)
from ordertui.i18n import _
from ordertui.logs import redact, register_secret
from ordertui.secrets import read_private, write_private
from ordertui.suppliers.cj.mapping import page_items, parse_time

DEFAULT_BASE_URL = "https://developers.cjdropshipping.com/api2.0/v1"
TOKEN_INVALID = (1600001, 1600002)  # refresh or log in again, then repeat the call once
REFRESH_INVALID = 1600003
BAD_CREDENTIALS = (1600004, 1600005, 1600006, 1600008, 1601000)
BUSY = 1600000
TOO_MANY = 1600200
QUOTA = 1600201
NOT_FOUND = (1600300, 1603100)
LOGIN_INTERVAL_S = 300.0  # CJ allows getAccessToken once per five minutes
BUSY_RETRIES = 3  # CJ's advice for "system busy"
DISPUTE_PAGE_SIZE = 50


class CJRejected(SupplierRejected):
    """CJ answered with an error code; the code is kept for the adapter to branch on."""

    def __init__(self, supplier: str, code: int, message: str, *,
                 request_id: str | None = None) -> None:
        # Translators: message is CJ's own text, as CJ wrote it
        super().__init__(supplier, _("{message} (code {code})").format(
            message=message, code=code), request_id=request_id)
        self.code = code


@dataclass(slots=True)
class TokenPair:
    fingerprint: str
    access: str = ""
    access_exp: float = 0.0
    refresh: str = ""
    refresh_exp: float = 0.0
    created: float = 0.0
    last_login: float = 0.0

    def access_ok(self, now: float) -> bool:
        """Valid and not in the last tenth of its life (at most a day before it ends)."""
        if not self.access:
            return False
        life = max(self.access_exp - (self.created or self.access_exp), 0.0)
        margin = min(86400.0, life * 0.1)
        return now < self.access_exp - margin

    def refresh_ok(self, now: float) -> bool:
        return bool(self.refresh) and now < self.refresh_exp - 60


class TokenFile:
    """The token pair on disk: mode 0600, replaced atomically, one writer at a time."""

    def __init__(self, directory: Path, fingerprint: str, supplier: str) -> None:
        self.path = directory / "cj-token.json"
        self.lock_path = directory / "cj-token.lock"
        self.fingerprint = fingerprint
        self.supplier = supplier
        directory.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            os.chmod(directory, 0o700)

    def load(self) -> TokenPair:
        data = read_private(self.path)
        try:
            pair = TokenPair(**data) if isinstance(data, dict) else None
        except TypeError:
            pair = None
        if pair is None or pair.fingerprint != self.fingerprint:
            return TokenPair(self.fingerprint)  # none yet, or another key or another CJ
        register_secret(pair.access)
        register_secret(pair.refresh)
        return pair

    def save(self, pair: TokenPair) -> None:
        write_private(self.path, asdict(pair))

    def locked(self) -> Any:
        """Held while a token is obtained, so that two ordertui processes do not both log
        in (CJ would refuse the second within five minutes)."""
        return file_lock(self.lock_path, supplier=self.supplier)


class SharedTokens(TokenFile):
    """The token pair in the state every ordertui sharing the store shares (one pair per
    CJ account, under the account's fingerprint), and the store's lock by name around
    obtaining one: one process of the team logs in, the others read the pair it saved.

    The first time, the pair this data directory kept in its file (from before the store
    was shared) is taken over, so that moving to a shared store costs no login."""

    KIND = "token"

    def __init__(self, shared: SharedState, directory: Path, fingerprint: str,
                 supplier: str) -> None:
        super().__init__(directory, fingerprint, supplier)
        self.shared = shared

    def load(self) -> TokenPair:
        data = self.shared.get("cj", self.KIND, self.fingerprint)
        try:
            pair = TokenPair(**data) if isinstance(data, dict) else None
        except TypeError:
            pair = None
        if pair is None or pair.fingerprint != self.fingerprint:
            return super().load()  # none shared yet: this directory's, or none
        register_secret(pair.access)
        register_secret(pair.refresh)
        return pair

    def save(self, pair: TokenPair) -> None:
        self.shared.put("cj", self.KIND, self.fingerprint, asdict(pair))

    @contextlib.asynccontextmanager
    async def locked(self) -> AsyncIterator[None]:
        try:
            async with self.shared.lock(f"cj-token:{self.fingerprint}"):
                yield
        except TimeoutError:
            raise SupplierUnavailable(self.supplier, _(
                "another ordertui of the team has been obtaining CJ's token for a minute; "
                "try again")) from None


class CJClient:
    """Calls CJ's API: one method, a path, and the ``data`` of CJ's envelope back."""

    def __init__(self, supplier: str, base_url: str, api_key: str, directory: Path,
                 clock: Callable[[], datetime], *, rate: float | None,
                 connect_timeout: float = 10.0, read_timeout: float = 30.0,
                 policy: RetryPolicy | None = None, shared: SharedState | None = None
                 ) -> None:
        self.supplier = supplier
        self.api_key = api_key
        self.clock = clock
        register_secret(api_key)
        fingerprint = hashlib.sha256(f"{base_url}\0{api_key}".encode()).hexdigest()[:24]
        self.tokens = TokenFile(directory, fingerprint, supplier) if shared is None else \
            SharedTokens(shared, directory, fingerprint, supplier)
        self.http = SupplierHTTP(supplier, base_url, rate=rate, secrets=(api_key,),
                                 connect_timeout=connect_timeout, read_timeout=read_timeout,
                                 policy=policy, throttle=self._throttle)
        self._lock = asyncio.Lock()
        self._pair: TokenPair | None = None

    async def aclose(self) -> None:
        await self.http.aclose()

    # --- CJ's reads, their answers checked for shape -------------------------------------
    async def order_list(self, status: str, page: int, size: int,
                         order_ids: list[str] | None = None
                         ) -> tuple[list[dict[str, Any]], int | None]:
        """One page of the order list in ``status`` (only ``order_ids``, when given) and the
        list's total."""
        params: list[tuple[str, str | int]] = [("pageNum", page), ("pageSize", size),
                                               ("status", status)]
        params += [("orderIds", i) for i in order_ids or []]
        data = await self.call("GET", "/shopping/order/list", params=params)
        return page_items(self.supplier, data, "orderId")

    async def order_detail(self, order_id: str) -> dict[str, Any]:
        try:
            data = await self.call("GET", "/shopping/order/getOrderDetail",
                                   params={"orderId": order_id})
        except CJRejected as exc:
            if exc.code in NOT_FOUND:
                raise SupplierNotFound(self.supplier, _("CJ has no order {order}").format(
                    order=order_id), request_id=exc.request_id) from None
            raise
        if not isinstance(data, dict) or not data.get("orderId"):
            raise SupplierProtocolError(self.supplier, _(
                "CJ's details of {order} have no orderId").format(order=order_id))
        return data

    async def variant(self, vid: str) -> dict[str, Any] | None:
        """The product API's variant ``vid`` (``variantSku``, ``variantKey``, ``pid``, ...);
        None when CJ does not know it."""
        return await self._product_read("/product/variant/queryByVid", "vid", vid)

    async def product(self, pid: str) -> dict[str, Any] | None:
        """The product API's product ``pid`` (``productNameEn``, ``productSku``, its
        variants); None when CJ does not know it."""
        return await self._product_read("/product/query", "pid", pid)

    async def _product_read(self, path: str, key: str, value: str) -> dict[str, Any] | None:
        try:
            data = await self.call("GET", path, params={key: value})
        except CJRejected as exc:
            if exc.code in NOT_FOUND:
                return None
            raise
        if data is None:
            return None
        if not isinstance(data, dict) or not data.get(key):
            raise SupplierProtocolError(self.supplier, f"CJ's answer for {key} {value} has "
                                        f"no {key}")
        return data

    async def order_disputes(self, order_id: str) -> list[dict[str, Any]]:
        """Every dispute CJ lists on the order, all pages."""
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            data = await self.call("GET", "/disputes/getDisputeList", params={
                "orderId": order_id, "pageNum": page, "pageSize": DISPUTE_PAGE_SIZE})
            chunk, total = page_items(self.supplier, data, "id")
            items += chunk
            if not chunk or total is None or len(items) >= total:
                return items
            page += 1

    async def dispute_page(self, page: int) -> tuple[list[dict[str, Any]], int | None]:
        """One page of the account's dispute list and the list's total."""
        data = await self.call("GET", "/disputes/getDisputeList", params={
            "pageNum": page, "pageSize": DISPUTE_PAGE_SIZE})
        return page_items(self.supplier, data, "id")

    async def track_info(self, number: str) -> dict[str, Any] | None:
        """CJ's present state of the parcel ``number``; None when CJ has none."""
        data = await self.call("GET", "/logistic/trackInfo", params=[("trackNumber", number)])
        if data is None:
            return None
        if not isinstance(data, list):
            raise SupplierProtocolError(self.supplier, _("CJ's tracking answer is not a "
                                                         "list"))
        for item in data:
            if isinstance(item, dict) and str(item.get("trackingNumber", "")) == number:
                return item
        return None

    @staticmethod
    def _throttle(response: httpx.Response) -> float | None:
        """CJ's "Too much request" comes as code 1600200, with HTTP 200 or 429."""
        if b"1600200" not in response.content[:300]:
            return None
        with contextlib.suppress(ValueError, UnicodeDecodeError):
            body = json.loads(response.content)
            if isinstance(body, dict) and body.get("code") == TOO_MANY:
                return 1.0
        return None

    # --- calls ---------------------------------------------------------------------------
    async def call(self, method: str, path: str, *, params: Any = None, body: Any = None,
                   write: bool = False, auth: bool = True) -> Any:
        """The ``data`` of a successful answer; a typed error otherwise. An invalid token is
        renewed once and the call repeated (CJ refused it, so nothing was done)."""
        renewed = False
        busy = 0
        while True:
            headers: dict[str, str] = {"Content-Type": "application/json"} if body is not None \
                else {}
            token = ""
            if auth:
                token = await self.access_token()
                headers["CJ-Access-Token"] = token
            envelope, response = await self.http.request_json(
                method, path, params=params, json_body=body, headers=headers, write=write)
            code, message, rid = self._envelope(envelope, response, write)
            if code == 200:
                return envelope.get("data")
            if auth and code in TOKEN_INVALID and not renewed:
                renewed = True
                await self._forget(token)
                continue
            if code == BUSY:
                if write:
                    raise SupplierAmbiguous(self.supplier, _(
                        "CJ answered 'system busy' to a change; whether it was made will be "
                        "checked"), request_id=rid)
                busy += 1
                if busy <= BUSY_RETRIES:
                    await asyncio.sleep(self.http.policy.delay(busy))
                    continue
            raise self.error(code, message, rid)

    def _envelope(self, envelope: Any, response: httpx.Response, write: bool
                  ) -> tuple[int, str, str | None]:
        rid = None
        if isinstance(envelope, dict):
            rid = envelope.get("requestId") if isinstance(envelope.get("requestId"), str) \
                else None
            code = envelope.get("code")
            if isinstance(code, str) and code.isdigit():
                code = int(code)
            if isinstance(code, int) and not isinstance(code, bool):
                message = envelope.get("message")
                text = redact(message if isinstance(message, str) else "")
                if code == 200 and envelope.get("result") is False:
                    code = -1
                    text = _("CJ answered code 200 with result false")
                return code, text, rid
        rid = rid or self.http.request_id(response)
        if write:
            raise SupplierAmbiguous(self.supplier, _(
                "answered JSON without CJ's envelope (HTTP {status}); whether the change was "
                "made will be checked").format(status=response.status_code), request_id=rid)
        raise SupplierProtocolError(self.supplier, _(
            "answered JSON without CJ's envelope (HTTP {status})").format(
                status=response.status_code), request_id=rid)

    def error(self, code: int, message: str, rid: str | None) -> SupplierError:
        name = self.supplier
        if code in TOKEN_INVALID or code == REFRESH_INVALID or code in BAD_CREDENTIALS:
            # Translators: message is CJ's own text; name is the supplier's name in the config
            return SupplierAuthError(name, _(
                "CJ does not accept the credentials ({message}, code {code}); check api_key "
                "in [suppliers.{name}]").format(message=message, code=code, name=name),
                request_id=rid)
        if code == TOO_MANY:
            return SupplierRateLimited(name, _("CJ says too many requests ({message})").format(
                message=message), retry_after=1.0, request_id=rid)
        if code == QUOTA:
            return SupplierRateLimited(name, _("CJ's daily quota is used up ({message})").format(
                message=message), retry_after=3600.0, request_id=rid)
        if code == BUSY:
            return SupplierUnavailable(name, _("CJ is busy ({message})").format(
                message=message), request_id=rid)
        if code == 1603100:
            return SupplierNotFound(name, _("CJ knows no such order ({message})").format(
                message=message), request_id=rid)
        return CJRejected(name, code, message or _("no message"), request_id=rid)

    # --- the token -------------------------------------------------------------------------
    def _now(self) -> float:
        return self.clock().timestamp()

    async def access_token(self) -> str:
        async with self._lock:
            now = self._now()
            if self._pair is None:
                self._pair = await asyncio.to_thread(self.tokens.load)
            if self._pair.access_ok(now):
                return self._pair.access
            async with self.tokens.locked():
                pair = await asyncio.to_thread(self.tokens.load)  # another process may have
                if pair.access_ok(now):                           # renewed it meanwhile
                    self._pair = pair
                    return pair.access
                self._pair = await self._renew(pair, now)
                return self._pair.access

    async def _forget(self, token: str) -> None:
        """CJ refused ``token``: mark it spent, on disk too, unless renewed meanwhile."""
        async with self._lock, self.tokens.locked():
            pair = await asyncio.to_thread(self.tokens.load)
            if pair.access == token:
                pair.access_exp = 0.0
                await asyncio.to_thread(self.tokens.save, pair)
            self._pair = pair

    async def _renew(self, pair: TokenPair, now: float) -> TokenPair:
        if pair.refresh_ok(now):
            try:
                data = await self.call("POST", "/authentication/refreshAccessToken",
                                       body={"refreshToken": pair.refresh}, auth=False)
                return await self._store(data, pair, login=False)
            except SupplierAuthError:
                # the refresh token was refused: forget it (CJ limits refreshes too), log in
                pair.refresh, pair.refresh_exp = "", 0.0
                await asyncio.to_thread(self.tokens.save, pair)
        if pair.last_login and now - pair.last_login < LOGIN_INTERVAL_S:
            wait = int(LOGIN_INTERVAL_S - (now - pair.last_login)) + 1
            raise SupplierAuthError(self.supplier, _(
                "CJ refused the token it issued a moment ago and allows a new login once "
                "every 5 minutes; ordertui tries again in {seconds} s").format(seconds=wait))
        pair.last_login = now
        await asyncio.to_thread(self.tokens.save, pair)
        data = await self.call("POST", "/authentication/getAccessToken",
                               body={"apiKey": self.api_key}, auth=False)
        return await self._store(data, pair, login=True)

    async def _store(self, data: Any, old: TokenPair, *, login: bool) -> TokenPair:
        if not isinstance(data, dict) or not isinstance(data.get("accessToken"), str):
            raise SupplierProtocolError(self.supplier, _("CJ's token answer has no "
                                                         "accessToken"))
        now = self._now()
        access_exp = parse_time(data.get("accessTokenExpiryDate"))
        refresh_exp = parse_time(data.get("refreshTokenExpiryDate"))
        created = parse_time(data.get("createDate"))
        # lifetimes by CJ's own clock, counted from now by ours: a skewed clock on either
        # side then neither renews a token on every call nor keeps a dead one
        origin = created.timestamp() if created else now

        def local(at: datetime | None, default: float) -> float:
            return now + (at.timestamp() - origin) if at else default

        pair = TokenPair(
            fingerprint=self.tokens.fingerprint, access=data["accessToken"],
            access_exp=local(access_exp, now + 15 * 86400),
            refresh=data.get("refreshToken") or old.refresh,
            refresh_exp=local(refresh_exp, old.refresh_exp if not login else now + 180 * 86400),
            created=now, last_login=old.last_login)
        if pair.access_exp <= now:
            raise SupplierProtocolError(self.supplier, _(
                "CJ issued a token that has already expired; check this computer's clock"))
        register_secret(pair.access)
        register_secret(pair.refresh)
        await asyncio.to_thread(self.tokens.save, pair)
        return pair
