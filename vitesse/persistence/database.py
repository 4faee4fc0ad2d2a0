"""Open the database the settings name and bring its schema to the latest migration."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool

from vitesse.config import Settings
from vitesse.errors import PersistenceError
from vitesse.net import mask_url
from vitesse.persistence.models import Base

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any constant works; it only has to be the same in every process that migrates this database.
_MIGRATION_LOCK_ID = 7_318_245_501
_WAL_ATTEMPTS = 20


def create_engine_from_settings(settings: Settings, **kwargs: Any) -> AsyncEngine:
    """Create the async engine for `settings.sqlalchemy_url` (SQLite via aiosqlite, PostgreSQL via psycopg 3).

    Args:
        settings: The process settings.
        **kwargs: Extra `create_async_engine` arguments (e.g. `poolclass`), overriding the defaults.

    Returns:
        An engine; SQLite connections have foreign keys on and wait up to 30 s for a lock (`init_db`
        switches the file to WAL).
    """
    url = make_url(settings.sqlalchemy_url)
    options: dict[str, Any] = {"pool_pre_ping": True}
    if url.get_backend_name() == "sqlite":
        options = _sqlite_options(url.database)
    elif url.get_backend_name() == "postgresql":
        # No server-side prepared statements: they break behind PgBouncer in transaction mode.
        options["connect_args"] = {"prepare_threshold": None}
    options.update(kwargs)
    engine = create_async_engine(url, **options)
    if url.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
    return engine


def _sqlite_options(database: str | None) -> dict[str, Any]:
    if not database or database == ":memory:":
        # One shared connection, or every session would see its own empty database.
        return {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    return {"connect_args": {"timeout": 30}}


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Per-connection settings; WAL is a property of the file, set once by init_db.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


async def _enable_wal(engine: AsyncEngine) -> None:
    """Switch a SQLite file to WAL; retried, because the switch fails at once while another connection is open."""
    for attempt in range(_WAL_ATTEMPTS):
        try:
            async with engine.connect() as conn:
                mode = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar()
                if str(mode).lower() in ("wal", "memory"):
                    return
                await conn.exec_driver_sql("PRAGMA journal_mode=WAL")
                return
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == _WAL_ATTEMPTS - 1:
                raise
            await asyncio.sleep(0.05 * (attempt + 1))


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Return the session maker; objects stay readable after commit.

    Args:
        engine: From `create_engine_from_settings`.

    Returns:
        Use as `async with factory() as session, session.begin(): ...`.
    """
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str | None = None) -> Config:
    """Return an Alembic config pointing at our migrations (no alembic.ini needed).

    Args:
        url: The database URL, only needed when Alembic opens its own connection (the CLI path).

    Returns:
        A `Config` for `alembic.command`.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def init_db(engine: AsyncEngine) -> str:
    """Apply every pending migration; safe to call on each start and from several processes.

    Args:
        engine: From `create_engine_from_settings`.

    Returns:
        The revision the database is at afterwards.

    Raises:
        PersistenceError: the database cannot be reached or a migration failed.
    """
    try:
        if engine.dialect.name == "sqlite":
            await _enable_wal(engine)
        async with engine.connect() as conn:
            revision = await conn.run_sync(_upgrade)
            await conn.commit()
            if conn.dialect.name == "sqlite":
                await conn.exec_driver_sql("PRAGMA foreign_keys=ON")
    except (SQLAlchemyError, OSError) as exc:
        where = mask_url(engine.url.render_as_string(hide_password=True))
        raise PersistenceError(f"Could not migrate the database at {where}: {exc.__class__.__name__}: {exc}") from exc
    return revision


async def upgrade_database(settings: Settings) -> str:
    """Migrate the settings' database to the newest revision and close it (for `vitesse db upgrade`).

    Args:
        settings: The process settings.

    Returns:
        The revision the database is at afterwards.
    """
    engine = create_engine_from_settings(settings)
    try:
        return await init_db(engine)
    finally:
        await engine.dispose()


def _upgrade(connection: Connection) -> str:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_ID})")
    elif connection.dialect.name == "sqlite":
        # Batch migrations copy tables; with foreign keys on, a copy would cascade-delete children.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        # Take the write lock first, so a second process waits, then finds the schema at head.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
    return current_revision(connection) or ""


def current_revision(connection: Connection) -> str | None:
    """Return the migration revision a (sync) connection's database is at, None when never migrated."""
    return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """Return the newest migration revision shipped with this code."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise PersistenceError(f"No migrations found in {MIGRATIONS_DIR}")
    return head


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Tell Alembic to leave alone tables that are not ours (the checkpointer's, in the same database)."""
    if type_ == "table":
        return name in Base.metadata.tables
    return True
