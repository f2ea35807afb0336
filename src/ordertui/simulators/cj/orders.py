"""CJ's order endpoints as the simulator answers them: ``shopping/order/list`` (filtered by
status and ids, newest first, pages capped silently at ``max_page_size``, ``status``
defaulting to ``CANCELLED`` as CJ documents), ``getOrderDetail`` (the list item with its
products, latest dispute and dispatch time), ``deleteOrder`` (unpaid orders only) and
``logistic/trackInfo`` (the parcel's present state)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from starlette.requests import Request

from ordertui.simulators.cj.state import CJState
from ordertui.simulators.cj.wire import (
    STATUSES,
    UNPAID,
    CJError,
    china_time,
    cj_uuid,
    line_item_id,
    store_line_item_id,
    usd,
)


class CJOrders(CJState):
    """The order endpoints, answered from the index of ``CJState``."""

    # --- the endpoints ---------------------------------------------------------------------
    def order_list(self, request: Request, body: dict[str, Any]) -> Any:
        q = request.query_params
        page_num = max(int(q.get("pageNum") or 1), 1)
        page_size = max(min(int(q.get("pageSize") or 20), self.config.max_page_size), 1)
        status = q.get("status") or "CANCELLED"  # as CJ's documentation says
        ids = [i for v in q.getlist("orderIds") for i in v.split(",") if i]
        if status not in (*STATUSES, "OTHER"):
            raise CJError(1600300, f"status {status} is not supported")
        if ids:
            wanted = {self.scheme.index(i, self.visible) for i in ids} - {None}
            matches = [i for i in wanted if i is not None and i in self.status]
        else:
            matches = list(self.status)
        if status == "OTHER":
            matches = [i for i in matches if self.status[i] not in STATUSES]
        else:
            matches = [i for i in matches if self.status[i] == status]
        matches.sort(reverse=True)  # newest first
        page = matches[(page_num - 1) * page_size: page_num * page_size]
        return {"pageNum": page_num, "pageSize": page_size, "total": len(matches),
                "list": [self._item(i) for i in page]}

    def order_detail(self, request: Request, body: dict[str, Any]) -> Any:
        idx = self._idx(request.query_params.get("orderId"))
        o = self._order(idx)
        item = self._item(idx)
        dispute = self._latest_dispute(idx)
        products = [{"vid": cj_uuid(i.sku), "quantity": i.quantity,
                     "sellPrice": usd(i.unit_cost.amount),
                     "storeLineItemId": store_line_item_id(idx, n),
                     "lineItemId": line_item_id(idx, n), "podPropertiesInfo": None}
                    for n, i in enumerate(o.items)]
        return {**item, "platformOrderId": o.name, "cjOrderCode": f"CJPKL{idx:010d}",
                "fromCountryCode": "CN", "disputeId": dispute,
                "outWarehouseTime": china_time(o.shipped_at) if item["trackNumber"] else "",
                "isComplete": 1, "productList": products}

    def delete_order(self, request: Request, body: dict[str, Any]) -> Any:
        order_id = request.query_params.get("orderId")
        if not order_id:
            raise CJError(16900403, "orderId can not be empty")
        idx = self.scheme.index(order_id, self.visible)
        if idx is None or idx not in self.status:
            raise CJError(1603100, "order not found")
        if self.status[idx] not in UNPAID:
            raise CJError(1603002, f"Order delete fail: the order is {self.status[idx]}")
        with self._db() as con:
            con.execute("INSERT INTO overlay (idx, deleted) VALUES (?, 1) ON CONFLICT (idx) "
                        "DO UPDATE SET deleted = 1", (idx,))
        self.status.pop(idx)
        self.stats.applied_action("order_delete", order_id)
        return True

    def track_info(self, request: Request, body: dict[str, Any]) -> Any:
        numbers = [n for v in request.query_params.getlist("trackNumber") for n in v.split(",")
                   if n]
        if not numbers:
            raise CJError(16900403, "trackNumber can not be empty")
        result = []
        for number in numbers:
            idx = self.tracking.get(number)
            if idx is None or idx not in self.status:
                continue
            o = self._order(idx)
            last = o.tracking_events[-1] if o.tracking_events else None
            shipped = o.shipped_at or o.created_at
            end = o.delivered_at or datetime.fromtimestamp(self.now(), UTC)
            result.append({
                "trackingNumber": number, "logisticName": o.carrier,
                "trackingFrom": "CN", "trackingTo": o.customer.address.country,
                "deliveryDay": str(max((end - shipped).days, 0)),
                "deliveryTime": china_time(o.delivered_at) if o.delivered_at else "",
                "trackingStatus": last.description if last else "In transit",
                "lastMileCarrier": o.carrier, "lastTrackNumber": number})
        return result

    # --- an order as CJ lists it ------------------------------------------------------------
    def _item(self, idx: int) -> dict[str, Any]:
        o = self._order(idx)
        a = o.customer.address
        status = self.status[idx]
        track = self.track_of.get(idx, "") if status in ("SHIPPED", "DELIVERED") else ""
        product = sum((i.unit_cost.amount * i.quantity for i in o.items), Decimal(0))
        return {
            "orderId": o.supplier_order_id, "orderNum": o.name,
            "cjOrderId": o.supplier_order_id, "shippingCountryCode": a.country,
            "shippingProvince": a.province, "shippingCity": a.city,
            "shippingAddress": " ".join(p for p in (a.line1, a.line2) if p),
            "shippingCustomerName": o.customer.name, "shippingPhone": o.customer.phone,
            "remark": "", "logisticName": o.carrier if track else "", "trackNumber": track,
            "trackingUrl": f"https://cjpacket.com/?trackingNumber={track}" if track else "",
            "orderWeight": 180 * o.quantity, "orderAmount": usd(o.total_cost.amount),
            "orderStatus": status, "createDate": china_time(o.created_at),
            "paymentDate": china_time(o.paid_at) if status not in UNPAID else "",
            "storeCreateDate": o.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            "productAmount": usd(product),
            "postageAmount": usd(o.shipping_cost.amount if o.shipping_cost else Decimal(0)),
            "storageId": "201e67f6ba4644c0a36d63bf4989dd70", "storageName": "CN Warehouse",
        }
