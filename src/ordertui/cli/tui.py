"""Starting the terminal app from the command line."""

from __future__ import annotations

from ordertui.cli.common import AppContext


def run_tui(app: AppContext) -> None:
    import shutil
    import sys

    from ordertui.crash import announce
    from ordertui.tui.app import OrderTUI

    services = app.services
    tui = OrderTUI(services)
    tui.read_first(shutil.get_terminal_size().lines)
    tui.run()
    if tui.crash is not None:
        announce(*tui.crash)
        sys.exit(1)
