"""Define the per-run knobs (LangGraph context) and the process services nodes may use."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vitesse.config import Settings


@dataclass
class Services:
    """Process-wide dependencies handed to a run: settings, database sessions, tenant.

    Not checkpointed. A run without services (LangGraph Studio) builds settings from the environment
    and skips the database writes.
    """

    settings: Settings = field(default_factory=Settings)
    sessions: Any = None
    """An `async_sessionmaker`, or None to run without the database."""
    tenant: str = "default"


@dataclass(kw_only=True)
class Context:
    """Per-run settings, passed as `context=` when a run starts."""

    pass_score: float = 70.0
    """The health score at or above which a mapping is deployed."""
    max_heal_attempts: int = 3
    test_count: int = 100
    """Shadow calls the Guardian makes per proof (at least)."""
    use_llm: bool = False
    """Let a chat model rerank the mapping when OPENAI_API_KEY is set; the offline mapper otherwise."""
    seed: int = 1
    naive_first_mapping: bool = False
    """Start from direct copies only (the demo uses it to show the heal loop repair a mapping)."""
    require_review: bool = False
    """Pause for a person even when the proof passes (schema drift on a deployed integration uses it)."""
    sandbox_faults: dict[str, Any] | None = None
    """A fault plan for the sandboxes the Guardian starts (`vitesse.sandbox.FaultPlan` fields)."""
    services: Services | None = None

    def resolved_services(self) -> Services:
        if self.services is None:
            self.services = Services()
        return self.services
