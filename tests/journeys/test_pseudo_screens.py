"""Every screen in the test language (x-pseudo, docs/i18n.md): no English text of the
code's own is left on screen. A message the code marked but shows untranslated, or a string
it never marked, appears literally; in x-pseudo everything translated is accented and in
⟦…⟧, so any of the code's English phrases found on screen is a miss."""

from __future__ import annotations

import ast
import asyncio
import html
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "screenshots"))

from scenes import PSEUDO, build

from ordertui.i18n import messages
from ordertui.tui.app import OrderTUI

SRC = Path(__file__).resolve().parents[2] / "src" / "ordertui"
_FIELD = re.compile(r"\{[^{}]*\}|\[/?[a-z][a-z0-9 .#_-]*\]")


def english_phrases() -> set[str]:
    """The code's own English of several words: every message of the catalogue and every
    string literal of the app's screens, cut at their placeholders."""
    found: set[str] = set()
    texts = [m.id if isinstance(m.id, str) else m.id[0] for m in messages.extract() if m.id]
    for path in (SRC / "tui").rglob("*.py"):
        texts.extend(n.value for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                     if isinstance(n, ast.Constant) and isinstance(n.value, str))
    # what the demo supplier and shop say is data, shown as it is, and may share words
    data = " ".join(n.value for path in (SRC / "simulators" / "demo").rglob("*.py")
                    for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                    if isinstance(n, ast.Constant) and isinstance(n.value, str))
    for text in texts:
        for piece in _FIELD.split(text):
            piece = piece.strip(" .,:;·—-()\n")
            if len(piece) >= 10 and " " in piece and sum(c.isalpha() for c in piece) >= 8 \
                    and "\n" not in piece and not piece.startswith(("#", "ordertui.")) \
                    and piece not in data:
                found.add(piece)
    return found


def screen_text(svg: str) -> str:
    """The characters of a screenshot, line by line (Textual's SVG holds one <text> per run
    of one style, placed by its y)."""
    lines: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for x, y, body in re.findall(r'<text[^>]*\bx="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>',
                                 svg, re.S):
        lines[y].append((float(x), html.unescape(re.sub(r"<[^>]+>", "", body))))
    return "\n".join("".join(t for _, t in sorted(parts)).replace("\xa0", " ")
                     for _, parts in sorted(lines.items(), key=lambda kv: float(kv[0])))


PHRASES = english_phrases()


def shoot(scene: Any, tmp_path: Path) -> str:
    """The text on screen once ``scene`` has played, in its language."""
    services = build(tmp_path, scene.language)
    app = OrderTUI(services)

    async def run() -> str:
        async with app.run_test(size=scene.size) as pilot:
            await scene.run(pilot, services)
            return screen_text(app.export_screenshot())

    try:
        return asyncio.run(run())
    finally:
        services.store.close()


@pytest.mark.parametrize("scene", PSEUDO, ids=[s.name for s in PSEUDO])
def test_no_english_of_the_code_is_left_on_screen(scene: Any, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    shown = shoot(scene, tmp_path)
    assert "⟦" in shown  # the scene is in the test language at all
    left = sorted(p for p in PHRASES if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", shown))
    assert not left, f"English left on {scene.name}:\n" + "\n".join(left) + "\n\n" + shown


def test_the_english_of_the_code_is_found_on_an_english_screen(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check reads screens at all: in English the same phrases are there."""
    from scenes import SCENES

    monkeypatch.setenv("TZ", "UTC")
    shown = shoot(next(s for s in SCENES if s.name == "help"), tmp_path)
    assert "⟦" not in shown
    assert sum(1 for p in PHRASES if p in shown) >= 5, shown
