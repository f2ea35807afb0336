"""A CJ Dropshipping API 2.0 look-alike on loopback, serving the demo engine's orders.

Same paths under ``/api2.0/v1``, the same envelope ``{code, result, message, data,
requestId}``, field names, status values and error codes as CJ's documentation (see
``docs/suppliers/cj.md``). Where CJ's behaviour is undocumented the simulator picks the
stricter reading, so that an adapter that works here does not lean on luck: a repeated
``businessDisputeId`` is refused, list pages are capped silently at ``max_page_size``, the
order list is newest first and shifts while orders change, and ``disputes/create`` answers
without the new dispute's id.

The demo engine supplies the orders (its seeded disputes show as CJ disputes); everything
the API changes — deleted orders, disputes opened and withdrawn through the API, statuses
set by tests — lives in the simulator's own SQLite file next to the engine's.

- ``config``: ``CJSimConfig``, what a simulator is started with;
- ``wire``: the base path, status words, ``CJError``, the envelope, how values are written;
- ``state``: ``CJState``, the SQLite file and the orders CJ lists, the base of the parts;
- ``auth``, ``orders``, ``products``, ``disputes``: the API's endpoints (and, in
  ``disputes``, how CJ decides a dispute);
- ``control``: the test hooks, in the process and under ``/_sim/cj/``;
- ``simulator``: ``CJSimulator``, the parts composed, and the routes.
"""

from ordertui.simulators.cj.config import DEFAULT_API_KEY, CJSimConfig
from ordertui.simulators.cj.simulator import CJSimulator
from ordertui.simulators.cj.wire import BASE_PATH, CJError

__all__ = ["BASE_PATH", "DEFAULT_API_KEY", "CJError", "CJSimConfig", "CJSimulator"]
