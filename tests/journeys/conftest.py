"""What the end-to-end runs share: a pool of tmux terminals of their own per test, named
after the test's module, killed at the end whatever happened."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support.ssh import Terminals


@pytest.fixture
def terminals(request: pytest.FixtureRequest) -> Iterator[Terminals]:
    pool = Terminals(request.module.__name__.removeprefix("test_").replace("_", "-"))
    yield pool
    pool.kill_all()
