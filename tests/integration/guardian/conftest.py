"""Fixtures for the Guardian tests: settings that allow loopback, the example specs ingested once."""

from __future__ import annotations

import pytest

from vitesse.config import Settings
from vitesse.examples import CRM_SPEC, SHOP_SPEC
from vitesse.graph.ingestor import ingest_path
from vitesse.schemas import APISpecification


@pytest.fixture(scope="session")
def guardian_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        data_dir=tmp_path_factory.mktemp("guardian"), spec_cache=False, allow_loopback=True, environment="test"
    )


@pytest.fixture(scope="session")
def shop(guardian_settings: Settings) -> APISpecification:
    return ingest_path(SHOP_SPEC, settings=guardian_settings)


@pytest.fixture(scope="session")
def crm(guardian_settings: Settings) -> APISpecification:
    return ingest_path(CRM_SPEC, settings=guardian_settings)
