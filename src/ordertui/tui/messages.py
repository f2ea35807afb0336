"""Messages the app sends to its screens ("attributes down, messages up")."""

from __future__ import annotations

from textual.message import Message


class StoreChanged(Message, bubble=False):
    """The local store changed: a sync, an action, or another session's work."""


class SyncStateChanged(Message, bubble=False):
    """A sync started, progressed, finished or failed."""
