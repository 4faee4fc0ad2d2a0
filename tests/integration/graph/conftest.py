"""Settings for orchestrator tests on SQLite and on the real PostgreSQL (a fresh database per test run)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from vitesse.config import Settings


@pytest.fixture(scope="session")
def fresh_postgres(postgres_url: str) -> Iterator[str]:
    name = f"vitesse_graph_{secrets.token_hex(4)}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield postgres_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(params=["sqlite", "postgres"])
def db_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    url = f"sqlite:///{tmp_path / 'vitesse.db'}"
    if request.param == "postgres":
        url = request.getfixturevalue("fresh_postgres")
    return Settings(
        data_dir=tmp_path / "data",
        database_url=url,
        allow_loopback=True,
        spec_cache=False,
        secret_key="test-secret-key-for-graph-tests",
    )
