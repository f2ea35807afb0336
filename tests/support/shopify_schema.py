"""Shopify's Admin API schema (version 2026-10, vendored in ``tests/fixtures``) and the cost
Shopify would ask for a document, computed the way Shopify documents it: an object costs 1,
a scalar or an enum nothing, a connection 2 plus ``first`` times one of its nodes, a list of
objects ``first`` times one object, and a mutation 10."""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    build_client_schema,
    get_named_type,
    is_leaf_type,
    parse,
)

SCHEMA_FILE = Path(__file__).parent.parent / "fixtures" / "shopify-admin-2026-10.json.gz"
MUTATION_COST = 10


@cache
def schema() -> GraphQLSchema:
    with gzip.open(SCHEMA_FILE, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    built = build_client_schema(data["data"])
    # graphql-core's own check of the schema refuses a few of Shopify's deprecation flags;
    # the documents are still validated against every type and field
    built._validation_errors = []  # type: ignore[attr-defined]
    return built


def _is_list(t: Any) -> bool:
    while isinstance(t, GraphQLNonNull):
        t = t.of_type
    return isinstance(t, GraphQLList)


def query_cost(document: str, variables: dict[str, Any] | None = None) -> int:
    """What Shopify would ask for ``document`` (``requestedQueryCost``)."""
    ast = parse(document)
    variables = variables or {}
    fragments = {d.name.value: d for d in ast.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    s = schema()
    total = 0
    for d in ast.definitions:
        if not isinstance(d, OperationDefinitionNode):
            continue
        if d.operation is OperationType.MUTATION:
            total += MUTATION_COST
            continue
        root = s.query_type
        assert root is not None
        total += _selection(d.selection_set, root, fragments, variables)
    return total


def _first(node: FieldNode, variables: dict[str, Any]) -> int | None:
    for arg in node.arguments or ():
        if arg.name.value in ("first", "last"):
            if isinstance(arg.value, IntValueNode):
                return int(arg.value.value)
            if isinstance(arg.value, VariableNode):
                return int(variables.get(arg.value.name.value, 1))
    return None


def _selection(sel: SelectionSetNode | None, parent: GraphQLNamedType,
               fragments: dict[str, FragmentDefinitionNode], variables: dict[str, Any]) -> int:
    if sel is None:
        return 0
    cost = 0
    for node in sel.selections:
        if isinstance(node, FragmentSpreadNode):
            frag = fragments[node.name.value]
            cost += _selection(frag.selection_set, parent, fragments, variables)
            continue
        if isinstance(node, InlineFragmentNode):
            cost += _selection(node.selection_set, parent, fragments, variables)
            continue
        assert isinstance(node, FieldNode)
        if node.name.value.startswith("__"):
            continue
        assert isinstance(parent, GraphQLObjectType), parent
        field = parent.fields[node.name.value]
        named = get_named_type(field.type)
        if is_leaf_type(named):
            continue
        inner = _selection(node.selection_set, named, fragments, variables)
        if named.name.endswith("Connection"):
            # pageInfo is part of the connection's own 2; nodes and edges are per node
            cost += 2 + (_first(node, variables) or 1) * max(inner - _page_info(node), 0)
        elif _is_list(field.type):
            cost += (_first(node, variables) or 1) * (1 + inner)
        else:
            cost += 1 + inner
    return cost


def _page_info(node: FieldNode) -> int:
    sel = node.selection_set
    if sel is None:
        return 0
    return sum(1 for s in sel.selections
               if isinstance(s, FieldNode) and s.name.value == "pageInfo")
