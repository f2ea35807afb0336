"""The demo shop the command tests run on: a config, a data directory seeded with the
demo supplier's orders (its store a SQLite file there, or a PostgreSQL database of the
test's own named in the config's ``[store] url``), and a ``Cli`` to run commands on them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from support.cli import CONFIG, ORDERS, Cli


@pytest.fixture
def cli(tmp_path: Path, store_target: str | Path) -> Cli:
    config = tmp_path / "config.toml"
    url = store_target if isinstance(store_target, str) else None
    config.write_text(CONFIG + (f'\n[store]\nurl = "{url}"\n' if url else ""))
    c = Cli(CliRunner(), config, tmp_path / "data", url)
    c.ok("demo", "seed", "--orders", str(ORDERS), "--seed", "5")
    return c
