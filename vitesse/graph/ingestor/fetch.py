"""Fetch a spec: from a file, a spec URL, or an API base URL by discovery at the common locations.

Every remote read goes through the SSRF-guarded client of `vitesse.net`, streams with a size cap
and a timeout, and turns each failure into an `IngestError` that names the place and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

from vitesse.errors import BlockedURLError, IngestError, IngestReason
from vitesse.net import mask_url

COMMON_PATHS = (
    "/openapi.json",
    "/openapi.yaml",
    "/openapi.yml",
    "/swagger.json",
    "/swagger.yaml",
    "/v1/openapi.json",
    "/v2/openapi.json",
    "/v3/openapi.json",
    "/api/openapi.json",
    "/api/v1/openapi.json",
    "/v3/api-docs",
    "/v2/api-docs",
    "/api-docs",
    "/api-docs.json",
    "/api/swagger.json",
    "/swagger/v1/swagger.json",
    "/swagger/doc.json",
    "/docs/openapi.json",
    "/openapi/v1.json",
    "/.well-known/openapi.json",
    "/.well-known/openapi.yaml",
)
SPEC_MARKERS = (b'"openapi"', b'"swagger"', b"openapi:", b"swagger:", b"'openapi'", b"'swagger'")


@dataclass
class Fetched:
    data: bytes
    uri: str
    """Absolute file path or URL: the base for relative `$ref`s."""
    remote: bool
    tried: list[str] = field(default_factory=list)


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def read_file(path: str | Path, max_bytes: int) -> Fetched:
    """Read a local spec file with the size cap."""
    p = Path(str(path).removeprefix("file://")).expanduser()
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise IngestError(IngestReason.NOT_FOUND, f"no such file: {p}", source=str(p)) from None
    except OSError as exc:
        raise IngestError(IngestReason.UNREACHABLE, f"cannot read {p}: {exc.strerror}", source=str(p)) from exc
    if p.is_dir():
        raise IngestError(IngestReason.NOT_A_SPEC, f"{p} is a directory, not a spec file", source=str(p))
    if size > max_bytes:
        raise IngestError(IngestReason.TOO_LARGE, _too_large(str(p), size, max_bytes), source=str(p))
    return Fetched(p.read_bytes(), str(p.resolve()), remote=False)


def _too_large(where: str, size: int, limit: int) -> str:
    return (
        f"{where} is {size / 1e6:.1f} MB, over the {limit / 1e6:.0f} MB limit "
        "(raise VITESSE_MAX_SPEC_BYTES if you trust it)"
    )


async def fetch_url(client: httpx.AsyncClient, url: str, max_bytes: int) -> tuple[int, bytes, str]:
    """GET a URL with the size cap; return (status, body, final URL). Errors become IngestError."""
    shown = mask_url(url)
    try:
        async with client.stream("GET", url, headers={"Accept": "application/json, application/yaml, */*"}) as resp:
            declared = resp.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise IngestError(IngestReason.TOO_LARGE, _too_large(shown, int(declared), max_bytes), source=shown)
            chunks: list[bytes] = []
            total = 0
            async for chunk in resp.aiter_bytes():
                total += len(chunk)
                if total > max_bytes:
                    raise IngestError(IngestReason.TOO_LARGE, _too_large(shown, total, max_bytes), source=shown)
                chunks.append(chunk)
            return resp.status_code, b"".join(chunks), str(resp.url)
    except BlockedURLError as exc:
        raise IngestError(IngestReason.BLOCKED_URL, str(exc), source=shown) from exc
    except httpx.TimeoutException as exc:
        raise IngestError(IngestReason.TIMEOUT, f"timed out fetching {shown}", source=shown) from exc
    except httpx.TooManyRedirects as exc:
        raise IngestError(IngestReason.UNREACHABLE, f"too many redirects fetching {shown}", source=shown) from exc
    except httpx.TransportError as exc:
        raise IngestError(
            IngestReason.UNREACHABLE, f"cannot reach {shown}: {type(exc).__name__} {exc}".strip(), source=shown
        ) from exc


def looks_like_spec(data: bytes) -> bool:
    head = data[:4096]
    return any(marker in head for marker in SPEC_MARKERS) or (b"openapi" in data[:65536])


def candidate_urls(base: str) -> list[str]:
    """Return discovery URLs for a base URL: the common paths under its own path, then under the root."""
    parts = urlsplit(base)
    prefix = parts.path.rstrip("/")
    urls: list[str] = []
    for common in COMMON_PATHS:
        for path in ([prefix + common] if prefix else []) + [common]:
            url = urlunsplit((parts.scheme, parts.netloc, path, "", ""))
            if url not in urls:
                urls.append(url)
    return urls


async def fetch_remote(client: httpx.AsyncClient, url: str, max_bytes: int, *, discover: bool) -> Fetched:
    """Fetch a spec URL; when it is not a spec and `discover` is set, try the common locations."""
    tried = [mask_url(url)]
    status, data, final = await fetch_url(client, url, max_bytes)
    if 200 <= status < 300 and looks_like_spec(data):
        return Fetched(data, final, remote=True, tried=tried)
    if not discover:
        if status >= 400:
            raise IngestError(IngestReason.HTTP_ERROR, f"{mask_url(url)} answered HTTP {status}", source=url)
        return Fetched(data, final, remote=True, tried=tried)
    for candidate in candidate_urls(url):
        if mask_url(candidate) in tried:
            continue
        tried.append(mask_url(candidate))
        try:
            status, data, final = await fetch_url(client, candidate, max_bytes)
        except IngestError as exc:
            if exc.reason in (IngestReason.BLOCKED_URL, IngestReason.TOO_LARGE):
                raise
            continue
        if 200 <= status < 300 and looks_like_spec(data):
            return Fetched(data, final, remote=True, tried=tried)
    raise IngestError(
        IngestReason.NOT_FOUND,
        f"no OpenAPI/Swagger document found at {mask_url(url)} or at {len(tried) - 1} common locations; "
        "pass the document's address with --spec-url (spec_url)",
        source=url,
        tried=tried,
    )
