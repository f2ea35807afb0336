"""Anchor: textual-fastdatatable (an Arrow-backed table for large data) over every order.

    python bench/baselines/fastdatatable_all.py STORE.sqlite3 [ROWS]

The rows go into one Arrow table, column by column, which is how a developer would feed it
from a query result; the widget then renders from the Arrow buffers.
"""

from __future__ import annotations

import sys

import pyarrow as pa
from _rows import COLUMNS, read_rows
from textual.app import App, ComposeResult
from textual_fastdatatable import ArrowBackend, DataTable


class AllRows(App[None]):
    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, store: str, limit: int) -> None:
        super().__init__()
        rows = read_rows(store, limit)
        columns = list(zip(*rows, strict=True)) if rows else [()] * len(COLUMNS)
        self.data = pa.table({name: pa.array(col, pa.string())
                              for name, col in zip(COLUMNS, columns, strict=True)})

    def compose(self) -> ComposeResult:
        yield DataTable(backend=ArrowBackend(self.data), cursor_type="row")


if __name__ == "__main__":
    AllRows(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 100_000).run()
