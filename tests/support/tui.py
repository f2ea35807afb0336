"""Helpers for driving the real app with Textual's pilot: a small demo shop, reading what
the screen shows as text, and waiting for the app's background work."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from textual.pilot import Pilot

from ordertui.config import parse
from ordertui.domain.models import Address, Customer, LineItem, Order, TrackingEvent
from ordertui.domain.money import Money
from ordertui.domain.query import OrderQuery
from ordertui.domain.states import OrderStatus
from ordertui.services import Services
from ordertui.simulators.demo import epoch_of
from ordertui.tui.screens.orders import OrdersScreen
from ordertui.tui.widgets.order_table import OrderTable

SEED = 7
ORDERS = 300
#: the terminal sizes every screen is tried at: the smallest supported, and a roomy one
SIZES = [(80, 24), (160, 50)]


def make_services(tmp_path: Path, *, orders: int = ORDERS, review_delay_s: float = 0.3,
                  extra: dict[str, Any] | None = None) -> Services:
    raw = {"suppliers": {"demo": {"kind": "demo", "review_delay_s": review_delay_s,
                                  "orders": orders, "seed": SEED}}}
    raw.update(extra or {})
    cfg = parse(raw, tmp_path / "config.toml", tmp_path / "data")
    services = Services(cfg)
    adapter = services.adapter("demo")
    adapter.engine.create(seed=SEED, count=orders, epoch=epoch_of(0))  # type: ignore[attr-defined]
    return services


def screen_text(app: Any, *, top_only: bool = False) -> str:
    """What the terminal shows, as plain text (with the screens under a dialog, unless
    ``top_only``)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system=None, record=True, legacy_windows=False, safe_box=False)
    update = app.screen._compositor.render_update(
        full=True, screen_stack=[] if top_only else app._background_screens)
    console.print(update)
    return console.export_text(styles=False)


def flat_text(app: Any) -> str:
    """The screen's words in reading order, with borders and line breaks taken out, so a
    sentence that wraps inside a dialog can be found whole."""
    text = re.sub(r"[\u2500-\u259f▊▎▁▔]", " ", screen_text(app, top_only=True))
    return " ".join(text.split())


def screen_raw(app: Any) -> str:
    """What the app would write to a real terminal for the current screen (with escapes)."""
    width, height = app.size
    buf = io.StringIO()
    console = Console(width=width, height=height, file=buf, force_terminal=True,
                      color_system="truecolor", legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True,
                                                       screen_stack=app._background_screens))
    return buf.getvalue()


async def until(pilot: Pilot[Any], predicate: Callable[[], bool], *, what: str = "",
                seconds: float = 30.0) -> None:
    """Wait for the app's background work. The bound only keeps a broken test from hanging;
    nothing here measures speed."""
    steps = int(seconds / 0.05)
    for _ in range(steps):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"never happened: {what or predicate}")


def hostile_order(supplier: str = "demo", soid: str = "EVIL-1") -> Order:
    """An order whose customer and products try to act on the terminal."""
    now = datetime.now(UTC).replace(microsecond=0)
    usd = "USD"
    return Order(
        supplier=supplier, supplier_order_id=soid, name="#6666", status=OrderStatus.PROCESSING,
        created_at=now, updated_at=now, currency=usd,
        items=[LineItem(title="Lamp \x1b]0;pwned\x07 \x1b[31mred\x1b[0m \u202etxt.exe",
                        quantity=1, unit_cost=Money(Decimal("5"), usd),
                        unit_price=Money(Decimal("20"), usd), sku="=HYPERLINK(\"x\")")],
        customer=Customer(name="[bold red]x[/] Mallory", email="m@example.com",
                          address=Address(line1="\x1b]52;c;cHduZWQ=\x07 Road", city="Town",
                                          country="DE")),
        total_price=Money(Decimal("20"), usd), total_cost=Money(Decimal("5"), usd),
        tracking_events=[TrackingEvent(now, "[link=http://evil]click[/link]")],
        tracking_number="TRK\x1b[2J")


def notifications(app: Any) -> str:
    """Every notification the app has shown (and not yet cleared), as one string."""
    return "\n".join(n.message for n in app._notifications)


def widget_text(app: Any) -> str:
    """The words of every Static and Label on the top screen (a dialog's own text, whatever
    is drawn around it), whitespace collapsed."""
    from textual.widgets import Static

    console = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    for w in app.screen.query(Static):
        content = w.content
        console.print(content, markup=False)
    return " ".join(console.export_text(styles=False).split())


async def orders_ready(pilot: Pilot[Any]) -> OrderTable:
    """Wait until the orders screen shows its first window of rows; returns its table."""
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, OrdersScreen))
    table = app.screen.query_one(OrderTable)
    await until(pilot, lambda: table.total is not None and table.total > 0 and table.buffer,
                what="first window")
    await until(pilot, lambda: table.buffer[0].display_name in screen_text(app),
                what="first window on screen")
    return table


def orders_with(services: Any, status: OrderStatus, n: int = 200) -> list[Any]:
    """The first ``n`` orders in ``status``, as the orders screen lists them."""
    return services.window(OrderQuery(statuses=(status,)), limit=n)
