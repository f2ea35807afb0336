"""Secrets: where they come from, which files may hold them, and hiding them.

A secret (an API key, a password, a token) is given in the config inline or, better, as
``<key>_env = "VARIABLE"`` naming an environment variable. A file that holds one — the
config with an inline secret, a supplier's token cache — must be readable by its owner
only, as ssh demands of its keys. Every secret the config holds or names is registered with
``ordertui.logs`` so that logs, crash reports and error messages show •••• instead.

Low in the layers: the config, the services and the supplier adapters all import it, and it
imports only the domain's errors and the log's redaction.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ordertui.domain.errors import ConfigError
from ordertui.i18n import N_, _
from ordertui.logs import register_secret

#: setting names whose values are secrets (and ``<name>_env`` names a variable holding one)
SECRET_KEYS = frozenset({"api_key", "app_secret", "access_token", "refresh_token", "password",
                         "token", "secret"})

#: how check_private names a supplier's token cache (``<data>/suppliers/<name>/*token*.json``);
#: translated where the message is made (``_(TOKEN_FILE)``)
# Translators: the start of "... is readable by others (mode 644); run: chmod 600 <file>"
TOKEN_FILE = N_("this token file holds a supplier's access token and")


def resolve_secret(table: Mapping[str, Any], key: str, *, where: str) -> str | None:
    """``key`` inline, or the environment variable named by ``<key>_env``."""
    env_name = table.get(f"{key}_env")
    if env_name:
        if not isinstance(env_name, str):
            raise ConfigError(where, _("{key}_env must name an environment variable").format(
                key=key), key=f"{key}_env")
        value = os.environ.get(env_name)
        if not value:
            raise ConfigError(where, _("the environment variable {variable} (from {key}_env) "
                                       "is not set").format(variable=env_name, key=key),
                              key=f"{key}_env")
        return value
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(where, _("{key} must be a string").format(key=key), key=key)
    return value


def register_secrets(data: Mapping[str, Any]) -> None:
    """Every secret the config holds or names, so logs and reports can redact it."""
    for key, value in data.items():
        if isinstance(value, Mapping):
            register_secrets(value)
        elif key in SECRET_KEYS and isinstance(value, str):
            register_secret(value)
        elif key.endswith("_env") and key[:-4] in SECRET_KEYS and isinstance(value, str):
            register_secret(os.environ.get(value))


def has_inline_secret(data: Mapping[str, Any]) -> bool:
    """Whether a secret is written in ``data`` itself (then its file must be private)."""
    for key, value in data.items():
        if isinstance(value, Mapping):
            if has_inline_secret(value):
                return True
        elif key in SECRET_KEYS and value:
            return True
    return False


def redacted(settings: Mapping[str, Any]) -> dict[str, Any]:
    """A copy fit to show: inline secrets become ••••."""
    out: dict[str, Any] = {}
    for key, value in settings.items():
        if isinstance(value, Mapping):
            out[key] = redacted(value)
        elif key in SECRET_KEYS and value:
            out[key] = "••••"
        else:
            out[key] = value
    return out


# --- files that hold secrets ----------------------------------------------------------------


def check_private(path: Path, what: str) -> None:
    """Refuse a secret-holding file that others can read, as ssh does. ``what`` says what
    the file is, in the language of the process (``_(TOKEN_FILE)``): "this token file holds
    a supplier's access token and" ... "is readable by others"."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        # Translators: what is the start of the sentence, e.g. "this config file holds a
        # secret and"; mode is octal like 644; the command stays as it is
        raise ConfigError(str(path), _("{what} is readable by others (mode {mode}); run: "
                                       "chmod 600 {path}").format(
                              what=what, mode=f"{stat.S_IMODE(mode):o}", path=path))


def write_private(path: Path, data: Any) -> None:
    """Write JSON to ``path`` atomically with mode 0600: a token file is a credential."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_private(path: Path) -> Any:
    """The JSON in ``path``, or None when it is missing or unreadable. A file that others can
    read is refused (ConfigError saying "chmod 600 <path>"), as ssh refuses such keys."""
    check_private(path, _(TOKEN_FILE))
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
