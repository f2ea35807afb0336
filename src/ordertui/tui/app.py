"""The terminal app: which screens there are and how to get to them. Everything the screens
rely on (services, reads off the event loop, keys in order, background work) is the shell
it is built on (``tui/shell.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from textual.app import SystemCommand
from textual.binding import BindingType
from textual.command import CommandPalette
from textual.screen import Screen

from ordertui.domain.roles import Permission
from ordertui.i18n import _
from ordertui.tui import keys
from ordertui.tui.commands import PLACEHOLDER, commands, translated
from ordertui.tui.dialogs.help import HelpDialog
from ordertui.tui.screens.disputes import DisputesScreen
from ordertui.tui.screens.orders import OrdersScreen
from ordertui.tui.screens.policy import PolicyScreen
from ordertui.tui.screens.returns import ReturnsScreen, StockScreen
from ordertui.tui.screens.settings import SettingsScreen
from ordertui.tui.screens.shop_orders import ShopOrdersScreen
from ordertui.tui.shell import Shell


class OrderTUI(Shell):
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("app")
    HOME = OrdersScreen

    def on_mount(self) -> None:
        super().on_mount()
        self.push_screen(self.HOME())

    # --- going places ------------------------------------------------------------------
    def action_help(self) -> None:
        if not isinstance(self.screen, HelpDialog):
            self.push_screen(HelpDialog(self.screen))

    def action_disputes(self) -> None:
        self._show(DisputesScreen)

    def action_settings(self) -> None:
        if not self.refuses(Permission.SETTINGS):
            self._show(SettingsScreen)

    def action_returns(self) -> None:
        self._show(ReturnsScreen)

    def action_stock(self) -> None:
        self._show(StockScreen)

    def action_policy(self) -> None:
        self._show(PolicyScreen)

    def action_shop_orders(self) -> None:
        if self.services.config.shops:
            self._show(ShopOrdersScreen)
        else:
            self.notify(_("No shop is configured: add [shops.main] to the config (see the "
                          "README) to see what still needs ordering"), markup=False)

    def _show(self, screen_type: type[Screen[Any]]) -> None:
        if not isinstance(self.screen, screen_type):
            self.push_screen(screen_type())

    def go_orders(self) -> OrdersScreen | None:
        """Back to the orders screen (closing what is above it)."""
        orders = next((s for s in self.screen_stack if isinstance(s, OrdersScreen)), None)
        while orders is not None and self.screen is not orders and len(self.screen_stack) > 2:
            self.pop_screen()
        return orders

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from commands(self)
        yield from translated(super().get_system_commands(screen))

    def action_command_palette(self) -> None:
        # Textual's own, with its search line's words in the language of the process
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(CommandPalette(placeholder=_(PLACEHOLDER),
                                            id="--command-palette"))
