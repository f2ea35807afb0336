"""The app's screens as a merchant reaches them, on a fixed demo shop at a fixed time, so that
every run draws the same picture. Used by ``make.py`` (the SVGs in the README) and by the
snapshot tests (tests/journeys/test_snapshots.py)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from ordertui.config import parse
from ordertui.domain.query import OrderQuery
from ordertui.domain.states import DisputeState, OrderStatus
from ordertui.services import Services

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
EPOCH = datetime(2026, 11, 20, tzinfo=UTC).timestamp()
SEED, ORDERS = 7, 200


def build(root: Path, language: str = "en") -> Services:
    """A demo shop with 200 orders as it stood on 2026-11-20, seen at 10:00 UTC, in
    ``language``."""
    os.environ["TZ"] = "UTC"
    os.environ["HOME"] = "/home/anna"
    time.tzset()
    raw = {"suppliers": {"demo": {"kind": "demo", "orders": ORDERS, "seed": SEED}},
           "returns": {"address": ["Anna Schmidt", "Karl-Liebknecht-Str. 5", "04107 Leipzig",
                                   "DE"], "window_days": 30, "shop_name": "Lampenladen"},
           "app": {"language": language}}
    config = parse(raw, Path("/home/anna/.config/ordertui/config.toml"), root / "data")
    services = Services(config, clock=lambda: NOW)
    services.adapter("demo").engine.create(  # type: ignore[attr-defined]
        seed=SEED, count=ORDERS, epoch=EPOCH)
    asyncio.run(services.sync())
    return services


async def settle(pilot: Pilot[Any], ready: Callable[[], bool] = lambda: True) -> None:
    """Wait until ``ready`` and the app has drawn it (bounded, so nothing hangs)."""
    for _ in range(400):
        if ready():
            break
        await pilot.pause(0.025)
    await pilot.pause(0.2)
    await pilot.wait_for_scheduled_animations()


def _table(pilot: Pilot[Any]) -> Any:
    from ordertui.tui.widgets.order_table import OrderTable

    return pilot.app.screen.query_one(OrderTable)


async def _home(pilot: Pilot[Any]) -> None:
    from ordertui.tui.screens.orders import OrdersScreen

    await settle(pilot, lambda: isinstance(pilot.app.screen, OrdersScreen)
                 and bool(_table(pilot).buffer))
    # the first sync ends with a status-line update; wait for it, not for the clock
    await settle(pilot, lambda: pilot.app.sync_state.syncing is None
                 and pilot.app.sync_state.last_sync is not None)


def _first(services: Services, **query: Any) -> Any:
    return services.window(OrderQuery(**query), limit=1)[0]


async def _open(pilot: Pilot[Any], order_id: int) -> None:
    from ordertui.tui.screens.details import DetailsScreen

    await _home(pilot)
    pilot.app.push_screen(DetailsScreen(order_id))
    await settle(pilot, lambda: isinstance(pilot.app.screen, DetailsScreen)
                 and pilot.app.screen.details is not None)


@dataclass(frozen=True)
class Scene:
    name: str
    title: str
    size: tuple[int, int]
    run: Callable[[Pilot[Any], Services], Awaitable[None]]
    language: str = "en"


async def orders(pilot: Pilot[Any], services: Services) -> None:
    await _home(pilot)


async def filtered(pilot: Pilot[Any], services: Services) -> None:
    await _home(pilot)
    await pilot.press("slash", *"Schmidt")
    await settle(pilot, lambda: _table(pilot).query_.search == "Schmidt"
                 and not _table(pilot).fetching)


async def attention(pilot: Pilot[Any], services: Services) -> None:
    await _home(pilot)
    await pilot.press("2")
    await settle(pilot, lambda: _table(pilot).query_.attention and not _table(pilot).fetching)


async def details(pilot: Pilot[Any], services: Services) -> None:
    await _open(pilot, _first(services, statuses=(OrderStatus.SHIPPED,)).id)


async def cancel(pilot: Pilot[Any], services: Services) -> None:
    await _open(pilot, _first(services, statuses=(OrderStatus.PROCESSING,)).id)
    await pilot.press("c")
    await settle(pilot, lambda: pilot.app.screen.__class__.__name__ == "CancelDialog")
    await pilot.press(*"The customer ordered the wrong size")


async def dispute_form(pilot: Pilot[Any], services: Services) -> None:
    delivered = [r for r in services.window(OrderQuery(statuses=(OrderStatus.DELIVERED,)),
                                            limit=50) if r.dispute_state is None]
    await _open(pilot, delivered[0].id)
    await pilot.press("d")
    await settle(pilot, lambda: pilot.app.screen.__class__.__name__ == "DisputeDialog")


async def thread(pilot: Pilot[Any], services: Services) -> None:
    from ordertui.tui.screens.thread import ThreadScreen

    summary, _ = services.disputes([DisputeState.AWAITING_MERCHANT])[0]
    await _home(pilot)
    pilot.app.push_screen(ThreadScreen(summary.id))
    await settle(pilot, lambda: isinstance(pilot.app.screen, ThreadScreen)
                 and pilot.app.screen.details is not None)


async def disputes(pilot: Pilot[Any], services: Services) -> None:
    await _home(pilot)
    await pilot.press("D")
    await settle(pilot, lambda: bool(getattr(pilot.app.screen, "order_ids", None)))


async def export(pilot: Pilot[Any], services: Services) -> None:
    await _home(pilot)
    await pilot.press("e")
    await settle(pilot, lambda: pilot.app.screen.__class__.__name__ == "ExportDialog")


async def help_keys(pilot: Pilot[Any], services: Services) -> None:
    await _home(pilot)
    await pilot.press("question_mark")
    await settle(pilot, lambda: pilot.app.screen.__class__.__name__ == "HelpDialog")


async def settings(pilot: Pilot[Any], services: Services) -> None:
    await _home(pilot)
    await pilot.press("comma")
    await settle(pilot, lambda: pilot.app.screen.__class__.__name__ == "SettingsScreen")


async def return_form(pilot: Pilot[Any], services: Services) -> None:
    delivered = [r for r in services.window(OrderQuery(statuses=(OrderStatus.DELIVERED,)),
                                            limit=50) if r.dispute_state is None]
    await _open(pilot, delivered[1].id)
    await pilot.press("R")
    await settle(pilot, lambda: pilot.app.screen.__class__.__name__ == "ReturnDialog")


async def policy(pilot: Pilot[Any], services: Services) -> None:
    await _home(pilot)
    await pilot.press("P")
    await settle(pilot, lambda: "Language" in str(pilot.app.screen.query_one(
        "#policy-head").content) if pilot.app.screen.__class__.__name__ == "PolicyScreen"
        else False)


async def shop_orders(pilot: Pilot[Any], services: Services) -> None:
    from ordertui.tui.screens.shop_orders import ShopOrdersScreen

    await _home(pilot)
    await pilot.press("O")
    await settle(pilot, lambda: isinstance(pilot.app.screen, ShopOrdersScreen)
                 and bool(pilot.app.screen.rows))


async def too_small(pilot: Pilot[Any], services: Services) -> None:
    await settle(pilot, lambda: pilot.app.screen.__class__.__name__ == "TooSmallScreen")


SCENES = [
    Scene("orders", "The orders screen at 80×24", (80, 24), orders),
    Scene("orders-wide", "The orders screen on a large terminal", (160, 45), orders),
    Scene("filter", "Filtering as you type", (100, 30), filtered),
    Scene("attention", "Needs attention", (100, 30), attention),
    Scene("details", "An order's details and tracking", (100, 40), details),
    Scene("cancel", "The cancel confirmation", (80, 24), cancel),
    Scene("dispute-form", "Opening a dispute", (100, 34), dispute_form),
    Scene("thread", "A dispute's thread", (100, 30), thread),
    Scene("disputes", "All disputes", (120, 30), disputes),
    Scene("export", "The export form", (100, 40), export),
    Scene("help", "Every key of the screen", (100, 40), help_keys),
    Scene("settings", "Settings", (100, 34), settings),
    Scene("return", "Accepting a return at your own address", (100, 30), return_form),
    Scene("policy", "Your return policy, generated", (100, 34), policy),
    Scene("shop-orders", "The shop orders still to order", (100, 30), shop_orders),
    Scene("too-small", "A terminal too small", (50, 12), too_small),
]

#: the main screens in German, at the smallest size the app is made for and a larger one
GERMAN = [
    *(Scene(f"de-{name}", f"{title}, auf Deutsch", (80, 24), run, "de")
      for name, title, run in (("orders", "Die Bestellungen", orders),
                               ("details", "Eine Bestellung", details),
                               ("cancel", "Stornieren", cancel),
                               ("export", "Exportieren", export),
                               ("help", "Die Tasten", help_keys),
                               ("settings", "Einstellungen", settings))),
    *(Scene(f"de-{name}-wide", f"{title}, auf Deutsch", (120, 40), run, "de")
      for name, title, run in (("orders", "Die Bestellungen", orders),
                               ("details", "Eine Bestellung", details),
                               ("disputes", "Die Konflikte", disputes),
                               ("export", "Exportieren", export),
                               ("shop-orders", "Noch zu bestellen", shop_orders),
                               ("return", "Eine Rücksendung", return_form))),
]
SCENES += GERMAN
#: what screenshots/make.py renders for the README: every English scene and one German
SCREENSHOTS = [s for s in SCENES if s.language == "en" or s.name == "de-orders-wide"]
#: every scene in the test language: the pseudo run over every screen
PSEUDO = [Scene(f"pseudo-{s.name}", s.title, s.size, s.run, "x-pseudo")
          for s in SCENES if s.language == "en"]
