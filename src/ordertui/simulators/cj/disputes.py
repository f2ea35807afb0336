"""CJ's dispute endpoints as the simulator answers them, and how CJ decides.

A dispute takes three calls, as at CJ: ``disputeProducts`` (the lines that can be disputed;
none while a dispute is unfinished or the order unpaid), ``disputeConfirmInfo`` (the
chosen lines' amounts, the reasons offered for the order's status, refund or reissue) and
``create`` (refused for a repeated ``businessDisputeId``, answering ``true`` without the
new dispute's id). ``cancel`` withdraws a dispute still processing; ``getDisputeList``
pages the disputes opened through the API together with the engine's seeded ones, newest
first.

``review_delay_s`` after a dispute was opened, CJ's staff decide it: a cancellation
(reason "Unfulfilled Order Cancellation") is refunded if the order is still ``UNSHIPPED``,
which then becomes ``CANCELLED``, and rejected otherwise; any other dispute is refunded
70 % of the time (``fraction`` of the shop's seed and the dispute's id).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from starlette.requests import Request

from ordertui.domain.states import DisputeReason, DisputeState
from ordertui.simulators.cj.state import CJState
from ordertui.simulators.cj.wire import CJError, china_time, cj_uuid, line_item_id, usd
from ordertui.simulators.demo import fraction

CANCEL_REASON = (1, "Unfulfilled Order Cancellation")
AFTER_SHIPPING_REASONS = [(2, "Products Not Received"), (3, "Products Not As Described"),
                          (4, "Products Damaged"), (5, "Wrong Products Received"),
                          (6, "Price Or Billing Problem"), (9, "Other")]
FIRST_DISPUTE_NUMBER = 1_623_673_863_466_725_376
#: how CJ names the reason of a dispute the demo engine seeded ("Other" for the rest)
SEEDED_REASONS = {DisputeReason.NOT_RECEIVED: "Products Not Received",
                  DisputeReason.NOT_AS_DESCRIBED: "Products Not As Described"}


class CJDisputes(CJState):
    """The dispute endpoints (table ``disputes``, status "Processing", then "Finished" with
    ``finally_deal`` 1 refunded or 3 rejected, or "Cancelled") and CJ's decisions."""

    # --- the endpoints ---------------------------------------------------------------------
    def dispute_products(self, request: Request, body: dict[str, Any]) -> Any:
        idx = self._idx(request.query_params.get("orderId"))
        o = self._order(idx)
        return {"orderId": o.supplier_order_id, "orderNumber": o.name,
                "productInfoList": self._product_info(idx)}

    def dispute_confirm(self, request: Request, body: dict[str, Any]) -> Any:
        idx = self._idx(body.get("orderId"))
        return self._confirm(idx, body.get("productInfoList"))

    def dispute_create(self, request: Request, body: dict[str, Any]) -> Any:
        for key in ("businessDisputeId", "orderId", "disputeReasonId", "expectType",
                    "refundType", "messageText"):
            if body.get(key) in (None, ""):
                raise CJError(16900403, f"{key} can not be empty")
        business = str(body["businessDisputeId"])
        if len(business) > 100 or len(str(body["messageText"])) > 500:
            raise CJError(1600300, "businessDisputeId or messageText is too long")
        with self._db() as con:
            if con.execute("SELECT 1 FROM disputes WHERE business_id = ?",
                           (business,)).fetchone():
                self.stats.duplicate("dispute_create")
                raise CJError(1607008, "dispute create fail: businessDisputeId already exists")
        idx = self._idx(str(body["orderId"]))
        confirm = self._confirm(idx, body.get("productInfoList"))
        reasons = {r["disputeReasonId"]: r["reasonName"] for r in confirm["disputeReasonList"]}
        reason = body["disputeReasonId"]
        if reason not in reasons:
            raise CJError(1607008, "dispute create fail: this reason is not available")
        if str(body["expectType"]) not in confirm["expectResultOptionList"] or \
                body["refundType"] not in (1, 2):
            raise CJError(1607008, "dispute create fail: expectType or refundType is invalid")
        amount = sum((Decimal(str(p.get("price", 0))) for p in body["productInfoList"]),
                     Decimal(0))
        if amount <= 0 or amount > Decimal(str(confirm["maxAmount"])):
            raise CJError(1607008, f"dispute create fail: the amount must be more than 0 and "
                          f"at most {confirm['maxAmount']}")
        with self._db() as con:
            n = int(self._meta(con, "disputes")) + 1
            con.execute("UPDATE meta SET value = ? WHERE key = 'disputes'", (str(n),))
            dispute_id = f"SH{FIRST_DISPUTE_NUMBER + n}"
            con.execute("INSERT INTO disputes (id, idx, business_id, reason_id, reason_name, "
                        "expect_type, refund_type, message, amount, products, created, status) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'Processing')",
                        (dispute_id, idx, business, reason, reasons[reason],
                         int(body["expectType"]), int(body["refundType"]),
                         str(body["messageText"]), str(amount),
                         json.dumps(body["productInfoList"]), self.now()))
        self.stats.applied_action("dispute_create", business)
        return True

    def dispute_cancel(self, request: Request, body: dict[str, Any]) -> Any:
        order_id, dispute_id = body.get("orderId"), body.get("disputeId")
        if not order_id or not dispute_id:
            raise CJError(16900403, "orderId and disputeId can not be empty")
        idx = self._idx(str(order_id))
        with self._db() as con:
            row = con.execute("SELECT status FROM disputes WHERE id = ? AND idx = ?",
                              (str(dispute_id), idx)).fetchone()
            if row is None:
                raise CJError(1607009, "dispute cancel fail: no such dispute on this order")
            if row[0] != "Processing":
                raise CJError(1607009, f"dispute cancel fail: the dispute is {row[0]}")
            con.execute("UPDATE disputes SET status = 'Cancelled' WHERE id = ?",
                        (str(dispute_id),))
        self.stats.applied_action("dispute_cancel", str(dispute_id))
        return True

    def dispute_list(self, request: Request, body: dict[str, Any]) -> Any:
        q = request.query_params
        page_num = max(int(q.get("pageNum") or 1), 1)
        page_size = max(min(int(q.get("pageSize") or 10), self.config.max_page_size), 1)
        order_id, dispute_id = q.get("orderId"), q.get("disputeId")
        number = q.get("orderNumber")
        wanted: set[int] | None = None
        if order_id:
            idx = self.scheme.index(order_id, self.visible)
            wanted = {idx} if idx is not None else set()
        if number:
            wanted = {i for i in self.status if self._order(i).name == number} & (
                wanted if wanted is not None else set(self.status))
        items: list[tuple[float, dict[str, Any]]] = []
        with self._db() as con:
            rows = con.execute("SELECT id, idx, reason_name, status, finally_deal, money, "
                               "created FROM disputes").fetchall()
        for did, idx, reason, status, deal, money, created in rows:
            if wanted is not None and idx not in wanted:
                continue
            items.append((created, {
                "id": did, "status": status, "disputeReason": reason,
                "replacementAmount": 0.0, "resendOrderCode": None,
                "money": float(Decimal(money)) if money else 0.0, "finallyDeal": deal,
                "createDate": china_time(created), "productList": self._dispute_products(idx),
                "_idx": idx}))
        for idx in self.seeded:
            if idx in self.status and (wanted is None or idx in wanted):
                seeded = self._seeded_item(idx)
                if seeded is not None:
                    o = self._order(idx)
                    assert o.dispute is not None
                    items.append((o.dispute.opened_at.timestamp(), {**seeded, "_idx": idx}))
        chosen = [item for _, item in sorted(items, key=lambda t: t[0], reverse=True)
                  if not dispute_id or item["id"] == dispute_id]
        page = chosen[(page_num - 1) * page_size: page_num * page_size]
        return {"pageNum": page_num, "pageSize": page_size, "total": len(chosen),
                "list": [{k: v for k, v in item.items() if k != "_idx"} for item in page]}

    # --- CJ's decisions ---------------------------------------------------------------------
    def _decide_due(self) -> None:
        """CJ's staff decide disputes ``review_delay_s`` after they were opened."""
        now = self.now()
        with self._db() as con:
            due = con.execute("SELECT id, idx, reason_id, amount FROM disputes WHERE "
                              "status = 'Processing' AND created <= ?",
                              (now - self.config.review_delay_s,)).fetchall()
            for dispute_id, idx, reason, amount in due:
                status = self.status.get(idx)
                if reason == CANCEL_REASON[0]:
                    refund = status == "UNSHIPPED"
                else:
                    refund = fraction(self.config.seed, dispute_id) < 0.7
                con.execute("UPDATE disputes SET status = 'Finished', finally_deal = ?, "
                            "money = ? WHERE id = ?",
                            (1 if refund else 3, amount if refund else "0", dispute_id))
                if refund and reason == CANCEL_REASON[0]:
                    con.execute("INSERT INTO overlay (idx, status) VALUES (?, 'CANCELLED') "
                                "ON CONFLICT (idx) DO UPDATE SET status = 'CANCELLED'", (idx,))
                    self.status[idx] = "CANCELLED"

    # --- what can be disputed, and what the list shows ---------------------------------------
    def _confirm(self, idx: int, lines: Any) -> dict[str, Any]:
        if not isinstance(lines, list) or not lines:
            raise CJError(16900403, "productInfoList can not be empty")
        info = {p["lineItemId"]: p for p in self._product_info(idx)}
        chosen = []
        total = Decimal(0)
        for line in lines:
            if not isinstance(line, dict):
                raise CJError(1600300, "productInfoList items must be objects")
            p = info.get(str(line.get("lineItemId")))
            if p is None:
                raise CJError(1607007, "dispute confirm fail: unknown lineItemId")
            if not p["canChoose"]:
                raise CJError(1607007, "dispute confirm fail: this product cannot be disputed "
                              "now (an unfinished dispute exists or the order is not paid)")
            qty = line.get("quantity")
            if not isinstance(qty, int) or not 0 < qty <= p["quantity"]:
                raise CJError(1607007, "dispute confirm fail: quantity out of range")
            chosen.append(p)
            total += Decimal(str(p["price"])) * qty
        o = self._order(idx)
        postage = o.shipping_cost.amount if o.shipping_cost else Decimal(0)
        reasons = [CANCEL_REASON, (9, "Other")] if self.status[idx] == "UNSHIPPED" \
            else AFTER_SHIPPING_REASONS
        return {"orderId": o.supplier_order_id, "orderNumber": o.name,
                "expectResultOptionList": ["1", "2"], "maxProductPrice": usd(total),
                "maxPostage": usd(postage), "maxIossTaxAmount": 0.0,
                "maxIossHandTaxAmount": 0.0, "maxAmount": usd(total + postage),
                "productInfoList": chosen,
                "disputeReasonList": [{"disputeReasonId": r, "reasonName": n}
                                      for r, n in reasons]}

    def _product_info(self, idx: int) -> list[dict[str, Any]]:
        o = self._order(idx)
        can = self._disputable(idx) and not self._unfinished(idx)
        return [{"lineItemId": line_item_id(idx, n), "cjProductId": cj_uuid("P" + i.product_id),
                 "cjVariantId": cj_uuid(i.sku), "canChoose": can,
                 "price": usd(i.unit_cost.amount), "quantity": i.quantity,
                 "cjProductName": f"{i.title} {i.variant}".strip(),
                 "cjImage": f"https://cc-west-usa.oss-us-west-1.aliyuncs.com/{cj_uuid(i.sku)}.jpg",
                 "sku": i.sku, "supplierName": "CJ"} for n, i in enumerate(o.items)]

    def _dispute_products(self, idx: int) -> list[dict[str, Any]]:
        return [{"image": p["cjImage"], "price": p["price"], "lineItemId": p["lineItemId"],
                 "cjProductId": p["cjProductId"], "cjVariantId": p["cjVariantId"],
                 "productName": p["cjProductName"], "supplierName": p["supplierName"]}
                for p in self._product_info(idx)]

    def _seeded_item(self, idx: int) -> dict[str, Any] | None:
        o = self._order(idx)
        d = o.dispute
        if d is None:
            return None
        deal, status, money = None, "Processing", 0.0
        if d.state is DisputeState.RESOLVED_REFUNDED:
            deal, status = 1, "Finished"
            money = usd((d.refunded or d.amount).amount)
        elif d.state is DisputeState.RESOLVED_REJECTED:
            deal, status = 3, "Finished"
        elif d.state is DisputeState.WITHDRAWN:
            status = "Cancelled"
        reason = SEEDED_REASONS.get(d.reason, "Other")
        return {"id": self.seeded[idx], "status": status, "disputeReason": reason,
                "replacementAmount": 0.0, "resendOrderCode": None, "money": money,
                "finallyDeal": deal, "createDate": china_time(d.opened_at),
                "productList": self._dispute_products(idx)}

    def _latest_dispute(self, idx: int) -> str | None:
        with self._db() as con:
            row = con.execute("SELECT id FROM disputes WHERE idx = ? ORDER BY created DESC "
                              "LIMIT 1", (idx,)).fetchone()
        return row[0] if row else self.seeded.get(idx)

    def _unfinished(self, idx: int) -> bool:
        with self._db() as con:
            if con.execute("SELECT 1 FROM disputes WHERE idx = ? AND status = 'Processing'",
                           (idx,)).fetchone():
                return True
        o = self._order(idx)
        return idx in self.seeded and o.dispute is not None and not o.dispute.state.terminal \
            and not self._has_created(idx)

    def _has_created(self, idx: int) -> bool:
        with self._db() as con:
            return con.execute("SELECT 1 FROM disputes WHERE idx = ?", (idx,)).fetchone() \
                is not None

    def _disputable(self, idx: int) -> bool:
        return self.status[idx] in ("UNSHIPPED", "SHIPPED", "DELIVERED")
