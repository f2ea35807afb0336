"""Shopify's Admin GraphQL API schema for version 2026-10, which the simulator validates
every query against and executes with graphql-core, and validation errors in the words
Shopify's GraphQL server uses (``Field 'x' doesn't exist on type 'Order'``, with a path).

``admin-2026-10.json.gz`` beside this module is Shopify's published introspection of the
Admin API, version 2026-10, as shipped in the ``@shopify/dev-mcp`` npm package (ISC
licence): ``{"data": {"__schema": …}}``. graphql-core's own check of a schema refuses a few
of Shopify's deprecation flags, so that check is skipped; queries validate normally.
"""

from __future__ import annotations

import gzip
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    build_client_schema,
    validate,
)

SCHEMA_FILE = Path(__file__).with_name("admin-2026-10.json.gz")


@cache
def admin_schema() -> GraphQLSchema:
    with gzip.open(SCHEMA_FILE, "rt", encoding="utf-8") as f:
        introspection = json.load(f)["data"]
    schema = build_client_schema(introspection)
    schema._validation_errors = []  # Shopify's deprecations of required arguments
    return schema


#: graphql-core's messages, and how Shopify's server words the same mistake
_SHOPIFY_WORDS: list[tuple[re.Pattern[str], str, str, tuple[str, ...]]] = [
    (re.compile(r"Cannot query field '(\w+)' on type '(\w+)'\..*"),
     "Field '{0}' doesn't exist on type '{1}'", "undefinedField", ("fieldName", "typeName")),
    (re.compile(r"Unknown argument '(\w+)' on field '(\w+)\.(\w+)'\..*"),
     "Field '{2}' doesn't accept argument '{0}'", "argumentNotAccepted",
     ("argumentName", "typeName", "name")),
    (re.compile(r"Field '(\w+)' argument '(\w+)' of type '.+' is required, but it was not "
                r"provided\."),
     "Field '{0}' is missing required arguments: {1}", "missingRequiredArguments",
     ("name", "arguments")),
    (re.compile(r"Field '(\w+)' of type '(.+)' must have a selection of subfields\..*"),
     "Field must have selections (field '{0}' returns {1} but has no selections. Did you "
     "mean '{0} {{ ... }}'?)", "selectionMismatch", ("nodeName", "typeName")),
    (re.compile(r"Field '(\w+)' must not have a selection since type '(.+)' has no "
                r"subfields\."),
     "Selections can't be made on scalars (field '{0}' returns {1} but has selections "
     "[...])", "selectionMismatch", ("nodeName", "typeName")),
]


def check(schema: GraphQLSchema, document: DocumentNode) -> list[dict[str, Any]]:
    """The document's validation errors as Shopify answers them; empty when it is valid."""
    errors = validate(schema, document)
    if not errors:
        return []
    paths = _paths(document)
    return [_shopify_error(e, paths) for e in errors]


def syntax_error(error: GraphQLError) -> dict[str, Any]:
    out: dict[str, Any] = {"message": error.message.replace("Syntax Error: ", "Parse error: ")}
    if error.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    out["extensions"] = {"code": "PARSE_ERROR"}
    return out


def _shopify_error(error: GraphQLError, paths: dict[int, list[str]]) -> dict[str, Any]:
    message, extensions = error.message, {"code": "VALIDATION_ERROR"}
    for pattern, words, code, names in _SHOPIFY_WORDS:
        m = pattern.fullmatch(error.message)
        if m:
            message = words.format(*m.groups())
            extensions = {"code": code, **dict(zip(names, m.groups(), strict=False))}
            break
    out: dict[str, Any] = {"message": message}
    if error.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    node = error.nodes[0] if error.nodes else None
    if node is not None and id(node) in paths:
        out["path"] = paths[id(node)]
    out["extensions"] = extensions
    return out


def _paths(document: DocumentNode) -> dict[int, list[str]]:
    """The path of every node of the document, as Shopify names them in errors:
    ``["query Name", "orders", "nodes", "foo"]``."""
    found: dict[int, list[str]] = {}

    def walk(node: Node, path: list[str]) -> None:
        found[id(node)] = path
        selections: SelectionSetNode | None = getattr(node, "selection_set", None)
        for arg in getattr(node, "arguments", None) or ():
            found[id(arg)] = path
        for child in selections.selections if selections else ():
            if isinstance(child, FieldNode):
                walk(child, [*path, (child.alias or child.name).value])
            elif isinstance(child, InlineFragmentNode):
                cond = child.type_condition.name.value if child.type_condition else ""
                walk(child, [*path, f"... on {cond}" if cond else "..."])
            else:
                found[id(child)] = path

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            op = definition.operation.value
            walk(definition, [f"{op} {definition.name.value}" if definition.name else op])
        elif isinstance(definition, FragmentDefinitionNode):
            walk(definition, [f"fragment {definition.name.value}"])
    return found
