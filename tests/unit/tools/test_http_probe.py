"""http_probe: reports what an URL answers, refuses SSRF targets as data, never shows a secret."""

from __future__ import annotations

import inspect
import socket

import httpx
import pytest

from vitesse.config import Settings
from vitesse.examples import SHOP_SPEC
from vitesse.graph.ingestor import ingest_path
from vitesse.net import NetPolicy, make_client
from vitesse.sandbox import start_sandbox
from vitesse.tools.http_probe import BODY_EXCERPT_CHARS, READ_LIMIT_BYTES, HttpProbeInput, HttpProbeResult, http_probe

SECRET = "sk_live_4f9a8b7c6d5e"
NO_LOOPBACK = Settings(allow_loopback=False, allow_private_networks=False)
HOSTS = {"public.example": ["93.184.215.14"], "localhost": ["127.0.0.1"], "internal.example": ["10.1.2.3"]}


async def _resolver(host: str, port: int) -> list[str]:
    return HOSTS.get(host, ["93.184.215.14"])


def _mock_client(handler, policy: NetPolicy | None = None) -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    """A guarded client whose network is a MockTransport: the guard runs, nothing leaves the process."""
    return make_client(policy or NetPolicy(), transport=httpx.MockTransport(handler), resolver=_resolver)


def test_the_tool_is_one_typed_async_function_with_pydantic_models():
    assert inspect.iscoroutinefunction(http_probe)
    assert (http_probe.__doc__ or "").splitlines()[0].startswith("Send one HTTP request")
    assert {"url", "method", "headers", "body", "timeout_s"} <= set(HttpProbeInput.model_json_schema()["properties"])
    assert "error_kind" in HttpProbeResult.model_fields
    params = inspect.signature(http_probe).parameters
    assert params["settings"].kind == params["client"].kind == inspect.Parameter.KEYWORD_ONLY


async def test_a_real_loopback_server_is_probed_when_loopback_is_allowed(settings):
    with start_sandbox(ingest_path(SHOP_SPEC), seed=1) as server:
        url = f"{server.base_url}/customers?limit=2&api_key={SECRET}"
        result = await http_probe(url, headers={"X-API-Key": SECRET, "Accept": "application/json"}, settings=settings)
        refused = await http_probe(url, settings=NO_LOOPBACK)
    assert result.error is None and result.reachable
    assert result.status_code == 200 and result.latency_ms is not None and result.latency_ms > 0
    assert result.content_type == "application/json" and result.headers["content-type"] == "application/json"
    assert result.body_excerpt is not None and result.body_excerpt.startswith('{"object":"list"')
    assert SECRET not in result.model_dump_json(), "the query secret is masked in the URL"
    assert refused.error_kind == "blocked" and refused.status_code is None and not refused.reachable
    assert "VITESSE_ALLOW_LOOPBACK" in (refused.error or "")


SSRF_URLS = [
    "http://169.254.169.254/latest/meta-data/",
    "http://169.254.170.2/v2/credentials",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://metadata/",
    "http://100.100.100.200/latest/meta-data/",
    "http://10.0.0.1/",
    "http://192.168.1.1/admin",
    "http://172.16.0.1/",
    "http://127.0.0.1:8080/",
    "http://[::1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[fd00:ec2::254]/",
    "http://[fe80::1]/",
    "http://2852039166/",
    "http://0.0.0.0/",
]


@pytest.mark.parametrize("url", SSRF_URLS)
async def test_ssrf_targets_are_refused_as_data_not_exceptions(url):
    result = await http_probe(url, settings=NO_LOOPBACK)
    assert result.error_kind == "blocked", result
    assert result.status_code is None and result.body_excerpt is None


async def test_a_redirect_to_a_forbidden_address_is_refused_on_that_hop():
    hops: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hops.append(str(request.url))
        targets = {
            "/meta": "http://169.254.169.254/latest/",
            "/local": "http://localhost/",
            "/lan": "http://internal.example/",
        }
        return httpx.Response(302, headers={"Location": targets[request.url.path]})

    for path in ("/meta", "/local", "/lan"):
        async with _mock_client(handler) as client:
            result = await http_probe(f"http://public.example{path}", client=client)
        assert result.error_kind == "blocked", (path, result)
    assert hops == ["http://public.example/meta", "http://public.example/local", "http://public.example/lan"], (
        "only the first hop was sent"
    )


async def test_secrets_are_masked_in_headers_url_and_echoed_bodies():
    def handler(request: httpx.Request) -> httpx.Response:
        echo = f'{{"seen": "{request.headers["authorization"]}", "token": "tok_abcdef123456", "ok": true}}'
        return httpx.Response(
            200,
            text=echo,
            headers={"Set-Cookie": "session=abcdef0123456789", "X-RateLimit-Remaining": "9", "X-Api-Key": SECRET},
        )

    async with _mock_client(handler) as client:
        result = await http_probe(
            "https://user:hunter2secret@public.example/v1?token=tok_abcdef123456",
            headers={"Authorization": f"Bearer {SECRET}"},
            client=client,
        )
    dumped = result.model_dump_json()
    for secret in (SECRET, "hunter2secret", "tok_abcdef123456", "abcdef0123456789"):
        assert secret not in dumped, secret
    assert result.headers["x-ratelimit-remaining"] == "9"
    assert '"ok": true' in (result.body_excerpt or "")


async def test_the_body_excerpt_is_capped():
    async with _mock_client(lambda request: httpx.Response(200, content=b"a" * 1_000_000)) as client:
        result = await http_probe("http://public.example/big", client=client)
    assert result.status_code == 200
    assert len(result.body_excerpt or "") == BODY_EXCERPT_CHARS and result.body_truncated
    assert result.body_bytes == READ_LIMIT_BYTES


async def test_timeouts_and_refused_connections_are_data(settings):
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("too slow", request=request)

    async with _mock_client(slow) as client:
        timed_out = await http_probe("http://public.example/slow", timeout_s=0.5, client=client)
    assert timed_out.error_kind == "timeout" and "0.5 s" in (timed_out.error or "")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    refused = await http_probe(f"http://127.0.0.1:{port}/", settings=settings, timeout_s=2)
    assert refused.error_kind == "connect" and not refused.reachable


@pytest.mark.parametrize(
    ("url", "method", "kind"),
    [("ftp://example.com/file", "GET", "invalid_input"), ("not a url", "GET", "invalid_input"),
     ("http://public.example/", "BREW", "invalid_input")],
)  # fmt: skip
async def test_bad_input_is_reported_not_raised(url, method, kind):
    result = await http_probe(url, method=method, settings=NO_LOOPBACK)
    assert result.error_kind == kind and result.error
