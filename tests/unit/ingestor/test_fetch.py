"""Fetching specs: files, URLs, discovery at the common locations, size caps, SSRF and external refs."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from vitesse.config import Settings
from vitesse.errors import IngestError, IngestReason
from vitesse.graph.ingestor import ingest, ingest_path
from vitesse.graph.ingestor.fetch import COMMON_PATHS

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "Served API", "version": "1"},
    "paths": {"/things": {"get": {"responses": {"200": {"description": "ok"}}}}},
}


class Routes:
    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, bytes, dict[str, str]]] = {}
        self.hits: list[str] = []


@pytest.fixture
def server() -> Iterator[tuple[str, Routes]]:
    routes = Routes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            routes.hits.append(self.path)
            status, body, headers = routes.pages.get(self.path, (404, b"<html>not here</html>", {}))
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", routes
    finally:
        httpd.shutdown()
        httpd.server_close()


async def test_discovery_finds_a_spec_at_a_common_location(server, settings):
    base, routes = server
    routes.pages["/v3/api-docs"] = (200, json.dumps(SPEC).encode(), {"Content-Type": "application/json"})
    spec = await ingest(base, settings=settings)
    assert spec.title == "Served API"
    assert "/v3/api-docs" in routes.hits and routes.hits[0] == "/"


async def test_discovery_under_the_base_path_comes_before_the_root(server, settings):
    base, routes = server
    routes.pages["/api/openapi.json"] = (200, json.dumps(SPEC).encode(), {})
    spec = await ingest(f"{base}/api", settings=settings)
    assert spec.title == "Served API"


async def test_discovery_that_finds_nothing_reports_every_location_it_tried(server, settings):
    base, _ = server
    with pytest.raises(IngestError) as info:
        await ingest(base, settings=settings)
    assert info.value.reason == IngestReason.NOT_FOUND
    assert "--spec-url" in str(info.value)
    tried = info.value.tried
    assert len(tried) == 1 + len(COMMON_PATHS)
    assert f"{base}/swagger.json" in tried and f"{base}/v3/api-docs" in tried


async def test_an_explicit_spec_url_is_used_as_given(server, settings):
    base, routes = server
    routes.pages["/docs/the-spec"] = (200, json.dumps(SPEC).encode(), {})
    spec = await ingest("https://api.example.invalid", spec_url=f"{base}/docs/the-spec", settings=settings)
    assert spec.title == "Served API"
    assert routes.hits == ["/docs/the-spec"]


async def test_a_spec_url_that_answers_an_error_says_so(server, settings):
    base, _ = server
    with pytest.raises(IngestError) as info:
        await ingest(base, spec_url=f"{base}/missing.json", settings=settings)
    assert info.value.reason == IngestReason.HTTP_ERROR and "404" in str(info.value)


async def test_a_response_over_the_size_limit_is_refused(server, tmp_path):
    base, routes = server
    routes.pages["/openapi.json"] = (200, b"{" + b" " * 5000 + b"}", {})
    small = Settings(data_dir=tmp_path, allow_loopback=True, max_spec_bytes=1000)
    with pytest.raises(IngestError) as info:
        await ingest(f"{base}/openapi.json", settings=small)
    assert info.value.reason == IngestReason.TOO_LARGE


async def test_loopback_is_refused_unless_the_settings_allow_it(server, tmp_path):
    base, routes = server
    routes.pages["/openapi.json"] = (200, json.dumps(SPEC).encode(), {})
    strict = Settings(data_dir=tmp_path, allow_loopback=False)
    with pytest.raises(IngestError) as info:
        await ingest(f"{base}/openapi.json", settings=strict)
    assert info.value.reason == IngestReason.BLOCKED_URL
    assert routes.hits == []


async def test_a_redirect_to_a_metadata_address_is_refused(server, settings):
    base, routes = server
    routes.pages["/openapi.json"] = (302, b"", {"Location": "http://169.254.169.254/latest/meta-data/"})
    with pytest.raises(IngestError) as info:
        await ingest(f"{base}/openapi.json", settings=settings)
    assert info.value.reason == IngestReason.BLOCKED_URL
    assert "169.254.169.254" in str(info.value)


async def test_an_unreachable_url_is_a_clear_error(settings):
    with pytest.raises(IngestError) as info:
        await ingest("http://127.0.0.1:9/openapi.json", settings=settings)
    assert info.value.reason == IngestReason.UNREACHABLE


async def test_a_remote_spec_may_not_reference_local_files(server, settings):
    base, routes = server
    doc = dict(SPEC, components={"schemas": {"X": {"$ref": "file:///etc/passwd"}}})
    routes.pages["/openapi.json"] = (200, json.dumps(doc).encode(), {})
    with pytest.raises(IngestError) as info:
        await ingest(f"{base}/openapi.json", settings=settings)
    assert info.value.reason == IngestReason.FORBIDDEN_REF


async def test_remote_relative_refs_are_fetched_through_the_guard(server, settings):
    base, routes = server
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "Split", "version": "1"},
        "paths": {"/pets": {"$ref": "paths/pets.json"}},
    }
    pets = {
        "get": {
            "responses": {
                "200": {
                    "description": "ok",
                    "content": {
                        "application/json": {"schema": {"type": "array", "items": {"$ref": "../schemas.json#/Pet"}}}
                    },
                }
            }
        }
    }
    schemas = {"Pet": {"type": "object", "properties": {"name": {"type": "string"}}}}
    routes.pages["/spec/openapi.json"] = (200, json.dumps(doc).encode(), {})
    routes.pages["/spec/paths/pets.json"] = (200, json.dumps(pets).encode(), {})
    routes.pages["/spec/schemas.json"] = (200, json.dumps(schemas).encode(), {})
    spec = await ingest(f"{base}/spec/openapi.json", settings=settings)
    pets_ep = spec.find_endpoint("GET /pets")
    assert pets_ep is not None and [f.path for f in pets_ep.record_fields] == ["name"]


def test_local_specs_follow_relative_file_refs_and_warn_on_missing_ones(tmp_path, settings):
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "pet.yaml").write_text("type: object\nproperties:\n  name: {type: string}\n")
    (tmp_path / "api.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: Local, version: '1'}\npaths:\n"
        "  /pets:\n    get:\n      responses:\n        '200':\n          description: ok\n"
        "          content:\n            application/json:\n              schema:\n"
        "                type: array\n                items: {$ref: 'schemas/pet.yaml'}\n"
        "  /owners:\n    get:\n      responses:\n        '200':\n          description: ok\n"
        "          content:\n            application/json:\n              schema:\n"
        "                type: array\n                items: {$ref: 'schemas/missing.yaml'}\n"
    )
    spec = ingest_path(tmp_path / "api.yaml", settings=settings)
    assert [f.path for f in spec.find_endpoint("GET /pets").record_fields] == ["name"]
    assert any("missing.yaml" in w for w in spec.warnings)


def test_a_missing_file_is_a_clear_error(tmp_path, settings):
    with pytest.raises(IngestError) as info:
        ingest_path(tmp_path / "nope.yaml", settings=settings)
    assert info.value.reason == IngestReason.NOT_FOUND and "nope.yaml" in str(info.value)


def test_repeat_ingests_come_from_the_digest_keyed_cache(tmp_path, settings):
    path = tmp_path / "api.json"
    path.write_text(json.dumps(SPEC))
    first = ingest_path(path, settings=settings)
    cached = list((settings.data_dir / "cache" / "specs").glob("*.json"))
    assert len(cached) == 1
    second = ingest_path(path, settings=settings)
    assert second.model_dump() == first.model_dump()
    path.write_text(json.dumps(dict(SPEC, info={"title": "Changed", "version": "2"})))
    assert ingest_path(path, settings=settings).title == "Changed"
