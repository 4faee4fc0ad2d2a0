"""Declare the HTTP API's bodies: the routes validate with these models and the OpenAPI document is built from them."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from vitesse.net import SENSITIVE_HEADER
from vitesse.schemas import (
    DeploymentTarget,
    IntegrationStatus,
    MappingLogic,
)

INTEGRATION_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$"
_ID = re.compile(INTEGRATION_ID_PATTERN)
URL_MAX = 2048
CredentialName = Annotated[str, StringConstraints(min_length=1, max_length=64)]
CredentialValue = Annotated[str, StringConstraints(max_length=8192)]
Credentials = Annotated[dict[CredentialName, CredentialValue], Field(max_length=20)]
"""Up to 20 named secrets (`api_key`, `token`, `username`, `password` …)."""


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Query(BaseModel):
    model_config = ConfigDict(extra="ignore")


class RunSettings(_In):
    """Knobs of one run (the graph's Context)."""

    test_count: int = Field(default=100, ge=1, le=10_000, description="Shadow calls the Guardian makes per proof.")
    max_heal_attempts: int = Field(default=3, ge=0, le=10)
    pass_score: float = Field(default=70.0, ge=0, le=100)
    seed: int = Field(default=1, ge=0, le=2**31 - 1)
    naive_first_mapping: bool = False
    use_llm: bool = Field(default=False, description="Let a chat model rerank the mapping when OPENAI_API_KEY is set.")
    sandbox_faults: dict[str, Any] | None = Field(
        default=None, description="A fault plan for the sandboxes the Guardian starts (latency_ms, error_rate …)."
    )

    @field_validator("sandbox_faults")
    @classmethod
    def _faults(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        from pydantic import ValidationError

        from vitesse.errors import ConfigError
        from vitesse.sandbox.faults import FaultPlan

        try:
            return FaultPlan.model_validate(value).model_dump(exclude_defaults=True)
        except ValidationError as exc:
            raise ValueError("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())) from None
        except ConfigError as exc:
            raise ValueError(str(exc)) from None


class DeploymentRequest(_In):
    """Where and how the sync runtime runs (credentials go in source_auth / dest_auth, never in env)."""

    target: DeploymentTarget | None = None
    schedule_interval_s: int | None = Field(default=300, ge=10, le=7 * 86400)
    memory_mb: int = Field(default=512, ge=64, le=65536)
    cpu_cores: float = Field(default=0.5, gt=0, le=64)
    replicas: int = Field(default=1, ge=1, le=100)
    env: dict[str, str] = Field(default_factory=dict, max_length=100)
    image: str | None = Field(default=None, max_length=512)
    domain: str | None = Field(default=None, max_length=253)
    port: int | None = Field(default=None, ge=1, le=65535)

    @field_validator("env")
    @classmethod
    def _no_secrets(cls, env: dict[str, str]) -> dict[str, str]:
        secret = sorted(name for name in env if SENSITIVE_HEADER.search(name))
        if secret:
            raise ValueError(f"{', '.join(secret)} look like credentials: send them in source_auth / dest_auth")
        return env


class CreateIntegrationRequest(_In):
    """The guide's body: two APIs, an intent, a deployment target and credentials, plus optional hints."""

    source_api_url: str = Field(min_length=1, max_length=URL_MAX, description="Spec URL, API base URL or example:NAME.")
    source_api_name: str = Field(min_length=1, max_length=255)
    dest_api_url: str = Field(min_length=1, max_length=URL_MAX)
    dest_api_name: str = Field(min_length=1, max_length=255)
    user_intent: str = Field(min_length=1, max_length=4000)
    deployment_target: DeploymentTarget | None = Field(default=None, description="Deploy the runtime here once proven.")
    deployment: DeploymentRequest | None = None
    source_auth: Credentials | None = Field(default=None, description="Stored encrypted; never returned.")
    dest_auth: Credentials | None = Field(default=None, description="Stored encrypted; never returned.")
    source_spec_url: str | None = Field(default=None, min_length=1, max_length=URL_MAX)
    dest_spec_url: str | None = Field(default=None, min_length=1, max_length=URL_MAX)
    source_endpoint: str | None = Field(default=None, min_length=1, max_length=512, description="`GET /customers`.")
    dest_endpoint: str | None = Field(default=None, min_length=1, max_length=512)
    source_base_url: str | None = Field(
        default=None, min_length=1, max_length=URL_MAX, description="A live source API."
    )
    dest_base_url: str | None = Field(default=None, min_length=1, max_length=URL_MAX)
    allow_live_writes: bool = False
    settings: RunSettings | None = None
    integration_id: str | None = Field(default=None, pattern=INTEGRATION_ID_PATTERN)


class UpdateIntegrationRequest(_In):
    """What may change; the run re-does only what the change requires (settings alone apply to later runs)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    user_intent: str | None = Field(default=None, min_length=1, max_length=4000)
    source_endpoint: str | None = Field(default=None, min_length=1, max_length=512)
    dest_endpoint: str | None = Field(default=None, min_length=1, max_length=512)
    mapping: MappingLogic | None = None
    source_auth: Credentials | None = None
    dest_auth: Credentials | None = None
    deployment_target: DeploymentTarget | None = None
    deployment: DeploymentRequest | None = None
    settings: RunSettings | None = None

    @model_validator(mode="after")
    def _something(self) -> UpdateIntegrationRequest:
        if not self.model_fields_set:
            raise ValueError("name at least one change: user_intent, endpoints, mapping, credentials or deployment")
        return self


class ReviewRequest(_In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "if": {"properties": {"action": {"const": "edit"}}},
            "then": {"required": ["mapping"], "properties": {"mapping": {"not": {"type": "null"}}}},
        },
    )

    action: Literal["approve", "edit", "abort"]
    mapping: MappingLogic | None = Field(default=None, description="The edited mapping (action edit).")
    reason: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _mapping_for_edit(self) -> ReviewRequest:
        if self.action == "edit" and self.mapping is None:
            raise ValueError("action edit needs the edited mapping")
        return self


class CreateQuery(_Query):
    wait: bool = Field(default=False, description="Answer when the run finishes or pauses for review.")
    timeout_s: float = Field(default=120.0, gt=0, le=600)


class ListQuery(_Query):
    status: IntegrationStatus | None = None
    limit: int = Field(default=50, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class PageQuery(_Query):
    limit: int = Field(default=100, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class LogsQuery(_Query):
    lines: int = Field(default=100, ge=1, le=10_000)


class EventsQuery(_Query):
    after: int = Field(default=0, ge=0, le=2**31 - 1, description="Replay events after this id (Last-Event-ID wins).")


def valid_integration_id(value: str) -> bool:
    return bool(_ID.match(value))
