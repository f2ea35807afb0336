"""Journeys 2 and 3 of docs/journeys.md in the terminal app, driven by Textual's pilot on
the demo supplier, keys only: a cancellation the supplier asks about, answered and approved;
a dispute opened, answered in its thread, replied to and withdrawn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ordertui.domain.states import CancellationState, DisputeState, OrderStatus
from ordertui.simulators.demo import fraction
from ordertui.suppliers.demo import DemoAdapter
from ordertui.tui.app import OrderTUI
from ordertui.tui.screens.details import DetailsScreen
from ordertui.tui.screens.orders import OrdersScreen
from ordertui.tui.screens.thread import ThreadScreen
from support.tui import (
    SIZES,
    flat_text,
    make_services,
    orders_ready,
    orders_with,
    screen_text,
    until,
    widget_text,
)


@pytest.fixture(autouse=True)
def _fast_follow_up(monkeypatch: pytest.MonkeyPatch) -> None:
    # the app polls a supplier that owes an answer; the tests' demo answers in 0.3 s
    monkeypatch.setattr(DemoAdapter, "follow_up_s", 0.2)


@pytest.fixture
async def services(tmp_path: Path) -> Any:
    s = make_services(tmp_path)
    await s.sync()
    yield s
    s.store.close()


@pytest.mark.parametrize("size", SIZES)
async def test_cancel_journey_request_details_answer_approved(services: Any,
                                                              size: tuple[int, int]) -> None:
    """request → the supplier asks for details → the merchant answers → approved →
    the order is cancelled; all from the keyboard, the answers arriving by themselves."""
    engine = services.adapter("demo").engine
    candidates = [r for r in orders_with(services, OrderStatus.PROCESSING)
                  if r.cancellation_state is None and r.dispute_state is None
                  and fraction(engine.seed, engine.scheme.index(r.supplier_order_id,
                                                                 engine.count), "ask", 1) < 0.3]
    target = candidates[0]
    app = OrderTUI(services)
    async with app.run_test(size=size) as pilot:
        table = await orders_ready(pilot)
        await pilot.press("slash", *target.name, "enter")
        await until(pilot, lambda: table.current is not None and table.current.id == target.id)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DetailsScreen)
                    and app.screen.details is not None)
        await pilot.press("c")
        await until(pilot, lambda: "Request cancellation of" in widget_text(app))
        text = widget_text(app)
        assert "approves it, rejects it, or asks you for more details" in text
        assert "does not ship it" in text
        await pilot.press("enter")  # an empty reason is refused, nothing sent
        await until(pilot, lambda: "Write a reason" in widget_text(app))
        assert services.store.outbox.entries(to="supplier") == []
        await pilot.press(*"Customer ordered twice", "enter")
        await until(pilot, lambda: isinstance(app.screen, DetailsScreen))
        order = services.order(target.id)
        assert order.cancellation is not None
        assert order.cancellation.state in (CancellationState.REQUESTED,
                                            CancellationState.INFO_REQUESTED)
        await until(pilot, lambda: services.order(target.id).cancellation.state
                    is CancellationState.INFO_REQUESTED, what="the supplier's question")
        await until(pilot, lambda: "The supplier asks" in flat_text(app))
        await pilot.press("a")
        await until(pilot, lambda: app.screen.__class__.__name__ == "AnswerDialog")
        await pilot.press(*"Please cancel all of it", "enter")
        await until(pilot, lambda: services.order(target.id).status is OrderStatus.CANCELLED,
                    what="approval")
        await until(pilot, lambda: "#" + target.name[1:] + " Cancelled" in flat_text(app))
        final = services.order(target.id)
        assert final.cancellation is not None
        assert final.cancellation.state is CancellationState.APPROVED
        counts = services.adapter("demo").engine.action_counts()
        assert counts == {"cancel": 1, "cancel_answer": 1}


async def test_dispute_journey(services: Any) -> None:
    """Open a dispute (validation next to the field, typed text kept), the supplier answers in
    the thread, the merchant replies and then withdraws."""
    target = next(r for r in orders_with(services, OrderStatus.DELIVERED)
                  if r.dispute_state is None)
    order = services.order(target.id)
    app = OrderTUI(services)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await orders_ready(pilot)
        await pilot.press("slash", *target.name, "enter")
        await until(pilot, lambda: table.current is not None and table.current.id == target.id)
        await pilot.press("d")
        await until(pilot, lambda: app.screen.__class__.__name__ == "DisputeDialog")
        form = app.screen
        amount = form.query_one("#amount")
        assert amount.value == order.total_cost.plain()  # defaults to what was paid
        amount.value = str(order.total_cost.amount + 5)
        form.query_one("#description").text = "The lamp arrived broken."
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "cannot be more than you paid" in widget_text(app))
        assert form.query_one("#description").text == "The lamp arrived broken."
        assert services.store.outbox.entries(to="supplier") == []
        amount.value = order.total_cost.plain()
        form.query_one("#evidence").value = "/nonexistent/photo.jpg"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "no file at /nonexistent/photo.jpg" in widget_text(app))
        form.query_one("#evidence").value = ""
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, OrdersScreen))
        await until(pilot, lambda: services.order(target.id).dispute is not None
                    and services.order(target.id).dispute.state not in
                    (DisputeState.OPEN, DisputeState.AWAITING_SUPPLIER), what="supplier answer")
        d = services.order(target.id).dispute
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DetailsScreen)
                    and app.screen.details is not None)
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, ThreadScreen)
                    and app.screen.details is not None)
        await until(pilot, lambda: "The lamp arrived broken." in flat_text(app))
        text = screen_text(app)
        assert "Supplier" in text
        if d.state is DisputeState.AWAITING_MERCHANT:
            await pilot.press("r")
            await pilot.press(*"Here are photos of the damage", "enter")
            await until(pilot, lambda: "Here are photos of the damage" in flat_text(app))
            await until(pilot, lambda: services.adapter("demo").engine.action_counts()
                        .get("dispute_reply") == 1, what="reply sent")
            await until(pilot, lambda: services.order(target.id).dispute.state is not
                        DisputeState.AWAITING_SUPPLIER, what="supplier answers the reply")
        if not services.order(target.id).dispute.state.terminal:
            await pilot.press("w")
            await until(pilot, lambda: app.screen.__class__.__name__ == "ConfirmDialog")
            await pilot.press("y")
            await until(pilot, lambda: services.order(target.id).dispute.state
                        is DisputeState.WITHDRAWN)
            await until(pilot, lambda: services.adapter("demo").engine.action_counts()
                        .get("dispute_withdraw") == 1, what="withdrawal sent")
        assert services.adapter("demo").engine.action_counts().get("dispute_open") == 1
