"""ordertui: manage the orders a dropshipping shop placed with its suppliers, from a terminal."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ordertui")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
