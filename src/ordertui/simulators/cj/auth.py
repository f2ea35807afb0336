"""CJ's authentication as the simulator answers it: ``getAccessToken`` (the API key; one
login per ``auth_interval_s``, and within 24 hours the last pair again while its access
token lasts),
``refreshAccessToken`` (a new access token, the previous one void), ``logout`` (the pair
void), ``setting/get``, and the check of ``CJ-Access-Token`` on every other call."""

from __future__ import annotations

import sqlite3
import uuid
from typing import Any

from starlette.requests import Request

from ordertui.simulators.cj.state import CJState
from ordertui.simulators.cj.wire import CJError, iso_time


class CJAuth(CJState):
    """The token endpoints and the token check (table ``tokens``: ``valid`` is 1 for a
    good pair, 0 for an access token replaced by a refresh, -1 after a logout)."""

    # --- the endpoints ---------------------------------------------------------------------
    def get_access_token(self, request: Request, body: dict[str, Any]) -> Any:
        self.stats.count("token_get")
        key = body.get("apiKey")
        if not key:
            raise CJError(16900403, "apiKey can not be empty")
        if key != self.config.api_key:
            raise CJError(1600005, "API key wrong")
        now = self.now()
        with self._db() as con:
            last = float(self._meta(con, "last_login"))
            if now - last < self.config.auth_interval_s:
                raise CJError(1600200, "Too much request: getAccessToken is allowed once "
                              "every 5 minutes")
            con.execute("UPDATE meta SET value = ? WHERE key = 'last_login'", (str(now),))
            row = con.execute("SELECT access, refresh, access_exp, refresh_exp, created FROM "
                              "tokens WHERE valid = 1 AND created > ? AND access_exp > ? "
                              "ORDER BY created DESC LIMIT 1", (now - 86400, now)).fetchone()
            if row is None:
                row = self._mint(con)
        return self._token_data(row)

    def refresh_access_token(self, request: Request, body: dict[str, Any]) -> Any:
        self.stats.count("token_refresh")
        refresh = body.get("refreshToken")
        if not refresh:
            raise CJError(16900403, "refreshToken can not be empty")
        with self._db() as con:
            ok = con.execute("SELECT 1 FROM tokens WHERE refresh = ? AND refresh_exp > ? AND "
                             "valid >= 0", (refresh, self.now())).fetchone()
            if not ok:
                raise CJError(1600003, "Invalid refresh token")
            row = self._mint(con, refresh)
        return self._token_data(row, with_open_id=False)

    def logout(self, request: Request, body: dict[str, Any]) -> Any:
        token = request.headers.get("CJ-Access-Token", "")
        with self._db() as con:
            con.execute("UPDATE tokens SET valid = -1 WHERE refresh = (SELECT refresh FROM tokens "
                        "WHERE access = ?)", (token,))
        return True

    def settings(self, request: Request, body: dict[str, Any]) -> Any:
        return {"setting": {"qpsLimit": self.config.rate_limit or 0,
                            "quotaLimits": []}}

    # --- tokens -----------------------------------------------------------------------------
    def _check_token(self, token: str) -> None:
        if not token:
            raise CJError(1600002, "Access token is empty")
        with self._db() as con:
            row = con.execute("SELECT access_exp, valid FROM tokens WHERE access = ?",
                              (token,)).fetchone()
        if row is None or row[1] != 1 or row[0] <= self.now():
            raise CJError(1600001, "Invalid API key or access token")

    def _mint(self, con: sqlite3.Connection, refresh: str | None = None) -> tuple[Any, ...]:
        now = self.now()
        access = "sim-at-" + uuid.uuid4().hex
        if refresh is None:
            refresh = "sim-rt-" + uuid.uuid4().hex
            refresh_exp = now + self.config.refresh_ttl_s
        else:
            refresh_exp = con.execute("SELECT MAX(refresh_exp) FROM tokens WHERE refresh = ?",
                                      (refresh,)).fetchone()[0]
        row = (access, refresh, now + self.config.access_ttl_s, refresh_exp, now)
        con.execute("UPDATE tokens SET valid = 0 WHERE refresh = ?", (refresh,))
        con.execute("INSERT INTO tokens (access, refresh, access_exp, refresh_exp, created) "
                    "VALUES (?, ?, ?, ?, ?)", row)
        return row

    def _token_data(self, row: tuple[Any, ...], with_open_id: bool = True) -> dict[str, Any]:
        data = {"accessToken": row[0], "accessTokenExpiryDate": iso_time(row[2]),
                "refreshToken": row[1], "refreshTokenExpiryDate": iso_time(row[3]),
                "createDate": iso_time(row[4])}
        if with_open_id:
            data = {"openId": 1_600_000_001, **data}
        return data
