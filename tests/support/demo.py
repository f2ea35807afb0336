"""The demo shop most service tests run on: its size, a clock the tests move by hand, a
``Services`` whose demo engine follows that clock, and reading the demo engine's orders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ordertui.config import Config
from ordertui.domain.models import Order, TrackingEvent
from ordertui.domain.states import OrderStatus
from ordertui.services.core import Services
from ordertui.simulators.demo import DemoEngine
from ordertui.suppliers.demo import DemoAdapter

#: the demo supplier every test service uses; small, so a sync takes a few milliseconds
DEMO_ORDERS = 300
DEMO_SEED = 7
REVIEW_DELAY_S = 2.0

#: what the ``make_order`` fixture gives: hand-made orders, every keyword overrides a field
OrderFactory = Callable[..., Order]


@dataclass
class Clock:
    """A clock that moves only when a test says so; serves Services (datetime) and the demo
    engine (seconds) alike."""

    now: datetime = field(
        default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    def __call__(self) -> datetime:
        return self.now

    def time(self) -> float:
        return self.now.timestamp()

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def demo_raw(**settings: Any) -> dict[str, Any]:
    table = {"kind": "demo", "review_delay_s": REVIEW_DELAY_S, "orders": DEMO_ORDERS,
             "seed": DEMO_SEED}
    table.update(settings)
    return {"suppliers": {"demo": table}}


def make_services(config: Config, clock: Clock) -> Services:
    """A Services whose demo engine runs on ``clock`` (reviews come due when it moves)."""
    services = Services(config, clock=clock)
    for name in services.supplier_names():
        adapter = services.adapter(name)
        if isinstance(adapter, DemoAdapter):
            adapter.engine.clock = clock.time
    return services


def tracking_event(at: datetime, text: str = "Departed facility") -> TrackingEvent:
    return TrackingEvent(at=at, description=text, location="Shenzhen")


def everything(e: DemoEngine, page: int = 250) -> tuple[list[Order], str]:
    """One full pass of the supplier's order list; returns the orders and the cursor."""
    orders: list[Order] = []
    cursor: str | None = None
    while True:
        batch, cursor, more, _ = e.list_changes(cursor, page)
        orders.extend(batch)
        if not more:
            assert cursor is not None
            return orders, cursor


def with_status(e: DemoEngine, *statuses: OrderStatus, free: bool = True) -> list[Order]:
    """Orders in these statuses, with no cancellation or dispute when ``free``."""
    return [o for o in everything(e)[0] if o.status in statuses
            and (not free or (o.cancellation is None and o.dispute is None))]
