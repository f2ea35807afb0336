"""Messages the app sends to its screens ("attributes down, messages up")."""

from __future__ import annotations

from textual.message import Message

from ordertui.domain.models import SyncEvent


class StoreChanged(Message, bubble=False):
    """The local store changed: a sync, an action, or another session's work."""


class SupplierNews(Message, bubble=False):
    """Decisions the suppliers made, or actions sent or refused."""

    def __init__(self, events: list[SyncEvent]) -> None:
        super().__init__()
        self.events = events


class SyncStateChanged(Message, bubble=False):
    """A sync started, progressed, finished or failed."""
