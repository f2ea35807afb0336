"""A one-line text field that keeps a pasted text whole.

Textual's ``Input`` keeps only the first line of a multi-line paste and drops the rest
without a word; a reason or a reply copied from an e-mail often spans lines. Here the lines
are joined by spaces, so that nothing pasted is lost (the dialog then says when the text is
longer than the field takes).
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class OneLine(Input):
    def on_paste(self, event: events.Paste) -> None:
        # runs before Input's own paste handling, which it replaces
        event.prevent_default()
        event.stop()
        text = " ".join(line.strip() for line in event.text.splitlines() if line.strip())
        if not text:
            return
        selection = self.selection
        if selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *selection)
