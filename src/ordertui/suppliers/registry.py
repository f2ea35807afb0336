"""Finding supplier adapter classes by ``kind`` through the ``ordertui.suppliers`` entry
points (``ordertui.plugins``)."""

from __future__ import annotations

from ordertui.plugins import Registry
from ordertui.suppliers.base import SupplierAdapter

REGISTRY: Registry[SupplierAdapter] = Registry("ordertui.suppliers", SupplierAdapter, {
    "demo": "ordertui.suppliers.demo:DemoAdapter",
    "cj": "ordertui.suppliers.cj:CJAdapter",
    "aliexpress": "ordertui.suppliers.aliexpress:AliExpressAdapter",
}, "supplier")
BUILTIN = REGISTRY.builtin


def kinds() -> list[str]:
    return REGISTRY.kinds()


def adapter_class(kind: str) -> type[SupplierAdapter]:
    return REGISTRY.adapter_class(kind)
