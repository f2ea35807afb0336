"""Settings: the configured suppliers (secrets shown as ••••), the theme, and a key map the
merchant can change; saved to the TOML config."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Label, Select, Static

from ordertui.config import Config
from ordertui.domain.errors import OrdertuiError
from ordertui.secrets import redacted
from ordertui.tui import keys
from ordertui.tui.base import BaseScreen
from ordertui.tui.dialog import Dialog
from ordertui.tui.format import safe
from ordertui.tui.widgets.key_bar import KeyBar
from ordertui.tui.widgets.top_bar import TopBar


class KeyCaptureDialog(Dialog[str | None]):
    """Press the new key; esc keeps the old one."""

    FRAME = "dialog dialog-narrow"
    SUBMIT = None
    BACK = None
    ERROR_LINE = False

    def __init__(self, description: str) -> None:
        super().__init__()
        self.description = description

    def heading(self) -> str:
        return "New key"

    def compose_body(self) -> ComposeResult:
        yield Static(Text(f"Press the key for “{self.description}”.\n"
                          "esc keeps the current one."), markup=False)

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        self.dismiss(None if event.key == "escape" else event.key)


class SettingsScreen(BaseScreen):
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("settings")

    def __init__(self) -> None:
        super().__init__()
        self.keys: dict[str, str] = {}
        self.dirty = False

    def compose(self) -> ComposeResult:
        cfg = self.services.config
        yield TopBar("Settings", demo=self.services.is_demo)
        with VerticalScroll(id="settings"):
            yield Label(Text("Suppliers", style="bold underline"))
            yield Static(_suppliers(cfg), markup=False)
            yield Label(Text(f"Config file: {safe(str(cfg.path))}", style="italic"))
            yield Label(Text("Theme", style="bold underline"))
            themes = sorted(self.app.available_themes)
            yield Select([(t, t) for t in themes], value=self.app.theme, id="theme",
                         allow_blank=False)
            yield Label(Text(f"Keys — enter on a row to change it, "
                             f"{self.key_text('settings.save')} to save",
                             style="bold underline"))
            table: DataTable[Any] = DataTable(cursor_type="row", id="keymap")
            table.add_columns("Action", "Key", "Id")
            yield table
        yield KeyBar()

    def on_mount(self) -> None:
        self.keys = dict(self.services.config.keys)
        self._fill()
        self.query_one("#keymap", DataTable).focus()

    def _fill(self) -> None:
        table = self.query_one("#keymap", DataTable)
        keep = table.cursor_row
        table.clear()
        for row in keys.remappable():
            table.add_row(Text(row.description), Text(self.keys.get(row.id, row.keys),
                                                      style="bold"),
                          Text(row.id, style="dim"), key=row.id)
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
        binding_id = str(row_key.value)
        row = next(r for r in keys.remappable() if r.id == binding_id)
        key = await self.app.push_screen_wait(KeyCaptureDialog(row.description))
        if not key:
            return
        self.keys[binding_id] = key
        self.app.remap({binding_id: key})
        self.dirty = True
        self._fill()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_save(self) -> None:
        try:
            path = self.services.save_settings(theme=self.app.theme, keys=self.keys)
        except OrdertuiError as exc:
            self.notify(f"Not saved: {exc}", severity="error", markup=False)
            return
        self.dirty = False
        self.notify(f"Saved to {path}", markup=False)


def _suppliers(cfg: Config) -> Text:
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
