"""The store the window, count and search tests read and never change: two suppliers,
800 orders, with the ties real data has — on each backend, made once per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ordertui.simulators.demo import IdScheme
from ordertui.store import Store
from support.store import N_DEMO, N_OTHER, demo_orders


@pytest.fixture(scope="module")
def filled(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Two suppliers, 800 orders, with the ties real data has (status, country, the empty
    tracking number of every unshipped order): a SQLite file, or a PostgreSQL database of
    the module's own (dropped after it)."""
    url = None
    if backend == "postgresql":
        from support.postgres import fresh_database
        url = fresh_database()
    s = Store(url or tmp_path_factory.mktemp("filled") / "store.sqlite3")
    try:
        s.bulk_insert(demo_orders(N_DEMO))
        s.bulk_insert(demo_orders(N_OTHER, seed=9, supplier="other", scheme=IdScheme("OT")))
        yield s
    finally:
        s.close()
        if url:
            from support.postgres import drop_database
            drop_database(url)
