"""Baseline: the least a Textual app can do to show a table: a DataTable with 10 rows.

    python bench/baselines/bare_datatable.py

Its start-up is Python plus Textual's import and first frame; ordertui's first paint at
1,000,000 orders is compared with it, so the store's share of start-up shows.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable

COLUMNS = ["Order", "Date", "Status", "Customer", "Cty", "Items", "Total", "Cost", "Profit",
           "Supplier", "Tracking"]
ROWS = [(f"#{1000 + i}", "2026-11-19", "Processing", "Mary Williams", "US",
         "1× Smart Watch Fitness Tracker", "$59.89", "$19.06", "$40.83", "demo",
         "CJ4502058028CN") for i in range(10)]


class Bare(App[None]):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        table.add_rows(ROWS)


if __name__ == "__main__":
    Bare().run()
