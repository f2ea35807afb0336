"""Anchor: Textual's DataTable with every order added, the obvious first implementation.

    python bench/baselines/datatable_all.py STORE.sqlite3 [ROWS]

DataTable keeps and measures every row it is given, so its start-up time and memory grow
with the shop; this is what ordertui's windowed table is compared with.
"""

from __future__ import annotations

import sys

from _rows import COLUMNS, read_rows
from textual.app import App, ComposeResult
from textual.widgets import DataTable


class AllRows(App[None]):
    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, store: str, limit: int) -> None:
        super().__init__()
        self.store, self.limit = store, limit

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        table.add_rows(read_rows(self.store, self.limit))


if __name__ == "__main__":
    AllRows(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 100_000).run()
