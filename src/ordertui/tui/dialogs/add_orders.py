"""Adding orders by the supplier's order ids, for suppliers whose API lists no orders
(AliExpress): once added, they sync like any other order."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Label, Select, Static

from ordertui.domain.errors import OrdertuiError, ValidationError
from ordertui.i18n import N_, _, formats, ngettext
from ordertui.services.syncing import AddReport, SyncProgress, split_ids
from ordertui.tui.dialog import Dialog, KeepOpen
from ordertui.tui.format import safe

#: failed ids listed one per line under the field; the rest are counted
SHOW_FAILED = 4


class AddOrdersDialog(Dialog[int]):
    """Dismissed with how many orders were added (0 when none were)."""

    FOCUS = "#ids"
    SUBMIT = (N_("Add"), None, "primary")
    SUBMIT_ON_ENTER = True

    def __init__(self, suppliers: list[tuple[str, str]]) -> None:
        """``suppliers``: (name, title) of each configured supplier that takes ids."""
        super().__init__()
        self.suppliers = suppliers
        self.added = 0

    def heading(self) -> str:
        return _("Add orders by the supplier's order id")

    def compose_body(self) -> ComposeResult:
        titles = sorted({title for _name, title in self.suppliers})
        names = titles[0] if titles else ""
        for title in titles[1:]:
            names = _("{names} and {name}").format(names=names, name=title)
        yield Static(Text(_("{suppliers} cannot list your orders by API: paste the order ids "
                            "from the supplier's order list, several at once separated by "
                            "spaces or commas. Once added, they sync like any other order."
                            ).format(suppliers=names)), classes="dialog-body", markup=False)
        if len(self.suppliers) > 1:
            yield Label(_("Supplier"), classes="field-label")
            yield Select([(safe(name), name) for name, _title in self.suppliers],
                         value=self.suppliers[0][0], allow_blank=False, id="supplier")
        yield Label(_("Order ids"), classes="field-label")
        yield Input(placeholder="8190000000000001 8190000000000002", id="ids")

    def compose_extra(self) -> ComposeResult:
        yield Static("", id="progress", markup=False)

    @property
    def supplier(self) -> str:
        if len(self.suppliers) == 1:
            return self.suppliers[0][0]
        return str(self.query_one("#supplier", Select).value)

    def action_back(self) -> None:
        # a lookup under way stops with the dialog; the orders it found are kept
        self.dismiss(self.added)

    async def submit(self) -> int:
        box = self.query_one("#ids", Input)
        progress = self.query_one("#progress", Static)
        if not split_ids(box.value):
            raise ValidationError("ids", _("Paste at least one of the supplier's order ids."))
        progress.update(Text(_("Asking the supplier…")))

        def step(p: SyncProgress) -> None:
            progress.update(Text(_("Looked up {done} of {total}…").format(
                done=formats.number(p.done), total=formats.number(p.total or 0))))
        try:
            report: AddReport = await self.services.add_orders(self.supplier, box.value, step)
        except OrdertuiError:  # the supplier failed; what was found is kept
            progress.update("")
            self.app.post_store_changed()
            raise
        self.added += len(report.orders)
        if report.orders:
            self.app.post_store_changed()
        if not report.failed:
            n = len(report.orders)
            self.notify(ngettext("Added {n} order from {supplier}.",
                                 "Added {n} orders from {supplier}.", n).format(
                                     n=formats.number(n), supplier=self.supplier),
                        markup=False)
            return self.added
        # keep only what still needs the merchant's attention in the field
        box.value = " ".join(report.failed)
        lines = [_("Not added: {id} — {why}").format(id=safe(soid), why=safe(why))
                 for soid, why in report.failed.items()]
        if len(lines) > SHOW_FAILED:
            more = len(lines) - SHOW_FAILED + 1
            lines[SHOW_FAILED - 1:] = [ngettext("…and {n} more", "…and {n} more", more).format(
                n=formats.number(more))]
        self.show_error(None, "\n".join(lines))
        progress.update(Text(_("Added {added}; {failed} not added (left in the field to "
                               "correct).").format(added=formats.number(len(report.orders)),
                                                   failed=formats.number(len(report.failed)))))
        raise KeepOpen
