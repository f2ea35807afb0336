"""The audit log (store/audit.py, invariant 8 in docs/architecture.md): append-only, even
from another connection; an entry stamped as told, part of an open write."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ordertui.store import Store
from support.demo import OrderFactory
from support.store import database_errors, other_connection


def test_the_audit_log_is_append_only(store: Store, store_target: str | Path,
                                      make_order: OrderFactory) -> None:
    store.bulk_insert([make_order(1)])
    store.audit(1, "merchant", "cancel", "requested cancellation")
    store.audit(None, "sync", "sync", "500 orders")
    before = store.con.execute("SELECT * FROM audit ORDER BY id").fetchall()
    assert len(before) == 2
    for sql in ("UPDATE audit SET detail = 'rewritten'", "DELETE FROM audit",
                "DELETE FROM audit WHERE id = 1"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"), store.write() as con:
            con.execute(sql)
    other = other_connection(store_target)  # not even from another connection
    with pytest.raises(database_errors(), match="append-only"):
        other.execute("UPDATE audit SET actor = 'x'")
    other.close()
    assert store.con.execute("SELECT * FROM audit ORDER BY id").fetchall() == before
    assert [e.action for e in store.audit_for(1)] == ["cancel"]


def test_an_audit_entry_is_stamped_as_told_and_joins_an_open_write(
        store: Store, make_order: OrderFactory) -> None:
    store.bulk_insert([make_order(1)])
    at = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
    store.audit(1, "merchant", "as a datetime", at=at)
    store.audit(1, "merchant", "as epoch seconds", at=int(at.timestamp()) + 1)
    assert [(e.action, e.at) for e in store.audit_for(1)] == [
        ("as a datetime", at), ("as epoch seconds", at + timedelta(seconds=1))]

    class Undone(Exception):
        pass

    with pytest.raises(Undone), store.write():
        store.audit(1, "merchant", "rolled back with its change")
        raise Undone
    assert [e.action for e in store.audit_for(1)] == ["as a datetime", "as epoch seconds"]
