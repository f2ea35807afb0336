"""The database itself refuses what a role may not do (store.grant, dialect.grants): a
viewer's write and a staff member's refund fail even from a hand-written SQL client, while
what each may do still works."""

from __future__ import annotations

import secrets
from pathlib import Path

import psycopg
import pytest

from ordertui.domain.errors import StoreRefused
from ordertui.store import Store
from support.demo import OrderFactory
from support.postgres import login_role

EVERYTHING = frozenset({"view", "sync", "cancel", "dispute", "return", "refund", "export",
                        "link", "settings"})
STAFF = EVERYTHING - {"refund", "export", "settings"}
VIEWER = frozenset({"view"})


def _user(pg_url: str, name: str) -> tuple[str, str]:
    """A database user's URL and password (the user made before it is granted anything)."""
    password = secrets.token_hex(8)
    return login_role(name, password, database=pg_url), password


def test_the_database_refuses_what_a_role_may_not_write(pg_url: str,
                                                        make_order: OrderFactory) -> None:
    store = Store(pg_url)
    try:
        store.bulk_insert([make_order(1)])
        viewer, staff = f"v_{secrets.token_hex(3)}", f"s_{secrets.token_hex(3)}"
        (viewer_url, viewer_pw), (staff_url, staff_pw) = _user(pg_url, viewer), _user(pg_url,
                                                                                     staff)
        store.grant({viewer: VIEWER, staff: STAFF})
        with psycopg.connect(viewer_url, password=viewer_pw, autocommit=True) as con:
            assert con.execute("SELECT count(*) FROM orders").fetchone() == (1,)  # reads
            for sql in ("UPDATE orders SET status = 'cancelled'",
                        "INSERT INTO refunds (order_id, amount, currency, reason, at) "
                        "VALUES (1, 100, 'USD', 'x', 1)",
                        "DELETE FROM outbox",
                        "INSERT INTO audit (at, actor, action) VALUES (1, 'x', 'y')"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    con.execute(sql)
        with psycopg.connect(staff_url, password=staff_pw, autocommit=True) as con:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute("INSERT INTO refunds (order_id, amount, currency, reason, at) "
                            "VALUES (1, 100, 'USD', 'x', 1)")
            # what staff may do: a cancellation request, and the order's state with it (the
            # kept counts follow through the owner's trigger functions)
            con.execute("INSERT INTO cancellations (order_id, state, requested_at, updated_at, "
                        "source) VALUES (1, 'requested', 1, 1, 'local')")
            con.execute("UPDATE orders SET status = 'cancelled' WHERE id = 1")
        assert store.con.execute("SELECT count(*) FROM refunds").fetchone()[0] == 0
        assert store.con.execute("SELECT SUM(n) FROM order_counts WHERE status = "
                                 "'cancelled'").fetchone()[0] == 1
    finally:
        store.close()


def test_a_refused_statement_reaches_the_store_as_refused(pg_url: str,
                                                          make_order: OrderFactory) -> None:
    owner = Store(pg_url)
    viewer = f"v_{secrets.token_hex(3)}"
    try:
        owner.bulk_insert([make_order(1)])
        url, password = _user(pg_url, viewer)
        owner.grant({viewer: VIEWER})
        session = Store(url, password=password)
        try:
            assert session.db_user == viewer and session.count_by_view()["all"] == 1
            with pytest.raises(StoreRefused, match="permission denied"):
                session.audit(1, "merchant", "refund", "by hand")
        finally:
            session.close()
    finally:
        owner.close()


async def test_a_viewers_session_starts_and_reads(pg_url: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A viewer's own database user opens the app's services, reads, and writes nothing at
    start (the protection windows another session keeps are left alone)."""
    from ordertui.config import parse
    from ordertui.domain.query import OrderQuery
    from ordertui.services.core import Services
    from support.demo import demo_raw

    owner_cfg = parse({**demo_raw(), "store": {"url": pg_url}}, tmp_path / "o.toml",
                      tmp_path / "owner")
    owner = Services(owner_cfg)
    await owner.sync()
    viewer = f"v_{secrets.token_hex(3)}"
    url, password = _user(pg_url, viewer)
    owner.store.grant({viewer: VIEWER})
    owner.store.close()
    monkeypatch.setenv("VIEWER_DB_PASSWORD", password)  # [store] password_env
    raw = {**demo_raw(), "store": {"url": url.replace(f":{password}@", "@"),
                                   "password_env": "VIEWER_DB_PASSWORD"},
           "roles": {"viewer": {"allow": ["view"], "db_users": [viewer]}}}
    cfg = parse(raw, tmp_path / "v.toml", tmp_path / "viewer")
    session = Services(cfg)
    try:
        assert session.role.name == "viewer" and session.store.db_user == viewer
        assert session.count(OrderQuery()) > 0
    finally:
        session.store.close()
