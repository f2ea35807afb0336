"""Reading orders: the SQL for an ``OrderQuery`` (filters, search, sort), windows of rows
paged by their sort keys, counts, and whole orders with their cancellation and dispute."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ordertui.domain.errors import AmbiguousOrder, OrderNotFound
from ordertui.domain.models import CancellationRequest, Dispute, Order, OrderSummary
from ordertui.domain.money import Money
from ordertui.domain.query import OrderQuery, SortKey
from ordertui.domain.states import DisputeState
from ordertui.store.connection import StoreBase
from ordertui.store.rows import (
    _SUMMARY_COLUMNS,
    SUMMARY_WIDTH,
    _cancellation,
    _dispute,
    _epoch,
    _now,
    _order,
    _summary,
)
from ordertui.store.schema import DISPUTE_REFUNDED

# --- sorting -----------------------------------------------------------------------------

#: the columns that order rows for each sort key; the last is always ``id`` so that every
#: row has a unique position, which is what paging from a row (keyset paging) needs
SORT_COLUMNS: dict[SortKey, tuple[str, ...]] = {
    SortKey.CREATED: ("created_at", "id"),
    SortKey.NAME: ("name_num", "id"),
    SortKey.STATUS: ("status", "created_at", "id"),
    SortKey.CUSTOMER: ("customer_name", "id"),
    SortKey.COUNTRY: ("country", "created_at", "id"),
    SortKey.ITEMS: ("items_summary", "id"),
    SortKey.TOTAL: ("counted_price", "id"),
    SortKey.COST: ("counted_cost", "id"),
    SortKey.PROFIT: ("profit", "id"),
    SortKey.SUPPLIER: ("supplier", "created_at", "id"),
    SortKey.TRACKING: ("tracking_number", "id"),
    SortKey.ENDS: (
        "(SELECT CASE p.basis WHEN 'order' THEN orders.created_at "
        "ELSE orders.delivered_at END + p.days * 86400 FROM supplier_protection p "
        "WHERE p.supplier = orders.supplier)", "id"),
}

#: the index that serves each sort, named when a broad search should walk it (see _source)
SORT_INDEX: dict[SortKey, str] = {
    SortKey.CREATED: "orders_created", SortKey.NAME: "orders_name_num",
    SortKey.STATUS: "orders_status", SortKey.CUSTOMER: "orders_customer",
    SortKey.COUNTRY: "orders_country", SortKey.ITEMS: "orders_items",
    SortKey.TOTAL: "orders_total", SortKey.COST: "orders_cost",
    SortKey.PROFIT: "orders_profit", SortKey.SUPPLIER: "orders_supplier",
    SortKey.TRACKING: "orders_tracking",
}
#: above this many search matches, walking the sort index beats sorting the matches
BROAD_SEARCH = 3000

#: a word as FTS5's unicode61 splits them: "_" separates words, and so do the few letters
#: that Python's Unicode has and SQLite's older tables do not (New Tai Lue's vowel signs,
#: two Vedic signs); a word FTS5 split in two would be a phrase, which the index (detail =
#: none) cannot answer
_TOKEN = re.compile(r"[^\W_\u19b0-\u19c0\u19c8\u19c9\u1cf2\u1cf3]+", re.UNICODE)

#: Orders whose buyer protection is open at ``now`` and ends by ``horizon``: protection ends
#: ``days`` after delivery (or the order), so the start must lie in (now - days, horizon -
#: days]. Driven by ``supplier_protection`` (a few rows), each supplier's range is one index
#: range on (supplier, delivered_at) or (supplier, created_at), fast at a million orders.
PROTECTION_CLAUSE = (
    "id IN (SELECT o.id FROM supplier_protection p JOIN orders o "
    "ON o.supplier = p.supplier "
    "AND o.delivered_at > ? - p.days * 86400 AND o.delivered_at <= ? - p.days * 86400 "
    "WHERE p.basis = 'delivery' AND p.days > 0 AND o.status != 'cancelled' "
    "AND o.dispute_state IS NULL "
    "UNION ALL SELECT o.id FROM supplier_protection p JOIN orders o "
    "ON o.supplier = p.supplier "
    "AND o.created_at > ? - p.days * 86400 AND o.created_at <= ? - p.days * 86400 "
    "WHERE p.basis = 'order' AND p.days > 0 AND o.status != 'cancelled' "
    "AND o.dispute_state IS NULL)")


def pg_query(text: str) -> str | None:
    """The same search for PostgreSQL's ``to_tsquery``: every word a prefix, all required."""
    tokens = _TOKEN.findall(text.lower())
    if not tokens:
        return None
    return " & ".join(f"{t}:*" for t in tokens[:12])


def fts_query(text: str) -> str | None:
    """Turn what a person typed into an FTS5 query: every word as a prefix, all required.

    Only word characters survive, so nothing typed can be read as FTS syntax.
    """
    tokens = _TOKEN.findall(text.lower())
    if not tokens:
        return None
    return " ".join(f'"{t}"*' for t in tokens[:12])


class OrderQueries(StoreBase):
    # --- many orders: windows, counts, ids ---------------------------------------------
    def _where(self, q: OrderQuery) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if q.statuses:
            clauses.append(f"status IN ({', '.join('?' for _ in q.statuses)})")
            params.extend(s.value for s in q.statuses)
        if q.attention:
            clauses.append(self._attention(q, params))
        if q.supplier:
            clauses.append("supplier = ?")
            params.append(q.supplier)
        if q.since:
            clauses.append("created_at >= ?")
            params.append(_epoch(q.since))
        if q.until:
            clauses.append("created_at < ?")
            params.append(_epoch(q.until))
        if q.ids:
            clauses.append(f"id IN ({', '.join('?' for _ in q.ids)})")
            params.extend(q.ids)
        if q.search.strip():
            match = fts_query(q.search) if self.pg is None else pg_query(q.search)
            if match is None:
                clauses.append("1 = 0")
            else:
                clauses.append(self._search_clause())
                params.append(match)
        if q.protection_ends_within_days is not None:
            clauses.append(PROTECTION_CLAUSE)
            now = int(q.as_of.timestamp()) if q.as_of is not None else _now()
            horizon = now + max(q.protection_ends_within_days, 0) * 86400
            params.extend((now, horizon, now, horizon))
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def _search_clause(self) -> str:
        if self.pg is not None:
            return "search @@ to_tsquery('simple', public.unaccent(?))"
        return "id IN (SELECT rowid FROM orders_fts WHERE orders_fts MATCH ?)"

    def _sort_columns(self, key: SortKey) -> tuple[str, ...]:
        cols = SORT_COLUMNS[key]
        if self.pg is None:
            return cols
        from ordertui.store.dialect import sort_column
        return tuple(sort_column(c) for c in cols)

    @staticmethod
    def _attention(q: OrderQuery, params: list[Any]) -> str:
        """What needs the merchant: the kept flag, and what the time makes urgent (tracking
        that stopped, protection running out on an order still on its way), each an index
        range, so the view and its count stay fast at any size."""
        if q.stalled_days is None and q.warning_days is None:
            return "attention = 1"
        now = int(q.as_of.timestamp()) if q.as_of is not None else _now()
        parts = ["SELECT id FROM orders WHERE attention = 1"]
        if q.stalled_days is not None:
            parts.append("SELECT id FROM orders WHERE status = 'shipped' "
                         "AND COALESCE(last_event_at, shipped_at) < ?")
            params.append(now - q.stalled_days * 86400)
        if q.warning_days is not None:
            parts.append(
                "SELECT o.id FROM supplier_protection p JOIN orders o "
                "ON o.supplier = p.supplier AND o.created_at > ? - p.days * 86400 "
                "AND o.created_at <= ? - p.days * 86400 WHERE p.basis = 'order' "
                "AND p.days > 0 AND o.status IN ('processing', 'shipped') "
                "AND o.dispute_state IS NULL")
            params.extend((now, now + q.warning_days * 86400))
        return f"id IN ({' UNION '.join(parts)})"

    def window(self, q: OrderQuery, *, limit: int, after: Sequence[Any] | None = None,
               before: Sequence[Any] | None = None, from_end: bool = False,
               offset: int = 0) -> list[OrderSummary]:
        """A window of rows in the query's order.

        ``after``/``before`` page from a row's key (fast at any depth); ``from_end`` gives the
        last ``limit`` rows; ``offset`` skips rows from the start (or from the end with
        ``from_end``), for the rare jump to an arbitrary position.
        """
        cols = self._sort_columns(q.sort)
        where, params = self._where(q)
        reverse = from_end or before is not None
        desc = q.descending != reverse
        direction = "DESC" if desc else "ASC"
        key = before if before is not None else after
        if key is not None:
            op = "<" if desc else ">"
            cond = f"({', '.join(cols)}) {op} ({', '.join('?' for _ in cols)})"
            where = f"{where} AND {cond}" if where else f" WHERE {cond}"
            params.extend(key)
        order_by = ", ".join(f"{c} {direction}" for c in cols)
        ends = q.protection_ends_within_days is not None or (q.attention
                                                             and q.warning_days is not None)
        extra = f", {SORT_COLUMNS[SortKey.ENDS][0]}" if ends else ""
        sql = (f"SELECT {_SUMMARY_COLUMNS}, {', '.join(cols)}{extra} FROM "
               f"{self._source(q)}{where} ORDER BY {order_by} LIMIT ? OFFSET ?")
        rows = self.con.execute(sql, [*params, limit, offset]).fetchall()
        result = [_summary(r, len(cols), with_ends=ends) for r in rows]
        if reverse:
            result.reverse()
        return result

    def search_count(self, text: str) -> int:
        """How many orders a search matches, counted in the search index alone.

        Remembered per connection until the store changes, because a window and its count
        both need it (the first to choose how to search, the second to show it)."""
        if self.pg is not None:
            match = pg_query(text)
            if match is None:
                return 0
            return int(self.con.execute("SELECT count(*) FROM orders WHERE "
                                        + self._search_clause(), (match,)).fetchone()[0])
        match = fts_query(text)
        if match is None:
            return 0
        con = self.con
        key = (match, con.execute("PRAGMA data_version").fetchone()[0], con.total_changes)
        memo: dict[tuple[Any, ...], int] = getattr(self._local, "search_counts", {})
        if key not in memo:
            n = int(con.execute("SELECT count(*) FROM orders_fts WHERE orders_fts MATCH ?",
                                (match,)).fetchone()[0])
            memo = {k: v for k, v in memo.items() if k[1:] == key[1:]}  # drop stale entries
            memo[key] = n
            self._local.search_counts = memo
        return memo[key]

    def window_and_count(self, q: OrderQuery, *, limit: int) -> tuple[list[OrderSummary], int]:
        """The first window and how many orders match, on one connection (so a search is
        counted once)."""
        with self.read():
            return self.window(q, limit=limit), self.count(q)

    def _source(self, q: OrderQuery) -> str:
        """``orders``, or ``orders INDEXED BY`` the sort's index for a broad search.

        SQLite's planner drives a search by its matches: it reads every matching row and
        sorts them. That is right for a few hundred matches and slow for tens of thousands
        (a common name, a product word). Then walking the sort's index and keeping the rows
        that match finds a window's worth in a few milliseconds."""
        if not q.search.strip() or q.ids or self.pg is not None:
            return "orders"
        if self.search_count(q.search) <= BROAD_SEARCH or q.sort not in SORT_INDEX:
            return "orders"
        return f"orders INDEXED BY {SORT_INDEX[q.sort]}"

    def window_at(self, q: OrderQuery, position: int, limit: int, total: int
                  ) -> list[OrderSummary]:
        """The rows from ``position`` on, reading from whichever end is nearer."""
        position = max(0, min(position, max(total - limit, 0)))
        if position <= total - position - limit:
            return self.window(q, limit=limit, offset=position)
        return self.window(q, limit=limit, from_end=True,
                           offset=max(total - position - limit, 0))

    def position_of(self, q: OrderQuery, key: Sequence[Any]) -> int:
        """How many rows come before the row with ``key``."""
        cols = self._sort_columns(q.sort)
        where, params = self._where(q)
        op = ">" if q.descending else "<"  # the rows shown above it
        cond = f"({', '.join(cols)}) {op} ({', '.join('?' for _ in cols)})"
        where = f"{where} AND {cond}" if where else f" WHERE {cond}"
        return int(self.con.execute(f"SELECT COUNT(*) FROM orders{where}",
                                    [*params, *key]).fetchone()[0])

    def count(self, q: OrderQuery) -> int:
        """How many orders match; from the kept counts when the filter allows."""
        timely = q.attention and (q.stalled_days is not None or q.warning_days is not None)
        if not (q.search.strip() or q.ids or q.since or q.until or timely
                or q.protection_ends_within_days is not None):
            # what is left of the filter (status, attention, supplier) are columns of the
            # kept counts too
            where, params = self._where(q)
            row = self.con.execute(f"SELECT COALESCE(SUM(n), 0) FROM order_counts{where}",
                                   params).fetchone()
            return int(row[0])
        if q.search.strip() and not (q.statuses or q.attention or q.supplier or q.ids
                                     or q.since or q.until
                                     or q.protection_ends_within_days is not None):
            return self.search_count(q.search)  # the index alone: no row is read
        where, params = self._where(q)
        return int(self.con.execute(f"SELECT COUNT(*) FROM orders{where}", params).fetchone()[0])

    def count_by_view(self) -> dict[str, int]:
        """Counts for the tabs: every status, "attention" and "all"."""
        counts: dict[str, int] = {}
        total = attention = 0
        for status, att, n in self.con.execute(
                "SELECT status, attention, SUM(n) FROM order_counts GROUP BY status, attention"):
            counts[status] = counts.get(status, 0) + n
            total += n
            if att:
                attention += n
        counts["all"] = total
        counts["attention"] = attention
        return counts

    def iter_ids(self, q: OrderQuery, batch: int = 1000) -> Iterator[list[int]]:
        """Every matching id in the query's order, in batches; for exports and bulk actions."""
        after: Sequence[Any] | None = None
        cols = self._sort_columns(q.sort)
        where, params = self._where(q)
        direction = "DESC" if q.descending else "ASC"
        op = "<" if q.descending else ">"
        while True:
            w, p = where, list(params)
            if after is not None:
                cond = f"({', '.join(cols)}) {op} ({', '.join('?' for _ in cols)})"
                w = f"{w} AND {cond}" if w else f" WHERE {cond}"
                p.extend(after)
            rows = self.con.execute(
                f"SELECT id, {', '.join(cols)} FROM orders{w} "
                f"ORDER BY {', '.join(f'{c} {direction}' for c in cols)} LIMIT ?",
                [*p, batch]).fetchall()
            if not rows:
                return
            yield [r[0] for r in rows]
            after = rows[-1][1:]

    # --- one order -----------------------------------------------------------------------
    def resolve(self, ref: str) -> int:
        """The local id of the order a person means by ``ref``: the id, the shop order name
        (#1042 or 1042), or the supplier's order id."""
        ref = ref.strip()
        if not ref:
            raise OrderNotFound(ref)
        con = self.con
        if ref.startswith("#"):
            rows = con.execute("SELECT id, supplier, supplier_order_id FROM orders "
                               "WHERE name = ?", (ref,)).fetchall()
        else:
            rows = con.execute("SELECT id, supplier, supplier_order_id FROM orders "
                               "WHERE supplier_order_id = ?", (ref,)).fetchall()
            if not rows and ref.isascii() and ref.isdigit() and len(ref) <= 18:  # an id
                rows = con.execute("SELECT id, supplier, supplier_order_id FROM orders "
                                   "WHERE id = ?", (int(ref),)).fetchall()
                if not rows:
                    rows = con.execute("SELECT id, supplier, supplier_order_id FROM orders "
                                       "WHERE name = ?", (f"#{ref}",)).fetchall()
        if not rows:
            raise OrderNotFound(ref)
        if len(rows) > 1:
            raise AmbiguousOrder(ref, [f"{s}:{soid}" for _, s, soid in rows])
        return int(rows[0][0])

    def order_ref(self, supplier: str, supplier_order_id: str) -> int | None:
        row = self.con.execute("SELECT id FROM orders WHERE supplier = ? AND "
                               "supplier_order_id = ?", (supplier, supplier_order_id)).fetchone()
        return int(row[0]) if row else None

    def get_order(self, order_id: int) -> Order:
        with self.read() as con:
            con.row_factory = sqlite3.Row
            try:
                row = con.execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()
                if row is None:
                    raise OrderNotFound(str(order_id))
                order = _order(row)
                order.cancellation = self._latest_cancellation(con, order_id)
                order.dispute = self._latest_dispute(con, order_id)
            finally:
                con.row_factory = None
        return order

    def _latest_cancellation(self, con: sqlite3.Connection, order_id: int
                             ) -> CancellationRequest | None:
        row = con.execute("SELECT id, state, reason, requested_at, updated_at, source, "
                          "supplier_message, client_key, history FROM cancellations "
                          "WHERE order_id = ? ORDER BY id DESC LIMIT 1", (order_id,)).fetchone()
        return _cancellation(row) if row else None

    def _latest_dispute(self, con: sqlite3.Connection, order_id: int) -> Dispute | None:
        row = con.execute("SELECT id, state, reason, amount, currency, description, opened_at, "
                          "updated_at, supplier_dispute_id, evidence, messages, offer, refunded, "
                          "source, client_key, history FROM disputes WHERE order_id = ? "
                          "ORDER BY id DESC LIMIT 1", (order_id,)).fetchone()
        return _dispute(row) if row else None

    def _name(self, con: sqlite3.Connection, order_id: int) -> str:
        return self._name_and_supplier(con, order_id)[0]

    def _name_and_supplier(self, con: sqlite3.Connection, order_id: int) -> tuple[str, str]:
        """The order's name as people say it, and its supplier (as the audit names it)."""
        row = con.execute("SELECT name, supplier_order_id, supplier FROM orders WHERE id = ?",
                          (order_id,)).fetchone()
        return ((row[0] or row[1]), row[2]) if row else (str(order_id), "")

    def cancellation_history(self, order_id: int) -> list[CancellationRequest]:
        """Every cancellation request of the order, oldest first."""
        with self.read() as con:
            return [_cancellation(row) for row in con.execute(
                "SELECT id, state, reason, requested_at, updated_at, source, "
                "supplier_message, client_key, history FROM cancellations "
                "WHERE order_id = ? ORDER BY id", (order_id,)).fetchall()]

    def disputes(self, *, states: Iterable[DisputeState] = (), limit: int = 500,
                 offset: int = 0) -> list[tuple[OrderSummary, Dispute]]:
        """Disputes with their orders, the latest activity first."""
        state_list = [s.value for s in states]
        conds = ["d.id = (SELECT MAX(id) FROM disputes x WHERE x.order_id = d.order_id)"]
        if state_list:
            conds.append(f"d.state IN ({', '.join('?' for _ in state_list)})")
        cols = ", ".join(f"o.{c.strip()}" for c in _SUMMARY_COLUMNS.split(","))
        rows = self.con.execute(
            f"SELECT {cols}, d.id, d.state, d.reason, d.amount, d.currency, d.description, "
            "d.opened_at, d.updated_at, d.supplier_dispute_id, d.evidence, d.messages, d.offer, "
            "d.refunded, d.source, d.client_key, d.history FROM disputes d "
            "JOIN orders o ON o.id = d.order_id WHERE " + " AND ".join(conds) +
            " ORDER BY d.updated_at DESC, d.id DESC LIMIT ? OFFSET ?",
            [*state_list, limit, offset]).fetchall()
        return [(_summary(r[:SUMMARY_WIDTH], 0), _dispute(r[SUMMARY_WIDTH:])) for r in rows]

    def load_orders(self, ids: Sequence[int]) -> list[Order]:
        """Full orders for ``ids``, in that order (for exports)."""
        if not ids:
            return []
        with self.read() as con:
            con.row_factory = sqlite3.Row
            try:
                marks = ", ".join("?" for _ in ids)
                rows = {r["id"]: r for r in con.execute(
                    f"SELECT * FROM orders WHERE id IN ({marks})", list(ids))}
                cancels: dict[int, CancellationRequest] = {}
                for r in con.execute(
                        f"SELECT order_id, MAX(id) FROM cancellations WHERE order_id IN ({marks}) "
                        "GROUP BY order_id", list(ids)):
                    c = self._latest_cancellation(con, r[0])
                    if c:
                        cancels[r[0]] = c
                disputes: dict[int, Dispute] = {}
                for r in con.execute(
                        f"SELECT order_id FROM disputes WHERE order_id IN ({marks}) "
                        "GROUP BY order_id", list(ids)):
                    d = self._latest_dispute(con, r[0])
                    if d:
                        disputes[r[0]] = d
            finally:
                con.row_factory = None
        result = []
        for i in ids:
            if i in rows:
                o = _order(rows[i])
                o.cancellation = cancels.get(i)
                o.dispute = disputes.get(i)
                result.append(o)
        return result

    def money_moved(self, ids: Sequence[int]) -> dict[int, tuple[Money, Money]]:
        """What went back to the customer (refunds) and came back from the supplier
        (disputes resolved with a refund, sums recorded by hand) for those of ``ids`` that
        have any: three queries for a whole batch of an export."""
        if not ids:
            return {}
        marks = ", ".join("?" for _ in ids)
        refunded: dict[int, tuple[int, str]] = {}
        recovered: dict[int, tuple[int, str]] = {}
        with self.read() as con:
            for into, sql in (
                    (refunded, f"SELECT order_id, SUM(amount), MAX(currency) FROM refunds "
                               f"WHERE order_id IN ({marks}) GROUP BY order_id"),
                    (recovered, f"SELECT order_id, SUM(amount), MAX(currency) FROM recoveries "
                                f"WHERE order_id IN ({marks}) GROUP BY order_id"),
                    (recovered, f"SELECT order_id, SUM(refunded), MAX(currency) FROM disputes "
                                f"WHERE order_id IN ({marks}) AND {DISPUTE_REFUNDED} "
                                "GROUP BY order_id")):
                for oid, units, cur in con.execute(sql, list(ids)):
                    into[oid] = (into.get(oid, (0, cur))[0] + units, cur)
        return {oid: (Money.from_units(*refunded.get(oid, (0, cur))),
                      Money.from_units(*recovered.get(oid, (0, cur))))
                for oid, cur in {**{k: v[1] for k, v in recovered.items()},
                                 **{k: v[1] for k, v in refunded.items()}}.items()}

    def orders_missing_details(self, supplier: str, limit: int = 20) -> list[int]:
        """Orders of ``supplier`` known only from its list (no items yet), newest first."""
        return [r[0] for r in self.con.execute(
            "SELECT id FROM orders WHERE supplier = ? AND items = '[]' AND status NOT IN "
            "('closed', 'cancelled') ORDER BY created_at DESC LIMIT ?", (supplier, limit))]

    def active_supplier_order_ids(self, supplier: str) -> list[str]:
        """The supplier's orders that may still change: not closed, not long cancelled."""
        cutoff = _now() - 90 * 86400
        return [r[0] for r in self.con.execute(
            "SELECT supplier_order_id FROM orders WHERE supplier = ? AND status != 'closed' "
            "AND NOT (status = 'cancelled' AND updated_at < ?) ORDER BY id",
            (supplier, cutoff))]
