"""Hand-made shop orders for the shop tests: a ``ShopOrder`` with sensible defaults (paid,
unfulfilled, one customer in London), every keyword overriding a field, and its lines given
as (sku, title, quantity, unit price)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from ordertui.domain.models import Address, Customer
from ordertui.domain.money import Money
from ordertui.domain.shop import FinancialStatus, FulfillmentStatus, ShopLine, ShopOrder

BASE = datetime(2026, 11, 2, 9, tzinfo=UTC)
ADA = Customer(name="Ada Lovelace", email="ada@example.com",
               address=Address("1 Main St", "", "London", "", "N1 7AA", "GB"))


def money(value: str, currency: str = "USD") -> Money:
    return Money(Decimal(value), currency)


def shop_order(n: int, *, shop: str = "main",
               lines: tuple[tuple[str, str, int, str], ...] = (("SKU-1", "Desk lamp", 1,
                                                                "25.00"),),
               shipping: str = "5.00", taxes: str = "0", currency: str = "USD",
               financial: FinancialStatus = FinancialStatus.PAID,
               fulfillment: FulfillmentStatus = FulfillmentStatus.UNFULFILLED,
               created_at: datetime | None = None, customer: Customer = ADA,
               name: str | None = None, **fields: Any) -> ShopOrder:
    created = created_at or BASE + timedelta(hours=n)
    shop_lines = [ShopLine(line_id=f"gid://shopify/LineItem/{n}{i}", title=title,
                           quantity=qty, unit_price=money(price, currency),
                           total=money(price, currency) * qty, sku=sku)
                  for i, (sku, title, qty, price) in enumerate(lines)]
    goods = sum((x.total.amount for x in shop_lines), Decimal(0))
    values: dict[str, Any] = dict(
        shop=shop, shop_order_id=f"gid://shopify/Order/{n}", name=name or f"#{n}",
        created_at=created, updated_at=created, currency=currency,
        financial_status=financial, fulfillment_status=fulfillment, lines=shop_lines,
        shipping=money(shipping, currency), taxes=money(taxes, currency),
        total=Money(goods + Decimal(shipping) + Decimal(taxes), currency),
        refunded=money("0", currency), customer=customer)
    values.update(fields)
    return ShopOrder(**values)
