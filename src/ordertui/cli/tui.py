"""Starting the terminal app from the command line."""

from __future__ import annotations

from ordertui.cli.common import AppContext


def run_tui(app: AppContext) -> None:
    from ordertui.tui.app import OrderTUI

    services = app.services
    OrderTUI(services).run()
