"""The headless command line. ``ordertui`` alone starts the terminal app.

Exit codes: 0 success, 1 failure, 2 bad usage or bad input. Errors are one line on stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from ordertui import __version__
from ordertui.cli.common import AppContext, fail, guard


class OrderedGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def main(self, args: Sequence[str] | None = None,
             prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        """Click's own usage errors, like ours, are one line on stderr with exit code 2."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # `ordertui dispute`: the help
                exc.show()
                sys.exit(exc.exit_code)
            where = exc.ctx.command_path if exc.ctx is not None else "ordertui"
            fail(f"{exc.format_message()} (see '{where} --help')", exc.exit_code)
        except click.ClickException as exc:
            fail(exc.format_message(), exc.exit_code)
        except click.Abort:
            fail("aborted", 1)
        sys.exit(rv if isinstance(rv, int) else 0)


@click.group(cls=OrderedGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="ordertui",
                      message="%(prog)s %(version)s")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              envvar="ORDERTUI_CONFIG", help="Config file (default: the platform's user "
              "config directory; env ORDERTUI_CONFIG).")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              envvar="ORDERTUI_DATA_DIR", help="Data directory (env ORDERTUI_DATA_DIR).")
@click.pass_context
def main_group(ctx: click.Context, config_path: Path | None, data_dir: Path | None) -> None:
    """Manage the orders your shop placed with its suppliers: list, search, cancel,
    dispute, return, refund and export, from the keyboard.

    Run without a command to open the terminal app. With nothing configured it runs on the
    built-in demo supplier.
    """
    ctx.obj = AppContext(config_path=config_path, data_dir=data_dir)
    if ctx.invoked_subcommand is None:
        from ordertui.cli.tui import run_tui

        guard(run_tui)(ctx.obj)


def _register() -> None:
    from ordertui.cli import actions, orders

    for module in (orders, actions):
        for command in module.COMMANDS:
            main_group.add_command(command)
    # optional command groups; each module registers what it defines
    import importlib

    for name in ("export", "simulate", "returns"):
        try:
            module = importlib.import_module(f"ordertui.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"ordertui.cli.{name}":
                raise
            continue
        for command in module.COMMANDS:
            main_group.add_command(command)


_register()


def main() -> None:
    try:
        main_group(prog_name="ordertui")
    except KeyboardInterrupt:
        click.echo("ordertui: interrupted", err=True)
        sys.exit(130)
