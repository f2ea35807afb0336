"""Starting the terminal app from the command line."""

from __future__ import annotations

import shutil
import sys

from ordertui.cli.common import AppContext
from ordertui.crash import announce


def run_tui(app: AppContext) -> None:
    # here, not at the top: the commands never load Textual
    from ordertui.tui.app import OrderTUI

    tui = OrderTUI(app.services)
    tui.read_first(shutil.get_terminal_size().lines)
    tui.run()
    crash = tui.crash()
    if crash is not None:
        announce(crash.report, crash.summary)
        sys.exit(1)
