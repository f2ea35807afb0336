"""Crash reports (crash.py, invariant 9 in docs/architecture.md): an unhandled error in the
app or in a command writes a private report with secrets replaced by ••••, says so in one
line (a command exits 1), and logs go to the data directory's log file, never to the
screen."""

from __future__ import annotations

import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner

from ordertui.adapters import Applied
from ordertui.cli import main_group
from ordertui.domain.capabilities import Capability
from ordertui.suppliers import registry
from ordertui.suppliers.base import OrderPage, SupplierAdapter
from ordertui.tui.app import OrderTUI
from ordertui.tui.screens.orders import OrdersScreen
from support.tui import make_services

SECRET = "tok-Sup3r-s3cret-0042"
CRASH_LINE = re.compile(r"^ordertui: crashed \((.+)\); a report is in (\S+)$")


# --- an unhandled error in the app ----------------------------------------------------------

def _boom(self: Any) -> None:
    raise RuntimeError(f"the sort broke while holding {SECRET}")


async def test_an_error_in_the_app_writes_a_private_redacted_report(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    services = make_services(tmp_path, orders=50, extra={"email": {
        "host": "127.0.0.1", "port": 2525, "security": "none", "from": "shop@example.com",
        "password": SECRET}})  # a secret of the config: registered for redaction
    await services.sync()
    monkeypatch.setattr(OrdersScreen, "action_sort", _boom)
    app = OrderTUI(services)
    with pytest.raises(RuntimeError):
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause(0.2)
            await pilot.press("s")
            await pilot.pause(0.2)
    crash = app.crash()
    assert crash is not None
    path = crash.report
    assert crash.summary == "RuntimeError: the sort broke while holding ••••"
    assert path.parent == services.data_dir / "crash"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    report = path.read_text()
    assert "crashed in the app" in report and "Traceback" in report and "_boom" in report
    assert SECRET not in report and "the sort broke while holding ••••" in report
    # Textual's traceback went into the report, not to the terminal
    assert SECRET not in capsys.readouterr().err
    await services.aclose()


# --- an unhandled error in a command -------------------------------------------------------

class ExplodingAdapter(SupplierAdapter):
    """A third party's adapter with a bug: listing orders raises a plain RuntimeError."""

    kind = "exploding"
    title = "Exploding supplier"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.LIST_ORDERS})

    async def list_orders(self, cursor: str | None, *, page_size: int = 200) -> OrderPage:
        raise RuntimeError(f"unexpected answer for token {self.settings.get('token')}")

    async def was_applied(self, pending: Any, order: Any) -> Applied:
        return Applied.NO


@pytest.fixture
def exploding(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(registry.BUILTIN, "exploding", f"{__name__}:ExplodingAdapter")
    registry.REGISTRY.entry_points.cache_clear()
    yield
    monkeypatch.undo()
    registry.REGISTRY.entry_points.cache_clear()


def test_an_error_in_a_command_exits_1_with_one_line_and_a_report(
        exploding: None, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[suppliers.plugin]\nkind = "exploding"\ntoken = "{SECRET}"\n')
    config.chmod(0o600)
    data = tmp_path / "data"
    result = CliRunner().invoke(main_group, ["--config", str(config), "--data-dir", str(data),
                                             "sync"])
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    match = CRASH_LINE.match(lines[0])
    assert match, lines[0]
    assert match.group(1) == "RuntimeError: unexpected answer for token ••••"
    report = Path(match.group(2))
    assert report.parent == data / "crash"
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    text = report.read_text()
    assert "crashed in ordertui sync" in text and "list_orders" in text
    assert SECRET not in text and "token ••••" in text
    log = (data / "logs" / "ordertui.log").read_text()
    assert "crash in ordertui sync" in log and SECRET not in log
