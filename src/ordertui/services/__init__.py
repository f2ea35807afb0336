"""The worker layer: the one API the TUI and the CLI call."""

from ordertui.services.core import OrderDetails, Services, SupplierInfo

__all__ = ["OrderDetails", "Services", "SupplierInfo"]
