"""Merging what a supplier reports into the store: a sync's page of orders (new orders,
changed orders, the cancellations and disputes the supplier decided), seeding many orders
at once, and forgetting a supplier's orders."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from ordertui.domain import codec
from ordertui.domain.models import CancellationRequest, Dispute, Order, StateChange, SyncEvent
from ordertui.domain.states import CancellationState, DisputeState, OrderStatus, Source, label
from ordertui.store.audit import AuditLog
from ordertui.store.order_states import OrderStates
from ordertui.store.rows import ORDER_COLUMNS, _dumps, _epoch, _now, _units, order_params

# A supplier whose order list carries no items or tracking (CJ) must not wipe what was
# fetched when the order was opened: an empty list keeps the details already stored.
_NO_ITEMS = "excluded.items = '[]'"
_KEEP_DETAIL = {
    **{c: f"CASE WHEN {_NO_ITEMS} THEN orders.{c} ELSE excluded.{c} END"
       for c in ("items", "items_text", "items_summary", "quantity")},
    **{c: f"CASE WHEN excluded.events IS NULL THEN orders.{c} ELSE excluded.{c} END"
       for c in ("events", "last_event", "last_event_at")},
}
# a linked order's amounts are the shop's (revenue, the cost converted to the shop's
# currency: store/shop_orders.py), kept when its supplier reports it again; a cancelled order
# counts for nothing, an unknown converted cost leaves the profit at 0 (shown as unknown)
_CANCELLED = "excluded.status = 'cancelled'"
_LINKED = "orders.revenue IS NOT NULL"
_KEEP_DETAIL.update({
    "counted_price": f"CASE WHEN {_LINKED} THEN (CASE WHEN {_CANCELLED} THEN 0 ELSE "
                     "orders.revenue END) ELSE excluded.counted_price END",
    "counted_cost": f"CASE WHEN {_LINKED} THEN (CASE WHEN {_CANCELLED} THEN 0 ELSE "
                    "COALESCE(orders.cost_converted, 0) END) ELSE excluded.counted_cost END",
    "profit": f"CASE WHEN {_LINKED} THEN (CASE WHEN {_CANCELLED} OR orders.cost_converted "
              "IS NULL THEN 0 ELSE orders.revenue - orders.cost_converted END) "
              "ELSE excluded.profit END",
})
# columns a sync may overwrite on an order it already has (not its local states)
_UPSERT_SQL = (
    f"INSERT INTO orders ({', '.join(ORDER_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in ORDER_COLUMNS)}) "
    "ON CONFLICT (supplier, supplier_order_id) DO UPDATE SET "
    + ", ".join(f"{c} = {_KEEP_DETAIL.get(c, f'excluded.{c}')}" for c in ORDER_COLUMNS[2:])
)


class SyncMerge(OrderStates, AuditLog):
    def apply_sync_page(self, supplier: str, orders: Sequence[Order], cursor: str | None,
                        *, now: int | None = None) -> list[SyncEvent]:
        """Store a page of the supplier's orders and the cursor after it, atomically, and
        report the decisions the supplier made since the last sync."""
        now = now if now is not None else _now()
        events: list[SyncEvent] = []
        if len({o.supplier_order_id for o in orders}) < len(orders):
            # a page that lists an order twice (lists shift while orders change): the later
            # one stands, and the order is written once
            orders = list({o.supplier_order_id: o for o in orders}.values())
        with self.write() as con:
            known: dict[str, tuple[int, str, int, str | None, str | None]] = {}
            ids = [o.supplier_order_id for o in orders]
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                for oid, soid, status, updated, cs, ds in con.execute(
                        "SELECT id, supplier_order_id, status, updated_at, cancellation_state, "
                        "dispute_state FROM orders "
                        f"WHERE supplier = ? AND supplier_order_id IN "
                        f"({', '.join('?' for _ in chunk)})", [supplier, *chunk]):
                    known[soid] = (oid, status, updated, cs, ds)
            fresh = []
            for o in orders:
                prior = known.get(o.supplier_order_id)
                # unchanged only if its states are too: updated_at counts whole seconds, and a
                # supplier may decide within the second of the change we last saw
                if prior is not None and prior[2] == _epoch(o.updated_at) \
                        and prior[1] == o.status.value \
                        and prior[3] == (o.cancellation.state.value if o.cancellation else None) \
                        and prior[4] == (o.dispute.state.value if o.dispute else None):
                    continue
                fresh.append(o)
            con.executemany(_UPSERT_SQL, [order_params(o, now) for o in fresh])
            for o in fresh:
                prior = known.get(o.supplier_order_id)
                local_id = prior[0] if prior else None
                if local_id is None:
                    if o.cancellation is None and o.dispute is None:
                        continue
                    local_id = self.order_ref(supplier, o.supplier_order_id)
                    assert local_id is not None
                    self._insert_states(con, local_id, o)
                    continue
                elif prior is not None and prior[1] != o.status.value:
                    events.append(SyncEvent(local_id, o.display_name, "status", prior[1],
                                            o.status.value))
                    self.audit(local_id, f"supplier:{supplier}", "status",
                               f"{label(OrderStatus, prior[1])} → {o.status.label}", at=now)
                events.extend(self._merge_states(con, local_id, o, now, announce=prior
                                                 is not None))
            self.record_news(events, at=now)
            if cursor is not None:  # None: orders read one by one; the list's place stays
                con.execute("INSERT INTO sync_state (supplier, cursor) VALUES (?, ?) "
                            "ON CONFLICT (supplier) DO UPDATE SET cursor = excluded.cursor",
                            (supplier, cursor))
        return events

    def _insert_states(self, con: sqlite3.Connection, order_id: int, o: Order) -> None:
        """A new order's cancellation and dispute, as the supplier reports them."""
        c, d = o.cancellation, o.dispute
        if c is not None:
            con.execute(
                "INSERT INTO cancellations (order_id, state, reason, requested_at, updated_at, "
                "source, supplier_message, client_key, history) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (order_id, c.state.value, c.reason, _epoch(c.requested_at), _epoch(c.updated_at),
                 Source.API.value, c.supplier_message, c.client_key,
                 _dumps([codec.change_to(h) for h in c.history])))
        if d is not None:
            self._insert_dispute(con, order_id, d, Source.API)
        cs, ds = (c.state.value if c else None), (d.state.value if d else None)
        # the "needs attention" flag follows by trigger (store/schema.py, migration 6)
        con.execute("UPDATE orders SET cancellation_state = ?, dispute_state = ? WHERE id = ?",
                    (cs, ds, order_id))

    def _merge_states(self, con: sqlite3.Connection, order_id: int, o: Order, now: int,
                      *, announce: bool = True) -> list[SyncEvent]:
        events = []
        if o.cancellation is not None:
            ev = self.merge_cancellation(order_id, o.cancellation, now=now)
            if ev and announce:
                events.append(ev)
        if o.dispute is not None:
            ev = self.merge_dispute(order_id, o.dispute, now=now)
            if ev and announce:
                events.append(ev)
        if o.cancellation is not None or o.dispute is not None:
            self._refresh_flags(con, order_id)
        return events

    def merge_cancellation(self, order_id: int, snap: CancellationRequest, *,
                           now: int | None = None, source: Source = Source.API
                           ) -> SyncEvent | None:
        """Bring the local record of a cancellation request in line with what the supplier
        reported. Returns an event when the supplier's decision is news."""
        now = now if now is not None else _now()
        with self.write() as con:
            local = self._latest_cancellation(con, order_id)
            same = local is not None and (
                (local.client_key and snap.client_key and local.client_key == snap.client_key)
                or (not (local.client_key and snap.client_key) and (
                    local.state.active or local.requested_at == snap.requested_at)))
            name, supplier = self._name_and_supplier(con, order_id)
            if local is not None and not same and snap.requested_at <= local.requested_at:
                return None  # an older request the supplier still lists
            if local is not None and same:
                if (local.state == snap.state and local.supplier_message == snap.supplier_message
                        and local.source == source):
                    return None
                if local.source is Source.MANUAL and snap.state is CancellationState.REQUESTED \
                        and not local.state.active:
                    return None  # the merchant recorded more than the supplier's API shows
                history = _merge_history(local.history, snap.history)
                con.execute("UPDATE cancellations SET state = ?, supplier_message = ?, "
                            "updated_at = ?, source = ?, history = ? WHERE id = ?",
                            (snap.state.value, snap.supplier_message,
                             _epoch(snap.updated_at) or now, source.value,
                             _dumps([codec.change_to(h) for h in history]), local.id))
                old = local.state.value
            else:
                try:
                    with self.attempt():
                        con.execute(
                            "INSERT INTO cancellations (order_id, state, reason, requested_at, "
                            "updated_at, source, supplier_message, client_key, history) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (order_id, snap.state.value, snap.reason,
                             _epoch(snap.requested_at), _epoch(snap.updated_at), source.value,
                             snap.supplier_message, snap.client_key,
                             _dumps([codec.change_to(h) for h in snap.history])))
                except sqlite3.IntegrityError:
                    return None
                old = None
            self._refresh_flags(con, order_id)
            if old != snap.state.value:
                self.audit(order_id, f"supplier:{supplier}", "cancellation",
                           f"{label(CancellationState, old)} → {snap.state.label}"
                           + (f": {snap.supplier_message}" if snap.supplier_message else ""),
                           at=now)
                return SyncEvent(order_id, name, "cancellation", old, snap.state.value,
                                 snap.supplier_message)
            return None

    def merge_dispute(self, order_id: int, snap: Dispute, *, now: int | None = None,
                      source: Source = Source.API) -> SyncEvent | None:
        now = now if now is not None else _now()
        with self.write() as con:
            local = self._latest_dispute(con, order_id)
            same = local is not None and (
                (local.client_key and snap.client_key and local.client_key == snap.client_key)
                or (local.supplier_dispute_id and
                    local.supplier_dispute_id == snap.supplier_dispute_id)
                or (not local.supplier_dispute_id and not local.state.terminal))
            name, supplier = self._name_and_supplier(con, order_id)
            if local is not None and not same and snap.opened_at <= local.opened_at:
                return None
            messages = snap.messages
            if local is not None and same:
                messages = _merge_messages(local.messages, snap.messages)
                unchanged = (local.state == snap.state and len(messages) == len(local.messages)
                             and local.offer == snap.offer and local.refunded == snap.refunded
                             and local.source == source)
                if unchanged:
                    return None
                if local.source is Source.MANUAL and source is Source.API and \
                        snap.state is DisputeState.OPEN and local.state is not DisputeState.OPEN:
                    return None
                con.execute(
                    "UPDATE disputes SET state = ?, updated_at = ?, supplier_dispute_id = ?, "
                    "messages = ?, offer = ?, refunded = ?, source = ?, history = ?, "
                    "last_message = ? WHERE id = ?",
                    (snap.state.value, _epoch(snap.updated_at) or now,
                     snap.supplier_dispute_id or local.supplier_dispute_id,
                     _dumps([codec.message_to(m) for m in messages]), _units(snap.offer),
                     _units(snap.refunded), source.value,
                     _dumps([codec.change_to(h) for h in
                             _merge_history(local.history, snap.history)]),
                     messages[-1].body if messages else "", local.id))
                old: str | None = local.state.value
            else:
                try:
                    with self.attempt():
                        self._insert_dispute(con, order_id, snap, source)
                except sqlite3.IntegrityError:
                    return None
                old = None
            self._refresh_flags(con, order_id)
            if old != snap.state.value:
                last = messages[-1].body if messages and messages[-1].author != "merchant" else ""
                self.audit(order_id, f"supplier:{supplier}", "dispute",
                           f"{label(DisputeState, old)} → {snap.state.label}"
                           + (f": {last}" if last else ""), at=now)
                return SyncEvent(order_id, name, "dispute", old, snap.state.value, last)
            if local is not None and len(messages) > len(local.messages):
                self.audit(order_id, f"supplier:{supplier}", "dispute message",
                           messages[-1].body, at=now)
                return SyncEvent(order_id, name, "dispute", old, snap.state.value,
                                 f"new message: {messages[-1].body}")
            return None

    def bulk_insert(self, orders: Iterable[Order], *, now: int | None = None) -> int:
        """Insert many new orders in one transaction (seeding a large demo store)."""
        now = now if now is not None else _now()
        n = 0
        with self.write() as con:
            batch: list[tuple[Any, ...]] = []
            with_states: list[Order] = []
            for o in orders:
                batch.append(order_params(o, now))
                if o.cancellation is not None or o.dispute is not None:
                    with_states.append(o)
                if len(batch) >= 2000:
                    con.executemany(_UPSERT_SQL, batch)
                    n += len(batch)
                    batch.clear()
            con.executemany(_UPSERT_SQL, batch)
            n += len(batch)
            for o in with_states:
                oid = self.order_ref(o.supplier, o.supplier_order_id)
                assert oid is not None
                self._merge_states(con, oid, o, now, announce=False)
        return n

    def delete_supplier_orders(self, supplier: str) -> int:
        """Forget every order of one supplier (the demo supplier, when it is seeded anew)."""
        with self.write() as con:
            n = con.execute("DELETE FROM orders WHERE supplier = ?", (supplier,)).rowcount
            con.execute("DELETE FROM sync_state WHERE supplier = ?", (supplier,))
            con.execute("DELETE FROM outbox WHERE supplier = ? AND state IN ('pending', 'sending')",
                        (supplier,))
            self.audit(None, "merchant", "forget supplier orders", f"{supplier}: {n} orders")
            return int(n)


def _merge_history(local: list[StateChange], remote: list[StateChange]) -> list[StateChange]:
    """The union of two histories, in time order, without repeating a step."""
    seen = {(h.at, h.state) for h in remote}
    merged = list(remote) + [h for h in local if (h.at, h.state) not in seen]
    merged.sort(key=lambda h: h.at)
    return merged


def _merge_messages(local: list[Any], remote: list[Any]) -> list[Any]:
    """The supplier's thread, plus our replies it does not show yet."""
    keys = {m.client_key for m in remote if m.client_key}
    seen = {(m.at, m.author, m.body) for m in remote}
    merged = list(remote) + [m for m in local if (m.client_key and m.client_key not in keys)
                             or (not m.client_key and (m.at, m.author, m.body) not in seen
                                 and m.source is not Source.API)]
    merged.sort(key=lambda m: m.at)
    return merged
