"""Returns in the services (services/returns.py, stock.py, return_items.py): where a
return goes when the supplier takes none, quantity bounds across several returns (and two
sessions at once), every legal route and every illegal step, the returns stock, and items as
the merchant names them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from ordertui.domain.errors import InvalidTransition, OrdertuiError, ValidationError
from ordertui.domain.returns import (
    ReturnDestination,
    ReturnNotFound,
    ReturnsNotAccepted,
    ReturnState,
)
from ordertui.domain.rules import MAX_TEXT
from ordertui.domain.states import OrderStatus
from ordertui.services.core import Services
from ordertui.services.returns import MAX_TRACKING, parse_items
from support.returns import (
    ADDRESS,
    NOW,
    RETURN_EDGES,
    FixedClock,
    make_config,
    make_order,
    order_id,
    services_with,
)

R = ReturnState


# --- the service ----------------------------------------------------------------------------

@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Services]:
    config = make_config(tmp_path, returns={"address": ADDRESS, "window_days": 30})
    s = services_with(config, [
        make_order(1), make_order(2, lines=[("LAMP-01", "Desk lamp", 3, "10.00", "25.00")]),
        make_order(3, status=OrderStatus.PROCESSING), make_order(4, status=OrderStatus.SHIPPED),
        make_order(5, status=OrderStatus.CANCELLED)])
    yield s
    s.store.close()


def _audit(s: Services, oid: int) -> list[str]:
    return [f"{a.action}: {a.detail}" for a in s.store.audit_for(oid)]


def test_supplier_takes_no_returns_so_the_merchants_address_is_offered(svc: Services) -> None:
    oid = order_id(svc, 1)
    options = svc.returns.return_options(oid)
    assert not options.supplier_accepts
    assert options.destinations == (ReturnDestination.MERCHANT,)
    assert "demo accepts no returns" in options.message and "Hauptstraße 5" in options.message
    assert [(i.key, i.bought, i.returnable) for i in options.items] == [
        ("LAMP-01", 2, 2), ("MUG-02", 1, 1), ("#3", 1, 1)]
    assert options.days_since_delivery == 5 and options.within_window is True

    r = svc.returns.open_return(oid, {"LAMP-01": 1}, "too dark", tracking="DHL 123")
    assert r.destination is ReturnDestination.MERCHANT and r.address == ADDRESS
    assert (r.state, r.tracking_number, r.order_name, r.reason) == (
        R.REQUESTED, "DHL 123", "#1", "too dark")
    assert [(i.key, i.quantity, i.title) for i in r.items] == [("LAMP-01", 1, "Desk lamp")]
    assert r.opened_at == NOW
    assert any(line.startswith("return opened: return") and "your address" in line
               for line in _audit(svc, oid))
    # asking for the supplier's address explicitly says why not, and offers the merchant's
    with pytest.raises(ReturnsNotAccepted) as info:
        svc.returns.open_return(oid, {"MUG-02": 1}, "x", destination="supplier")
    assert info.value.field == "destination" and "Hauptstraße 5" in str(info.value)


def test_no_address_and_no_supplier_returns(tmp_path: Path) -> None:
    s = services_with(make_config(tmp_path), [make_order(1)])
    options = s.returns.return_options(order_id(s, 1))
    assert options.destinations == () and "[returns]" in options.message
    with pytest.raises(ReturnsNotAccepted) as info:
        s.returns.open_return(order_id(s, 1), {"LAMP-01": 1}, "broken")
    assert info.value.field == "destination" and "address" in str(info.value)
    assert s.returns.returns_for(order_id(s, 1)) == []


def test_a_supplier_that_takes_returns_is_the_default(tmp_path: Path) -> None:
    config = make_config(tmp_path, suppliers={"demo": {
        "kind": "demo", "policy": {"accepts_returns": True, "return_window_days": 30}}},
        returns={"address": ADDRESS})
    s = services_with(config, [make_order(1)])
    oid = order_id(s, 1)
    options = s.returns.return_options(oid)
    assert options.destinations == (ReturnDestination.SUPPLIER, ReturnDestination.MERCHANT)
    assert s.returns.open_return(oid, {"MUG-02": 1}, "x").destination is \
        ReturnDestination.SUPPLIER
    r = s.returns.open_return(oid, {"LAMP-01": 1}, "y", destination="merchant")
    assert r.destination is ReturnDestination.MERCHANT and r.address == ADDRESS
    with pytest.raises(ValidationError) as info:
        s.returns.open_return(oid, {"LAMP-01": 1}, "y", destination="moon")
    assert info.value.field == "destination"


def test_quantities_never_exceed_what_was_bought_across_returns(svc: Services) -> None:
    oid = order_id(svc, 2)  # 3 lamps
    first = svc.returns.open_return(oid, {"LAMP-01": 2}, "two broken")
    with pytest.raises(ValidationError) as info:
        svc.returns.open_return(oid, {"LAMP-01": 2}, "two more")
    assert info.value.field == "items"
    assert "bought 3, 2 already in returns; at most 1 more" in str(info.value)
    second = svc.returns.open_return(oid, [("lamp-01", 1)], "the last one")  # case folded
    with pytest.raises(ValidationError, match="none left to return"):
        svc.returns.open_return(oid, {"LAMP-01": 1}, "one too many")
    # a return the customer never sends frees its items again
    svc.returns.set_return_state(first.id or 0, "cancelled")
    assert svc.returns.return_options(oid).items[0].returnable == 2
    svc.returns.open_return(oid, {"LAMP-01": 2}, "after all")
    # finished returns still hold their items
    assert second.id is not None
    svc.returns.set_return_state(second.id, R.RECEIVED)
    svc.returns.set_return_state(second.id, R.DISPOSED)
    with pytest.raises(ValidationError):
        svc.returns.open_return(oid, {"LAMP-01": 1}, "again")


def test_one_return_cannot_hold_more_than_was_bought(svc: Services) -> None:
    oid = order_id(svc, 1)
    with pytest.raises(ValidationError, match="bought 2"):
        svc.returns.open_return(oid, [("LAMP-01", 1), ("LAMP-01", 2)], "split over two")


@pytest.mark.parametrize(("items", "message"), [
    ({}, "at least one item"),
    ({"LAMP-01": 0}, "1 or more"),
    ({"LAMP-01": -1}, "1 or more"),
    ({"NOPE": 1}, "has no item 'NOPE'; its items: LAMP-01 (2), MUG-02 (1), #3 (1)"),
    ({" ": 1}, "needs its SKU"),
])
def test_bad_items_name_the_field(svc: Services, items: dict[str, int], message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")
                       ) as info:
        svc.returns.open_return(order_id(svc, 1), items, "x")
    assert info.value.field == "items"


def test_a_line_without_sku_is_named_by_position(svc: Services) -> None:
    r = svc.returns.open_return(order_id(svc, 1), {"#3": 1}, "unwanted")
    assert [(i.key, i.title, i.sku) for i in r.items] == [("#3", "Gift card", "")]


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"reason": ""}, "reason"), ({"reason": "   "}, "reason"),
    ({"reason": "x" * (MAX_TEXT + 1)}, "reason"),
    ({"reason": "ok", "tracking": "T" * (MAX_TRACKING + 1)}, "tracking"),
])
def test_reason_and_tracking_are_checked(svc: Services, kwargs: dict[str, str],
                                         field: str) -> None:
    reason = kwargs.pop("reason")
    with pytest.raises(ValidationError) as info:
        svc.returns.open_return(order_id(svc, 1), {"LAMP-01": 1}, reason, **kwargs)
    assert info.value.field == field


@pytest.mark.parametrize("n", [3, 5])
def test_orders_that_never_shipped_cannot_be_returned(svc: Services, n: int) -> None:
    with pytest.raises(ValidationError) as info:
        svc.returns.open_return(order_id(svc, n), {"LAMP-01": 1}, "x")
    assert info.value.field == "order"


def test_a_shipped_order_can_be_returned(svc: Services) -> None:
    assert svc.returns.open_return(order_id(svc, 4), {"MUG-02": 1}, "refused").state is \
        R.REQUESTED


@pytest.mark.parametrize("route", [
    [R.IN_TRANSIT, R.RECEIVED, R.RESTOCKED], [R.IN_TRANSIT, R.RECEIVED, R.DISPOSED],
    [R.RECEIVED, R.RESTOCKED], [R.RECEIVED, R.DISPOSED], [R.CANCELLED],
    [R.IN_TRANSIT, R.CANCELLED]])
def test_the_service_follows_every_legal_route(svc: Services, route: list[ReturnState]) -> None:
    oid = order_id(svc, 1)
    r = svc.returns.open_return(oid, {"LAMP-01": 2}, "x")
    assert r.id is not None
    for step in route:
        r = svc.returns.set_return_state(r.id or 0, step)
        assert r.state is step
    assert [h.state for h in r.history] == ["requested", *[s.value for s in route]]
    restocked = sum(x.quantity for x in svc.returns.stock("LAMP-01"))
    assert restocked == (2 if R.RESTOCKED in route else 0)


@pytest.mark.parametrize(("current", "target"), [
    (a, b) for a in ReturnState for b in ReturnState if b not in RETURN_EDGES[a]])
def test_the_service_refuses_every_illegal_step(svc: Services, current: ReturnState,
                                                target: ReturnState) -> None:
    oid = order_id(svc, 1)
    r = svc.returns.open_return(oid, {"MUG-02": 1}, "x")
    assert r.id is not None
    for step in {R.REQUESTED: [], R.IN_TRANSIT: [R.IN_TRANSIT],
                 R.RECEIVED: [R.RECEIVED], R.RESTOCKED: [R.RECEIVED, R.RESTOCKED],
                 R.DISPOSED: [R.RECEIVED, R.DISPOSED], R.CANCELLED: [R.CANCELLED]}[current]:
        svc.returns.set_return_state(r.id, step)
    stock_before = svc.returns.stock(include_empty=True)
    with pytest.raises(InvalidTransition):
        svc.returns.set_return_state(r.id, target)
    after = svc.returns.get_return(r.id)
    assert after.state is current  # nothing changed
    assert svc.returns.stock(include_empty=True) == stock_before


def test_state_names_and_missing_returns(svc: Services) -> None:
    r = svc.returns.open_return(order_id(svc, 1), {"MUG-02": 1}, "x")
    with pytest.raises(ValidationError) as info:
        svc.returns.set_return_state(r.id or 0, "lost")
    assert info.value.field == "state"
    with pytest.raises(ReturnNotFound):
        svc.returns.set_return_state(9999, "received")
    with pytest.raises(ValidationError):
        svc.returns.list_returns(["lost"])


def test_tracking_condition_and_listing(svc: Services, tmp_path: Path) -> None:
    oid = order_id(svc, 1)
    r = svc.returns.open_return(oid, {"LAMP-01": 1, "MUG-02": 1}, "not needed")
    assert r.id is not None
    r = svc.returns.set_return_state(r.id, "in_transit", tracking="JD0001")
    assert r.tracking_number == "JD0001"
    r = svc.returns.set_return_state(r.id, "received", condition="box opened, lamp as new")
    assert r.condition == "box opened, lamp as new"
    other = svc.returns.open_return(order_id(svc, 2), {"LAMP-01": 1}, "late")
    assert [x.id for x in svc.returns.list_returns()] == [other.id, r.id]
    assert [x.id for x in svc.returns.list_returns(["received"])] == [r.id]
    assert svc.returns.current_return(oid).id == r.id
    svc.returns.open_return(oid, {"LAMP-01": 1}, "the other lamp")
    with pytest.raises(ValidationError, match="2 unfinished returns") as info:
        svc.returns.current_return(oid)
    assert info.value.field == "return"
    with pytest.raises(ReturnNotFound):
        svc.returns.current_return(order_id(svc, 4))
    trail = _audit(svc, oid)
    assert any("in transit (tracking JD0001)" in x for x in trail)
    assert any("condition: box opened, lamp as new" in x for x in trail)


def test_two_sessions_racing_for_the_last_item(svc: Services) -> None:
    """Both check "1 left" at once; the write transaction lets only one of them through."""
    oid = order_id(svc, 1)
    svc.returns.open_return(oid, {"LAMP-01": 1}, "first")
    barrier = threading.Barrier(4)
    results: list[str] = []

    def attempt() -> None:
        barrier.wait()
        try:
            svc.returns.open_return(oid, {"LAMP-01": 1}, "race")
            results.append("ok")
        except ValidationError:
            results.append("refused")

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "refused", "refused", "refused"]
    assert sum(i.quantity for r in svc.returns.returns_for(oid) for i in r.items
               if i.key == "LAMP-01") == 2


# --- the returns stock ---------------------------------------------------------------------

def _restock(s: Services, n: int, items: dict[str, int], condition: str = "as new") -> None:
    r = s.returns.open_return(order_id(s, n), items, "unwanted")
    assert r.id is not None
    s.returns.set_return_state(r.id, "received", condition=condition)
    s.returns.set_return_state(r.id, "restocked")


def test_restocked_items_are_in_the_stock_with_their_origin(svc: Services) -> None:
    _restock(svc, 1, {"LAMP-01": 2, "#3": 1}, "opened box")
    lots = svc.returns.stock()
    assert [(x.sku, x.title, x.variant, x.quantity, x.condition, x.from_order_name)
            for x in lots] == [("LAMP-01", "Desk lamp", "Black", 2, "opened box", "#1"),
                               ("Gift card", "Gift card", "Black", 1, "opened box", "#1")]
    assert lots[0].unit_cost is not None and lots[0].unit_cost.plain() == "10.00"
    assert any("into the returns stock" in x for x in _audit(svc, order_id(svc, 1)))


def test_using_stock_oldest_first_recorded_in_both_orders(svc: Services,
                                                          tmp_path: Path) -> None:
    _restock(svc, 1, {"LAMP-01": 1})
    assert isinstance(svc.clock, FixedClock)
    svc.clock.now = NOW + timedelta(hours=1)
    _restock(svc, 2, {"LAMP-01": 2})
    target = order_id(svc, 4)  # shipped: 2 lamps bought
    uses = svc.returns.use_stock("LAMP-01", target, 2)
    assert [(u.quantity, u.from_order_id) for u in uses] == [
        (1, order_id(svc, 1)), (1, order_id(svc, 2))]
    assert [x.quantity for x in svc.returns.stock("LAMP-01")] == [1]
    assert [x.quantity for x in svc.returns.stock("LAMP-01", include_empty=True)] == [0, 1]
    assert sum(u.quantity for u in svc.returns.stock_uses(target)) == 2
    assert sum("shipped from stock" in x for x in _audit(svc, target)) == 2
    assert any("ships with #4" in x for x in _audit(svc, order_id(svc, 1)))
    assert any("ships with #4" in x for x in _audit(svc, order_id(svc, 2)))
    # the order bought 2: a third from stock is refused even though one is left
    with pytest.raises(ValidationError, match="bought 2 of LAMP-01 and 2 already") as info:
        svc.returns.use_stock("LAMP-01", target, 1)
    assert info.value.field == "quantity"


@pytest.mark.parametrize(("sku", "quantity", "field", "message"), [
    ("LAMP-01", 3, "quantity", "only 1 of LAMP-01"),
    ("MUG-02", 1, "sku", "no MUG-02 in the returns stock"),
    ("SOFA", 1, "sku", "has no item 'SOFA'"),
    ("LAMP-01", 0, "quantity", "1 or more"),
])
def test_stock_bounds(svc: Services, sku: str, quantity: int, field: str, message: str) -> None:
    _restock(svc, 1, {"LAMP-01": 1})
    with pytest.raises(ValidationError, match=message) as info:
        svc.returns.use_stock(sku, order_id(svc, 4), quantity)
    assert info.value.field == field
    assert sum(x.quantity for x in svc.returns.stock()) == 1


def test_stock_is_not_used_for_a_cancelled_order(svc: Services) -> None:
    _restock(svc, 1, {"LAMP-01": 1})
    with pytest.raises(ValidationError) as info:
        svc.returns.use_stock("LAMP-01", order_id(svc, 5))
    assert info.value.field == "order"


def test_parse_items() -> None:
    assert parse_items("LAMP-01:2, MUG-02:1,LAMP-01:1") == [("LAMP-01", 3), ("MUG-02", 1)]
    assert parse_items("#3") == [("#3", 1)]
    assert parse_items("A:B:2") == [("A:B", 2)]
    for bad in ("", ",", "LAMP:x", "LAMP:0"):
        with pytest.raises(ValidationError) as info:
            parse_items(bad)
        assert info.value.field == "items"


def test_errors_are_one_line_ordertui_errors(svc: Services) -> None:
    with pytest.raises(OrdertuiError) as info:
        svc.returns.open_return(order_id(svc, 1), {"NOPE": 1}, "x")
    assert "\n" not in str(info.value)


def test_every_return_is_listed_on_either_backend(tmp_path: Path,
                                                  store_target: str | Path) -> None:
    """``return list`` with no state named lists them all (on PostgreSQL too, where a bare
    ``WHERE 1`` is not a condition)."""
    config = make_config(tmp_path, returns={"address": ADDRESS, "window_days": 30})
    if isinstance(store_target, str):
        config.store_url = store_target
    s = services_with(config, [make_order(1), make_order(2)])
    try:
        first = s.returns.open_return(order_id(s, 1), {"MUG-02": 1}, "x")
        second = s.returns.open_return(order_id(s, 2), {"MUG-02": 1}, "y")
        assert [r.id for r in s.returns.list_returns()] == [second.id, first.id]
        assert [r.id for r in s.returns.list_returns(["requested"])] == [second.id, first.id]
    finally:
        s.store.close()
