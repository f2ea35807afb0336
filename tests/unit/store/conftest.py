"""The store the window, count and search tests read and never change: two suppliers,
800 orders, with the ties real data has."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ordertui.simulators.demo import IdScheme
from ordertui.store import Store
from support.store import N_DEMO, N_OTHER, demo_orders


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Two suppliers, 800 orders, with the ties real data has (status, country, the empty
    tracking number of every unshipped order)."""
    s = Store(tmp_path_factory.mktemp("filled") / "store.sqlite3")
    s.bulk_insert(demo_orders(N_DEMO))
    s.bulk_insert(demo_orders(N_OTHER, seed=9, supplier="other", scheme=IdScheme("OT")))
    yield s
    s.close()
