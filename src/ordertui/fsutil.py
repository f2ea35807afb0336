"""Writing small files so that a crash or a full disk never leaves half a file under the
final name: a temporary file beside it, fsync, rename. Private by default (mode 0600): these
are configs, token caches and documents of the merchant's."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ordertui.domain.errors import OrdertuiError
from ordertui.i18n import _


def atomic_write(path: Path, data: bytes | str, *, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` in one step. Raises ``OrdertuiError`` in one line."""
    path = path.expanduser()
    directory = path.resolve().parent
    if not directory.is_dir():
        raise OrdertuiError(_("cannot write {path}: no directory {directory}").format(
            path=path, directory=directory))
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OrdertuiError(_("cannot write {path}: {reason}").format(
            path=path, reason=exc.strerror or exc)) from None
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OrdertuiError(_("cannot write {path}: {reason}").format(
            path=path, reason=exc.strerror or exc)) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
