"""What a query costs, as Shopify counts it, and the leaky bucket the cost is taken from.

Shopify prices a query before running it (``requestedQueryCost``) and again from what it
answered (``actualQueryCost``), and refunds the difference. The rules, from its rate-limit
page: an object costs 1, a scalar or an enum 0, a connection 2 plus ``first`` (or ``last``)
times the cost of one node, a list of objects its size (``first``) times one item, an
interface or a union the most expensive of its possible selections, and a mutation 10.
The actual cost counts the nodes that came back instead of the page asked for, so a short
last page costs less than it was priced at.

The bucket holds ``maximum`` points and gains ``restore_rate`` points a second; a query is
refused (``THROTTLED``) when the bucket holds less than its requested cost, and nothing is
taken then.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
    is_list_type,
)
from graphql.type import GraphQLNamedType

MUTATION_COST = 10
#: an unknown value (not answered yet): the static price is computed
STATIC = object()


class QueryCost:
    """The cost of one operation of ``document``: ``requested()`` before it runs,
    ``actual(data)`` from its answer."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode,
                 operation: OperationDefinitionNode, variables: dict[str, Any] | None) -> None:
        self.schema = schema
        self.operation = operation
        self.variables = variables or {}
        self.fragments = {d.name.value: d for d in document.definitions
                          if isinstance(d, FragmentDefinitionNode)}

    def requested(self) -> int:
        return self._root(STATIC)

    def actual(self, data: Any) -> int:
        return self._root(data if data is not None else {})

    # --- the walk ---------------------------------------------------------------------------
    def _root(self, data: Any) -> int:
        op = self.operation.operation
        root = (self.schema.mutation_type if op is OperationType.MUTATION
                else self.schema.query_type)
        if root is None:
            return 0
        if op is OperationType.MUTATION:
            # a mutation costs 10 for each root field, whatever it selects
            fields = list(self._fields(self.operation.selection_set, root))
            if data is STATIC:
                return MUTATION_COST * len(fields)
            return MUTATION_COST * sum(1 for f in fields
                                       if isinstance(data, dict) and data.get(_key(f)) is not None)
        return self._selection(self.operation.selection_set, root, data)

    def _fields(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType
                ) -> Iterable[FieldNode]:
        """The fields selected on ``parent`` itself, fragments on it flattened."""
        for sel in selection_set.selections if selection_set else ():
            if isinstance(sel, FieldNode):
                yield sel
            else:
                condition, inner = self._fragment(sel)
                if condition is None or condition == parent.name:
                    yield from self._fields(inner, parent)

    def _fragment(self, sel: Any) -> tuple[str | None, SelectionSetNode | None]:
        if isinstance(sel, InlineFragmentNode):
            cond = sel.type_condition.name.value if sel.type_condition else None
            return cond, sel.selection_set
        if isinstance(sel, FragmentSpreadNode):
            frag = self.fragments.get(sel.name.value)
            if frag is None:
                return None, None
            return frag.type_condition.name.value, frag.selection_set
        return None, None

    def _selection(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType,
                   data: Any) -> int:
        """The cost of the fields selected on an object of type ``parent``: those on the
        type itself, plus the dearest of the fragments on the types it may turn out to be
        (statically), or the fragments that answered (actually)."""
        total = 0
        by_type: dict[str, list[FieldNode]] = {}
        for sel in selection_set.selections if selection_set else ():
            if isinstance(sel, FieldNode):
                total += self._field(sel, parent, data)
                continue
            condition, inner = self._fragment(sel)
            if condition is None or condition == parent.name:
                total += self._selection(inner, parent, data)
            else:
                by_type.setdefault(condition, []).extend(self._fields(inner, self._type(
                    condition) or parent))
        extra = []
        for name, fields in by_type.items():
            t = self._type(name)
            if t is None:
                continue
            if data is not STATIC and not (isinstance(data, dict)
                                           and any(_key(f) in data for f in fields)):
                continue
            extra.append(sum(self._field(f, t, data) for f in fields))
        return total + (max(extra) if extra else 0)

    def _type(self, name: str) -> GraphQLNamedType | None:
        return self.schema.get_type(name)

    def _field(self, node: FieldNode, parent: GraphQLNamedType, data: Any) -> int:
        name = node.name.value
        if name.startswith("__"):
            return 0
        fields = getattr(parent, "fields", {})
        definition = fields.get(name)
        if definition is None:
            return 0
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return 0
        value = STATIC if data is STATIC else (data.get(_key(node))
                                               if isinstance(data, dict) else None)
        if value is None:
            return 0
        if is_connection(named):
            return self._connection(node, named, value)
        if is_list_type(get_nullable_type(definition.type)):
            if value is STATIC:
                size = self._size(node)
                return (size if size is not None else 1) * self._object(node, named, STATIC)
            return sum(self._object(node, named, v) for v in value if v is not None)
        return self._object(node, named, value)

    def _object(self, node: FieldNode, named: GraphQLNamedType, value: Any) -> int:
        return 1 + self._selection(node.selection_set, named, value)

    def _connection(self, node: FieldNode, named: GraphQLNamedType, value: Any) -> int:
        """2, plus the cost of each node asked for (or answered), through ``edges { node }``
        or ``nodes``, whichever costs more."""
        fields = getattr(named, "fields", {})
        node_type = get_named_type(fields["nodes"].type) if "nodes" in fields else None
        if node_type is None:
            return 2
        # each way of reaching the nodes: how to find them in the answer, what one costs
        ways: list[tuple[Callable[[Any], list[Any]], Callable[[Any], int]]] = []
        for f in self._fields(node.selection_set, named):
            if f.name.value == "nodes":
                ways.append((partial(_list, key=_key(f)),
                             partial(self._object, f, node_type)))
            elif f.name.value == "edges":
                edge_type = get_named_type(fields["edges"].type)
                for inner in self._fields(f.selection_set, edge_type):
                    if inner.name.value == "node":
                        ways.append((partial(_edge_nodes, key=_key(f), node=_key(inner)),
                                     partial(self._object, inner, node_type)))
        if not ways:
            return 2
        if value is STATIC:
            size = self._size(node)
            return 2 + (size if size is not None else 1) * max(c(STATIC) for _, c in ways)
        return 2 + max(sum(cost(n) for n in find(value) if n is not None)
                       for find, cost in ways)

    def _size(self, node: FieldNode) -> int | None:
        for arg in node.arguments or ():
            if arg.name.value in ("first", "last"):
                v = arg.value
                if isinstance(v, IntValueNode):
                    return int(v.value)
                if isinstance(v, VariableNode):
                    got = self.variables.get(v.name.value)
                    if isinstance(got, int):
                        return got
        return None


def _key(node: FieldNode) -> str:
    return (node.alias or node.name).value


def is_connection(named: GraphQLNamedType) -> bool:
    fields = getattr(named, "fields", None)
    return (named.name.endswith("Connection") and isinstance(fields, dict)
            and "pageInfo" in fields)


def _list(value: Any, key: str) -> list[Any]:
    got = value.get(key) if isinstance(value, dict) else None
    return got if isinstance(got, list) else []


def _edge_nodes(value: Any, key: str, node: str) -> list[Any]:
    return [e.get(node) if isinstance(e, dict) else None for e in _list(value, key)]


class Bucket:
    """Shopify's leaky bucket of cost points; thread-safe. ``clock`` gives seconds."""

    def __init__(self, maximum: float, restore_rate: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.maximum = maximum
        self.restore_rate = restore_rate
        self.clock = clock
        self._available = maximum
        self._at = clock()
        self._lock = threading.Lock()

    def _fill(self) -> None:
        now = self.clock()
        self._available = min(self.maximum,
                              self._available + (now - self._at) * self.restore_rate)
        self._at = now

    def take(self, cost: float) -> bool:
        """Take ``cost`` points if the bucket holds them; False (and nothing taken) if not."""
        with self._lock:
            self._fill()
            if cost > self._available:
                return False
            self._available -= cost
            return True

    def give_back(self, points: float) -> None:
        """Return what a query was priced at beyond what it cost."""
        with self._lock:
            self._fill()
            self._available = min(self.maximum, self._available + max(points, 0))

    def set(self, maximum: float | None = None, restore_rate: float | None = None,
            available: float | None = None) -> None:
        with self._lock:
            self._fill()
            if maximum is not None:
                self.maximum = maximum
            if restore_rate is not None:
                self.restore_rate = restore_rate
            self._available = min(self.maximum, self._available if available is None
                                  else available)

    def status(self) -> dict[str, Any]:
        """``throttleStatus`` as Shopify writes it."""
        with self._lock:
            self._fill()
            return {"maximumAvailable": float(self.maximum),
                    "currentlyAvailable": int(self._available),
                    "restoreRate": float(self.restore_rate)}
