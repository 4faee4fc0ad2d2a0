"""Database fixtures: every test here runs on SQLite and on the real PostgreSQL (a fresh database per run)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from vitesse.config import Settings
from vitesse.persistence import Base, create_engine_from_settings, init_db, session_factory
from vitesse.schemas import (
    APISpecification,
    AuthScheme,
    AuthType,
    DataTransformation,
    Endpoint,
    Field,
    HttpMethod,
    IntegrationInstance,
    MappingLogic,
    Pagination,
    PaginationStyle,
    Parameter,
    ParameterLocation,
    RequestBody,
    Response,
    TransformType,
    UnmappedField,
)

_MIGRATED: set[str] = set()


def create_database(admin_url: str) -> str:
    """Create an empty database on the test server and return its SQLAlchemy URL."""
    name = f"vitesse_test_{secrets.token_hex(6)}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return make_url(admin_url).set(drivername="postgresql+psycopg", database=name).render_as_string(False)


def drop_database(admin_url: str, url: str) -> None:
    name = make_url(url).database
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def make_settings(url: str, data_dir: Path) -> Settings:
    return Settings(database_url=url, data_dir=data_dir, environment="test", secret_key=None)


@dataclass
class Db:
    backend: str
    url: str
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]


@pytest.fixture(scope="session")
def pg_database(postgres_url: str) -> Iterator[str]:
    """One fresh PostgreSQL database for the whole run, dropped at the end."""
    url = create_database(postgres_url)
    yield url
    drop_database(postgres_url, url)


@pytest.fixture(scope="session")
def sqlite_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'vitesse.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Db]:
    """A migrated, emptied database on each backend, with its engine and session factory."""
    url = request.getfixturevalue(f"{request.param if request.param == 'sqlite' else 'pg'}_database")
    settings = make_settings(url, tmp_path / "data")
    engine = create_engine_from_settings(settings)
    if url not in _MIGRATED:
        await init_db(engine)
        _MIGRATED.add(url)
    await _empty(engine)
    try:
        yield Db(request.param, url, settings, engine, session_factory(engine))
    finally:
        await engine.dispose()


async def _empty(engine: AsyncEngine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                await conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database nobody has migrated yet."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    admin = request.getfixturevalue("postgres_url")
    url = create_database(admin)
    try:
        yield url
    finally:
        drop_database(admin, url)


@pytest.fixture
def data() -> SimpleNamespace:
    """Builders of real schema objects: `data.instance()`, `data.mapping(2)`, `data.shop_spec()`, `data.at(5)`."""
    return SimpleNamespace(instance=instance, mapping=mapping, shop_spec=shop_spec, crm_spec=crm_spec, at=at)


# ---------------------------------------------------------------------------------------------
# Real schema objects to store
# ---------------------------------------------------------------------------------------------


def shop_spec() -> APISpecification:
    customers = Endpoint(
        method=HttpMethod.GET,
        path="/customers",
        operation_id="listCustomers",
        summary="List customers",
        tags=["customers"],
        parameters=[
            Parameter(name="starting_after", location=ParameterLocation.QUERY, description="cursor"),
            Parameter(name="limit", location=ParameterLocation.QUERY, type="integer", default=10),
        ],
        responses=[Response(status="200", content_type="application/json", schema={"type": "object"})],
        success_status="200",
        records_at="data[]",
        record_schema={"type": "object", "properties": {"id": {"type": "string"}, "email": {"type": "string"}}},
        record_fields=[
            Field(path="id", required=True, read_only=True),
            Field(path="email", format="email", required=True, example="ana@example.com"),
            Field(path="address.city", nullable=True),
            Field(path="tags[]", type="string", enum=["vip", "new"]),
            Field(path="balance", type="integer", minimum=0),
        ],
        pagination=Pagination(style=PaginationStyle.CURSOR, cursor_param="starting_after", cursor_path="data[-1].id"),
        primary_key="id",
        resource="customers",
        action="list",
        security=[["apiKey"]],
        auth_required=True,
    )
    spec = APISpecification(
        name="shop",
        title="Shop API",
        api_version="2024-01",
        spec_version="3.0.3",
        source="https://shop.example/openapi.json",
        base_url="https://api.shop.example/v1",
        servers=["https://api.shop.example/v1"],
        endpoints=[customers],
        auth_schemes=[
            AuthScheme(
                name="apiKey",
                type=AuthType.API_KEY,
                location=ParameterLocation.HEADER,
                parameter_name="X-API-Key",
            )
        ],
        security=[["apiKey"]],
        schemas={"Customer": {"type": "object", "properties": {"id": {"type": "string"}}}},
        warnings=["example warning"],
    )
    return spec.model_copy(update={"digest_": spec.compute_digest()})


def crm_spec() -> APISpecification:
    create = Endpoint(
        method=HttpMethod.POST,
        path="/contacts",
        operation_id="createContact",
        request_body=RequestBody(
            required=True,
            schema={"type": "object"},
            fields=[
                Field(path="email_address", format="email", required=True),
                Field(path="first_name"),
                Field(path="city"),
                Field(path="labels[]"),
            ],
        ),
        responses=[Response(status="201")],
        resource="contacts",
        action="create",
    )
    return APISpecification(name="crm", spec_version="2.0", endpoints=[create])  # digest left empty on purpose


def mapping(version: int = 1) -> MappingLogic:
    return MappingLogic(
        source_endpoint="GET /customers",
        dest_endpoint="POST /contacts",
        source_records_at="data[]",
        transformations=[
            DataTransformation(source_field="email", dest_field="email_address", required=True, confidence=0.97),
            DataTransformation(
                source_fields=["address.city"],
                dest_field="city",
                transform_type=TransformType.DEFAULT,
                transform_config={"default": "unknown"},
                confidence=0.8,
                rationale="same meaning",
            ),
            DataTransformation(
                source_fields=["tags[]"],
                dest_field="labels[]",
                transform_type=TransformType.MAPPING,
                transform_config={"map": {"vip": "VIP", "new": "Lead"}, "default": None},
            ),
        ][: 3 if version == 1 else 2],
        unmapped_dest=[UnmappedField(dest_field="first_name", reason="no_candidate", candidates=[("name", 0.42)])],
        unmapped_source=["balance"],
        complexity_score=3,
        version=version,
        alternatives={"source": ["GET /customers/{id}"], "dest": []},
    )


def instance(name: str = "shop to crm", **overrides: object) -> IntegrationInstance:
    base = IntegrationInstance(
        name=name,
        source_api_name="shop",
        dest_api_name="crm",
        source_api_url="https://shop.example/openapi.json",
        dest_api_url="https://crm.example/swagger.json",
        user_intent="sync customers into contacts",
        source_spec=shop_spec(),
        dest_spec=crm_spec(),
        mapping_logic=mapping(),
        created_by="ana",
    )
    return base.model_copy(update=overrides)


def at(minutes: int) -> datetime:
    return datetime(2026, 1, 1, 12, 0, tzinfo=UTC) + timedelta(minutes=minutes)
