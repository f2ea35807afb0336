"""What every command shares: the app context, running coroutines, safe output, errors."""

from __future__ import annotations

import asyncio
import functools
import os
import shutil
import sqlite3
import sys
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click

from ordertui import config as config_mod
from ordertui import i18n
from ordertui.crash import announce, summary, write_report
from ordertui.domain.errors import OrdertuiError
from ordertui.domain.text import one_line, visible
from ordertui.i18n import _, formats, pgettext
from ordertui.logs import configure

T = TypeVar("T")


@dataclass
class AppContext:
    """Built lazily, so that --help and --version touch nothing on disk."""

    config_path: Path | None = None
    data_dir: Path | None = None
    #: the role asked for (``--role``, ``ORDERTUI_ROLE``); None: the owner
    role_name: str | None = None
    _config: config_mod.Config | None = None
    _services: Any = None
    cleanups: list[Callable[[], Any]] = field(default_factory=list)
    #: the command writes for programs (JSON): it speaks English whatever the language
    machine: bool = False

    def for_programs(self) -> None:
        """This command's output is for programs: English, so that it is the same in every
        language."""
        self.machine = True
        i18n.use("en")

    @property
    def config(self) -> config_mod.Config:
        if self._config is None:
            # imported here, like Services below: the services layer (the store, the
            # registry) stays unloaded until a command reads the config
            from ordertui.services.settings import check_suppliers

            config = config_mod.load(self.config_path, self.data_dir)
            check_suppliers(config)  # commands that read the config alone refuse it too
            config.role(self.role_name)  # a role the config does not know: refused at once
            self._config = config
            if not self.machine:
                i18n.use(config.language)
            if self.data_dir is not None:
                self._config.data_dir = self.data_dir
        return self._config

    @property
    def services(self) -> Any:
        if self._services is None:
            # here, not at the top: --help and --version load no store or supplier
            from ordertui.services import Services

            configure(self.config.data_dir)
            self._services = Services(self.config, role=self.config.role(self.role_name))
        return self._services


pass_app = click.make_pass_decorator(AppContext)


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def closing(app: AppContext, coro_fn: Callable[..., Coroutine[Any, Any, T]], *args: Any,
            **kwargs: Any) -> T:
    """Run a coroutine with the services, closing their connections afterwards."""
    async def wrapper() -> T:
        try:
            return await coro_fn(*args, **kwargs)
        finally:
            if app._services is not None:
                await app._services.aclose()
                app._services = None
    return run(wrapper())


def fail(message: str, code: int = 1) -> None:
    """One line on stderr, then exit. Never a traceback."""
    click.echo(f"ordertui: {one_line(message)}", err=True)
    sys.exit(code)


def guard(fn: Callable[..., T]) -> Callable[..., T]:
    """Turn ordertui's typed errors into one line on stderr and the documented exit code."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return fn(*args, **kwargs)
        except OrdertuiError as exc:
            fail(str(exc), exc.exit_code)
            raise  # unreachable
        except BrokenPipeError:
            # the reader went away (`ordertui orders | head`): what it wanted it has; stop
            # quietly, as other commands do, and keep Python from complaining at exit
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(141)  # 128 + SIGPIPE, as a shell reports it
        except (OSError, sqlite3.Error) as exc:
            # the disk, not the program: an unwritable data directory, a damaged store
            fail(f"{type(exc).__name__}: {exc}", 1)
            raise  # unreachable
        except Exception as exc:
            app = next((a for a in args if isinstance(a, AppContext)), None)
            data_dir = config_mod.default_data_dir()
            if app is not None:
                data_dir = app.data_dir or (app._config.data_dir if app._config
                                            else data_dir)
            try:
                path = write_report(data_dir, exc, where=f"ordertui {fn.__name__}")
            except (OSError, OrdertuiError):
                fail(_("crashed: {summary}").format(summary=summary(exc)), 1)
            announce(path, exc)
            sys.exit(1)
    return wrapper


def stderr_is_tty() -> bool:
    return sys.stderr.isatty()


class Progress:
    """A one-line progress report on stderr, only when stderr is a terminal."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.enabled = stderr_is_tty()
        self._last = ""

    def __call__(self, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        if total:
            text = _("{label}: {done}/{total} ({percent}%)").format(
                label=self.label, done=formats.number(done), total=formats.number(total),
                percent=done * 100 // max(total, 1))
        else:
            text = f"{self.label}: {formats.number(done)}"
        if text != self._last:
            click.echo(f"\r{text}\x1b[K", nl=False, err=True)
            self._last = text

    def done(self) -> None:
        if self.enabled and self._last:
            click.echo("", err=True)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], *,
          right: Sequence[int] = (), width: int | None = None) -> str:
    """A plain-text table that fits the terminal; every cell made visible-safe."""
    width = width or shutil.get_terminal_size((120, 24)).columns
    cells = [[visible(str(c)) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], len(c))
    # shrink the widest columns until the table fits
    total = sum(widths) + 2 * (len(widths) - 1)
    while total > width and max(widths) > 8:
        i = widths.index(max(widths))
        widths[i] -= 1
        total -= 1

    def fmt(row: Sequence[str]) -> str:
        out = []
        for i, c in enumerate(row):
            c = c if len(c) <= widths[i] else c[: max(widths[i] - 1, 0)] + "…"
            out.append(c.rjust(widths[i]) if i in right else c.ljust(widths[i]))
        return "  ".join(out).rstrip()

    lines = [fmt(headers), "  ".join("-" * w for w in widths)]
    lines.extend(fmt(r) for r in cells)
    return "\n".join(lines)


def no_supplier(name: str, config: config_mod.Config) -> str:
    """The error for a --supplier the config does not name."""
    return _("no supplier named {name}; configured: {names}").format(
        name=repr(name), names=", ".join(config.suppliers))


def no_shop(name: str, config: config_mod.Config) -> str:
    """The error for a --shop the config does not name."""
    return _("no shop named {name}; configured: {names}").format(
        name=repr(name), names=", ".join(config.shops) or pgettext("nothing configured", "none"))
