"""ordertui: manage the orders a dropshipping shop placed with its suppliers, from a terminal."""

import logging
from importlib.metadata import PackageNotFoundError, version

# log lines go to the data directory's log file once configured, never to the terminal
logging.getLogger("ordertui").addHandler(logging.NullHandler())

try:
    __version__ = version("ordertui")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
