"""Probe one URL over HTTP through the SSRF guard and report what came back, secrets masked.

`http_probe` never raises for network trouble: a refused address (link-local, metadata, private or
loopback when not allowed, also on any redirect hop), a timeout, a TLS or connection failure all
come back as `error`/`error_kind` in the result. Credentials never leave in the result: the URL's
user info and secret-looking query values, credential-bearing headers and any echo of the request's
own secrets in the body are masked.
"""

from __future__ import annotations

import re
import ssl
import time
from typing import Any, Literal

import httpx
from pydantic import BaseModel, Field, field_validator

from vitesse.config import Settings
from vitesse.errors import BlockedURLError
from vitesse.net import (
    SENSITIVE_HEADER,
    SENSITIVE_PARAM,
    NetPolicy,
    make_client,
    mask_headers,
    mask_secrets,
    mask_url,
)

BODY_EXCERPT_CHARS = 2000
READ_LIMIT_BYTES = 256 * 1024
METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")
SHOWN_HEADERS = (
    "content-type", "content-length", "content-encoding", "location", "retry-after", "www-authenticate", "server",
    "cache-control", "link", "allow", "set-cookie", "x-request-id", "date",
)  # fmt: skip
_SHOWN_PREFIXES = ("x-ratelimit-", "ratelimit-")
_SECRET_FIELD = re.compile(
    r'("(?:[^"]*?(?:api[-_]?key|token|secret|password|authorization)[^"]*?)"\s*:\s*)"[^"]*"', re.I
)
ErrorKind = Literal[
    "invalid_input", "blocked", "invalid_url", "timeout", "tls", "connect", "protocol", "too_many_redirects", "other"
]


class HttpProbeInput(BaseModel):
    """What to probe."""

    url: str = Field(description="Absolute http(s) URL to request.")
    method: str = Field("GET", description="HTTP method: GET, HEAD, OPTIONS, POST, PUT, PATCH or DELETE.")
    headers: dict[str, str] | None = Field(None, description="Request headers (credentials are masked in the result).")
    body: str | dict[str, Any] | list[Any] | None = Field(None, description="Request body: text, or JSON as an object.")
    timeout_s: float = Field(10.0, gt=0, le=60, description="Seconds to wait for the whole exchange.")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        try:
            parsed = httpx.URL(value.strip())
        except (httpx.InvalidURL, TypeError) as exc:
            raise ValueError(f"not a URL: {exc}") from exc
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise ValueError("the URL must be absolute and use http or https")
        return value.strip()

    @field_validator("method")
    @classmethod
    def _method(cls, value: str) -> str:
        upper = value.strip().upper()
        if upper not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, not {value!r}")
        return upper


class HttpProbeResult(BaseModel):
    """What the probe saw; `error` is set (and `status_code` None) when no HTTP answer arrived."""

    url: str
    method: str
    reachable: bool = False
    """True when an HTTP answer arrived, whatever its status."""
    status_code: int | None = None
    latency_ms: float | None = None
    """Time to the response headers."""
    http_version: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    """Selected response headers (content type, location, rate limits …), credential values masked."""
    content_type: str | None = None
    body_excerpt: str | None = None
    body_truncated: bool = False
    body_bytes: int = 0
    """Bytes read (reading stops at 256 KiB)."""
    redirects: list[str] = Field(default_factory=list)
    """URLs of the redirect hops followed, masked."""
    error: str | None = None
    error_kind: ErrorKind | None = None


async def http_probe(
    url: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: str | dict[str, Any] | list[Any] | None = None,
    timeout_s: float = 10.0,
    *,
    settings: Settings | None = None,
    client: httpx.AsyncClient | None = None,
) -> HttpProbeResult:
    """Send one HTTP request to a URL and report status, latency, key headers and a short body excerpt.

    Args:
        url: Absolute http(s) URL.
        method: HTTP method.
        headers: Request headers; credential values never appear in the result.
        body: Text, or a JSON-serialisable object sent as JSON.
        timeout_s: Seconds for the whole exchange (at most 60).
        settings: Decides what the SSRF guard lets through (loopback, private networks).
        client: An already guarded client to use (tests, shared pools); one is made otherwise.
    """
    try:
        probe = HttpProbeInput(url=url, method=method, headers=headers, body=body, timeout_s=timeout_s)
    except ValueError as exc:
        message = mask_secrets(str(exc), [str(url)])
        return HttpProbeResult(url=mask_url(str(url)), method=str(method), error=message, error_kind="invalid_input")
    secrets = _request_secrets(probe)
    result = HttpProbeResult(url=mask_url(probe.url), method=probe.method)
    own = client is None
    if client is None:
        policy = NetPolicy.from_settings(settings or Settings())
        client = make_client(policy, timeout=probe.timeout_s)
    try:
        await _exchange(client, probe, result, secrets)
    except BlockedURLError as exc:
        _fail(result, "blocked", str(exc), secrets)
    except httpx.TooManyRedirects as exc:
        _fail(result, "too_many_redirects", str(exc), secrets)
    except httpx.TimeoutException as exc:
        _fail(result, "timeout", f"no answer within {probe.timeout_s:g} s ({type(exc).__name__})", secrets)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        _fail(result, "invalid_url", str(exc), secrets)
    except httpx.ConnectError as exc:
        _fail(result, "tls" if _is_tls(exc) else "connect", str(exc) or type(exc).__name__, secrets)
    except (httpx.RemoteProtocolError, httpx.LocalProtocolError, httpx.ReadError, httpx.WriteError) as exc:
        _fail(result, "protocol", str(exc) or type(exc).__name__, secrets)
    except httpx.HTTPError as exc:
        _fail(result, "other", f"{type(exc).__name__}: {exc}", secrets)
    finally:
        if own:
            await client.aclose()
    return result


async def _exchange(
    client: httpx.AsyncClient, probe: HttpProbeInput, result: HttpProbeResult, secrets: list[str]
) -> None:
    kwargs: dict[str, Any] = {"headers": probe.headers or {}, "timeout": probe.timeout_s}
    if isinstance(probe.body, dict | list):
        kwargs["json"] = probe.body
    elif probe.body is not None:
        kwargs["content"] = probe.body.encode()
    started = time.perf_counter()
    async with client.stream(probe.method, probe.url, **kwargs) as response:
        result.latency_ms = round((time.perf_counter() - started) * 1000, 2)
        result.reachable = True
        result.status_code = response.status_code
        result.http_version = response.http_version
        result.redirects = [mask_url(str(r.url)) for r in response.history]
        result.headers = _shown_headers(response.headers)
        result.content_type = response.headers.get("content-type")
        data = await _read_capped(response)
    result.body_bytes = len(data)
    text = data.decode(response.encoding or "utf-8", errors="replace")
    text = _mask_body(text, secrets)
    result.body_truncated = len(text) > BODY_EXCERPT_CHARS or len(data) >= READ_LIMIT_BYTES
    result.body_excerpt = text[:BODY_EXCERPT_CHARS]


async def _read_capped(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= READ_LIMIT_BYTES:
            break
    return b"".join(chunks)[:READ_LIMIT_BYTES]


def _shown_headers(headers: httpx.Headers) -> dict[str, str]:
    picked = [
        (k.lower(), v)
        for k, v in headers.multi_items()
        if k.lower() in SHOWN_HEADERS or k.lower().startswith(_SHOWN_PREFIXES)
    ]
    merged: dict[str, str] = {}
    for key, value in picked:
        merged[key] = f"{merged[key]}, {value}" if key in merged else value
    if "set-cookie" in merged:
        merged["set-cookie"] = "****"
    if "location" in merged:
        merged["location"] = mask_url(merged["location"])
    return mask_headers(merged)


def _request_secrets(probe: HttpProbeInput) -> list[str]:
    """Values the result must never show: credential headers, secret query values, URL passwords."""
    secrets = [v for k, v in (probe.headers or {}).items() if SENSITIVE_HEADER.search(k)]
    for value in list(secrets):
        secrets.extend(part for part in value.split() if len(part) >= 4)  # `Bearer abc` → also `abc`
    try:
        parsed = httpx.URL(probe.url)
    except (httpx.InvalidURL, TypeError):
        return secrets
    secrets.extend(v for k, v in parsed.params.multi_items() if SENSITIVE_PARAM.search(k))
    if parsed.password:
        secrets.append(parsed.password)
    if isinstance(probe.body, dict):
        secrets.extend(str(v) for k, v in probe.body.items() if SENSITIVE_PARAM.search(k) and isinstance(v, str))
    return secrets


def _mask_body(text: str, secrets: list[str]) -> str:
    text = mask_secrets(text, secrets)
    return _SECRET_FIELD.sub(lambda m: f'{m.group(1)}"****"', text)


def _fail(result: HttpProbeResult, kind: ErrorKind, message: str, secrets: list[str]) -> None:
    result.error_kind = kind
    result.error = mask_secrets(message, secrets)
    result.reachable = False


def _is_tls(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError) or "SSL" in str(seen) or "CERTIFICATE" in str(seen).upper():
            return True
        seen = seen.__cause__ or seen.__context__
    return False
