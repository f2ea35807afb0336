"""Adding orders by the supplier's order ids, for suppliers whose API lists no orders
(AliExpress): once added, they sync like any other order."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from ordertui.domain.errors import OrdertuiError
from ordertui.services.syncing import AddReport, SyncProgress, split_ids
from ordertui.tui.format import safe
from ordertui.tui.widgets.line_input import LineInput

#: failed ids listed one per line under the field; the rest are counted
SHOW_FAILED = 4


class AddOrdersModal(ModalScreen[int]):
    """Dismissed with how many orders were added (0 when none were)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="modal.back"),
        Binding("ctrl+s", "submit", "Add", id="form.submit", priority=True),
    ]

    def __init__(self, suppliers: list[tuple[str, str]]) -> None:
        """``suppliers``: (name, title) of each configured supplier that takes ids."""
        super().__init__()
        self.suppliers = suppliers
        self.added = 0

    @property
    def services(self) -> Any:
        return self.app.services  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        titles = sorted({title for _, title in self.suppliers})
        with Vertical(classes="dialog"):
            yield Label(Text("Add orders by the supplier's order id", style="bold"),
                        classes="dialog-title")
            yield Static(Text(f"{' and '.join(titles)} cannot list your orders by API: paste "
                              "the order ids from the supplier's order list, several at once "
                              "separated by spaces or commas. Once added, they sync like any "
                              "other order."), classes="dialog-body", markup=False)
            if len(self.suppliers) > 1:
                yield Label("Supplier", classes="field-label")
                yield Select([(safe(name), name) for name, _ in self.suppliers],
                             value=self.suppliers[0][0], allow_blank=False, id="supplier")
            yield Label("Order ids", classes="field-label")
            yield LineInput(placeholder="8190000000000001 8190000000000002", id="ids")
            yield Static("", classes="field-error", id="error", markup=False)
            yield Static("", id="progress", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Add (enter)", variant="primary", id="submit")
                yield Button("Back (esc)", id="back")

    def on_mount(self) -> None:
        self.query_one("#ids", Input).focus()

    @property
    def supplier(self) -> str:
        if len(self.suppliers) == 1:
            return self.suppliers[0][0]
        return str(self.query_one("#supplier", Select).value)

    def action_submit(self) -> None:
        self._submit()

    @on(Input.Submitted, "#ids")
    def ids_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "submit":
            self._submit()
        else:
            self.action_back()

    def action_back(self) -> None:
        # a lookup under way stops with the screen; the orders it found are kept
        self.dismiss(self.added)

    @work(exclusive=True, group="add")
    async def _submit(self) -> None:
        box = self.query_one("#ids", Input)
        error = self.query_one("#error", Static)
        progress = self.query_one("#progress", Static)
        if not split_ids(box.value):
            error.update(Text("Paste at least one of the supplier's order ids."))
            return
        error.update("")
        progress.update(Text("Asking the supplier…"))

        def step(p: SyncProgress) -> None:
            progress.update(Text(f"Looked up {p.done:,} of {p.total or 0:,}…"))
        try:
            report: AddReport = await self.services.add_orders(self.supplier, box.value, step)
        except OrdertuiError as exc:  # the supplier failed; what was found is kept
            progress.update("")
            error.update(Text(str(exc)))
            self.app.post_store_changed()  # type: ignore[attr-defined]
            return
        self.added += len(report.orders)
        if report.orders:
            self.app.post_store_changed()  # type: ignore[attr-defined]
        if not report.failed:
            n = len(report.orders)
            self.notify(f"Added {n} order{'s' if n != 1 else ''} from {self.supplier}.",
                        markup=False)
            self.dismiss(self.added)
            return
        # keep only what still needs the merchant's attention in the field
        box.value = " ".join(report.failed)
        lines = [f"Not added: {safe(soid)} — {safe(why)}" for soid, why in report.failed.items()]
        if len(lines) > SHOW_FAILED:
            lines[SHOW_FAILED - 1:] = [f"…and {len(lines) - SHOW_FAILED + 1} more"]
        error.update(Text("\n".join(lines)))
        progress.update(Text(f"Added {len(report.orders):,}; {len(report.failed):,} not "
                             "added (left in the field to correct)."))
