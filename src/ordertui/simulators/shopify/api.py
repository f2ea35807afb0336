"""The root fields the simulator answers, over the demo shop's back office: the queries
``shop``, ``orders``, ``order``, ``node``, ``nodes``, ``bulkOperation`` and
``currentBulkOperation``, and the mutations ``fulfillmentCreate``,
``fulfillmentTrackingInfoUpdate``, ``refundCreate`` and ``bulkOperationRunQuery``.

Every other root field of the schema validates and answers null (with an error where the
schema says it cannot be null), as a shop without that feature would.

Writes go to the back office (``DemoShopOffice``), so that the demo shop adapter and the
simulator see one shop, and they bump the order's ``updatedAt`` there. What the shop refuses
comes back as ``userErrors``, as Shopify's business errors do; only a request the API itself
refuses (a missing ``@idempotent`` key, a key reused for other parameters) is an error of
the answer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo
from graphql.execution.values import get_directive_values

from ordertui.simulators.demo.shop import DemoShopOffice, ShopRefused
from ordertui.simulators.demo.shop_orders import Ids, ShopOrderRecord
from ordertui.simulators.shopify import paging
from ordertui.simulators.shopify.config import IDEMPOTENCY_REQUIRED_FROM
from ordertui.simulators.shopify.objects import Obj, OrderObjects
from ordertui.simulators.shopify.search import Search, parse
from ordertui.sqlite_file import transaction

#: sort keys the simulator orders by; any other sorts by id, as Shopify's RELEVANCE does
#: without a free-text query
_SORTS = {"UPDATED_AT": "updated", "CREATED_AT": "created", "PROCESSED_AT": "created",
          "ID": "number", "ORDER_NUMBER": "number"}
#: an input's name in the back office's refusals, and its path in ``userErrors``
_REFUND_FIELDS = {"amount": ["transactions"], "parent": ["transactions", "0", "parentId"],
                  "gateway": ["transactions", "0", "gateway"], "lines": ["refundLineItems"],
                  "shipping": ["shipping"], "id": ["orderId"]}


@dataclass(frozen=True, slots=True)
class Indexed:
    """What the order list sorts and filters on without building the order."""

    idx: int
    number: int
    name: str
    created: int
    updated: int


class OrderIndex:
    """Every order's name, creation and (generated) update time, computed once; the updates
    since come from the back office on every read, so a list is always current."""

    def __init__(self, office: DemoShopOffice) -> None:
        self.office = office
        self._base: list[tuple[str, int, int]] = []
        self._lock = threading.Lock()

    def all(self) -> list[Indexed]:
        count = self.office.count
        with self._lock:
            if len(self._base) != count:
                self._base = []
                for i in range(count):
                    r = self.office.base(i)
                    self._base.append((r.name, int(r.created_at.timestamp()),
                                       int(r.updated_at.timestamp())))
            base = list(self._base)
        changed = self.changes()
        return [Indexed(i, Ids.ORDER + i, name, created, max(updated, changed.get(i, 0)))
                for i, (name, created, updated) in enumerate(base)]

    def changes(self) -> dict[int, int]:
        """``updated_at`` of every order the back office changed. Read from its file: the
        back office lists changed orders only with their whole records."""
        self.office.count  # noqa: B018 - makes the office check its file is current
        with transaction(self.office.path, write=False) as con:
            return {int(i): int(t) for i, t in con.execute(
                "SELECT idx, updated_at FROM changes")}


class ShopifyApi:
    """The resolvers, as the root values graphql-core executes against."""

    def __init__(self, office: DemoShopOffice, store: str,
                 bulk: Callable[[GraphQLResolveInfo, str, bool], Obj],
                 bulk_find: Callable[[str], Obj | None],
                 bulk_current: Callable[[str], Obj | None],
                 applied: Callable[[str, str], None]) -> None:
        self.office = office
        self.store = store
        self.index = OrderIndex(office)
        self._bulk, self._bulk_find, self._bulk_current = bulk, bulk_find, bulk_current
        self._applied = applied

    def query_root(self) -> dict[str, Any]:
        return {"shop": self.shop, "orders": self.orders, "order": self.order,
                "ordersCount": self.orders_count, "node": self.node, "nodes": self.nodes,
                "bulkOperation": self.bulk_operation,
                "currentBulkOperation": self.current_bulk_operation}

    def mutation_root(self) -> dict[str, Any]:
        return {"fulfillmentCreate": self.fulfillment_create,
                "fulfillmentTrackingInfoUpdate": self.tracking_update,
                "refundCreate": self.refund_create, "bulkOperationRunQuery": self.bulk_run}

    # --- queries ---------------------------------------------------------------------------
    def shop(self, info: GraphQLResolveInfo) -> Obj:
        domain = f"{self.store}.myshopify.com"
        return {"__typename": "Shop", "id": "gid://shopify/Shop/71000000001",
                "name": self.store.replace("-", " ").title(), "currencyCode": "USD",
                "myshopifyDomain": domain, "email": f"owner@{self.store}.example",
                "contactEmail": f"owner@{self.store}.example", "ianaTimezone": "Etc/UTC",
                "timezoneAbbreviation": "UTC", "timezoneOffset": "+0000",
                "timezoneOffsetMinutes": 0, "url": f"https://{domain}",
                "primaryDomain": {"host": domain, "url": f"https://{domain}",
                                  "id": "gid://shopify/Domain/71000000001",
                                  "sslEnabled": True},
                "plan": {"partnerDevelopment": False, "shopifyPlus": False,
                         "displayName": "Basic", "publicDisplayName": "Basic"},
                "enabledPresentmentCurrencies": ["USD"], "taxesIncluded": False,
                "weightUnit": "KILOGRAMS", "setupRequired": False,
                "checkoutApiSupported": True, "transactionalSmsDisabled": False}

    def order(self, info: GraphQLResolveInfo, id: str) -> Obj | None:
        found = self.office.locate(id)
        if found is None or found[0] != "Order":
            return None
        return self._objects(found[1]).order

    def node(self, info: GraphQLResolveInfo, id: str) -> Obj | None:
        if id.startswith("gid://shopify/BulkOperation/"):
            return self._bulk_find(id)
        found = self.office.locate(id)
        if found is None:
            return None
        return self._objects(found[1]).find(id)

    def nodes(self, info: GraphQLResolveInfo, ids: list[str]) -> list[Obj | None]:
        if len(ids) > 250:
            raise GraphQLError("The 'ids' argument accepts at most 250 ids.",
                               extensions={"code": "BAD_REQUEST"})
        return [self.node(info, i) for i in ids]

    def bulk_operation(self, info: GraphQLResolveInfo, id: str) -> Obj | None:
        return self._bulk_find(id)

    def current_bulk_operation(self, info: GraphQLResolveInfo, type: str = "QUERY"
                               ) -> Obj | None:
        return self._bulk_current(type)

    def _objects(self, idx: int) -> OrderObjects:
        return OrderObjects(self.office.records([idx])[0], self.store)

    def orders(self, info: GraphQLResolveInfo, **args: Any) -> Obj:
        """The order list: sorted and filtered on the index, built a chunk at a time only
        as far as the page (and one more, for ``hasNextPage``) needs."""
        bulk = bool(info.context.get("bulk"))
        if not bulk:
            paging.check_size(args)
        search = parse(args.get("query"))
        ext = search.extension(["orders"], args.get("query") or "")
        if ext is not None:
            info.context.setdefault("search", []).append(ext)
        attr = _SORTS.get(str(args.get("sortKey") or "ID"), "number")
        reverse = bool(args.get("reverse"))
        rows = [x for x in self.index.all()
                if search.matches_index(updated=x.updated, created=x.created, number=x.number,
                                        name=x.name)]
        rows.sort(key=lambda x: (getattr(x, attr), x.number), reverse=reverse)
        keys = [(getattr(x, attr), x.number) for x in rows]

        def beyond(k: paging.Key, ref: paging.Key) -> bool:
            return k < ref if reverse else k > ref

        start, end = 0, len(rows)
        if args.get("after") is not None and not bulk:
            ref = paging.decode(args["after"])
            start = next((n for n, k in enumerate(keys) if beyond(k, ref)), len(rows))
        if args.get("before") is not None and not bulk:
            ref = paging.decode(args["before"])
            end = max(next((n for n, k in enumerate(keys) if not beyond(ref, k)), len(rows)),
                      start)
        first, last = args.get("first"), args.get("last")
        backwards = not bulk and first is None and last is not None
        want = None if bulk else (first if first is not None else last or 0)
        span = range(end - 1, start - 1, -1) if backwards else range(start, end)
        picked: list[tuple[int, ShopOrderRecord]] = []
        more = False
        for n, record in self._records(rows, span, search):
            if want is not None and len(picked) >= want:
                more = True
                break
            picked.append((n, record))
        if backwards:
            picked.reverse()
        nodes = [OrderObjects(r, self.store).order for _, r in picked]
        edges = [{"cursor": paging.encode(keys[n]), "node": o}
                 for (n, _), o in zip(picked, nodes, strict=True)]
        # rows before or after the span are counted as there, whatever the search makes of
        # them: Shopify's pageInfo is as approximate
        return {"edges": edges, "nodes": nodes, "pageInfo": {
            "hasNextPage": more if not backwards else end < len(rows),
            "hasPreviousPage": more if backwards else start > 0,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None}}

    def orders_count(self, info: GraphQLResolveInfo, limit: int | None = 10000,
                     query: str | None = None, **_: Any) -> Obj:
        """How many orders pass the search; at most ``limit`` (then ``AT_LEAST``), as
        Shopify counts them."""
        search = parse(query)
        ext = search.extension(["ordersCount"], query or "")
        if ext is not None:
            info.context.setdefault("search", []).append(ext)
        rows = [x for x in self.index.all()
                if search.matches_index(updated=x.updated, created=x.created, number=x.number,
                                        name=x.name)]
        count = (sum(1 for _ in self._records(rows, range(len(rows)), search))
                 if search.on_records else len(rows))
        if limit is not None and count > limit:
            return {"count": limit, "precision": "AT_LEAST"}
        return {"count": count, "precision": "EXACT"}

    def _records(self, rows: Sequence[Indexed], span: range, search: Search
                 ) -> Iterator[tuple[int, ShopOrderRecord]]:
        """The orders at the places ``span`` of ``rows`` that pass the search, built in
        chunks that grow as the page takes long to fill."""
        chunk, places = 16, list(span)
        at = 0
        while at < len(places):
            part = places[at:at + chunk]
            at += len(part)
            for n, record in zip(part, self.office.records([rows[n].idx for n in part]),
                                 strict=True):
                if search.matches_record(record):
                    yield n, record
            chunk = min(chunk * 4, 2048)

    # --- mutations ---------------------------------------------------------------------------
    def fulfillment_create(self, info: GraphQLResolveInfo, fulfillment: dict[str, Any],
                           message: str | None = None) -> Obj:
        """Fulfils the lines given (or every line left) of the order's fulfillment order,
        with tracking. Without an idempotency key, as Shopify's has none."""
        _refuse_idempotent(info, "fulfillmentCreate")
        groups = fulfillment.get("lineItemsByFulfillmentOrder") or []
        if not groups:
            return _user_error(["fulfillment", "lineItemsByFulfillmentOrder"],
                               "Line items by fulfillment order must not be empty.",
                               fulfillment=None)
        idx: int | None = None
        lines: list[tuple[int, int]] | None = []
        for k, group in enumerate(groups):
            fo_id = str(group.get("fulfillmentOrderId"))
            found = self.office.locate(fo_id)
            if found is None or found[0] != "FulfillmentOrder":
                return _user_error(["fulfillment", "lineItemsByFulfillmentOrder", str(k),
                                    "fulfillmentOrderId"],
                                   f"Fulfillment order does not exist: {fo_id}.",
                                   fulfillment=None)
            if idx is not None and found[1] != idx:
                return _user_error(["fulfillment"], "All fulfillment orders must belong to "
                                   "the same order.", fulfillment=None)
            idx = found[1]
            items = group.get("fulfillmentOrderLineItems")
            if items is None:
                lines = None  # the whole fulfillment order
                continue
            for j, item in enumerate(items):
                n = _fo_line(str(item.get("id")), idx)
                if n is None:
                    return _user_error(["fulfillment", "lineItemsByFulfillmentOrder", str(k),
                                        "fulfillmentOrderLineItems", str(j), "id"],
                                       "Invalid fulfillment order line item id.",
                                       fulfillment=None)
                if lines is not None:
                    lines.append((n, int(item.get("quantity") or 0)))
        assert idx is not None
        tracking = fulfillment.get("trackingInfo") or {}
        try:
            order, made = self.office.create_fulfillment(
                idx, lines, company=str(tracking.get("company") or ""),
                number=_first(tracking, "number", "numbers"),
                url=_first(tracking, "url", "urls"),
                notify=bool(fulfillment.get("notifyCustomer")))
        except ShopRefused as exc:
            where = ["lineItemsByFulfillmentOrder"] if exc.field == ["lines"] else []
            return _user_error(["fulfillment", *where], exc.message, fulfillment=None)
        self._applied("fulfillment", made.fulfillment_id)
        return {"fulfillment": OrderObjects(order, self.store).find(made.fulfillment_id),
                "userErrors": []}

    def tracking_update(self, info: GraphQLResolveInfo, fulfillmentId: str,
                        trackingInfoInput: dict[str, Any],
                        notifyCustomer: bool | None = None) -> Obj:
        _refuse_idempotent(info, "fulfillmentTrackingInfoUpdate")
        t = trackingInfoInput
        try:
            order, f = self.office.update_tracking(
                fulfillmentId, company=str(t.get("company") or ""),
                number=_first(t, "number", "numbers"), url=_first(t, "url", "urls"),
                notify=bool(notifyCustomer))
        except ShopRefused as exc:
            return _user_error(["fulfillmentId"], exc.message, fulfillment=None)
        self._applied("tracking_update", f.fulfillment_id)
        return {"fulfillment": OrderObjects(order, self.store).find(f.fulfillment_id),
                "userErrors": []}

    def refund_create(self, info: GraphQLResolveInfo, input: dict[str, Any]
                      ) -> Obj:
        """Returns money through the order's payment (``transactions``, each a REFUND with
        the SALE as parent) and marks lines and shipping refunded; once per ``@idempotent``
        key, which versions from 2026-04 require."""
        key = _idempotency_key(info)
        version = str(info.context.get("version") or "")
        if key is None and version >= IDEMPOTENCY_REQUIRED_FROM:
            raise GraphQLError("The @idempotent directive is required for this mutation.",
                               extensions={"code": "BAD_REQUEST"})
        order_id = str(input.get("orderId"))
        found = self.office.locate(order_id)
        if found is None or found[0] != "Order":
            return _user_error(["orderId"], "Order does not exist.", refund=None, order=None)
        idx = found[1]
        before = self.office.records([idx])[0]
        try:
            amount, parent, gateway = _refund_money(input.get("transactions") or [], order_id)
            lines = _refund_lines(input.get("refundLineItems") or [], before)
            shipping = _refund_shipping(input.get("shipping"), before)
        except ShopRefused as exc:
            return _user_error(exc.field or ["transactions"], exc.message, refund=None,
                               order=None)
        try:
            order, made = self.office.create_refund(
                idx, amount, note=str(input.get("note") or ""),
                notify=bool(input.get("notify")), lines=lines, shipping=shipping,
                parent_id=parent, gateway=gateway,
                allow_over=bool(input.get("allowOverRefunding")), key=key)
        except ShopRefused as exc:
            if exc.code == "IDEMPOTENCY_KEY_PARAMETER_MISMATCH":
                raise GraphQLError(exc.message, extensions={"code": exc.code}) from None
            path = _REFUND_FIELDS.get(exc.field[0], exc.field) if exc.field else ["input"]
            return _user_error(path, exc.message, refund=None, order=None)
        self._applied("refund", key or made.refund_id)
        objects = OrderObjects(order, self.store)
        return {"refund": objects.find(made.refund_id), "order": objects.order,
                "userErrors": []}

    def bulk_run(self, info: GraphQLResolveInfo, query: str, groupObjects: bool = False,
                 ) -> Obj:
        return self._bulk(info, query, groupObjects)


# --- helpers ---------------------------------------------------------------------------------

def _user_error(field: list[str], message: str, **payload: Any) -> Obj:
    return {**payload, "userErrors": [{"field": field, "message": message}]}


def _first(given: dict[str, Any], one: str, many: str) -> str:
    value = given.get(one)
    if not value and given.get(many):
        value = given[many][0]
    return str(value or "")


def _fo_line(gid: str, idx: int) -> int | None:
    """The line number ``n`` of a fulfillment order line item of order ``idx``."""
    parsed = Ids.parse(gid)
    if parsed is None or parsed[0] != "FulfillmentOrderLineItem":
        return None
    off = Ids.offset(parsed[1], Ids.FO_LINE)
    if off is None or off // 8 != idx:
        return None
    return off % 8


def _idempotency_key(info: GraphQLResolveInfo) -> str | None:
    directive = info.schema.get_directive("idempotent")
    if directive is None:
        return None
    values = get_directive_values(directive, info.field_nodes[0], info.variable_values)
    if values is None:
        return None
    key = str(values.get("key") or "")
    if not key.strip():
        raise GraphQLError("The idempotency key cannot be an empty string or whitespace "
                           "only.", extensions={"code": "BAD_REQUEST"})
    return key


def _refuse_idempotent(info: GraphQLResolveInfo, name: str) -> None:
    """``@idempotent`` on a mutation that does not document it is an error, as the
    directive's description says it is only supported where documented."""
    if _idempotency_key(info) is not None:
        raise GraphQLError(f"The @idempotent directive is not supported on {name}.",
                           extensions={"code": "BAD_REQUEST"})


def _money(value: Any, field: list[str]) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ShopRefused(f"Invalid amount: {value!r}.", field) from None
    if not amount.is_finite():
        raise ShopRefused(f"Invalid amount: {value!r}.", field)
    return amount


def _refund_money(transactions: list[dict[str, Any]], order_id: str
                  ) -> tuple[Decimal, str | None, str | None]:
    """The amount to return, and the payment and gateway it goes back through."""
    total, parent, gateway = Decimal(0), None, None
    for k, t in enumerate(transactions):
        where = ["transactions", str(k)]
        if t.get("kind") != "REFUND":
            raise ShopRefused("Only REFUND transactions can be created by a refund.",
                              [*where, "kind"])
        if t.get("orderId") not in (None, order_id):
            raise ShopRefused("The transaction belongs to another order.", [*where, "orderId"])
        if parent is not None and t.get("parentId") not in (None, parent):
            raise ShopRefused("All transactions must refund the same payment.",
                              [*where, "parentId"])
        total += _money(t.get("amount"), [*where, "amount"])
        parent = t.get("parentId") or parent
        gateway = t.get("gateway") or gateway
    return total, parent, gateway


def _refund_lines(items: list[dict[str, Any]], order: ShopOrderRecord
                  ) -> list[tuple[int, int, str]]:
    by_id = {x.line_id: x.n for x in order.lines}
    out = []
    for k, item in enumerate(items):
        n = by_id.get(str(item.get("lineItemId")))
        if n is None:
            raise ShopRefused("Line item does not exist on this order.",
                              ["refundLineItems", str(k), "lineItemId"])
        out.append((n, int(item.get("quantity") or 0),
                    str(item.get("restockType") or "NO_RESTOCK")))
    return out


def _refund_shipping(shipping: dict[str, Any] | None, order: ShopOrderRecord) -> Decimal:
    if not shipping:
        return Decimal(0)
    if shipping.get("fullRefund"):
        return order.shipping - order.refunded_shipping
    given = shipping.get("shippingRefundAmount")
    if isinstance(given, dict):
        return _money(given.get("amount"), ["shipping", "shippingRefundAmount", "amount"])
    return Decimal(0)
