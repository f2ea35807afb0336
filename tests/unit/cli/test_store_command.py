"""``ordertui store copy --to URL`` and ``ordertui store migrate``: the demo shop's SQLite
store (its orders synced, a cancellation sent and answered, a return, refunds, money
recovered, its shop orders linked) copied into an empty PostgreSQL database reads the same
there; a full database is refused; a copy stopped halfway goes on when run again and ends
equal; migrate names the store and its schema version; a server nobody listens on is one line
that names it and never the password."""

from __future__ import annotations

import dataclasses
import socket
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from ordertui.config import Config, parse, write_toml
from ordertui.domain.errors import StoreUnavailable
from ordertui.domain.query import OrderQuery, SortKey
from ordertui.domain.states import OrderStatus
from ordertui.services.core import Services
from ordertui.services.return_items import lines_by_key
from ordertui.store import Store
from ordertui.store import copy as store_copy
from ordertui.store.schema import LATEST
from support.cli import Cli
from support.demo import DEMO_ORDERS, REVIEW_DELAY_S, Clock, demo_raw
from support.postgres import drop_database, fresh_database
from support.returns import ADDRESS

SECRET = "s3cret-Passw0rd"


def _raw() -> dict[str, Any]:
    return {**demo_raw(), "returns": {"address": ADDRESS}}


@pytest.fixture
def config(tmp_path: Path, data_dir: Path) -> Config:
    """The demo's config, with an address to take returns at; its store on SQLite."""
    return parse(_raw(), tmp_path / "config.toml", data_dir)


@pytest.fixture
def pg() -> Iterator[str]:
    url = fresh_database()
    yield url
    drop_database(url)


@pytest.fixture
async def shop(services: Services, config: Config, clock: Clock, tmp_path: Path) -> Cli:
    """The demo shop after a day's work, and the command line on its data directory."""
    s = services
    orders = [s.order(i) for i in range(1, DEMO_ORDERS + 1)]
    free = [o for o in orders if o.cancellation is None and o.dispute is None]
    cancel = [o for o in free if o.status is OrderStatus.PROCESSING]
    delivered = [o for o in free if o.status is OrderStatus.DELIVERED]
    for o in cancel[:3]:
        s.request_cancellation(o.id or 0, "the customer changed their mind")
    await s.run_outbox()
    clock.advance(REVIEW_DELAY_S + 1)
    await s.sync()  # the supplier's decisions: news
    s.request_cancellation(cancel[3].id or 0, "ordered twice")  # still in the outbox
    returned = delivered[0]
    key = next(iter(lines_by_key(returned)))
    s.returns.open_return(returned.id or 0, {key: 1}, "arrived broken", tracking="DHL 1")
    s.returns.record_refund(returned.id or 0, "1.00", "goodwill")
    s.returns.record_refund(delivered[1].id or 0, "2.50", "late")
    s.returns.record_recovery(returned.id or 0, "0.50", "the supplier paid back")
    path = tmp_path / "config.toml"
    write_toml(path, _raw())
    return Cli(CliRunner(), path, config.data_dir)


def _counts_sqlite(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'orders_fts%'")]
        return {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        con.close()


def _counts_pg(url: str) -> dict[str, int]:
    with psycopg.connect(url) as con:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = "
            "current_schema() AND table_name != 'ordertui_schema'")]
        return {t: int(con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0])  # type: ignore[index]
                for t in tables}


def _rows(window: list[Any]) -> list[Any]:
    return [dataclasses.replace(row, key=()) for row in window]


def _copy(cli: Cli, url: str, *args: str) -> Any:
    return cli.ok("store", "copy", "--to", url, *args)


def test_a_copy_of_the_demo_store_reads_the_same_on_postgresql(shop: Cli, pg: str) -> None:
    started = time.monotonic()
    out = _copy(shop, pg).stdout
    took = time.monotonic() - started
    source = shop.data / "store.sqlite3"
    counts = _counts_sqlite(source)
    for table in ("orders", "shop_orders", "order_links", "outbox", "audit", "news",
                  "refunds", "recoveries", "returns", "return_items", "cancellations"):
        assert counts[table] > 0, table  # the demo has some of everything
    assert _counts_pg(pg) == counts  # and ordertui_copy is gone
    assert "all equal" in out and "DIFFERS" not in out
    for table in counts:
        assert f"{table}: " in out  # progress, table by table
    print(f"copied {sum(counts.values())} rows in {took:.2f} s")

    mine, theirs = Store(source), Store(pg)
    try:
        assert theirs.version == LATEST
        for oid in (1, 2, 150, DEMO_ORDERS):
            assert theirs.get_order(oid) == mine.get_order(oid)
        for q in (OrderQuery(search="grace"), OrderQuery(sort=SortKey.CUSTOMER),
                  OrderQuery(sort=SortKey.CUSTOMER, descending=False, attention=True),
                  OrderQuery(statuses=(OrderStatus.CANCELLED,), sort=SortKey.PROFIT)):
            # the same rows in the same order (the paging key is each engine's own: PostgreSQL
            # pages a name by lower(name), SQLite by the name under NOCASE)
            assert _rows(theirs.window(q, limit=50)) == _rows(mine.window(q, limit=50)), q
            assert theirs.count(q) == mine.count(q), q
        term = mine.get_order(7).customer.name.split()[0]
        assert theirs.search_count(term) == mine.search_count(term) > 0
        assert theirs.count_by_view() == mine.count_by_view()
        # new rows go on from the ids copied
        with theirs.write() as con:
            oid = con.execute("INSERT INTO audit (at, order_id, actor, action) "
                              "VALUES (1, 1, 'x', 'y')").lastrowid
        assert oid == counts["audit"] + 1
    finally:
        mine.close()
        theirs.close()


def test_a_second_copy_into_the_full_database_is_refused(shop: Cli, pg: str) -> None:
    _copy(shop, pg)
    line = shop.fails(1, "store", "copy", "--to", pg, match="is not empty")
    assert pg.rsplit("/", 1)[1] in line


def test_a_copy_stopped_halfway_goes_on_when_run_again(
        shop: Cli, pg: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    batches: list[str] = []

    def lost(table: str, copied: int) -> None:
        batches.append(table)
        if (table, copied) == ("orders", 200):  # 5 batches of 40 of the 300 orders
            raise StoreUnavailable("the connection was lost")

    monkeypatch.setattr(store_copy, "after_batch", lost)
    shop.fails(1, "store", "copy", "--to", pg, "--batch-size", "40", match="connection was lost")
    with psycopg.connect(pg) as con:
        assert con.execute("SELECT COUNT(*) FROM orders").fetchone() == (200,)
        assert con.execute("SELECT copied, done FROM ordertui_copy WHERE table_name = "
                           "'orders'").fetchone() == (200, 0)
    # another store is not copied into it
    other = Cli(CliRunner(), shop.config, tmp_path / "other")
    other.ok("demo", "seed", "--orders", "10", "--seed", "1")
    other.fails(1, "store", "copy", "--to", pg, match="part of a copy of another store")

    assert batches.count("orders") == 5
    batches.clear()
    out = _copy(shop, pg, "--batch-size", "40").stdout
    assert batches.count("orders") == 3  # 240, 280, 300: not again from the start
    assert "audit: " in out
    assert "all equal" in out
    assert _counts_pg(pg) == _counts_sqlite(shop.data / "store.sqlite3")


def test_migrate_names_the_store_and_its_version(shop: Cli, pg: str, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    out = shop.ok("store", "migrate").stdout
    assert out.strip() == (f"store at {shop.data / 'store.sqlite3'} is at schema version "
                           f"{LATEST} (was {LATEST})")
    fresh = Cli(CliRunner(), shop.config, tmp_path / "fresh")
    assert f"version {LATEST} (was 0)" in fresh.ok("store", "migrate").stdout
    monkeypatch.setenv("ORDERTUI_STORE_URL", pg)
    where = pg.rpartition("@")[2]  # the server and database, never the user or password
    assert shop.ok("store", "migrate").stdout.strip() == (
        f"store at {where} is at schema version {LATEST} (was 0)")
    assert f"(was {LATEST})" in shop.ok("store", "migrate").stdout


def _nobody_listens() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_server_nobody_listens_on_is_one_line_without_the_password(
        shop: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    port = _nobody_listens()
    url = f"postgresql://anna@127.0.0.1:{port}/shop"
    monkeypatch.setenv("SHOP_DB_PASSWORD", SECRET)
    line = shop.fails(1, "store", "copy", "--to", url, "--password-env", "SHOP_DB_PASSWORD",
                      match=f"cannot reach the database at 127.0.0.1:{port}/shop")
    assert SECRET not in line
    monkeypatch.setenv("ORDERTUI_STORE_URL", url)
    line = shop.fails(1, "store", "migrate", match=f"127.0.0.1:{port}/shop")
    assert SECRET not in line
    # a password in the URL itself is not shown either
    line = shop.fails(1, "store", "copy", "--to", f"postgresql://anna:{SECRET}@127.0.0.1:"
                      f"{port}/shop", match=f"127.0.0.1:{port}/shop")
    assert SECRET not in line


def test_copy_wants_a_postgresql_url_and_a_set_password_variable(shop: Cli) -> None:
    shop.fails(2, "store", "copy", "--to", "sqlite:///x", match="postgresql:// URL")
    shop.fails(2, "store", "copy", "--to", "postgresql://a@127.0.0.1/x", "--password-env",
               "NOT_SET_ANYWHERE", match="NOT_SET_ANYWHERE")
