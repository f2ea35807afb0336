"""The export service: validation, scope, no-overwrite, progress, cancel, a full disk and a
killed process."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ordertui.domain.errors import ValidationError
from ordertui.domain.query import OrderQuery
from ordertui.domain.states import OrderStatus
from ordertui.export import writers
from ordertui.export.errors import ExportCancelled, ExportFileExists, ExportWriteError
from ordertui.export.request import ExportRequest
from ordertui.export.service import (
    XLS_NOTE,
    describe_scope,
    format_note,
    infer_format,
    validate,
)
from support.export import (
    HOSTILE_SUPPLIER,
    hostile_orders,
    make_config,
    read_csv,
    read_xlsx_calamine,
)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """A directory of the test's own (tmp_path also holds the suite's fake home)."""
    path = tmp_path / "out"
    path.mkdir()
    return path


def request(path: Path | None, fmt: str = "csv", **kw: Any) -> ExportRequest:
    query = kw.pop("query", OrderQuery(descending=False))
    return ExportRequest(query=query, fmt=fmt, path=path, **kw)


def orders_in(path: Path) -> list[str]:
    rows = read_xlsx_calamine(path) if path.suffix == ".xlsx" else read_csv(path)[1]
    return [str(r[0]) for r in rows[1:]]


# --- format and validation -----------------------------------------------------------


@pytest.mark.parametrize(("name", "fmt"), [
    ("orders.csv", "csv-excel"), ("ORDERS.CSV", "csv-excel"), ("a/b/orders.xlsx", "xlsx"),
    ("orders.xls", "xlsx"), ("orders.txt", None), ("orders", None), ("", None)])
def test_infer_format(name: str, fmt: str | None) -> None:
    assert infer_format(name) == fmt


def test_xls_is_written_as_xlsx_with_a_note(services: Any, out: Path) -> None:
    assert format_note("old.xls") == XLS_NOTE
    assert format_note(fmt="xls") == XLS_NOTE
    assert format_note("new.xlsx", "xlsx") is None
    result = services.export(request(out / "old.xls", ""))
    assert result.path == out / "old.xlsx"
    assert XLS_NOTE in result.warnings
    assert not (out / "old.xls").exists()
    assert read_xlsx_calamine(result.path)[0][0] == "Order"


@pytest.mark.parametrize(("kw", "field", "words"), [
    ({"path": None}, "path", "give a file"),
    ({"fmt": "pdf"}, "fmt", "unknown format 'pdf'"),
    ({"fmt": "", "name": "orders.txt"}, "fmt", "choose a format"),
    ({"per": "customer"}, "per", "one row per"),
    ({"columns": ("order", "nope", "zzz")}, "columns", "'nope', 'zzz'; valid columns: order"),
    ({"columns": ()}, "columns", "at least one column"),
    ({"email": "not an address"}, "email", "is not an e-mail address"),
    ({"email": "a@example.com\r\nBcc: x@evil.example"}, "email", "not an e-mail address"),
    ({"email": "anna@example.com"}, "email", "no [email] table"),
    ({"fmt": "xlsx", "name": "orders.csv"}, "path", "ends in .csv but the format is xlsx"),
    ({"fmt": "csv", "name": "orders.xlsx"}, "path", "ends in .xlsx but the format is csv"),
    ({"name": "missing/orders.csv"}, "path", "there is no directory"),
    ({"name": "."}, "path", "is a directory"),
    ({"query": OrderQuery(since=datetime(2026, 2, 1, tzinfo=UTC),
                          until=datetime(2026, 1, 1, tzinfo=UTC))}, "until", "not after"),
])
def test_validate_names_the_field(tmp_path: Path, kw: dict[str, Any], field: str,
                                  words: str) -> None:
    config = make_config(tmp_path)
    name = kw.pop("name", "orders.csv")
    path = kw.pop("path", tmp_path / name)
    fmt = kw.pop("fmt", "csv")
    with pytest.raises(ValidationError) as caught:
        validate(request(path, fmt, **kw), config)
    assert caught.value.field == field
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


def test_validate_completes_the_request(tmp_path: Path) -> None:
    config = make_config(tmp_path, {"host": "127.0.0.1", "port": 2525, "security": "none",
                                    "from": "shop@example.com"})
    done = validate(request(None, "xlsx", email=" a@example.com; b@example.com ",
                            columns=("Total-Price", "profit", "profit")), config)
    assert done.path is not None and done.path.parent == tmp_path / "exports"
    assert done.path.suffix == ".xlsx"
    assert done.email == "a@example.com, b@example.com"
    assert done.columns == ("total_price", "profit")
    home = validate(request(Path("~/x.csv"), ""), config)
    assert home.path == Path.home() / "x.csv" and home.fmt == "csv-excel"


def test_until_midnight_reads_as_an_inclusive_day() -> None:
    until = datetime(2026, 12, 1).astimezone()
    since = datetime(2026, 11, 1).astimezone()
    text = describe_scope(OrderQuery(statuses=(OrderStatus.SHIPPED,), since=since, until=until))
    assert text == "status shipped, since 2026-11-01, through 2026-11-30"


# --- scope ---------------------------------------------------------------------------


def test_scope_by_status(services: Any, out: Path) -> None:
    query = OrderQuery(statuses=(OrderStatus.DELIVERED,), descending=False)
    path = out / "delivered.csv"
    result = services.export(request(path, query=query, columns=("order", "status")))
    _, rows = read_csv(path)
    assert result.orders == services.count(query) == len(rows) - 1 > 0
    assert {r[1] for r in rows[1:]} == {"Delivered"}


def test_scope_by_supplier_dates_and_search(services: Any, out: Path) -> None:
    hostile = hostile_orders()
    march = OrderQuery(since=datetime(2021, 3, 1).astimezone(),
                       until=datetime(2021, 4, 1).astimezone(), descending=False)
    path = out / "march.csv"
    services.export(request(path, query=march))
    assert orders_in(path) == [o.name for o in hostile]  # oldest first, nothing else
    first_days = march.with_(until=datetime(2021, 3, 4).astimezone())
    services.export(request(path, query=first_days, force=True))
    assert orders_in(path) == [o.name for o in hostile[:3]]
    supplier = OrderQuery(supplier=HOSTILE_SUPPLIER, descending=False)
    services.export(request(path, query=supplier, force=True))
    assert sorted(orders_in(path)) == sorted(o.name for o in hostile)
    search = OrderQuery(search="Müller")
    services.export(request(path, query=search, force=True))
    assert "#H010" in orders_in(path)  # "Jürgen Müller" is the 11th hostile name


def test_scope_by_ids(services: Any, out: Path) -> None:
    ids = tuple(services.resolve(ref) for ref in ("#H002", "H005", "#HEMPTY"))
    path = out / "chosen.xlsx"
    result = services.export(request(path, "xlsx", query=OrderQuery(ids=ids,
                                                                         descending=False)))
    assert result.orders == 3
    assert orders_in(path) == ["#H002", "#H005", "#HEMPTY"]


# --- the destination ---------------------------------------------------------------


def test_no_overwrite_without_force(services: Any, out: Path) -> None:
    path = out / "orders.csv"
    path.write_text("precious\n")
    with pytest.raises(ExportFileExists) as caught:
        services.export(request(path))
    assert caught.value.field == "path" and "--force" in str(caught.value)
    assert path.read_text() == "precious\n"
    services.export(request(path, force=True))
    assert orders_in(path)[0] != "precious"
    assert sorted(os.listdir(out)) == ["orders.csv"]


def test_a_file_that_appears_meanwhile_is_not_replaced(services: Any, out: Path) -> None:
    path = out / "orders.csv"

    def progress(done: int, total: int) -> None:
        if done and not path.exists():
            path.write_text("written by someone else\n")
    with pytest.raises(ExportFileExists):
        services.export(request(path), progress, batch_size=50)
    assert path.read_text() == "written by someone else\n"
    assert sorted(os.listdir(out)) == ["orders.csv"]


def test_progress_reports_orders(services: Any, out: Path) -> None:
    calls: list[tuple[int, int]] = []
    result = services.export(request(out / "p.csv"),
                        lambda d, t: calls.append((d, t)), batch_size=40)
    total = services.count(OrderQuery())
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert len(calls) == 1 + -(-total // 40)
    assert result.orders == total


@pytest.mark.parametrize("fmt", ["csv-excel", "xlsx"])
def test_cancel_leaves_nothing(services: Any, out: Path, fmt: str) -> None:
    from openpyxl.worksheet import _writer as sheet_writer

    path = out / ("orders.xlsx" if fmt == "xlsx" else "orders.csv")
    cancel = threading.Event()
    seen: list[list[str]] = []

    def progress(done: int, total: int) -> None:
        if done:
            seen.append(os.listdir(out))
            cancel.set()
    temp_files = list(sheet_writer.ALL_TEMP_FILES)
    with pytest.raises(ExportCancelled) as caught:
        services.export(request(path, fmt), progress, cancel, batch_size=30)
    assert "cancelled" in str(caught.value) and caught.value.exit_code == 130
    assert seen and seen[0]  # the temporary file(s) existed midway
    assert os.listdir(out) == []
    assert temp_files == sheet_writer.ALL_TEMP_FILES


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_full_disk_leaves_nothing(services: Any, out: Path, fmt: str,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = out / ("orders.xlsx" if fmt == "xlsx" else "orders.csv")
    path.write_bytes(b"previous")
    cls = writers.XlsxWriter if fmt == "xlsx" else writers.CsvWriter
    real = cls.write_orders
    calls = []

    def write_orders(self: Any, orders: Any, per: str, moved: Any) -> int:
        calls.append(1)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, orders, per, moved)
    monkeypatch.setattr(cls, "write_orders", write_orders)
    with pytest.raises(ExportWriteError) as caught:
        services.export(request(path, fmt, force=True), batch_size=20)
    assert str(caught.value) == (f"cannot write {path}: the disk is full; nothing was "
                                 "written under that name")
    assert os.listdir(out) == [path.name]
    assert path.read_bytes() == b"previous"


_KILLED_EXPORT = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from ordertui.config import parse
    from ordertui.domain.query import OrderQuery
    from ordertui.export.request import ExportRequest
    from ordertui.export.service import run_export
    from ordertui.services import Services

    data, dest, fmt = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    services = Services(parse({}, data / "config.toml", data))

    def progress(done, total):
        if done:
            print("midway", flush=True)  # the temporary file exists now
            time.sleep(600)
    services.export(ExportRequest(OrderQuery(), fmt, dest, force=True), progress,
               batch_size=25)
""")


@pytest.mark.parametrize("fmt", ["csv-excel", "xlsx"])
@pytest.mark.parametrize("previous", [False, True])
def test_killed_export_leaves_no_partial_file(data_dir: Path, out: Path, fmt: str,
                                              previous: bool, services: Any) -> None:
    dest = out / ("orders.xlsx" if fmt == "xlsx" else "orders.csv")
    if previous:
        services.export(request(dest, fmt, query=OrderQuery(supplier=HOSTILE_SUPPLIER)))
    before = dest.read_bytes() if previous else None
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_EXPORT, str(data_dir), str(dest),
                             fmt], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    try:
        assert proc.stdout.readline().strip() == "midway"
        leftovers = [n for n in os.listdir(out) if n != dest.name]
        assert leftovers  # the export was underway in a temporary file
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    if previous:
        assert dest.read_bytes() == before  # the previous complete file, untouched
        assert len(orders_in(dest)) == len(hostile_orders())
    else:
        assert not dest.exists()
    # the next export to that name clears what the killed one left
    services.export(request(dest, fmt, force=True))
    assert os.listdir(out) == [dest.name]
    assert len(orders_in(dest)) == services.count(OrderQuery())


def test_collector_threshold_is_restored(services: Any, out: Path) -> None:
    import gc

    before = gc.get_threshold()
    seen: list[int] = []
    services.export(request(out / "a.csv"),
               lambda d, t: seen.append(gc.get_threshold()[0]), batch_size=50)
    assert max(seen) > before[0] and gc.get_threshold() == before  # raised while it ran
    # two exports at once share one raise: the first to end leaves it raised for the other,
    # and the last one puts back what was there before either began
    a_inside, a_ended, b_inside = threading.Event(), threading.Event(), threading.Event()
    while_b_alone: list[int] = []

    def a_progress(done: int, total: int) -> None:
        if done and not a_inside.is_set():
            a_inside.set()
            b_inside.wait(30)

    def b_progress(done: int, total: int) -> None:
        if done and not b_inside.is_set():
            b_inside.set()
            a_ended.wait(30)
            while_b_alone.append(gc.get_threshold()[0])

    def export_a() -> None:
        try:
            services.export(request(out / "c.csv"), a_progress, batch_size=50)
        finally:
            a_ended.set()

    first = threading.Thread(target=export_a)
    first.start()
    assert a_inside.wait(30)
    services.export(request(out / "d.csv"), b_progress, batch_size=50)
    first.join()
    assert (out / "c.csv").exists() and (out / "d.csv").exists()
    assert while_b_alone == [max(seen)]
    assert gc.get_threshold() == before
    with pytest.raises(ExportCancelled):
        cancel = threading.Event()
        cancel.set()
        services.export(request(out / "b.csv"), None, cancel)
    assert gc.get_threshold() == before
