"""Running an export: the one entry point the CLI and the TUI's export form call.

Streaming end to end: ids come from the store in batches (keyset paging), each batch is
loaded, turned into rows and handed to the writer, and nothing else is kept, so 1,000,000
orders take the memory of 500.

Nothing half-written ever carries the destination's name. The writer fills a temporary file
beside the destination (same file system, so the final rename is atomic), which is fsynced
and then renamed over it (``force``) or hard-linked to it (no ``force``: the link fails if a
file appeared meanwhile, so a file is never replaced unasked). A crash, a kill, a cancel or
a full disk leaves at most a hidden temporary file, which the next export to the same name
removes once its process is gone.

It runs synchronously: the CLI calls it directly, the TUI from a thread worker, passing a
``threading.Event`` to cancel and a progress callback it forwards to the UI thread.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import logging
import os
import socket
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from ordertui.config import Config
from ordertui.domain.errors import ConfigError, ValidationError
from ordertui.domain.models import Order
from ordertui.domain.query import OrderQuery
from ordertui.export.columns import Moved, for_format, resolve_columns
from ordertui.export.errors import (
    ExportCancelled,
    ExportFileExists,
    ExportWriteError,
    MailError,
)
from ordertui.export.request import (
    DELIMITERS,
    FORMAT_LABELS,
    FORMATS,
    LAYOUTS,
    ExportRequest,
    ExportResult,
)
from ordertui.export.writers import EXTENSIONS, MIME_TYPES, RowWriter, open_writer
from ordertui.i18n import N_, _, formats, ngettext

log = logging.getLogger("ordertui.export")

#: Orders per batch: small enough that a batch's orders are a few MB at most, large enough
#: that per-batch costs (one query for ids, one for the orders) vanish.
BATCH_SIZE = 500

XLS_NOTE = N_("the legacy .xls format is not written; an .xlsx file is written instead "
              "(every Excel since 2007 opens it)")

#: File name endings and the format they stand for. ".csv" means "CSV for Excel" because a
#: merchant who names a .csv file usually opens it in a spreadsheet (Shopify's default too).
_SUFFIX_FORMATS = {".csv": "csv-excel", ".xlsx": "xlsx", ".xls": "xlsx", ".xlsm": "xlsx"}


def infer_format(path: str | Path | None) -> str | None:
    """The format a file name asks for, as the export form infers it; None when the
    name does not say (no or an unknown extension)."""
    if path is None or not str(path).strip():
        return None
    return _SUFFIX_FORMATS.get(Path(str(path).strip()).suffix.lower())


def format_note(path: str | Path | None = None, fmt: str | None = None) -> str | None:
    """What the form should tell the merchant about a legacy format request, else None."""
    legacy = (fmt or "").strip().lower() == "xls"
    if path is not None and str(path).strip():
        legacy = legacy or Path(str(path).strip()).suffix.lower() == ".xls"
    return _(XLS_NOTE) if legacy else None


def default_filename(fmt: str, now: datetime | None = None) -> str:
    """A name for an export nobody named: ``orders-2026-11-26-1405.xlsx`` (local time)."""
    now = now or datetime.now()
    return f"orders-{now:%Y-%m-%d-%H%M}{EXTENSIONS.get(fmt, '.csv')}"


def describe_scope(query: OrderQuery) -> str:
    """``query.describe()``, but an ``until`` at local midnight (the CLI's inclusive
    ``--until 2026-11-30``) reads as "through 2026-11-30" rather than the next day."""
    until = query.until
    if until is None:
        return query.describe()
    local = until.astimezone()
    if (local.hour, local.minute, local.second, local.microsecond) != (0, 0, 0, 0):
        return query.describe()
    rest = query.with_(until=None)
    through = _("through {date}").format(date=formats.date((local - timedelta(days=1)).date()))
    return f"{rest.describe()}, {through}" if rest.filtered else through


def validate(request: ExportRequest, config: Config) -> ExportRequest:
    """Check a request before any work starts, and complete it.

    Returns the request with the format settled (from the file name when not given), the
    path expanded (``.xls`` becomes ``.xlsx``; none with an e-mail: a file in the data
    directory), the column keys normalised and the e-mail addresses cleaned. Raises
    ValidationError naming the field at fault (``fmt``, ``path``, ``per``, ``columns``,
    ``email``, ``until``); :class:`ExportFileExists` (also a ValidationError on ``path``)
    when the file exists and ``force`` is not set, so the form can ask before replacing it.
    """
    notes = list(request.notes)
    fmt = (request.fmt or "").strip().lower()
    if fmt == "xls":
        fmt = "xlsx"
        notes.append(_(XLS_NOTE))
    raw_path = request.path
    path = Path(os.path.expanduser(str(raw_path).strip())) if raw_path is not None and str(
        raw_path).strip() else None
    if path is not None and path.suffix.lower() == ".xls":
        path = path.with_suffix(".xlsx")
        notes.append(_(XLS_NOTE))
    if not fmt and path is not None:
        fmt = infer_format(path) or ""
    if fmt not in FORMATS:
        choices = ", ".join(f"{f} ({FORMAT_LABELS[f]})" for f in FORMATS)
        raise ValidationError("fmt", _("choose a format: {choices}").format(choices=choices)
                              if not fmt else _("unknown format {format}; choose {choices}").format(
                                  format=repr(fmt), choices=choices))
    if request.per not in LAYOUTS:
        raise ValidationError("per", _("one row per {order} or per {line_item}, not "
                                       "{given}").format(order=LAYOUTS[0], line_item=LAYOUTS[1],
                                                         given=repr(request.per)))
    columns = tuple(c.key for c in resolve_columns(request.columns, request.per))
    if request.delimiter is not None:
        if request.delimiter not in DELIMITERS:
            raise ValidationError("delimiter", _("the separator is {comma} or {semicolon}, not "
                                                 "{given}").format(
                comma=repr(DELIMITERS[0]), semicolon=repr(DELIMITERS[1]),
                given=repr(request.delimiter)))
        if fmt != "csv-excel":
            raise ValidationError("delimiter", _("a separator is chosen for csv-excel only; "
                                                 "csv for scripts always uses commas"))

    email: str | None = None
    if request.email is not None and request.email.strip():
        # here, not at the top: mail (smtplib, ssl) loads only for an export sent by e-mail
        from ordertui.export.mail import parse_addresses

        email = ", ".join(parse_addresses(request.email))
        try:
            settings = config.email()
        except ConfigError as exc:
            raise ValidationError("email", _("cannot send e-mail: {error}").format(
                error=exc)) from None
        if settings.username and not settings.password:
            raise ValidationError("email", _("cannot send e-mail: {path} [email] has a "
                                             "username but no password or password_env").format(
                                                 path=config.path))

    q = request.query
    if q.since is not None and q.until is not None and q.until <= q.since:
        raise ValidationError("until", _("the end date is not after the start date"))

    if path is None:
        if email is None:
            raise ValidationError("path", _("give a file to write, an address to e-mail it "
                                            "to, or both"))
        directory = config.data_dir / "exports"
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = directory / default_filename(fmt)
        n = 1
        while path.exists():
            n += 1
            path = directory / default_filename(fmt).replace(".", f"-{n}.", 1)
    else:
        _check_path(path, fmt, request.force)
    notes = list(dict.fromkeys(notes))
    return replace(request, fmt=fmt, path=path, columns=columns, email=email,
                   notes=tuple(notes))


def _check_path(path: Path, fmt: str, force: bool) -> None:
    suffix = path.suffix.lower()
    named = _SUFFIX_FORMATS.get(suffix)
    if named is not None and (named == "xlsx") != (fmt == "xlsx"):
        raise ValidationError("path", (
            _("{name} ends in {suffix} but the format is {format}; name it {other} or choose "
              "xlsx") if named == "xlsx" else
            _("{name} ends in {suffix} but the format is {format}; name it {other} or choose "
              "a CSV format")).format(name=path.name, suffix=suffix, format=fmt,
                                      other=f"{path.stem}{EXTENSIONS[fmt]}"))
    if str(path).endswith(os.sep) or path.is_dir():
        raise ValidationError("path", _("{path} is a directory; give a file name, like "
                                        "{example}").format(
                                            path=path, example=path / default_filename(fmt)))
    parent = path.parent
    if not parent.is_dir():
        raise ValidationError("path", _("there is no directory {path}").format(path=parent))
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ValidationError("path", _("cannot create files in {path} (permission "
                                        "denied)").format(path=parent))
    if path.exists() and not force:
        raise ExportFileExists(path)


class OrderSource(Protocol):
    """Where an export reads its orders: in the query's order, in batches, never all at
    once (the store)."""

    def count(self, q: OrderQuery) -> int: ...

    def iter_ids(self, q: OrderQuery, batch: int = ...) -> Iterator[list[int]]: ...

    def load_orders(self, ids: Sequence[int]) -> list[Order]: ...

    def money_moved(self, ids: Sequence[int]) -> Moved: ...


def run_export(source: OrderSource, config: Config, request: ExportRequest,
               progress: Callable[[int, int], None] | None = None,
               cancelled: threading.Event | None = None, *,
               batch_size: int = BATCH_SIZE) -> ExportResult:
    """Write the export, then e-mail it if asked; returns what was done.

    ``progress(done, total)`` is called with orders after each batch (and once with 0 at
    the start). Setting ``cancelled`` stops at the next batch: the temporary file is removed
    and :class:`ExportCancelled` is raised. A failure to send the e-mail raises
    :class:`MailError` whose ``result`` names the complete file that was kept.
    """
    req = validate(request, config)
    dest = req.path
    assert dest is not None  # validate() settles it
    columns = resolve_columns(req.columns, req.per)
    total = source.count(req.query)
    if progress is not None:
        progress(0, total)
    dest.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(dest)
    try:
        fd, name = tempfile.mkstemp(prefix=_temp_prefix(dest), suffix=".part",
                                    dir=dest.parent)
    except OSError as exc:
        raise ExportWriteError(dest, _reason(exc)) from exc
    os.close(fd)
    tmp = Path(name)
    writer: RowWriter | None = None
    done = 0
    try:
        # the headers in the language of the process, but the csv for scripts: in English
        writer = open_writer(req.fmt, tmp, for_format(columns, req.fmt), req.delimiter)
        with _fewer_collections():
            for ids in source.iter_ids(req.query, batch_size):
                _check_cancel(cancelled, dest)
                orders = source.load_orders(ids)
                writer.write_orders(orders, req.per, source.money_moved(ids))
                done += len(orders)
                if progress is not None:
                    progress(done, max(total, done))
        _check_cancel(cancelled, dest)
        writer.finish()
        _check_cancel(cancelled, dest)
        _publish(tmp, dest, force=req.force)
    except BaseException as exc:
        if writer is not None:
            writer.discard()
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise ExportWriteError(dest, _reason(exc)) from exc
        raise

    result = ExportResult(path=dest, orders=done, rows=writer.rows,
                          warnings=[*req.notes, *writer.warnings])
    if done == 0:
        result.warnings.append(_("no orders match ({scope}); the file has the header row "
                                 "only").format(scope=describe_scope(req.query)))
    log.info("exported %d orders (%d rows, %s, %s) to %s", done, result.rows, req.fmt,
             describe_scope(req.query), dest)
    if req.email:
        try:
            _mail(config, req, result)
        except MailError as exc:
            log.warning("export not sent: %s", exc)
            raise
        log.info("sent %s to %s", dest.name, req.email)
    return result


def _mail(config: Config, req: ExportRequest, result: ExportResult) -> None:
    from ordertui.export.mail import parse_addresses, send_file  # only when mailing: smtplib

    assert req.email is not None
    size = result.path.stat().st_size
    scope = describe_scope(req.query)
    orders, rows = formats.number(result.orders), formats.number(result.rows)
    subject = ngettext("Orders export: {n} order ({scope})",
                       "Orders export: {n} orders ({scope})", result.orders).format(
        n=orders, scope=scope)
    # Translators: the lines of the e-mail that brings an export; keep the labels of the
    # lines ("Orders:", "Filter:", ...) and the values after them aligned as in English
    counts = (ngettext("Orders:  {orders} ({rows} row, one row per line item)",
                       "Orders:  {orders} ({rows} rows, one row per line item)", result.rows)
              if req.per == "line-item" else
              ngettext("Orders:  {orders} ({rows} row, one row per order)",
                       "Orders:  {orders} ({rows} rows, one row per order)", result.rows))
    body = "\n".join([
        _("Attached is an export of your orders from ordertui."), "",
        counts.format(orders=orders, rows=rows),
        _("Filter:  {scope}").format(scope=scope),
        _("Format:  {format}").format(format=FORMAT_LABELS[req.fmt]),
        _("File:    {name} ({size})").format(name=result.path.name, size=_size(size)),
        _("Created: {when}").format(when=formats.when(datetime.now().astimezone())), "",
        _("A copy is kept at {path} on {host}.").format(path=result.path,
                                                          host=socket.gethostname()), ""])
    try:
        send_file(config.email(), parse_addresses(req.email), result.path, subject=subject,
                  body=body, mime_type=MIME_TYPES[req.fmt])
    except MailError as exc:
        exc.result = result
        raise
    result.emailed_to = req.email


class _FewerCollections:
    """Raise the garbage collector's first threshold while exports run.

    Every batch allocates tens of thousands of small container objects (orders, items,
    amounts, rows) that live until the batch is written. At the default threshold (700)
    the collector runs dozens of times per batch and promotes each live batch to older
    generations, whose collections then walk it again: about a fifth of an export's time,
    for cycles that do not exist (these objects are freed by reference counting). The
    setting is process-wide, so concurrent exports share one raise and the last to finish
    restores what was there.
    """

    FIRST_THRESHOLD = 20_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._saved: tuple[int, int, int] = gc.get_threshold()

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._users == 0:
                self._saved = gc.get_threshold()
                first, *older = self._saved
                gc.set_threshold(max(first, self.FIRST_THRESHOLD), *older)
            self._users += 1
        try:
            yield
        finally:
            with self._lock:
                self._users -= 1
                if self._users == 0:
                    gc.set_threshold(*self._saved)


_fewer_collections = _FewerCollections()


def _check_cancel(cancelled: threading.Event | None, dest: Path) -> None:
    if cancelled is not None and cancelled.is_set():
        raise ExportCancelled(dest)


def _publish(tmp: Path, dest: Path, *, force: bool) -> None:
    """Give the complete temporary file the destination's name, atomically."""
    if force:
        os.replace(tmp, dest)
    else:
        try:
            os.link(tmp, dest)  # fails if the name exists, even if it appeared just now
        except FileExistsError:
            raise ExportFileExists(dest) from None
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS,
                                 errno.EMLINK, errno.EACCES):
                raise
            # a file system without hard links (FAT, some network mounts)
            if os.path.lexists(dest):
                raise ExportFileExists(dest) from None
            os.replace(tmp, dest)
        else:
            tmp.unlink()
    _fsync_directory(dest.parent)


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable; some systems cannot open a directory to sync it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _host() -> str:
    return socket.gethostname().split(".")[0] or "host"


def _temp_prefix(dest: Path) -> str:
    """Hidden, named after the destination, host and process, so that leftovers are
    recognisable and only removed once their process is gone."""
    return f".{dest.name}.{_host()}.{os.getpid()}."


def _remove_stale_temporaries(dest: Path) -> None:
    """Remove what a killed export to the same name left behind (its process is gone)."""
    starts = (f".{dest.name}.{_host()}.", f"..{dest.name}.{_host()}.")
    try:
        entries = os.listdir(dest.parent)
    except OSError:
        return
    for entry in entries:
        start = next((s for s in starts if entry.startswith(s)), None)
        if start is None or not entry.endswith((".part", ".sheet.xml")):
            continue
        pid_text = entry[len(start):].split(".", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            os.unlink(dest.parent / entry)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, but belongs to someone else
    return True


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return _("the disk is full")
    if exc.errno == errno.EDQUOT:
        return _("the disk quota is used up")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return _("permission denied")
    if exc.errno == errno.EROFS:
        return _("the file system is read-only")
    return (exc.strerror or str(exc)).lower()


def _size(size: int) -> str:
    if size < 1_000_000:
        return _("{n} KB").format(n=formats.number(max((size + 999) // 1000, 1)))
    return _("{n} MB").format(n=formats.decimal(size / 1_000_000, 1))
