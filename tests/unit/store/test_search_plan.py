"""A broad search walks the sort's index instead of sorting every match; both ways must give
exactly the same rows, in every sort and direction, paged or not."""

from __future__ import annotations

from typing import Any

import pytest

from ordertui.domain.query import OrderQuery, SortKey
from ordertui.domain.states import OrderStatus
from ordertui.store import queries as store_queries


def _ids(rows: list[Any]) -> list[int]:
    return [r.id for r in rows]


@pytest.mark.parametrize("sort", list(SortKey))
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
        assert store._source(q).startswith("orders INDEXED BY")
        broad = _ids(store.window(q, limit=500))
        assert broad == narrow
        assert _ids(store.window(q, limit=7, from_end=True)) == narrow_end
        first = store.window(q, limit=5)
        assert _ids(store.window(q, limit=5, after=first[-1].key)) == narrow[5:10]
        assert store.count(q) == len(narrow)
        with_status = q.with_(statuses=(OrderStatus.DELIVERED,))
        broad_status = _ids(store.window(with_status, limit=500))
        monkeypatch.setattr(store_queries, "BROAD_SEARCH", 10**9)
        assert store._source(q) == "orders"
        assert _ids(store.window(with_status, limit=500)) == broad_status
        assert store.count(with_status) == len(broad_status)


async def test_broad_search_uses_the_sort_index(services: Any,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_queries, "BROAD_SEARCH", 5)
    store = services.store
    q = OrderQuery(search="a", sort=SortKey.TOTAL)
    plan = " ".join(str(r) for r in store.con.execute(
        f"EXPLAIN QUERY PLAN SELECT id FROM {store._source(q)} WHERE id IN "
        "(SELECT rowid FROM orders_fts WHERE orders_fts MATCH '\"a\"*') "
        "ORDER BY total_price DESC, id DESC LIMIT 10"))
    assert "orders_total" in plan
    assert "TEMP B-TREE" not in plan
