"""Hostile text made harmless to show (invariant 4 in docs/architecture.md)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordertui.domain.text import is_clean, one_line, visible

ESC = "\x1b"

#: the characters Unicode gives the Bidi_Control property: they reorder what is shown
BIDI_CONTROLS = ["\u061c", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)),
                 *map(chr, range(0x2066, 0x206A))]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
#: tag characters draw nothing and are used to smuggle hidden text
TAGS = [chr(0xE0001), chr(0xE0041), chr(0xE007F)]
#: deprecated formatting characters that still act on shaping and mirroring, invisibly
DEPRECATED_FORMAT = [chr(c) for c in range(0x206A, 0x2070)]


def _invisible(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf") or ch in "\u2028\u2029"


@pytest.mark.parametrize(("hostile", "shown"), [
    ("\x1b[31mred\x1b[0m", "␛[31mred␛[0m"),  # CSI colours
    ("\x1b]0;pwned\x07", "␛]0;pwned␇"),  # OSC window title, BEL-terminated
    ("\x1b]52;c;aGVsbG8=\x1b\\", "␛]52;c;aGVsbG8=␛\\"),  # OSC 52 clipboard write
    ("a\x9b31mb", "a<U+009B>31mb"),  # 8-bit CSI
    ("a\x9d0;x\x9c", "a<U+009D>0;x<U+009C>"),  # 8-bit OSC / ST
    ("bell\x07", "bell␇"),
    ("nul\x00", "nul␀"),
    ("back\x08\x08space", "back␈␈space"),
    ("del\x7f", "del␡"),
    ("car\rriage", "car␍riage"),
    ("form\x0cfeed", "form␌feed"),
])
def test_control_sequences_become_visible(hostile: str, shown: str) -> None:
    out = visible(hostile)
    assert out == shown
    assert ESC not in out and "\x07" not in out and not is_clean(hostile)
    assert is_clean(out)


@pytest.mark.parametrize("ch", [*BIDI_CONTROLS, *ZERO_WIDTH, *TAGS, *DEPRECATED_FORMAT,
                                "\u2028", "\u2029"], ids=lambda c: f"U+{ord(c):04X}")
def test_bidi_and_invisible_characters_get_a_stand_in(ch: str) -> None:
    out = visible(f"in{ch}voice.exe")
    assert ch not in out
    assert out.startswith("in") and out.endswith("voice.exe")
    assert f"U+{ord(ch):04X}" in out  # the merchant sees that something was there


def test_trojan_source_style_reordering_is_defused() -> None:
    name = "Zoë \u202egnp.exe\u202c"
    out = visible(name)
    assert "\u202e" not in out and "<U+202E>" in out and out.startswith("Zoë ")


def test_newlines_and_tabs() -> None:
    assert visible("two\nlines\tand tab") == "two lines and tab"
    assert visible("two\nlines\r\nmore\tx", keep_newlines=True) == "two\nlines\nmore x"
    assert visible("a\x1b[2Jb\nc", keep_newlines=True) == "a␛[2Jb\nc"
    assert one_line("  spread \n over\t lines  ") == "spread over lines"
    assert one_line("x\x1b[1Ay") == "x␛[1Ay"


def test_markup_is_plain_text() -> None:
    # Rich/Textual markup is not ours to interpret here: it stays exactly as typed, and the
    # widgets show it as text
    for text in ("[bold red]x[/]", "[link=https://evil.example]click[/link]", "[/]",
                 "[@click=quit]"):
        assert visible(text) == text
        assert is_clean(text)


def test_ordinary_text_is_untouched() -> None:
    for text in ("Müller", "王芳", "Zoë", "Łódź", "José Ñúñez", "Ðorđe", "🙂 emoji",
                 "O'Brien & Sons <shop@example.com>", "مرحبا", "שלום"):
        assert visible(text) == text and is_clean(text)


def test_limit_cuts_with_an_ellipsis() -> None:
    assert visible("abcdefghij", limit=5) == "abcd…"
    assert visible("abc", limit=5) == "abc"
    assert one_line("a  b  c  d", limit=4) == "a b…"


@given(st.text() | st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Ll"])))
def test_nothing_invisible_or_controlling_survives(text: str) -> None:
    out = visible(text)
    assert not any(_invisible(ch) for ch in out if ch not in BIDI_OK_FORMATTING)
    assert is_clean(out)
    kept = visible(text, keep_newlines=True)
    assert not any(_invisible(ch) for ch in kept if ch != "\n" and ch not in BIDI_OK_FORMATTING)


@given(st.text(alphabet=st.characters(categories=["L", "N", "P", "S", "Zs"])))
def test_printable_text_passes_unchanged(text: str) -> None:
    assert visible(text) == text.replace("\t", " ")


#: format characters that draw something (number signs that prefix digits, musical marks)
#: or are part of ordinary writing; not a way to hide or reorder text
BIDI_OK_FORMATTING = {
    *map(chr, range(0x0600, 0x0606)), "\u06dd", "\u070f", "\u0890", "\u0891", "\u08e2",
    "\u00ad", "\u180e", "\U000110bd", "\U000110cd", *map(chr, range(0x13430, 0x13456)),
    *map(chr, range(0x1BCA0, 0x1BCA4)), *map(chr, range(0x1D173, 0x1D17B)),
}
