"""A small stand-in for Shopify's Admin API over real loopback HTTP, for the adapter's tests:
canned GraphQL answers per operation name, files to download (a bulk operation's result),
and every request recorded. It knows nothing of Shopify's logic: each test says what the
store answers, in Shopify's shapes (``order_node``, ``ok``, ``throttled``)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "shpat_0123456789abcdef0123456789abcdef"
Answer = dict[str, Any] | tuple[int, Any] | Callable[[dict[str, Any]], Any]


@dataclass
class Recorded:
    operation: str
    query: str
    variables: dict[str, Any]
    headers: dict[str, str]


@dataclass
class ShopifyStub:
    answers: dict[str, list[Answer]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    downloads: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    def on(self, operation: str, *answers: Answer) -> None:
        """Answer ``operation`` with these, one per request; the last one again after."""
        self.answers.setdefault(operation, []).extend(answers)

    def sent(self, operation: str) -> list[Recorded]:
        return [r for r in self.requests if r.operation == operation]

    def answer(self, operation: str, variables: dict[str, Any]) -> tuple[int, Any]:
        queue = self.answers.get(operation)
        if not queue:
            return 200, {"errors": [{"message": f"the stub has no answer for {operation}",
                                     "extensions": {"code": "STUB"}}]}
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        if callable(item):
            item = item(variables)
        if isinstance(item, tuple):
            return item
        return 200, item


def _handler(stub: ShopifyStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: Any, ctype: str = "application/json") -> None:
            raw = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length))
            query = body.get("query", "")
            m = re.search(r"\b(?:query|mutation)\s+(\w+)", query)
            operation = body.get("operationName") or (m.group(1) if m else "anonymous")
            variables = body.get("variables") or {}
            stub.requests.append(Recorded(operation, query, variables, dict(self.headers)))
            status, answer = stub.answer(operation, variables)
            self._send(status, answer, "text/html" if isinstance(answer, bytes)
                       else "application/json")

        def do_GET(self) -> None:
            stub.downloads.append({"path": self.path, **dict(self.headers)})
            if self.path in stub.files:
                self._send(200, stub.files[self.path], "application/jsonl")
            else:
                self._send(404, {"error": "no such file"})

    return Handler


@contextmanager
def running(stub: ShopifyStub | None = None) -> Iterator[ShopifyStub]:
    """The stub listening on 127.0.0.1 (a free port) in a thread, for the ``with`` block."""
    stub = stub or ShopifyStub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.01,),
                              daemon=True)
    thread.start()
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()


# --- Shopify's shapes ------------------------------------------------------------------------


def cost(requested: float = 10, available: float = 990, maximum: float = 1000,
         rate: float = 50) -> dict[str, Any]:
    return {"cost": {"requestedQueryCost": requested, "actualQueryCost": requested,
                     "throttleStatus": {"maximumAvailable": maximum,
                                        "currentlyAvailable": available,
                                        "restoreRate": rate}}}


def ok(data: dict[str, Any], **bucket: float) -> dict[str, Any]:
    return {"data": data, "extensions": cost(**bucket)}


def throttled(requested: float, available: float, rate: float = 50) -> dict[str, Any]:
    return {"errors": [{"message": "Throttled", "extensions": {
        "code": "THROTTLED",
        "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
            "extensions": cost(requested, available, rate=rate)}


def bag(amount: str, currency: str = "USD") -> dict[str, Any]:
    return {"shopMoney": {"amount": amount, "currencyCode": currency}}


def line_node(n: int, *, price: str = "19.99", quantity: int = 1, sku: str = "",
              title: str = "Phone case") -> dict[str, Any]:
    return {"id": f"gid://shopify/LineItem/{n}", "title": title, "variantTitle": "Black",
            "sku": sku or f"SKU-{n}", "currentQuantity": quantity,
            "discountedUnitPriceAfterAllDiscountsSet": bag(price)}


def order_node(n: int, *, updated: str = "2026-12-01T10:00:00Z", lines: list[Any] | None = None,
               more_lines: bool = False, fulfillments: list[Any] | None = None,
               refunds: list[Any] | None = None, status: str = "UNFULFILLED",
               financial: str = "PAID") -> dict[str, Any]:
    lines = [line_node(n * 10 + 1)] if lines is None else lines
    return {
        "id": f"gid://shopify/Order/{n}", "legacyResourceId": str(n), "name": f"#{1000 + n}",
        "createdAt": "2026-11-30T08:00:00Z", "updatedAt": updated, "cancelledAt": None,
        "closed": False, "test": False, "displayFinancialStatus": financial,
        "displayFulfillmentStatus": status, "currencyCode": "USD",
        "presentmentCurrencyCode": "USD", "taxesIncluded": False,
        "email": "ada@example.com", "phone": None,
        "currentTotalPriceSet": bag("45.97"), "currentShippingPriceSet": bag("4.99"),
        "currentTotalTaxSet": bag("1.00"), "currentTotalDiscountsSet": bag("2.00"),
        "totalRefundedSet": bag("0.00"), "customer": {"displayName": "Ada Lovelace"},
        "shippingAddress": {"name": "Ada Lovelace", "address1": "12 Analytical St",
                            "address2": "", "city": "London", "province": "",
                            "zip": "N1 9GU", "countryCodeV2": "GB", "phone": "+44 20 1234"},
        "refunds": refunds or [],
        "fulfillments": fulfillments or [],
        "lineItems": {"pageInfo": {"hasNextPage": more_lines,
                                   "endCursor": "lines-1" if more_lines else None},
                      "nodes": lines},
    }


def fulfillment_node(fid: int, number: str, lines: list[tuple[str, int]], *,
                     company: str = "YunExpress", status: str = "SUCCESS") -> dict[str, Any]:
    return {"id": f"gid://shopify/Fulfillment/{fid}", "status": status,
            "createdAt": "2026-12-02T09:00:00Z",
            "trackingInfo": [{"company": company, "number": number,
                              "url": f"https://t.example/{number}"}],
            "fulfillmentLineItems": {"pageInfo": {"hasNextPage": False}, "nodes": [
                {"quantity": q, "lineItem": {"id": line_id}} for line_id, q in lines]}}


def page(nodes: list[Any], *, more: bool = False, end: str | None = None) -> dict[str, Any]:
    return ok({"orders": {"pageInfo": {"hasNextPage": more, "endCursor": end},
                          "nodes": nodes}}, requested=770)
