"""What every part of the services stands on: the config and the clock, the store, the
suppliers' adapters (made when first needed) and what each supplier can do."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from ordertui.adapters import AdapterContext, SharedState
from ordertui.config import Config
from ordertui.domain import rules
from ordertui.domain.capabilities import Action, Capability
from ordertui.domain.errors import CapabilityMissing, OrdertuiError
from ordertui.domain.models import Order
from ordertui.domain.roles import Permission, Role
from ordertui.domain.states import in_sentence
from ordertui.i18n import _
from ordertui.secrets import TOKEN_FILE, check_private
from ordertui.services.runner import OutboxRunner
from ordertui.services.settings import check_suppliers
from ordertui.services.shared_state import StoreSharedState
from ordertui.store import Store
from ordertui.suppliers.base import SupplierAdapter
from ordertui.suppliers.registry import adapter_class


@dataclass(frozen=True, slots=True)
class SupplierInfo:
    name: str
    kind: str
    title: str
    capabilities: frozenset[Capability]
    is_demo: bool
    follow_up_s: float  # how often to sync while its answer is awaited (the adapter's)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class ServicesBase:
    def __init__(self, config: Config, *, clock: Callable[[], datetime] = _now,
                 role: Role | None = None) -> None:
        check_suppliers(config)  # a known kind and accepted settings for every supplier
        self.config = config
        self.clock = clock
        #: what the person in this session may do (``require`` refuses the rest)
        self.role: Role = role if role is not None else config.role()
        self.data_dir = config.data_dir
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):  # a directory the merchant made; keep theirs
            os.chmod(self.data_dir, 0o700)
        # a supplier's token cache that others can read: refuse to start, as ssh does
        for token_file in sorted((self.data_dir / "suppliers").glob("*/*token*.json")):
            check_private(token_file, _(TOKEN_FILE))
        self.store = Store(config.store_url or self.data_dir / "store.sqlite3",
                           password=config.store_password())
        # a database user tied to a role ([roles.NAME] db_users) brings that role's limits
        # along, whatever --role said: the database enforces them too (store grant)
        for tied in config.roles.values():
            if self.store.db_user and self.store.db_user in tied.db_users:
                self.role = self.role.narrowed(tied)
                break
        self._adapters: dict[str, SupplierAdapter] = {}
        self._shared: StoreSharedState | None = None
        #: set whenever an action is queued, so a waiting outbox runner wakes at once
        self.outbox_wakeup: asyncio.Event | None = None
        self._runner: OutboxRunner | None = None
        self._taking_ids: list[tuple[str, str]] | None = None

    # --- the session's role ------------------------------------------------------------
    def allows(self, permission: Permission) -> bool:
        return self.role.allows(permission)

    def require(self, permission: Permission) -> None:
        """Raise ``NotAllowed`` unless the session's role allows ``permission``. Every entry
        point that changes or sends something calls it first, before anything is written
        or queued."""
        self.role.require(permission)

    def use_role(self, role: Role) -> None:
        """Take ``role`` from now on: a store that knows who logs in to it narrows the
        session's role to what that user's role allows too (``Role.narrowed``)."""
        self.role = role

    def wake_outbox(self) -> None:
        """Something was queued: a runner waiting in this session sends it at once."""
        if self.outbox_wakeup is not None:
            self.outbox_wakeup.set()

    def supplier_names(self) -> list[str]:
        return list(self.config.suppliers)

    def adapter(self, name: str) -> SupplierAdapter:
        if name not in self._adapters:
            sc = self.config.suppliers.get(name)
            if sc is None:
                raise OrdertuiError(_("no supplier named {name} in {path}; configured: "
                                      "{suppliers}").format(
                    name=repr(name), path=self.config.path,
                    suppliers=", ".join(self.config.suppliers)))
            cls = adapter_class(sc.kind)
            context = AdapterContext(directory=self.data_dir / "suppliers" / name,
                                     clock=self.clock, config_path=self.config.path,
                                     shared=self.shared_state())
            context.directory.mkdir(parents=True, exist_ok=True)
            self._adapters[name] = cls(name, sc.settings, context)
        return self._adapters[name]

    def shared_state(self) -> SharedState | None:
        """What adapters keep once for every ordertui sharing the store (a supplier's
        token, the journal of its writes); None when the store is this machine's own (the
        adapters keep theirs in their directories, as always)."""
        if self.store.backend == "sqlite":
            return None
        if self._shared is None:
            self._shared = StoreSharedState(self.store)
        return self._shared

    def supplier_info(self, name: str) -> SupplierInfo:
        sc = self.config.suppliers.get(name)
        if sc is None:
            # orders from a supplier that is no longer configured stay readable
            return SupplierInfo(name, "unknown", name, frozenset(), False,
                                SupplierAdapter.follow_up_s)
        cls = adapter_class(sc.kind)
        return SupplierInfo(name, sc.kind, _(cls.title), cls.capabilities, cls.is_demo,
                            cls.follow_up_s)

    def suppliers_taking_ids(self) -> list[tuple[str, str]]:
        """(name, title) of each configured supplier whose orders are added by their ids
        (its API lists none)."""
        if self._taking_ids is None:
            infos = [self.supplier_info(n) for n in self.config.suppliers]
            self._taking_ids = [(i.name, i.title) for i in infos
                                if Capability.ADD_BY_ID in i.capabilities]
        return self._taking_ids

    @property
    def is_demo(self) -> bool:
        """Some supplier is simulated: the screens say that nothing shown is real."""
        return any(self.supplier_info(name).is_demo for name in self.config.suppliers)

    def demo_supplier(self) -> str:
        for name in self.config.suppliers:
            if self.supplier_info(name).is_demo:
                return name
        raise OrdertuiError(_("no demo supplier is configured; add [suppliers.demo] with "
                              "kind = \"demo\" to the config"))

    async def aclose(self) -> None:
        for adapter in self._adapters.values():
            await adapter.aclose()
        self._adapters.clear()
        self.store.close()

    def _stamp(self) -> tuple[datetime, int]:
        now = self.clock()
        return now, int(now.timestamp())

    def _require(self, order: Order, action: Action) -> None:
        """The action must suit the order's state, and the supplier must do it by API."""
        rules.check_action(order, action)
        info = self.supplier_info(order.supplier)
        if action.capability not in info.capabilities:
            url = None
            if order.supplier in self.config.suppliers:
                url = self.adapter(order.supplier).web_url(order, action)
            raise CapabilityMissing(order.supplier, in_sentence(action.label), url)

    def check_action(self, order: Order, action: Action) -> None:
        """Raise why ``action`` cannot be done on ``order`` now, by API; ``CapabilityMissing``
        (with the supplier's own page) when only its web page can do it."""
        self._require(order, action)

    def why_not(self, order: Order, action: Action) -> str:
        """Why ``action`` cannot be done on ``order`` now, by API, in one line; "" when it
        can."""
        try:
            self._require(order, action)
        except OrdertuiError as exc:
            return str(exc)
        return ""
