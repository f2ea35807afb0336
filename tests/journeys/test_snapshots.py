"""Snapshot tests: each screen drawn exactly as accepted (pytest-textual-snapshot). The
scenes are the ones the README's screenshots come from, on a fixed shop at a fixed time.
After an intended change of a screen: ``pytest tests/journeys/test_snapshots.py
--snapshot-update``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "screenshots"))

from scenes import SCENES, build

from ordertui.tui.app import OrderTUI


@pytest.mark.parametrize("scene", SCENES, ids=[s.name for s in SCENES])
def test_screen(scene: Any, snap_compare: Any, tmp_path: Path,
                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.delenv("NO_COLOR", raising=False)
    services = build(tmp_path, scene.language)
    app = OrderTUI(services)

    async def run_before(pilot: Any) -> None:
        await scene.run(pilot, services)

    try:
        assert snap_compare(app, terminal_size=scene.size, run_before=run_before)
    finally:
        services.store.close()
