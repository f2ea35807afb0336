"""What every adapter shares, supplier or shop: the context the app gives it, and its answer
to "did this action already take effect?" after a send whose outcome is unknown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path


class Applied(StrEnum):
    YES = "yes"
    NO = "no"


@dataclass(slots=True)
class AdapterContext:
    """What an adapter gets from the app: a directory of its own (token caches, state), the
    app's clock, and the config file's path to name in errors about its settings. An adapter
    over HTTP builds its own client (``ordertui.http.SupplierHTTP``, which carries
    the shared discipline)."""

    directory: Path
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    config_path: Path | None = None  # named in errors about the adapter's settings
