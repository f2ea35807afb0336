"""What a Shopify simulator is started with: the demo shop's settings (``SimConfig``: how
many orders its demo supplier has, the seed, faults) and Shopify's own: the access token it
accepts, the store's name, the cost bucket (size and points restored per second) and the
largest cost of one query."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ordertui.simulators.common import SimConfig

#: the Admin API token the simulator accepts by default (Shopify's ``shpat_`` form)
DEFAULT_TOKEN = "shpat_0rdertu1000000000000000000000sim"
DEFAULT_STORE = "ordertui-demo"
#: the versions answered as themselves; any other is answered by the oldest, as Shopify
#: answers an unsupported one (the simulator serves every one with the 2026-10 schema)
VERSIONS = ("2026-01", "2026-04", "2026-07", "2026-10")
LATEST = VERSIONS[-1]
#: from this version ``refundCreate`` must carry ``@idempotent(key:)``
IDEMPOTENCY_REQUIRED_FROM = "2026-04"


def answering_version(asked: str) -> str:
    """The version that answers a request made to ``/admin/api/<asked>/graphql.json``."""
    return asked if asked in VERSIONS else VERSIONS[0]


@dataclass
class ShopifySimConfig(SimConfig):
    token: str = DEFAULT_TOKEN
    store: str = DEFAULT_STORE
    bucket: float = 1000.0  # cost points the bucket holds
    restore_rate: float = 50.0  # points restored per second
    max_cost: int = 1000  # the most one query may cost
    bulk_delay_s: float = 0.0  # how long a bulk operation stays RUNNING before it completes
    #: serve this demo supplier's back office (``<data>/suppliers/demo/state.sqlite3``, the
    #: one the demo shop adapter reads) instead of one of the simulator's own
    demo_state: Path | None = None
    demo_supplier: str = "demo"  # that supplier's name, which its orders are generated with
    #: the store's currency: the demo shop's amounts, as they are, in this currency (a
    #: store in EUR, for profit in two currencies)
    currency: str = "USD"
