"""Supplier adapters: the only code that knows a supplier's wire format."""
