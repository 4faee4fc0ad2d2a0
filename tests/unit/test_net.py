"""The SSRF guard and secret masking of vitesse.net."""

from __future__ import annotations

import ipaddress

import httpx
import pytest

from vitesse.errors import BlockedURLError
from vitesse.net import NetPolicy, check_url, classify_ip, make_client, mask_headers, mask_secrets, mask_url

STRICT = NetPolicy()
LOOPBACK = NetPolicy(allow_loopback=True)
PRIVATE = NetPolicy(allow_private=True)


def resolver_for(table):
    async def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise OSError("unknown host")
        return table[host]

    return resolve


REFUSED_ALWAYS = [
    "169.254.169.254",
    "169.254.0.1",
    "fe80::1",
    "100.100.100.200",
    "fd00:ec2::254",
    "::ffff:169.254.169.254",
    "0.0.0.0",
    "224.0.0.1",
    "64:ff9b::a9fe:a9fe",
]


@pytest.mark.parametrize("address", REFUSED_ALWAYS)
@pytest.mark.parametrize("policy", [STRICT, LOOPBACK, PRIVATE, NetPolicy(True, True)])
def test_link_local_metadata_and_reserved_addresses_are_always_refused(address, policy):
    assert classify_ip(ipaddress.ip_address(address), policy) is not None


@pytest.mark.parametrize("address", ["10.0.0.1", "172.16.5.4", "192.168.1.1", "fc00::1", "100.64.0.1"])
def test_private_addresses_need_the_private_setting(address):
    ip = ipaddress.ip_address(address)
    assert "private" in (classify_ip(ip, STRICT) or "")
    assert classify_ip(ip, PRIVATE) is None


@pytest.mark.parametrize("address", ["127.0.0.1", "127.8.8.8", "::1", "::ffff:127.0.0.1"])
def test_loopback_needs_the_loopback_setting(address):
    ip = ipaddress.ip_address(address)
    assert "loopback" in (classify_ip(ip, STRICT) or "")
    assert classify_ip(ip, LOOPBACK) is None


async def test_host_names_are_checked_by_every_address_they_resolve_to():
    resolve = resolver_for({"api.example.com": ["93.184.216.34"], "sneaky.example.com": ["93.184.216.34", "10.0.0.2"]})
    assert await check_url("https://api.example.com/x", STRICT, resolve) == ["93.184.216.34"]
    with pytest.raises(BlockedURLError, match="10.0.0.2"):
        await check_url("https://sneaky.example.com/x", STRICT, resolve)


@pytest.mark.parametrize(
    "url",
    [
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://metadata/",
        "http://anything.internal/",
        "http://[fe80::1]/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://2852039166/",  # 169.254.169.254 as one decimal number
        "file:///etc/passwd",
        "gopher://127.0.0.1/",
    ],
)
async def test_metadata_names_odd_ip_forms_and_other_schemes_are_refused(url):
    async def system_like(host: str, port: int) -> list[str]:
        return [str(ipaddress.ip_address(int(host)))] if host.isdigit() else ["93.184.216.34"]

    with pytest.raises(BlockedURLError):
        await check_url(url, NetPolicy(allow_loopback=True, allow_private=True), system_like)


async def test_the_client_rechecks_every_redirect_hop():
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.path == "/start":
            return httpx.Response(302, headers={"Location": "http://10.1.2.3/inside"})
        return httpx.Response(200, text="inside")

    resolve = resolver_for({"public.example.com": ["93.184.216.34"]})
    async with make_client(STRICT, transport=httpx.MockTransport(handler), resolver=resolve) as client:
        with pytest.raises(BlockedURLError, match="10.1.2.3"):
            await client.get("http://public.example.com/start")
    assert seen == ["http://public.example.com/start"]


async def test_the_client_lets_public_requests_through():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"host": request.url.host})

    resolve = resolver_for({"public.example.com": ["93.184.216.34"]})
    async with make_client(STRICT, transport=httpx.MockTransport(handler), resolver=resolve) as client:
        response = await client.get("https://public.example.com/ok")
    assert response.json() == {"host": "public.example.com"}


def test_credentials_are_masked_in_headers_urls_and_text():
    headers = mask_headers({"Authorization": "Bearer sk_live_abcdefghijkl", "X-API-Key": "k-123456789", "Accept": "a"})
    assert headers == {"Authorization": "Be****", "X-API-Key": "k-****", "Accept": "a"}
    masked = mask_url("https://user:pw@api.example.com/x?api_key=secret123&page=2")
    assert "secret123" not in masked and "pw@" not in masked and "page=2" in masked
    assert mask_secrets("token sk_live_abcdefghijkl failed", ["sk_live_abcdefghijkl"]) == "token **** failed"
