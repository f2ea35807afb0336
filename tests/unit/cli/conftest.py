"""The demo shop the command tests run on: a config, a data directory seeded with the
demo supplier's orders, and a ``Cli`` to run commands on them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from support.cli import CONFIG, ORDERS, Cli


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    c = Cli(CliRunner(), config, tmp_path / "data")
    c.ok("demo", "seed", "--orders", str(ORDERS), "--seed", "5")
    return c
