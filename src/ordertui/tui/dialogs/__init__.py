"""The app's dialogs: each an instance of the one form dialog (``tui/dialog.py``)."""
