"""Supplier policies and buyer protection: the part of ``ReturnsService`` that reads each
supplier's return policy and the ``[returns]`` settings from the config, keeps the windows
the "protection ends soon" filter reads, and tells how much protection an order has left.

Composed into ``ordertui.services.returns.ReturnsService``; call it as
``services.returns.policy_for(...)`` and so on.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from ordertui.domain.errors import ConfigError, StoreBusy, StoreRefused
from ordertui.domain.models import Order
from ordertui.domain.policy import ProtectionStatus, SupplierPolicy, protection_status
from ordertui.services.policy import MerchantReturns, merchant_returns, supplier_policy
from ordertui.store import Store
from ordertui.store.returns import ReturnsStore

if TYPE_CHECKING:
    from ordertui.services.core import Services

#: the log lines name the logger; these warnings keep the name they had before the split
log = logging.getLogger("ordertui.services.returns")


class ProtectionMixin:
    """Policies and buyer protection; ``ReturnsService`` sets the attributes below."""

    services: Services
    store: Store
    db: ReturnsStore

    def merchant(self) -> MerchantReturns:
        """The ``[returns]`` settings; raises ``ConfigError`` naming a bad key."""
        return merchant_returns(self.services.config)

    def policy_for(self, supplier: str) -> SupplierPolicy:
        """The supplier's return policy; raises ``ConfigError`` for a bad ``policy`` table."""
        return supplier_policy(self.services.config, supplier)

    def policies(self) -> dict[str, SupplierPolicy]:
        return {name: self.policy_for(name) for name in self.services.config.suppliers}

    def sync_protection(self) -> None:
        """Write every supplier's protection window where the orders filter reads it.

        A supplier whose policy table is wrong is left out (its orders never match the
        filter) rather than stopping the app; ``policy_for`` reports the problem."""
        windows: dict[str, tuple[int, str]] = {}
        for name in self.services.config.suppliers:
            try:
                p = self.policy_for(name)
            except ConfigError as exc:
                log.warning("buyer protection filter skips %s: %s", name, exc)
                continue
            windows[name] = (p.protection_days, p.protection_from.value)
        try:
            self.db.set_protection_windows(windows)
        except (StoreBusy, StoreRefused) as exc:  # a viewer's database user writes nothing
            log.warning("buyer protection windows not updated: %s", exc)

    def protection(self, order_id: int, *, now: datetime | None = None) -> ProtectionStatus:
        order = self.store.get_order(order_id)
        return self._protection(order, self.policy_for(order.supplier), now)

    def _protection(self, order: Order, policy: SupplierPolicy, now: datetime | None
                    ) -> ProtectionStatus:
        return protection_status(policy, ordered_at=order.created_at,
                                 delivered_at=order.delivered_at,
                                 now=now or self.services.clock())
