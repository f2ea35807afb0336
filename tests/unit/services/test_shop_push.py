"""What goes back to the shop (services/shop_push.py, the runner's ShopTarget) on the demo
shop: a linked order that ships queues one fulfillment with its tracking, new tracking
queues an update, nothing is queued with push_tracking = false or for a shop order
fulfilled at the shop already; the runner sends each once, into the audit log and the
order's history; a refund is bounded by what the shop can still refund and reaches it
once; a refund made in the shop's own admin is read back once."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from ordertui.config import parse
from ordertui.domain.errors import ValidationError
from ordertui.domain.shop import FulfillmentStatus, ShopActionKind, ShopOrder
from ordertui.domain.states import OrderStatus
from ordertui.services.core import Services
from ordertui.shops.demo import DemoShop
from ordertui.store.outbox import DONE, PENDING, OutboxEntry
from support.demo import Clock, OrderFactory, demo_raw, make_services
from support.shop import money, shop_order

SHOP_ACTIONS = tuple(ShopActionKind)


def shop_entries(s: Services, order_id: int | None = None,
                 states: tuple[str, ...] = (PENDING, "sending", DONE, "failed")
                 ) -> list[OutboxEntry]:
    return [e for e in s.store.outbox.entries(states=states, order_id=order_id)
            if e.action in SHOP_ACTIONS]


def demo_shop(s: Services) -> DemoShop:
    adapter = s.shops.adapter("demo")
    assert isinstance(adapter, DemoShop)
    return adapter


def counts(s: Services, shop: ShopOrder) -> dict[str, int]:
    office = demo_shop(s).office
    return office.counts().get(office.index_of(shop.shop_order_id),
                               {"fulfillment": 0, "tracking_update": 0, "refund": 0})


def tracking_words(s: Services, order_id: int) -> str:
    link = s.shops.shop_link(order_id)
    assert link is not None
    return link.tracking


def queued_fulfillment(s: Services) -> tuple[int, ShopOrder]:
    """A shipped linked order whose tracking the sync queued for its shop."""
    entry = next(e for e in shop_entries(s, states=(PENDING,))
                 if e.action is ShopActionKind.FULFILL)
    shop = s.store.shop_order(int(entry.payload["shop_order"]))
    assert shop is not None
    return entry.order_id, shop


async def test_a_shipped_order_sends_its_tracking_to_the_shop_once(services: Services) -> None:
    order_id, shop = queued_fulfillment(services)
    order = services.order(order_id)
    assert order.tracking_number and shop.fulfillment_status is not FulfillmentStatus.FULFILLED
    (entry,) = shop_entries(services, order_id)
    assert entry.key == f"shop-fulfill:{order_id}:{order.tracking_number}"
    assert entry.payload["number"] == order.tracking_number
    assert entry.payload["company"] == order.carrier
    assert entry.payload["lines"] == [[x.line_id, x.quantity] for x in shop.lines]
    assert tracking_words(services, order_id) == "the tracking is on its way to the shop"
    # asked again (another sync, another session): not queued twice
    assert services.shops.push.tracking_pass([order_id]) == 0
    assert len(shop_entries(services, order_id)) == 1

    ran, _events = await services.run_outbox()
    assert ran and counts(services, shop)["fulfillment"] == 1
    (entry,) = shop_entries(services, order_id)
    assert entry.state == DONE
    stored = services.store.shop_order(shop.id or 0)
    assert stored is not None
    assert [f.number for f in stored.fulfillments] == [order.tracking_number]
    at_shop = await demo_shop(services).get_order(shop.shop_order_id)
    assert at_shop.fulfillment_status is FulfillmentStatus.FULFILLED
    assert [f.number for f in at_shop.fulfillments] == [order.tracking_number]

    history = [(a.actor, a.action, a.detail) for a in services.details(order_id).audit]
    assert ("ordertui", "shop_fulfill",
            f"queued: {order.carrier} {order.tracking_number} for {shop.name}") in history
    assert ("outbox", "shop_fulfill sent", "received by the shop demo") in history
    assert tracking_words(services, order_id) == "the shop has the tracking"

    # the runner again, and a sync after it: nothing more reaches the shop
    await services.run_outbox()
    report = await services.sync()
    assert not report.errors
    await services.run_outbox()
    assert counts(services, shop)["fulfillment"] == 1
    assert len(shop_entries(services, order_id)) == 1


async def test_new_tracking_updates_the_shops_fulfillment(services: Services,
                                                          clock: Clock) -> None:
    order_id, shop = queued_fulfillment(services)
    await services.run_outbox()
    order = services.order(order_id)
    moved = replace(order, tracking_number="LP00999888777", carrier="Cainiao",
                    updated_at=order.updated_at + timedelta(hours=1))
    services.store.apply_sync_page("demo", [moved], services.store.sync_cursor("demo"))
    assert services.order(order_id).tracking_number == "LP00999888777"

    assert services.shops.push.tracking_pass([order_id]) == 1
    assert services.shops.push.tracking_pass([order_id]) == 0
    update = shop_entries(services, order_id, states=(PENDING,))
    assert [e.action for e in update] == [ShopActionKind.TRACKING]
    assert update[0].key == f"shop-tracking:{order_id}:LP00999888777"
    stored = services.store.shop_order(shop.id or 0)
    assert stored is not None
    assert update[0].payload["fulfillment_id"] == stored.fulfillments[0].fulfillment_id

    clock.advance(10)
    await services.run_outbox()
    assert counts(services, shop) == {"fulfillment": 1, "tracking_update": 1, "refund": 0}
    at_shop = await demo_shop(services).get_order(shop.shop_order_id)
    assert [(f.company, f.number) for f in at_shop.fulfillments] == \
        [("Cainiao", "LP00999888777")]
    assert "shop_tracking sent" in [a.action for a in services.store.audit_for(order_id)]


async def test_push_tracking_off_queues_nothing(tmp_path: Path, clock: Clock) -> None:
    raw = demo_raw() | {"shops": {"demo": {"kind": "demo", "supplier": "demo",
                                           "push_tracking": False}}}
    s = make_services(parse(raw, tmp_path / "off.toml", tmp_path / "off-data"), clock)
    try:
        report = await s.sync()
        assert not report.errors and report.linked and report.pushed == 0
        assert shop_entries(s) == []
        ids = [i for i in s.store.shop_refs(range(1, 400)) if s.order(i).tracking_number]
        assert ids and s.shops.push.tracking_pass(ids) == 0
        said = {i: link.tracking for i in ids if (link := s.shops.shop_link(i)) is not None}
        assert set(said.values()) <= {"not sent: push_tracking is off for this shop",
                                      "the shop has the tracking"}
        assert "not sent: push_tracking is off for this shop" in said.values()
    finally:
        await s.aclose()


def test_a_shop_order_fulfilled_at_the_shop_is_not_fulfilled_again(
        services: Services, clock: Clock, make_order: OrderFactory) -> None:
    made = []
    for n, status in ((951, FulfillmentStatus.FULFILLED), (952, FulfillmentStatus.UNFULFILLED)):
        (so,) = services.store.apply_shop_page("demo", [shop_order(
            n, shop="demo", fulfillment=status, created_at=clock.now - timedelta(days=3))],
            None, keep_cursor=True)
        order = make_order(n, supplier="demo", supplier_order_id=f"HM-{n}",
                           status=OrderStatus.SHIPPED, carrier="YunExpress",
                           tracking_number=f"YT{n}", created_at=clock.now - timedelta(days=2))
        services.store.apply_sync_page("demo", [order], services.store.sync_cursor("demo"))
        order_id = services.resolve(f"HM-{n}")
        services.shops.link(order_id, str(so))
        made.append(order_id)
    fulfilled, open_ = made
    assert services.shops.push.tracking_pass([fulfilled]) == 0
    assert shop_entries(services, fulfilled) == []
    assert tracking_words(services, fulfilled) == \
        "the shop order was fulfilled in the shop, with other tracking"
    assert services.shops.push.tracking_pass([open_]) == 1  # the same, not fulfilled: sent


async def test_a_refund_goes_to_the_shop_once_within_what_it_can_refund(
        services: Services) -> None:
    order_id, shop = queued_fulfillment(services)
    m = services.returns.money(order_id)
    link = services.shops.shop_link(order_id)
    assert link is not None and m.paid == link.revenue
    refundable = services.shops.refundable(order_id)
    assert refundable == shop.total - shop.refunded

    with pytest.raises(ValidationError) as over:
        services.returns.record_refund(order_id, m.paid + money("0.01"), "too much")
    assert "\n" not in str(over.value) and "at most" in str(over.value)
    assert services.returns.refunds(order_id) == []
    assert [e for e in shop_entries(services, order_id)
            if e.action is ShopActionKind.REFUND] == []

    refund = services.returns.record_refund(order_id, "5.00", "scratched")
    (entry,) = [e for e in shop_entries(services, order_id) if e.action is ShopActionKind.REFUND]
    assert entry.key == f"shop-refund:{refund.id}"
    assert (entry.payload["amount"], entry.payload["currency"]) == ("5.00", "USD")
    assert services.shops.refundable(order_id) == refundable - money("5.00")

    await services.run_outbox()
    await services.run_outbox()
    assert counts(services, shop)["refund"] == 1
    at_shop = await demo_shop(services).get_order(shop.shop_order_id)
    assert at_shop.refunded == money("5.00")
    (kept,) = services.returns.refunds(order_id)
    assert kept.shop_refund_id == at_shop.refunds[0].refund_id
    actions = [a.action for a in services.details(order_id).audit]
    assert "refund" in actions and "shop_refund sent" in actions

    # the next sync brings the shop's refund back: it is this one, not a second
    assert not (await services.sync()).errors
    assert len(services.returns.refunds(order_id)) == 1
    assert services.returns.money(order_id).refunded == money("5.00")
    assert services.shops.refundable(order_id) == refundable - money("5.00")


def test_the_shop_bounds_a_refund_where_it_has_refunded_already(services: Services,
                                                                 clock: Clock,
                                                                 make_order: OrderFactory) -> None:
    # the customer paid 30.00 and the shop refunded 26.00 of it outside ordertui
    (so,) = services.store.apply_shop_page("demo", [shop_order(
        961, shop="demo", created_at=clock.now - timedelta(days=3), refunded=money("26.00"))],
        None, keep_cursor=True)
    order = make_order(961, supplier="demo", supplier_order_id="HM-961",
                       created_at=clock.now - timedelta(days=2))
    services.store.apply_sync_page("demo", [order], services.store.sync_cursor("demo"))
    order_id = services.resolve("HM-961")
    services.shops.link(order_id, str(so))
    assert services.returns.money(order_id).refundable == money("30.00")
    assert services.shops.refundable(order_id) == money("4.00")

    with pytest.raises(ValidationError, match="the shop can refund no more") as over:
        services.returns.record_refund(order_id, "5.00", "broken")
    assert "\n" not in str(over.value) and "at most $4.00" in str(over.value)
    assert services.returns.refunds(order_id) == [] and shop_entries(services, order_id) == []
    full = services.returns.record_refund(order_id, "full", "broken")
    assert full.amount == money("4.00")
    assert [e.key for e in shop_entries(services, order_id)] == [f"shop-refund:{full.id}"]


async def test_a_refund_made_in_the_shops_admin_is_read_back_once(services: Services,
                                                                  clock: Clock) -> None:
    order_id, shop = queued_fulfillment(services)
    office = demo_shop(services).office
    clock.advance(60)
    _record, made = office.create_refund(office.index_of(shop.shop_order_id), Decimal("7.50"),
                                         note="goodwill", key="admin-refund-1")
    clock.advance(60)
    assert not (await services.sync()).errors

    (back,) = services.returns.refunds(order_id)
    assert back.amount == money("7.50") and back.shop_refund_id == made.refund_id
    assert "refunded in the shop" in back.reason and "goodwill" in back.reason
    said = [(a.actor, a.detail) for a in services.store.audit_for(order_id)
            if a.action == "refund"]
    assert said == [("shop:demo", f"$7.50 refunded in the shop ({shop.name})")]
    assert services.returns.money(order_id).refunded == money("7.50")
    # nothing is queued to the shop for it: it was made there
    assert [e for e in shop_entries(services, order_id) if e.action is ShopActionKind.REFUND] \
        == []

    clock.advance(60)
    assert not (await services.sync()).errors
    stored = services.store.shop_order(shop.id or 0)
    assert stored is not None and services.shops.read_back_refunds(stored) == 0
    assert len(services.returns.refunds(order_id)) == 1
    assert services.returns.money(order_id).refunded == money("7.50")
    assert services.shops.refundable(order_id) == stored.total - money("7.50")


async def test_after_an_unknown_outcome_the_shop_is_read_not_written_again(
        services: Services, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    order_id, shop = queued_fulfillment(services)
    adapter = demo_shop(services)
    real = adapter.create_fulfillment
    calls: list[str] = []

    async def applied_then_lost(*args: object, **kwargs: object) -> object:
        calls.append("create_fulfillment")
        await real(*args, **kwargs)
        raise ConnectionResetError("the answer was lost")

    monkeypatch.setattr(adapter, "create_fulfillment", applied_then_lost)
    await services.run_outbox()
    (entry,) = shop_entries(services, order_id)
    assert entry.state == PENDING and entry.ambiguous and calls
    assert counts(services, shop)["fulfillment"] == 1

    sent_before = len(calls)
    clock.advance(3600)  # the retry comes due
    await services.run_outbox()
    (entry,) = shop_entries(services, order_id)
    assert entry.state == DONE and len(calls) == sent_before  # looked up, not sent again
    assert counts(services, shop)["fulfillment"] == 1
    assert "shop_fulfill confirmed" in [a.action for a in services.store.audit_for(order_id)]
    assert tracking_words(services, order_id) == "the shop has the tracking"
