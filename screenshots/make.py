"""Render every scene of the app to an SVG in this directory (the README shows them).

    python screenshots/make.py            # all scenes
    python screenshots/make.py orders     # some
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scenes import SCREENSHOTS, build  # noqa: E402


def main(names: list[str]) -> int:
    from ordertui.tui.app import OrderTUI

    chosen = [s for s in SCREENSHOTS if not names or s.name in names]
    for scene in chosen:
        with tempfile.TemporaryDirectory() as tmp:
            services = build(Path(tmp), scene.language)
            app = OrderTUI(services)

            async def shoot(app: OrderTUI = app, scene=scene, services=services) -> None:  # type: ignore[no-untyped-def]
                async with app.run_test(size=scene.size) as pilot:
                    await scene.run(pilot, services)
                    app.save_screenshot(f"{scene.name}.svg", path=str(HERE))

            import asyncio

            asyncio.run(shoot())
            services.store.close()
        print(f"screenshots/{scene.name}.svg — {scene.title}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
