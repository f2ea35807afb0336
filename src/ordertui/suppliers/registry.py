"""Finding adapter classes by ``kind`` through the ``ordertui.suppliers`` entry points."""

from __future__ import annotations

from functools import cache
from importlib import import_module

from ordertui.domain.errors import OrdertuiError
from ordertui.suppliers.base import SupplierAdapter

#: built-in adapters, also found when running from a source tree that was never installed
BUILTIN = {
    "demo": "ordertui.suppliers.demo:DemoAdapter",
    "cj": "ordertui.suppliers.cj:CJAdapter",
    "aliexpress": "ordertui.suppliers.aliexpress:AliExpressAdapter",
}


@cache
def _entry_points() -> dict[str, str]:
    from importlib.metadata import entry_points  # scans every installed package: only here

    found = dict(BUILTIN)
    for ep in entry_points(group="ordertui.suppliers"):
        found[ep.name] = ep.value
    return found


def kinds() -> list[str]:
    return sorted(_entry_points())


def adapter_class(kind: str) -> type[SupplierAdapter]:
    # the built-in kinds are known without reading every installed package's metadata
    target = BUILTIN.get(kind) or _entry_points().get(kind)
    if target is None:
        raise OrdertuiError(f"unknown supplier kind {kind!r}; known kinds: {', '.join(kinds())}")
    module_name, _, attr = target.partition(":")
    try:
        cls = getattr(import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise OrdertuiError(f"supplier kind {kind!r} cannot be loaded ({target}): {exc}") from exc
    if not (isinstance(cls, type) and issubclass(cls, SupplierAdapter)):
        raise OrdertuiError(f"supplier kind {kind!r} ({target}) is not a SupplierAdapter")
    return cls
