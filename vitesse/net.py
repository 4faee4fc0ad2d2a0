"""Build the one HTTP client every outbound request goes through, with the SSRF guard and masking.

The guard resolves each request's host (every redirect hop too, because httpx sends each hop
through the transport) and refuses link-local and cloud-metadata addresses always, private and
loopback addresses unless the settings allow them. The checked address is the one connected to
(the URL is pinned to it, with the original Host header and TLS server name), so a DNS answer
that changes between check and connect cannot slip past.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from vitesse.errors import BlockedURLError

Resolver = Callable[[str, int], Awaitable[list[str]]]

METADATA_HOSTS = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
        "metadata.azure.com",
        "metadata.tencentyun.com",
        "kubernetes.default.svc",
    }
)
# Metadata services that do not sit in the link-local range.
METADATA_IPS = frozenset(
    ipaddress.ip_address(a) for a in ("100.100.100.200", "fd00:ec2::254", "192.0.0.192", "169.254.169.254")
)
SENSITIVE_HEADER = re.compile(r"(authorization|cookie|api[-_]?key|token|secret|password|session|signature)", re.I)
SENSITIVE_PARAM = re.compile(r"(api[-_]?key|access[-_]?token|token|secret|password|signature|key|auth)", re.I)
MASK = "****"


@dataclass(frozen=True)
class NetPolicy:
    """What the guard lets through beyond public addresses."""

    allow_loopback: bool = False
    allow_private: bool = False

    @classmethod
    def from_settings(cls, settings: Any) -> NetPolicy:
        return cls(allow_loopback=settings.allow_loopback, allow_private=settings.allow_private_networks)


async def system_resolver(host: str, port: int) -> list[str]:
    """Resolve a host name to its addresses with the system resolver, off the event loop."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def classify_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, policy: NetPolicy) -> str | None:
    """Return why this address is refused under the policy, or None when it may be contacted."""
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            return classify_ip(mapped, policy)
        if ip in ipaddress.ip_network("64:ff9b::/96"):  # NAT64 embeds an IPv4 address
            return classify_ip(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), policy)
    if ip in METADATA_IPS:
        return "cloud metadata addresses are never contacted"
    if ip.is_link_local:
        return "link-local addresses are never contacted"
    if ip.is_loopback:
        return None if policy.allow_loopback else "loopback addresses are refused (set VITESSE_ALLOW_LOOPBACK=true)"
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved:
        return "reserved, multicast and unspecified addresses are never contacted"
    if ip.is_private or ip in ipaddress.ip_network("100.64.0.0/10"):
        if policy.allow_private:
            return None
        return "private network addresses are refused (set VITESSE_ALLOW_PRIVATE_NETWORKS=true)"
    return None


async def check_url(url: str | httpx.URL, policy: NetPolicy, resolver: Resolver = system_resolver) -> list[str]:
    """Refuse a URL the policy does not allow; return the checked addresses of its host."""
    parsed = httpx.URL(str(url)) if not isinstance(url, httpx.URL) else url
    text = mask_url(str(parsed))
    if parsed.scheme not in ("http", "https"):
        raise BlockedURLError(text, f"only http and https URLs are fetched, not {parsed.scheme or 'a bare path'}")
    host = (parsed.host or "").rstrip(".").lower()
    if not host:
        raise BlockedURLError(text, "the URL has no host")
    if host in METADATA_HOSTS or host.endswith(".internal"):
        raise BlockedURLError(text, "cloud metadata host names are never contacted")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        addresses = [host] if _is_ip(host) else await resolver(host, port)
    except (OSError, UnicodeError) as exc:
        raise BlockedURLError(text, f"its host {host} does not resolve ({exc})") from exc
    if not addresses:
        raise BlockedURLError(text, f"its host {host} does not resolve")
    for address in addresses:
        why = classify_ip(ipaddress.ip_address(address.split("%")[0]), policy)
        if why:
            raise BlockedURLError(text, f"{host} resolves to {address}; {why}")
    return addresses


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


class GuardedTransport(httpx.AsyncBaseTransport):
    """Check every request (each redirect hop included) before the inner transport sends it."""

    def __init__(
        self,
        policy: NetPolicy,
        inner: httpx.AsyncBaseTransport | None = None,
        resolver: Resolver = system_resolver,
        pin: bool | None = None,
    ) -> None:
        self._policy = policy
        self._inner = inner or httpx.AsyncHTTPTransport(retries=0)
        self._resolver = resolver
        # Pin the connection to the checked address only for the real network transport.
        self._pin = isinstance(self._inner, httpx.AsyncHTTPTransport) if pin is None else pin

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        addresses = await check_url(request.url, self._policy, self._resolver)
        host = request.url.host
        if self._pin and not _is_ip(host):
            request.url = request.url.copy_with(host=addresses[0])
            request.headers.setdefault("Host", _host_header(request, host))
            request.extensions = {**request.extensions, "sni_hostname": host}
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def _host_header(request: httpx.Request, host: str) -> str:
    port = request.url.port
    return host if port is None else f"{host}:{port}"


def make_client(
    policy: NetPolicy,
    *,
    timeout: float = 30.0,
    transport: httpx.AsyncBaseTransport | None = None,
    resolver: Resolver = system_resolver,
    headers: Mapping[str, str] | None = None,
    max_redirects: int = 5,
    limits: httpx.Limits | None = None,
) -> httpx.AsyncClient:
    """Return an AsyncClient whose every request (and redirect hop) passes the SSRF guard."""
    guarded = GuardedTransport(policy, inner=transport, resolver=resolver)
    return httpx.AsyncClient(
        transport=guarded,
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        follow_redirects=True,
        max_redirects=max_redirects,
        headers=dict(headers or {}),
        limits=limits or httpx.Limits(max_connections=100, max_keepalive_connections=20),
        trust_env=False,
    )


# --------------------------------------------------------------------------------------------
# Masking
# --------------------------------------------------------------------------------------------


def mask_value(value: str) -> str:
    """Keep a hint of a secret's shape without its content: `sk_live_abcdef` → `sk****`."""
    if len(value) <= 8:
        return MASK
    return value[:2] + MASK


def mask_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    """Return the headers with every credential-bearing value masked."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    return {k: (mask_value(v) if SENSITIVE_HEADER.search(k) else v) for k, v in items}


def mask_url(url: str) -> str:
    """Mask credentials in a URL: user:password@ and secret-looking query parameters."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return url
    if parsed.userinfo:
        parsed = parsed.copy_with(username=MASK, password=None)
    if parsed.query:
        params = [(k, MASK if SENSITIVE_PARAM.search(k) else v) for k, v in parsed.params.multi_items()]
        parsed = parsed.copy_with(params=params)
    return str(parsed)


def mask_secrets(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every known secret value in a text (longest first, so prefixes do not leak)."""
    for secret in sorted((s for s in secrets if s and len(s) >= 4), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text
