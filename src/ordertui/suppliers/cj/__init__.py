"""CJ Dropshipping (API 2.0).

- ``adapter``: the ``SupplierAdapter`` — reading one order, the merchant's actions, and
  ``was_applied`` after an ambiguous send;
- ``sync``: the sync planner, which reads CJ's lists one step per call, and its cursor;
- ``mapping``: CJ's wire format read into domain objects, and the parsers;
- ``client``: CJ's transport (the envelope, its error codes, the access token) and reads;
- ``state``: what the adapter remembers between calls (a small SQLite mirror).
"""

from ordertui.suppliers.cj.adapter import CJAdapter

__all__ = ["CJAdapter"]
