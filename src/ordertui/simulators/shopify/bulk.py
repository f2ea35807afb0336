"""Bulk operations: ``bulkOperationRunQuery`` runs a query over every item of its
connections (no pages) on a worker thread, writes the result as JSONL the way Shopify does,
and serves the file from the simulator itself, at ``/bulk/<secret>/<n>.jsonl``: a link that
needs no token, like Shopify's signed storage links.

The file has one object per line: each node of the root connection, then, after it, each
node of its nested connections as its own line with ``"__parentId"`` set to the id of the
node it belongs to; the nested connection itself is left out of the parent's line. Nested
objects that are not connections stay inline.

Status goes CREATED (the mutation's answer) → RUNNING → COMPLETED (or FAILED with
``errorCode`` INTERNAL_SERVER_ERROR), never sooner than ``bulk_delay_s`` after it was
created, so that a client's polling is exercised. An empty result completes with ``url``
null, as Shopify's does. As from API 2026-01, up to five bulk queries may run at once.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLError,
    GraphQLResolveInfo,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    parse,
)

from ordertui.simulators.shopify.cost import is_connection
from ordertui.simulators.shopify.schema import check

MAX_RUNNING = 5
MAX_CONNECTIONS = 5
MAX_DEPTH = 2
Obj = dict[str, Any]


@dataclass
class BulkOperation:
    number: int
    query: str
    created_at: float
    status: str = "CREATED"
    completed_at: float | None = None
    error_code: str | None = None
    object_count: int = 0
    root_object_count: int = 0
    file_size: int = 0
    url: str | None = None
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def gid(self) -> str:
        return f"gid://shopify/BulkOperation/{self.number}"

    def as_object(self) -> Obj:
        return {"__typename": "BulkOperation", "id": self.gid, "status": self.status,
                "type": "QUERY", "query": self.query, "errorCode": self.error_code,
                "createdAt": _when(self.created_at), "completedAt": _when(self.completed_at),
                "objectCount": str(self.object_count),
                "rootObjectCount": str(self.root_object_count),
                "fileSize": str(self.file_size) if self.url else None, "url": self.url,
                "partialDataUrl": None}


class BulkOperations:
    """The shop's bulk operations, and the files they wrote. ``execute`` runs a document
    over every item (the simulator's executor with ``bulk`` in its context); ``clock``
    gives the simulator's time."""

    def __init__(self, directory: Path, schema: GraphQLSchema,
                 execute: Callable[[DocumentNode], ExecutionResult],
                 clock: Callable[[], float], delay_s: Callable[[], float]) -> None:
        self.directory = directory
        self.schema = schema
        self.execute = execute
        self.clock = clock
        self.delay_s = delay_s
        self.secret = secrets.token_urlsafe(12)
        self.ops: dict[int, BulkOperation] = {}
        self._lock = threading.Lock()

    # --- the API -------------------------------------------------------------------------
    def start(self, info: GraphQLResolveInfo, query: str, group_objects: bool) -> Obj:
        """``bulkOperationRunQuery``: the operation CREATED, or ``userErrors``."""
        try:
            document = parse(query)
        except GraphQLError as exc:
            return _refused(["query"], f"Invalid bulk query: {exc.message}", "INVALID")
        errors = check(self.schema, document)
        if errors:
            return _refused(["query"], f"Invalid bulk query: {errors[0]['message']}",
                            "INVALID")
        problem = self._shape_problem(document)
        if problem is not None:
            return _refused(["query"], problem, "INVALID")
        root_url = str(info.context.get("root_url") or "")
        with self._lock:
            running = [o for o in self.ops.values() if o.status in ("CREATED", "RUNNING")]
            if len(running) >= MAX_RUNNING:
                return _refused(None, f"A maximum of {MAX_RUNNING} bulk queries can run at "
                                "the same time for this app and shop.", "LIMIT_REACHED")
            op = BulkOperation(len(self.ops) + 1, query, self.clock())
            self.ops[op.number] = op
            created = op.as_object()
        threading.Thread(target=self._run, args=(op, document, root_url),
                         name=f"shopify-bulk-{op.number}", daemon=True).start()
        return {"bulkOperation": created, "userErrors": []}

    def find(self, gid: str) -> Obj | None:
        head, _, number = gid.rpartition("/")
        if head != "gid://shopify/BulkOperation" or not number.isdigit():
            return None
        with self._lock:
            op = self.ops.get(int(number))
            return op.as_object() if op is not None else None

    def current(self, kind: str = "QUERY") -> Obj | None:
        """The newest bulk query (there are no bulk mutations here)."""
        if kind != "QUERY":
            return None
        with self._lock:
            return self.ops[max(self.ops)].as_object() if self.ops else None

    def path(self, secret: str, name: str) -> Path | None:
        """The file behind a bulk operation's ``url``, if the link is one it gave out."""
        number = name.removesuffix(".jsonl")
        if secret != self.secret or not number.isdigit():
            return None
        file = self.directory / f"{int(number)}.jsonl"
        return file if file.exists() else None

    def wait(self, gid: str) -> Obj | None:
        """Block until the operation finished (tests); its final state."""
        number = gid.rpartition("/")[2]
        with self._lock:
            op = self.ops.get(int(number)) if number.isdigit() else None
        if op is None:
            return None
        op.done.wait()
        return self.find(gid)

    # --- running ---------------------------------------------------------------------------
    def _run(self, op: BulkOperation, document: DocumentNode, root_url: str) -> None:
        with self._lock:
            op.status = "RUNNING"
        try:
            result = self.execute(document)
            if result.errors or result.data is None:
                raise RuntimeError(result.errors)
            operation = _operation(document)
            lines, roots = 0, 0
            self.directory.mkdir(parents=True, exist_ok=True)
            file = self.directory / f"{op.number}.jsonl"
            with file.open("w", encoding="utf-8") as out:
                for line, is_root in flatten(result.data, operation.selection_set):
                    out.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")))
                    out.write("\n")
                    lines += 1
                    roots += is_root
            size = file.stat().st_size
            wait = op.created_at + self.delay_s() - self.clock()
            if wait > 0:
                time.sleep(wait)
            with self._lock:
                op.object_count, op.root_object_count = lines, roots
                op.file_size = size
                op.url = (f"{root_url}/bulk/{self.secret}/{op.number}.jsonl"
                          if lines else None)
                op.status, op.completed_at = "COMPLETED", self.clock()
        except Exception:  # any failure is the operation's FAILED
            with self._lock:
                op.status, op.error_code = "FAILED", "INTERNAL_SERVER_ERROR"
                op.completed_at = self.clock()
        finally:
            op.done.set()

    def _shape_problem(self, document: DocumentNode) -> str | None:
        """Why Shopify would refuse this bulk query's shape, if it would."""
        operation = _operation(document)
        if operation.operation is not OperationType.QUERY:
            return "Bulk queries must be queries; use bulkOperationRunMutation for mutations."
        root = self.schema.query_type
        found: list[int] = []  # the depth of each connection

        def walk(selection_set: SelectionSetNode | None, parent: Any, depth: int,
                 in_list: bool) -> str | None:
            for sel in selection_set.selections if selection_set else ():
                if not isinstance(sel, FieldNode):
                    inner = getattr(sel, "selection_set", None)
                    problem = walk(inner, parent, depth, in_list)
                    if problem:
                        return problem
                    continue
                definition = getattr(parent, "fields", {}).get(sel.name.value)
                if definition is None:
                    continue
                named = get_named_type(definition.type)
                if is_connection(named):
                    if in_list:
                        return ("Queries that contain a connection field within a list "
                                "field are not currently supported.")
                    found.append(depth + 1)
                    problem = walk(sel.selection_set, named, depth + 1, False)
                else:
                    listed = "[" in str(definition.type) and sel.name.value not in (
                        "edges", "nodes")
                    problem = walk(sel.selection_set, named, depth, in_list or listed)
                if problem:
                    return problem
            return None

        problem = walk(operation.selection_set, root, 0, False)
        if problem:
            return problem
        if not found:
            return "Bulk queries must contain at least one connection."
        if len(found) > MAX_CONNECTIONS:
            return f"Bulk queries cannot contain more than {MAX_CONNECTIONS} connections."
        if max(found) > MAX_DEPTH:
            return (f"Bulk queries cannot contain connections with a nesting depth greater "
                    f"than {MAX_DEPTH}.")
        return None


def flatten(data: Obj, selection_set: SelectionSetNode | None) -> Iterator[tuple[Obj, bool]]:
    """The lines of a bulk result, with whether each is a root object: every node of a root
    connection, each followed by its nested connections' nodes with ``__parentId``."""
    for sel in selection_set.selections if selection_set else ():
        if not isinstance(sel, FieldNode):
            continue
        value = data.get((sel.alias or sel.name).value)
        if isinstance(value, dict) and _is_connection_value(value):
            for node in _connection_nodes(value):
                yield from _lines(node, None, True)
        elif isinstance(value, dict):
            yield from _lines(value, None, True)


def _lines(node: Obj, parent_id: str | None, root: bool) -> Iterator[tuple[Obj, bool]]:
    own: Obj = {}
    nested: list[Any] = []
    for key, value in node.items():
        if _is_connection_value(value):
            nested.append(value)
        else:
            own[key] = value
    if parent_id is not None:
        own["__parentId"] = parent_id
    yield own, root
    for connection in nested:
        for child in _connection_nodes(connection):
            yield from _lines(child, node.get("id"), False)


def _is_connection_value(value: Any) -> bool:
    return (isinstance(value, dict) and bool(value) and set(value) <= {"edges", "nodes",
                                                                        "pageInfo"}
            and any(isinstance(value.get(k), list) for k in ("edges", "nodes")))


def _connection_nodes(value: Obj) -> list[Obj]:
    if isinstance(value.get("nodes"), list):
        return [n for n in value["nodes"] if isinstance(n, dict)]
    return [e["node"] for e in value.get("edges") or []
            if isinstance(e, dict) and isinstance(e.get("node"), dict)]


def _operation(document: DocumentNode) -> OperationDefinitionNode:
    return next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))


def _refused(field: list[str] | None, message: str, code: str) -> Obj:
    return {"bulkOperation": None,
            "userErrors": [{"field": field, "message": message, "code": code}]}


def _when(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(int(seconds), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
