"""CJ's product endpoints as the simulator answers them, from the demo engine's catalogue:
``product/variant/queryByVid`` (one variant by its id) and ``product/query`` (a product by
its ``pid``, with its variants). A variant's id is the one the order details give for its
SKU (``cj_uuid(sku)``), and a product's id the one the dispute products give
(``cj_uuid("P" + product_id)``), so the three answers name the same things alike.

A variant or product the catalogue does not hold — or one a test has delisted — is
answered with code 1600300, CJ's "param error" that its order details also use for an id it
does not know (which code CJ sends for an unknown vid is not documented)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from starlette.requests import Request

from ordertui.simulators.cj.state import CJState
from ordertui.simulators.cj.wire import CJError, cj_uuid, usd
from ordertui.simulators.demo import data


@dataclass(frozen=True, slots=True)
class Variant:
    vid: str
    pid: str
    title: str
    variant: str
    sku: str
    stem: str
    cost: Decimal


@lru_cache(maxsize=1)
def catalogue() -> tuple[dict[str, Variant], dict[str, list[Variant]]]:
    """Every variant of the demo catalogue by its CJ id, and every product's variants by
    the product's CJ id."""
    variants: dict[str, Variant] = {}
    products: dict[str, list[Variant]] = {}
    for title, names, stem, cost, _ in data.PRODUCTS:
        pid = cj_uuid(f"PP{stem}")  # the demo's product_id is "P" + stem
        for name in names:
            sku = f"{stem}-{name.upper().replace(' ', '')[:6]}"  # as the demo engine names it
            v = Variant(cj_uuid(sku), pid, title, name, sku, stem, Decimal(cost))
            if v.vid not in variants:
                variants[v.vid] = v
                products.setdefault(pid, []).append(v)
    return variants, products


def variant_json(v: Variant) -> dict[str, Any]:
    """A variant in CJ's field names."""
    return {
        "vid": v.vid, "pid": v.pid, "variantName": f"{v.title} {v.variant}",
        "variantNameEn": f"{v.title} {v.variant}",
        "variantImage": f"https://cc-west-usa.oss-us-west-1.aliyuncs.com/{v.vid}.jpg",
        "variantSku": v.sku, "variantUnit": "unit(s)", "variantProperty": None,
        "variantKey": v.variant, "variantLength": 120, "variantWidth": 80,
        "variantHeight": 40, "variantVolume": 384000, "variantWeight": 180,
        "variantSellPrice": usd(v.cost), "createTime": "2024-03-02 10:15:00",
    }


class CJProducts(CJState):
    """The product endpoints; ``delisted`` holds the variant ids a test took away."""

    def variant_by_vid(self, request: Request, body: dict[str, Any]) -> Any:
        vid = request.query_params.get("vid")
        if not vid:
            raise CJError(16900403, "vid can not be empty")
        v = catalogue()[0].get(vid)
        if v is None or vid in self.delisted:
            raise CJError(1600300, "variant not found")
        self.stats.count("variant_lookups")
        return variant_json(v)

    def product_query(self, request: Request, body: dict[str, Any]) -> Any:
        pid = request.query_params.get("pid")
        if not pid:
            raise CJError(16900403, "pid can not be empty")
        variants = [v for v in catalogue()[1].get(pid, []) if v.vid not in self.delisted]
        if not variants:
            raise CJError(1600300, "product not found")
        self.stats.count("product_lookups")
        first = variants[0]
        return {
            "pid": pid, "productName": f'["{first.title}"]', "productNameEn": first.title,
            "productSku": first.stem,
            "productImage": f"https://cc-west-usa.oss-us-west-1.aliyuncs.com/{pid}.jpg",
            "productWeight": "180", "productUnit": "unit(s)", "categoryName": "Demo",
            "sellPrice": usd(min(v.cost for v in variants)),
            "variants": [variant_json(v) for v in variants],
        }
