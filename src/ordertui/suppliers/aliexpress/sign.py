"""The AliExpress Open Platform signature (sha256), in one place for the adapter and the
simulator, so that both sides are the documented rule and nothing else:

1. every parameter sent except ``sign`` (and file parameters), sorted by name, byte order;
2. concatenated as ``name1value1name2value2…``, values raw (not URL-encoded);
3. for path-named system APIs on ``/rest`` (``/auth/token/create``): the path in front;
   business APIs on ``/sync`` carry their name in ``method`` and get nothing in front;
4. HMAC-SHA256 keyed with the app secret, hex in upper case.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping


def string_to_sign(params: Mapping[str, str], api_path: str | None = None) -> str:
    body = "".join(f"{k}{params[k]}" for k in sorted(params, key=lambda k: k.encode())
                   if k != "sign")
    return (api_path or "") + body


def sign(params: Mapping[str, str], secret: str, api_path: str | None = None) -> str:
    message = string_to_sign(params, api_path).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest().upper()
