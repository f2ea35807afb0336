"""The local SQLite store the screens read from. Only this package knows SQL.

``Store`` is composed of one class per job, each over ``StoreBase`` (connections and
transactions, in ``connection.py``): reading orders (``queries.py``), writing an order's
local states (``order_states.py``), merging what suppliers report (``sync_merge.py``), the
state of each sync (``sync_state.py``), the audit log (``audit.py``), the merchant's shop
orders with their links to supplier orders (``shop_orders.py``), the published exchange
rates (``fx.py``) and what adapters keep once for a shared store (``adapter_state.py``);
``rows.py`` converts between rows and domain objects. ``Store`` is the one public import."""

from __future__ import annotations

from pathlib import Path

from ordertui.store.adapter_state import AdapterState
from ordertui.store.audit import AuditLog
from ordertui.store.fx import FxRates
from ordertui.store.order_states import OrderStates
from ordertui.store.outbox import Outbox
from ordertui.store.queries import OrderQueries
from ordertui.store.shop_orders import ShopOrders
from ordertui.store.sync_merge import SyncMerge
from ordertui.store.sync_state import SyncState


class Store(SyncMerge, OrderStates, OrderQueries, SyncState, AuditLog, ShopOrders, FxRates,
            AdapterState):
    """The merchant's local database."""

    def __init__(self, target: Path | str, *, password: str | None = None) -> None:
        super().__init__(target, password=password)
        self.outbox = Outbox(self)


__all__ = ["Store"]
