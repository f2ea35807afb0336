"""``ordertui export`` as a merchant or cron runs it: exit codes (0, 1, 2), one line on
stderr for an error, nothing on stderr when all went well and stderr is not a terminal."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ordertui.cli import main_group
from ordertui.cli.export import parse_month
from ordertui.export.columns import COLUMNS
from ordertui.export.service import XLS_NOTE
from support.export import (
    HOSTILE_SUPPLIER,
    build_store,
    hostile_orders,
    read_csv,
    read_xlsx_calamine,
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("store"))


@pytest.fixture
def data(store: Path, tmp_path: Path) -> Path:
    """A copy per test, so a test's config and exports stay its own."""
    copy = tmp_path / "data"
    shutil.copytree(store, copy)
    return copy


def run(data: Path, *args: str, config: str = "") -> Result:
    (data / "config.toml").write_text(config)
    result = CliRunner().invoke(
        main_group, ["--config", str(data / "config.toml"), "--data-dir", str(data),
                     "export", *args], catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{args}: {result.exception!r}") from result.exception
    assert "Traceback" not in result.stderr
    return result


def failed(result: Result, code: int) -> str:
    assert result.exit_code == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ordertui: ")
    return lines[0]


def test_export_to_a_file(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    result = run(data, "--output", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""  # no progress when stderr is not a terminal
    _, rows = read_csv(path)
    assert result.stdout == (f"wrote {len(rows) - 1:,} orders to {path} "
                             "(CSV for Excel (UTF-8 with BOM))\n")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_existing_file_needs_force(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "orders.xlsx"
    path.write_bytes(b"old")
    line = failed(run(data, "-o", str(path)), 2)
    assert line == f"ordertui: {path} already exists; add --force to replace it"
    assert path.read_bytes() == b"old"
    assert run(data, "-o", str(path), "--force").exit_code == 0
    assert read_xlsx_calamine(path)[0][0] == "Order"


@pytest.mark.parametrize("args", [("--since", "2026-13-01"), ("--until", "yesterday"),
                                  ("--since", "01.03.2021")])
def test_bad_date(data: Path, tmp_path: Path, args: tuple[str, str]) -> None:
    line = failed(run(data, "-o", str(tmp_path / "o.csv"), *args), 2)
    assert f"{args[0]} {args[1]!r} is not a date; write it as YYYY-MM-DD" in line
    assert not (tmp_path / "o.csv").exists()


def test_scope_options(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    hostile = hostile_orders()
    result = run(data, "-o", str(path), "--since", "2021-03-01", "--until", "2021-03-03",
                 "--columns", "order,customer,status")
    assert result.exit_code == 0, result.stderr
    _, rows = read_csv(path)
    assert rows[0] == ["Order", "Customer", "Status"]
    assert [r[0] for r in rows[1:]] == [o.name for o in hostile[:3]]  # --until is inclusive
    result = run(data, "-o", str(path), "--force", "--supplier", "demo", "--status",
                 "delivered", "--status", "shipped", "--columns", "supplier,status")
    _, rows = read_csv(path)
    assert {r[0] for r in rows[1:]} == {"demo"}
    assert {r[1] for r in rows[1:]} == {"Delivered", "Shipped"}


def test_ids_accept_every_kind_of_reference(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "o.xlsx"
    first = run(data, "-o", str(tmp_path / "all.csv"), "--columns", "id,order")
    _, rows = read_csv(tmp_path / "all.csv")
    local_id = rows[1][0]
    result = run(data, "-o", str(path), "--ids", f"#H001,H004,{local_id}", "--ids", "#H001")
    assert first.exit_code == result.exit_code == 0, result.stderr
    assert sorted(str(r[0]) for r in read_xlsx_calamine(path)[1:]) == sorted(
        ["#H001", "#H004", rows[1][1]])
    line = failed(run(data, "-o", str(tmp_path / "x.csv"), "--ids", "#nope"), 2)
    assert "no order '#nope'" in line


def test_line_items_and_columns(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    # --supplier names a configured supplier, as for `ordertui orders`
    line = failed(run(data, "-o", str(path), "--supplier", HOSTILE_SUPPLIER), 1)
    assert line.startswith("ordertui: no supplier named 'acme'; configured: demo")
    result = run(data, "--format", "csv", "-o", str(path), "--per", "line-item",
                 "--columns", "order, SKU ,Quantity", "--since", "2021-01-01",
                 "--until", "2021-12-31")
    assert result.exit_code == 0, result.stderr
    raw, rows = read_csv(path)
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert rows[0] == ["order", "sku", "quantity"]  # CSV for scripts: the columns' keys
    assert len(rows) - 1 == sum(max(len(o.items), 1) for o in hostile_orders())
    assert "rows)" in result.stdout


def test_unknown_column_lists_the_valid_ones(data: Path, tmp_path: Path) -> None:
    line = failed(run(data, "-o", str(tmp_path / "o.csv"), "--columns", "order,margin"), 2)
    assert "unknown column 'margin'; valid columns: " + ", ".join(c.key for c in COLUMNS) in line


def test_list_columns(data: Path) -> None:
    result = run(data, "--list-columns")
    assert result.exit_code == 0
    keys = [line.split()[0] for line in result.stdout.splitlines()]
    assert keys == [c.key for c in COLUMNS]


def test_xls_means_xlsx(data: Path, tmp_path: Path) -> None:
    result = run(data, "--format", "xls", "-o", str(tmp_path / "o.xls"))
    assert result.exit_code == 0
    assert f"ordertui: {XLS_NOTE}" in result.stderr.splitlines()
    assert (tmp_path / "o.xlsx").exists() and not (tmp_path / "o.xls").exists()


def test_needs_a_destination_and_a_format(data: Path, tmp_path: Path) -> None:
    assert "give --output PATH, --email ADDRESS, or both" in failed(run(data), 2)
    assert "choose a format" in failed(run(data, "-o", str(tmp_path / "orders")), 2)
    assert "no directory" in failed(run(data, "-o", str(tmp_path / "no" / "o.csv")), 2)


def test_email_needs_settings(data: Path, tmp_path: Path) -> None:
    line = failed(run(data, "-o", str(tmp_path / "o.csv"), "--email", "a@example.com"), 2)
    assert "no [email] table" in line
    assert not (tmp_path / "o.csv").exists()


def test_mail_failure_keeps_the_file(data: Path, tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = (f'[email]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
              'from = "shop@example.com"\n')
    path = tmp_path / "o.xlsx"
    line = failed(run(data, "-o", str(path), "--email", "a@example.com", config=config), 1)
    assert line.endswith(f"refused the connection; the file is kept at {path}")
    assert len(read_xlsx_calamine(path)) > 1


def test_month(data: Path, tmp_path: Path) -> None:
    assert parse_month("2021-03", date(2026, 1, 5)) == (date(2021, 3, 1), date(2021, 4, 1))
    assert parse_month("last", date(2026, 1, 5)) == (date(2025, 12, 1), date(2026, 1, 1))
    assert parse_month("this", date(2024, 2, 29)) == (date(2024, 2, 1), date(2024, 3, 1))
    path = tmp_path / "march.csv"
    assert run(data, "-o", str(path), "--month", "2021-03").exit_code == 0
    _, rows = read_csv(path)
    assert len(rows) - 1 == len(hostile_orders())
    assert "not a month" in failed(run(data, "-o", str(path), "--month", "March"), 2)
    assert "not both" in failed(run(data, "-o", str(path), "--month", "last", "--since",
                                    str(date.today() - timedelta(days=3))), 2)


def test_progress_goes_to_a_terminal_only(data: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from ordertui.cli import common

    monkeypatch.setattr(common, "stderr_is_tty", lambda: True)
    result = run(data, "-o", str(tmp_path / "o.csv"))
    assert result.exit_code == 0
    assert "exporting to o.csv: " in result.stderr and "(100%)" in result.stderr
    assert result.stdout.startswith("wrote ")
