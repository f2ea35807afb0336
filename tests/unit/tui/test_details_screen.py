"""An order's details driven by Textual's pilot: a key that opens a dialog, pressed where
the order does not offer it, opens nothing and says the rule's own sentence; the summary of
a cancellation the supplier asks about says it once; the history says who did what in words,
not the names of actions and states."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ordertui.domain.states import CancellationState, OrderStatus
from ordertui.services import Services
from ordertui.simulators.demo import fraction
from ordertui.tui.app import OrderTUI
from ordertui.tui.screens.details import DetailsScreen, render
from support.returns import ADDRESS, make_config, make_order, order_id, services_with
from support.tui import notifications, orders_ready, orders_with, until

# the demo supplier's answers are looked for often (conftest.py)
pytestmark = pytest.mark.usefixtures("fast_follow_up")

#: what the merchant must never read in the history
INTERNAL = ("answer_cancel_info", "merchant:", "outbox:", "info_requested", "in_transit",
            "cancel sent", "none →")


async def open_details(pilot: Any, order_id: int) -> DetailsScreen:
    app = pilot.app
    await orders_ready(pilot)
    app.push_screen(DetailsScreen(order_id))
    await until(pilot, lambda: isinstance(app.screen, DetailsScreen)
                and app.screen.details is not None)
    screen = app.screen
    assert isinstance(screen, DetailsScreen)
    return screen


def section(app: Any, name: str) -> str:
    return str(app.screen.query_one(f"#{name}").content)


def dialogs(app: Any) -> list[str]:
    return [type(s).__name__ for s in app.screen_stack if type(s).__name__.endswith("Dialog")]


async def test_c_on_a_shipped_order_says_why_and_opens_nothing(services: Any) -> None:
    shipped = orders_with(services, OrderStatus.SHIPPED)[0]
    app = OrderTUI(services)
    async with app.run_test(size=(80, 24)) as pilot:
        details = await open_details(pilot, shipped.id)
        assert details.check_action("cancel", ()) is False
        await pilot.press("c")
        await until(pilot, lambda: "can no longer be cancelled" in notifications(app),
                    what="the rule's sentence")
        assert (f"Order {shipped.name} is shipped and can no longer be cancelled; open a "
                "dispute or record a return instead") in notifications(app)
        await pilot.pause(0.2)
        assert app.screen is details and dialogs(app) == []
    assert services.store.outbox.entries(to="supplier") == []


def _asks_for_details(services: Any) -> Any:
    """A processing order the demo supplier asks about when its cancellation is requested."""
    engine = services.adapter("demo").engine
    return next(r for r in orders_with(services, OrderStatus.PROCESSING)
                if r.cancellation_state is None and r.dispute_state is None
                and fraction(engine.seed, engine.scheme.index(r.supplier_order_id,
                                                               engine.count), "ask", 1) < 0.3)


async def test_a_cancellation_asked_about_and_answered_in_words(services: Any) -> None:
    target = _asks_for_details(services)
    services.request_cancellation(target.id, "Customer ordered twice")
    sent, _ = await services.run_outbox()
    assert sent
    for _ in range(100):
        await services.refresh_order(target.id)
        if services.order(target.id).cancellation.state is CancellationState.INFO_REQUESTED:
            break
        await asyncio.sleep(0.05)
    app = OrderTUI(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_details(pilot, target.id)
        await until(pilot, lambda: "Supplier asks for details" in section(app, "summary"))
        summary = section(app, "summary")
        assert f"Supplier asks for details — answer with {app.key_text('answer')}" in summary
        assert summary.lower().count("supplier asks for details") == 1  # said once
        await pilot.press("a")
        await until(pilot, lambda: app.screen.__class__.__name__ == "AnswerDialog")
        await pilot.press(*"Please cancel all of it", "enter")
        await until(pilot, lambda: services.order(target.id).status is OrderStatus.CANCELLED,
                    what="approval")
        await until(pilot, lambda: "answer to the supplier sent" in section(app, "audit"),
                    what="the answer in the history")
        history = section(app, "audit")
    assert "you: requested cancellation: Customer ordered twice" in history
    assert "ordertui: cancellation request sent" in history
    assert "you: answered the supplier: Please cancel all of it" in history
    assert "ordertui: answer to the supplier sent" in history
    assert "Supplier asks for details" in history  # the state's label, as the summary says it
    assert "demo: cancellation — Cancellation requested → Supplier asks for details" in history
    assert "  supplier: " not in history  # the supplier is named
    for name in INTERNAL:
        assert name not in history, name


@pytest.fixture
def returning(tmp_path: Path) -> Iterator[Services]:
    s = services_with(make_config(tmp_path, returns={"address": ADDRESS}), [make_order(1)])
    yield s
    s.store.close()


def test_a_return_on_its_way_is_in_transit_in_words(returning: Services) -> None:
    s = returning
    oid = order_id(s, 1)
    ret = s.returns.open_return(oid, {"LAMP-01": 1}, "wrong colour")
    assert ret.id is not None
    s.returns.set_return_state(ret.id, "in_transit", tracking="RT123")
    history = render.history(s.details(oid)).plain
    assert f"you: return {ret.id} — now in transit (tracking RT123)" in history
    for name in INTERNAL:
        assert name not in history, name
