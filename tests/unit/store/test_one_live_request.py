"""One live cancellation request and one open dispute per order, enforced by the database
(invariant 7 in docs/architecture.md), even when two connections ask at the same moment."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ordertui.domain.errors import CancellationAlreadyActive, DisputeAlreadyOpen
from ordertui.domain.models import CancellationRequest, Dispute
from ordertui.domain.money import Money
from ordertui.domain.states import (
    CancellationState,
    DisputeReason,
    DisputeState,
    OrderStatus,
    Source,
)
from ordertui.store import Store
from support.demo import OrderFactory


def _race(path: Path | str, attempt: Any) -> list[Any]:
    """Run ``attempt(store)`` in two threads, each with its own Store (connection), at the
    same moment; returns what each returned or raised."""
    stores = [Store(path), Store(path)]
    barrier = threading.Barrier(2)
    results: list[Any] = [None, None]

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = attempt(stores[i])
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    return results


def test_one_live_cancellation_per_order_across_connections(
        store: Store, store_target: Path | str, make_order: OrderFactory) -> None:
    store.bulk_insert([make_order(1)])
    now = datetime.now(UTC)

    def request(s: Store) -> int:
        return s.add_cancellation(1, CancellationRequest(
            state=CancellationState.REQUESTED, reason="race", requested_at=now,
            updated_at=now, source=Source.LOCAL))

    results = _race(store_target, request)
    assert sum(isinstance(r, int) for r in results) == 1
    assert sum(isinstance(r, CancellationAlreadyActive) for r in results) == 1
    assert store.con.execute("SELECT COUNT(*) FROM cancellations").fetchone()[0] == 1
    # once that one is decided, a new request may follow
    live = store.get_order(1).cancellation
    assert live is not None
    live.state = CancellationState.REJECTED
    store.update_cancellation(live, 1)
    request(store)
    assert store.get_order(1).cancellation.state is CancellationState.REQUESTED


def test_one_open_dispute_per_order_across_connections(
        store: Store, store_target: Path | str, make_order: OrderFactory) -> None:
    store.bulk_insert([make_order(1, status=OrderStatus.DELIVERED)])
    now = datetime.now(UTC)

    def open_dispute(s: Store) -> int:
        return s.add_dispute(1, Dispute(
            state=DisputeState.OPEN, reason=DisputeReason.NOT_RECEIVED,
            amount=Money.parse("5", "USD"), description="race", opened_at=now,
            updated_at=now, source=Source.LOCAL))

    results = _race(store_target, open_dispute)
    assert sum(isinstance(r, int) for r in results) == 1
    assert sum(isinstance(r, DisputeAlreadyOpen) for r in results) == 1
    assert store.con.execute("SELECT COUNT(*) FROM disputes").fetchone()[0] == 1
