"""The policy the merchant published: remembered in the data directory, so that a later
change of a supplier's policy or of ``[returns]`` regenerates the file they saved it to (or
reminds them, when they only printed it)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from ordertui.config import Config
from ordertui.domain.errors import OrdertuiError
from ordertui.fsutil import atomic_write
from ordertui.i18n import _, ngettext
from ordertui.services.policy.render import PolicyDocument, generate_policy
from ordertui.services.policy.terms import PolicyTerms

#: In the data directory: the last policy the merchant took (printed, saved or written), so
#: that a later change of a supplier's policy or of ``[returns]`` is noticed.
PUBLISHED_FILE = "published-policy.json"


def terms_fingerprint(terms: PolicyTerms) -> str:
    """What the policy's promises depend on (not the date, not the notes to the merchant, nor
    the language they are in: what set the window counts as it is said in English)."""
    plain = replace(terms, warnings=(), limited_by=terms.limited_by_en or terms.limited_by)
    return hashlib.sha256(repr(plain).encode()).hexdigest()[:20]


def record_published(data_dir: Path, doc: PolicyDocument, path: Path | None) -> bool:
    """Remember the policy the merchant just took, and where they saved it (None: printed).
    Best effort: the policy itself was delivered, so a data directory that cannot be written
    only means no later reminder (False)."""
    record = {"fingerprint": terms_fingerprint(doc.terms), "lang": doc.lang.value,
              "format": doc.format.value, "path": str(path.expanduser().resolve()) if path
              else None, "generated_at": doc.generated_at.isoformat(timespec="seconds"),
              "return_days": doc.terms.return_days}
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        atomic_write(data_dir / PUBLISHED_FILE, json.dumps(record, indent=1), mode=0o600)
    except (OSError, OrdertuiError):
        return False
    return True


def save_policy(config_or_data_dir: Config | Path, doc: PolicyDocument, path: Path) -> Path:
    """Write the policy to ``path`` in one step, readable by all (0644: it is a page for the
    shop), and remember it as the one the merchant published, so that a later change of a
    supplier's policy regenerates this file. Returns the path written (``~`` expanded).
    Raises ``OrdertuiError`` in one line when the file cannot be written; remembering it is
    best effort, as in ``record_published``."""
    target = path.expanduser()
    atomic_write(target, doc.text, mode=0o644)
    data_dir = (config_or_data_dir.data_dir if isinstance(config_or_data_dir, Config)
                else config_or_data_dir)
    record_published(data_dir, doc, target)
    return target


def refresh_published(config: Config, *, today: datetime | None = None) -> str | None:
    """When what the shop may promise changed since the merchant last took their policy
    (a supplier's policy, a supplier added or removed, ``[returns]``), regenerate it: the
    file they saved it to is rewritten in the same language and format. Returns one line
    for the merchant (update the shop's page), or None when nothing changed."""
    record_path = config.data_dir / PUBLISHED_FILE
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        lang, fmt, old = str(record["lang"]), str(record["format"]), str(record["fingerprint"])
        old_days = int(record.get("return_days", -1))
        saved = record.get("path")
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        return _("cannot read {path}; run `ordertui policy` to take your policy again"
                 ).format(path=record_path)
    try:
        doc = generate_policy(config, lang=lang, fmt=fmt, today=today)
    except OrdertuiError as exc:
        return _("your return policy cannot be checked: {error}").format(error=exc)
    if terms_fingerprint(doc.terms) == old:
        return None
    days = doc.terms.return_days
    # Translators: what the policy promises now, inside the sentences that follow
    window = (ngettext("returns within {n} day", "returns within {n} days", days).format(n=days)
              if days else _("no returns of unwanted items"))
    if old_days >= 0 and old_days != days:
        # Translators: the return window now, and the number of days it was before
        window = _("{window}, was {before}").format(window=window, before=old_days)
    if not saved:
        return _("your suppliers' policies or [returns] changed since you took your return "
                 "policy ({window} now): run `ordertui policy` (or press P in the app) and "
                 "update your shop's policy page").format(window=window)
    target = Path(saved)
    try:
        save_policy(config, doc, target)
    except OrdertuiError as exc:
        return _("your suppliers' policies changed, but {error}").format(error=exc)
    return _("your suppliers' policies or [returns] changed: your return policy in {path} was "
             "regenerated ({window}); update your shop's policy page").format(
        path=target, window=window)
