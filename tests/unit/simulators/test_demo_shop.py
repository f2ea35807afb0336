"""The demo shop's back office (simulators/demo/shop.py): the shop orders the demo supplier's
orders were placed for, deterministic by seed, with recent orders still to be ordered;
fulfillments, tracking and refunds applied once per key and listed by when they changed."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from ordertui.domain.shop import FinancialStatus, FulfillmentStatus
from ordertui.domain.states import OrderStatus
from ordertui.simulators.demo import DemoEngine
from ordertui.simulators.demo.shop import DemoShopOffice, ShopOrderUnknown, ShopRefused
from ordertui.simulators.demo.shop_orders import (
    FREE_SHIPPING_FROM,
    FULFILLED_AFTER_DAYS,
    INCLUDED_TAX,
    SALES_TAX,
    ShopOrderRecord,
    shop_order,
    waiting_count,
)
from support.demo import Clock, everything

EPOCH = datetime(2024, 6, 13, tzinfo=UTC).timestamp()
COUNT = 1200


def make(tmp_path: Path, name: str, seed: int, count: int = COUNT,
         clock: Clock | None = None) -> DemoShopOffice:
    engine = DemoEngine(tmp_path / name / "state.sqlite3")
    engine.create(seed=seed, count=count, epoch=EPOCH)
    return DemoShopOffice(engine, clock=clock.time if clock else None)


@pytest.fixture
def office(tmp_path: Path, clock: Clock) -> DemoShopOffice:
    return make(tmp_path, "shop", 11, clock=clock)


def fingerprint(o: ShopOrderRecord) -> tuple[object, ...]:
    return (o.order_id, o.name, o.created_at, o.updated_at, o.customer, o.total, o.tax,
            o.financial_status, o.fulfillment_status,
            [(x.line_id, x.sku, x.quantity, x.discounted) for x in o.lines],
            [(f.fulfillment_id, f.number) for f in o.fulfillments],
            [(r.refund_id, r.amount) for r in o.refunds])


def unfulfilled_paid(office: DemoShopOffice) -> list[ShopOrderRecord]:
    return [o for o in office.page(0, office.count)
            if o.financial_status is FinancialStatus.PAID
            and o.fulfillment_status is FulfillmentStatus.UNFULFILLED and not o.closed]


# --- a deterministic shop, the supplier's orders' own ----------------------------------------

def test_the_same_seed_gives_the_same_shop(tmp_path: Path) -> None:
    first = [fingerprint(o) for o in make(tmp_path, "a", 5, 400).page(0, 1000)]
    again = [fingerprint(o) for o in make(tmp_path, "b", 5, 400).page(0, 1000)]
    other = [fingerprint(o) for o in make(tmp_path, "c", 6, 400).page(0, 1000)]
    assert len(first) == 400 + waiting_count(400)
    assert first == again
    assert [f[4] for f in first] != [f[4] for f in other]
    # each order is a pure function of (seed, index): nothing carried between calls
    engine = DemoEngine(tmp_path / "a" / "state.sqlite3")
    assert fingerprint(shop_order(5, 123, 400, EPOCH, engine.scheme, "demo")) == first[123]


def test_each_shop_order_is_the_one_its_supplier_order_was_placed_for(tmp_path: Path) -> None:
    office = make(tmp_path, "shop", 3)
    supplier, _ = everything(office.engine)
    shop = office.page(0, office.count)
    assert len(supplier) == COUNT
    for s, o in zip(supplier, shop, strict=False):
        assert o.name == s.name and o.supplier_order_id == s.supplier_order_id
        assert o.customer == s.customer
        assert [(x.title, x.variant, x.sku, x.quantity, x.price) for x in o.lines] == [
            (i.title, i.variant, i.sku, i.quantity, i.unit_price.amount) for i in s.items]
        # placed in the shop shortly before it was ordered from the supplier
        assert timedelta(0) < s.created_at - o.created_at <= timedelta(hours=3)
        assert o.order_id.startswith("gid://shopify/Order/")
        assert all(x.line_id.startswith("gid://shopify/LineItem/") for x in o.lines)
        assert o.currency == s.currency == "USD"
    ids = [x.line_id for o in shop for x in o.lines]
    assert len(ids) == len(set(ids))


def test_recent_orders_wait_to_be_ordered(tmp_path: Path) -> None:
    office = make(tmp_path, "shop", 3)
    waiting = office.page(COUNT, 1000)
    assert len(waiting) == waiting_count(COUNT) >= 3
    assert office.count == COUNT + len(waiting)
    names = [int(o.name[1:]) for o in waiting]
    assert names == list(range(1001 + COUNT, 1001 + COUNT + len(waiting)))
    for o in waiting:
        assert o.supplier_order_id == ""
        assert o.fulfillment_status is FulfillmentStatus.UNFULFILLED and not o.fulfillments
        assert EPOCH - 86400 <= o.created_at.timestamp() <= EPOCH
    status = Counter(o.financial_status for o in waiting)
    assert status[FinancialStatus.PAID] > status[FinancialStatus.PENDING] >= 1
    assert [o.created_at for o in waiting] == sorted(o.created_at for o in waiting)


def test_money_adds_up_as_a_shop_charges_it(office: DemoShopOffice) -> None:
    orders = office.page(0, office.count)
    for o in orders:
        goods = sum((x.discounted * x.quantity for x in o.lines), Decimal(0))
        assert o.subtotal == goods
        assert o.shipping == (0 if goods >= FREE_SHIPPING_FROM else Decimal("4.99"))
        country = o.customer.address.country
        if country in INCLUDED_TAX:  # VAT or GST in the price
            assert o.taxes_included and o.total == goods + o.shipping
            rate = Decimal(INCLUDED_TAX[country])
            assert abs(o.tax - (goods + o.shipping) * rate / (100 + rate)) < Decimal("0.05")
        elif country == "US" and o.customer.address.province in SALES_TAX:  # added on top
            assert not o.taxes_included and o.tax > 0
            assert o.total == goods + o.shipping + o.tax
        else:
            assert o.tax == 0 and o.total == goods + o.shipping
        if o.discount_code:
            assert o.discounts > 0 and all(x.discounted < x.price for x in o.lines)
        else:
            assert o.discounts == 0
    assert sum(bool(o.discount_code) for o in orders) > len(orders) * 0.05
    assert sum(o.shipping == 0 for o in orders) > len(orders) * 0.2


def test_statuses_follow_what_the_supplier_did(office: DemoShopOffice) -> None:
    supplier, _ = everything(office.engine)
    shop = office.page(0, COUNT)
    financial = Counter(o.financial_status for o in shop)
    assert financial[FinancialStatus.PAID] > len(shop) * 0.85
    assert financial[FinancialStatus.REFUNDED] and financial[FinancialStatus.PARTIALLY_REFUNDED]
    for s, o in zip(supplier, shop, strict=True):
        if s.status is OrderStatus.CANCELLED:
            assert o.cancelled_at and o.closed
            assert o.financial_status is FinancialStatus.REFUNDED
            assert all(x.current_quantity == 0 for x in o.lines)
        shipped_long_ago = (s.shipped_at is not None and s.tracking_number
                            and s.shipped_at.timestamp() <= EPOCH - FULFILLED_AFTER_DAYS * 86400)
        if o.fulfillment_status is FulfillmentStatus.FULFILLED:  # only shipped days ago
            assert shipped_long_ago
            assert [(f.company, f.number) for f in o.fulfillments] == [
                (s.carrier, s.tracking_number)]
        elif s.status is OrderStatus.SHIPPED:  # shipped since: for the app to push
            assert o.fulfillment_status is FulfillmentStatus.UNFULFILLED
            assert not shipped_long_ago
        assert o.updated_at >= o.created_at
    assert sum(o.fulfillment_status is FulfillmentStatus.UNFULFILLED
               and s.status is OrderStatus.SHIPPED for s, o in zip(supplier, shop,
                                                                    strict=True)) > 5


# --- writes, once per key ---------------------------------------------------------------------

def test_a_fulfillment_changes_the_order_once_per_key(office: DemoShopOffice,
                                                      clock: Clock) -> None:
    target = unfulfilled_paid(office)[0]
    clock.advance(60)
    order, made = office.create_fulfillment(target.index, None, company="4PX", number="4PX1",
                                            notify=True, key="f-1")
    assert order.fulfillment_status is FulfillmentStatus.FULFILLED
    assert made.url == "https://track.4px.com/#/result/0/4PX1"  # a carrier Shopify knows
    assert made.lines == tuple((x.n, x.quantity) for x in target.lines)
    assert order.updated_at == clock.now and order.updated_at > target.updated_at
    again, same = office.create_fulfillment(target.index, None, company="4PX",
                                            number="4PX1", notify=True, key="f-1")
    assert same.fulfillment_id == made.fulfillment_id and len(again.fulfillments) == 1
    assert office.counts() == {target.index: {"fulfillment": 1, "tracking_update": 0,
                                              "refund": 0}}
    assert office.lookup("f-1") == ("fulfillment", {"id": made.fulfillment_id,
                                                    "order_id": target.order_id})
    with pytest.raises(ShopRefused) as refused:
        office.create_fulfillment(target.index, None, number="other", key="f-1")
    assert refused.value.code == "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"
    with pytest.raises(ShopRefused, match="Nothing is left"):  # a new key, nothing left
        office.create_fulfillment(target.index, None, number="4PX1", key="f-2")
    # a new office on the same files sees it: the state is the shop's, not the object's
    fresh = DemoShopOffice(office.engine)
    assert fingerprint(fresh.get(target.order_id)) == fingerprint(order)


def test_lines_are_fulfilled_partly_and_never_beyond_what_was_ordered(
        office: DemoShopOffice) -> None:
    target = next(o for o in unfulfilled_paid(office) if len(o.lines) > 1)
    order, _ = office.create_fulfillment(target.index, [(0, target.lines[0].quantity)],
                                         number="A1")
    assert order.fulfillment_status is FulfillmentStatus.PARTIALLY_FULFILLED
    assert order.fulfillment_order_status == "IN_PROGRESS"
    with pytest.raises(ShopRefused, match="quantity"):
        office.create_fulfillment(target.index, [(1, target.lines[1].quantity + 1)])
    cancelled = next(o for o in office.page(0, COUNT) if o.cancelled_at)
    with pytest.raises(ShopRefused, match="cancelled"):
        office.create_fulfillment(cancelled.index, None, number="X")


def test_tracking_changes_on_an_existing_fulfillment(office: DemoShopOffice,
                                                     clock: Clock) -> None:
    old = next(o for o in office.page(0, COUNT) if o.fulfillments)  # fulfilled long ago
    fid = old.fulfillments[0].fulfillment_id
    clock.advance(5)
    order, f = office.update_tracking(fid, company="YunExpress", number="YT9", key="t-1")
    assert (f.company, f.number, f.url) == ("YunExpress", "YT9",
                                            "https://www.yuntrack.com/parcelTracking?id=YT9")
    assert order.updated_at == clock.now
    office.update_tracking(fid, company="YunExpress", number="YT9", key="t-1")
    assert office.counts()[old.index]["tracking_update"] == 1
    with pytest.raises(ShopOrderUnknown):
        office.update_tracking("gid://shopify/Fulfillment/1", number="x")


def test_refunds_never_exceed_what_was_paid_and_a_key_returns_the_first(
        office: DemoShopOffice) -> None:
    target = unfulfilled_paid(office)[0]
    order, refund = office.create_refund(target.index, Decimal("5.00"), note="late", key="r-1")
    assert order.financial_status is FinancialStatus.PARTIALLY_REFUNDED
    assert refund.amount == Decimal("5.00") and refund.transaction is not None
    assert refund.transaction.parent_id == target.sale.transaction_id  # type: ignore[union-attr]
    _, again = office.create_refund(target.index, Decimal("5.00"), note="late", key="r-1")
    assert again.refund_id == refund.refund_id
    assert office.get(target.order_id).refunded == Decimal("5.00")
    with pytest.raises(ShopRefused) as over:
        office.create_refund(target.index, target.total, key="r-2")
    assert over.value.code == "OVER_REFUND" and over.value.field == ["amount"]
    rest = target.total - Decimal("5.00")
    order, _ = office.create_refund(target.index, rest, key="r-3")
    assert order.financial_status is FinancialStatus.REFUNDED and order.refundable == 0
    assert office.counts()[target.index]["refund"] == 2
    pending = next(o for o in office.page(COUNT, 100)
                   if o.financial_status is FinancialStatus.PENDING)
    with pytest.raises(ShopRefused, match="no successful payment"):
        office.create_refund(pending.index, Decimal("1.00"))


def test_changes_are_listed_by_when_they_happened(office: DemoShopOffice,
                                                  clock: Clock) -> None:
    assert office.watermark() == (0, 0)
    targets = unfulfilled_paid(office)[:3]
    for n, o in enumerate(reversed(targets)):
        clock.advance(10)
        office.create_refund(o.index, Decimal("1.00"), key=f"r{n}")
    clock.now -= timedelta(seconds=100)  # a clock set back never lists a change before
    office.create_fulfillment(targets[0].index, None, number="N1")
    changed, point, total = office.changed_since(0, 0, 10)
    assert [o.index for o in changed] == [targets[2].index, targets[1].index,
                                          targets[0].index]
    assert total == 3 and point == office.watermark()
    times = [o.updated_at for o in changed]
    assert times == sorted(times)
    after_first, _, rest = office.changed_since(int(times[0].timestamp()), 1, 10)
    assert [o.index for o in after_first] == [targets[1].index, targets[0].index] and rest == 2
    assert office.changed_since(*point, 10)[0] == []


def test_a_new_supplier_back_office_starts_a_new_shop(office: DemoShopOffice) -> None:
    target = unfulfilled_paid(office)[0]
    office.create_refund(target.index, Decimal("2.00"), key="r")
    office.engine.create(seed=11, count=COUNT, epoch=EPOCH)  # ordertui demo seed
    assert office.counts() == {} and office.lookup("r") is None
    assert office.get(target.order_id).refunds == []


def test_ids_lead_back_to_their_order(office: DemoShopOffice) -> None:
    o = office.page(40, 1)[0]
    for gid in (o.order_id, o.lines[-1].line_id, o.lines[0].fo_line_id,
                o.fulfillment_order_id, o.customer_id, o.transactions[0].transaction_id):
        assert office.locate(gid) == (gid.split("/")[3], 40)
    assert office.index_of(str(o.number)) == 40
    for bad in ("gid://shopify/Order/1", "gid://shopify/Order/abc", "#1041", ""):
        with pytest.raises(ShopOrderUnknown):
            office.index_of(bad)
    assert office.locate("gid://shopify/Product/1") is None
