"""The local SQLite store the screens read from. Only this package knows SQL."""

from ordertui.store.db import Store

__all__ = ["Store"]
