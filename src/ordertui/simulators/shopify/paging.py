"""Shopify's cursor paging: a connection answers ``first``/``after`` or ``last``/``before``
(one of ``first`` and ``last`` is required, at most 250), with ``edges { cursor node }``,
``nodes`` and ``pageInfo``. A cursor is, as Shopify's are, base64 of
``{"last_id": …, "last_value": …}``: the id and sort value of the item it points after, so
that a page still follows from it when the list has changed since.

In a bulk operation a connection has no page: it answers every item (``context["bulk"]``).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from graphql import GraphQLError, GraphQLResolveInfo

MAX_PAGE = 250

T = TypeVar("T")
Key = tuple[Any, int]


def encode(key: Key) -> str:
    data = json.dumps({"last_id": key[1], "last_value": key[0]}, separators=(",", ":"))
    return base64.b64encode(data.encode()).decode()


def decode(cursor: str) -> Key:
    try:
        data = json.loads(base64.b64decode(cursor.encode(), validate=True))
        return data["last_value"], int(data["last_id"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise GraphQLError(f"Invalid cursor for current pagination sort: {cursor!r}.",
                           extensions={"code": "BAD_REQUEST"}) from None


def check_size(args: dict[str, Any]) -> None:
    first, last = args.get("first"), args.get("last")
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last",
                           extensions={"code": "BAD_REQUEST"})
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= MAX_PAGE:
            raise GraphQLError(f"The '{name}' argument must be between 0 and {MAX_PAGE}.",
                               extensions={"code": "BAD_REQUEST"})


def connection(info: GraphQLResolveInfo, items: Sequence[T], args: dict[str, Any], *,
               key: Callable[[T], Key] | None = None, descending: bool = False,
               load: Callable[[list[T]], list[Any]] | None = None) -> dict[str, Any]:
    """A connection over ``items``, already in the order asked for. ``key`` gives an item's
    (sort value, id) for cursors (default: its place); ``descending`` says the items run
    from the highest key down; ``load`` turns the page's items into nodes, all at once."""
    bulk = bool(info.context.get("bulk"))
    if not bulk:
        check_size(args)
    keys: list[Key] = [key(x) if key else (n, n) for n, x in enumerate(items)]

    def beyond(k: Key, ref: Key) -> bool:
        return k < ref if descending else k > ref

    start, end = 0, len(items)
    if args.get("after") is not None and not bulk:
        ref = decode(args["after"])
        start = next((n for n, k in enumerate(keys) if beyond(k, ref)), len(items))
    if args.get("before") is not None and not bulk:
        ref = decode(args["before"])
        end = next((n for n, k in enumerate(keys) if not beyond(ref, k)), len(items))
        end = max(end, start)
    first, last = args.get("first"), args.get("last")
    if bulk:
        a, b = start, end
    elif first is not None:
        a, b = start, min(start + first, end)
    else:
        a, b = max(end - (last or 0), start), end
    page = list(items[a:b])
    nodes = load(page) if load else page
    edges = [{"cursor": encode(k), "node": node} for k, node in zip(keys[a:b], nodes,
                                                                    strict=True)]
    return {"edges": edges, "nodes": nodes, "pageInfo": {
        "hasNextPage": b < len(items), "hasPreviousPage": a > 0,
        "startCursor": edges[0]["cursor"] if edges else None,
        "endCursor": edges[-1]["cursor"] if edges else None}}


def connection_field(items: Sequence[Any]) -> Callable[..., dict[str, Any]]:
    """A field of an object that is a connection over ``items`` in their order (an order's
    lines, a fulfillment order's lines, …), resolved with the query's arguments."""
    def resolve(info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
        placed = list(enumerate(items))
        if args.get("reverse"):
            placed.reverse()
        return connection(info, placed, args, key=lambda p: (p[0], p[0]),
                          descending=bool(args.get("reverse")),
                          load=lambda page: [x for _, x in page])
    return resolve


def list_field(items: Sequence[Any]) -> Callable[..., list[Any]]:
    """A plain list field with an optional ``first`` (an order's fulfillments, refunds,
    transactions; a fulfillment's tracking)."""
    def resolve(info: GraphQLResolveInfo, **args: Any) -> list[Any]:
        first = args.get("first")
        return list(items if first is None else items[:max(first, 0)])
    return resolve
