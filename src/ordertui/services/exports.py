"""What the screens and commands need to ask for an export, from the one door to the
services: the formats and layouts, the columns, the request and its result, and the errors
an export can end in. Running one is ``Services.export``."""

from ordertui.export.columns import COLUMNS, DEFAULT_COLUMNS, default_columns, parse_keys
from ordertui.export.errors import ExportCancelled, ExportFileExists, MailError
from ordertui.export.request import (
    DELIMITERS,
    FORMAT_LABELS,
    FORMATS,
    LAYOUTS,
    ExportRequest,
    ExportResult,
)
from ordertui.export.safety import neutralise
from ordertui.export.service import infer_format

__all__ = ["COLUMNS", "DEFAULT_COLUMNS", "DELIMITERS", "FORMATS", "FORMAT_LABELS", "LAYOUTS",
           "ExportCancelled",
           "ExportFileExists", "ExportRequest", "ExportResult", "MailError", "default_columns",
           "infer_format", "neutralise", "parse_keys"]
