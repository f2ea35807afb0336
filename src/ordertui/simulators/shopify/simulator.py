"""``ShopifySimulator``: the demo shop's orders as Shopify's GraphQL Admin API, on loopback.

``POST /admin/api/<version>/graphql.json`` with ``X-Shopify-Access-Token`` is answered as
Shopify answers it: a wrong or missing token with 401 and Shopify's words; a query that
does not parse or validate against the published 2026-10 schema with ``errors`` in
Shopify's shape (and no cost: nothing ran); otherwise the query is priced
(``cost``), taken from the leaky bucket or refused (``THROTTLED``, ``MAX_COST_EXCEEDED``),
executed by graphql-core over the back office (``api``), and answered with
``extensions.cost`` — the requested and actual cost and the bucket's state after the
actual cost was settled. The version in the path is echoed in ``X-Shopify-API-Version``;
an unknown one is answered by the oldest supported, as Shopify does.

Faults come from the common fault layer. All requests share one path, so the layer here
reads the body first to tell a mutation (a write, which the "after_write" fault lets take
effect before spoiling its answer) from a query.

The test hooks, in the process: ``office`` (the back office itself), ``counts()`` (the
fulfillments, tracking updates and refunds written per order: what "exactly once" is
checked against), ``touch()`` (orders changed now, as a merchant's edit in the admin
changes them), ``set_bucket()`` and ``wait_bulk()``; over HTTP under ``/_sim/shopify/``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    OperationType,
    execute,
    get_operation_ast,
    parse,
)
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from ordertui.simulators.common import (
    ASGIApp,
    FaultLayer,
    Receive,
    Scope,
    Send,
    Simulator,
    json_response,
    new_request_id,
)
from ordertui.simulators.demo import DemoEngine
from ordertui.simulators.demo.shop import DemoShopOffice, ShopOrderUnknown
from ordertui.simulators.shopify.api import ShopifyApi
from ordertui.simulators.shopify.bulk import BulkOperations
from ordertui.simulators.shopify.config import LATEST, ShopifySimConfig, answering_version
from ordertui.simulators.shopify.cost import Bucket, QueryCost
from ordertui.simulators.shopify.schema import admin_schema, check, syntax_error

GRAPHQL_PATH = re.compile(r"^/admin/api/([^/]+)/graphql\.json$")
DOCUMENTATION = "https://shopify.dev/api/usage/rate-limits"
INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"

_WRITE: ContextVar[bool] = ContextVar("shopify_sim_write", default=False)


def graphql_path(version: str = LATEST) -> str:
    """The Admin API's path for ``version``, under the simulator's root URL."""
    return f"/admin/api/{version}/graphql.json"


class ShopifySimulator(Simulator):
    """Shopify's GraphQL Admin API over the demo shop's back office (see the module)."""

    name = "shopify"
    config: ShopifySimConfig

    def __init__(self, config: ShopifySimConfig | None = None) -> None:
        config = config or ShopifySimConfig()
        super().__init__(config)
        if config.demo_state is not None:
            # serve an existing demo supplier's shop, the one the demo shop adapter reads
            self.engine = DemoEngine(config.demo_state, supplier=config.demo_supplier,
                                     clock=self.now)
            self.engine.ensure(seed=config.seed, count=config.orders)
        self.office = DemoShopOffice(self.engine, clock=self.now)
        self.schema = admin_schema()
        self.bucket = Bucket(config.bucket, config.restore_rate)
        self.bulk = BulkOperations(self.state_dir / "bulk", self.schema, self._execute_bulk,
                                   self.now, lambda: self.config.bulk_delay_s)
        self.api = ShopifyApi(self.office, config.store, self.bulk.start, self.bulk.find,
                              self.bulk.current, self.stats.applied_action)

    # --- the simulator's frame ---------------------------------------------------------------
    def app(self) -> ASGIApp:
        base = super().app()
        assert isinstance(base, FaultLayer)
        return _BodyFirstFaultLayer(base.app, self)

    def is_write(self, method: str, path: str) -> bool:
        return _WRITE.get()

    def throttle_response(self, injected: bool = False) -> Response:
        if injected:
            return json_response(self._throttled(0))
        return json_response({"errors": "Exceeded 2 calls per second for api client. Reduce "
                              "request rates to resume uninterrupted service."}, status=429)

    def config_snippet(self, base_url: str, name: str = "shopify-sim") -> str:
        return (f'[shops.{name}]\nkind = "shopify"\nstore = "{self.config.store}"\n'
                f'base_url = "{base_url}"\napi_version = "{LATEST}"\n'
                f'access_token = "{self.config.token}"\n')

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/admin/api/{version}/graphql.json", self._graphql, methods=["POST"]),
            Route("/bulk/{secret}/{name}", self._bulk_file, methods=["GET"]),
            Route("/_sim/shopify/written", self._written, methods=["GET"]),
            Route("/_sim/shopify/touch", self._touch, methods=["POST"]),
            Route("/_sim/shopify/bucket", self._bucket, methods=["POST"]),
        ]

    # --- the endpoint --------------------------------------------------------------------------
    async def _graphql(self, request: Request) -> Response:
        version = answering_version(request.path_params["version"])
        rid = new_request_id()
        headers = {"X-Shopify-API-Version": version, "X-Request-Id": rid}
        if request.headers.get("X-Shopify-Access-Token") != self.config.token:
            return _answer({"errors": INVALID_TOKEN}, 401, headers)
        raw = await request.body()
        body: Any
        if request.headers.get("content-type", "").startswith("application/graphql"):
            body = {"query": raw.decode("utf-8", "replace")}
        else:
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return _answer({"errors": {"query": "Required parameter missing or invalid"}},
                           400, headers)
        variables = body.get("variables")
        if variables is not None and not isinstance(variables, dict):
            return _answer({"errors": {"variables": "must be an object"}}, 400, headers)
        root_url = f"{request.url.scheme}://{request.url.netloc}"
        payload = await run_in_threadpool(self.answer, body["query"], variables,
                                          body.get("operationName"), version, root_url)
        return _answer(payload, 200, headers)

    def answer(self, query: str, variables: dict[str, Any] | None,
               operation_name: str | None, version: str = LATEST,
               root_url: str = "") -> dict[str, Any]:
        """The answer to one GraphQL request (its JSON body), as Shopify gives it."""
        try:
            document = parse(query)
        except GraphQLError as exc:
            return {"errors": [syntax_error(exc)]}
        errors = check(self.schema, document)
        if errors:
            return {"errors": errors}
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            message = (f'No operation named "{operation_name}"' if operation_name else
                       "An operation name is required")
            return {"errors": [{"message": message,
                                "extensions": {"code": "OPERATION_NOT_FOUND"}}]}
        cost = QueryCost(self.schema, document, operation, variables)
        requested = cost.requested()
        if requested > self.config.max_cost:
            return {"errors": [{
                "message": f"Query cost is {requested}, which exceeds the single query max "
                           f"cost limit ({self.config.max_cost}).\n\nSee "
                           "https://shopify.dev/concepts/about-apis/rate-limits for more "
                           "information on how the\ncost of a query is calculated.\n\nTo "
                           "query larger amounts of data with fewer limits, bulk operations "
                           "should be used instead.\nSee https://shopify.dev/tutorials/"
                           "perform-bulk-operations-with-admin-api for usage details.\n",
                "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested,
                               "maxCost": self.config.max_cost,
                               "documentation": DOCUMENTATION}}],
                "extensions": {"cost": self._cost(requested, None)}}
        if not self.bucket.take(requested):
            self.stats.count("throttled")
            return self._throttled(requested)
        context: dict[str, Any] = {"version": version, "root_url": root_url, "bulk": False}
        mutation = operation.operation is OperationType.MUTATION
        root = self.api.mutation_root() if mutation else self.api.query_root()
        result = execute(self.schema, document, root_value=root, context_value=context,
                         variable_values=variables, operation_name=operation_name)
        assert isinstance(result, ExecutionResult)
        result.data = in_currency(result.data, self.config.currency)
        actual = cost.actual(result.data) if result.data is not None else 0
        self.bucket.give_back(requested - actual)
        out: dict[str, Any] = {}
        if result.errors:
            out["errors"] = [_error(e) for e in result.errors]
        out["data"] = result.data
        extensions: dict[str, Any] = {"cost": self._cost(requested, actual)}
        if context.get("search"):
            extensions["search"] = context["search"]
        out["extensions"] = extensions
        return out

    def _cost(self, requested: int, actual: int | None) -> dict[str, Any]:
        return {"requestedQueryCost": requested, "actualQueryCost": actual,
                "throttleStatus": self.bucket.status()}

    def _throttled(self, requested: int) -> dict[str, Any]:
        return {"errors": [{"message": "Throttled", "extensions": {
                    "code": "THROTTLED", "documentation": DOCUMENTATION}}],
                "extensions": {"cost": self._cost(requested, None)}}

    def _execute_bulk(self, document: DocumentNode) -> ExecutionResult:
        result = execute(self.schema, document, root_value=self.api.query_root(),
                         context_value={"bulk": True, "version": LATEST})
        assert isinstance(result, ExecutionResult)
        result.data = in_currency(result.data, self.config.currency)
        return result

    async def _bulk_file(self, request: Request) -> Response:
        file = self.bulk.path(request.path_params["secret"], request.path_params["name"])
        if file is None:
            return Response("<?xml version='1.0' encoding='UTF-8'?><Error><Code>NoSuchKey"
                            "</Code></Error>", status_code=404, media_type="application/xml")
        return FileResponse(file, media_type="application/jsonl")

    # --- test hooks ------------------------------------------------------------------------------
    def counts(self) -> dict[str, dict[str, int]]:
        """For each order written to, by its id: how many fulfillments, tracking updates
        and refunds the API (or the demo shop adapter) made."""
        return {self.office.base(idx).order_id: n for idx, n in self.office.counts().items()}

    def touch(self, order_ids: Iterable[str]) -> list[str]:
        """Mark orders changed now without changing anything an app reads (a tag, a note
        edited in the admin), so that they come up in ``updated_at:>…`` again; returns
        their new ``updatedAt``."""
        out = []
        for order_id in order_ids:
            idx = self.office.index_of(order_id)
            # the back office's one write path, with a write that changes nothing else
            self.office._write("touch", idx, None, {"idx": idx},
                               lambda con, order, now: order.order_id)
            out.append(self.office.records([idx])[0].updated_at.strftime(
                "%Y-%m-%dT%H:%M:%SZ"))
        return out

    def set_bucket(self, maximum: float | None = None, restore_rate: float | None = None,
                   available: float | None = None) -> dict[str, Any]:
        self.bucket.set(maximum, restore_rate, available)
        return self.bucket.status()

    def wait_bulk(self, gid: str) -> dict[str, Any] | None:
        """Wait until a bulk operation has finished; its final state."""
        return self.bulk.wait(gid)

    async def _written(self, request: Request) -> Response:
        return json_response(await run_in_threadpool(self.counts))

    async def _touch(self, request: Request) -> Response:
        body = await request.json()
        try:
            at = await run_in_threadpool(self.touch, [str(i) for i in body.get("orders", [])])
        except ShopOrderUnknown as exc:
            return json_response({"error": exc.message}, status=404)
        return json_response({"updatedAt": at})

    async def _bucket(self, request: Request) -> Response:
        body = await request.json()
        return json_response(self.set_bucket(
            *(float(body[k]) if body.get(k) is not None else None
              for k in ("maximumAvailable", "restoreRate", "currentlyAvailable"))))


class _BodyFirstFaultLayer(FaultLayer):
    """The common fault layer, told whether a GraphQL request is a mutation: it reads the
    body, notes that for ``is_write`` (per request, in a context variable), and hands the
    same body on."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not GRAPHQL_PATH.match(scope["path"]):
            await super().__call__(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            more = bool(message.get("more_body"))
        body = b"".join(chunks)
        _WRITE.set(_is_mutation(body))
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return dict(await receive())

        await super().__call__(scope, replay, send)


def _is_mutation(body: bytes) -> bool:
    try:
        data = json.loads(body)
        document = parse(data["query"])
        operation = get_operation_ast(document, data.get("operationName"))
    except (ValueError, KeyError, TypeError, GraphQLError):
        return False
    return operation is not None and operation.operation is OperationType.MUTATION


def in_currency(data: Any, currency: str) -> Any:
    """An answer of the demo shop (whose amounts are in US dollars) as a store in
    ``currency`` gives it: the same numbers, every currency code that one."""
    if currency == "USD":
        return data
    if isinstance(data, dict):
        return {k: currency if k == "currencyCode" and v == "USD" else
                [currency] if k == "enabledPresentmentCurrencies" else
                in_currency(v, currency) for k, v in data.items()}
    if isinstance(data, list):
        return [in_currency(v, currency) for v in data]
    return data


def _error(error: GraphQLError) -> dict[str, Any]:
    """A GraphQL error with a code, as all of Shopify's have: a variable that does not fit
    its type is ``INVALID_VARIABLE``; anything else without one an internal error."""
    out: dict[str, Any] = dict(error.formatted)
    if "extensions" not in out:
        variable = error.path is None and error.message.startswith("Variable '$")
        out["extensions"] = {"code": "INVALID_VARIABLE" if variable
                             else "INTERNAL_SERVER_ERROR"}
    return out


def _answer(payload: Any, status: int, headers: dict[str, str]) -> Response:
    return Response(json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                    status_code=status, media_type="application/json", headers=headers)


__all__ = ["GRAPHQL_PATH", "ShopifySimulator", "graphql_path"]
