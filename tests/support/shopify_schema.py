"""Shopify's Admin API schema (2026-10) and its price of a query, for the adapter's tests:
the simulator's own (``ordertui.simulators.shopify``), which reads the schema Shopify
publishes and prices queries by Shopify's published rule."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLSchema, OperationDefinitionNode, parse

from ordertui.simulators.shopify.cost import QueryCost
from ordertui.simulators.shopify.schema import admin_schema


def schema() -> GraphQLSchema:
    return admin_schema()


def query_cost(document: str, variables: dict[str, Any] | None = None) -> int:
    """What Shopify would ask for ``document``'s first operation before running it."""
    parsed = parse(document)
    operation = next(d for d in parsed.definitions if isinstance(d, OperationDefinitionNode))
    return QueryCost(admin_schema(), parsed, operation, variables).requested()
