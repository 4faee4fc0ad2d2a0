"""Fixtures for the HTTP API: module-wide settings on a temporary SQLite file, tokens for two tenants, a live server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.api._support import LiveServer, bearer, make_settings
from vitesse.api import create_token
from vitesse.config import Settings


@pytest.fixture(scope="module")
def api_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("api")


@pytest.fixture(scope="module")
def api_settings(api_root: Path) -> Settings:
    return make_settings(api_root)


@pytest.fixture(scope="module")
def acme(api_settings: Settings) -> dict[str, str]:
    return bearer(create_token(api_settings, subject="ana", tenant="acme"))


@pytest.fixture(scope="module")
def globex(api_settings: Settings) -> dict[str, str]:
    return bearer(create_token(api_settings, subject="gus", tenant="globex"))


@pytest.fixture(scope="module")
def live(api_settings: Settings) -> Iterator[LiveServer]:
    server = LiveServer(api_settings, sse_ping_s=0.3).start()
    yield server
    server.stop()
