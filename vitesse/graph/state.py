"""Define the graph's state in three layers: what a run takes, what it carries, what it returns.

Fields hold `vitesse.schemas` models. Credentials never live here: callers store them encrypted
(`vitesse.persistence.store_credentials`) and nodes load them by integration id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from vitesse.schemas import (
    APISpecification,
    DeploymentConfig,
    FieldIssue,
    HealthScore,
    IntegrationInstance,
    IntegrationStatus,
    MappingLogic,
    TestResult,
)


def join_errors(current: str | None, new: str | None) -> str | None:
    """Keep every error a step reports (parallel nodes may each report one); "" clears them."""
    if new == "":
        return None
    if current and new and new not in current:
        return f"{current}; {new}"
    return current or new


def add_or_reset(current: int, change: int) -> int:
    """Add a count; a negative change starts it again from zero (a new run on the same thread)."""
    return 0 if change < 0 else current + change


@dataclass(kw_only=True)
class InputState:
    """What a run takes: the guide's names, so a `langgraph dev` client can start one with these alone."""

    source_api_url: str = ""
    """Spec URL, API base URL (discovery) or file path of the source API."""
    source_api_name: str = ""
    dest_api_url: str = ""
    dest_api_name: str = ""
    user_intent: str = ""
    """Plain language: "Sync Shopify customers to the CRM's contacts"."""
    source_endpoint: str | None = None
    """Explicit source endpoint (`GET /customers`); wins over the intent."""
    dest_endpoint: str | None = None
    source_spec_url: str | None = None
    dest_spec_url: str | None = None
    source_base_url: str | None = None
    """A live API for shadow reads; without it the source's sandbox answers."""
    dest_base_url: str | None = None
    allow_live_writes: bool = False
    """Shadow writes reach a live destination only when this is set (and a base URL is given)."""
    deployment_config: DeploymentConfig | None = None
    created_by: str | None = None
    integration_id: str | None = None
    """The integration's id; defaults to the thread id."""


@dataclass(kw_only=True)
class State(InputState):
    """What a run carries between nodes."""

    source_spec: APISpecification | None = None
    dest_spec: APISpecification | None = None
    mapping: MappingLogic | None = None
    health: HealthScore | None = None
    test_results: list[TestResult] = field(default_factory=list)
    """The latest proof's results (each proof replaces the previous one)."""
    feedback: list[FieldIssue] = field(default_factory=list)
    heal_attempts: Annotated[int, add_or_reset] = 0
    """How many times the mapping went back to the Mapper in this run; each heal adds one."""
    status: IntegrationStatus = IntegrationStatus.INITIALIZING
    deployment: dict[str, Any] | None = None
    review: dict[str, Any] | None = None
    """The person's decision at the review pause: action approve/edit/abort, mapping, reason."""
    error: Annotated[str | None, join_errors] = None
    """What stopped the run; the two parallel ingests may both report one."""
    integration: IntegrationInstance | None = None


@dataclass(kw_only=True)
class OutputState:
    """What a run returns: the integration as the guide describes it."""

    integration: IntegrationInstance | None = None
    status: IntegrationStatus = IntegrationStatus.INITIALIZING
    error: str | None = None
