"""Shared fixtures: an isolated environment, a data directory, a config, a clock the tests
move by hand, a Services facade on the demo supplier, a factory for hand-made orders, the
redaction list put back after a test that registered generated secrets, and PostgreSQL (the
server's superuser URL, a fresh database per test). The helpers behind them are in
support/demo.py and support/postgres.py; the property tests' count of inputs is printed in
the run's summary."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ordertui import i18n, logs
from ordertui.config import Config, parse
from ordertui.domain.models import Address, Customer, LineItem, Order
from ordertui.domain.money import Money
from ordertui.domain.states import OrderStatus
from ordertui.services.core import Services
from ordertui.store import Store
from ordertui.suppliers.demo import DemoAdapter
from support import postgres, properties
from support.demo import DEMO_ORDERS, Clock, OrderFactory, demo_raw, make_services


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test reads or writes the real user's config or data: HOME and the XDG dirs point
    into the test's own directory and the ordertui variables are unset."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"),
                     ("XDG_CACHE_HOME", ".cache"), ("XDG_STATE_HOME", ".local/state")):
        monkeypatch.setenv(var, str(home / sub))
    for var in ("ORDERTUI_CONFIG", "ORDERTUI_DATA_DIR", "ORDERTUI_STORE_URL", "ORDERTUI_ROLE",
                "LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    # English unless a test asks for another language, whatever the machine's locale
    monkeypatch.setenv("LANG", "C.UTF-8")
    yield
    i18n.use("en")  # a test that switched the process's language leaves it English


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def config(tmp_path: Path, data_dir: Path, store_target: str | Path) -> Config:
    """The demo's config; its store on PostgreSQL where the test runs on both backends."""
    cfg = parse(demo_raw(), tmp_path / "config.toml", data_dir)
    if isinstance(store_target, str):
        cfg.store_url = store_target
    return cfg


@pytest.fixture
async def services(config: Config, clock: Clock) -> AsyncIterator[Services]:
    """Services on the demo supplier with its orders synced into the local store."""
    s = make_services(config, clock)
    report = await s.sync()
    assert report.orders == DEMO_ORDERS and not report.errors
    yield s
    await s.aclose()


@pytest.fixture
def demo(services: Services) -> DemoAdapter:
    adapter = services.adapter("demo")
    assert isinstance(adapter, DemoAdapter)
    return adapter


@pytest.fixture(scope="module")
def backend(request: pytest.FixtureRequest) -> str:
    """The store's backend for a test: "sqlite", or "postgresql" where the test is
    parametrized over both (see ``pytest_generate_tests``). Module-scoped, so that a
    module's fixtures (a filled store, a synced shop) are made once per backend."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def store_target(backend: str, tmp_path: Path) -> Iterator[str | Path]:
    """Where a test's store lives: a SQLite file, or a fresh PostgreSQL database."""
    if backend == "sqlite":
        yield tmp_path / "store.sqlite3"
        return
    from support.postgres import drop_database, fresh_database
    url = fresh_database()
    yield url
    drop_database(url)


@pytest.fixture
def store(store_target: str | Path) -> Iterator[Store]:
    s = Store(store_target)
    yield s
    s.close()


@pytest.fixture(scope="session")
def pg_admin() -> str:
    """The URL of the tests' PostgreSQL server's superuser (support/postgres.py: from
    ORDERTUI_TEST_PG, else a private cluster started for the session)."""
    return postgres.admin_url()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database of this test's own, dropped after it."""
    url = postgres.fresh_database()
    yield url
    postgres.drop_database(url)


@pytest.fixture
def make_order() -> OrderFactory:
    """Hand-made orders with sensible defaults; every keyword overrides one field. ``n``
    numbers them (name ``#<n>``, supplier id ``S<n>``, created ``n`` hours after a base)."""
    counter = itertools.count(1)
    base = datetime(2024, 3, 1, 12, tzinfo=UTC)

    def build(n: int | None = None, *, customer: str = "Ada Lovelace",
              email: str = "ada@example.com", country: str = "GB", title: str = "Desk lamp",
              quantity: int = 1, cost: str = "10.00", price: str = "25.00",
              currency: str = "USD", **fields: Any) -> Order:
        n = next(counter) if n is None else n
        created = fields.pop("created_at", base + timedelta(hours=n))
        item = LineItem(title=title, quantity=quantity, unit_cost=Money(Decimal(cost), currency),
                        unit_price=Money(Decimal(price), currency), variant="Black",
                        sku=f"SKU-{n}")
        values: dict[str, Any] = dict(
            supplier="demo", supplier_order_id=f"S{n}", name=f"#{n}",
            status=OrderStatus.PROCESSING, created_at=created, updated_at=created,
            currency=currency, items=[item],
            customer=Customer(name=customer, email=email, phone="+44 20 7946 0000",
                              address=Address("1 Main St", "", "London", "", "N1", country)),
            total_price=item.total_price, total_cost=item.total_cost)
        values.update(fields)
        return Order(**values)

    return build


@pytest.fixture
def secrets_restored() -> Iterator[None]:
    """Generated configs register generated "secrets" for redaction; later tests must not
    find their words redacted."""
    before = set(logs._secrets)
    yield
    with logs._lock:
        logs._secrets.clear()
        logs._secrets.update(before)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    line = properties.summary()
    if line:
        terminalreporter.write_line(line)


#: the tests that run on both backends: those of the store and of what stands on it, the
#: commands, and the end-to-end runs of two sessions, the outbox, kills and hostile data
BOTH_BACKENDS = ("tests/unit/store/", "tests/unit/services/", "tests/unit/cli/",
                 "tests/journeys/test_sessions.py", "tests/journeys/test_kills_and_crashes.py",
                 "tests/journeys/test_hostile_corpus.py")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: a test of what only SQLite has (a file, WAL, a PRAGMA), kept "
        "on SQLite in a module that runs on both backends")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test that uses ``backend`` in BOTH_BACKENDS runs on each backend, unless its module
    says ``SQLITE_ONLY = True`` or it is marked ``sqlite_only``; one module-scoped parameter,
    so that the module's tests are grouped by backend."""
    path = metafunc.definition.path.as_posix()
    if ("backend" in metafunc.fixturenames and any(part in path for part in BOTH_BACKENDS)
            and not getattr(metafunc.module, "SQLITE_ONLY", False)
            and not metafunc.definition.get_closest_marker("sqlite_only")):
        metafunc.parametrize("backend", ["sqlite", "postgresql"], indirect=True,
                             scope="module")
