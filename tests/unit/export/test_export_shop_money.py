"""Exports of orders linked to their shop orders (the demo shop, synced): the total price is
what the shop sold the order for and the currency column is the sale's, the cost is the
supplier's converted at the config's rate, and without a rate the cost, profit and net are
empty — never a wrong number — in CSV and XLSX, per order and per line item."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ordertui.config import parse
from ordertui.domain.models import LineItem, Order
from ordertui.domain.money import Money
from ordertui.domain.query import OrderQuery
from ordertui.domain.states import OrderStatus
from ordertui.export.request import ExportRequest
from ordertui.services.core import Services
from support.demo import Clock, demo_raw, make_services
from support.export import read_csv, read_xlsx_openpyxl
from support.shop import shop_order

COLUMNS = ("id", "order", "total_price", "total_cost", "profit", "refunds", "recovered",
           "net", "currency", "customer_paid", "supplier_charged")


@dataclass
class Scene:
    services: Services
    usd: int  # linked to its demo shop order, in dollars like its supplier
    eur: int  # sold in euros, the config's USD→EUR rate
    gbp: int  # sold in pounds, no USD→GBP rate anywhere


def foreign(s: Services, clock: Clock, n: int, currency: str) -> int:
    created = clock.now - timedelta(days=2)
    s.store.apply_shop_page("demo", [shop_order(
        n, shop="demo", currency=currency, lines=(("LAMP", "Desk lamp", 1, "20.00"),),
        shipping="3.00", name=f"#X{n}", created_at=created)], None, keep_cursor=True)
    item = LineItem(title="Lamp", quantity=1, unit_cost=Money(Decimal("10.60"), "USD"),
                    unit_price=Money.zero("USD"), sku="LAMP")
    order = Order(supplier="demo", supplier_order_id=f"HM-{n}", name=f"#X{n}",
                  status=OrderStatus.PROCESSING, created_at=created, updated_at=created,
                  currency="USD", items=[item], customer=shop_order(n).customer,
                  total_price=Money(Decimal("0"), "USD"),
                  total_cost=Money(Decimal("10.60"), "USD"))
    s.store.apply_sync_page("demo", [order], s.store.sync_cursor("demo"))
    order_id = s.resolve(f"HM-{n}")
    assert s.shops.link_pass([order_id]) == 1
    return order_id


@pytest.fixture
async def scene(tmp_path: Path, clock: Clock) -> AsyncIterator[Scene]:
    raw = demo_raw() | {"exchange_rates": {"USD-EUR": 0.925}}
    s = make_services(parse(raw, tmp_path / "config.toml", tmp_path / "data"), clock)
    assert not (await s.sync()).errors
    usd = next(r.id for r in s.window(OrderQuery(statuses=(OrderStatus.DELIVERED,)), limit=50)
               if r.dispute_state is None and r.cancellation_state is None)
    scene = Scene(s, usd, foreign(s, clock, 801, "EUR"), foreign(s, clock, 802, "GBP"))
    s.returns.record_refund(scene.eur, "2.00", "scratched")
    yield scene
    await s.aclose()


def export(s: Services, path: Path, fmt: str, per: str = "order") -> dict[int, list[Any]]:
    s.export(ExportRequest(query=OrderQuery(descending=False), fmt=fmt, path=path, force=True,
                           per=per, columns=COLUMNS))
    if fmt == "xlsx":
        rows = [[c.value for c in r] for r in read_xlsx_openpyxl(path).iter_rows()]
    else:
        rows = [list(r) for r in read_csv(path)[1]]
    found: dict[int, list[Any]] = {}
    for row in rows[1:]:
        found.setdefault(int(row[0]), row)  # an order's amounts stand on its first row
    return found


def amount(cell: Any) -> Decimal | None:
    return None if cell in (None, "") else Decimal(str(cell))


@pytest.mark.parametrize(("fmt", "per"), [("csv", "order"), ("xlsx", "order"),
                                          ("csv", "line-item")])
def test_a_linked_orders_row_is_the_shops_sale(scene: Scene, tmp_path: Path, fmt: str,
                                              per: str) -> None:
    s = scene.services
    rows = export(s, tmp_path / f"orders.{fmt}", fmt, per)

    def cells(order_id: int) -> tuple[Any, ...]:
        _id, _name, price, cost, profit, refunds, _recovered, net, cur, paid, charged = \
            rows[order_id]
        assert amount(paid) == amount(price)  # not cancelled: all the customer paid counts
        return (amount(price), amount(cost), amount(profit), amount(refunds), amount(net),
                cur, amount(charged))

    # dollars both sides: the shop's sale, the supplier's cost
    link = s.shops.shop_link(scene.usd)
    order = s.order(scene.usd)
    assert link is not None
    price, cost, profit, _refunds, net, cur, charged = cells(scene.usd)
    assert (price, cost, cur) == (link.revenue.amount, order.total_cost.amount, "USD")
    assert profit == net == link.revenue.amount - order.total_cost.amount
    assert charged == order.total_cost.amount

    # sold in euros: the cost at 0.925 (10.60 → 9.805 → 9.80, half-even), a refund in euros
    price, cost, profit, refunds, net, cur, charged = cells(scene.eur)
    assert (price, cost, profit, cur) == (Decimal("23.00"), Decimal("9.80"),
                                          Decimal("13.20"), "EUR")
    assert (refunds, net) == (Decimal("2.00"), Decimal("11.20"))
    assert charged == Decimal("10.60")  # what the supplier charged, in its own dollars

    # sold in pounds without a rate: the sale, and nothing where a number would be a guess
    price, cost, profit, refunds, net, cur, charged = cells(scene.gbp)
    assert (price, cur) == (Decimal("23.00"), "GBP")
    assert cost is None and profit is None and net is None
    assert charged == Decimal("10.60")
