"""``ordertui simulate cj|aliexpress|shopify``: a supplier's or a shop's API on this machine,
serving the demo shop's orders in that party's wire format, so that the real adapters can be
tried (and tested) without an account."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ordertui.i18n import _, formats, pgettext
from ordertui.simulators import KINDS

if TYPE_CHECKING:
    from ordertui.simulators.common import Simulator


def _common(fn: Any) -> Any:
    options = [
        click.option("--host", default="127.0.0.1", show_default=True,
                     help=_("Address to listen on; keep it on loopback.")),
        click.option("--port", type=click.IntRange(0, 65535), default=0,
                     help=_("Port to listen on (0: any free port).")),
        click.option("--orders", type=click.IntRange(0, 5_000_000), default=500,
                     show_default=True, help=_("How many orders the simulated account has.")),
        click.option("--seed", type=click.IntRange(0, 2**31), default=1042, show_default=True,
                     help=_("Same seed, same shop.")),
        click.option("--fault-rate", type=click.FloatRange(0, 1), default=0.0,
                     show_default=True, help=_("Share of requests that fail (0 to 1).")),
        click.option("--faults", default=",".join(KINDS), show_default=True,
                     help=_("Which faults to inject, comma-separated.")),
        click.option("--latency-ms", type=click.FloatRange(0, 60_000), default=0.0,
                     help=_("Delay before every answer.")),
        click.option("--rate-limit", type=click.FloatRange(0, 1000), default=0.0,
                     help=_("Requests per second the account may make (0: no limit).")),
        click.option("--review-delay", type=click.FloatRange(0, 86400), default=30.0,
                     show_default=True, help=_("Seconds before the supplier decides on a "
                     "dispute.")),
        click.option("--state-dir", type=click.Path(file_okay=False, path_type=Path),
                     default=None, help=_("Keep the simulator's state here (default: a "
                     "temporary directory, forgotten on exit).")),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _kinds(text: str) -> tuple[str, ...]:
    kinds = tuple(k.strip() for k in text.split(",") if k.strip())
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise click.BadParameter(_("unknown fault kinds: {unknown}; known: {known}").format(
            unknown=", ".join(sorted(unknown)), known=", ".join(KINDS)), param_hint="--faults")
    return kinds


def _run(sim: Simulator, host: str, port: int, name: str) -> None:
    # the simulators' web stack (starlette, uvicorn) loads only when one is started
    from ordertui.http import is_loopback
    from ordertui.simulators.common import serve_forever

    if not is_loopback(host):
        click.echo(_("warning: listening on {host}; ordertui talks plain http only to this "
                     "machine, and the simulator's keys are printed below").format(host=host),
                   err=True)

    def ready(bound_host: str, bound_port: int) -> None:
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        base_url = f"http://{shown}:{bound_port}{sim.base_path()}"
        config = sim.config
        click.echo(_("{simulator} simulator: {url}  ({orders} orders, seed {seed}, fault rate "
                     "{fault_rate}, rate limit {rate_limit}/s)").format(
            simulator=sim.name, url=base_url, orders=formats.number(config.orders),
            seed=config.seed, fault_rate=f"{config.fault_rate:g}",
            rate_limit=config.rate_limit or pgettext("rate limit", "none")))
        click.echo(_("state: {path}   stats: {url}").format(
            path=sim.state_dir, url=f"http://{shown}:{bound_port}/_sim/stats"))
        click.echo("\n" + _("Paste this into your config file (it holds a key inline, so keep "
                            "the file private: chmod 600), then run `ordertui sync`:") + "\n")
        click.echo(sim.config_snippet(base_url, name))
        click.echo(_("Ctrl-C stops the simulator."), err=True)

    try:
        serve_forever(sim, host, port, ready)
    except OSError as exc:
        raise click.ClickException(_("cannot listen on {address}: {reason}").format(
            address=f"{host}:{port}", reason=exc.strerror)) from None
    except KeyboardInterrupt:
        pass


@click.group("simulate", help=_(
    "Run a supplier's or a shop's API on this machine, serving the demo shop's orders.\n\n"
    "Point a [suppliers.NAME] or [shops.NAME] table at the printed base_url to try the real "
    "adapters without an account, with optional faults and a rate limit like the real one's."))
def simulate_group() -> None:
    pass


@simulate_group.command("cj", help=_("CJ Dropshipping API 2.0 (paths under /api2.0/v1)."))
@_common
@click.option("--api-key", default=None, help=_("The API key the simulator accepts."))
@click.option("--login-interval", type=click.FloatRange(0, 86400), default=300.0,
              show_default=True, help=_("Seconds between two allowed logins, as CJ allows."))
def simulate_cj(host: str, port: int, orders: int, seed: int, fault_rate: float, faults: str,
                latency_ms: float, rate_limit: float, review_delay: float,
                state_dir: Path | None, api_key: str | None, login_interval: float) -> None:
    from ordertui.simulators.cj import DEFAULT_API_KEY, CJSimConfig, CJSimulator

    config = CJSimConfig(orders=orders, seed=seed, fault_rate=fault_rate, faults=_kinds(faults),
                         latency_ms=latency_ms, rate_limit=rate_limit or None,
                         review_delay_s=review_delay, state_dir=state_dir,
                         api_key=api_key or DEFAULT_API_KEY, auth_interval_s=login_interval)
    _run(CJSimulator(config), host, port, "cj-sim")


@simulate_group.command("aliexpress", help=_(
    "AliExpress Open Platform DS API (/sync and /rest), with signature checking.\n\n"
    "It has no order list, like AliExpress: add orders by id, e.g. "
    "`ordertui add --supplier aliexpress-sim 8190000000000001 8190000000000002`."))
@_common
def simulate_aliexpress(host: str, port: int, orders: int, seed: int, fault_rate: float,
                        faults: str, latency_ms: float, rate_limit: float, review_delay: float,
                        state_dir: Path | None) -> None:
    from ordertui.simulators.aliexpress import AESimConfig, AliExpressSimulator

    config = AESimConfig(orders=orders, seed=seed, fault_rate=fault_rate, faults=_kinds(faults),
                         latency_ms=latency_ms, rate_limit=rate_limit or None,
                         review_delay_s=review_delay, state_dir=state_dir)
    sim = AliExpressSimulator(config)
    first = ", ".join(sim.order_ids(3))
    click.echo(_("order ids: {first}, … ({range})").format(
        first=first, range=f"8190000000000000 + 0..{orders - 1}"), err=True)
    _run(sim, host, port, "aliexpress-sim")


def _currency(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise click.BadParameter(_("{value} is no currency code; give three letters, like "
                                   "EUR").format(value=repr(value)))
    return code


@simulate_group.command("shopify", help=_(
    "Shopify's GraphQL Admin API (POST /admin/api/<version>/graphql.json).\n\n"
    "Orders, fulfillment orders, fulfillments and tracking, refunds and bulk operations, "
    "with Shopify's query cost and leaky bucket; the --fault-rate faults include answers "
    "lost after a mutation was applied."))
@_common
@click.option("--token", default=None, help=_("The Admin API access token the simulator "
              "accepts (default: a fixed shpat_ token, printed below)."))
@click.option("--store", default=None, help=_("The store's name, as in "
              "<store>.myshopify.com (default: ordertui-demo)."))
@click.option("--bucket", type=click.FloatRange(1, 1_000_000), default=1000.0,
              show_default=True, help=_("Cost points the leaky bucket holds."))
@click.option("--restore-rate", type=click.FloatRange(0.1, 100_000), default=50.0,
              show_default=True, help=_("Cost points restored per second."))
@click.option("--bulk-delay", type=click.FloatRange(0, 86400), default=2.0,
              show_default=True, help=_("Seconds a bulk operation runs before it completes."))
@click.option("--currency", default="USD", show_default=True, callback=_currency,
              help=_("The store's currency (a German store: EUR); its amounts are the demo "
                     "shop's, as they are."))
@click.option("--demo-state", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=_("Serve this demo supplier's back office (its state.sqlite3) instead of "
                     "one of its own, so that the demo shop and the simulator are one shop."))
def simulate_shopify(host: str, port: int, orders: int, seed: int, fault_rate: float,
                     faults: str, latency_ms: float, rate_limit: float, review_delay: float,
                     state_dir: Path | None, token: str | None, store: str | None,
                     bucket: float, restore_rate: float, bulk_delay: float,
                     currency: str, demo_state: Path | None) -> None:
    from ordertui.simulators.shopify import DEFAULT_TOKEN, ShopifySimConfig, ShopifySimulator
    from ordertui.simulators.shopify.config import DEFAULT_STORE

    config = ShopifySimConfig(orders=orders, seed=seed, fault_rate=fault_rate,
                              faults=_kinds(faults), latency_ms=latency_ms,
                              rate_limit=rate_limit or None, review_delay_s=review_delay,
                              state_dir=state_dir, token=token or DEFAULT_TOKEN,
                              store=store or DEFAULT_STORE, bucket=bucket,
                              restore_rate=restore_rate, bulk_delay_s=bulk_delay,
                              currency=currency, demo_state=demo_state)
    _run(ShopifySimulator(config), host, port, "shopify-sim")


COMMANDS = [simulate_group]
