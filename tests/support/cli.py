"""Running the headless commands in-process as a merchant would: a ``Cli`` bound to a
config and a data directory that checks the house rules on every call (exit 0, 1 or 2, one
line on stderr for an error, never a traceback), and the small demo shop it runs on."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from ordertui.cli import main_group
from ordertui.simulators.demo import DemoEngine

ORDERS = 120
CONFIG = f"""
[suppliers.demo]
kind = "demo"
review_delay_s = 600
orders = {ORDERS}
seed = 5
"""

SUMMARY_KEYS = {"id", "supplier", "supplier_order_id", "status", "created_at", "customer_name",
                "country", "total_cost", "total_price", "currency", "tracking_number",
                "cancellation", "dispute"}


@dataclass
class Cli:
    runner: CliRunner
    config: Path
    data: Path
    #: the PostgreSQL store the config names; None: the SQLite file in ``data``
    store_url: str | None = None

    def __call__(self, *args: str, input: str | None = None) -> Result:
        result = self.runner.invoke(
            main_group, ["--config", str(self.config), "--data-dir", str(self.data), *args],
            input=input, catch_exceptions=True)
        # never a traceback: only SystemExit may end a command
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"{args}: {result.exception!r}") from result.exception
        assert "Traceback" not in result.output
        return result

    def ok(self, *args: str, input: str | None = None) -> Result:
        result = self(*args, input=input)
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
        return result

    def fails(self, code: int, *args: str, match: str = "") -> str:
        """Run a command that must fail with ``code``; returns its one-line error."""
        result = self(*args)
        assert result.exit_code == code, (args, result.exit_code, result.stdout,
                                          result.stderr)
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("ordertui: "), result.stderr
        assert match.lower() in lines[0].lower(), lines[0]
        return lines[0]

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--format", "json").stdout)

    @property
    def engine(self) -> DemoEngine:
        return DemoEngine(self.data / "suppliers" / "demo" / "state.sqlite3")

    def supplier_decides(self) -> Result:
        """Let the demo supplier's reviews come due and sync its answers in."""
        self.engine.shift_clock_for_tests(10_000)
        return self.ok("sync")

    def orders(self, *args: str) -> list[dict[str, Any]]:
        return list(self.json("orders", "--limit", "1000", *args))

    def first(self, status: str, **state: Any) -> dict[str, Any]:
        for row in self.orders("--status", status, "--ascending"):
            if all(row[k] == v for k, v in state.items()):
                return row
        raise AssertionError(f"no {status} order with {state}")


    @property
    def store_target(self) -> str | Path:
        return self.store_url or self.data / "store.sqlite3"


def store_execute(cli: Cli, sql: str, params: tuple[Any, ...] = ()) -> None:
    """Change the shop's store behind ordertui's back (as another program might), on
    either backend: one statement in the store's SQL, committed."""
    from ordertui.store import Store

    store = Store(cli.store_target)
    try:
        with store.write() as con:
            con.execute(sql, params)
    finally:
        store.close()
