"""Settings: the configured suppliers (secrets shown as ••••), the address customers send
returns to, the theme, and the keys; saved to the TOML config. A key already used on the
same screen is refused, and leaving with unsaved changes asks what to do with them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Button, Label, Select, Static, TextArea

from ordertui import i18n
from ordertui.config import Config
from ordertui.domain.errors import OrdertuiError
from ordertui.i18n import N_, _
from ordertui.secrets import redacted
from ordertui.tui import keys
from ordertui.tui.base import BaseScreen
from ordertui.tui.dialog import Dialog
from ordertui.tui.format import safe, saved_to
from ordertui.tui.widgets.key_bar import KeyBar
from ordertui.tui.widgets.row_table import RowTable
from ordertui.tui.widgets.top_bar import TopBar


class KeyCaptureDialog(Dialog[str | None]):
    """Press the new key; esc keeps the old one."""

    FRAME = "dialog dialog-narrow"
    SUBMIT = None
    BACK = None
    ERROR_LINE = False

    def __init__(self, description: str) -> None:
        """``description``: what the key does, translated."""
        super().__init__()
        self.description = description

    def heading(self) -> str:
        return _("New key")

    def compose_body(self) -> ComposeResult:
        yield Static(Text(_("Press the key for “{action}”.\n{back_key} keeps the current "
                            "one.").format(action=self.description, back_key="esc")),
                     markup=False)

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        self.dismiss(None if event.key == "escape" else event.key)


class LeaveDialog(Dialog[str | None]):
    """Unsaved changes: save them, drop them, or stay. Dismissed with "save", "drop" or
    None (stay)."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("leave")
    FOCUS = "#submit"
    SUBMIT = (N_("Save"), "leave.save", "primary")
    BACK = (N_("Stay"), "leave.stay")
    ERROR_LINE = False

    def heading(self) -> str:
        return _("Save your changes?")

    def compose_body(self) -> ComposeResult:
        yield Static(Text(_("You changed the settings without saving. Saved, they are in the "
                            "config file for the next start too; dropped, they are undone "
                            "now.")), classes="dialog-body", markup=False)

    def buttons(self) -> Iterable[Button]:
        save, stay = super().buttons()
        yield save
        yield Button(_("Drop them ({key})").format(key=self.app.key_text("leave.drop")),
                     id="drop")
        yield stay

    async def submit(self) -> str | None:
        return "save"

    @on(Button.Pressed, "#drop")
    def action_drop(self) -> None:
        self.dismiss("drop")


@dataclass
class Unsaved:
    """What Settings holds that the config file does not yet: carried over when a change of
    language draws the app anew."""

    keys: dict[str, str]
    address: str
    saved_theme: str
    language: str


class SettingsScreen(BaseScreen):
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("settings")

    def __init__(self, unsaved: Unsaved | None = None) -> None:
        super().__init__()
        self.keys: dict[str, str] = {}
        self.saved_theme = ""
        self.dirty = False
        self.unsaved = unsaved
        #: the language chosen here ("auto", "en", "de"); the config's until changed
        self.language = unsaved.language if unsaved else ""

    def compose(self) -> ComposeResult:
        cfg = self.services.config
        self.language = self.language or cfg.language
        yield TopBar(_("Settings"), demo=self.services.is_demo)
        settings = VerticalScroll(id="settings")
        settings.can_focus = False  # tab goes from field to field, never to the page
        with settings:
            yield Static(Text(_("{tab_key} moves between the return address, the language, the "
                                "theme and the keys; {save_key} saves, {back_key} goes back"
                                ).format(
                tab_key="tab", save_key=self.key_text("settings.save"),
                back_key=self.key_text("back")), style="italic"),
                classes="list-hint", markup=False)
            yield Label(Text(_("Suppliers"), style="bold underline"))
            yield Static(_suppliers(cfg), markup=False)
            yield Label(Text(_("Config file: {path}").format(path=safe(str(cfg.path))),
                             style="italic"))
            yield Label(Text(_("Your return address"), style="bold underline"))
            yield Static(Text(_("Where customers send returns that a supplier does not take "
                                "back, one line per line of the label."), style="italic"),
                         markup=False)
            yield TextArea("\n".join(_address(cfg)), id="address", soft_wrap=True,
                           show_line_numbers=False)
            yield Label(Text(_("Language"), style="bold underline"))
            choices = language_choices()
            if self.language not in {code for _name, code in choices}:  # the test language
                choices.append((self.language, self.language))
            yield Select(choices, value=self.language, id="language", allow_blank=False)
            yield Label(Text(_("Theme"), style="bold underline"))
            themes = sorted(self.app.available_themes)
            yield Select([(t, t) for t in themes], value=self.app.theme, id="theme",
                         allow_blank=False)
            yield Label(Text(_("Keys — {enter_key} on a row to change it").format(
                enter_key="enter"), style="bold underline"))
            table = RowTable(id="keymap")
            # widths that keep every column on an 80-column screen (longer words end in …)
            for label, width in ((_("Key"), 9), (_("Action"), 31), (_("Where"), 18),
                                 # Translators: the binding's id, as [keys] in the config
                                 # names it
                                 (_("Id"), 11)):
                table.add_column(label, width=width)
            yield table
        yield KeyBar()

    def on_mount(self) -> None:
        self.keys = dict(self.services.config.keys)
        self.saved_theme = self.app.theme
        if self.unsaved is not None:  # drawn again in another language: as it was left
            self.keys = dict(self.unsaved.keys)
            self.saved_theme = self.unsaved.saved_theme
            self.query_one("#address", TextArea).text = self.unsaved.address
            self.dirty = True
        self._fill()
        # the page stays at its top, where the suppliers are: focus does not scroll it
        focus = "#language" if self.unsaved is not None else "#address"
        self.query_one(focus).focus(scroll_visible=False)
        self.call_after_refresh(self.query_one("#settings", VerticalScroll).scroll_home,
                                animate=False)

    def _fill(self) -> None:
        table = self.query_one("#keymap", RowTable)
        keep = table.cursor_row
        table.clear()
        for row in keys.remappable():
            table.add_row(Text(keys.display(self.keys.get(row.id, row.keys)), style="bold"),
                          Text(row.description), Text(row.where, style="dim"),
                          Text(row.id, style="dim"), key=row.id)
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1), scroll=False)

    @on(Select.Changed, "#language")
    def language_changed(self, event: Select.Changed) -> None:
        """Another language takes effect at once: the app is drawn anew in it, Settings on
        top with what was not saved yet; ctrl+s saves it, dropping the changes undoes it."""
        if not isinstance(event.value, str) or event.value == self.language:
            return
        unsaved = Unsaved(dict(self.keys), self.query_one("#address", TextArea).text,
                          self.saved_theme, event.value)
        self.app.call_later(self.app.relanguage, event.value, SettingsScreen(unsaved))

    @on(Select.Changed, "#theme")
    def theme_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.app.theme:
            self.app.theme = event.value
            self.dirty = True

    @on(TextArea.Changed, "#address")
    def address_changed(self) -> None:
        self.dirty = self.dirty or self._address() != _address(self.services.config)

    def _address(self) -> list[str]:
        text = self.query_one("#address", TextArea).text
        return [line.strip() for line in text.splitlines() if line.strip()]

    @on(RowTable.RowSelected, "#keymap")
    def action_remap(self) -> None:
        self._remap()

    @work(exclusive=True)
    async def _remap(self) -> None:
        table = self.query_one("#keymap", RowTable)
        if table.row_count == 0:
            return
        binding_id = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        row = next(r for r in keys.remappable() if r.id == binding_id)
        key = await self.app.push_screen_wait(KeyCaptureDialog(row.description))
        if not key:
            return
        problem = keys.clash({**self.keys, binding_id: key})
        if problem is not None:
            self.notify(problem[1], title=_("Not changed"), severity="error", markup=False)
            return
        self.keys[binding_id] = key
        self.app.remap({binding_id: key})
        self.dirty = True
        self._fill()

    def action_save(self) -> None:
        try:
            path = self.services.save_settings(theme=self.app.theme, keys=self.keys,
                                               return_address=self._address(),
                                               language=self.language)
        except OrdertuiError as exc:
            self.notify(_("Not saved: {error}").format(error=exc), severity="error",
                        markup=False)
            return
        self.dirty = False
        self.saved_theme = self.app.theme
        self.notify(saved_to(_("Saved to"), path), markup=False)

    def action_back(self) -> None:
        if not self.dirty:
            self.app.pop_screen()
            return

        def chosen(answer: str | None) -> None:
            if answer == "save":
                self.action_save()
                if not self.dirty:
                    self.app.pop_screen()
            elif answer == "drop":
                self._drop()
                self.app.pop_screen()
        self.app.push_screen(LeaveDialog(), chosen)

    def _drop(self) -> None:
        """Undo what was changed and not saved: the running app as the config file says."""
        saved = self.services.config.keys
        undone = {b: saved.get(b, next(r.keys for r in keys.remappable() if r.id == b))
                  for b in self.keys if self.keys[b] != saved.get(b)}
        if undone:
            self.app.remap(undone)
        self.app.theme = self.saved_theme
        self.dirty = False
        if self.language != self.services.config.language:  # drawn again in the saved one
            self.app.call_later(self.app.relanguage, self.services.config.language, None)


def language_choices() -> list[tuple[str, str]]:
    """The languages Settings offers, each in its own words; "auto" says which it is."""
    found = i18n.NAMES[i18n.from_environment().code]
    return [(_("Automatic, from LANG ({language})").format(language=found), "auto"),
            *((i18n.NAMES[code], code) for code in i18n.LANGUAGES)]


def _suppliers(cfg: Config) -> Text:
    t = Text()
    if cfg.implicit_demo:
        t.append(_("No supplier is configured: the built-in demo supplier stands in.") + "\n",
                 style="italic")
    for name, sc in cfg.suppliers.items():
        t.append(f"{safe(name)}", style="bold")
        t.append(f"  kind {safe(sc.kind)}\n")  # the config's own words: kind = "demo"
        for key, value in redacted(sc.settings).items():
            if key == "kind":
                continue
            t.append(f"    {safe(str(key))} = {safe(str(value))}\n")
    return t


def _address(cfg: Config) -> list[str]:
    raw = cfg.returns.get("address", "")
    lines = raw.splitlines() if isinstance(raw, str) else [str(x) for x in raw]
    return [x.strip() for x in lines if x.strip()]
