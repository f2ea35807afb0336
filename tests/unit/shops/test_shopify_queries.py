"""Every GraphQL document the Shopify adapter sends, held against Shopify's own schema: each
validates (no unknown field, argument or type), and each costs less than the 1,000 points
Shopify allows a single query, at most what the client paces its first request by."""

from __future__ import annotations

import re

import pytest
from graphql import parse, validate

from ordertui.shops.shopify import queries
from support.shopify_schema import query_cost, schema

NAMES = sorted(queries.DOCUMENTS)


@pytest.mark.parametrize("name", NAMES)
def test_document_is_valid_against_the_schema(name: str) -> None:
    errors = validate(schema(), parse(queries.DOCUMENTS[name]))
    assert [e.message for e in errors] == []


def test_a_wrong_field_is_caught() -> None:
    """The check above can fail: a field Shopify does not have is reported."""
    bad = queries.ORDER.replace("displayFinancialStatus", "financialStatusWrong")
    errors = validate(schema(), parse(bad))
    assert any("financialStatusWrong" in e.message for e in errors)
    wrong_arg = queries.ORDERS_PAGE.replace("sortKey: UPDATED_AT", "sortKey: WHENEVER")
    assert validate(schema(), parse(wrong_arg))


def test_every_sent_document_is_listed() -> None:
    documents = {name for name in dir(queries) if name.isupper()
                 and isinstance(getattr(queries, name), str)
                 and re.search(r"^\s*(query|mutation|\{)", getattr(queries, name))}
    assert documents <= set(queries.DOCUMENTS)


@pytest.mark.parametrize("name", [n for n in NAMES if n != "BULK_ORDERS"])
def test_cost_stays_under_shopifys_limit(name: str) -> None:
    document = queries.DOCUMENTS[name]
    cost = query_cost(document, {"first": queries.ORDERS_PER_PAGE})
    assert cost < 1000
    operation = re.search(r"(?:query|mutation)\s+(\w+)", document)
    assert operation is not None
    assert queries.COSTS[operation.group(1)] >= cost


def test_the_cost_model_counts_connections() -> None:
    """A connection costs 2 plus ``first`` nodes; a bigger page costs more."""
    small = query_cost(queries.ORDERS_PAGE, {"first": 1})
    big = query_cost(queries.ORDERS_PAGE, {"first": 10})
    assert big - small == 9 * (small - 2)
    assert query_cost("{ shop { name } }") == 1


def test_bulk_query_has_no_paging_on_its_connections() -> None:
    """Shopify refuses ``first`` on the connections of a bulk query (lists keep theirs)."""
    assert "orders(sortKey" in queries.BULK_ORDERS
    assert "lineItems {" in queries.BULK_ORDERS
    assert queries.BULK_ORDERS.count("edges") == 2
