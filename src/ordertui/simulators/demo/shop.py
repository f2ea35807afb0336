"""The demo shop's back office: the shop the demo supplier's orders were placed for, the
remote party behind the demo shop adapter (``ordertui.shops.demo``) and the Shopify
simulator (``ordertui.simulators.shopify``).

Its orders come from ``shop_orders`` (pure functions of ``(seed, index)``, over the same
seed, count and epoch as the demo supplier's back office beside it); only what changed since
is stored, in ``shop.sqlite3`` next to the supplier's ``state.sqlite3``: the fulfillments
created (tracking, lines, whether the customer was told), changes of tracking, refunds, and
for each changed order its ``updated_at`` and a sequence number, so that a client can list
what changed since a point. Every write may carry an idempotency key: the same key again
returns the first result and changes nothing. When the supplier's back office is created
anew (``ordertui demo seed``), the shop forgets what happened to the orders before.

Only the domain, ``ordertui.sqlite_file`` and the standard library are imported here.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from ordertui.domain.errors import OrdertuiError
from ordertui.simulators.demo.backoffice import DemoEngine
from ordertui.simulators.demo.shop_orders import (
    CENT,
    Ids,
    ShopFulfillmentRecord,
    ShopOrderRecord,
    ShopRefundRecord,
    ShopTransaction,
    shop_count,
    shop_order,
)
from ordertui.simulators.demo.shop_rules import (
    ShopOrderUnknown,
    ShopRefused,
    check_fulfillment,
    check_refund,
    tracking_url,
)
from ordertui.sqlite_file import transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS changes (
    idx INTEGER PRIMARY KEY, updated_at INTEGER NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS changes_order ON changes (updated_at, seq);
CREATE TABLE IF NOT EXISTS fulfillments (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, idx INTEGER NOT NULL, created_at INTEGER NOT NULL,
    company TEXT NOT NULL, number TEXT NOT NULL, url TEXT NOT NULL, lines TEXT NOT NULL,
    notify INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS fulfillments_idx ON fulfillments (idx);
CREATE TABLE IF NOT EXISTS tracking_updates (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, idx INTEGER NOT NULL, fulfillment_id TEXT NOT NULL,
    at INTEGER NOT NULL, company TEXT NOT NULL, number TEXT NOT NULL, url TEXT NOT NULL,
    notify INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS tracking_updates_idx ON tracking_updates (idx);
CREATE TABLE IF NOT EXISTS refunds (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, idx INTEGER NOT NULL, created_at INTEGER NOT NULL,
    amount TEXT NOT NULL, note TEXT NOT NULL, lines TEXT NOT NULL, shipping TEXT NOT NULL,
    notify INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS refunds_idx ON refunds (idx);
CREATE TABLE IF NOT EXISTS actions (
    key TEXT PRIMARY KEY, kind TEXT NOT NULL, idx INTEGER NOT NULL, at REAL NOT NULL,
    params TEXT NOT NULL, result TEXT NOT NULL);
"""

KINDS = ("fulfillment", "tracking_update", "refund")

__all__ = ["KINDS", "DemoShopOffice", "ShopOrderUnknown", "ShopRefused", "tracking_url"]


class DemoShopOffice:
    """The demo shop's state over the demo supplier's back office ``engine``. Thread- and
    process-safe through SQLite; ``clock`` gives seconds (the app's or the simulator's)."""

    def __init__(self, engine: DemoEngine, path: Path | None = None, *,
                 clock: Callable[[], float] | None = None) -> None:
        self.engine = engine
        self.path = Path(path) if path is not None else engine.path.with_name("shop.sqlite3")
        self.clock = clock or time.time
        self._stamp: str | None = None
        self._params: tuple[int, int, float] = (0, 0, 0.0)

    # --- storage ---------------------------------------------------------------------------
    def _prepare(self) -> None:
        """Read the supplier's seed, count and epoch afresh (``ordertui demo seed`` may have
        made it anew, in another process too) and forget the shop's changes if so."""
        if not self.engine.path.exists():
            raise OrdertuiError(f"the demo supplier has no data yet at {self.engine.path}; "
                                "sync it first")
        with transaction(self.engine.path, write=False) as con:
            meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        stamp = ":".join(meta.get(k, "") for k in ("seed", "count", "epoch", "created"))
        if stamp == self._stamp:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.executescript(_SCHEMA)
        finally:
            con.close()
        with transaction(self.path) as con:
            row = con.execute("SELECT value FROM meta WHERE key = 'stamp'").fetchone()
            if row is None or row[0] != stamp:
                for table in ("changes", "fulfillments", "tracking_updates", "refunds",
                              "actions"):
                    con.execute(f"DELETE FROM {table}")
                con.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                [("stamp", stamp), ("seq", "0"), ("last", "0")])
        self._params = (int(meta["seed"]), int(meta["count"]), float(meta["epoch"]))
        self._stamp = stamp

    def _db(self, write: bool = False) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        self._prepare()
        return transaction(self.path, write=write)

    @property
    def supplier_orders(self) -> int:
        self._prepare()
        return self._params[1]

    @property
    def count(self) -> int:
        """How many orders the shop has: the supplier's, and those still to be ordered."""
        return shop_count(self.supplier_orders)

    # --- reading ---------------------------------------------------------------------------
    def base(self, idx: int) -> ShopOrderRecord:
        """Shop order ``idx`` as generated, before anything that happened since."""
        seed, count, epoch = self._params
        return shop_order(seed, idx, count, epoch, self.engine.scheme, self.engine.supplier)

    def index_of(self, order_id: str) -> int:
        """The index of an order by its id (``gid://shopify/Order/…`` or the number)."""
        parsed = Ids.parse(order_id) if order_id.startswith("gid:") else (
            ("Order", int(order_id)) if order_id.isdigit() else None)
        idx = None
        if parsed is not None and parsed[0] == "Order":
            idx = Ids.offset(parsed[1], Ids.ORDER)
        if idx is None or idx >= self.count:
            raise ShopOrderUnknown(f"Order does not exist: {order_id}", ["id"])
        return idx

    def locate(self, gid: str) -> tuple[str, int] | None:
        """(kind, order index) of anything of an order by its id; None if it is no such
        thing."""
        parsed = Ids.parse(gid)
        if parsed is None:
            return None
        kind, number = parsed
        direct = {"Order": (Ids.ORDER, 1), "Customer": (Ids.CUSTOMER, 1),
                  "FulfillmentOrder": (Ids.FULFILLMENT_ORDER, 1), "LineItem": (Ids.LINE, 8),
                  "FulfillmentOrderLineItem": (Ids.FO_LINE, 8),
                  "ShippingLine": (Ids.SHIPPING_LINE, 1), "Fulfillment": (Ids.FULFILLMENT, 1),
                  "Refund": (Ids.REFUND, 1)}
        made = {"Fulfillment": (Ids.FULFILLMENT_NEW, "fulfillments"),
                "Refund": (Ids.REFUND_NEW, "refunds"),
                "OrderTransaction": (Ids.REFUND_TX_NEW, "refunds")}
        idx: int | None = None
        if kind in made and (seq := Ids.offset(number, made[kind][0])) is not None:
            with self._db() as con:
                row = con.execute(f"SELECT idx FROM {made[kind][1]} WHERE seq = ?",
                                  (seq,)).fetchone()
            idx = row[0] if row else None
        elif kind == "OrderTransaction":
            for base in (Ids.SALE, Ids.REFUND_TX):
                if (off := Ids.offset(number, base)) is not None:
                    idx = off
        elif kind in direct:
            base, per = direct[kind]
            off = Ids.offset(number, base)
            idx = off // per if off is not None else None
        if idx is None or idx >= self.count:
            return None
        return kind, idx

    def get(self, order_id: str) -> ShopOrderRecord:
        idx = self.index_of(order_id)
        return self.records([idx])[0]

    def records(self, indices: Sequence[int]) -> list[ShopOrderRecord]:
        with self._db() as con:
            orders = {i: self.base(i) for i in indices}
            for chunk in _chunks(list(orders), 500):
                marks = ",".join("?" * len(chunk))
                self._apply_state(con, orders, f"idx IN ({marks})", chunk)
        return [orders[i] for i in indices]

    def page(self, start: int, limit: int) -> list[ShopOrderRecord]:
        """Orders ``start`` to ``start + limit`` (fewer at the end), with their changes."""
        with self._db() as con:
            end = min(start + limit, shop_count(self._params[1]))
            orders = {i: self.base(i) for i in range(start, end)}
            self._apply_state(con, orders, "idx >= ? AND idx < ?", [start, end])
        return list(orders.values())

    def _apply_state(self, con: sqlite3.Connection, orders: dict[int, ShopOrderRecord],
                     where: str, params: Sequence[Any]) -> None:
        for seq, idx, at, company, number, url, lines, notify in con.execute(
                "SELECT seq, idx, created_at, company, number, url, lines, notify FROM "
                f"fulfillments WHERE {where} ORDER BY seq", params):
            orders[idx].fulfillments.append(ShopFulfillmentRecord(
                Ids.gid("Fulfillment", Ids.FULFILLMENT_NEW + seq), _dt(at), _dt(at), company,
                number, url, tuple((n, q) for n, q in json.loads(lines)), bool(notify)))
        for idx, fid, at, company, number, url in con.execute(
                "SELECT idx, fulfillment_id, at, company, number, url FROM tracking_updates "
                f"WHERE {where} ORDER BY seq", params):
            for f in orders[idx].fulfillments:
                if f.fulfillment_id == fid:
                    f.company, f.number, f.url, f.updated_at = company, number, url, _dt(at)
        for seq, idx, at, amount, note, lines, shipping, notify in con.execute(
                "SELECT seq, idx, created_at, amount, note, lines, shipping, notify FROM "
                f"refunds WHERE {where} ORDER BY seq", params):
            order = orders[idx]
            tx = None
            if Decimal(amount) > 0 and order.sale is not None:
                tx = ShopTransaction(Ids.gid("OrderTransaction", Ids.REFUND_TX_NEW + seq),
                                     "REFUND", "SUCCESS", order.sale.gateway, Decimal(amount),
                                     _dt(at), order.sale.transaction_id)
                order.transactions.append(tx)
            refund_lines = tuple((n, q, r) for n, q, r in json.loads(lines))
            order.refunds.append(ShopRefundRecord(
                Ids.gid("Refund", Ids.REFUND_NEW + seq), _dt(at), Decimal(amount), note, tx,
                refund_lines, Decimal(shipping), bool(notify)))
            for n, q, _restock in refund_lines:
                order.lines[n].refunded_quantity += q
        for idx, updated in con.execute(f"SELECT idx, updated_at FROM changes WHERE {where}",
                                        params):
            orders[idx].updated_at = max(orders[idx].updated_at, _dt(updated))

    # --- what changed ------------------------------------------------------------------------
    def watermark(self) -> tuple[int, int]:
        """(updated_at, sequence) of the latest change; (0, 0) before any."""
        with self._db() as con:
            row = con.execute("SELECT updated_at, seq FROM changes ORDER BY updated_at DESC, "
                              "seq DESC LIMIT 1").fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)

    def changed_since(self, updated_at: int, seq: int, limit: int
                      ) -> tuple[list[ShopOrderRecord], tuple[int, int], int]:
        """Orders changed after the point ``(updated_at, seq)``, oldest change first: (the
        orders, the point after the last of them, how many changed after the point)."""
        with self._db() as con:
            rows = con.execute(
                "SELECT idx, updated_at, seq FROM changes WHERE updated_at > ? OR "
                "(updated_at = ? AND seq > ?) ORDER BY updated_at, seq LIMIT ?",
                (updated_at, updated_at, seq, limit)).fetchall()
            total = int(con.execute(
                "SELECT COUNT(*) FROM changes WHERE updated_at > ? OR (updated_at = ? AND "
                "seq > ?)", (updated_at, updated_at, seq)).fetchone()[0])
        last = (int(rows[-1][1]), int(rows[-1][2])) if rows else (updated_at, seq)
        return self.records([r[0] for r in rows]), last, total

    def lookup(self, key: str) -> tuple[str, dict[str, Any]] | None:
        """The first result of the write sent with ``key``, if the shop received it."""
        with self._db() as con:
            row = con.execute("SELECT kind, result FROM actions WHERE key = ?",
                              (key,)).fetchone()
        return (row[0], json.loads(row[1])) if row else None

    def counts(self) -> dict[int, dict[str, int]]:
        """For each order written to: how many fulfillments, tracking updates and refunds
        were made (what "exactly once" is checked against)."""
        out: dict[int, dict[str, int]] = {}
        with self._db() as con:
            for kind, table in zip(KINDS, ("fulfillments", "tracking_updates", "refunds"),
                                   strict=True):
                for idx, n in con.execute(f"SELECT idx, COUNT(*) FROM {table} GROUP BY idx"):
                    out.setdefault(idx, dict.fromkeys(KINDS, 0))[kind] = n
        return out

    # --- writing ---------------------------------------------------------------------------
    def _write(self, kind: str, idx: int, key: str | None, params: dict[str, Any],
               apply: Callable[[sqlite3.Connection, ShopOrderRecord, int], str]) -> str:
        """Apply a write once per ``key`` (without one, every time); returns the id of what
        it made, the first one's for a repeated key."""
        text = json.dumps(params, sort_keys=True, default=str)
        with self._db(write=True) as con:
            if key is not None:
                row = con.execute("SELECT kind, params, result FROM actions WHERE key = ?",
                                  (key,)).fetchone()
                if row is not None:
                    if row[0] != kind or row[1] != text:
                        raise ShopRefused("The same idempotency key cannot be used with "
                                          "different operation parameters.",
                                          code="IDEMPOTENCY_KEY_PARAMETER_MISMATCH")
                    return str(json.loads(row[2])["id"])
            order = self.records_in(con, idx)
            last = int(con.execute("SELECT value FROM meta WHERE key = 'last'").fetchone()[0])
            seq = int(con.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()[0]) + 1
            now = max(int(self.clock()), last)
            made = apply(con, order, now)
            con.executemany("UPDATE meta SET value = ? WHERE key = ?",
                            [(str(now), "last"), (str(seq), "seq")])
            con.execute("INSERT INTO changes (idx, updated_at, seq) VALUES (?, ?, ?) ON "
                        "CONFLICT (idx) DO UPDATE SET updated_at = excluded.updated_at, "
                        "seq = excluded.seq", (idx, now, seq))
            if key is not None:
                con.execute("INSERT INTO actions VALUES (?, ?, ?, ?, ?, ?)",
                            (key, kind, idx, self.clock(), text,
                             json.dumps({"id": made, "order_id": order.order_id})))
            return made

    def records_in(self, con: sqlite3.Connection, idx: int) -> ShopOrderRecord:
        """Order ``idx`` as of the transaction ``con``."""
        orders = {idx: self.base(idx)}
        self._apply_state(con, orders, "idx = ?", [idx])
        return orders[idx]

    def create_fulfillment(self, idx: int, lines: Sequence[tuple[int, int]] | None, *,
                           company: str = "", number: str = "", url: str = "",
                           notify: bool = False, key: str | None = None
                           ) -> tuple[ShopOrderRecord, ShopFulfillmentRecord]:
        """Mark ``lines`` ((line n, quantity); None: all that is left) sent, with tracking."""
        params = {"idx": idx, "lines": None if lines is None else [list(x) for x in lines],
                  "company": company, "number": number, "url": url, "notify": notify}

        def apply(con: sqlite3.Connection, order: ShopOrderRecord, now: int) -> str:
            asked = check_fulfillment(order, lines)
            cur = con.execute(
                "INSERT INTO fulfillments (idx, created_at, company, number, url, lines, "
                "notify) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (idx, now, company, number, url or tracking_url(company, number),
                 json.dumps(sorted(asked.items())), int(notify)))
            return Ids.gid("Fulfillment", Ids.FULFILLMENT_NEW + int(cur.lastrowid or 0))

        made = self._write("fulfillment", idx, key, params, apply)
        order = self.records([idx])[0]
        return order, next(f for f in order.fulfillments if f.fulfillment_id == made)

    def update_tracking(self, fulfillment_id: str, *, company: str = "", number: str = "",
                        url: str = "", notify: bool = False, key: str | None = None
                        ) -> tuple[ShopOrderRecord, ShopFulfillmentRecord]:
        found = self.locate(fulfillment_id)
        if found is None or found[0] != "Fulfillment":
            raise ShopOrderUnknown("Fulfillment does not exist.", ["fulfillment"])
        idx = found[1]
        params = {"fulfillment": fulfillment_id, "company": company, "number": number,
                  "url": url, "notify": notify}

        def apply(con: sqlite3.Connection, order: ShopOrderRecord, now: int) -> str:
            f = next((f for f in order.fulfillments if f.fulfillment_id == fulfillment_id),
                     None)
            if f is None:
                raise ShopOrderUnknown("Fulfillment does not exist.", ["fulfillment"])
            if f.status != "SUCCESS":
                raise ShopRefused("The fulfillment is cancelled.", ["fulfillment"])
            con.execute("INSERT INTO tracking_updates (idx, fulfillment_id, at, company, "
                        "number, url, notify) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (idx, fulfillment_id, now, company, number,
                         url or tracking_url(company, number), int(notify)))
            return fulfillment_id

        self._write("tracking_update", idx, key, params, apply)
        order = self.records([idx])[0]
        return order, next(f for f in order.fulfillments if f.fulfillment_id == fulfillment_id)

    def create_refund(self, idx: int, amount: Decimal, *, note: str = "", notify: bool = False,
                      lines: Sequence[tuple[int, int, str]] = (),
                      shipping: Decimal = Decimal(0), parent_id: str | None = None,
                      gateway: str | None = None, allow_over: bool = False,
                      key: str | None = None) -> tuple[ShopOrderRecord, ShopRefundRecord]:
        """Return ``amount`` to the customer through the order's payment (never more than
        was paid and not refunded yet, unless ``allow_over``), and mark ``lines`` ((line n,
        quantity, restock type)) and ``shipping`` refunded."""
        params = {"idx": idx, "amount": str(amount), "note": note, "notify": notify,
                  "lines": [list(x) for x in lines], "shipping": str(shipping),
                  "parent": parent_id, "gateway": gateway, "over": allow_over}

        def apply(con: sqlite3.Connection, order: ShopOrderRecord, now: int) -> str:
            check_refund(order, amount, lines, shipping, parent_id, gateway, allow_over)
            cur = con.execute(
                "INSERT INTO refunds (idx, created_at, amount, note, lines, shipping, notify) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (idx, now, str(amount.quantize(CENT)), note, json.dumps([list(x) for x in lines]),
                 str(shipping.quantize(CENT)), int(notify)))
            return Ids.gid("Refund", Ids.REFUND_NEW + int(cur.lastrowid or 0))

        made = self._write("refund", idx, key, params, apply)
        order = self.records([idx])[0]
        return order, next(r for r in order.refunds if r.refund_id == made)


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _dt(seconds: float) -> datetime:
    return datetime.fromtimestamp(int(seconds), UTC)
