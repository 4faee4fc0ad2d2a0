"""Ingest every corpus spec once per session for the sandbox and synthetic-data corpus tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import corpus_entries
from vitesse.config import Settings
from vitesse.graph.ingestor import ingest_path
from vitesse.schemas import APISpecification


@pytest.fixture(scope="session")
def corpus_specs(specs_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, APISpecification]:
    """Every spec of the corpus index, ingested once (file name → specification)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("sandbox-corpus"), spec_cache=False)
    return {str(e["file"]): ingest_path(specs_dir / str(e["file"]), settings=settings) for e in corpus_entries()}
