"""What tests and benchmarks ask of the simulated CJ, beside its API: the truth (every order
CJ lists with its status, every dispute opened through the API), and what happens at CJ
without the merchant — an order's status and tracking number change, spare orders appear as
new orders, tokens expire, a variant is delisted. As methods for a test in the same process,
and under ``/_sim/cj/`` over HTTP."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ordertui.simulators.cj.state import CJState
from ordertui.simulators.common import json_response


class CJControl(CJState):
    """The test hooks. ``truth`` first decides the disputes that are due, as every API call
    does, so it shows what the next call would."""

    # --- in the same process ---------------------------------------------------------------
    def truth(self) -> dict[str, str]:
        """Every order CJ lists, with its status: what a complete sync must end with."""
        with self._state_lock:
            self._decide_due()
            return {self.scheme.order_id(i): s for i, s in self.status.items()}

    def set_status(self, order_id: str, status: str, track_number: str | None = None) -> None:
        """Set an order's ``orderStatus`` (any word) and, if given, its tracking number."""
        with self._state_lock:
            idx = self.scheme.index(order_id, self.visible)
            if idx is None or idx not in self.status:
                raise KeyError(order_id)
            with self._db() as con:
                con.execute("INSERT INTO overlay (idx, status, track_number) VALUES (?, ?, ?) "
                            "ON CONFLICT (idx) DO UPDATE SET status = excluded.status, "
                            "track_number = COALESCE(excluded.track_number, track_number)",
                            (idx, status, track_number))
            self.status[idx] = status
            if track_number:
                self.tracking[track_number] = idx
                self.track_of[idx] = track_number

    def grow(self, n: int) -> int:
        """Let ``n`` of the spare orders appear, as new orders do."""
        with self._state_lock:
            visible = min(self.visible + n, self.engine.count)
            with self._db() as con:
                con.execute("UPDATE meta SET value = ? WHERE key = 'visible'", (str(visible),))
            self._index()
            return visible

    def delist(self, vid: str, delisted: bool = True) -> None:
        """Take a variant out of the product endpoints' answers (or put it back)."""
        with self._state_lock:
            if delisted:
                self.delisted.add(vid)
            else:
                self.delisted.discard(vid)

    def disputes_truth(self) -> list[dict[str, Any]]:
        """Every dispute opened through the API, oldest first."""
        with self._state_lock, self._db() as con:
            rows = con.execute("SELECT id, idx, business_id, reason_name, status, finally_deal "
                               "FROM disputes ORDER BY created").fetchall()
        return [{"id": r[0], "orderId": self.scheme.order_id(r[1]), "businessDisputeId": r[2],
                 "reason": r[3], "status": r[4], "finallyDeal": r[5]} for r in rows]

    # --- over HTTP, under /_sim/cj/ ---------------------------------------------------------
    async def _orders_truth(self, request: Request) -> Response:
        return json_response(self.truth())

    async def _set_order(self, request: Request) -> Response:
        body = await request.json()
        try:
            self.set_status(request.path_params["order_id"], str(body["orderStatus"]),
                            body.get("trackNumber"))
        except KeyError:
            return json_response({"error": "no such order"}, status=404)
        return json_response({"ok": True})

    async def _grow(self, request: Request) -> Response:
        body = await request.json()
        return json_response({"visible": self.grow(int(body.get("orders", 0)))})

    async def _disputes_truth(self, request: Request) -> Response:
        return json_response(self.disputes_truth())

    async def _delist(self, request: Request) -> Response:
        body = await request.json() if await request.body() else {}
        self.delist(request.path_params["vid"], bool(body.get("delisted", True)))
        return json_response({"ok": True})

    async def _expire_tokens(self, request: Request) -> Response:
        body = await request.json() if await request.body() else {}
        with self._state_lock, self._db() as con:
            con.execute("UPDATE tokens SET access_exp = ?", (self.now() - 1,))
            if body.get("refresh"):
                con.execute("UPDATE tokens SET refresh_exp = ?", (self.now() - 1,))
        return json_response({"ok": True})
