"""The CJ Dropshipping API 2.0 look-alike on loopback (see ``simulator``)."""

from ordertui.simulators.cj.simulator import DEFAULT_API_KEY, CJSimConfig, CJSimulator

__all__ = ["DEFAULT_API_KEY", "CJSimConfig", "CJSimulator"]
