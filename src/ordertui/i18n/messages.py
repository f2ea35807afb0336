"""The catalogue's upkeep, for translators and the tests (Babel does the reading and
writing)::

    python -m ordertui.i18n.messages update   # new messages into every .po, untranslated
    python -m ordertui.i18n.messages check    # what is missing, empty, fuzzy or mismatched
    python -m ordertui.i18n.messages fragment OUT.po FILE...  # one part's messages alone
    python -m ordertui.i18n.messages merge PART.po...  # parts' translations into de.po

Messages are what the code marks with ``_``, ``N_``, ``ngettext`` and ``pgettext`` in
``src/ordertui`` (the simulators, which speak only their suppliers' wire formats, aside).
"""

from __future__ import annotations

import io
import string
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ordertui.i18n import LANGUAGES
from ordertui.i18n.catalogue import source

PACKAGE = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
SKIP = ("simulators",)


def extract(paths: list[Path] | None = None) -> Any:
    """Every marked message of the package (or of ``paths``), as a Babel catalogue."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_file

    template = Catalog(project="ordertui", charset="utf-8")
    for path in sorted(paths or PACKAGE.rglob("*.py")):
        path = path.resolve()
        rel = path.relative_to(PACKAGE)
        if paths is None and rel.parts[0] in SKIP:
            continue
        for lineno, message, comments, context in extract_from_file(
                "python", str(path), keywords=KEYWORDS, comment_tags=("Translators:",),
                strip_comment_tags=True):
            template.add(message, locations=[(str(rel), lineno)],
                         auto_comments=comments, context=context)
    return template


def read(code: str) -> Any:
    from babel.messages.pofile import read_po

    with source(code).open("rb") as f:
        return read_po(f, locale=code)


def write(code: str, catalog: Any) -> None:
    from babel.messages.pofile import write_po

    out = io.BytesIO()
    write_po(out, catalog, width=100, omit_header=False, sort_output=False,
             ignore_obsolete=True, include_previous=False)
    source(code).write_bytes(out.getvalue())


def update() -> None:
    template = extract()
    for code in LANGUAGES:
        if code == "en":
            continue
        catalog = read(code)
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        write(code, catalog)


def _po(path: Path) -> Any:
    from babel.messages.pofile import read_po

    with path.open("rb") as f:
        return read_po(f, locale="de")


def _write_po(path: Path, catalog: Any) -> None:
    from babel.messages.pofile import write_po

    out = io.BytesIO()
    write_po(out, catalog, width=100, ignore_obsolete=True, include_previous=False)
    path.write_bytes(out.getvalue())


def fragment(out: Path, files: list[Path]) -> None:
    """A catalogue of the messages of ``files`` alone, keeping the translations ``out``
    already holds (for translating one part of the code at a time)."""
    from babel.messages.catalog import Catalog

    template = extract(files)
    catalog = _po(out) if out.exists() else Catalog(locale="de", project="ordertui")
    catalog.update(template, no_fuzzy_matching=True)
    _write_po(out, catalog)


def merge(code: str, parts: list[Path]) -> None:
    """The code's messages into ``code``'s catalogue, untranslated ones filled in from the
    catalogues ``parts``."""
    update()
    catalog = read(code)
    for part in parts:
        for message in _po(part):
            if not message.id or message.fuzzy or not all(_strings(message)):
                continue
            mine = catalog.get(message.id, message.context)
            if mine is not None and not all(_strings(mine)):
                mine.string = message.string
    write(code, catalog)


def fields(message: str) -> list[str]:
    """The ``{placeholders}`` of a message, in order of first appearance, sorted."""
    try:
        return sorted({name for _, name, _, _ in string.Formatter().parse(message)
                       if name is not None})
    except ValueError:
        return ["<unbalanced braces>"]


def _ids(message: Any) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple | list) else [message.id]


def _strings(message: Any) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple | list) \
        else [message.string]


def problems(code: str) -> Iterator[str]:
    """Each way the ``code`` catalogue falls short of the code's messages, a line each."""
    template = extract()
    catalog = read(code)
    for message in template:
        if not message.id:
            continue
        where = ", ".join(f"{f}:{n}" for f, n in message.locations[:2])
        found = catalog.get(message.id, message.context)
        first = _ids(message)[0]
        if found is None:
            yield f"{code}: not in the catalogue: {first!r} ({where})"
            continue
        if found.fuzzy:
            yield f"{code}: fuzzy: {first!r}"
        strings = _strings(found)
        if not all(strings):
            yield f"{code}: not translated: {first!r}"
            continue
        wanted = fields(_ids(message)[-1])
        for text in strings:
            if fields(text) != wanted:
                yield (f"{code}: placeholders differ: {first!r} has {wanted}, the "
                       f"translation {fields(text)}")
    known = {(m.id if not isinstance(m.id, list) else tuple(m.id), m.context)
             for m in template if m.id}
    for message in catalog:
        key = (message.id if not isinstance(message.id, list) else tuple(message.id),
               message.context)
        if message.id and key not in known:
            yield f"{code}: no longer in the code: {_ids(message)[0]!r}"


def main(argv: list[str]) -> int:
    if argv[:1] == ["update"]:
        update()
        return 0
    if argv[:1] == ["fragment"] and len(argv) > 2:
        fragment(Path(argv[1]), [Path(a) for a in argv[2:]])
        return 0
    if argv[:1] == ["merge"] and len(argv) > 1:
        merge("de", [Path(a) for a in argv[1:]])
        return 0
    if argv[:1] == ["check"]:
        found = [p for code in LANGUAGES if code != "en" for p in problems(code)]
        print("\n".join(found) or "the catalogues are complete")
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
