"""When something breaks that should not: the terminal is given back, a report goes to the
data directory (secrets replaced by ••••), and the merchant gets one line saying where it is.
Never a traceback on the screen."""

from __future__ import annotations

import logging
import os
import platform
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path

from ordertui import __version__
from ordertui.fsutil import atomic_write
from ordertui.i18n import _
from ordertui.logs import redact

log = logging.getLogger(__name__)


def write_report(data_dir: Path, exc: BaseException, *, where: str) -> Path:
    """Write a crash report for ``exc`` and return its path."""
    return write_report_text(data_dir, "".join(traceback.format_exception(exc)),
                             where=where, summary=summary(exc))


def write_report_text(data_dir: Path, trace: str, *, where: str, summary: str) -> Path:
    """Write a crash report holding ``trace`` (a traceback as text); secrets become ••••."""
    now = datetime.now(UTC)
    folder = data_dir / "crash"
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    path = folder / f"crash-{now:%Y%m%d-%H%M%S}-{os.getpid()}.txt"
    lines = [
        f"ordertui {__version__} crashed in {where}",
        f"time: {now.isoformat()}",
        f"python: {sys.version.split()[0]} on {platform.platform()}",
        f"command: {' '.join(sys.argv[1:2])} …",  # the subcommand only: arguments may be private
        "",
        trace,
    ]
    atomic_write(path, redact("\n".join(lines)))
    log.error("crash in %s: %s (report %s)", where, redact(summary), path)
    return path


def summary(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:200]
    return redact(f"{type(exc).__name__}: {text}" if text else type(exc).__name__)


def announce(path: Path, what: BaseException | str) -> None:
    """The one line on the terminal: what broke, and where the report is."""
    text = what if isinstance(what, str) else summary(what)
    print(_("ordertui: crashed ({what}); a report is in {path}").format(
        what=redact(text), path=path), file=sys.stderr)
