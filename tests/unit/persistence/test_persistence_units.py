"""Database URL forms, the credential key chain, masking, the prune plan and the public names."""

from __future__ import annotations

import inspect
import logging
import stat
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

import vitesse.persistence as persistence
from vitesse.config import Settings
from vitesse.errors import PersistenceError
from vitesse.persistence import (
    checkpoint_path,
    credential_key,
    decrypt_secret,
    derive_key,
    encrypt_secret,
    mask_credentials,
    psycopg_uri,
    schema_types,
)
from vitesse.persistence._prune import doomed_checkpoints
from vitesse.schemas import APISpecification, IntegrationStatus, MappingLogic, TestCategory


def settings(tmp_path: Path, **kwargs: object) -> Settings:
    # Explicit values, so DATABASE_URL / POSTGRES_SERVER / SECRET_KEY in the environment cannot leak in.
    base: dict[str, object] = {
        "data_dir": tmp_path / "data",
        "environment": "test",
        "database_url": None,
        "postgres_server": None,
        "secret_key": None,
    }
    return Settings(**(base | kwargs))


# ---------------------------------------------------------------------------------------------
# DATABASE_URL → SQLAlchemy async URL
# ---------------------------------------------------------------------------------------------

URL_FORMS = [
    ("sqlite:///relative.db", "sqlite+aiosqlite:///relative.db"),
    ("sqlite:////var/lib/vitesse/v.db", "sqlite+aiosqlite:////var/lib/vitesse/v.db"),
    ("sqlite+aiosqlite:///v.db", "sqlite+aiosqlite:///v.db"),
    ("sqlite+pysqlite:///v.db", "sqlite+aiosqlite:///v.db"),
    ("postgresql://u:p@db:5432/vitesse", "postgresql+psycopg://u:p@db:5432/vitesse"),
    ("postgres://u:p@db/vitesse", "postgresql+psycopg://u:p@db/vitesse"),
    ("postgresql+psycopg://u@db/vitesse", "postgresql+psycopg://u@db/vitesse"),
    ("postgresql+psycopg2://u@db/vitesse", "postgresql+psycopg://u@db/vitesse"),
    ("postgresql+asyncpg://u@db/vitesse?sslmode=require", "postgresql+psycopg://u@db/vitesse?sslmode=require"),
]


@pytest.mark.parametrize(("given", "expected"), URL_FORMS)
def test_database_url_forms_become_async_urls(tmp_path, given, expected):
    s = settings(tmp_path, database_url=given)
    assert s.sqlalchemy_url == expected
    assert s.is_postgres == expected.startswith("postgresql")


def test_postgres_variables_are_used_without_database_url_and_quoted(tmp_path):
    s = settings(
        tmp_path,
        postgres_server="db.internal",
        postgres_port=6432,
        postgres_user="vitesse app",
        postgres_password="p@ss:w/rd%",
        postgres_db="guide",
    )
    url = make_url(s.sqlalchemy_url)
    assert (url.drivername, url.host, url.port, url.database) == ("postgresql+psycopg", "db.internal", 6432, "guide")
    assert (url.username, url.password) == ("vitesse app", "p@ss:w/rd%")


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_without_any_setting_the_database_is_a_sqlite_file_in_the_data_dir(tmp_path, empty):
    s = settings(tmp_path, database_url=empty)
    assert s.sqlalchemy_url == f"sqlite+aiosqlite:///{tmp_path / 'data' / 'vitesse.db'}"
    assert checkpoint_path(s) == str(tmp_path / "data" / "vitesse-checkpoints.db")


def test_database_url_wins_over_postgres_variables(tmp_path):
    s = settings(tmp_path, database_url="sqlite:///x.db", postgres_server="db.internal")
    assert s.sqlalchemy_url == "sqlite+aiosqlite:///x.db"


def test_psycopg_gets_a_plain_libpq_uri_with_the_password_kept(tmp_path):
    s = settings(tmp_path, postgres_server="db", postgres_password="p@ss:w/rd")
    uri = psycopg_uri(s.sqlalchemy_url)
    assert uri.startswith("postgresql://postgres:")
    assert make_url(uri).password == "p@ss:w/rd"


def test_an_in_memory_database_checkpoints_in_memory(tmp_path):
    assert checkpoint_path(settings(tmp_path, database_url="sqlite+aiosqlite://")) == ":memory:"
    assert checkpoint_path(settings(tmp_path, database_url="sqlite:///:memory:")) == ":memory:"


# ---------------------------------------------------------------------------------------------
# Credential encryption
# ---------------------------------------------------------------------------------------------


def test_a_secret_round_trips_and_the_token_hides_it():
    key = derive_key("a long random secret key")
    token = encrypt_secret({"token": "sk_live_abcdef123456", "n": 3}, key=key)
    assert "sk_live" not in token
    assert decrypt_secret(token, key=key) == {"token": "sk_live_abcdef123456", "n": 3}


def test_derived_keys_depend_on_the_secret_only():
    assert derive_key("one") == derive_key("one") != derive_key("two")


@pytest.mark.parametrize("token", ["not-a-token", ""])
def test_a_damaged_token_or_the_wrong_key_raises_persistence_error(token):
    good = encrypt_secret({"a": "b"}, key=derive_key("one"))
    with pytest.raises(PersistenceError, match="SECRET_KEY"):
        decrypt_secret(good, key=derive_key("two"))
    with pytest.raises(PersistenceError):
        decrypt_secret(token, key=derive_key("one"))


def test_secret_key_setting_drives_the_key_and_no_file_is_written(tmp_path):
    key = credential_key(settings(tmp_path, secret_key="s3cret-from-env"))
    assert key == derive_key("s3cret-from-env")
    assert not (tmp_path / "data" / "secret.key").exists()


def test_without_secret_key_a_private_key_file_is_made_once_and_reused(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="vitesse.persistence.crypto")
    s = settings(tmp_path, secret_key=None)
    first = credential_key(s)
    path = tmp_path / "data" / "secret.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert credential_key(s) == first  # same key on the next start
    assert first == derive_key(path.read_bytes().strip())
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 1 and str(path) in messages[0]
    assert path.read_text().strip() not in messages[0]


def test_an_empty_key_file_is_a_clear_error(tmp_path):
    path = tmp_path / "data" / "secret.key"
    path.parent.mkdir(parents=True)
    path.write_text("")
    with pytest.raises(PersistenceError, match="empty"):
        credential_key(settings(tmp_path, secret_key=None))


def test_masking_keeps_the_shape_and_hides_every_value():
    masked = mask_credentials({"type": "oauth2", "client": {"secret": "cs_live_0123456789"}, "scopes": ["a"], "n": 3})
    assert masked == {"type": "****", "client": {"secret": "cs****"}, "scopes": ["****"], "n": "****"}


# ---------------------------------------------------------------------------------------------
# Checkpoints: the prune plan and the allowlist
# ---------------------------------------------------------------------------------------------


def test_the_prune_plan_keeps_the_newest_ids_of_each_namespace():
    rows = [("", "1ef-03"), ("", "1ef-01"), ("", "1ef-04"), ("", "1ef-02"), ("sub:1", "1ef-05"), ("sub:1", "1ef-06")]
    assert doomed_checkpoints(rows, keep_last=2) == {"": ["1ef-02", "1ef-01"]}
    assert doomed_checkpoints(rows, keep_last=1) == {"": ["1ef-03", "1ef-02", "1ef-01"], "sub:1": ["1ef-05"]}
    assert doomed_checkpoints(rows, keep_last=10) == {}


def test_the_checkpoint_allowlist_names_our_schema_types():
    names = set(schema_types())
    assert {APISpecification, MappingLogic, IntegrationStatus, TestCategory} <= names
    assert all(t.__module__ == "vitesse.schemas" for t in names)


def test_the_public_names_are_pinned():
    exported = [n for n in dir(persistence) if not n.startswith("_") and not inspect.ismodule(getattr(persistence, n))]
    assert sorted(persistence.__all__) == exported
