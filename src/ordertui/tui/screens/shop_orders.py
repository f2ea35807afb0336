"""The shop's orders: first those still to order from a supplier (paid, not sent, no
supplier order linked), oldest first with their age; then the unlinked ones, or all. Under
the table, the current shop order's lines and its supplier orders."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Static

from ordertui.domain.shop import ShopOrder, ShopQuery
from ordertui.i18n import N_, _, formats, ngettext
from ordertui.tui import keys
from ordertui.tui.base import ListScreen
from ordertui.tui.format import date, safe
from ordertui.tui.screens.details import DetailsScreen
from ordertui.tui.widgets.key_bar import KeyBar
from ordertui.tui.widgets.order_columns import days
from ordertui.tui.widgets.top_bar import TopBar

LIMIT = 500
#: the filters the filter key goes through: what the list is then called, what the key shows
#: next, and the query
FILTERS: list[tuple[str, str, ShopQuery]] = [
    (N_("Shop orders to order"), N_("to order"), ShopQuery(waiting=True)),
    (N_("Shop orders unlinked"), N_("unlinked"), ShopQuery(unlinked=True)),
    (N_("Shop orders all"), N_("all"), ShopQuery()),
]


class ShopOrdersScreen(ListScreen):
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("shop_orders")
    FILTER_COUNT = len(FILTERS)

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[ShopOrder] = []
        self.linked: dict[int, list[int]] = {}

    def compose(self) -> ComposeResult:
        yield TopBar(_("Shop orders"), demo=self.services.is_demo)
        yield Static("", id="shop-filter", classes="list-hint", markup=False)
        table: DataTable[Any] = DataTable(cursor_type="row", zebra_stripes=True,
                                          id="shop-orders")
        table.add_columns(_("Order"), _("Age"), _("Shop"), _("Customer"), _("Total"), _("Paid"),
                          _("Sent"))
        yield table
        yield Static("", id="shop-order-lines", markup=False)
        yield KeyBar()

    @work(group="shop-orders", exclusive=True)
    async def load(self) -> None:
        title, _name, q = FILTERS[self.filter_index]
        shops = self.services.shops
        rows = await self.app.reads.run(shops.shop_orders, q, limit=LIMIT)
        total = await self.app.reads.run(shops.count_shop_orders, q)
        self.linked = await self.app.reads.run(shops.linked_orders,
                                               [o.id for o in rows if o.id is not None])
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        self.rows = rows
        now = self.services.clock()
        for o in rows:
            age = max((now - o.created_at).days, 0)
            table.add_row(Text(safe(o.name)), Text(days(age), style="bold" if age > 2 else "",
                                                   justify="right"),
                          Text(safe(o.shop)), Text(safe(o.customer.name, 30)),
                          Text(o.total.display(), justify="right"),
                          Text(o.financial_status.label),
                          Text(o.fulfillment_status.label))
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))
        self._show(table.cursor_row if rows else -1)
        following = FILTERS[(self.filter_index + 1) % len(FILTERS)][1]
        count = formats.number(total)
        if total > len(rows):
            count = _("{count} (the first {limit})").format(count=count,
                                                            limit=formats.number(LIMIT))
        self.query_one("#shop-filter", Static).update(Text(
            _("{shop_orders}: {count} · {filter_key}: show {next} · {open_key}: its supplier "
              "order").format(shop_orders=_(title), count=count,
                              filter_key=self.key_text("shop_filter"), next=_(following),
                              open_key=self.key_text("open"))))

    @on(DataTable.RowHighlighted, "#shop-orders")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show(event.cursor_row)

    def _show(self, row: int) -> None:
        text = Text()
        if 0 <= row < len(self.rows):
            o = self.rows[row]
            for x in o.lines:
                text.append(f"{x.quantity}× {safe(x.title)}"
                            + (f" ({safe(x.variant)})" if x.variant else "")
                            + (f" · {safe(x.sku)}" if x.sku else "")
                            + f" · {x.total.display()}\n")
            text.append(_("Shipping charged {amount} · ordered {date}").format(
                amount=o.shipping.display(), date=date(o.created_at)) + " · ")
            linked = self.linked.get(o.id or 0, [])
            text.append(ngettext("{n} supplier order linked", "{n} supplier orders linked",
                                 len(linked)).format(n=formats.number(len(linked)))
                        if linked else _("no supplier order yet"), style="bold")
        self.query_one("#shop-order-lines", Static).update(text)


    @on(DataTable.RowSelected)
    def action_open(self) -> None:
        """The supplier order placed for it, when there is one."""
        row = self.query_one(DataTable).cursor_row
        if not 0 <= row < len(self.rows):
            return
        linked = self.linked.get(self.rows[row].id or 0, [])
        if linked:
            self.app.push_screen(DetailsScreen(linked[0]))
        else:
            self.notify(_("No supplier order is linked to {order} yet: place it with the "
                          "supplier, then sync (or link it from the order with {key})").format(
                              order=self.rows[row].name, key=self.key_text("link")),
                        markup=False)
