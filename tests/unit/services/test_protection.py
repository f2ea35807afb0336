"""Buyer protection in the services: an order's protection from its supplier's policy and
the services' clock, and the windows of the orders filter written from the config."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from ordertui.domain.models import Order
from ordertui.domain.query import OrderQuery
from ordertui.store.returns import ReturnsStore
from support.returns import NOW, make_config, make_order, order_id, services_with


def test_the_service_uses_the_supplier_policy_and_its_clock(tmp_path: Path) -> None:
    config = make_config(tmp_path, suppliers={"demo": {"kind": "demo", "policy": {
        "protection_days": 20}}})
    s = services_with(config, [make_order(1, delivered_at=NOW - timedelta(days=5, hours=1))])
    p = s.returns.protection(order_id(s, 1))
    assert (p.days, p.days_left) == (20, 15)
    assert s.returns.overview(order_id(s, 1)).protection == p
    s.store.close()


# --- the orders filter -------------------------------------------------------------------

AS_OF = datetime(2026, 2, 10, 12, 0, tzinfo=UTC)


def _delivered(n: int, supplier: str, hours_ago: float, **kw: object) -> Order:
    at = AS_OF - timedelta(hours=hours_ago)
    return make_order(n, supplier=supplier, delivered_at=at, created_at=at - timedelta(days=9),
                      **kw)


#: the credentials each adapter requires (Services checks every supplier's settings)
ALI = {"kind": "aliexpress", "app_key": "1", "app_secret": "s", "access_token": "a"}
CJ = {"kind": "cj", "api_key": "k"}


def test_services_write_the_windows_from_the_config(tmp_path: Path) -> None:
    config = make_config(tmp_path, suppliers={
        "demo": {"kind": "demo"}, "ali": ALI,
        "cj": {**CJ, "policy": {"protection_days": 20, "protection_from": "order"}},
        "broken": {**ALI, "policy": {"protection_days": "soon"}}})
    s = services_with(config, [_delivered(1, "ali", 24 * 10), _delivered(2, "cj", 24 * 3)])
    assert ReturnsStore(s.store).protection_windows() == {
        "demo": (15, "delivery"), "ali": (15, "delivery"), "cj": (20, "order")}
    q = OrderQuery(protection_ends_within_days=7, as_of=AS_OF)
    assert {r.name for r in s.window(q, limit=10)} == {"#1"}
    s.store.close()
