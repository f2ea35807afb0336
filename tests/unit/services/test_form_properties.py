"""Property-based tests of the forms' validation in the services (tests/support/
properties.py): the dispute form, the return, refund and recovery forms and the export form
take any input and answer with a result or a typed error."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordertui.domain import rules
from ordertui.domain.errors import OrdertuiError
from ordertui.domain.models import Order
from ordertui.domain.money import Money
from ordertui.domain.query import OrderQuery
from ordertui.export.request import ExportRequest
from ordertui.export.service import infer_format, validate
from ordertui.services.core import Services
from ordertui.services.returns import ReturnsService, parse_items
from support.properties import AMOUNT, SETTINGS, TEXT, TRIED
from support.tui import make_services

#: generated configs register generated "secrets" for redaction (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("secrets_restored")


# --- form fields ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Services, list[Order]]]:
    base = tmp_path_factory.mktemp("forms")
    services = make_services(base, orders=30, extra={
        "returns": {"address": ["Shop", "Weg 1", "Berlin", "DE"], "window_days": 3650}})
    asyncio.run(services.sync())
    orders = services.store.load_orders([r.id for r in services.window(OrderQuery(),
                                                                       limit=30)])
    yield services, orders
    services.store.close()


PATHS = st.one_of(TEXT, st.sampled_from(["", ".", "..", "/", "/etc/shadow", "/proc/self/mem",
                                         "~", "~nosuchuser/x", "a\x00b", "x" * 5000,
                                         "/dev/null", "evidence.png", "missing.png"]))


@given(index=st.integers(0, 29), reason=st.sampled_from(["not_received", "damaged", ""]) | TEXT,
       amount=AMOUNT, description=TEXT, evidence=st.lists(PATHS, max_size=3))


@settings(SETTINGS, max_examples=300)
def test_dispute_form(forms: tuple[Services, list[Order]], index: int, reason: str,
                      amount: str, description: str, evidence: list[str]) -> None:
    TRIED["dispute form"] += 1
    services, orders = forms
    order = orders[index]
    try:
        money = Money.parse(amount, order.total_cost.currency)
        rules.check_dispute_amount(order, money)
    except OrdertuiError:
        pass
    with contextlib.suppress(OrdertuiError):
        services.check_evidence(evidence)
    with contextlib.suppress(OrdertuiError):
        services.validate_dispute(order, reason=reason, amount=amount,
                                  description=description, evidence=evidence)


@given(index=st.integers(0, 29), text=st.one_of(TEXT, st.sampled_from(
    ["LAMP-01:1", "#1:1", "#1:0", "#1:-2", "#9:1", ":", ",,", "#1:" + "9" * 5000, "a:b:c",
     "#1:1,#1:1,#1:99"])), amount=AMOUNT, reason=TEXT,
       quantities=st.lists(st.integers(-3, 10**6) | st.booleans(), max_size=3))


@settings(SETTINGS, max_examples=300)
def test_returns_and_refund_forms(forms: tuple[Services, list[Order]], index: int, text: str,
                                  amount: str, reason: str, quantities: list[Any]) -> None:
    TRIED["returns and refunds"] += 1
    services, orders = forms
    returns = ReturnsService(services)
    order = orders[index]
    assert order.id is not None
    with contextlib.suppress(OrdertuiError):
        parse_items(text)
    keys = [f"#{n + 1}" for n in range(len(order.items))] + ["#99", ""]
    with contextlib.suppress(OrdertuiError):
        returns.open_return(order.id, list(zip(keys, quantities, strict=False)), reason)
    with contextlib.suppress(OrdertuiError):
        returns.record_refund(order.id, amount, reason)
    with contextlib.suppress(OrdertuiError):
        returns.record_recovery(order.id, amount, reason)


@given(fmt=st.sampled_from(["csv", "csv-excel", "xlsx", "xls", "XLSX", "", "pdf"]) | TEXT,
       path=st.none() | PATHS | st.sampled_from(["out.csv", "out.xlsx", "out.xls", "dir/",
                                                 "out.XLSX", "nodir/out.csv"]),
       email=st.none() | TEXT | st.sampled_from(["a@b.c", "a@b.c, x", "a@b.c;d@e.f"]),
       per=st.sampled_from(["order", "line-item"]) | TEXT,
       columns=st.none() | st.lists(st.sampled_from(["order", "customer", "profit"]) | TEXT,
                                    max_size=3).map(tuple),
       since=st.none() | st.datetimes(timezones=st.just(UTC)),
       until=st.none() | st.datetimes(timezones=st.just(UTC)))


@settings(SETTINGS, max_examples=300)
def test_export_form_validation(forms: tuple[Services, list[Order]], tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch, fmt: str, path: str | None,
                                email: str | None, per: str, columns: tuple[str, ...] | None,
                                since: datetime | None, until: datetime | None) -> None:
    TRIED["export form"] += 1
    services, _ = forms
    monkeypatch.chdir(tmp_path)
    with contextlib.suppress(OrdertuiError):
        infer_format(path)
    request = ExportRequest(query=OrderQuery(since=since, until=until), fmt=fmt,
                            path=Path(path) if path is not None else None, email=email,
                            per=per, columns=columns)
    with contextlib.suppress(OrdertuiError):
        validate(request, services.config)
