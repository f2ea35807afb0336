"""The command palette (ctrl+p): every place and every view of the app by name, for a
merchant who does not remember the key."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual.app import SystemCommand

from ordertui.domain.query import SortKey, View
from ordertui.tui.screens.orders import OrdersScreen

if TYPE_CHECKING:
    from ordertui.tui.app import OrderTUI


def commands(app: OrderTUI) -> Iterable[SystemCommand]:
    yield SystemCommand("Sync now", "Fetch the latest orders and supplier answers",
                        app.action_sync)
    yield SystemCommand("Export orders", "CSV or Excel, to a file or by e-mail",
                        _on_orders(app, OrdersScreen.action_export))
    yield SystemCommand("Disputes", "Every dispute, latest activity first", app.action_disputes)
    if app.services.suppliers_taking_ids():
        yield SystemCommand("Add orders by id", "For suppliers whose API lists no orders",
                            _on_orders(app, OrdersScreen.action_add))
    if app.services.config.shops:
        yield SystemCommand("To order", "Shop orders no supplier order covers yet, oldest "
                            "first", app.action_shop_orders)
    yield SystemCommand("Returns", "Every return and its state", app.action_returns)
    yield SystemCommand("Returns stock", "Items that came back resellable", app.action_stock)
    yield SystemCommand("Return policy", "Your shop's refund and return policy, made from "
                        "your suppliers' policies", app.action_policy)
    yield SystemCommand("Settings", "Suppliers, theme and keys", app.action_settings)
    yield SystemCommand("Keys", "Every key of this screen", app.action_help)
    for i, view in enumerate(View, 1):
        yield SystemCommand(f"Show: {view.label}", f"Orders view {i}",
                            _on_orders(app, partial(OrdersScreen.action_view, number=i)))
    for key in SortKey:  # ENDS only where it means something: set_sort keeps it there
        yield SystemCommand(f"Sort by {key.label}", "Sort the orders table",
                            _on_orders(app, partial(OrdersScreen.set_sort, key=key,
                                                    descending=key.starts_descending)))


def _on_orders(app: OrderTUI, act: Callable[[OrdersScreen], object]) -> Callable[[], None]:
    """Back to the orders screen, then ``act`` on it."""
    def run() -> None:
        screen = app.go_orders()
        if screen is not None:
            act(screen)
    return run
