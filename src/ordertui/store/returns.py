"""The SQL side of returns, refunds, recoveries and the returns stock.

Every method works on the calling thread's connection (``Store.con``), so a service that
opens ``Store.write()`` and then reads through here sees its own transaction: the bounds
(never more returned than bought, never more refunded than paid) are checked and written
in one ``BEGIN IMMEDIATE`` and cannot race another session.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from ordertui.domain import codec
from ordertui.domain.money import Money
from ordertui.domain.returns import (
    Recovery,
    RecoverySource,
    Refund,
    Return,
    ReturnDestination,
    ReturnItem,
    ReturnNotFound,
    ReturnState,
    StockItem,
    StockUse,
)
from ordertui.i18n import _
from ordertui.store import Store
from ordertui.store.schema import DISPUTE_REFUNDED

_HOLDING = tuple(s.value for s in ReturnState if s is not ReturnState.CANCELLED)

_RETURN_COLUMNS = ("r.id, r.order_id, r.state, r.reason, r.destination, r.address, "
                   "r.tracking_number, r.condition, r.opened_at, r.updated_at, r.history, "
                   "COALESCE(NULLIF(o.name, ''), o.supplier_order_id)")

_STOCK_COLUMNS = ("s.id, s.sku, s.title, s.variant, s.product_id, s.restocked, s.used, "
                  "s.condition, s.order_id, COALESCE(NULLIF(o.name, ''), o.supplier_order_id, ''),"
                  " s.return_id, s.unit_cost, s.currency, s.restocked_at")


def _ts(value: datetime) -> int:
    return int(value.timestamp())


def _dt(value: int) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class ReturnsStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    # --- buyer-protection windows ------------------------------------------------------
    def protection_windows(self) -> dict[str, tuple[int, str]]:
        return {s: (d, b) for s, d, b in self.store.con.execute(
            "SELECT supplier, days, basis FROM supplier_protection")}

    def set_protection_windows(self, windows: Mapping[str, tuple[int, str]]) -> bool:
        """Make the table hold exactly ``windows``; writes only when something changed, so
        that opening the app is not a write on every start."""
        if self.protection_windows() == dict(windows):
            return False
        with self.store.write() as con:
            con.execute("DELETE FROM supplier_protection")
            con.executemany("INSERT INTO supplier_protection (supplier, days, basis) "
                            "VALUES (?, ?, ?)",
                            [(s, d, b) for s, (d, b) in sorted(windows.items())])
        return True

    # --- returns -------------------------------------------------------------------------
    def returned_quantities(self, order_id: int) -> dict[str, int]:
        """Per item key, how many of the order's items returns already hold."""
        rows = self.store.con.execute(
            "SELECT i.item_key, SUM(i.quantity) FROM return_items i "
            "JOIN returns r ON r.id = i.return_id WHERE r.order_id = ? "
            f"AND r.state IN ({', '.join('?' for _i in _HOLDING)}) GROUP BY i.item_key",
            (order_id, *_HOLDING))
        return {k: int(n) for k, n in rows}

    def insert_return(self, r: Return) -> int:
        con = self.store.con
        cur = con.execute(
            "INSERT INTO returns (order_id, state, reason, destination, address, "
            "tracking_number, condition, opened_at, updated_at, history) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (r.order_id, r.state.value, r.reason, r.destination.value, r.address,
             r.tracking_number, r.condition, _ts(r.opened_at), _ts(r.updated_at),
             _dumps([codec.change_to(h) for h in r.history])))
        rid = int(cur.lastrowid or 0)
        con.executemany(
            "INSERT INTO return_items (return_id, item_key, sku, title, variant, product_id, "
            "quantity) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(rid, i.key, i.sku, i.title, i.variant, i.product_id, i.quantity)
             for i in r.items])
        return rid

    def update_return(self, r: Return) -> None:
        self.store.con.execute(
            "UPDATE returns SET state = ?, tracking_number = ?, condition = ?, updated_at = ?, "
            "history = ? WHERE id = ?",
            (r.state.value, r.tracking_number, r.condition, _ts(r.updated_at),
             _dumps([codec.change_to(h) for h in r.history]), r.id))

    def _returns(self, where: str, params: Sequence[Any], tail: str = "") -> list[Return]:
        con = self.store.con
        rows = con.execute(f"SELECT {_RETURN_COLUMNS} FROM returns r "
                           f"JOIN orders o ON o.id = r.order_id WHERE {where} {tail}",
                           params).fetchall()
        if not rows:
            return []
        ids = [r[0] for r in rows]
        items: dict[int, list[ReturnItem]] = {i: [] for i in ids}
        for rid, key, sku, title, variant, pid, qty in con.execute(
                "SELECT return_id, item_key, sku, title, variant, product_id, quantity "
                f"FROM return_items WHERE return_id IN ({', '.join('?' for _i in ids)}) "
                "ORDER BY rowid", ids):
            items[rid].append(ReturnItem(key=key, quantity=int(qty), title=title,
                                         variant=variant, sku=sku, product_id=pid))
        return [Return(id=rid, order_id=oid, state=ReturnState(state), items=items[rid],
                       reason=reason, destination=ReturnDestination(dest), address=address,
                       tracking_number=tracking, condition=condition, opened_at=_dt(opened),
                       updated_at=_dt(updated),
                       history=[codec.change_from(h) for h in json.loads(history)],
                       order_name=name)
                for (rid, oid, state, reason, dest, address, tracking, condition, opened,
                     updated, history, name) in rows]

    def get_return(self, return_id: int) -> Return:
        found = self._returns("r.id = ?", (return_id,))
        if not found:
            # Translators: after "no return 12; " (the command stays as it is)
            raise ReturnNotFound(str(return_id), _("see `ordertui return list`"))
        return found[0]

    def returns_for(self, order_id: int) -> list[Return]:
        return self._returns("r.order_id = ?", (order_id,), "ORDER BY r.id")

    def list_returns(self, states: Iterable[ReturnState] = (), *, limit: int = 500,
                     offset: int = 0) -> list[Return]:
        values = [s.value for s in states]
        where = f"r.state IN ({', '.join('?' for _i in values)})" if values else "1 = 1"
        return self._returns(where, [*values, limit, offset],
                             "ORDER BY r.updated_at DESC, r.id DESC LIMIT ? OFFSET ?")

    # --- refunds -------------------------------------------------------------------------
    def insert_refund(self, refund: Refund) -> int:
        cur = self.store.con.execute(
            "INSERT INTO refunds (order_id, amount, currency, reason, item_returned, return_id, "
            "at, shop_refund_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (refund.order_id, refund.amount.to_units(), refund.amount.currency, refund.reason,
             int(refund.item_returned), refund.return_id, _ts(refund.at),
             refund.shop_refund_id or None))
        return int(cur.lastrowid or 0)

    def set_refund_shop_id(self, refund_id: int, shop_refund_id: str) -> None:
        """The shop made the refund: its id there, so that a sync reading the shop's refunds
        back counts it once."""
        with self.store.write() as con:
            con.execute("UPDATE refunds SET shop_refund_id = ? WHERE id = ?",
                        (shop_refund_id, refund_id))

    def delete_refund(self, refund_id: int) -> None:
        """A refund the shop refused to make was not made."""
        with self.store.write() as con:
            con.execute("DELETE FROM refunds WHERE id = ?", (refund_id,))

    def shop_refund_ids(self, order_id: int) -> set[str]:
        return {r[0] for r in self.store.con.execute(
            "SELECT shop_refund_id FROM refunds WHERE order_id = ? AND shop_refund_id IS NOT "
            "NULL", (order_id,))}

    def refunds_for(self, order_id: int) -> list[Refund]:
        return [Refund(id=rid, order_id=order_id, amount=Money.from_units(amount, cur),
                       reason=reason, item_returned=bool(returned), return_id=ret, at=_dt(at),
                       shop_refund_id=shop_id or "")
                for rid, amount, cur, reason, returned, ret, at, shop_id in self.store.con.execute(
                    "SELECT id, amount, currency, reason, item_returned, return_id, at, "
                    "shop_refund_id FROM refunds WHERE order_id = ? ORDER BY id", (order_id,))]

    # --- money recovered from the supplier ---------------------------------------------
    def insert_recovery(self, rec: Recovery) -> int:
        cur = self.store.con.execute(
            "INSERT INTO recoveries (order_id, amount, currency, note, at) "
            "VALUES (?, ?, ?, ?, ?)",
            (rec.order_id, rec.amount.to_units(), rec.amount.currency, rec.note, _ts(rec.at)))
        return int(cur.lastrowid or 0)

    def recoveries_for(self, order_id: int) -> list[Recovery]:
        """Disputes the supplier resolved with a refund, then sums recorded by hand."""
        con = self.store.con
        found = [Recovery(order_id=order_id, amount=Money.from_units(refunded, cur),
                          source=RecoverySource.DISPUTE, at=_dt(at), dispute_id=did,
                          note=_("dispute resolved with a refund"))
                 for did, refunded, cur, at in con.execute(
                     "SELECT id, refunded, currency, updated_at FROM disputes "
                     f"WHERE order_id = ? AND {DISPUTE_REFUNDED} ORDER BY id", (order_id,))]
        found.extend(Recovery(id=rid, order_id=order_id, amount=Money.from_units(amount, cur),
                              source=RecoverySource.MANUAL, at=_dt(at), note=note)
                     for rid, amount, cur, note, at in con.execute(
                         "SELECT id, amount, currency, note, at FROM recoveries "
                         "WHERE order_id = ? ORDER BY id", (order_id,)))
        return found

    # --- returns stock -------------------------------------------------------------------
    def insert_stock(self, item: StockItem) -> int:
        cur = self.store.con.execute(
            "INSERT INTO stock (sku, title, variant, product_id, restocked, used, condition, "
            "order_id, return_id, unit_cost, currency, restocked_at) "
            "VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)",
            (item.sku, item.title, item.variant, item.product_id, item.restocked,
             item.condition, item.from_order_id, item.return_id,
             item.unit_cost.to_units() if item.unit_cost else None,
             item.unit_cost.currency if item.unit_cost else "", _ts(item.restocked_at)))
        return int(cur.lastrowid or 0)

    def stock(self, *, sku: str | None = None, include_empty: bool = False) -> list[StockItem]:
        """Lots in the returns stock, oldest first (the order they are used in)."""
        conds, params = [], []
        if sku is not None:
            conds.append("s.sku = ?")
            params.append(sku)
        if not include_empty:
            conds.append("s.used < s.restocked")
        where = " WHERE " + " AND ".join(conds) if conds else ""
        result = []
        for (sid, sku_, title, variant, pid, restocked, used, condition, oid, oname, ret, cost,
             cur, at) in self.store.con.execute(
                f"SELECT {_STOCK_COLUMNS} FROM stock s LEFT JOIN orders o ON o.id = s.order_id"
                f"{where} ORDER BY s.restocked_at, s.id", params):
            result.append(StockItem(
                id=sid, sku=sku_, title=title, variant=variant, product_id=pid,
                quantity=int(restocked) - int(used), restocked=int(restocked),
                condition=condition, from_order_id=oid, from_order_name=oname, return_id=ret,
                unit_cost=Money.from_units(cost, cur) if cost is not None else None,
                restocked_at=_dt(at)))
        return result

    def take_stock(self, lot_id: int, quantity: int) -> None:
        self.store.con.execute("UPDATE stock SET used = used + ? WHERE id = ?",
                               (quantity, lot_id))

    def insert_stock_use(self, use: StockUse) -> int:
        cur = self.store.con.execute(
            "INSERT INTO stock_uses (stock_id, order_id, quantity, at) VALUES (?, ?, ?, ?)",
            (use.stock_id, use.order_id, use.quantity, _ts(use.at)))
        return int(cur.lastrowid or 0)

    def stock_uses_for(self, order_id: int) -> list[StockUse]:
        """Items taken from the returns stock to ship ``order_id``."""
        return [StockUse(id=uid, stock_id=sid, order_id=order_id, quantity=int(qty),
                         at=_dt(at), sku=sku, from_order_id=origin)
                for uid, sid, qty, at, sku, origin in self.store.con.execute(
                    "SELECT u.id, u.stock_id, u.quantity, u.at, s.sku, s.order_id "
                    "FROM stock_uses u JOIN stock s ON s.id = u.stock_id "
                    "WHERE u.order_id = ? ORDER BY u.id", (order_id,))]
