"""The command palette (ctrl+p): every place and every view of the app by name, for a
merchant who does not remember the key; what the session's role leaves out is not there."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual.app import SystemCommand

from ordertui.domain.query import SortKey, View
from ordertui.domain.roles import Permission
from ordertui.i18n import N_, _
from ordertui.tui.screens.orders import OrdersScreen

if TYPE_CHECKING:
    from ordertui.tui.app import OrderTUI

#: the words of Textual's own commands (``App.get_system_commands``), for the catalogue:
#: they are shown translated like ours (a text Textual adds later stays as it comes)
TEXTUAL_WORDS = (
    N_("Theme"), N_("Change the current theme"),
    N_("Quit"), N_("Quit the application as soon as possible"),
    N_("Keys"), N_("Hide the keys and widget help panel"),
    N_("Show help for the focused widget and a summary of available keys"),
    N_("Minimize"), N_("Minimize the widget and restore to normal size"),
    N_("Maximize"), N_("Maximize the focused widget"),
    N_("Screenshot"), N_("Save an SVG 'screenshot' of the current screen"),
)
#: what the palette's search line says before anything is typed (Textual's words)
PLACEHOLDER = N_("Search for commands…")


def commands(app: OrderTUI) -> Iterable[SystemCommand]:
    """The app's own commands, in the language of the process."""
    allows = app.services.allows
    if allows(Permission.SYNC):
        yield SystemCommand(_("Sync now"), _("Fetch the latest orders and supplier answers"),
                            app.action_sync)
    if allows(Permission.EXPORT):
        yield SystemCommand(_("Export orders"), _("CSV or Excel, to a file or by e-mail"),
                            _on_orders(app, OrdersScreen.action_export))
    yield SystemCommand(_("Disputes"), _("Every dispute, latest activity first"),
                        app.action_disputes)
    if app.services.suppliers_taking_ids() and allows(Permission.SYNC):
        yield SystemCommand(_("Add orders by id"), _("For suppliers whose API lists no orders"),
                            _on_orders(app, OrdersScreen.action_add))
    if app.services.config.shops:
        yield SystemCommand(_("To order"), _("Shop orders no supplier order covers yet, oldest "
                                             "first"), app.action_shop_orders)
    yield SystemCommand(_("Returns"), _("Every return and its state"), app.action_returns)
    yield SystemCommand(_("Returns stock"), _("Items that came back resellable"),
                        app.action_stock)
    yield SystemCommand(_("Return policy"), _("Your shop's refund and return policy, made "
                                              "from your suppliers' policies"),
                        app.action_policy)
    if allows(Permission.SETTINGS):
        yield SystemCommand(_("Settings"), _("Suppliers, theme and keys"),
                            app.action_settings)
    yield SystemCommand(_("Keys"), _("Every key of this screen"), app.action_help)
    for i, view in enumerate(View, 1):
        yield SystemCommand(_("Show: {view}").format(view=view.label),
                            _("Orders view {number}").format(number=i),
                            _on_orders(app, partial(OrdersScreen.action_view, number=i)))
    for key in SortKey:  # ENDS only where it means something: set_sort keeps it there
        yield SystemCommand(_("Sort by {column}").format(column=key.label),
                            _("Sort the orders table"),
                            _on_orders(app, partial(OrdersScreen.set_sort, key=key,
                                                    descending=key.starts_descending)))


def translated(found: Iterable[SystemCommand]) -> Iterable[SystemCommand]:
    """Textual's own commands with their words in the language of the process."""
    for command in found:
        yield command._replace(title=_(command.title), help=_(command.help))


def _on_orders(app: OrderTUI, act: Callable[[OrdersScreen], object]) -> Callable[[], None]:
    """Back to the orders screen, then ``act`` on it."""
    def run() -> None:
        screen = app.go_orders()
        if screen is not None:
            act(screen)
    return run
