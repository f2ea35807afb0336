"""The simulated CJ's state: which of the demo engine's orders CJ lists and in which status,
and the SQLite file (``cj.sqlite3`` beside the engine's) that holds what the API changed.

The engine supplies the orders; ``meta`` holds how many of them are visible, the count of
disputes opened and the time of the last login; ``overlay`` an order's status or tracking
number set since, or its deletion; ``disputes`` the disputes opened through the API;
``tokens`` the access and refresh tokens handed out. On start the visible orders are placed
in an index in memory (status, tracking number, seeded dispute), which the endpoints read
and keep up to date as they write.
"""

from __future__ import annotations

import abc
import contextlib
import sqlite3
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from ordertui.domain.models import Order
from ordertui.domain.states import OrderStatus
from ordertui.simulators.cj.config import CJSimConfig
from ordertui.simulators.cj.wire import CJError
from ordertui.simulators.common import Simulator
from ordertui.simulators.demo import IdScheme
from ordertui.sqlite_file import transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS overlay (
    idx INTEGER PRIMARY KEY, status TEXT, deleted INTEGER NOT NULL DEFAULT 0,
    track_number TEXT);
CREATE TABLE IF NOT EXISTS disputes (
    id TEXT PRIMARY KEY, idx INTEGER NOT NULL, business_id TEXT NOT NULL UNIQUE,
    reason_id INTEGER NOT NULL, reason_name TEXT NOT NULL, expect_type INTEGER NOT NULL,
    refund_type INTEGER NOT NULL, message TEXT NOT NULL, amount TEXT NOT NULL,
    products TEXT NOT NULL, created REAL NOT NULL, status TEXT NOT NULL,
    finally_deal INTEGER, money TEXT);
CREATE TABLE IF NOT EXISTS tokens (
    access TEXT PRIMARY KEY, refresh TEXT NOT NULL, access_exp REAL NOT NULL,
    refresh_exp REAL NOT NULL, created REAL NOT NULL, valid INTEGER NOT NULL DEFAULT 1);
"""


class CJState(Simulator, abc.ABC):
    """The base of the simulator's parts (authentication, orders, disputes, test hooks):
    the state they share, and what one part provides to the others."""

    name = "cj"
    scheme = IdScheme(prefix="J", base=1_623_672_949_997_490_000)
    config: CJSimConfig

    visible: int  # how many of the engine's orders CJ lists (the rest appear by "grow")
    status: dict[int, str]  # idx -> CJ's orderStatus, for every order CJ lists
    tracking: dict[str, int]  # tracking number -> idx
    track_of: dict[int, str]  # idx -> tracking number
    seeded: dict[int, str]  # idx -> the id of the engine's dispute on the order
    delisted: set[str]  # variant ids the product endpoints no longer know (set by tests)

    def __init__(self, config: CJSimConfig | None = None) -> None:
        super().__init__(config or CJSimConfig())
        self.db_path = self.state_dir / "cj.sqlite3"
        if self.fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.db_path) + suffix).unlink(missing_ok=True)
        con = sqlite3.connect(self.db_path, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.executescript(_SCHEMA)
        finally:
            con.close()
        with self._db() as con:
            con.execute("INSERT OR IGNORE INTO meta VALUES ('visible', ?)",
                        (str(self.config.orders),))
            con.execute("INSERT OR IGNORE INTO meta VALUES ('disputes', '0')")
            con.execute("INSERT OR IGNORE INTO meta VALUES ('last_login', '0')")
        self._state_lock = threading.RLock()
        self.delisted = set()
        self._order = lru_cache(maxsize=20_000)(self._load_order)
        self._index()

    # --- storage --------------------------------------------------------------------------
    def _db(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return transaction(self.db_path)

    def _meta(self, con: sqlite3.Connection, key: str) -> str:
        return str(con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0])

    # --- the orders CJ lists ----------------------------------------------------------------
    def _load_order(self, idx: int) -> Order:
        return self.engine.get(self.scheme.order_id(idx))

    def _index(self) -> None:
        """Every visible order's CJ status, tracking number and seeded dispute, in memory,
        so that a page filtered by status costs no scan of the engine."""
        with self._db() as con:
            visible = int(self._meta(con, "visible"))
            overlay = {r[0]: r[1:] for r in con.execute(
                "SELECT idx, status, deleted, track_number FROM overlay")}
        self.visible = visible
        self.status = {}
        self.tracking = {}
        self.track_of = {}
        self.seeded = {}
        cursor: str | None = "b:0:0"
        while cursor and cursor.startswith("b:"):
            start = int(cursor.split(":")[1])
            if start >= visible:
                break
            orders, cursor, _, _ = self.engine.list_changes(cursor, 5000)
            for order in orders:
                idx = start
                start += 1
                if idx >= visible:
                    break
                self._place(idx, order, overlay.get(idx))

    def _place(self, idx: int, order: Order, over: tuple[Any, ...] | None) -> None:
        status = self._base_status(idx, order)
        track = order.tracking_number
        if over is not None:
            if over[1]:
                self.status.pop(idx, None)
                return
            status = over[0] or status
            track = over[2] if over[2] is not None else track
        self.status[idx] = status
        if track:
            self.tracking[track] = idx
            self.track_of[idx] = track
        if order.dispute is not None:
            self.seeded[idx] = f"SE{self.scheme.order_id(idx)[1:]}"

    @staticmethod
    def _base_status(idx: int, order: Order) -> str:
        s = order.status
        if s is OrderStatus.AWAITING_PAYMENT:
            return ("CREATED", "IN_CART", "UNPAID", "UNPAID", "UNPAID")[idx % 5]
        return {OrderStatus.PROCESSING: "UNSHIPPED", OrderStatus.SHIPPED: "SHIPPED",
                OrderStatus.DELIVERED: "DELIVERED", OrderStatus.CLOSED: "DELIVERED",
                OrderStatus.CANCELLED: "CANCELLED"}.get(s, "UNSHIPPED")

    def _idx(self, order_id: str | None) -> int:
        """The index of an order CJ lists, by its id; CJ's "order not found" otherwise."""
        if not order_id:
            raise CJError(1600300, "orderId must be not empty")
        idx = self.scheme.index(order_id, self.visible)
        if idx is None or idx not in self.status:
            raise CJError(1600300, "order not found")
        return idx

    # --- what the dispute endpoints provide -------------------------------------------------
    @abc.abstractmethod
    def _latest_dispute(self, idx: int) -> str | None:
        """The id of the order's newest dispute, for its details."""

    @abc.abstractmethod
    def _decide_due(self) -> None:
        """Decide the disputes whose time has come; runs before every call and truth."""
