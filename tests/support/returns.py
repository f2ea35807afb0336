"""What the returns, refunds, policy and protection tests share: configs built directly (so
that supplier kinds whose adapters live elsewhere can be named), hand-made orders with
several lines, a Services on them with a clock the test sets, and the returns state
machine as documented."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from ordertui.config import AdapterConfig, Config
from ordertui.domain.models import Address, Customer, LineItem, Order
from ordertui.domain.money import Money
from ordertui.domain.returns import ReturnState
from ordertui.domain.states import OrderStatus
from ordertui.services.core import Services

NOW = datetime(2026, 2, 10, 12, 0, tzinfo=UTC)
ADDRESS = "Anna Schmidt\nHauptstraße 5\n10115 Berlin\nGermany"

#: (sku, title, quantity, unit cost, unit price)
LINES: list[tuple[str, str, int, str, str]] = [
    ("LAMP-01", "Desk lamp", 2, "10.00", "25.00"),
    ("MUG-02", "Mug", 1, "3.00", "9.50"),
    ("", "Gift card", 1, "0.00", "5.50"),  # no SKU: named "#3"
]

#: The returns state machine as the issue asks for it, written out independently of the code's
#: own table (domain/returns.py), for the domain's and the service's tests to check against.
RETURN_EDGES: dict[ReturnState | None, set[ReturnState]] = {
    None: {ReturnState.REQUESTED},
    ReturnState.REQUESTED: {ReturnState.IN_TRANSIT, ReturnState.RECEIVED, ReturnState.CANCELLED},
    ReturnState.IN_TRANSIT: {ReturnState.RECEIVED, ReturnState.CANCELLED},
    ReturnState.RECEIVED: {ReturnState.RESTOCKED, ReturnState.DISPOSED},
    ReturnState.RESTOCKED: set(),
    ReturnState.DISPOSED: set(),
    ReturnState.CANCELLED: set(),
}


def make_config(tmp_path: Path, *, suppliers: dict[str, dict[str, Any]] | None = None,
                returns: dict[str, Any] | None = None) -> Config:
    suppliers = suppliers if suppliers is not None else {
        "demo": {"kind": "demo", "review_delay_s": 0}}
    return Config(path=tmp_path / "config.toml", data_dir=tmp_path / "data",
                  suppliers={n: AdapterConfig(n, s["kind"], dict(s))
                             for n, s in suppliers.items()},
                  returns=dict(returns or {}))


def make_order(n: int, *, supplier: str = "demo", status: OrderStatus = OrderStatus.DELIVERED,
               lines: list[tuple[str, str, int, str, str]] | None = None,
               created_at: datetime | None = None, delivered_at: datetime | None = None,
               currency: str = "EUR", **fields: Any) -> Order:
    created = created_at or NOW - timedelta(days=20)
    items = [LineItem(title=title, quantity=qty, unit_cost=Money(Decimal(cost), currency),
                      unit_price=Money(Decimal(price), currency), variant="Black", sku=sku,
                      product_id=f"P-{sku or title}")
             for sku, title, qty, cost, price in (lines or LINES)]
    price = sum((i.total_price.amount for i in items), Decimal(0))
    cost = sum((i.total_cost.amount for i in items), Decimal(0))
    if delivered_at is None and status in (OrderStatus.DELIVERED, OrderStatus.CLOSED):
        delivered_at = NOW - timedelta(days=5)
    values: dict[str, Any] = dict(
        supplier=supplier, supplier_order_id=f"{supplier.upper()}{n}", name=f"#{n}",
        status=status, created_at=created, updated_at=created, currency=currency, items=items,
        customer=Customer(name="Käthe Müller", email="kaethe@example.de",
                          address=Address("Weg 1", "", "Köln", "", "50667", "DE")),
        total_price=Money(price, currency), total_cost=Money(cost, currency),
        delivered_at=delivered_at)
    values.update(fields)
    return Order(**values)


class FixedClock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def services_with(config: Config, orders: list[Order], clock: FixedClock | None = None
                  ) -> Services:
    """A Services on ``config`` whose store holds ``orders`` (nothing synced, no network)."""
    s = Services(config, clock=clock or FixedClock())
    s.store.bulk_insert(orders)
    return s


def order_id(s: Services, n: int, supplier: str = "demo") -> int:
    found = s.store.order_ref(supplier, f"{supplier.upper()}{n}")
    assert found is not None
    return found
