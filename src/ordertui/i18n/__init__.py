"""The language people read: messages from gettext catalogues, numbers, money and dates as
their locale writes them.

Every string a person reads is written in English in the code and marked: ``_("text")``
translates it where it is used, ``N_("text")`` only marks a constant that is translated
later with ``_(CONSTANT)``, ``ngettext`` chooses a plural, ``pgettext`` tells apart one
English word with two meanings ("Cancel" the order, "Cancel" the dialog). Placeholders are
named ``{braces}`` filled by ``.format()`` after translating, never an f-string inside
``_()``, so that the catalogue holds the sentence and a translator can reorder it.

The language of the process is chosen once at start (:func:`use`): ``[app] language``, or,
for ``auto``, the environment's ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` read as text (a
server without the German C locale still gets German when ssh forwards ``LANG``). English is
the source: its messages and formats are the code's own. German comes from ``de.po`` beside
this module, compiled once on first use (``catalogue``). ``x-pseudo`` is a test language
that makes every message longer and accented so that unmarked text and tight layouts show.

What is not translated: keys, command and option names, JSON, the ``csv`` format for
scripts, config keys, logs. A command that writes JSON runs in English (:func:`use`).
"""

from __future__ import annotations

import gettext as _gettext
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

#: the languages the app speaks, as ``[app] language`` names them (besides "auto")
LANGUAGES: tuple[str, ...] = ("en", "de")
#: what ``[app] language`` accepts
CHOICES: tuple[str, ...] = ("auto", *LANGUAGES)
#: the test language: every message longer by 40 %, accented, in brackets
PSEUDO = "x-pseudo"
#: each language in its own words (Settings offers them so)
NAMES: Mapping[str, str] = {"auto": "auto", "en": "English", "de": "Deutsch"}
#: the locale a language's numbers and dates follow when the environment names none of it
DEFAULT_TERRITORY: Mapping[str, str] = {"en": "en_US", "de": "de_DE", PSEUDO: "de_DE"}

_ENV = ("LC_ALL", "LC_MESSAGES", "LANG")
_LOCALE_NAME = re.compile(r"([A-Za-z]{2,3})(?:[_-]([A-Za-z]{2}|\d{3}))?")


@dataclass(frozen=True, slots=True)
class Language:
    """What the process speaks: ``code`` (en, de, x-pseudo) and the ``locale`` its numbers,
    money and dates follow (de_DE, de_AT, en_US)."""

    code: str
    locale: str

    @property
    def english(self) -> bool:
        return self.code == "en"


def from_environment(environ: Mapping[str, str] | None = None) -> Language:
    """The language the environment asks for: the first of LC_ALL, LC_MESSAGES, LANG that
    is set (as the C library reads them), English for C/POSIX or a language the app does not
    speak. The locale keeps the territory given (de_AT writes dates as Austria does)."""
    env = os.environ if environ is None else environ
    for name in _ENV:
        value = env.get(name, "")
        if value:
            break
    else:
        return Language("en", DEFAULT_TERRITORY["en"])
    match = _LOCALE_NAME.match(value.split(".")[0].split("@")[0])
    if match is None or value.upper() in ("C", "POSIX") or value.upper().startswith("C."):
        return Language("en", DEFAULT_TERRITORY["en"])
    code = match.group(1).lower()
    if code not in LANGUAGES:
        return Language("en", DEFAULT_TERRITORY["en"])
    territory = match.group(2)
    locale = f"{code}_{territory.upper()}" if territory else DEFAULT_TERRITORY[code]
    return Language(code, locale)


def resolve(choice: str, environ: Mapping[str, str] | None = None) -> Language:
    """``[app] language`` made definite: ``auto`` asks the environment; a named language
    keeps the environment's territory when it is the same language."""
    if choice in ("", "auto"):
        return from_environment(environ)
    if choice == PSEUDO:
        return Language(PSEUDO, DEFAULT_TERRITORY[PSEUDO])
    if choice not in LANGUAGES:
        raise ValueError(choice)
    found = from_environment(environ)
    return found if found.code == choice else Language(choice, DEFAULT_TERRITORY[choice])


class _State:
    language = Language("en", DEFAULT_TERRITORY["en"])
    translations: _gettext.NullTranslations = _gettext.NullTranslations()


def use(choice: str | Language, environ: Mapping[str, str] | None = None) -> Language:
    """Speak ``choice`` (a ``[app] language`` value or a :class:`Language`) from now on, in
    the whole process. Returns the language taken. The language already spoken is kept as
    it is: a start that asks more than once (the command line, then the config, then the
    app) reads its catalogue once."""
    language = choice if isinstance(choice, Language) else resolve(choice, environ)
    if language == _State.language:
        return language
    if language.code == "en":
        translations: _gettext.NullTranslations = _gettext.NullTranslations()
    else:
        from ordertui.i18n.formats import prepare

        prepare(language.locale)
        if language.code == PSEUDO:
            from ordertui.i18n.pseudo import PseudoTranslations

            translations = PseudoTranslations()
        else:
            from ordertui.i18n.catalogue import load

            translations = load(language.code)
    _State.language, _State.translations = language, translations
    return language


def current() -> Language:
    return _State.language


def _(message: str) -> str:
    """``message`` in the language of the process."""
    return _State.translations.gettext(message)


def N_(message: str) -> str:
    """Marks ``message`` for the catalogue without translating it (a constant, translated
    where it is shown)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form for ``n`` things, in the language of the process."""
    return _State.translations.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` as meant in ``context`` (one English word, two German ones)."""
    return _State.translations.pgettext(context, message)


__all__ = [
    "CHOICES",
    "LANGUAGES",
    "NAMES",
    "N_",
    "PSEUDO",
    "Language",
    "_",
    "current",
    "from_environment",
    "ngettext",
    "pgettext",
    "resolve",
    "use",
]
