"""Shared fixtures: settings for tests, the real-spec corpus, and service checks that fail under CI."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from vitesse.config import Settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("VITESSE_SHARED_DIR", ROOT.parent / "shared"))
SPECS_DIR = SHARED / "specs"
GOLDEN_DIR = SHARED / "evals" / "golden"
EXAMPLES_DIR = ROOT / "vitesse" / "examples" / "specs"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need(condition: bool, reason: str) -> None:
    """Skip when a service or data set is missing on a laptop; fail under CI, where it must be there."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required under CI: {reason}")
    pytest.skip(reason)


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def corpus_entries() -> list[dict[str, object]]:
    index = SPECS_DIR / "index.json"
    if not index.exists():
        return []
    return list(json.loads(index.read_text()))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for tests: loopback allowed, data in a temporary folder, no LLM key."""
    return Settings(
        data_dir=tmp_path / "data",
        allow_loopback=True,
        openai_api_key=None,
        database_url=f"sqlite:///{tmp_path / 'vitesse.db'}",
        environment="test",
    )


@pytest.fixture(scope="session")
def specs_dir() -> Path:
    need((SPECS_DIR / "index.json").exists(), f"the real-spec corpus is not at {SPECS_DIR}")
    return SPECS_DIR


@pytest.fixture(scope="session")
def golden_dir() -> Path:
    need(GOLDEN_DIR.is_dir(), f"the golden mappings are not at {GOLDEN_DIR}")
    return GOLDEN_DIR


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The PostgreSQL server the tests use (127.0.0.1:5432, trust auth)."""
    need(port_open("127.0.0.1", 5432), "PostgreSQL is not listening on 127.0.0.1:5432")
    return "postgresql://postgres@127.0.0.1:5432/postgres"
