"""The Shopify simulator as a store in another currency than the demo shop's dollars: every
amount it answers, by query and in a bulk operation's file, is in that currency."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from ordertui.simulators.shopify import (
    DEFAULT_TOKEN,
    ShopifySimConfig,
    ShopifySimulator,
    graphql_path,
)
from support.sims import serve

QUERY = """{ shop { currencyCode enabledPresentmentCurrencies }
  orders(first: 3) { nodes { currencyCode totalPriceSet { shopMoney { currencyCode }
    presentmentMoney { currencyCode } }
    lineItems(first: 5) { nodes { originalUnitPriceSet { shopMoney { currencyCode } } } } } } }"""


def codes(data: object) -> set[str]:
    found: set[str] = set()
    if isinstance(data, dict):
        for k, v in data.items():
            found |= {v} if k == "currencyCode" else codes(v)
    elif isinstance(data, list):
        for v in data:
            found |= codes(v)
    return found


def test_a_store_in_euros_answers_every_amount_in_euros(tmp_path: Path) -> None:
    for running in serve(ShopifySimulator(ShopifySimConfig(orders=12, currency="EUR"))):
        sim = running.sim
        assert isinstance(sim, ShopifySimulator)
        http = httpx.Client(headers={"X-Shopify-Access-Token": DEFAULT_TOKEN}, timeout=30)
        url = running.root_url + graphql_path()
        data = http.post(url, json={"query": QUERY}).json()["data"]
        assert data["shop"]["enabledPresentmentCurrencies"] == ["EUR"]
        assert codes(data) == {"EUR"}
        started = http.post(url, json={"query": """mutation($q: String!) {
            bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { message } } }""",
            "variables": {"q": "{ orders { edges { node { id totalPriceSet { shopMoney {"
                                " amount currencyCode } } } } } }"}}).json()
        gid = started["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
        done = sim.wait_bulk(gid)
        assert done is not None and done["status"] == "COMPLETED"
        lines = http.get(done["url"]).text.splitlines()
        assert len(lines) == sim.office.count
        assert {json.loads(x)["totalPriceSet"]["shopMoney"]["currencyCode"] for x in lines} \
            == {"EUR"}
