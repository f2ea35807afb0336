"""The CJ Dropshipping API 2.0 look-alike on loopback (see ``simulator``)."""

from ordertui.simulators.cj.config import DEFAULT_API_KEY, CJSimConfig
from ordertui.simulators.cj.simulator import CJSimulator
from ordertui.simulators.cj.wire import BASE_PATH, CJError

__all__ = ["BASE_PATH", "DEFAULT_API_KEY", "CJError", "CJSimConfig", "CJSimulator"]
