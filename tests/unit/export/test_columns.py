"""The column registry: every column has a kind its values keep in both layouts, keys are
forgiving about case and dashes, and a wrong key lists the valid ones."""

from __future__ import annotations

from typing import Any

import pytest

from ordertui.domain.errors import ValidationError
from ordertui.domain.query import OrderQuery
from ordertui.export.columns import (
    BY_KEY,
    COLUMNS,
    DEFAULT_COLUMNS,
    DEFAULT_LINE_ITEM_COLUMNS,
    KIND_TYPES,
    KINDS,
    default_columns,
    parse_keys,
    resolve_columns,
    row_builder,
)
from support.export import build_store, hostile_orders, services_for

#: What the issue asks the registry to offer, by key.
REQUIRED = ("order", "id", "supplier", "supplier_order_id", "date", "created", "paid",
            "shipped", "delivered", "status", "cancellation", "dispute", "dispute_amount",
            "dispute_refund", "refunds", "recovered", "net", "refund_owed",
            "customer_paid", "supplier_charged", "customer", "email", "phone", "address1",
            "address2", "city",
            "province", "zip", "country", "items", "sku", "quantity", "unit_cost",
            "unit_price", "total_cost", "total_price", "profit", "currency", "carrier",
            "tracking_number", "last_event")


@pytest.fixture(scope="module")
def orders(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    services = services_for(build_store(tmp_path_factory.mktemp("store")))
    found = []
    for ids in services.store.iter_ids(OrderQuery(), 500):
        found.extend(services.store.load_orders(ids))
    services.store.close()
    return found


def test_registry_shape() -> None:
    assert set(REQUIRED) <= set(BY_KEY)
    assert [c.key for c in COLUMNS] == list(BY_KEY)
    assert len({c.label for c in COLUMNS}) == len(COLUMNS)
    for c in COLUMNS:
        assert c.kind in KINDS and c.label and c.help
    assert default_columns("order") == DEFAULT_COLUMNS
    assert default_columns("line-item") == DEFAULT_LINE_ITEM_COLUMNS
    for keys in (DEFAULT_COLUMNS, DEFAULT_LINE_ITEM_COLUMNS):
        assert [c.key for c in resolve_columns(keys)] == list(keys)


@pytest.mark.parametrize("per", ["order", "line-item"])
def test_values_keep_their_kind(orders: list[Any], per: str) -> None:
    assert len(orders) > 100
    build = row_builder(COLUMNS, per)
    for order in orders:
        rows = build([order], {})
        assert len(rows) == (1 if per == "order" else max(len(order.items), 1))
        for row in rows:
            for column, value in zip(COLUMNS, row, strict=True):
                if value is not None:
                    assert isinstance(value, KIND_TYPES[column.kind]), column.key
                    if column.kind == "datetime":
                        assert value.tzinfo is None  # local wall time for spreadsheets


def test_order_and_line_item_values() -> None:
    order = hostile_orders()[0]  # two lines: 2 × 5.00 and 1 × 4.00 EUR
    columns = resolve_columns(("items", "quantity", "unit_price", "line_price", "total_price",
                               "profit", "sku"))
    [row] = row_builder(columns, "order")([order], {})
    assert row[1] == 3 and row[2] is None  # no single unit price for two lines
    assert str(row[3].amount) == "14.00" and row[4] == order.total_price
    assert row[5].amount < 0 and row[6] == "SKU-0; LAMP"
    first, second = row_builder(columns, "line-item")([order], {})
    assert first[0].startswith("2× ") and second[0] == "1× Desk lamp 台灯"
    assert (first[1], second[1]) == (2, 1)
    assert first[4] == order.total_price and second[4] is None  # once per order
    assert second[5] is None


def test_keys_are_forgiving() -> None:
    assert parse_keys(" Total-Price, profit ,,SKU") == ("total_price", "profit", "sku")
    keys = [c.key for c in resolve_columns(("Order", "total price", "order"))]
    assert keys == ["order", "total_price"]


def test_unknown_and_empty_keys() -> None:
    with pytest.raises(ValidationError) as caught:
        resolve_columns(("order", "margin"))
    assert caught.value.field == "columns"
    assert str(caught.value).startswith("unknown column 'margin'; valid columns: order, id,")
    with pytest.raises(ValidationError, match="at least one column"):
        resolve_columns(("", " "))


def test_every_help_line_fits_a_terminal() -> None:
    for column in COLUMNS:
        assert "\n" not in column.help and len(column.help) < 110, column.key
