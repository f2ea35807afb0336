"""Fixtures for the screens driven by Textual's pilot: the app's ``Services`` on a small
demo shop, synced, and a demo supplier whose answers are looked for often."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ordertui.services import Services
from ordertui.suppliers.demo import DemoAdapter
from support.tui import make_services


@pytest.fixture
def fast_follow_up(monkeypatch: pytest.MonkeyPatch) -> None:
    # the app polls a supplier that owes an answer; the tests' demo answers in 0.3 s
    monkeypatch.setattr(DemoAdapter, "follow_up_s", 0.2)


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    """The demo shop of ``support.tui.make_services``, synced (not the root conftest's
    ``services``: this one runs on the real clock, as the app does)."""
    s = make_services(tmp_path)
    await s.sync()
    yield s
    s.store.close()
