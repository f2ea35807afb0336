"""Whether the configured suppliers can be used: each table names a registered kind, with
settings that kind's adapter accepts.

``ordertui.config`` reads the file and checks its shape; it knows nothing of suppliers.
These checks need the adapters, found by kind through the registry, so they live here.
``Services`` runs them before anything else, and the command line runs them on every
config it reads: a bad supplier table stops the app and every command with one line naming
the file, the line and the key.
"""

from __future__ import annotations

from ordertui.config import Config, line_of
from ordertui.domain.errors import ConfigError
from ordertui.suppliers.registry import adapter_class, kinds


def check_suppliers(config: Config) -> None:
    """Raise a ``ConfigError`` for the first supplier table whose kind is missing or unknown,
    or whose settings its adapter refuses; the key and line point into the config file."""
    if config.implicit_demo:
        return  # nothing configured: the demo supplier stands in with its defaults
    where = str(config.path)

    def err(message: str, section: str, key: str) -> ConfigError:
        dotted = f"{section}.{key}" if key else section
        return ConfigError(where, message, key=dotted,
                           line=line_of(config.path, section, key) if key else None)

    for name, sc in config.suppliers.items():
        section = f"suppliers.{name}"
        if not isinstance(sc.settings.get("kind"), str):
            raise err(f"[{section}] needs kind = one of {', '.join(kinds())}", section, "kind")
        try:
            cls = adapter_class(sc.kind)
        except Exception as exc:  # a third party's adapter may fail to import in any way
            raise err(str(exc), section, "kind") from None
        for key, message in cls.validate_settings(sc.settings):
            raise err(message, section, key)
