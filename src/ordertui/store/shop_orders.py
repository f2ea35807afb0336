"""The merchant's shop orders and their links to supplier orders: a sync's page of shop
orders (kept with the shop's cursor), reading them back, the orders that wait for somebody
to order them, the links (made automatically or by the merchant) and the suggestions the
merchant turned down, and a linked supplier order's money as the shop sold it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from ordertui.domain import codec
from ordertui.domain.money import Money
from ordertui.domain.shop import LinkSource, ShopOrder, ShopQuery, ShopRef
from ordertui.store.connection import StoreBase
from ordertui.store.rows import _dt, _epoch, _now

_SHOP_COLUMNS = ("shop", "shop_order_id", "name", "created_at", "updated_at", "cancelled_at",
                 "financial_status", "fulfillment_status", "currency", "total", "shipping",
                 "taxes", "refunded", "customer_name", "customer_email", "zip", "country",
                 "waiting", "data", "synced_at")
_UPSERT = (
    f"INSERT INTO shop_orders ({', '.join(_SHOP_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _SHOP_COLUMNS)}) "
    "ON CONFLICT (shop, shop_order_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _SHOP_COLUMNS[2:])
)


#: how many ids one ``IN (...)`` names (SQLite allows 32,766 parameters; PostgreSQL 65,535)
BATCH_IDS = 500


def _params(o: ShopOrder, now: int) -> tuple[Any, ...]:
    c = o.customer
    return (o.shop, o.shop_order_id, o.name, _epoch(o.created_at), _epoch(o.updated_at),
            _epoch(o.cancelled_at), o.financial_status.value, o.fulfillment_status.value,
            o.currency, o.total.to_units(), o.shipping.to_units(), o.taxes.to_units(),
            o.refunded.to_units(), c.name, c.email, c.address.zip.replace(" ", "").upper(),
            c.address.country, int(o.waiting),
            json.dumps(codec.shop_order_to(o), ensure_ascii=False, separators=(",", ":")),
            now)


def _shop_order(row: Sequence[Any]) -> ShopOrder:
    """A row of ``SELECT id, data``."""
    return codec.shop_order_from(json.loads(row[1]), local_id=row[0])


@dataclass(frozen=True, slots=True)
class Link:
    order_id: int
    shop_order: int  # the shop order's local id
    source: LinkSource
    lines: dict[int, str]  # supplier line index → shop line id


class ShopOrders(StoreBase):
    # --- a shop's sync ---------------------------------------------------------------
    def shop_cursor(self, shop: str) -> str | None:
        row = self.con.execute("SELECT cursor FROM shop_sync_state WHERE shop = ?",
                               (shop,)).fetchone()
        return row[0] if row else None

    def shop_sync_started(self, shop: str) -> None:
        with self.write() as con:
            con.execute("INSERT INTO shop_sync_state (shop, started_at) VALUES (?, ?) "
                        "ON CONFLICT (shop) DO UPDATE SET started_at = excluded.started_at",
                        (shop, _now()))

    def shop_sync_finished(self, shop: str, error: str = "") -> None:
        with self.write() as con:
            if error:
                con.execute("INSERT INTO shop_sync_state (shop, last_error) VALUES (?, ?) "
                            "ON CONFLICT (shop) DO UPDATE SET last_error = excluded.last_error",
                            (shop, error))
            else:
                con.execute("INSERT INTO shop_sync_state (shop, finished_at) VALUES (?, ?) "
                            "ON CONFLICT (shop) DO UPDATE SET finished_at = "
                            "excluded.finished_at, last_error = ''", (shop, _now()))

    def shop_sync_status(self) -> dict[str, dict[str, Any]]:
        return {shop: {"cursor": cursor, "started_at": _dt(started),
                       "finished_at": _dt(finished), "error": error}
                for shop, cursor, started, finished, error in self.con.execute(
                    "SELECT shop, cursor, started_at, finished_at, last_error "
                    "FROM shop_sync_state")}

    def apply_shop_page(self, shop: str, orders: Sequence[ShopOrder], cursor: str | None, *,
                        keep_cursor: bool = False) -> list[int]:
        """Store a page of the shop's orders and the cursor after it (``keep_cursor``: an
        order read on its own, the sync's place unchanged), atomically. Returns the local
        ids of the orders stored (new or changed), in the page's order."""
        now = _now()
        ids: list[int] = []
        with self.write() as con:
            for o in orders:
                if o.shop != shop:
                    raise ValueError(f"an order of {o.shop!r} in a page of {shop!r}")
                con.execute(_UPSERT, _params(o, now))
                ids.append(int(con.execute(
                    "SELECT id FROM shop_orders WHERE shop = ? AND shop_order_id = ?",
                    (shop, o.shop_order_id)).fetchone()[0]))
            if not keep_cursor:
                con.execute("INSERT INTO shop_sync_state (shop, cursor) VALUES (?, ?) "
                            "ON CONFLICT (shop) DO UPDATE SET cursor = excluded.cursor",
                            (shop, cursor))
        return ids

    # --- reading shop orders -----------------------------------------------------------
    def shop_order(self, local_id: int) -> ShopOrder | None:
        row = self.con.execute("SELECT id, data FROM shop_orders WHERE id = ?",
                               (local_id,)).fetchone()
        return _shop_order(row) if row else None

    def shop_order_ref(self, shop: str, shop_order_id: str) -> int | None:
        row = self.con.execute("SELECT id FROM shop_orders WHERE shop = ? AND "
                               "shop_order_id = ?", (shop, shop_order_id)).fetchone()
        return int(row[0]) if row else None

    def shop_orders_named(self, name: str) -> list[ShopOrder]:
        """Shop orders called ``name`` ("#1042"), in every shop."""
        return [_shop_order(r) for r in self.con.execute(
            "SELECT id, data FROM shop_orders WHERE name = ? ORDER BY id", (name,))]

    def shop_orders_near(self, zip_code: str, since: int, until: int) -> list[ShopOrder]:
        """Shop orders shipping to ``zip_code`` created between two times: where a supplier
        order without the shop's reference may have come from. Without a postcode (the
        supplier does not say where it ships), every shop order of those times."""
        zip_code = zip_code.replace(" ", "").upper()
        if not zip_code:
            return [_shop_order(r) for r in self.con.execute(
                "SELECT id, data FROM shop_orders WHERE created_at BETWEEN ? AND ? "
                "ORDER BY created_at", (since, until))]
        return [_shop_order(r) for r in self.con.execute(
            "SELECT id, data FROM shop_orders WHERE zip = ? AND created_at BETWEEN ? AND ? "
            "ORDER BY created_at", (zip_code, since, until))]

    def _shop_where(self, q: ShopQuery) -> tuple[str, list[Any]]:
        clauses, params = [], []
        if q.shop is not None:
            clauses.append("s.shop = ?")
            params.append(q.shop)
        if q.waiting:
            clauses.append("s.waiting = 1")
        if q.waiting or q.unlinked:
            clauses.append("NOT EXISTS (SELECT 1 FROM order_links l WHERE l.shop_order = s.id)")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def shop_orders(self, q: ShopQuery, *, limit: int = 500, offset: int = 0
                    ) -> list[ShopOrder]:
        where, params = self._shop_where(q)
        order = "s.created_at ASC, s.id ASC" if q.waiting else "s.created_at DESC, s.id DESC"
        return [_shop_order(r) for r in self.con.execute(
            f"SELECT s.id, s.data FROM shop_orders s{where} ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, limit, offset])]

    def count_shop_orders(self, q: ShopQuery) -> int:
        where, params = self._shop_where(q)
        return int(self.con.execute(f"SELECT COUNT(*) FROM shop_orders s{where}",
                                    params).fetchone()[0])

    # --- links -------------------------------------------------------------------------
    def link(self, order_id: int, shop_order: int, source: LinkSource,
             lines: dict[int, str]) -> None:
        """Link a supplier order to its shop order (replacing an earlier link)."""
        with self.write() as con:
            con.execute(
                "INSERT INTO order_links (order_id, shop_order, source, lines, linked_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (order_id) DO UPDATE SET "
                "shop_order = excluded.shop_order, source = excluded.source, "
                "lines = excluded.lines, linked_at = excluded.linked_at",
                (order_id, shop_order, source.value,
                 json.dumps({str(k): v for k, v in lines.items()}), _now()))

    def unlink(self, order_id: int) -> bool:
        """Forget the order's link; its money is the supplier's again. True if it had one."""
        with self.write() as con:
            gone = con.execute("DELETE FROM order_links WHERE order_id = ?",
                               (order_id,)).rowcount
            self._clear_order_money(con, order_id)
        return bool(gone)

    def link_of(self, order_id: int) -> Link | None:
        row = self.con.execute("SELECT order_id, shop_order, source, lines FROM order_links "
                               "WHERE order_id = ?", (order_id,)).fetchone()
        return _link(row) if row else None

    def links_of_orders(self, order_ids: Sequence[int]) -> dict[int, Link]:
        """The links of those of ``order_ids`` that have one: one query for a batch (a sync
        of thousands of changed orders reads them together, not one by one)."""
        found: dict[int, Link] = {}
        for start in range(0, len(order_ids), BATCH_IDS):
            part = list(order_ids[start:start + BATCH_IDS])
            for r in self.con.execute(
                    "SELECT order_id, shop_order, source, lines FROM order_links "
                    f"WHERE order_id IN ({', '.join('?' for _ in part)})", part):
                found[int(r[0])] = _link(r)
        return found

    def shop_orders_by_id(self, local_ids: Iterable[int]) -> dict[int, ShopOrder]:
        """The shop orders with these local ids, by id (one query a batch)."""
        ids = sorted(set(local_ids))
        found: dict[int, ShopOrder] = {}
        for start in range(0, len(ids), BATCH_IDS):
            part = ids[start:start + BATCH_IDS]
            for r in self.con.execute("SELECT id, data FROM shop_orders WHERE id IN "
                                      f"({', '.join('?' for _ in part)})", part):
                found[int(r[0])] = _shop_order(r)
        return found

    def links_of_shop_orders(self, shop_orders: Iterable[int]) -> dict[int, list[Link]]:
        """Every link of each of these shop orders (one query a batch)."""
        ids = sorted(set(shop_orders))
        found: dict[int, list[Link]] = {i: [] for i in ids}
        for start in range(0, len(ids), BATCH_IDS):
            part = ids[start:start + BATCH_IDS]
            for r in self.con.execute(
                    "SELECT order_id, shop_order, source, lines FROM order_links WHERE "
                    f"shop_order IN ({', '.join('?' for _ in part)}) ORDER BY order_id", part):
                found[int(r[1])].append(_link(r))
        return found

    def links_of_shop_order(self, shop_order: int) -> list[Link]:
        return [_link(r) for r in self.con.execute(
            "SELECT order_id, shop_order, source, lines FROM order_links "
            "WHERE shop_order = ? ORDER BY order_id", (shop_order,))]

    def unlinked_order_ids(self, *, since: int | None = None) -> list[int]:
        """Supplier orders linked to no shop order (updated since ``since``, when given)."""
        sql = ("SELECT o.id FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_links l "
               "WHERE l.order_id = o.id)")
        params: list[Any] = []
        if since is not None:
            sql += " AND o.updated_at >= ?"
            params.append(since)
        return [r[0] for r in self.con.execute(sql + " ORDER BY o.id", params)]

    def orders_synced_since(self, at: int) -> list[int]:
        """Supplier orders a sync wrote at ``at`` or later."""
        return [r[0] for r in self.con.execute(
            "SELECT id FROM orders WHERE synced_at >= ? ORDER BY id", (at,))]

    def refuse_link(self, order_id: int, shop_order: int) -> None:
        """The merchant said no to this suggestion: it is not proposed again."""
        with self.write() as con:
            con.execute("INSERT INTO link_refusals (order_id, shop_order, at) "
                        "VALUES (?, ?, ?) ON CONFLICT DO NOTHING", (order_id, shop_order, _now()))

    def allow_link(self, order_id: int, shop_order: int) -> None:
        """The merchant links the pair after all: a refusal of it is forgotten."""
        with self.write() as con:
            con.execute("DELETE FROM link_refusals WHERE order_id = ? AND shop_order = ?",
                        (order_id, shop_order))

    def refused_links(self, order_id: int) -> set[int]:
        return {r[0] for r in self.con.execute(
            "SELECT shop_order FROM link_refusals WHERE order_id = ?", (order_id,))}

    def order_ids_named(self, name: str) -> list[int]:
        """Supplier orders that name the shop order ``name`` ("#1042" or "1042")."""
        number = name.strip().lstrip("#").strip()
        if not number:
            return []
        return [r[0] for r in self.con.execute(
            "SELECT id FROM orders WHERE name IN (?, ?) ORDER BY id", (f"#{number}", number))]

    # --- a linked order's money --------------------------------------------------------
    def order_money(self, order_id: int) -> tuple[Money, Money | None] | None:
        """A linked order's revenue and converted cost (None: not priced by its shop)."""
        row = self.con.execute("SELECT revenue, revenue_currency, cost_converted FROM orders "
                               "WHERE id = ?", (order_id,)).fetchone()
        if row is None or row[0] is None:
            return None
        cost = Money.from_units(row[2], row[1]) if row[2] is not None else None
        return Money.from_units(row[0], row[1]), cost

    def orders_without_rate(self) -> list[tuple[int, date]]:
        """Linked supplier orders whose cost has no rate into their shop's currency yet, with
        the day (UTC) whose rate they need."""
        return [(r[0], datetime.fromtimestamp(r[1], UTC).date()) for r in self.con.execute(
            "SELECT id, created_at FROM orders WHERE revenue IS NOT NULL "
            "AND cost_converted IS NULL ORDER BY id")]

    def set_order_money(self, order_id: int, revenue: Money, cost: Money | None) -> None:
        """What the shop sold this supplier order for and its cost in the shop's currency
        (None: no rate). The table's total, cost and profit follow, counted as nothing for
        a cancelled order; with an unknown cost the profit is shown as unknown and sorts as
        0 (the column has a value for every order, so that paging by it works)."""
        if cost is not None and cost.currency != revenue.currency:
            raise ValueError("the cost must be converted to the revenue's currency first")
        with self.write() as con:
            con.execute(
                "UPDATE orders SET revenue = :r, revenue_currency = :cur, cost_converted = :c, "
                "counted_price = CASE status WHEN 'cancelled' THEN 0 ELSE :r END, "
                "counted_cost = CASE status WHEN 'cancelled' THEN 0 ELSE :c0 END, "
                "profit = CASE WHEN status = 'cancelled' OR :unknown = 1 THEN 0 "
                "ELSE :r - :c0 END WHERE id = :id",
                {"r": revenue.to_units(), "cur": revenue.currency,
                 "c": cost.to_units() if cost is not None else None,
                 "c0": cost.to_units() if cost is not None else 0,
                 "unknown": int(cost is None), "id": order_id})

    def _clear_order_money(self, con: sqlite3.Connection, order_id: int) -> None:
        con.execute(
            "UPDATE orders SET revenue = NULL, revenue_currency = NULL, cost_converted = NULL, "
            "counted_price = CASE status WHEN 'cancelled' THEN 0 ELSE total_price END, "
            "counted_cost = CASE status WHEN 'cancelled' THEN 0 ELSE total_cost END, "
            "profit = CASE status WHEN 'cancelled' THEN 0 ELSE total_price - total_cost END "
            "WHERE id = ?", (order_id,))

    def shop_refs(self, order_ids: Iterable[int]) -> dict[int, ShopRef]:
        """The shop order each of these supplier orders is linked to (those linked)."""
        ids = list(order_ids)
        found: dict[int, ShopRef] = {}
        for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
            for order_id, shop, shop_order_id, name in self.con.execute(
                    "SELECT l.order_id, s.shop, s.shop_order_id, s.name FROM order_links l "
                    "JOIN shop_orders s ON s.id = l.shop_order WHERE l.order_id IN "
                    f"({', '.join('?' for _ in chunk)})", chunk):
                found[order_id] = ShopRef(shop, shop_order_id, name)
        return found

    def linked_order_ids(self, shop_orders: Iterable[int]) -> dict[int, list[int]]:
        """For each shop order, the supplier orders linked to it."""
        ids = list(shop_orders)
        found: dict[int, list[int]] = {i: [] for i in ids}
        for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
            for shop_order, order_id in self.con.execute(
                    f"SELECT shop_order, order_id FROM order_links WHERE shop_order IN "
                    f"({', '.join('?' for _ in chunk)}) ORDER BY order_id", chunk):
                found[shop_order].append(order_id)
        return found


def _link(row: Sequence[Any]) -> Link:
    return Link(order_id=row[0], shop_order=row[1], source=LinkSource(row[2]),
                lines={int(k): v for k, v in json.loads(row[3]).items()})
