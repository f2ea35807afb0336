"""The message catalogues: ``<language>.po`` beside this module is the source, translated by
people; it is compiled (Babel) into a gettext ``.mo`` on first use and the compiled file kept
in the user cache directory under the ``.po``'s digest, so later starts read the compiled
catalogue with the standard library alone. An unwritable cache costs a compile per start,
never a failure."""

from __future__ import annotations

import contextlib
import gettext
import hashlib
import io
import os
from pathlib import Path

import platformdirs

HERE = Path(__file__).resolve().parent


def source(code: str) -> Path:
    """The ``.po`` file of ``code``."""
    return HERE / f"{code}.po"


def cache_dir() -> Path:
    return Path(os.environ.get("ORDERTUI_CACHE_DIR") or
                platformdirs.user_cache_path("ordertui")) / "locale"


def compile_po(po: bytes) -> bytes:
    """``po`` compiled as gettext's ``.mo``: fuzzy and empty translations left out (English
    shows there instead of a guess)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    catalog = read_po(io.BytesIO(po))
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def load(code: str) -> gettext.GNUTranslations:
    """The translations of ``code``, compiled and cached on first use. The compiled file is
    named after the ``.po``'s place, size and time, so a start reads neither the ``.po`` nor
    Babel: only the small compiled catalogue."""
    po_path = source(code)
    st = po_path.stat()
    stamp = hashlib.sha256(f"{po_path}:{st.st_size}:{st.st_mtime_ns}".encode()).hexdigest()
    cached = cache_dir() / f"{code}-{stamp[:20]}.mo"
    try:
        with cached.open("rb") as f:
            return gettext.GNUTranslations(f)
    except (OSError, ValueError, IndexError):  # not compiled yet, or damaged: compile
        pass
    mo = compile_po(po_path.read_bytes())
    with contextlib.suppress(OSError):
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f".{cached.name}.{os.getpid()}")
        partial.write_bytes(mo)
        os.replace(partial, cached)
        for old in cached.parent.glob(f"{code}-*.mo"):  # earlier versions of the catalogue
            if old != cached:
                old.unlink(missing_ok=True)
    return gettext.GNUTranslations(io.BytesIO(mo))
