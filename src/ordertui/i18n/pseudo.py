"""The pseudo-language of the tests: every message accented, longer by 40 % and in brackets,
so that a string the code forgot to mark stays plain ASCII on screen and a layout that
cannot take German's longer words breaks visibly. Placeholders (``{name}``) and Rich markup
tags (``[b]``) are kept as they are, so the message still formats."""

from __future__ import annotations

import gettext
import math
import re

_ACCENTS = str.maketrans("aeiouyAEIOUYcnszCNSZ", "áéîöüýÀÉÎÖÜÝçñšžÇÑŠŽ")
#: what must survive: str.format fields and Rich markup tags
_KEEP = re.compile(r"(\{[^{}]*\}|\[/?[a-z][a-z0-9 .#_-]*\]|\[/\])")
OPEN, CLOSE = "⟦", "⟧"


def pseudo(message: str) -> str:
    """``message`` in the pseudo-language (empty stays empty)."""
    if not message:
        return message
    parts = _KEEP.split(message)
    shown = "".join(p if i % 2 else p.translate(_ACCENTS) for i, p in enumerate(parts))
    letters = sum(len(p) for i, p in enumerate(parts) if not i % 2)
    pad = max(1, math.ceil(letters * 0.4) - 2)  # the brackets count toward the 40 %
    return f"{OPEN}{shown}{'·' * pad}{CLOSE}"


def is_pseudo(text: str) -> bool:
    return OPEN in text


class PseudoTranslations(gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        return pseudo(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return pseudo(msgid1 if n == 1 else msgid2)

    def pgettext(self, context: str, message: str) -> str:
        return pseudo(message)

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        return pseudo(msgid1 if n == 1 else msgid2)
