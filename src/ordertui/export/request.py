"""What an export is asked to do, and what it did. Shared by the CLI, the TUI's export form
and the export service."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ordertui.domain.query import OrderQuery
from ordertui.i18n import N_, _


class _Translated(Mapping[str, str]):
    """Labels kept in English and read in the language of the process."""

    def __init__(self, english: Mapping[str, str]) -> None:
        self.english = dict(english)

    def __getitem__(self, key: str) -> str:
        return _(self.english[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self.english)

    def __len__(self) -> int:
        return len(self.english)


FORMATS = ("csv-excel", "csv", "xlsx")
#: each format as people read it (``FORMAT_LABELS[fmt]`` is in the language of the process)
FORMAT_LABELS: Mapping[str, str] = _Translated({
    "csv-excel": N_("CSV for Excel (UTF-8 with BOM)"), "csv": N_("Plain CSV (UTF-8)"),
    "xlsx": N_("Excel (.xlsx)")})
LAYOUTS = ("order", "line-item")
#: the separators "CSV for Excel" can be given (``ExportRequest.delimiter``)
DELIMITERS = (",", ";")


@dataclass(frozen=True, slots=True)
class ExportRequest:
    query: OrderQuery  # which orders; chosen orders go in ``query.ids``
    fmt: str  # one of FORMATS
    path: Path | None  # where to write; None with an e-mail: a file in the data directory
    email: str | None = None  # also send it to this address
    per: str = "order"  # one row per "order" or per "line-item"
    columns: tuple[str, ...] | None = None  # None: the default columns
    force: bool = False  # overwrite an existing file
    notes: tuple[str, ...] = ()  # things validate() changed and the merchant should know
    #: the separator of ``csv-excel``; None: the language's (";" where decimals take a comma)
    delimiter: str | None = None


@dataclass(slots=True)
class ExportResult:
    path: Path  # the complete file (kept locally even when mailing failed)
    orders: int
    rows: int
    emailed_to: str | None = None
    warnings: list[str] = field(default_factory=list)
