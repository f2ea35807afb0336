"""What every adapter shares, supplier or shop: the context the app gives it, and its answer
to "did this action already take effect?" after a send whose outcome is unknown."""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar

from ordertui.i18n import _


class Applied(StrEnum):
    YES = "yes"
    NO = "no"


class SharedState(abc.ABC):
    """What an adapter keeps once for every ordertui of the team rather than once per
    machine, when they share one store: values (anything JSON can hold) by (adapter, kind,
    key), and locks by name that one process at a time holds across all of them.

    The adapter chooses the names: ``adapter`` is its kind or its name in the config (a
    token per account, say, under the kind), ``kind`` what the value is ("token",
    "journal"), ``key`` which one. ``get``, ``put`` and ``items`` block (call them off the
    event loop); a secret put here is readable by every database user whose role syncs, so
    an adapter still registers it (``logs.register_secret``) when it reads it back."""

    @abc.abstractmethod
    def get(self, adapter: str, kind: str, key: str) -> Any:
        """The value, or None when there is none."""

    @abc.abstractmethod
    def put(self, adapter: str, kind: str, key: str, value: Any) -> None:
        """Keep ``value`` (replacing the one there), committed when this returns."""

    @abc.abstractmethod
    def items(self, adapter: str, kind: str, prefix: str = "") -> dict[str, Any]:
        """Every value of the kind whose key starts with ``prefix``, by key."""

    @abc.abstractmethod
    def lock(self, name: str, *, timeout_s: float = 60.0) -> AbstractAsyncContextManager[None]:
        """``async with shared.lock(name):`` — held by one process of the team at a time,
        and let go when its holder ends, however it ends. ``TimeoutError`` when another
        holds it longer than ``timeout_s``."""


@dataclass(slots=True)
class AdapterContext:
    """What an adapter gets from the app: a directory of its own (token caches, state), the
    app's clock, the config file's path to name in errors about its settings, and — when
    several ordertui share one store (PostgreSQL) — the state they share (``shared``; None
    with the store in the data directory, where the directory is the one place). An adapter
    over HTTP builds its own client (``ordertui.http.SupplierHTTP``, which carries
    the shared discipline)."""

    directory: Path
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    config_path: Path | None = None  # named in errors about the adapter's settings
    shared: SharedState | None = None


#: the connection settings every adapter over HTTP takes, with their ranges
TIMEOUTS: tuple[tuple[str, float, float], ...] = (("connect_timeout_s", 0.1, 300),
                                                  ("read_timeout_s", 0.1, 600))


def http_settings_problems(settings: Mapping[str, Any],
                           numbers: Iterable[tuple[str, float, float]] = TIMEOUTS
                           ) -> list[tuple[str, str]]:
    """What a supplier's or a shop's settings over HTTP may get wrong, as (key, message):
    a ``base_url`` that is neither https nor plain http to this machine, and ``numbers``
    (key, lowest, highest) that are no number in their range."""
    from ordertui.http import base_url_problem  # the HTTP client, only for such adapters

    problems: list[tuple[str, str]] = []
    if isinstance(settings.get("base_url"), str):
        problem = base_url_problem(settings["base_url"])
        if problem is not None:
            problems.append(("base_url", problem))
    for key, low, high in numbers:
        value = settings.get(key)
        if value is not None and (not isinstance(value, int | float)
                                  or isinstance(value, bool) or not low <= value <= high):
            # Translators: key is a config setting; low and high are written as in the config
            problems.append((key, _("{key} must be a number from {low} to {high}").format(
                key=key, low=low, high=high)))
    return problems


class PlatformAdapter(abc.ABC):
    """What a supplier adapter and a shop adapter both are: one configured account under
    its table (``[suppliers.<name>]`` or ``[shops.<name>]``), registered by ``kind``."""

    #: the ``kind`` under which this adapter is registered
    kind: ClassVar[str]
    #: the platform's name ("CJ Dropshipping", "Shopify")
    title: ClassVar[str]
    #: secrets among the settings (value keys); redacted wherever settings are shown
    secret_keys: ClassVar[tuple[str, ...]] = ()
    #: a simulated platform: every screen says that nothing shown is real
    is_demo: ClassVar[bool] = False

    def __init__(self, name: str, settings: Mapping[str, Any], context: AdapterContext) -> None:
        self.name = name
        self.settings = dict(settings)
        self.context = context

    @classmethod
    def validate_settings(cls, settings: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Problems with the settings as (key, message) pairs; empty when they are fine."""
        return []
