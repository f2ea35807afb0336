"""What a CJ simulator is started with: the demo shop's settings (``SimConfig``) and CJ's
own — the API key it accepts, the tokens' lives, how often it allows a login and its
largest list page."""

from __future__ import annotations

from dataclasses import dataclass

from ordertui.simulators.common import SimConfig

DEFAULT_API_KEY = "CJ0000001@api@ordertui0simulator0key"


@dataclass
class CJSimConfig(SimConfig):
    api_key: str = DEFAULT_API_KEY
    access_ttl_s: float = 15 * 86400.0
    refresh_ttl_s: float = 180 * 86400.0
    auth_interval_s: float = 300.0  # getAccessToken at most once per this many seconds
    max_page_size: int = 200
