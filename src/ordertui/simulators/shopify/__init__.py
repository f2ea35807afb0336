"""A Shopify GraphQL Admin API look-alike on loopback, serving the demo shop's orders
(``ordertui.simulators.demo.shop``) so that a Shopify adapter can be tried and tested
without a store.

- ``config``: ``ShopifySimConfig``, the token, store, cost bucket and versions;
- ``schema``: Shopify's published 2026-10 schema, and validation errors in Shopify's words;
- ``cost``: what a query costs, as Shopify counts it, and the leaky bucket;
- ``search``: the ``query:`` search syntax of the order list;
- ``paging``: cursor paging of connections;
- ``objects``: a shop order as Shopify's GraphQL objects;
- ``api``: the root queries and mutations over the back office;
- ``bulk``: bulk operations and their JSONL files;
- ``simulator``: ``ShopifySimulator``, the endpoint, faults and test hooks.
"""

from ordertui.simulators.shopify.config import (
    DEFAULT_TOKEN,
    LATEST,
    VERSIONS,
    ShopifySimConfig,
)
from ordertui.simulators.shopify.simulator import GRAPHQL_PATH, ShopifySimulator, graphql_path

__all__ = ["DEFAULT_TOKEN", "GRAPHQL_PATH", "LATEST", "VERSIONS", "ShopifySimConfig",
           "ShopifySimulator", "graphql_path"]
