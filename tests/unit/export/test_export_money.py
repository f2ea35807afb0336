"""The accountant's export adds up: on every row, total price − total cost − refunds +
recovered is the net the order's details show, for refunded, disputed, recovered and
cancelled orders alike; a cancelled order counts for nothing and says what it still owes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ordertui.domain.query import OrderQuery
from ordertui.domain.states import OrderStatus
from ordertui.export.columns import BY_KEY, default_columns
from ordertui.export.request import ExportRequest
from ordertui.services import Services
from support.export import build_store, read_csv, read_xlsx_openpyxl, services_for


@dataclass
class Scene:
    services: Services
    refunded_in_full: int  # delivered, the customer got everything back
    partly: int  # delivered, part refunded and part recovered by hand
    cancelled_refunded: int  # cancelled, refunded in full
    cancelled_owing: int  # cancelled, the customer not refunded yet


def _ids(s: Services, status: OrderStatus, n: int) -> list[int]:
    rows = [r for r in s.store.window(OrderQuery(statuses=(status,), supplier="demo",
                                                 descending=False), limit=20)
            if r.dispute_state is None][:n]
    assert len(rows) == n
    return [r.id for r in rows]


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    s = services_for(build_store(tmp_path_factory.mktemp("money")))
    full, partly = _ids(s, OrderStatus.DELIVERED, 2)
    # two orders the supplier cancels while ordertui follows them: the customers are owed
    c_refunded, c_owing = _ids(s, OrderStatus.PROCESSING, 2)
    for oid in (c_refunded, c_owing):
        s.store.set_order_status(oid, OrderStatus.CANCELLED)
    s.returns.record_refund(full, "full", "never arrived")
    s.returns.record_refund(partly, "5", "scratched")
    s.returns.record_recovery(partly, "3", "agreed by mail")
    s.returns.record_refund(c_refunded, "full", "cancelled by the supplier")
    yield Scene(s, full, partly, c_refunded, c_owing)
    s.store.close()


def _export(s: Services, path: Path, **kw: Any) -> None:
    s.export(ExportRequest(query=OrderQuery(descending=False), path=path, force=True, **kw))


def _amount(cell: Any) -> Decimal:
    if cell in (None, ""):
        return Decimal(0)
    return Decimal(str(cell).replace(",", ""))


def _rows(path: Path, fmt: str) -> tuple[list[str], list[list[Any]]]:
    if fmt == "xlsx":
        ws = read_xlsx_openpyxl(path)
        rows = [[c.value for c in r] for r in ws.iter_rows()]
    else:
        rows = [list(r) for r in read_csv(path)[1]]
        # CSV for scripts heads its columns by their keys: named here as the others are
        rows[0] = [BY_KEY[key].label for key in rows[0]]
    return [str(h) for h in rows[0]], rows[1:]


@pytest.mark.parametrize(("fmt", "per"), [("xlsx", "order"), ("csv", "order"),
                                          ("xlsx", "line-item")])
def test_every_row_adds_up_to_the_details_net(scene: Scene, tmp_path: Path, fmt: str,
                                              per: str) -> None:
    s = scene.services
    path = tmp_path / f"orders.{fmt}"
    for key in ("total_price", "total_cost", "profit", "refunds", "recovered", "net"):
        assert key in default_columns(per)  # an accountant's export has them all
    _export(s, path, fmt=fmt, per=per, columns=(*default_columns(per), "id"))
    header, rows = _rows(path, fmt)
    col = header.index
    seen: set[int] = set()
    for row in rows:
        oid = int(row[col("ID")])
        if oid in seen:  # line-item layout: the amounts stand on the order's first row
            assert all(row[col(n)] in (None, "") for n in ("Total price", "Refunds", "Net"))
            continue
        seen.add(oid)
        price, cost, refunds, recovered, net = (
            _amount(row[col(n)]) for n in ("Total price", "Total cost", "Refunds",
                                           "Recovered", "Net"))
        assert price - cost - refunds + recovered == net, row[col("Order")]
        assert net == s.returns.money(oid).net.amount, row[col("Order")]
        assert _amount(row[col("Profit")]) == price - cost
    assert len(seen) == s.store.count(OrderQuery())


def test_refunds_recoveries_and_cancellations_in_the_accountants_columns(
        scene: Scene, tmp_path: Path) -> None:
    s = scene.services
    path = tmp_path / "orders.xlsx"
    _export(s, path, fmt="xlsx", columns=(*default_columns("order"), "id"))
    header, rows = _rows(path, "xlsx")
    col = header.index
    by_id = {int(r[col("ID")]): r for r in rows}

    def row(oid: int) -> list[Any]:
        return by_id[oid]

    full = s.store.get_order(scene.refunded_in_full)
    r = row(full.id or 0)  # the refund to the customer is there, and the net is a loss
    assert _amount(r[col("Refunds")]) == full.total_price.amount
    assert _amount(r[col("Net")]) == -full.total_cost.amount < 0  # paid for nothing
    r = row(scene.partly)
    assert (_amount(r[col("Refunds")]), _amount(r[col("Recovered")])) == (5, 3)
    for oid in (scene.cancelled_refunded, scene.cancelled_owing):
        r, order = row(oid), s.store.get_order(oid)
        assert order.total_price.amount > 0  # the customer did pay
        assert r[col("Status")] == "Cancelled"
        for n in ("Total price", "Total cost", "Profit", "Refunds", "Net"):
            assert _amount(r[col(n)]) == 0, n  # it never happened
    owing = s.store.get_order(scene.cancelled_owing)
    assert _amount(row(scene.cancelled_owing)[col("Refund owed")]) == owing.total_price.amount
    assert row(scene.cancelled_refunded)[col("Refund owed")] is None
    # no cancelled row adds profit to the month
    cancelled = [r for r in rows if r[col("Status")] == "Cancelled"]
    assert len(cancelled) >= 2 and sum(_amount(r[col("Profit")]) for r in cancelled) == 0


def test_what_was_paid_and_charged_stay_in_their_own_columns(scene: Scene,
                                                             tmp_path: Path) -> None:
    s = scene.services
    path = tmp_path / "orders.csv"
    _export(s, path, fmt="csv", columns=("id", "customer_paid", "supplier_charged",
                                         "dispute_refund", "recovered"))
    _, rows = _rows(path, "csv")
    by_id = {int(r[0]): r for r in rows}
    order = s.store.get_order(scene.cancelled_owing)
    assert [_amount(c) for c in by_id[scene.cancelled_owing][1:3]] == [
        order.total_price.amount, order.total_cost.amount]
    # a dispute the supplier resolved with a refund is money recovered
    disputed = [r for r in rows if r[3]]
    assert disputed and all(_amount(r[4]) >= _amount(r[3]) > 0 for r in disputed)
