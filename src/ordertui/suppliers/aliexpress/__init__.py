"""AliExpress (Open Platform, DS API).

- ``adapter``: the ``SupplierAdapter`` — orders added by id, read one by one, and tracking;
- ``mapping``: the DS API's answers read into orders and tracking, and the parsers;
- ``state``: what the adapter remembers per order (a small SQLite file);
- ``client``: the transport: signed calls, the two error shapes, the OAuth token;
- ``sign``: the request signature, shared with the simulator.
"""

from ordertui.suppliers.aliexpress.adapter import AliExpressAdapter

__all__ = ["AliExpressAdapter"]
