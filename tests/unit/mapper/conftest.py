"""Fixtures for the mapper tests: the bundled example specs, ingested once per session."""

from __future__ import annotations

import pytest

from vitesse.config import Settings
from vitesse.examples import CRM_SPEC, SHOP_SPEC
from vitesse.graph.ingestor import ingest_path
from vitesse.schemas import APISpecification


@pytest.fixture(scope="session")
def example_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("mapper"), spec_cache=False)


@pytest.fixture(scope="session")
def shop(example_settings: Settings) -> APISpecification:
    return ingest_path(SHOP_SPEC, settings=example_settings)


@pytest.fixture(scope="session")
def crm(example_settings: Settings) -> APISpecification:
    return ingest_path(CRM_SPEC, settings=example_settings)
