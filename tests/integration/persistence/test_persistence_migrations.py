"""Migrations build every table on an empty SQLite file and an empty PostgreSQL database, and match the models."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from vitesse.config import Settings
from vitesse.errors import PersistenceError
from vitesse.persistence import (
    Base,
    alembic_config,
    create_engine_from_settings,
    current_revision,
    head_revision,
    init_db,
    upgrade_database,
)
from vitesse.persistence.database import include_object

TABLES = {
    "integrations",
    "transformations",
    "test_results",
    "integration_audit_logs",
    "deployments",
    "sync_runs",
    "api_keys",
    "graph_runs",  # 0002: the HTTP API's runs and event log
    "run_events",
}


def make_settings(url: str, data_dir: Path) -> Settings:
    return Settings(database_url=url, data_dir=data_dir, environment="test")


def _schema(sync_conn):
    context = MigrationContext.configure(sync_conn, opts={"include_object": include_object, "compare_type": True})
    tables = set(inspect(sync_conn).get_table_names())
    return tables, current_revision(sync_conn), compare_metadata(context, Base.metadata)


async def test_migrations_create_every_table_and_match_the_models(empty_url, tmp_path):
    engine = create_engine_from_settings(make_settings(empty_url, tmp_path))
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(current_revision) is None
        assert await init_db(engine) == head_revision()
        async with engine.connect() as conn:
            tables, revision, diff = await conn.run_sync(_schema)
    finally:
        await engine.dispose()
    assert tables == TABLES | {"alembic_version"}
    assert set(Base.metadata.tables) == TABLES
    assert revision == head_revision()
    assert diff == []  # the migration scripts build exactly what the models declare


async def test_two_processes_migrating_at_once_both_succeed(empty_url, tmp_path):
    """The second migrator waits for the first (advisory lock / SQLite write lock), then finds nothing to do."""
    engines = [create_engine_from_settings(make_settings(empty_url, tmp_path)) for _ in range(2)]
    try:
        revisions = await asyncio.gather(*(init_db(e) for e in engines))
        assert revisions == [head_revision()] * 2
        assert await init_db(engines[0]) == head_revision()  # and again on the next start
    finally:
        for engine in engines:
            await engine.dispose()


async def test_sqlite_connections_enforce_foreign_keys_after_migrating(tmp_path):
    engine = create_engine_from_settings(make_settings(f"sqlite:///{tmp_path / 'fk.db'}", tmp_path))
    try:
        await init_db(engine)
        async with engine.connect() as conn:
            pragmas = [(await conn.exec_driver_sql(f"PRAGMA {p}")).scalar() for p in ("foreign_keys", "journal_mode")]
    finally:
        await engine.dispose()
    assert pragmas == [1, "wal"]


async def test_an_unreachable_database_gives_a_persistence_error_without_the_password(tmp_path):
    url = "postgresql://vitesse:hunter2-secret@127.0.0.1:1/vitesse"
    engine = create_engine_from_settings(make_settings(url, tmp_path))
    try:
        with pytest.raises(PersistenceError, match="Could not migrate") as caught:
            await init_db(engine)
    finally:
        await engine.dispose()
    assert "hunter2-secret" not in str(caught.value)


async def test_upgrade_database_migrates_and_closes(empty_url, tmp_path):
    assert await upgrade_database(make_settings(empty_url, tmp_path)) == head_revision()
    engine = create_engine_from_settings(make_settings(empty_url, tmp_path))
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(current_revision) == head_revision()
    finally:
        await engine.dispose()


def test_the_alembic_command_line_path_opens_its_own_engine(tmp_path):
    """`alembic_config(url)` serves Alembic commands run outside an event loop (revision authoring, downgrade)."""
    url = make_settings(f"sqlite:///{tmp_path / 'cli.db'}", tmp_path).sqlalchemy_url
    config = alembic_config(url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    command.upgrade(config, "head")
    with sqlite3.connect(tmp_path / "cli.db") as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    assert TABLES <= tables and version == head_revision()
