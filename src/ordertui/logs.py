"""Logging to a rotating file in the data directory, never to the screen, with every known
secret replaced by •••• before a line is written."""

from __future__ import annotations

import logging
import logging.handlers
import os
import threading
from pathlib import Path

_secrets: set[str] = set()
_lock = threading.Lock()
_configured: Path | None = None


def register_secret(value: str | None) -> None:
    """Remember a secret so that it never appears in logs, crash reports or errors."""
    if value and len(value) >= 4:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for s in secrets:
        if s in text:
            text = text.replace(s, "••••")
    return text


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure(data_dir: Path, level: int = logging.INFO) -> Path:
    """Send the ``ordertui`` loggers to ``<data_dir>/logs/ordertui.log`` (rotated at 2 MB)."""
    global _configured
    log_dir = data_dir / "logs"
    path = log_dir / "ordertui.log"
    if _configured == path:
        return path
    log_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(log_dir, 0o700)
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3,
                                                   encoding="utf-8")
    handler.setFormatter(RedactingFormatter(
        "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("ordertui")
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False
    _configured = path
    return path
