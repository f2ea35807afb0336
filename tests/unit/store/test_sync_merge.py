"""Merging a sync's page into the store (store/sync_merge.py): a supplier's decision made
within the second of the last change is not skipped, and an unchanged order is not written
again."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from ordertui.domain.models import CancellationRequest
from ordertui.domain.states import CancellationState
from ordertui.store import Store
from support.demo import OrderFactory


def test_a_decision_within_the_same_second_is_not_skipped(store: Store,
                                                          make_order: OrderFactory) -> None:
    """Suppliers give updated_at in whole seconds; a decision made in the second of the last
    change we saw must still reach the store."""
    at = datetime(2024, 6, 1, 12, tzinfo=UTC)
    asked = CancellationRequest(state=CancellationState.REQUESTED, reason="r",
                                requested_at=at, updated_at=at, client_key="k")
    o = make_order(1, updated_at=at, cancellation=asked)
    store.apply_sync_page("demo", [o], None)
    decided = replace(asked, state=CancellationState.APPROVED, supplier_message="ok")
    events = store.apply_sync_page("demo", [replace(o, cancellation=decided)], None)
    assert [(e.kind, e.new) for e in events] == [("cancellation", "approved")]
    assert store.get_order(1).cancellation.state is CancellationState.APPROVED
    # and an order that really did not change is not written again
    before = store.con.execute("SELECT synced_at FROM orders WHERE id = 1").fetchone()
    assert store.apply_sync_page("demo", [replace(o, cancellation=decided)], None,
                                 now=1) == []
    assert store.con.execute("SELECT synced_at FROM orders WHERE id = 1").fetchone() == before
