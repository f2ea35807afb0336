"""The export tests' shop: demo orders plus hostile and non-ASCII ones, built once per
module in a data directory of its own (support/export.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ordertui.services import Services
from support.export import build_store, services_for


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("store"))


@pytest.fixture(scope="module")
def services(data_dir: Path) -> Iterator[Services]:
    s = services_for(data_dir)
    yield s
    s.store.close()
