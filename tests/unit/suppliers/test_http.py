"""The shared HTTP discipline (suppliers/http.py) against a real server on loopback: which
failures are retried, which make a write ambiguous, Retry-After and supplier throttle codes,
typed errors for malformed answers, the rate limiter, and secrets kept out of errors and
logs."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ordertui.domain.errors import (
    ConfigError,
    SupplierAmbiguous,
    SupplierProtocolError,
    SupplierRateLimited,
    SupplierUnavailable,
)
from ordertui.http import (
    RateLimiter,
    RetryPolicy,
    SupplierHTTP,
    check_base_url,
    file_lock,
)
from ordertui.secrets import read_private, write_private
from ordertui.simulators.common import drop_connection
from support.sims import start_app

FAST = RetryPolicy(attempts=4, base_s=0.01, cap_s=0.05)
SECRET = "sk-live-7f3a9c1e5b2d"


class Script:
    """A server whose answers a test scripts, path by path, and which records arrivals."""

    def __init__(self) -> None:
        self.plans: dict[str, list[str]] = {}
        self.hits: dict[str, list[float]] = {}

    def plan(self, path: str, *answers: str) -> None:
        self.plans[path] = list(answers)
        self.hits[path] = []

    async def handle(self, request: Request) -> Response:
        path = request.url.path
        self.hits.setdefault(path, []).append(time.monotonic())
        plan = self.plans.get(path) or ["ok"]
        answer = plan.pop(0) if len(plan) > 1 else plan[0]
        rid = {"X-Request-Id": "rid-123"}
        if answer == "ok":
            return JSONResponse({"ok": True, "n": len(self.hits[path])}, headers=rid)
        if answer == "503":
            return Response("busy", status_code=503, headers=rid)
        if answer == "429":
            return Response("slow down", status_code=429, headers={"Retry-After": "0.2"})
        if answer == "busycode":
            return JSONResponse({"code": "TOO_MANY"}, headers=rid)
        if answer == "html":
            return Response("<html><body>Bad gateway</body></html>", media_type="text/html",
                            headers=rid)
        if answer == "truncated":
            return Response('{"ok": tr', media_type="application/json", headers=rid)
        if answer == "stall":
            await asyncio.sleep(1.0)
            return JSONResponse({"ok": True})
        raise AssertionError(answer)


class DropLayer:
    """Drops the connection for paths ending in /drop (no answer at all)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].endswith("/drop"):
            await drop_connection(send)
            return
        await self.app(scope, receive, send)


@pytest.fixture
def server() -> Iterator[tuple[Script, str]]:
    script = Script()
    app = Starlette(routes=[Route("/{path:path}", script.handle,
                                  methods=["GET", "POST", "DELETE"])])
    running = start_app(DropLayer(app), name="script")
    try:
        yield script, running.root_url
    finally:
        running.stop()


def _throttle(response: httpx.Response) -> float | None:
    return 0.05 if b"TOO_MANY" in response.content else None


def client(url: str, **kw: Any) -> SupplierHTTP:
    kw.setdefault("policy", FAST)
    return SupplierHTTP("acme", url, **kw)


def test_base_url_rules() -> None:
    assert check_base_url("https://api.example.com/v1/", where="c") == \
        "https://api.example.com/v1"
    assert check_base_url("http://127.0.0.1:8000/x", where="c")
    assert check_base_url("http://localhost:9/x", where="c")
    assert check_base_url("http://[::1]:9/x", where="c")
    with pytest.raises(ConfigError, match="only https"):
        check_base_url("http://api.example.com", where="c")
    with pytest.raises(ConfigError, match="https://"):
        check_base_url("ftp://127.0.0.1/", where="c")


async def test_read_is_retried_after_5xx(server: tuple[Script, str]) -> None:
    script, url = server
    script.plan("/r", "503", "503", "ok")
    http = client(url)
    body, _ = await http.request_json("GET", "/r")
    assert body["ok"] and len(script.hits["/r"]) == 3
    assert http.counts["retries"] == 2
    await http.aclose()


async def test_write_after_5xx_is_ambiguous_and_not_repeated(server: tuple[Script, str]) -> None:
    script, url = server
    script.plan("/w", "503", "ok")
    http = client(url)
    with pytest.raises(SupplierAmbiguous) as err:
        await http.request("POST", "/w", json_body={"a": 1}, write=True)
    assert "acme" in str(err.value) and "rid-123" in str(err.value)
    assert len(script.hits["/w"]) == 1
    await http.aclose()


async def test_retry_after_and_throttle_codes_are_honoured(server: tuple[Script, str]) -> None:
    script, url = server
    script.plan("/limited", "429", "ok")
    script.plan("/coded", "busycode", "busycode", "ok")
    http = client(url, throttle=_throttle)
    await http.request("POST", "/limited", write=True)  # refused, so safe to repeat
    gap = script.hits["/limited"][1] - script.hits["/limited"][0]
    assert gap >= 0.19
    await http.request("GET", "/coded")
    assert len(script.hits["/coded"]) == 3 and http.counts["throttled"] == 3
    script.plan("/always", "429")
    with pytest.raises(SupplierRateLimited) as err:
        await http.request("GET", "/always")
    assert err.value.retry_after == pytest.approx(0.2)
    await http.aclose()


async def test_unreadable_answers_are_typed(server: tuple[Script, str]) -> None:
    script, url = server
    http = client(url)
    script.plan("/html", "html", "ok")
    body, _ = await http.request_json("GET", "/html")  # a proxy page once: read again
    assert body["ok"]
    script.plan("/html2", "html")
    with pytest.raises(SupplierProtocolError) as err:
        await http.request_json("GET", "/html2")
    assert "HTML page" in str(err.value) and "acme" in str(err.value)
    assert "rid-123" in str(err.value)
    script.plan("/cut", "truncated")
    with pytest.raises(SupplierProtocolError, match="not JSON"):
        await http.request_json("GET", "/cut")
    script.plan("/cutw", "truncated")
    with pytest.raises(SupplierAmbiguous):
        await http.request_json("POST", "/cutw", write=True)
    assert len(script.hits["/cutw"]) == 1
    await http.aclose()


async def test_lost_connection_and_timeouts(server: tuple[Script, str]) -> None:
    script, url = server
    http = client(url, read_timeout=0.3)
    with pytest.raises(SupplierAmbiguous):
        await http.request("POST", "/x/drop", write=True)
    with pytest.raises(SupplierUnavailable, match="no answer"):
        await http.request("GET", "/y/drop")
    script.plan("/slow", "stall", "ok")
    body, _ = await http.request_json("GET", "/slow")
    assert body["ok"] and len(script.hits["/slow"]) == 2
    script.plan("/sloww", "stall")
    with pytest.raises(SupplierAmbiguous, match="ReadTimeout"):
        await http.request("POST", "/sloww", write=True)
    await http.aclose()


async def test_nothing_listening_is_retried_then_unavailable() -> None:
    sock = __import__("socket").socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    http = client(f"http://127.0.0.1:{port}")
    with pytest.raises(SupplierUnavailable, match="cannot connect"):
        await http.request("POST", "/w", write=True)  # nothing was sent: safe to retry
    assert http.counts["requests"] == FAST.attempts
    await http.aclose()


async def test_rate_limiter_spaces_requests(server: tuple[Script, str]) -> None:
    script, url = server
    script.plan("/p", "ok")
    http = client(url, rate=20)
    await asyncio.gather(*(http.request("GET", "/p") for _ in range(6)))
    hits = script.hits["/p"]
    assert len(hits) == 6
    assert hits[-1] - hits[0] >= 5 * (1 / 20) - 0.02
    await http.aclose()
    limiter = RateLimiter(None)
    await limiter.acquire()  # no limit: never waits
    assert limiter.interval == 0


async def test_secrets_never_reach_errors_or_logs(server: tuple[Script, str],
                                                 caplog: pytest.LogCaptureFixture) -> None:
    script, url = server
    http = client(url, read_timeout=0.3, secrets=(SECRET,))
    script.plan(f"/k/{SECRET}", "stall")
    caplog.set_level(logging.DEBUG, logger="ordertui")
    with pytest.raises(SupplierAmbiguous) as err:
        await http.request("POST", f"/k/{SECRET}", write=True)
    assert SECRET not in str(err.value) and "••••" in str(err.value)
    assert SECRET not in caplog.text
    await http.aclose()


async def test_private_files_and_lock(tmp_path: Any) -> None:
    path = tmp_path / "d" / "token.json"
    write_private(path, {"a": 1})
    assert path.stat().st_mode & 0o777 == 0o600
    assert read_private(path) == {"a": 1}
    assert read_private(tmp_path / "missing.json") is None
    order: list[str] = []

    async def hold(name: str) -> None:
        async with file_lock(tmp_path / "x.lock", supplier="acme"):
            order.append(f"{name}+")
            await asyncio.sleep(0.05)
            order.append(f"{name}-")
    await asyncio.gather(hold("a"), hold("b"))
    assert order in (["a+", "a-", "b+", "b-"], ["b+", "b-", "a+", "a-"])
