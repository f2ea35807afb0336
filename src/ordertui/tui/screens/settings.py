"""Settings: the configured suppliers (secrets shown as ••••), the theme, and a key map the
merchant can change; saved to the TOML config."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Label, Select, Static

from ordertui import config as config_mod
from ordertui.secrets import redacted
from ordertui.tui.format import safe
from ordertui.tui.widgets.top_bar import TopBar


def remappable() -> list[tuple[str, str, str]]:
    """(binding id, description, default keys) for every key the merchant may remap."""
    from ordertui.tui.app import OrderTUI
    from ordertui.tui.screens.details import DetailsScreen
    from ordertui.tui.screens.disputes import DisputesScreen
    from ordertui.tui.screens.orders import OrdersScreen
    from ordertui.tui.screens.thread import ThreadScreen
    from ordertui.tui.widgets.order_table import OrderTable

    found: dict[str, tuple[str, str]] = {}
    for cls, where in ((OrdersScreen, "Orders"), (OrderTable, "Orders"),
                       (DetailsScreen, "Order"), (ThreadScreen, "Dispute"),
                       (DisputesScreen, "Disputes"), (OrderTUI, "Everywhere")):
        for b in cls.BINDINGS:
            if isinstance(b, Binding) and b.id and not b.id.startswith(("modal.", "form.",
                                                                         "help.")):
                desc = f"{where}: {b.description}"
                if b.id in found:
                    desc = f"{found[b.id][0]} / {where}"
                found[b.id] = (desc, b.key)
    return [(bid, desc, keys) for bid, (desc, keys) in found.items()]


class KeyCapture(ModalScreen[str | None]):
    """Press the new key; esc keeps the old one."""

    def __init__(self, description: str) -> None:
        super().__init__()
        self.description = description

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-narrow"):
            yield Label(Text("New key", style="bold"), classes="dialog-title")
            yield Static(Text(f"Press the key for “{self.description}”.\n"
                              "esc keeps the current one."), markup=False)

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        self.dismiss(None if event.key == "escape" else event.key)


class SettingsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("ctrl+s", "save", "Save", id="settings.save", priority=True),
        Binding("enter", "remap", "Change key", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.keys: dict[str, str] = {}
        self.dirty = False

    @property
    def services(self) -> Any:
        return self.app.services  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        cfg = self.services.config
        yield TopBar("Settings", demo=self.services.is_demo)
        with VerticalScroll(id="settings"):
            yield Label(Text("Suppliers", style="bold underline"))
            yield Static(self._suppliers(cfg), markup=False)
            yield Label(Text(f"Config file: {safe(str(cfg.path))}", style="italic"))
            yield Label(Text("Theme", style="bold underline"))
            themes = sorted(self.app.available_themes)
            yield Select([(t, t) for t in themes], value=self.app.theme, id="theme",
                         allow_blank=False)
            yield Label(Text("Keys — enter on a row to change it, ctrl+s to save",
                             style="bold underline"))
            table: DataTable[Any] = DataTable(cursor_type="row", id="keymap")
            table.add_columns("Action", "Key", "Id")
            yield table
        yield Footer()

    def _suppliers(self, cfg: config_mod.Config) -> Text:
        t = Text()
        if cfg.implicit_demo:
            t.append("No supplier is configured: the built-in demo supplier stands in.\n",
                     style="italic")
        for name, sc in cfg.suppliers.items():
            t.append(f"{safe(name)}", style="bold")
            t.append(f"  kind {safe(sc.kind)}\n")
            for key, value in redacted(sc.settings).items():
                if key == "kind":
                    continue
                t.append(f"    {safe(str(key))} = {safe(str(value))}\n")
        return t

    def on_mount(self) -> None:
        self.keys = dict(self.services.config.keys)
        self._fill()
        self.query_one("#keymap", DataTable).focus()

    def _fill(self) -> None:
        table = self.query_one("#keymap", DataTable)
        keep = table.cursor_row
        table.clear()
        for bid, desc, default in remappable():
            table.add_row(Text(desc), Text(self.keys.get(bid, default), style="bold"),
                          Text(bid, style="dim"), key=bid)
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))

    @on(Select.Changed, "#theme")
    def theme_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.app.theme:
            self.app.theme = event.value
            self.dirty = True

    @on(DataTable.RowSelected, "#keymap")
    def action_remap(self) -> None:
        self._remap()

    @work(exclusive=True)
    async def _remap(self) -> None:
        table = self.query_one("#keymap", DataTable)
        if table.row_count == 0:
            return
        row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        bid = str(row_key.value)
        desc = next(d for b, d, _ in remappable() if b == bid)
        key = await self.app.push_screen_wait(KeyCapture(desc))
        if not key:
            return
        self.keys[bid] = key
        self.app.update_keymap({bid: key})
        self.dirty = True
        self._fill()

    def action_save(self) -> None:
        cfg = self.services.config
        raw = dict(cfg.raw)
        app_table = dict(raw.get("app", {}))
        app_table["theme"] = self.app.theme
        raw["app"] = app_table
        if self.keys:
            raw["keys"] = dict(self.keys)
        try:
            config_mod.write_toml(cfg.path, raw)
        except OSError as exc:
            self.notify(f"Could not save {cfg.path}: {exc}", severity="error", markup=False)
            return
        cfg.raw = raw
        cfg.keys = dict(self.keys)
        cfg.theme = self.app.theme
        self.dirty = False
        self.notify(f"Saved to {cfg.path}", markup=False)
