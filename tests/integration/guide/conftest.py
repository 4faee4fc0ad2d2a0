"""Fixtures for the guide's snippets: the guide's hosts on loopback, the example APIs' sandboxes, the environment.

The guide's placeholders become local stand-ins: `https://api.shopify.com/swagger.json` and
`https://api.credo.com/openapi.json` are the bundled example specs served as JSON by small HTTP servers on
127.0.0.1 (their `servers` rewritten to the sandboxes of the same specs, so a deployed runtime stays on
loopback), and `AgentContext()` reads settings that point the data directory and database at a temp folder.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from vitesse.config import Settings
from vitesse.examples import CRM_SPEC, SHOP_SPEC
from vitesse.graph.ingestor import ingest_path
from vitesse.sandbox import SandboxServer, start_sandbox
from vitesse.schemas import APISpecification

GUIDE_ENV_CLEARED = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "EKS_CLUSTER_NAME", "DOCKER_HOST", "POSTGRES_SERVER")


class StaticSite:
    """A tiny HTTP server on 127.0.0.1 that answers GET for fixed paths and 404 for everything else."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.requested: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (the http.server name)
                site.requested.append(self.path)
                body = site.files.get(self.path.split("?", 1)[0])
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/json" if body is not None else "text/plain")
                payload = body if body is not None else b"not here"
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> StaticSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


def spec_json(path: Path, server_url: str) -> bytes:
    """The example spec as JSON, its API served by `server_url` (a sandbox of the same spec)."""
    document = yaml.safe_load(path.read_text())
    document["servers"] = [{"url": server_url, "description": "sandbox on loopback"}]
    return json.dumps(document).encode()


@dataclass
class GuideHosts:
    """The guide's hosts, played on loopback."""

    shopify: StaticSite
    """Serves `/swagger.json` (the Acme Shop example)."""
    credo: StaticSite
    """Serves `/openapi.json` (the Orbit CRM example)."""
    coingecko: StaticSite
    """Publishes no spec at any common location."""
    shop_sandbox: SandboxServer
    crm_sandbox: SandboxServer

    @property
    def shopify_spec_url(self) -> str:
        return f"{self.shopify.url}/swagger.json"

    @property
    def credo_spec_url(self) -> str:
        return f"{self.credo.url}/openapi.json"


@pytest.fixture(scope="session")
def example_specs() -> tuple[APISpecification, APISpecification]:
    """The two example APIs, ingested once."""
    settings = Settings(spec_cache=False)
    return ingest_path(SHOP_SPEC, settings=settings, name="Shopify"), ingest_path(CRM_SPEC, settings=settings)


@pytest.fixture(scope="session")
def guide_hosts(example_specs) -> Iterator[GuideHosts]:
    shop, crm = example_specs
    with start_sandbox(shop, seed=7) as shop_box, start_sandbox(crm, seed=8) as crm_box:
        sites = [
            StaticSite({"/swagger.json": spec_json(SHOP_SPEC, shop_box.base_url)}).start(),
            StaticSite({"/openapi.json": spec_json(CRM_SPEC, crm_box.base_url)}).start(),
            StaticSite({}).start(),
        ]
        try:
            yield GuideHosts(*sites, shop_sandbox=shop_box, crm_sandbox=crm_box)
        finally:
            for site in sites:
                site.stop()


@pytest.fixture
def guide_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The environment `AgentContext()` reads: a temp data folder and SQLite file, loopback allowed, no LLM."""
    for name in GUIDE_ENV_CLEARED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VITESSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'vitesse.db'}")
    monkeypatch.setenv("VITESSE_ALLOW_LOOPBACK", "true")
    monkeypatch.setenv("VITESSE_SPEC_CACHE", "false")
    monkeypatch.setenv("VITESSE_ENV", "test")
    monkeypatch.setenv("SECRET_KEY", "guide-test-secret-key")
    return Settings()
