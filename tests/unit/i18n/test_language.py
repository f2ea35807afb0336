"""The language of the process: chosen from the config or the environment as text, the
catalogue compiled once and cached, the pseudo-language, and the locale formats."""

from __future__ import annotations

import gettext
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from ordertui import i18n
from ordertui.config import language_hint, parse
from ordertui.domain.errors import ConfigError, ValidationError
from ordertui.domain.money import Money
from ordertui.i18n import catalogue, formats, messages
from ordertui.i18n.pseudo import is_pseudo, pseudo


@pytest.mark.parametrize(("env", "code", "locale"), [
    ({"LANG": "de_DE.UTF-8"}, "de", "de_DE"),
    ({"LANG": "de_AT.utf8"}, "de", "de_AT"),
    ({"LANG": "de"}, "de", "de_DE"),
    ({"LC_MESSAGES": "de_CH.UTF-8", "LANG": "en_US.UTF-8"}, "de", "de_CH"),
    ({"LC_ALL": "en_GB.UTF-8", "LANG": "de_DE.UTF-8"}, "en", "en_GB"),
    ({"LC_ALL": "", "LANG": "de_DE.UTF-8@euro"}, "de", "de_DE"),
    ({"LANG": "C.UTF-8"}, "en", "en_US"),
    ({"LANG": "POSIX"}, "en", "en_US"),
    ({"LANG": "fr_FR.UTF-8"}, "en", "en_US"),  # no French catalogue: English
    ({}, "en", "en_US"),
])
def test_the_environment_is_read_as_text(env: dict[str, str], code: str, locale: str) -> None:
    """No C locale needs to be installed: the variables are read, not the C library's
    coerced locale."""
    assert i18n.from_environment(env) == i18n.Language(code, locale)


def test_a_named_language_keeps_the_environment_territory_of_that_language() -> None:
    assert i18n.resolve("de", {"LANG": "de_AT.UTF-8"}) == i18n.Language("de", "de_AT")
    assert i18n.resolve("de", {"LANG": "en_US.UTF-8"}) == i18n.Language("de", "de_DE")
    assert i18n.resolve("en", {"LANG": "de_DE.UTF-8"}) == i18n.Language("en", "en_US")
    with pytest.raises(ValueError):
        i18n.resolve("tlh")


def test_the_config_names_the_language_and_refuses_others(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    assert parse({"app": {"language": "de"}}, path, tmp_path).language == "de"
    assert parse({}, path, tmp_path).language == "auto"
    with pytest.raises(ConfigError) as refused:
        parse({"app": {"language": "german"}}, path, tmp_path)
    assert "language must be one of auto, en, de" in str(refused.value)
    path.write_text('[app]\nlanguage = "de"\n', encoding="utf-8")
    assert language_hint(["--config", str(path), "orders"]) == "de"
    assert language_hint([f"--config={path}"]) == "de"
    assert language_hint(["--config", str(tmp_path / "missing.toml")]) == "auto"
    path.write_text("[app\n", encoding="utf-8")
    assert language_hint(["--config", str(path)]) == "auto"  # the full read says why


def test_german_speaks_from_the_catalogue_and_english_is_the_source() -> None:
    i18n.use("de")
    assert i18n._("Orders") == "Bestellungen"
    assert i18n.ngettext("{n} order", "{n} orders", 1) == "{n} Bestellung"
    assert i18n.ngettext("{n} order", "{n} orders", 2) == "{n} Bestellungen"
    assert i18n.pgettext("queued", "dispute") == "Konflikt"
    assert i18n._("no message the code has") == "no message the code has"
    i18n.use("en")
    assert i18n._("Orders") == "Orders"
    assert i18n.ngettext("{n} order", "{n} orders", 1) == "{n} order"


def test_the_compiled_catalogue_is_cached_and_a_damaged_one_compiled_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERTUI_CACHE_DIR", str(tmp_path))
    first = catalogue.load("de")
    cached = list((tmp_path / "locale").glob("de-*.mo"))
    assert len(cached) == 1
    assert first.gettext("Orders") == "Bestellungen"
    cached[0].write_bytes(b"not a catalogue")
    assert catalogue.load("de").gettext("Orders") == "Bestellungen"
    assert cached[0].read_bytes()[:4] in (b"\xde\x12\x04\x95", b"\x95\x04\x12\xde")
    stale = tmp_path / "locale" / "de-0000.mo"
    stale.write_bytes(cached[0].read_bytes())
    cached[0].unlink()
    catalogue.load("de")  # compiles anew and clears out earlier versions
    assert not stale.exists()


def test_an_unwritable_cache_still_speaks_german(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("ORDERTUI_CACHE_DIR", str(blocker))  # a file: no directory in it
    assert isinstance(catalogue.load("de"), gettext.GNUTranslations)
    assert catalogue.load("de").gettext("Orders") == "Bestellungen"


def test_the_catalogue_is_complete() -> None:
    """Every marked message translated, none fuzzy or empty, the same placeholders."""
    assert list(messages.problems("de")) == []


def test_the_catalogue_check_finds_what_it_is_for(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    po = tmp_path / "de.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: de\\n"\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "{n} orders in {view}"\nmsgstr "{n} Bestellungen in {ansicht}"\n\n'
        '#, fuzzy\nmsgid "Orders"\nmsgstr "Aufträge"\n\n'
        'msgid "Back"\nmsgstr ""\n\n'
        'msgid "Gone from the code"\nmsgstr "Weg"\n', encoding="utf-8")
    monkeypatch.setattr(messages, "source", lambda code: po)
    sample = tmp_path / "sample.py"
    sample.write_text('_("{n} orders in {view}")\n_("Orders")\n_("Back")\n_("Sync")\n',
                      encoding="utf-8")
    monkeypatch.setattr(messages, "extract", lambda paths=None, _f=messages.extract:
                        _f([sample]) if paths is None else _f(paths))
    monkeypatch.setattr(messages, "PACKAGE", tmp_path)
    found = list(messages.problems("de"))
    assert any("placeholders differ" in p and "{n} orders in {view}" in p for p in found)
    assert any(p.startswith("de: fuzzy: 'Orders'") for p in found)
    assert any(p.startswith("de: not translated: 'Back'") for p in found)
    assert any(p.startswith("de: not in the catalogue: 'Sync'") for p in found)
    assert any(p.startswith("de: no longer in the code: 'Gone from the code'") for p in found)


def test_pseudo_is_longer_accented_and_keeps_placeholders_and_markup() -> None:
    text = "Cancel {order} now [b]please[/b]"
    shown = pseudo(text)
    assert is_pseudo(shown) and "{order}" in shown and "[b]" in shown and "[/b]" in shown
    assert len(pseudo("Cancel the order")) >= len("Cancel the order") * 1.4
    assert "Ç" in shown and "Cancel" not in shown
    assert shown.format(order="#1") != shown
    i18n.use("x-pseudo")
    assert i18n.ngettext("{n} order", "{n} orders", 2).format(n=2).startswith("⟦2 ")


def test_english_keeps_the_apps_own_formats() -> None:
    i18n.use("en")
    day = datetime(2026, 12, 6, 14, 5, tzinfo=UTC)
    assert Money(Decimal("1234.5"), "EUR").display() == "€1,234.50"
    assert Money(Decimal("-3"), "USD").display() == "-$3.00"
    assert formats.number(1234567) == "1,234,567"
    assert formats.date(day.date()) == "2026-12-06"
    assert formats.list_separator() == "," and formats.decimal_symbol() == "."


def test_german_writes_money_numbers_and_dates_as_germany_does(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    import time
    time.tzset()
    try:
        i18n.use("de")
        day = datetime(2026, 12, 6, 14, 5, tzinfo=UTC)
        assert Money(Decimal("1234.5"), "EUR").display() == "1.234,50\xa0€"
        assert Money(Decimal("1234.5"), "USD").display() == "1.234,50\xa0$"
        assert Money(Decimal("-1.2"), "EUR").display() == "-1,20\xa0€"
        assert Money(Decimal("1234"), "JPY").display() == "1.234\xa0¥"
        assert formats.number(1234567) == "1.234.567"
        assert formats.when(day) == "06.12.2026 14:05"
        assert formats.date(day) == "06.12.2026"
        assert formats.plain(Decimal("1234.50"), 2) == "1234,50"
        assert formats.list_separator() == ";" and formats.decimal_symbol() == ","
        i18n.use(i18n.Language("de", "de_CH"))  # Switzerland writes 1’234.50
        assert formats.decimal_symbol() == "." and formats.list_separator() == ","
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


@pytest.mark.parametrize(("typed", "amount"), [
    ("1.234,50", "1234.50"), ("1.234,50 €", "1234.50"), ("12,5", "12.5"), ("12.50", "12.50"),
    ("-1,20 €", "-1.20"), ("1.234.567,89", "1234567.89"), ("0,99", "0.99")])
def test_amounts_are_read_as_german_writes_them(typed: str, amount: str) -> None:
    i18n.use("de")
    assert Money.parse(typed, "EUR").amount == Decimal(amount)


def test_what_german_shows_reads_back_and_a_thousands_point_alone_is_asked_about() -> None:
    i18n.use("de")
    for value in ("1234.5", "0.07", "-98765.43", "1000000"):
        money = Money(Decimal(value), "EUR")
        assert Money.parse(money.display(), "EUR") == money.quantized()
    with pytest.raises(ValidationError) as asked:
        Money.parse("1.500", "EUR")
    assert "1500" in asked.value.message
    assert Money.parse("1.500", "KWD").amount == Decimal("1.5")  # three decimals: no doubt


def test_a_start_in_german_reads_a_small_profile_not_cldrs_whole_data(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What money and dates need of CLDR is kept per locale at the first German start; later
    starts read that alone (Babel's global tables stay unloaded), and anything else of the
    locale is still there when asked for."""
    import subprocess
    import sys

    monkeypatch.setenv("ORDERTUI_CACHE_DIR", str(tmp_path))
    script = (
        "import babel.core as c; from decimal import Decimal; from ordertui import i18n;"
        "from ordertui.i18n import formats; from ordertui.domain.money import Money;"
        "i18n.use('de'); print(Money(Decimal('1234.5'), 'EUR').display(),"
        "formats.date(__import__('datetime').date(2026, 12, 6)), c._global_data is None)")
    first = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=True)
    assert list((tmp_path / "locale").glob("cldr-de_DE-*.pickle"))
    later = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=True)
    assert first.stdout.split()[:3] == later.stdout.split()[:3] == ["1.234,50", "€",
                                                                    "06.12.2026"]
    assert later.stdout.split()[-1] == "True"  # the global tables were never loaded
    i18n.use("de")
    formats._locale.cache_clear()
    assert formats._locale("de_DE").territories["DE"] == "Deutschland"  # from the whole data
