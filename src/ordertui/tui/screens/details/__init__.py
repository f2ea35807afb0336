"""One order's details: the screen, its renderers (pure functions of what the services
report) and the actions it starts."""

from ordertui.tui.screens.details.screen import DetailsScreen

__all__ = ["DetailsScreen"]
