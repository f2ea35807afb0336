"""CJ's wire format as the simulator writes it: the API's base path, the order status words,
``CJError`` (a code, a message and the HTTP status it goes out with), the envelope every
answer comes in, and how amounts, times and CJ's ids are written."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from starlette.responses import Response

from ordertui.simulators.common import json_response, new_request_id
from ordertui.simulators.demo.shop_orders import Ids

BASE_PATH = "/api2.0/v1"
CHINA = timezone(timedelta(hours=8))
OPEN_STATUSES = ("CREATED", "IN_CART", "UNPAID", "UNSHIPPED", "SHIPPED")
STATUSES = (*OPEN_STATUSES, "DELIVERED", "CANCELLED")
UNPAID = ("CREATED", "IN_CART", "UNPAID")


class CJError(Exception):
    def __init__(self, code: int, message: str, status: int = 200) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def envelope(data: Any, error: CJError | None = None) -> Response:
    """``{code, result, message, data, requestId, success}``, as every CJ answer is."""
    rid = new_request_id()
    if error is not None:
        return json_response({"code": error.code, "result": False, "message": error.message,
                              "data": None, "requestId": rid, "success": False},
                             status=error.status, request_id=rid)
    return json_response({"code": 200, "result": True, "message": "Success", "data": data,
                          "requestId": rid, "success": True}, request_id=rid)


def usd(value: Decimal) -> float:
    """An amount in US dollars, to the cent, as a JSON number."""
    return float(value.quantize(Decimal("0.01")))


def china_time(ts: datetime | float | None) -> str:
    """CJ writes most times without an offset, in China time (see the adapter)."""
    if ts is None:
        return ""
    dt = ts if isinstance(ts, datetime) else datetime.fromtimestamp(ts, UTC)
    return dt.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")


def iso_time(ts: float) -> str:
    """ISO 8601 with China's offset, as the token calls write their dates."""
    return datetime.fromtimestamp(ts, CHINA).isoformat(timespec="seconds")


def cj_uuid(text: str) -> str:
    """A CJ-style id (an upper-case UUID) for a product, a variant or an image, always the
    same for the same text."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"cj-sim:{text}")).upper()


def line_item_id(idx: int, n: int) -> str:
    """The ``lineItemId`` of the ``n``-th line of the order at ``idx``: the order's details
    and its dispute products must name a line alike."""
    return f"27572784{idx:09d}{n:02d}"


def store_line_item_id(idx: int, n: int) -> str:
    """The ``storeLineItemId`` of the ``n``-th line of the order at ``idx``: the id of the
    shop's line it was ordered for, as the store numbers it (the demo shop's, which the
    Shopify simulator serves as ``gid://shopify/LineItem/<this>``), so that a supplier's
    line leads back to the customer's."""
    return Ids.gid("LineItem", Ids.LINE + idx * 8 + n).rpartition("/")[2]
