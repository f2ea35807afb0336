"""ordertui: manage the orders a dropshipping shop placed with its suppliers, from a terminal."""

import logging

# log lines go to the data directory's log file once configured, never to the terminal
logging.getLogger("ordertui").addHandler(logging.NullHandler())

#: the one place the version is written (pyproject reads it from here)
__version__ = "0.1.0"

__all__ = ["__version__"]
