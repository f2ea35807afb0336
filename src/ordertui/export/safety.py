"""Neutralising spreadsheet formulas in exported text (OWASP, "CSV injection").

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read
as a formula by Excel, LibreOffice and Google Sheets. Such text gets a leading apostrophe,
which spreadsheets show as text and do not evaluate. Real numbers are written as numbers and
never pass through here, so ``-12.50`` stays a negative amount.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    if text and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text
