"""Whether the configured suppliers and shops can be used: each table names a registered
kind, with settings that kind's adapter accepts.

``ordertui.config`` reads the file and checks its shape; it knows nothing of suppliers.
These checks need the adapters, found by kind through the registry, so they live here.
``Services`` runs them before anything else, and the command line runs them on every
config it reads: a bad supplier table stops the app and every command with one line naming
the file, the line and the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ordertui.config import Config, line_of
from ordertui.domain.errors import ConfigError
from ordertui.i18n import _
from ordertui.plugins import Registry
from ordertui.shops import registry as shops
from ordertui.suppliers import registry as suppliers


def check_suppliers(config: Config) -> None:
    """Raise a ``ConfigError`` for the first supplier or shop table whose kind is missing or
    unknown, or whose settings its adapter refuses; the key and line point into the config
    file."""
    if not config.implicit_demo:  # nothing configured: the demo supplier stands in
        _check_tables(config, "suppliers",
                      {name: sc.settings for name, sc in config.suppliers.items()},
                      suppliers.REGISTRY)
    if not config.implicit_demo_shop:  # the demo supplier's own shop
        _check_tables(config, "shops",
                      {name: sc.settings for name, sc in config.shops.items()},
                      shops.REGISTRY)


def _check_tables(config: Config, table: str, tables: Mapping[str, Mapping[str, Any]],
                  registry: Registry[Any]) -> None:
    where = str(config.path)

    def err(message: str, section: str, key: str) -> ConfigError:
        dotted = f"{section}.{key}" if key else section
        return ConfigError(where, message, key=dotted,
                           line=line_of(config.path, section, key) if key else None)

    for name, settings in tables.items():
        section = f"{table}.{name}"
        if not isinstance(settings.get("kind"), str):
            # Translators: "kind = " is the config's own key, as it is typed
            raise err(_("[{section}] needs kind = one of {kinds}").format(
                section=section, kinds=", ".join(registry.kinds())), section, "kind")
        try:
            cls = registry.adapter_class(settings["kind"])
        except Exception as exc:  # a third party's adapter may fail to import in any way
            raise err(str(exc), section, "kind") from None
        for key, message in cls.validate_settings(settings):
            raise err(message, section, key)
