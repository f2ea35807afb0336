"""The headless command line. ``ordertui`` alone starts the terminal app.

Exit codes: 0 success, 1 failure, 2 bad usage or bad input. Errors are one line on stderr.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from ordertui import __version__, i18n
from ordertui import config as config_mod
from ordertui.cli.common import AppContext, fail, guard
from ordertui.i18n import N_, _

#: every command, by the module that defines it. Modules are imported when their command
#: runs (or for --help), so that starting the terminal app loads none of them.
COMMAND_MODULES: dict[str, str] = {
    **dict.fromkeys(("orders", "show", "sync", "add", "demo", "outbox"), "orders"),
    **dict.fromkeys(("cancel", "cancel-reply", "dispute", "record"), "actions"),
    "export": "export",
    **dict.fromkeys(("return", "refund", "recovered", "stock", "policy"), "returns"),
    **dict.fromkeys(("shop-orders", "link", "unlink"), "shops"),
    "simulate": "simulate",
    "store": "store",
}


#: the group's help and its options' help: the group is built when this module is imported,
#: before main() knows the language, so they are translated when the help is shown
GROUP_HELP = N_("Manage the orders your shop placed with its suppliers: list, search, cancel, "
                "dispute, return, refund and export, from the keyboard.\n\n"
                "Run without a command to open the terminal app. With nothing configured it "
                "runs on the built-in demo supplier.")
OPTION_HELP: dict[str, str] = {
    "config_path": N_("Config file (default: the platform's user config directory; env "
                      "ORDERTUI_CONFIG)."),
    "data_dir": N_("Data directory (env ORDERTUI_DATA_DIR)."),
    "role": N_("What this session may do: owner (the default), staff, viewer, or a role of "
               "the config's [roles] (env ORDERTUI_ROLE)."),
}


class OrderedGroup(click.Group):
    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self.help = _(GROUP_HELP)
        for param in self.params:
            if isinstance(param, click.Option) and param.name in OPTION_HELP:
                param.help = _(OPTION_HELP[param.name])
        super().format_help(ctx, formatter)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMAND_MODULES.get(cmd_name)
        if module_name is None:
            return None
        module = importlib.import_module(f"ordertui.cli.{module_name}")
        return next((c for c in module.COMMANDS if c.name == cmd_name), None)

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
            fail(_("{message} (see '{help}')").format(message=exc.format_message(),
                                                      help=f"{where} --help"), exc.exit_code)
        except click.ClickException as exc:
            fail(exc.format_message(), exc.exit_code)
        except click.Abort:
            fail(_("aborted"), 1)
        sys.exit(rv if isinstance(rv, int) else 0)


@click.group(cls=OrderedGroup, invoke_without_command=True, help=GROUP_HELP,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="ordertui",
                      message="%(prog)s %(version)s")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              envvar="ORDERTUI_CONFIG", help=OPTION_HELP["config_path"])
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              envvar="ORDERTUI_DATA_DIR", help=OPTION_HELP["data_dir"])
@click.option("--role", metavar="NAME", envvar="ORDERTUI_ROLE", help=OPTION_HELP["role"])
@click.pass_context
def main_group(ctx: click.Context, config_path: Path | None, data_dir: Path | None,
               role: str | None) -> None:
    ctx.obj = AppContext(config_path=config_path, data_dir=data_dir, role_name=role)
    if ctx.invoked_subcommand is None:
        from ordertui.cli.tui import run_tui

        guard(run_tui)(ctx.obj)


def main() -> None:
    # the language before the commands are built: their --help is in it too
    i18n.use(config_mod.language_hint(sys.argv[1:]))
    try:
        main_group(prog_name="ordertui")
    except KeyboardInterrupt:
        click.echo("ordertui: " + _("interrupted"), err=True)
        sys.exit(130)
