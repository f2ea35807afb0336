"""The writes of an order's local states: its cancellation requests and disputes as the
merchant makes them, the copies of their states on the order's row, and its status."""

from __future__ import annotations

import sqlite3

from ordertui.domain import codec
from ordertui.domain.errors import CancellationAlreadyActive, DisputeAlreadyOpen
from ordertui.domain.models import CancellationRequest, Dispute
from ordertui.domain.states import OrderStatus, Source
from ordertui.store.queries import OrderQueries
from ordertui.store.rows import _dumps, _epoch, _now, _units


class OrderStates(OrderQueries):
    def add_cancellation(self, order_id: int, request: CancellationRequest) -> int:
        with self.write() as con:
            try:
                with self.attempt():
                    cur = con.execute(
                        "INSERT INTO cancellations (order_id, state, reason, requested_at, "
                        "updated_at, source, supplier_message, client_key, history) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (order_id, request.state.value, request.reason,
                         _epoch(request.requested_at), _epoch(request.updated_at),
                         request.source.value, request.supplier_message, request.client_key,
                         _dumps([codec.change_to(h) for h in request.history])))
            except sqlite3.IntegrityError:
                current = self._latest_cancellation(con, order_id)
                raise CancellationAlreadyActive(self._name(con, order_id),
                                                current.state.value if current else "requested"
                                                ) from None
            self._refresh_flags(con, order_id)
            return int(cur.lastrowid or 0)

    def update_cancellation(self, request: CancellationRequest, order_id: int) -> None:
        with self.write() as con:
            con.execute("UPDATE cancellations SET state = ?, updated_at = ?, source = ?, "
                        "supplier_message = ?, history = ? WHERE id = ?",
                        (request.state.value, _epoch(request.updated_at), request.source.value,
                         request.supplier_message,
                         _dumps([codec.change_to(h) for h in request.history]), request.id))
            self._refresh_flags(con, order_id)

    def add_dispute(self, order_id: int, dispute: Dispute) -> int:
        with self.write() as con:
            try:
                with self.attempt():
                    did = self._insert_dispute(con, order_id, dispute, dispute.source)
            except sqlite3.IntegrityError:
                current = self._latest_dispute(con, order_id)
                raise DisputeAlreadyOpen(self._name(con, order_id),
                                         current.state.value if current else "open") from None
            self._refresh_flags(con, order_id)
            return did

    def update_dispute(self, dispute: Dispute, order_id: int) -> None:
        with self.write() as con:
            con.execute(
                "UPDATE disputes SET state = ?, updated_at = ?, messages = ?, offer = ?, "
                "refunded = ?, source = ?, history = ?, last_message = ?, "
                "supplier_dispute_id = ? WHERE id = ?",
                (dispute.state.value, _epoch(dispute.updated_at),
                 _dumps([codec.message_to(m) for m in dispute.messages]), _units(dispute.offer),
                 _units(dispute.refunded), dispute.source.value,
                 _dumps([codec.change_to(h) for h in dispute.history]),
                 dispute.messages[-1].body if dispute.messages else "",
                 dispute.supplier_dispute_id, dispute.id))
            self._refresh_flags(con, order_id)

    def delete_dispute(self, dispute_id: int, order_id: int) -> None:
        with self.write() as con:
            con.execute("DELETE FROM disputes WHERE id = ?", (dispute_id,))
            self._refresh_flags(con, order_id)

    def set_order_status(self, order_id: int, status: OrderStatus, *, now: int | None = None
                         ) -> None:
        """Set the order's status here (an approved cancellation the merchant recorded by
        hand); inside an open ``write()`` it joins that transaction."""
        with self.write() as con:
            cancelled = status is OrderStatus.CANCELLED
            # a linked order's amounts are the shop's (store/shop_orders.py)
            con.execute("UPDATE orders SET status = ?, updated_at = ?, "
                        "counted_price = CASE WHEN ? = 1 THEN 0 "
                        "ELSE COALESCE(revenue, total_price) END, "
                        "counted_cost = CASE WHEN ? = 1 THEN 0 WHEN revenue IS NOT NULL THEN "
                        "COALESCE(cost_converted, 0) ELSE total_cost END, "
                        "profit = CASE WHEN ? = 1 THEN 0 WHEN revenue IS NOT NULL THEN "
                        "COALESCE(revenue - cost_converted, 0) ELSE total_price - total_cost END "
                        "WHERE id = ?", (status.value, now or _now(), cancelled, cancelled,
                                         cancelled, order_id))

    def _insert_dispute(self, con: sqlite3.Connection, order_id: int, d: Dispute,
                        source: Source) -> int:
        cur = con.execute(
            "INSERT INTO disputes (order_id, state, reason, amount, currency, description, "
            "opened_at, updated_at, supplier_dispute_id, evidence, messages, offer, refunded, "
            "source, client_key, history, last_message) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (order_id, d.state.value, d.reason.value, d.amount.to_units(), d.amount.currency,
             d.description, _epoch(d.opened_at), _epoch(d.updated_at), d.supplier_dispute_id,
             _dumps([{"path": e.path, "name": e.name, "size": e.size} for e in d.evidence]),
             _dumps([codec.message_to(m) for m in d.messages]), _units(d.offer),
             _units(d.refunded), source.value, d.client_key,
             _dumps([codec.change_to(h) for h in d.history]),
             d.messages[-1].body if d.messages else ""))
        return int(cur.lastrowid or 0)

    def _refresh_flags(self, con: sqlite3.Connection, order_id: int) -> None:
        """Keep the orders row's copies of its cancellation and dispute states current."""
        c = con.execute("SELECT state FROM cancellations WHERE order_id = ? ORDER BY id DESC "
                        "LIMIT 1", (order_id,)).fetchone()
        d = con.execute("SELECT state FROM disputes WHERE order_id = ? ORDER BY id DESC LIMIT 1",
                        (order_id,)).fetchone()
        cs, ds = (c[0] if c else None), (d[0] if d else None)
        # the "needs attention" flag follows by trigger (store/schema.py, migration 6)
        con.execute("UPDATE orders SET cancellation_state = ?, dispute_state = ? "
                    "WHERE id = ? AND (cancellation_state IS NOT ? OR dispute_state IS NOT ?)",
                    (cs, ds, order_id, cs, ds))
