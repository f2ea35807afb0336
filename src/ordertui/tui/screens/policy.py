"""The shop's refund and return policy, made from ``[returns]`` and every supplier's policy:
read it in English, German or French, as Markdown or text, and save it to a file."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from ordertui.domain.errors import OrdertuiError
from ordertui.i18n import N_, _
from ordertui.services.policy import Format, Lang, PolicyDocument, policy_language
from ordertui.tui import keys
from ordertui.tui.base import BaseScreen
from ordertui.tui.dialog import PromptDialog
from ordertui.tui.format import safe, saved_to
from ordertui.tui.widgets.key_bar import KeyBar
from ordertui.tui.widgets.top_bar import TopBar

LANGS = tuple(Lang)  # the language key goes through them in this order
#: what the head calls each format (the language is named by its code: en, de, fr)
FORMAT_NAMES = {Format.MARKDOWN: N_("markdown"), Format.TEXT: N_("text")}


class PolicyScreen(BaseScreen):
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("policy")
    SCROLL = "#policy"

    def __init__(self) -> None:
        super().__init__()
        self.lang = policy_language()  # the app's, where the policy is written in it
        self.fmt = Format.MARKDOWN
        self.doc: PolicyDocument | None = None

    def compose(self) -> ComposeResult:
        yield TopBar(_("Return policy"), demo=self.services.is_demo)
        yield Static("", id="policy-head", classes="list-hint", markup=False)
        with VerticalScroll(id="policy"):
            yield Static("", id="policy-text", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.load()

    @work(group="policy", exclusive=True)
    async def load(self) -> None:
        try:
            doc = await self.app.reads.run(self.services.policy_document, self.lang, self.fmt)
        except OrdertuiError as exc:
            self.query_one("#policy-text", Static).update(Text(str(exc)))
            return
        self.doc = doc
        k = self.key_text
        head = Text(_("Language {lang} · {format} · {language_key}: language · {format_key}: "
                      "format · {write_key}: save to a file").format(
            lang=self.lang, format=_(FORMAT_NAMES[self.fmt]), language_key=k("policy_language"),
            format_key=k("policy_format"), write_key=k("policy_write")))
        for warning in doc.terms.warnings:
            head.append(f"\n{safe(warning)}", style="bold")
        self.query_one("#policy-head", Static).update(head)
        self.query_one("#policy-text", Static).update(Text(doc.text))

    def action_language(self) -> None:
        self.lang = LANGS[(LANGS.index(self.lang) + 1) % len(LANGS)]
        self.load()

    def action_format(self) -> None:
        self.fmt = Format.TEXT if self.fmt is Format.MARKDOWN else Format.MARKDOWN
        self.load()

    def action_write(self) -> None:
        if self.doc is None:  # it could not be generated: the error is on the screen
            self.notify(_("Nothing saved: the policy could not be generated"),
                        severity="error", markup=False)
            return
        suffix = ".md" if self.fmt is Format.MARKDOWN else ".txt"
        default = str(Path.home() / f"return-policy-{self.lang}{suffix}")
        self.app.push_screen(SavePolicyDialog(self.doc, default))


class SavePolicyDialog(PromptDialog):
    """Where the policy goes; saved, it is remembered, so that a change of a supplier's
    policy regenerates the file."""

    def __init__(self, doc: PolicyDocument, default: str) -> None:
        super().__init__(_("Save the policy"), _("Where should the file go (on this machine)?"),
                         label=_("Path:"), value=default, submit=_("Save"))
        self.doc = doc

    async def submit(self) -> str:
        path = await super().submit()
        target = await self.run_read(self.services.save_policy, self.doc, Path(path))
        self.notify(saved_to(_("Saved to"), target), markup=False)
        return path
