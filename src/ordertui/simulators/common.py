"""What both wire-compatible simulators share: serving on loopback, fault injection, a
requests-per-second limit like the supplier's, and counters of what was actually done.

A simulator is a Starlette app wrapped in a raw ASGI layer (:class:`FaultLayer`) that sits
between uvicorn and the app. The layer sees every request first, so it can refuse it (rate
limit), answer for the app (a 5xx, an HTML page), cut the answer short, stall, or drop the
connection — before the app ran, or after a write was applied, which is the case that tests
the outbox's "at most once".
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import socket
import tempfile
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ordertui.simulators.demo import DemoEngine, IdScheme

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

from ordertui.simulators import KINDS  # noqa: E402 - the kinds live where the CLI reads them

_AFTER = ("5xx", "drop", "stall", "truncated")

HTML_PAGE = (b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>"
             b"<h1>502 Bad Gateway</h1><p>The upstream server is busy. Please try again "
             b"later.</p></body></html>")


@dataclass
class SimConfig:
    orders: int = 500
    seed: int = 1042
    fault_rate: float = 0.0
    faults: tuple[str, ...] = KINDS
    latency_ms: float = 0.0
    rate_limit: float | None = None  # requests per second; None: unlimited
    stall_s: float = 5.0  # how long a stalled request hangs before its connection drops
    review_delay_s: float = 5.0  # how long the supplier takes to decide on a dispute
    spare_orders: int = 0  # orders that appear later (POST /_sim/<kind>/grow)
    state_dir: Path | None = None
    rng_seed: int | None = None  # fault dice; None: different every run

    def __post_init__(self) -> None:
        unknown = set(self.faults) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {', '.join(sorted(unknown))}; "
                             f"known: {', '.join(KINDS)}")
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ValueError("the fault rate is a fraction from 0 to 1")


class SimStats:
    """Counters shared between the server thread and whoever reads them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counters: Counter[str] = Counter()
        self.applied: Counter[str] = Counter()  # actions performed, by kind
        self.duplicates: Counter[str] = Counter()  # writes refused as repeats of done ones
        self.faults: Counter[str] = Counter()
        self.paths: Counter[str] = Counter()
        self.keys: Counter[str] = Counter()  # "kind:key" -> times performed

    def count(self, name: str, n: int = 1) -> None:
        with self._lock:
            self.counters[name] += n

    def fault(self, kind: str) -> None:
        with self._lock:
            self.faults[kind] += 1

    def path(self, path: str) -> None:
        with self._lock:
            self.paths[path] += 1
            self.counters["requests"] += 1

    def applied_action(self, kind: str, key: str) -> None:
        with self._lock:
            self.applied[kind] += 1
            self.keys[f"{kind}:{key}"] += 1

    def duplicate(self, kind: str) -> None:
        with self._lock:
            self.duplicates[kind] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"counters": dict(self.counters), "applied": dict(self.applied),
                    "duplicates": dict(self.duplicates), "faults": dict(self.faults),
                    "paths": dict(self.paths), "keys": dict(self.keys)}

    def reset(self) -> None:
        with self._lock:
            for c in (self.counters, self.applied, self.duplicates, self.faults, self.paths,
                      self.keys):
                c.clear()


class Simulator:
    """Base of the CJ and AliExpress simulators: the demo engine's orders, the clock, the
    rate limit and faults. Subclasses add the supplier's routes and wire format."""

    name = "simulator"
    scheme = IdScheme()

    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.stats = SimStats()
        self.offset = 0.0  # seconds the simulator's clock runs ahead (POST /_sim/advance)
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if config.state_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix=f"ordertui-sim-{self.name}-")
            self.state_dir = Path(self._tmp.name)
        else:
            self.state_dir = Path(config.state_dir)
            self.state_dir.mkdir(parents=True, exist_ok=True)
        self.engine = DemoEngine(self.state_dir / "engine.sqlite3", supplier=self.name,
                                 review_delay_s=config.review_delay_s, scheme=self.scheme,
                                 clock=self.now)
        total = config.orders + config.spare_orders
        #: True when the engine was (re)created, so the simulator's own state starts afresh
        self.fresh = not self.engine.exists() or self.engine.count != total \
            or self.engine.seed != config.seed
        if self.fresh:
            self.engine.create(seed=config.seed, count=total)
        self.rng = random.Random(config.rng_seed)
        self._window: deque[float] = deque()
        self._lock = threading.Lock()

    # --- time, limits and faults -------------------------------------------------------
    def now(self) -> float:
        return time.time() + self.offset

    def over_limit(self) -> bool:
        """True when this request would exceed the configured requests per second."""
        rate = self.config.rate_limit
        if not rate:
            return False
        with self._lock:
            now = time.monotonic()
            while self._window and self._window[0] <= now - 1.0:
                self._window.popleft()
            if len(self._window) >= rate:
                return True
            self._window.append(now)
            return False

    def pick_fault(self, write: bool) -> str | None:
        kinds = [k for k in self.config.faults if write or k != "after_write"]
        if not kinds or self.config.fault_rate <= 0:
            return None
        with self._lock:
            if self.rng.random() >= self.config.fault_rate:
                return None
            return self.rng.choice(kinds)

    def after_fault(self) -> str:
        with self._lock:
            return self.rng.choice(_AFTER)

    # --- what subclasses provide --------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        return []

    def is_write(self, method: str, path: str) -> bool:
        """Requests that change the supplier's state (faults "after_write" apply to them)."""
        return False

    def throttle_response(self, injected: bool = False) -> Response:
        """The supplier's answer to too many requests: ``injected`` for a fault, else for
        the configured limit."""
        return JSONResponse({"error": "too many requests"}, status_code=429)

    def base_path(self) -> str:
        return ""

    def config_snippet(self, base_url: str, name: str) -> str:
        return ""

    # --- the app ---------------------------------------------------------------------------
    def app(self) -> ASGIApp:
        admin = [
            Route("/_sim/stats", self._stats, methods=["GET"]),
            Route("/_sim/stats/reset", self._reset, methods=["POST"]),
            Route("/_sim/faults", self._faults, methods=["POST"]),
            Route("/_sim/advance", self._advance, methods=["POST"]),
        ]
        return FaultLayer(Starlette(routes=[*admin, *self.routes()]), self)

    async def _stats(self, request: Request) -> Response:
        return JSONResponse(self.stats.snapshot())

    async def _reset(self, request: Request) -> Response:
        self.stats.reset()
        return JSONResponse({"ok": True})

    async def _faults(self, request: Request) -> Response:
        body = await request.json()
        kinds = tuple(body.get("faults", self.config.faults))
        rate = float(body.get("fault_rate", self.config.fault_rate))
        try:
            SimConfig(faults=kinds, fault_rate=rate, orders=0)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        self.config.faults, self.config.fault_rate = kinds, rate
        if "rate_limit" in body:
            self.config.rate_limit = body["rate_limit"] or None
        if "stall_s" in body:
            self.config.stall_s = float(body["stall_s"])
        return JSONResponse({"fault_rate": rate, "faults": list(kinds)})

    async def _advance(self, request: Request) -> Response:
        body = await request.json()
        self.offset += float(body.get("seconds", 0))
        return JSONResponse({"offset": self.offset})

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


class FaultLayer:
    """The raw ASGI layer in front of a simulator's app (see the module docstring)."""

    def __init__(self, app: ASGIApp, sim: Simulator) -> None:
        self.app = app
        self.sim = sim

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_sim/"):
            await self.app(scope, receive, send)
            return
        sim = self.sim
        sim.stats.path(scope["path"])
        if sim.config.latency_ms:
            await asyncio.sleep(sim.config.latency_ms / 1000)
        if sim.over_limit():
            sim.stats.count("rate_limited")
            await sim.throttle_response(injected=False)(scope, receive, send)
            return
        write = sim.is_write(scope["method"], scope["path"])
        fault = sim.pick_fault(write)
        if fault is None:
            await self.app(scope, receive, send)
            return
        sim.stats.fault(fault)
        if fault == "after_write":
            sent = await _capture(self.app, scope, receive)
            await self._spoil(sim.after_fault(), sent, scope, receive, send)
            return
        if fault == "truncated":
            sent = await _capture(self.app, scope, receive)
            await self._spoil("truncated", sent, scope, receive, send)
            return
        await self._spoil(fault, None, scope, receive, send)

    async def _spoil(self, fault: str, sent: list[Message] | None, scope: Scope,
                     receive: Receive, send: Send) -> None:
        sim = self.sim
        if fault == "5xx":
            await Response("Service Temporarily Unavailable", status_code=503,
                           media_type="text/plain")(scope, receive, send)
        elif fault == "html":
            await Response(HTML_PAGE, status_code=200, media_type="text/html")(
                scope, receive, send)
        elif fault == "ratelimit":
            await sim.throttle_response(injected=True)(scope, receive, send)
        elif fault == "stall":
            await asyncio.sleep(sim.config.stall_s)
            await drop_connection(send)
        elif fault == "drop":
            await drop_connection(send)
        elif fault == "truncated":
            body = b"".join(m.get("body", b"") for m in sent or [] if
                            m["type"] == "http.response.body")
            start = next((m for m in sent or [] if m["type"] == "http.response.start"), None)
            status = start["status"] if start else 200
            cut = body[: max(len(body) // 2, 1)] if body else b'{"code":'
            await Response(cut, status_code=status, media_type="application/json")(
                scope, receive, send)


async def _capture(app: ASGIApp, scope: Scope, receive: Receive) -> list[Message]:
    """Run the app to the end and keep what it would have sent."""
    sent: list[Message] = []

    async def keep(message: Message) -> None:
        sent.append(message)
    await app(scope, receive, keep)
    return sent


async def drop_connection(send: Send) -> None:
    """Close the connection without an answer: uvicorn's ``send`` is a bound method of the
    request cycle, which holds the transport. Where that is not reachable, start an answer
    that promises more than it delivers, which the client sees as a connection cut midway."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is not None:
        transport.close()
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", b"4096")]})
    await send({"type": "http.response.body", "body": b'{"code":', "more_body": True})
    raise ConnectionAbortedError("simulated dropped connection")


def json_response(data: Any, status: int = 200, request_id: str | None = None) -> Response:
    headers = {"X-Request-Id": request_id} if request_id else None
    return Response(json.dumps(data, ensure_ascii=False, separators=(",", ":")),
                    status_code=status, media_type="application/json", headers=headers)


def new_request_id() -> str:
    return uuid.uuid4().hex


@dataclass
class RunningServer:
    """An ASGI app serving in a background thread (tests, benchmarks)."""

    server: uvicorn.Server
    thread: threading.Thread
    host: str
    port: int

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass
class RunningSim(RunningServer):
    sim: Simulator = field(default=None)  # type: ignore[assignment]

    @property
    def base_url(self) -> str:
        return self.root_url + self.sim.base_path()

    def stats(self) -> dict[str, Any]:
        return self.sim.stats.snapshot()

    def stop(self) -> None:
        super().stop()
        self.sim.close()

    def __enter__(self) -> RunningSim:
        return self


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                         socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # inherited by every accepted connection: an answer goes out as headers and body in two
    # writes, and Nagle's algorithm would hold the body for the client's delayed ACK (40 ms)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _server(app: ASGIApp) -> uvicorn.Server:
    config = uvicorn.Config(app, log_level="critical", access_log=False, lifespan="off",
                            timeout_keep_alive=30, loop="asyncio", http="auto")
    return uvicorn.Server(config)


def start_app(app: ASGIApp, host: str = "127.0.0.1", port: int = 0, name: str = "app"
              ) -> RunningServer:
    """Serve ``app`` on a free loopback port from a daemon thread; returns once it listens."""
    sock = bind(host, port)
    server = _server(app)

    def run() -> None:
        with contextlib.suppress(Exception):
            asyncio.run(server.serve(sockets=[sock]))

    thread = threading.Thread(target=run, name=f"serve-{name}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not start")
        time.sleep(0.01)
    return RunningServer(server, thread, host, sock.getsockname()[1])


def start_in_thread(sim: Simulator, host: str = "127.0.0.1", port: int = 0) -> RunningSim:
    """Serve ``sim`` on a free loopback port from a daemon thread."""
    r = start_app(sim.app(), host, port, name=sim.name)
    return RunningSim(r.server, r.thread, r.host, r.port, sim)


def serve_forever(sim: Simulator, host: str, port: int,
                  ready: Callable[[str, int], None]) -> None:
    """Serve in the foreground until interrupted (``ordertui simulate``)."""
    sock = bind(host, port)
    server = _server(sim.app())
    ready(host, sock.getsockname()[1])
    try:
        asyncio.run(server.serve(sockets=[sock]))
    finally:
        sim.close()
