"""Finding shop adapter classes by ``kind`` through the ``ordertui.shops`` entry points
(``ordertui.plugins``)."""

from __future__ import annotations

from ordertui.plugins import Registry
from ordertui.shops.base import ShopAdapter

REGISTRY: Registry[ShopAdapter] = Registry("ordertui.shops", ShopAdapter, {
    "demo": "ordertui.shops.demo:DemoShop",
    "shopify": "ordertui.shops.shopify:ShopifyAdapter",
}, "shop")


def kinds() -> list[str]:
    return REGISTRY.kinds()


def adapter_class(kind: str) -> type[ShopAdapter]:
    return REGISTRY.adapter_class(kind)
