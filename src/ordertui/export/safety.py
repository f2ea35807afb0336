"""Making hostile text harmless in a spreadsheet (OWASP, "CSV injection").

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read
as a formula by Excel, LibreOffice and Google Sheets, and ``=HYPERLINK(...)`` in a customer's
name becomes a link that leaks data when the merchant's accountant clicks it. Such text gets a
leading apostrophe, which spreadsheets show as text and never evaluate. Leading spaces do not
hide a formula from every program, so they are looked through. Real numbers are written as
numbers and never pass through here, so a negative profit stays a negative amount.

The same text goes into CSV and XLSX alike, so both files say the same thing and a file
saved again as CSV by the accountant is still safe.

:func:`cell_text` also replaces the characters that an XLSX file cannot hold (C0 controls
but tab and line breaks, lone surrogates, U+FFFE/U+FFFF) with a visible stand-in, as
``domain.text.visible`` does on screen: the merchant sees that something odd was there, and
the export never fails because of one strange byte in a supplier's data. Line breaks stay
(addresses and messages have them) but are written as line feeds only.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: What openpyxl refuses (and XML 1.0 cannot carry), plus DEL and the C1 controls that a
#: terminal would act on if the CSV were printed, lone surrogates that UTF-8 cannot encode,
#: and the two non-characters.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


#: A cell needs :func:`cell_text` when its first character is one of these (a formula start
#: or a space that may hide one) or when :data:`SCAN` finds something anywhere. The writers
#: test both inline: a set lookup and one character-class search keep the common, harmless
#: cell fast (an alternation in one pattern is five times slower).
FIRST = frozenset("=+-@\t\r ")
SCAN = re.compile("[\r" + _UNSAFE.pattern[1:])


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ ␇ ␛ ...
    if code == 0x7F:
        return "\u2421"  # ␡
    if code <= 0x9F:
        return f"<U+{code:04X}>"
    return "\ufffd"


def neutralise(text: str) -> str:
    """``text`` with a leading apostrophe if a spreadsheet would read it as a formula."""
    if text and (text.startswith(FORMULA_STARTS)
                 or (text[0] == " " and text.lstrip(" ").startswith(FORMULA_STARTS))):
        return "'" + text
    return text


def cell_text(text: str) -> str:
    """What a text cell holds: unsafe characters made visible, formulas neutralised."""
    if not text or (text[0] not in FIRST and SCAN.search(text) is None):
        return text
    if _UNSAFE.search(text) is not None:
        text = _UNSAFE.sub(_stand_in, text)
    text = neutralise(text)
    if "\r" in text:
        # XML turns a carriage return into a line feed when the XLSX is read; CSV would keep
        # it. Both formats hold the same text when every line break is a line feed.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text
