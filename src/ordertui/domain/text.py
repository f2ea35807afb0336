"""Making hostile text harmless to show.

Supplier and customer data may carry terminal control sequences (CSI, OSC title changes,
OSC 52 clipboard writes), bidirectional overrides that reorder what is shown, or zero-width
characters that hide text. Before any of it reaches a terminal it passes through
:func:`visible`, which keeps every printable character and replaces the others with a
visible stand-in, so the merchant sees that something odd was there without it acting.
"""

from __future__ import annotations

import re

# C0 controls (but not tab/newline, handled by the caller's choice), DEL, C1 controls,
# bidi marks/embeddings/overrides/isolates (the Arabic letter mark too), zero-width and
# invisible formatting characters, line/paragraph separators, BOM, and the tag characters
# that draw nothing and can smuggle hidden text.
_HOSTILE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2028\u2029"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]"
)
_NEWLINES = re.compile("[\t\n]")


def _stand_in(match: re.Match[str]) -> str:
    ch = match.group(0)
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # ␛ for ESC, ␇ for BEL, ...
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


def visible(text: str, *, keep_newlines: bool = False, limit: int | None = None) -> str:
    """Return ``text`` with every control or invisible formatting character made visible.

    ``keep_newlines`` keeps ``\\n`` (for multi-line message bodies); tabs become a space.
    ``limit`` cuts very long strings with an ellipsis, for table cells.
    """
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + "…"
    if keep_newlines:
        text = text.replace("\t", " ").replace("\r\n", "\n")
        return "\n".join(_HOSTILE.sub(_stand_in, line) for line in text.split("\n"))
    text = _NEWLINES.sub(" ", text)
    return _HOSTILE.sub(_stand_in, text)


def one_line(text: str, limit: int | None = None) -> str:
    """Collapse whitespace to one line and make it visible; for table cells and status lines."""
    return visible(" ".join(text.split()), limit=limit)


def is_clean(text: str) -> bool:
    return _HOSTILE.search(text) is None
