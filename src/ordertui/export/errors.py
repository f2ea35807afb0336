"""The ways an export can fail, each a typed error with one line for the merchant.

They are separate classes so that the TUI's export form can react to each differently: ask
before replacing an existing file, say "cancelled" quietly, or tell where the file was kept
when the e-mail could not be sent.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ordertui.domain.errors import OrdertuiError, ValidationError
from ordertui.i18n import _

if TYPE_CHECKING:
    from ordertui.export.request import ExportResult


class ExportFileExists(ValidationError):
    """The destination exists and replacing it was not confirmed (``force``)."""

    def __init__(self, path: Path) -> None:
        super().__init__("path", _("{path} already exists; add --force to replace it").format(
            path=path))
        self.path = path


class ExportCancelled(OrdertuiError):
    """The merchant stopped the export; no file was left behind."""

    exit_code = 130

    def __init__(self, path: Path) -> None:
        super().__init__(_("export cancelled; {path} was not written").format(path=path))
        self.path = path


class ExportWriteError(OrdertuiError):
    """The disk refused (full, read-only, no permission); nothing was left under the name."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(_("cannot write {path}: {reason}; nothing was written under that "
                           "name").format(path=path, reason=reason))
        self.path = path


class MailError(OrdertuiError):
    """The export is complete on disk but could not be e-mailed.

    ``result`` describes the file that was kept, so the caller can still name it.
    """

    def __init__(self, message: str, path: Path, *, kind: str,
                 result: ExportResult | None = None) -> None:
        super().__init__(_("{message}; the file is kept at {path}").format(message=message,
                                                                            path=path))
        self.path = path
        self.kind = kind  # "refused", "auth", "too-large", "timeout", "tls", "recipient", "smtp"
        self.result = result
