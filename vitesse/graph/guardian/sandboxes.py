"""Start a spec's sandbox in-process for a proof, reachable through its `SandboxTransport` (no socket).

The sandbox (`vitesse.sandbox.app.Sandbox`) accepts any non-empty credential, so a side proved
against its sandbox gets placeholder credentials for every auth scheme unless the caller gives some.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from vitesse.errors import GuardianError
from vitesse.schemas import APISpecification

__all__ = ["SANDBOX_CREDENTIALS", "RunningSandbox", "start_sandbox"]

SANDBOX_CREDENTIALS = {
    "token": "vitesse-sandbox-token",
    "api_key": "vitesse-sandbox-key",
    "username": "vitesse",
    "password": "vitesse-sandbox-password",
}


@dataclass
class RunningSandbox:
    """A sandbox started for a proof: the object (its store, counters), its transport, its credentials."""

    sandbox: Any
    transport: httpx.AsyncBaseTransport
    credentials: dict[str, str] = field(default_factory=lambda: dict(SANDBOX_CREDENTIALS))


@asynccontextmanager
async def start_sandbox(
    spec: APISpecification, *, seed: int, faults: Mapping[str, Any] | None = None
) -> AsyncIterator[RunningSandbox]:
    """Build the spec's sandbox with this seed and fault plan; yield it with an in-process transport."""
    from vitesse.sandbox import FaultPlan, Sandbox, SandboxTransport

    try:
        plan = FaultPlan.model_validate(dict(faults)) if faults else None
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise GuardianError(f"The sandbox fault plan is not valid: {exc}") from exc
    sandbox = Sandbox(spec, seed=seed, faults=plan)
    transport = SandboxTransport(sandbox)
    try:
        yield RunningSandbox(sandbox, transport)
    finally:
        await transport.aclose()
