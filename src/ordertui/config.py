"""Configuration: one TOML file, read with ``tomllib`` and written with ``tomli-w``.

Where things live: the config file at the platform's user config path (overridden by
``--config`` or ``ORDERTUI_CONFIG``), the data directory at the user data path (overridden by
``--data-dir`` or ``ORDERTUI_DATA_DIR``). Secrets are given inline or, better, as
``<key>_env = "VARIABLE"``; a file holding an inline secret must be private (mode 0600), as
ssh demands of its keys.

This module checks the file's shape only; it knows nothing of suppliers. Whether each
supplier table names a known kind with settings its adapter accepts is checked by the
services layer (``ordertui.services.settings``).
"""

from __future__ import annotations

import os
import re
import tomllib
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import platformdirs
import tomli_w

from ordertui.domain.errors import ConfigError, OrdertuiError, ValidationError
from ordertui.domain.roles import BUILTIN_ROLES, EVERYTHING, OWNER, Permission, Role, permissions
from ordertui.fsutil import atomic_write
from ordertui.i18n import CHOICES, PSEUDO, _
from ordertui.secrets import check_private, has_inline_secret, register_secrets, resolve_secret

APP = "ordertui"
DEFAULT_DEMO = {"kind": "demo"}
THEMES = ("textual-dark", "textual-light", "nord", "gruvbox", "dracula", "tokyo-night",
          "monokai", "solarized-light", "flexoki", "catppuccin-mocha")


def default_config_path() -> Path:
    env = os.environ.get("ORDERTUI_CONFIG")
    if env:
        return Path(env).expanduser()
    return platformdirs.user_config_path(APP) / "config.toml"


def default_data_dir() -> Path:
    env = os.environ.get("ORDERTUI_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return platformdirs.user_data_path(APP)


@dataclass(slots=True)
class AdapterConfig:
    """One ``[suppliers.NAME]`` or ``[shops.NAME]`` table as written. ``kind`` is "" when the
    table names no kind (as a string); ``ordertui.services.settings`` refuses that, an
    unknown kind, and settings the kind's adapter does not accept."""

    name: str
    kind: str
    settings: dict[str, Any]
    table: str = "suppliers"  # or "shops"

    @property
    def section(self) -> str:
        return f"{self.table}.{self.name}"

    def secret(self, key: str, *, source: str) -> str | None:
        return resolve_secret(self.settings, key, where=f"{source} [{self.section}]")


@dataclass(slots=True)
class EmailConfig:
    host: str
    port: int
    security: str  # "starttls", "tls" or "none"
    username: str
    password: str | None
    sender: str
    timeout_s: float = 30.0


@dataclass(slots=True)
class Config:
    path: Path
    data_dir: Path
    suppliers: dict[str, AdapterConfig]
    implicit_demo: bool = False  # no supplier configured: the demo supplier stands in
    #: the merchant's shops ([shops.NAME]); with none configured and a demo supplier, the
    #: demo shop that comes with it (implicit_demo_shop)
    shops: dict[str, AdapterConfig] = field(default_factory=dict)
    implicit_demo_shop: bool = False
    #: [exchange_rates] "USD-EUR" = 0.92 (1 USD = 0.92 EUR), ahead of published rates
    exchange_rates: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    theme: str = "textual-dark"
    #: ``[app] language``: "auto" (the environment's), "en", "de" (ordertui.i18n)
    language: str = "auto"
    sync_interval_s: float = 300.0
    #: a shipped order whose tracking has not moved for this many days needs attention
    stalled_tracking_days: int = 10
    #: an order still on its way whose buyer protection ends within this many days does
    protection_warning_days: int = 5
    keys: dict[str, str] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    email_table: dict[str, Any] | None = None
    returns: dict[str, Any] = field(default_factory=dict)
    #: ``[store] url`` (or ORDERTUI_STORE_URL): a PostgreSQL database shared by a team; None:
    #: the SQLite file in the data directory
    store_url: str | None = None
    #: ``[store] password_env``: the variable holding the database user's password (else
    #: ``.pgpass`` or libpq's PGPASSWORD)
    store_password_env: str | None = None

    def store_password(self) -> str | None:
        """The database password from ``[store] password_env``; never printed."""
        if not self.store_password_env:
            return None
        value = os.environ.get(self.store_password_env)
        if not value:
            raise ConfigError(str(self.path), _("the variable {name} named by [store] "
                                                "password_env is not set").format(
                                                    name=self.store_password_env),
                              key="store.password_env")
        return value

    def store_where(self) -> str:
        """The store as messages name it: the SQLite file, or the server and database."""
        if self.store_url:
            parts = urllib.parse.urlsplit(self.store_url)
            host = parts.hostname or "localhost"
            return f"{host}:{parts.port or 5432}{parts.path or ''}"
        return str(self.data_dir / "store.sqlite3")
    #: the roles a session may take (``--role``, ``ORDERTUI_ROLE``): the built-in ones, as
    #: ``[roles.<name>]`` changes them, and the config's own
    roles: dict[str, Role] = field(default_factory=lambda: dict(BUILTIN_ROLES))

    def role(self, name: str | None = None) -> Role:
        """The role called ``name`` (``owner`` for None or ""); a one-line error naming the
        roles there are for a name that is none of them."""
        name = name or OWNER
        found = self.roles.get(name)
        if found is None:
            raise ValidationError("role", _(
                "no role named {name} (from --role or ORDERTUI_ROLE); the roles are {roles}, "
                "and [roles.NAME] in {path} adds one").format(
                    name=repr(name), roles=", ".join(self.roles), path=self.path))
        return found

    def email(self) -> EmailConfig:
        """The SMTP settings; a clear error when they are missing or wrong."""
        table = self.email_table
        where = str(self.path)
        if not table:
            raise ConfigError(where, _("no [email] table: add host, port, security and from "
                                       "to send exports by e-mail"), key="email")
        for key in ("host", "from"):
            if not isinstance(table.get(key), str) or not table[key].strip():
                raise ConfigError(where, _('[email] needs {key} = "..."').format(key=key),
                                  key=f"email.{key}", line=line_of(self.path, "email", key))
        security = table.get("security", "starttls")
        if security not in ("starttls", "tls", "none"):
            raise ConfigError(where, _('security must be "starttls", "tls" or "none"'),
                              key="email.security", line=line_of(self.path, "email", "security"))
        port = table.get("port", {"starttls": 587, "tls": 465, "none": 25}[security])
        if not isinstance(port, int) or not 0 < port < 65536:
            raise ConfigError(where, _("port must be a number from 1 to 65535"),
                              key="email.port", line=line_of(self.path, "email", "port"))
        timeout = table.get("timeout_s", 30)
        if not isinstance(timeout, int | float) or timeout <= 0:
            raise ConfigError(where, _("timeout_s must be a positive number"),
                              key="email.timeout_s")
        return EmailConfig(host=table["host"].strip(), port=port, security=security,
                           username=str(table.get("username", "")),
                           password=resolve_secret(table, "password", where=f"{where} [email]"),
                           sender=table["from"].strip(), timeout_s=float(timeout))


def line_of(path: Path, table: str, key: str) -> int | None:
    """The line where ``key`` is set inside ``[table]``, for error messages (None when the
    file cannot be read or does not set it)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    current = ""
    header = re.compile(r"^\s*\[+\s*([^\]]+?)\s*\]+\s*(#.*)?$")
    assign = re.compile(r"^\s*\"?([A-Za-z0-9_.-]+)\"?\s*=")
    for number, line in enumerate(lines, 1):
        m = header.match(line)
        if m:
            current = m.group(1).replace('"', "").replace(" ", "")
            continue
        m = assign.match(line)
        if m and current == table and m.group(1) == key:
            return number
    return None


def language_hint(argv: list[str]) -> str:
    """``[app] language`` of the config the command line ``argv`` names (``--config``,
    ``ORDERTUI_CONFIG`` or the default), read before click builds the commands so that
    their help is in that language; "auto" when the file is absent or unreadable (the full
    read that follows reports what is wrong with it)."""
    path: Path | None = None
    for i, arg in enumerate(argv):
        if arg == "--config" and i + 1 < len(argv):
            path = Path(argv[i + 1]).expanduser()
        elif arg.startswith("--config="):
            path = Path(arg.partition("=")[2]).expanduser()
    try:
        raw = tomllib.loads((path or default_config_path()).read_text(encoding="utf-8"))
        language = raw.get("app", {}).get("language", "auto")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, AttributeError):
        return "auto"
    return language if language in (*CHOICES, PSEUDO) else "auto"


def load(path: Path | None = None, data_dir: Path | None = None) -> Config:
    """Read the config. A file the merchant named (``--config``, ``ORDERTUI_CONFIG``) must
    exist; the default one may be absent, and then the demo supplier stands in."""
    explicit = path is not None or bool(os.environ.get("ORDERTUI_CONFIG"))
    path = path or default_config_path()
    data_dir = data_dir or default_data_dir()
    raw: dict[str, Any] = {}
    if path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(str(path), _("cannot read the file: {error}").format(
                error=exc)) from None
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            line = re.search(r"line (\d+)", str(exc))
            msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
            raise ConfigError(str(path), _("not valid TOML: {error}").format(error=msg),
                              line=int(line.group(1)) if line else None) from None
        if has_inline_secret(raw):
            check_private(path, _("this config file holds a secret and"))
    elif explicit:
        raise ConfigError(str(path), _("no such file; create it or leave out --config"))
    return parse(raw, path, data_dir)


def parse(raw: dict[str, Any], path: Path, data_dir: Path) -> Config:
    where = str(path)
    register_secrets(raw)

    def err(message: str, table: str, key: str | None = None) -> ConfigError:
        dotted = f"{table}.{key}" if key else table
        return ConfigError(where, message, key=dotted,
                           line=line_of(path, table, key) if key else None)

    app = raw.get("app", {})
    if not isinstance(app, dict):
        raise err(_("[app] must be a table"), "app")
    theme = app.get("theme", "textual-dark")
    if not isinstance(theme, str):
        raise err(_("theme must be a string"), "app", "theme")
    language = app.get("language", "auto")
    if language not in (*CHOICES, PSEUDO):
        raise err(_("language must be one of {choices}").format(choices=", ".join(CHOICES)),
                  "app", "language")
    interval = app.get("sync_interval_s", 300)
    if not isinstance(interval, int | float) or isinstance(interval, bool) or interval < 5:
        raise err(_("sync_interval_s must be a number of seconds, at least 5"), "app",
                  "sync_interval_s")
    days: dict[str, int] = {}
    for key, default in (("stalled_tracking_days", 10), ("protection_warning_days", 5)):
        value = app.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 365:
            raise err(_("{key} must be a whole number of days from 1 to 365").format(key=key),
                      "app", key)
        days[key] = value
    data_override = app.get("data_dir")
    if data_override is not None and "ORDERTUI_DATA_DIR" not in os.environ:
        if not isinstance(data_override, str):
            raise err(_("data_dir must be a path"), "app", "data_dir")
        data_dir = Path(data_override).expanduser()

    def adapters(table_name: str, bad_name: str) -> dict[str, AdapterConfig]:
        found: dict[str, AdapterConfig] = {}
        table = raw.get(table_name, {})
        if not isinstance(table, dict):
            raise err(_("[{table}] must hold tables like [{table}.main]").format(
                table=table_name), table_name)
        for name, settings in table.items():
            section = f"{table_name}.{name}"
            if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", name):
                raise err(bad_name, section)
            if not isinstance(settings, dict):
                raise err(_("[{section}] must be a table").format(section=section), section)
            # whether the table names a kind, and a known one with settings its adapter
            # takes, is for the services layer to say: ordertui.services.settings
            kind = settings.get("kind")
            found[name] = AdapterConfig(name, kind if isinstance(kind, str) else "",
                                        dict(settings), table_name)
        return found

    store = raw.get("store", {})
    if not isinstance(store, dict):
        raise err(_("[store] must be a table"), "store")
    store_url = os.environ.get("ORDERTUI_STORE_URL") or store.get("url")
    if store_url is not None and (not isinstance(store_url, str) or not store_url.startswith(
            ("postgresql://", "postgres://"))):
        raise err(_('url must be a PostgreSQL URL, like "postgresql://user@host:5432/db"'),
                  "store", "url")
    password_env = store.get("password_env")
    if password_env is not None and not (isinstance(password_env, str)
                                         and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*",
                                                          password_env)):
        raise err(_("password_env must be the name of an environment variable"), "store",
                  "password_env")

    suppliers = adapters("suppliers",
                         _("a supplier name may hold letters, digits, - and _ only"))
    implicit = not suppliers
    if implicit:
        suppliers["demo"] = AdapterConfig("demo", "demo", dict(DEFAULT_DEMO))
    shops = adapters("shops", _("a shop name may hold letters, digits, - and _ only"))
    # the demo supplier comes with its shop: its orders are the shop's orders
    demo_suppliers = [s for s in suppliers.values() if s.kind == "demo"]
    implicit_shop = not shops and bool(demo_suppliers)
    if implicit_shop:
        shops["demo"] = AdapterConfig("demo", "demo", {"kind": "demo",
                                                        "supplier": demo_suppliers[0].name},
                                      "shops")
    rates = _exchange_rates(raw.get("exchange_rates", {}), err)

    keys = raw.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise err(_('[keys] maps actions to keys, like cancel = "c"'), "keys")
    email = raw.get("email")
    if email is not None and not isinstance(email, dict):
        raise err(_("[email] must be a table"), "email")
    returns = raw.get("returns", {})
    if not isinstance(returns, dict):
        raise err(_("[returns] must be a table"), "returns")
    roles = _roles(raw.get("roles", {}), err)
    return Config(path=path, data_dir=data_dir, suppliers=suppliers, implicit_demo=implicit,
                  shops=shops, implicit_demo_shop=implicit_shop, exchange_rates=rates,
                  theme=theme, language=language, sync_interval_s=float(interval),
                  stalled_tracking_days=days["stalled_tracking_days"],
                  protection_warning_days=days["protection_warning_days"], keys=dict(keys), raw=raw,
                  email_table=email, returns=dict(returns), store_url=store_url or None,
                  store_password_env=password_env, roles=roles)


#: what a ``[roles.<name>]`` table may set
ROLE_KEYS = ("allow", "db_users")


def _roles(table: Any, err: Callable[..., ConfigError]) -> dict[str, Role]:
    """``[roles.<name>] allow = ["view", "sync", ...]`` and ``db_users = ["anna", ...]``: the
    built-in roles as the config changes them, and its own. ``owner`` allows everything
    whatever the config says; a database user belongs to one role at most."""
    words = ", ".join(p.value for p in Permission)
    if not isinstance(table, dict):
        raise err(_('[roles] holds tables like [roles.staff] with allow = ["view", "sync"]'),
                  "roles")
    roles = dict(BUILTIN_ROLES)
    owners: dict[str, str] = {}  # database user -> the role that lists it
    for name, settings in table.items():
        section = f"roles.{name}"
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", name):
            raise err(_("a role name may hold letters, digits, - and _ only"), section)
        if not isinstance(settings, dict):
            raise err(_('[{section}] must be a table with allow = ["view", ...]').format(
                section=section), section)
        for key in settings:
            if key not in ROLE_KEYS:
                raise err(_("a role takes allow and db_users only, not {key}").format(
                    key=repr(key)), section, key)
        builtin = BUILTIN_ROLES.get(name)
        allow_words = settings.get("allow")
        if allow_words is None:
            if builtin is None:
                raise err(_('[{section}] needs allow = [...], words from: {words}').format(
                    section=section, words=words), section)
            allow = builtin.allow
        else:
            if not isinstance(allow_words, list) or not all(isinstance(w, str)
                                                            for w in allow_words):
                raise err(_('allow must be a list of words like ["view", "sync"], from: '
                            "{words}").format(words=words), section, "allow")
            allow, unknown = permissions(allow_words)
            if unknown:
                raise err(_("{word} is no permission; allow takes words from: {words}").format(
                    word=repr(unknown[0]), words=words), section, "allow")
        if name == OWNER and allow | {Permission.VIEW} != EVERYTHING:
            raise err(_("the owner role may do everything; give the narrower rights to "
                        "another role, like [roles.staff]"), section, "allow")
        users = settings.get("db_users", [])
        if not isinstance(users, list) or not all(isinstance(u, str) and u.strip()
                                                  for u in users):
            raise err(_('db_users must be a list of database user names, like ["anna"]'),
                      section, "db_users")
        for user in users:
            if user in owners and owners[user] != name:
                raise err(_("the database user {user} is in [roles.{other}] already; give "
                            "each user one role").format(user=repr(user), other=owners[user]),
                          section, "db_users")
            owners[user] = name
        roles[name] = Role(name, allow, tuple(dict.fromkeys(users)))
    return roles


_PAIR = re.compile(r"([A-Z]{3})-([A-Z]{3})")


def _exchange_rates(table: Any, err: Callable[..., ConfigError]
                    ) -> dict[tuple[str, str], Decimal]:
    """``[exchange_rates] "USD-EUR" = 0.92``: 1 USD is worth 0.92 EUR."""
    if not isinstance(table, dict):
        raise err(_('[exchange_rates] holds pairs like "USD-EUR" = 0.92'), "exchange_rates")
    rates: dict[tuple[str, str], Decimal] = {}
    for pair, value in table.items():
        m = _PAIR.fullmatch(pair)
        if m is None or m.group(1) == m.group(2):
            raise err(_('{pair} is no currency pair; write two currency codes like "USD-EUR" '
                        "(1 USD = that many EUR)").format(pair=repr(pair)), "exchange_rates",
                      pair)
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise err(_("the rate of {pair} must be a number like 0.92").format(pair=pair),
                      "exchange_rates", pair)
        try:
            rate = Decimal(str(value))
        except ArithmeticError:
            rate = Decimal(0)
        if not rate.is_finite() or rate <= 0:
            raise err(_("the rate of {pair} must be a number above 0, like 0.92").format(
                pair=pair), "exchange_rates", pair)
        rates[(m.group(1), m.group(2))] = rate
    return rates


def write_toml(path: Path, data: Mapping[str, Any]) -> None:
    """Write ``data`` as TOML atomically (temporary file, fsync, rename), mode 0600. Raises
    ``OrdertuiError`` in one line when it cannot."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OrdertuiError(_("cannot write {path}: cannot make its directory "
                              "({reason})").format(path=path,
                                                   reason=exc.strerror or exc)) from None
    atomic_write(path, tomli_w.dumps(dict(data)))


def save(config: Config) -> None:
    """Write the config's raw table back to its file (after the settings screen changed it)."""
    write_toml(config.path, config.raw)

