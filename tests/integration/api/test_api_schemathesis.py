"""Schemathesis against the live API and its own OpenAPI document: no 5xx, every response as documented.

Bounded: a few derandomized (fixed-seed) examples per operation. Every URL a generated body carries is
pointed at a closed loopback port, so no test traffic leaves 127.0.0.1 (runs it starts fail at once).
Schema-valid bodies may still be refused for where their specs live (SSRF guard, server paths, unknown
examples): a 422 on positive data must name only those fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.integration.api._support import LiveServer, bearer, make_settings
from vitesse.api import create_token, openapi_document

URL_FIELDS = ("source_api_url", "dest_api_url", "source_spec_url", "dest_spec_url", "source_base_url", "dest_base_url")
SEMANTIC = {f"body.{name}" for name in URL_FIELDS} | {
    "body.allow_live_writes",
    "body.deployment.env",
    "body.settings.sandbox_faults",
}


async def nothing_resolves(host: str, port: int) -> list[str]:
    raise OSError(f"{host}: no DNS in tests")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    settings_ = make_settings(tmp_path_factory.mktemp("schemathesis"))
    live = LiveServer(settings_, resolver=nothing_resolves, sse_ping_s=0.2).start()
    yield live, bearer(create_token(settings_, subject="fuzz", tenant="fuzz"))
    live.stop()


# The document the server serves (a test below checks they are the same); loaded here so each operation
# becomes its own test (schemathesis' lazy `from_fixture` does not run under pytest 9).
schema = schemathesis.openapi.from_dict(
    openapi_document(), config=SchemathesisConfig.from_dict({"cache": {"enabled": False}})
)


def test_the_served_document_is_the_one_tested(server):
    live, _ = server
    served = httpx.get(f"{live.url}/api/v1/openapi.json", timeout=10).json()
    assert served == openapi_document()


def loopback_only(value: Any) -> Any:
    """Point every http(s) URL in a generated body at 127.0.0.1:1 (closed), keeping its path."""
    if isinstance(value, dict):
        return {
            k: (_closed(v) if k in URL_FIELDS and isinstance(v, str) else loopback_only(v)) for k, v in value.items()
        }
    return value


def _closed(url: str) -> str:
    if not url.lower().startswith(("http://", "https://")):
        return url
    try:
        path = urlsplit(url).path
    except ValueError:
        path = ""
    return "http://127.0.0.1:1" + (path if path.startswith("/") else "/")


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_the_api_answers_as_its_openapi_document_says(case, server):
    live, token = server
    case.body = loopback_only(case.body)
    response = case.call_and_validate(
        base_url=live.url, headers=token, timeout=30, excluded_checks=[positive_data_acceptance]
    )
    assert response.status_code < 500
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    if positive and response.status_code == 422:
        fields = {problem["field"] for problem in response.json()["fields"]}
        assert fields <= SEMANTIC, f"schema-valid data refused for {fields - SEMANTIC}: {response.text}"
