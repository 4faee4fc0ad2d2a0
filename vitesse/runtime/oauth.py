"""OAuth2 client credentials: fetch an access token, send it, and fetch a new one when it expires or is refused.

`ClientCredentials` is an `httpx.Auth` flow, so the token request goes out through the runtime's own client
(the SSRF guard and timeouts apply to it as to every other request). The client authenticates to the token
endpoint with HTTP basic (RFC 6749 `client_secret_basic`). A token is reused until a minute before its
`expires_in`; a 401 from the API fetches a fresh one and sends the request once more. Every token issued
is kept in `issued`, so what the runtime prints can mask it.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import time
from collections.abc import AsyncGenerator, Callable, Generator
from urllib.parse import quote

import httpx

__all__ = ["ClientCredentials", "TokenRefused", "TokenUnavailable"]

EARLY_S = 60.0
"""Renew this long before the token says it expires."""
DEFAULT_LIFETIME_S = 3600.0


class TokenRefused(httpx.RequestError):
    """The token endpoint refused the client (wrong id or secret, a scope not granted): retrying will not help."""


class TokenUnavailable(httpx.ConnectError):
    """The token endpoint failed for now (5xx, 429): the request was not sent, and may be retried."""


class ClientCredentials(httpx.Auth):
    """Bearer tokens from the client-credentials grant, renewed before they expire and after a 401."""

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        scopes: list[str] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token_url = token_url
        self._basic = base64.b64encode(f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}".encode()).decode()
        self._scopes = list(scopes or [])
        self.key = hashlib.sha256(f"{token_url}\0{self._basic}\0{' '.join(self._scopes)}".encode()).hexdigest()
        """Same endpoint, client and scopes: the same key (a runtime keeps one flow, and its token, per key)."""
        self._clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()
        self.issued: list[str] = []
        """Every access token received (to mask in logs)."""
        self.fetches = 0

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise NotImplementedError("ClientCredentials signs the runtime's async requests only")
        yield request  # pragma: no cover - makes this a generator, as httpx expects

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if self._token is None or self._clock() >= self._expires_at:
            async with self._lock:  # concurrent writes wait for one token instead of each fetching one
                if self._token is None or self._clock() >= self._expires_at:
                    self._take(await _read((yield self._token_request(request))))
        used = self._token
        request.headers["Authorization"] = f"Bearer {used}"
        response = yield request
        if response.status_code == 401:  # revoked or expired early: one fresh token, one more try
            async with self._lock:
                if self._token == used:  # not renewed meanwhile by another request
                    self._take(await _read((yield self._token_request(request))))
            request.headers["Authorization"] = f"Bearer {self._token}"
            yield request

    def _token_request(self, request: httpx.Request) -> httpx.Request:
        form = {"grant_type": "client_credentials"}
        if self._scopes:
            form["scope"] = " ".join(self._scopes)
        headers = {"Authorization": f"Basic {self._basic}", "Accept": "application/json"}
        return httpx.Request("POST", self.token_url, data=form, headers=headers, extensions=request.extensions)

    def _take(self, response: httpx.Response) -> None:
        self.fetches += 1
        status = response.status_code
        if status == 429 or status >= 500:
            raise TokenUnavailable(f"the token endpoint answered HTTP {status}")
        try:
            body = response.json()
        except ValueError:
            body = None
        if status != 200 or not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            reason = body.get("error") if isinstance(body, dict) and isinstance(body.get("error"), str) else None
            what = f"HTTP {status}" + (f", {reason[:60]}" if reason else "")
            raise TokenRefused(f"the token endpoint refused the client credentials ({what})")
        self._token = body["access_token"]
        self.issued.append(self._token)
        lifetime = body.get("expires_in")
        seconds = float(lifetime) if isinstance(lifetime, int | float) and lifetime > 0 else DEFAULT_LIFETIME_S
        self._expires_at = self._clock() + max(seconds - EARLY_S, seconds / 2)


async def _read(response: httpx.Response) -> httpx.Response:
    await response.aread()
    return response
