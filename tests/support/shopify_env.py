"""A merchant's whole setup over loopback: the Shopify simulator as the shop, the CJ and
AliExpress simulators as suppliers, and a ``Services`` (or a config file for the commands)
pointing at them — the real adapters, over real sockets, nothing mocked.

The shop is the demo shop *of one supplier's simulator*: started on that simulator's own
back office (``demo_state``), its orders are the ones that supplier's orders were placed for
(the same names, customers and lines; CJ also carries the shop's references, ``orderNum``
and ``storeLineItemId``), whatever day the test runs on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ordertui import config as config_mod
from ordertui.http import RetryPolicy
from ordertui.services.core import Services
from ordertui.shops.shopify.adapter import ShopifyAdapter
from ordertui.simulators.aliexpress import AESimConfig, AliExpressSimulator
from ordertui.simulators.cj import CJSimConfig, CJSimulator
from ordertui.simulators.common import RunningSim, start_in_thread
from ordertui.simulators.shopify import (
    DEFAULT_TOKEN,
    ShopifySimConfig,
    ShopifySimulator,
    graphql_path,
)
from support.sims import Clock, ae_settings, cj_settings

#: the variable the shop's access token is read from, as a merchant's config names it
TOKEN_ENV = "ORDERTUI_TEST_SHOPIFY_TOKEN"
SHOP = "main"
#: a bucket so large and quick that pacing never waits (throttling has a test of its own)
ROOMY = {"bucket": 1_000_000.0, "restore_rate": 1_000_000.0}
FAST = RetryPolicy(attempts=4, base_s=0.02, cap_s=0.2)


def start_shop(supplier: RunningSim | None = None, **kw: Any) -> RunningSim:
    """The Shopify simulator; on ``supplier``'s back office when given (its orders are
    then the shop's), else on one of its own."""
    for key, value in ROOMY.items():
        kw.setdefault(key, value)
    if supplier is not None:
        kw.setdefault("orders", supplier.sim.config.orders)
        kw.setdefault("seed", supplier.sim.config.seed)
        kw["demo_state"] = supplier.sim.state_dir / "engine.sqlite3"
        kw["demo_supplier"] = supplier.sim.name
    return start_in_thread(ShopifySimulator(ShopifySimConfig(**kw)))


def start_cj(orders: int, seed: int = 11, **kw: Any) -> RunningSim:
    kw.setdefault("auth_interval_s", 0)
    kw.setdefault("review_delay_s", 3600)
    return start_in_thread(CJSimulator(CJSimConfig(orders=orders, seed=seed, **kw)))


def start_ae(orders: int, seed: int = 11, **kw: Any) -> RunningSim:
    kw.setdefault("review_delay_s", 3600)
    return start_in_thread(AliExpressSimulator(AESimConfig(orders=orders, seed=seed, **kw)))


def shop_settings(shop: RunningSim, **extra: Any) -> dict[str, Any]:
    sim = shop.sim
    assert isinstance(sim, ShopifySimulator)
    return {"kind": "shopify", "store": sim.config.store, "access_token_env": TOKEN_ENV,
            "base_url": shop.root_url, **extra}


@dataclass
class ShopWorld:
    """The simulators of one test and what talks to them."""

    tmp: Path
    shop: RunningSim
    suppliers: dict[str, RunningSim] = field(default_factory=dict)
    clock: Clock = field(default_factory=Clock)
    extra: dict[str, Any] = field(default_factory=dict)  # more of the config's tables
    shop_extra: dict[str, Any] = field(default_factory=dict)

    @property
    def sim(self) -> ShopifySimulator:
        sim = self.shop.sim
        assert isinstance(sim, ShopifySimulator)
        return sim

    @property
    def cj(self) -> CJSimulator:
        sim = self.suppliers["cj"].sim
        assert isinstance(sim, CJSimulator)
        return sim

    def raw(self) -> dict[str, Any]:
        suppliers = {}
        for name, running in self.suppliers.items():
            suppliers[name] = (cj_settings(running) if isinstance(running.sim, CJSimulator)
                               else ae_settings(running))
        return {"suppliers": suppliers,
                "shops": {SHOP: shop_settings(self.shop, **self.shop_extra)}, **self.extra}

    def services(self) -> Services:
        config = config_mod.parse(self.raw(), self.tmp / "config.toml", self.tmp / "data")
        services = Services(config, clock=self.clock)
        adapter = services.shops.adapter(SHOP)
        assert isinstance(adapter, ShopifyAdapter)
        adapter.client.http.policy = FAST
        return services

    def write_config(self) -> Path:
        """The same setup as a config file, for the commands."""
        path = self.tmp / "config.toml"
        path.write_text(toml(self.raw()))
        path.chmod(0o600)
        return path

    # --- the shop's side, as its admin shows it ---------------------------------------------
    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """A request to the simulated Admin API, as another app (or the admin) sends it."""
        r = httpx.post(self.shop.root_url + graphql_path(), timeout=30,
                       headers={"X-Shopify-Access-Token": DEFAULT_TOKEN},
                       json={"query": query, "variables": variables or {}})
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    def fulfillments(self, gid: str) -> list[dict[str, Any]]:
        """The order's fulfillments at the shop, each with its tracking numbers."""
        data = self.graphql("""query($id: ID!) { order(id: $id) {
            fulfillments(first: 10) { id status trackingInfo { company number } } } }""",
                            {"id": gid})
        found: list[dict[str, Any]] = data["order"]["fulfillments"]
        return found

    def written(self) -> dict[str, dict[str, int]]:
        """Per shop order id: fulfillments, tracking updates and refunds written to it."""
        return self.sim.counts()


@contextmanager
def world(tmp: Path, *, cj: int | None = None, ae: int | None = None, shop_of: str = "cj",
          seed: int = 11, shop_orders: int | None = None, **shop_kw: Any
          ) -> Iterator[ShopWorld]:
    """Suppliers ``cj`` and/or ``ae`` with that many orders, and the shop of ``shop_of``'s
    orders (or, with neither supplier, a shop of ``shop_orders`` supplier orders)."""
    with ExitStack() as stack:
        suppliers: dict[str, RunningSim] = {}
        if cj is not None:
            suppliers["cj"] = start_cj(cj, seed)
            stack.callback(suppliers["cj"].stop)
        if ae is not None:
            suppliers["ae"] = start_ae(ae, seed)
            stack.callback(suppliers["ae"].stop)
        base = suppliers.get(shop_of)
        if base is None:
            shop_kw.setdefault("orders", shop_orders or 30)
            shop_kw.setdefault("seed", seed)
        shop = start_shop(base, **shop_kw)
        stack.callback(shop.stop)
        yield ShopWorld(tmp, shop, suppliers)


def toml(raw: dict[str, Any]) -> str:
    """A config's tables as TOML (strings, numbers, booleans and nested tables)."""
    lines: list[str] = []

    def table(prefix: str, values: dict[str, Any]) -> None:
        plain = {k: v for k, v in values.items() if not isinstance(v, dict)}
        nested = {k: v for k, v in values.items() if isinstance(v, dict)}
        if prefix and plain:
            lines.append(f"[{prefix}]")
        for k, v in plain.items():
            lines.append(f"{json.dumps(k)} = {value(v)}")
        if plain:
            lines.append("")
        for k, v in nested.items():
            table(f"{prefix}.{k}" if prefix else k, v)

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int | float):
            return repr(v)
        return json.dumps(str(v))

    table("", raw)
    return "\n".join(lines) + "\n"


async def synced(w: ShopWorld) -> Services:
    """The world's services after one sync that found nothing wrong."""
    s = w.services()
    report = await s.sync()
    assert report.errors == {}, report.errors
    return s
