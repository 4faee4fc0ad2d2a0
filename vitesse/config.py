"""Read the process-wide settings from the environment (the guide's variable names).

Nothing here runs at import time: build `Settings()` in `main()` or `create_app()` and pass it down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import quote

from platformdirs import user_data_dir
from pydantic import AliasChoices, SecretStr, model_validator
from pydantic import Field as PydField
from pydantic_settings import BaseSettings, SettingsConfigDict

from vitesse.errors import ConfigError


def _alias(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    """Vitesse's settings; every field reads the environment variable of the same name in upper case."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True)

    environment: Literal["development", "production", "test"] = PydField(
        "development", validation_alias=_alias("VITESSE_ENV", "ENVIRONMENT")
    )

    # Database: DATABASE_URL wins; else the guide's POSTGRES_*; else a SQLite file in data_dir.
    database_url: str | None = None
    postgres_server: str | None = None
    postgres_port: int = 5432
    postgres_user: str = "postgres"
    postgres_password: SecretStr | None = None
    postgres_db: str = "vitesse"
    checkpoint_keep_last: int = PydField(20, validation_alias=_alias("VITESSE_CHECKPOINT_KEEP_LAST"))

    # LLM (optional): any OpenAI-compatible endpoint.
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_timeout_s: float = PydField(30.0, validation_alias=_alias("LLM_TIMEOUT_S"))

    # Deployment.
    docker_host: str | None = None
    traefik_dashboard_url: str | None = None
    traefik_domain: str = PydField("localhost", validation_alias=_alias("VITESSE_DOMAIN", "TRAEFIK_DOMAIN"))
    aws_region: str = "us-east-1"
    aws_access_key_id: str | None = None
    aws_secret_access_key: SecretStr | None = None
    aws_endpoint_url: str | None = None
    eks_cluster_name: str | None = None
    ecr_registry_url: str | None = None

    # Secrets.
    secret_key: SecretStr | None = None
    jwt_secret: SecretStr | None = None

    # Runtime.
    batch_size: int = 100

    # Network and ingest limits.
    allow_private_networks: bool = PydField(False, validation_alias=_alias("VITESSE_ALLOW_PRIVATE_NETWORKS"))
    allow_loopback: bool = PydField(False, validation_alias=_alias("VITESSE_ALLOW_LOOPBACK"))
    http_timeout_s: float = PydField(30.0, validation_alias=_alias("VITESSE_HTTP_TIMEOUT_S"))
    max_spec_bytes: int = PydField(50 * 1024 * 1024, validation_alias=_alias("VITESSE_MAX_SPEC_BYTES"))
    spec_cache: bool = PydField(True, validation_alias=_alias("VITESSE_SPEC_CACHE"))

    # HTTP API.
    public_status: bool = PydField(default=False, validation_alias=_alias("VITESSE_PUBLIC_STATUS"))
    """Serve /api/v1/vitesse/status and /metrics without a token (for probes and scrapers on a private network)."""
    max_request_bytes: int = PydField(default=1024 * 1024, gt=0, validation_alias=_alias("VITESSE_MAX_REQUEST_BYTES"))
    cors_origins: str = PydField("", validation_alias=_alias("VITESSE_CORS_ORIGINS"))
    """Origins a browser app may call the HTTP API from, comma-separated (`*`: any); empty: none."""
    rate_limit_per_minute: int = PydField(0, ge=0, validation_alias=_alias("VITESSE_RATE_LIMIT"))
    """Requests a caller (a token, else an address) may make to the HTTP API per minute; 0: no limit."""
    """Largest request body the HTTP API reads; bigger bodies get 413."""
    data_dir: Path = PydField(
        default_factory=lambda: Path(user_data_dir("vitesse", appauthor=False)),
        validation_alias=_alias("VITESSE_DATA_DIR"),
    )

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.max_spec_bytes <= 0:
            raise ConfigError("VITESSE_MAX_SPEC_BYTES must be a positive number of bytes")
        if self.batch_size <= 0:
            raise ConfigError("BATCH_SIZE must be a positive integer")
        if self.environment == "production":
            for name in ("secret_key", "jwt_secret"):
                value = getattr(self, name)
                if value is None or value.get_secret_value() in ("", "changethis", "change-me"):
                    raise ConfigError(f"{name.upper()} must be set to a strong value in production")
        return self

    @property
    def llm_enabled(self) -> bool:
        return self.openai_api_key is not None and bool(self.openai_api_key.get_secret_value())

    @property
    def sqlalchemy_url(self) -> str:
        """Return the database URL in the async SQLAlchemy dialect this process uses."""
        url = (self.database_url or "").strip() or None  # DATABASE_URL= (empty) means unset
        if url is None and self.postgres_server:
            password = self.postgres_password.get_secret_value() if self.postgres_password else ""
            auth = quote(self.postgres_user, safe="") + (":" + quote(password, safe="") if password else "")
            url = f"postgresql://{auth}@{self.postgres_server}:{self.postgres_port}/{self.postgres_db}"
        if url is None:
            url = f"sqlite:///{self.data_dir / 'vitesse.db'}"
        return _async_dialect(url)

    @property
    def is_postgres(self) -> bool:
        return self.sqlalchemy_url.startswith("postgresql")


def _async_dialect(url: str) -> str:
    for prefix, replacement in (
        ("postgres://", "postgresql+psycopg://"),
        ("postgresql://", "postgresql+psycopg://"),
        ("postgresql+psycopg2://", "postgresql+psycopg://"),
        ("postgresql+asyncpg://", "postgresql+psycopg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
        ("sqlite+pysqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(prefix):
            return replacement + url[len(prefix) :]
    return url
