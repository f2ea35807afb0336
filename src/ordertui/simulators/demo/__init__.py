"""The demo supplier's side: a simulated supplier with its own state, the remote party
behind the demo adapter (``ordertui.suppliers.demo``) and the wire-compatible simulators.

- ``generator``: the shop's orders, each a pure function of ``(seed, index)``;
- ``backoffice``: ``DemoEngine``, the supplier's SQLite state and the merchant's actions;
- ``reviews``: how the supplier decides, when a review comes due;
- ``data``: what it sells and to whom;
- ``shop_orders``, ``shop_rules``, ``shop``: the demo shop those orders were placed for (its
  orders, what it refuses, ``DemoShopOffice`` and its state), behind the demo shop adapter
  (``ordertui.shops.demo``) and the Shopify simulator.

Only the domain, ``ordertui.sqlite_file`` and the standard library are imported here: the
terminal app on the demo supplier loads none of the simulators' web stack.
"""

from ordertui.simulators.demo import data
from ordertui.simulators.demo.backoffice import DemoEngine
from ordertui.simulators.demo.generator import IdScheme, epoch_of, fraction, generate

__all__ = ["DemoEngine", "IdScheme", "data", "epoch_of", "fraction", "generate"]
