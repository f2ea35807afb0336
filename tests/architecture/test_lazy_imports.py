"""Heavy imports are kept lazy (docs/architecture.md, section 1): the app on the demo
supplier never loads the HTTP client, the spreadsheet writer, the mail code, the XML
parser of the exchange rates, GraphQL, the installed packages' entry points, pygments or
Babel (which another language than English needs)."""

from __future__ import annotations

import os
from pathlib import Path


def test_the_app_on_the_demo_supplier_loads_no_http_spreadsheet_or_mail_code(
        tmp_path: Path) -> None:
    """Each of these costs megabytes of memory and tens of milliseconds of start-up (httpx
    alone pulls in rich.progress and pygments): the app loads them only when a supplier
    over HTTP, an export or an e-mail needs them."""
    import subprocess
    import sys

    script = f"""
import asyncio, sys
from pathlib import Path
from ordertui.config import load
from ordertui.services import Services
from ordertui.tui.app import OrderTUI

async def main():
    app = OrderTUI(Services(load(None, Path({str(tmp_path / "data")!r}))))
    app.read_first(24)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(200):
            await pilot.pause(0.05)
            if "#1" in str(app.screen.query_one("OrderTable").render_line(1)):
                break
        else:
            raise SystemExit("the orders never showed")
        await pilot.pause(1.0)  # the first sync and the outbox runner have had their turn
asyncio.run(main())
heavy = ("httpx", "openpyxl", "smtplib", "importlib.metadata", "pygments", "defusedxml",
         "xml.etree.ElementTree", "zipfile", "graphql", "babel")
print(" ".join(m for m in heavy if m in sys.modules) or "none")
"""
    (tmp_path / "config.toml").write_text("")  # nothing configured: the demo supplier
    env = {**os.environ, "ORDERTUI_CONFIG": str(tmp_path / "config.toml")}
    env.pop("ORDERTUI_DATA_DIR", None)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "none", done.stdout
