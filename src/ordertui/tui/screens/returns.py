"""Three screens for the help page's advice on returns: every return with its state, the
returns stock (resellable items that came back, to ship the next order from), and the shop's
refund and return policy generated from the suppliers' policies."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from ordertui.domain.errors import OrdertuiError
from ordertui.domain.returns import ReturnState
from ordertui.services.policy import Format, Lang, PolicyDocument, generate_policy, save_policy
from ordertui.tui.format import date, safe
from ordertui.tui.messages import StoreChanged
from ordertui.tui.screens.modals import TextPrompt
from ordertui.tui.widgets.top_bar import TopBar

RETURN_FILTERS: list[tuple[str, tuple[ReturnState, ...]]] = [
    ("open", (ReturnState.REQUESTED, ReturnState.IN_TRANSIT, ReturnState.RECEIVED)),
    ("all", ()),
]


class _ListScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("j", "cursor_down", "Down", show=False, id="cursor_down"),
        Binding("k", "cursor_up", "Up", show=False, id="cursor_up"),
    ]

    @property
    def services(self) -> Any:
        return self.app.services  # type: ignore[attr-defined]

    def action_cursor_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()



class ReturnsScreen(_ListScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        *_ListScreen.BINDINGS,
        Binding("f", "next_filter", "Filter", id="returns_filter"),
        Binding("enter", "open", "Open order", show=False, id="open"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter_index = 0
        self.order_ids: list[int] = []

    def compose(self) -> ComposeResult:
        yield TopBar("Returns", demo=self.services.is_demo)
        yield Static("", id="returns-filter", classes="list-hint", markup=False)
        table: DataTable[Any] = DataTable(cursor_type="row", zebra_stripes=True)
        table.add_columns("Order", "State", "Items", "Reason", "To", "Tracking", "Updated")
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.load()

    def on_store_changed(self, message: StoreChanged) -> None:
        self.load()

    @work(group="returns", exclusive=True)
    async def load(self) -> None:
        name, states = RETURN_FILTERS[self.filter_index]
        rows = await self.app.query_runner.run(  # type: ignore[attr-defined]
            self.services.returns.list_returns, states)
        table = self.query_one(DataTable)
        table.clear()
        self.order_ids = []
        for r in rows:
            items = ", ".join(f"{i.quantity}× {i.title or i.key}" for i in r.items)
            table.add_row(Text(safe(r.order_name)), Text(r.state.label), Text(safe(items, 40)),
                          Text(safe(r.reason, 40)), Text(r.destination.value),
                          Text(safe(r.tracking_number)), Text(date(r.updated_at)))
            self.order_ids.append(r.order_id)
        self.query_one("#returns-filter", Static).update(Text(
            f"{name} returns: {len(rows):,} · f: {'all' if name == 'open' else 'open'} · "
            "enter: the order (R opens a return there, u moves it along)"))

    def action_next_filter(self) -> None:
        self.filter_index = (self.filter_index + 1) % len(RETURN_FILTERS)
        self.load()

    @on(DataTable.RowSelected)
    def action_open(self) -> None:
        from ordertui.tui.screens.details import DetailsScreen

        table = self.query_one(DataTable)
        if 0 <= table.cursor_row < len(self.order_ids):
            self.app.push_screen(DetailsScreen(self.order_ids[table.cursor_row]))


class StockScreen(_ListScreen):
    """What came back in good shape; an order of the same product can ship from here (open
    that order and press x)."""

    def compose(self) -> ComposeResult:
        yield TopBar("Returns stock", demo=self.services.is_demo)
        yield Static(Text("Items that came back resellable. To ship an order from here, open "
                          "the order and press x."), classes="list-hint", markup=False)
        table: DataTable[Any] = DataTable(cursor_type="row", zebra_stripes=True)
        table.add_columns("SKU", "Product", "Variant", "Qty", "Condition", "From order",
                          "Restocked")
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.load()

    def on_store_changed(self, message: StoreChanged) -> None:
        self.load()

    @work(group="stock", exclusive=True)
    async def load(self) -> None:
        rows = await self.app.query_runner.run(  # type: ignore[attr-defined]
            self.services.returns.stock)
        table = self.query_one(DataTable)
        table.clear()
        for s in rows:
            table.add_row(Text(safe(s.sku)), Text(safe(s.title, 40)), Text(safe(s.variant)),
                          Text(str(s.quantity), justify="right"), Text(safe(s.condition, 30)),
                          Text(safe(s.from_order_name)), Text(date(s.restocked_at)))
        if not rows:
            table.add_row(Text("(empty: restock a received return to fill it)",
                               style="italic"), "", "", "", "", "", "")


class PolicyScreen(Screen[None]):
    """The shop's refund and return policy, from [returns] and every supplier's policy."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("l", "language", "Language", id="policy_language"),
        Binding("t", "format", "Markdown/text", id="policy_format"),
        Binding("w", "write", "Save to file", id="policy_write"),
        Binding("j,down", "scroll_down", "Scroll", show=False),
        Binding("k,up", "scroll_up", "Scroll", show=False),
    ]

    LANGS = tuple(Lang)  # l goes through them in this order

    def __init__(self) -> None:
        super().__init__()
        self.lang = Lang.EN
        self.fmt = Format.MARKDOWN
        self.doc: PolicyDocument | None = None

    @property
    def services(self) -> Any:
        return self.app.services  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield TopBar("Return policy", demo=self.services.is_demo)
        yield Static("", id="policy-head", classes="list-hint", markup=False)
        with VerticalScroll(id="policy"):
            yield Static("", id="policy-text", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(group="policy", exclusive=True)
    async def load(self) -> None:
        try:
            doc = await self.app.query_runner.run(  # type: ignore[attr-defined]
                generate_policy, self.services.config, lang=self.lang, fmt=self.fmt)
        except OrdertuiError as exc:
            self.query_one("#policy-text", Static).update(Text(str(exc)))
            return
        self.doc = doc
        head = Text(f"Language {self.lang} · {self.fmt} · l: language · t: format · "
                    "w: save to a file")
        for warning in doc.terms.warnings:
            head.append(f"\n{safe(warning)}", style="bold")
        self.query_one("#policy-head", Static).update(head)
        self.query_one("#policy-text", Static).update(Text(doc.text))

    def action_language(self) -> None:
        self.lang = self.LANGS[(self.LANGS.index(self.lang) + 1) % len(self.LANGS)]
        self.load()

    def action_format(self) -> None:
        self.fmt = Format.TEXT if self.fmt is Format.MARKDOWN else Format.MARKDOWN
        self.load()

    def action_scroll_down(self) -> None:
        self.query_one("#policy", VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#policy", VerticalScroll).scroll_up()

    def action_write(self) -> None:
        self._write()

    @work(exclusive=True, group="policy-write")
    async def _write(self) -> None:
        suffix = ".md" if self.fmt is Format.MARKDOWN else ".txt"
        default = str(Path.home() / f"return-policy-{self.lang}{suffix}")
        path = await self.app.push_screen_wait(TextPrompt(
            "Save the policy", "Where should the file go (on this machine)?", label="Path:",
            value=default, submit="Save"))
        if not path:
            return
        if self.doc is None:  # it could not be generated: the error is on the screen
            self.notify("Nothing saved: the policy could not be generated", severity="error",
                        markup=False)
            return
        try:  # a change of a supplier's policy regenerates the file
            target = await self.app.query_runner.run(  # type: ignore[attr-defined]
                save_policy, self.services.config, self.doc, Path(path))
        except OrdertuiError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.notify(f"Saved to {target}", markup=False)
