"""Open both sides of a proof: start the sandboxes a side needs, build the one shared client.

A side without a base URL gets its spec's sandbox in-process, mounted on the shared client under a
host of its own (`http://source.sandbox.vitesse`, `http://dest.sandbox.vitesse`), so no socket is
opened. A live side is reached through the SSRF guard of `vitesse.net` with the settings' policy.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from vitesse.config import Settings
from vitesse.errors import GuardianError
from vitesse.graph.guardian.report import GuardianOptions
from vitesse.graph.guardian.shadow import Gate
from vitesse.graph.guardian.target import AuthParts, Target, auth_for
from vitesse.net import GuardedTransport, NetPolicy, mask_url

__all__ = ["Side", "open_sides"]

Role = Literal["source", "dest"]
SANDBOX_HOST = "{role}.sandbox.vitesse"


@dataclass
class Side:
    """One side of a running proof."""

    role: Role
    target: Target
    base_url: str
    auth: AuthParts
    gate: Gate = field(default_factory=Gate)
    sandbox: Any = None
    """The sandbox object when Vitesse started one for this side."""

    @property
    def against(self) -> str:
        return "live" if self.target.live else "sandbox"

    @property
    def name(self) -> str:
        return self.target.spec.title or self.target.spec.name

    def where(self) -> str:
        """Where this side's calls went, in words (no credentials)."""
        if self.target.live:
            return f"the live API at {mask_url(self.base_url)}"
        return f"an in-process sandbox generated from the {self.name} spec"


def _check_writes(dest: Target) -> None:
    if dest.live and not dest.allow_writes:
        raise GuardianError(
            f"Refusing to write test records to the live API at {mask_url(dest.base_url or '')}: "
            "allow writes explicitly (Target.allow_writes=True, `--allow-writes`), "
            "or leave out the destination base URL to prove against its sandbox"
        )


@asynccontextmanager
async def open_sides(
    source: Target, dest: Target, options: GuardianOptions, settings: Settings
) -> AsyncIterator[tuple[Side, Side, httpx.AsyncClient]]:
    """Start what each side needs and yield both sides with the one client their calls share."""
    _check_writes(dest)
    async with AsyncExitStack() as stack:
        mounts: dict[str, httpx.AsyncBaseTransport] = {}
        sides = []
        for role, target in (("source", source), ("dest", dest)):
            sides.append(await _open(stack, role, target, options, mounts))  # type: ignore[arg-type]
        limits = httpx.Limits(max_connections=options.concurrency, max_keepalive_connections=options.concurrency)
        client = httpx.AsyncClient(
            transport=GuardedTransport(NetPolicy.from_settings(settings)),
            mounts=mounts,
            timeout=httpx.Timeout(options.timeout_s, connect=min(options.timeout_s, 10.0)),
            limits=limits,
            follow_redirects=True,
            max_redirects=5,
            trust_env=False,
        )
        stack.push_async_callback(client.aclose)
        yield sides[0], sides[1], client


async def _open(
    stack: AsyncExitStack, role: Role, target: Target, options: GuardianOptions, mounts: dict[str, Any]
) -> Side:
    if target.live:
        auth = auth_for(target.spec, target.endpoint, target.credentials)
        return Side(role, target, str(target.base_url).rstrip("/"), auth)
    from vitesse.graph.guardian.sandboxes import start_sandbox  # the sandbox is only imported when used

    sandbox = await stack.enter_async_context(start_sandbox(target.spec, seed=options.seed, faults=options.faults))
    host = SANDBOX_HOST.format(role=role)
    mounts[f"http://{host}"] = sandbox.transport
    credentials = {**sandbox.credentials, **target.credentials}
    auth = auth_for(target.spec, target.endpoint, credentials)
    return Side(role, target, f"http://{host}", auth, sandbox=sandbox)
