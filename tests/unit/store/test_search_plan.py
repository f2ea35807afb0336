"""A broad search walks the sort's index instead of sorting every match; both ways must give
exactly the same rows, in every sort and direction, paged or not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ordertui.domain.query import OrderQuery, SortKey
from ordertui.domain.states import OrderStatus
from ordertui.store import queries as store_queries

#: how SQLite's planner reads a search (PostgreSQL plans its own: tests/unit/store elsewhere)
SQLITE_ONLY = True


def _ids(rows: list[Any]) -> list[int]:
    return [r.id for r in rows]


def _statements(store: Any, read: Callable[[], object]) -> list[str]:
    """The statements the store runs for ``read()``, with their values in place."""
    calls: list[str] = []
    store.con.set_trace_callback(calls.append)
    try:
        read()
    finally:
        store.con.set_trace_callback(None)
    return calls


def _walks_an_index(store: Any, q: OrderQuery) -> bool:
    """Whether the store reads a window of ``q`` by walking the sort's index."""
    return any("INDEXED BY" in sql for sql in _statements(store, lambda: store.window(q, limit=5)))


#: every sort but when protection ends, which only the protection view uses (with its filter)
SEARCH_SORTS = [s for s in SortKey if s is not SortKey.ENDS]


@pytest.mark.parametrize("sort", SEARCH_SORTS)
@pytest.mark.parametrize("descending", [True, False])
async def test_broad_and_narrow_search_agree(services: Any, sort: SortKey, descending: bool,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    store = services.store
    words = ["a", "lamp", "m"]
    for word in words:
        q = OrderQuery(search=word, sort=sort, descending=descending)
        assert store.search_count(word) > 10, word
        narrow = _ids(store.window(q, limit=500))
        narrow_end = _ids(store.window(q, limit=7, from_end=True))
        monkeypatch.setattr(store_queries, "BROAD_SEARCH", 5)
        assert _walks_an_index(store, q)
        broad = _ids(store.window(q, limit=500))
        assert broad == narrow
        assert _ids(store.window(q, limit=7, from_end=True)) == narrow_end
        first = store.window(q, limit=5)
        assert _ids(store.window(q, limit=5, after=first[-1].key)) == narrow[5:10]
        assert store.count(q) == len(narrow)
        with_status = q.with_(statuses=(OrderStatus.DELIVERED,))
        broad_status = _ids(store.window(with_status, limit=500))
        monkeypatch.setattr(store_queries, "BROAD_SEARCH", 10**9)
        assert not _walks_an_index(store, q)
        assert _ids(store.window(with_status, limit=500)) == broad_status
        assert store.count(with_status) == len(broad_status)


async def test_broad_search_uses_the_sort_index(services: Any,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_queries, "BROAD_SEARCH", 5)
    store = services.store
    q = OrderQuery(search="a", sort=SortKey.TOTAL)
    [sql] = [sql for sql in _statements(store, lambda: store.window(q, limit=10))
             if "INDEXED BY" in sql]
    plan = " ".join(str(r) for r in store.con.execute(f"EXPLAIN QUERY PLAN {sql}"))
    assert "orders_total" in plan
    assert "TEMP B-TREE" not in plan
