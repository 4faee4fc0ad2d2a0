from __future__ import annotations

import uuid

import pytest

from tests.unit.runtime.fakes import FakeCRM, FakeShop, customer


@pytest.fixture
def shop() -> FakeShop:
    return FakeShop(customers=[customer(i) for i in range(1, 251)])


@pytest.fixture
def crm() -> FakeCRM:
    return FakeCRM()


@pytest.fixture(scope="session")
def pg_database(postgres_url):
    """A fresh PostgreSQL database for the runtime's store tests, dropped at the end."""
    import psycopg

    name = f"vitesse_rt_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield postgres_url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
