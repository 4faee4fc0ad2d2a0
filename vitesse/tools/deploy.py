"""Deploy, inspect and remove an integration's sync runtime: four plain async tools over the deployers.

Each tool takes one pydantic input and returns a pydantic output; the first line of its docstring
is what a model reads. Dependencies are keyword parameters: `deployers` (a `DeployerPool`, or a
mapping of target name → Deployer) and `settings`; the graph and MCP adapters fill them in. No
output carries a credential: secrets go in, only their names come back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr
from pydantic import Field as PydField

from vitesse.config import Settings
from vitesse.deployers import Deployer, DeployerFactory, DeploymentInfo
from vitesse.deployers.base import ContainerConfig, check_integration_id, coerce_config
from vitesse.errors import ConfigError

__all__ = [
    "DeployInput",
    "DeployerPool",
    "DeploymentRef",
    "LogsInput",
    "LogsOutput",
    "deploy_integration",
    "destroy_deployment",
    "get_deployment_logs",
    "get_deployment_status",
]


class DeployerPool:
    """One Deployer per target, built on first use with the settings and each target's config."""

    def __init__(
        self,
        settings: Settings | None = None,
        configs: Mapping[str, Mapping[str, Any]] | None = None,
        dependencies: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.settings = settings
        self.configs = {k: dict(v) for k, v in (configs or {}).items()}
        self.dependencies = {k: dict(v) for k, v in (dependencies or {}).items()}
        self._deployers: dict[str, Deployer] = {}

    def get(self, target: str) -> Deployer:
        key = target.strip().lower()
        if key not in self._deployers:
            self._deployers[key] = DeployerFactory.create_deployer(
                key, self.configs.get(key), settings=self.settings, **self.dependencies.get(key, {})
            )
        return self._deployers[key]


Deployers = DeployerPool | Mapping[str, Deployer]


class DeploymentRef(BaseModel):
    """Which deployment: the integration id and the target it runs on."""

    model_config = ConfigDict(extra="forbid")

    integration_id: str = PydField(description="The integration whose runtime is deployed.")
    target: str = PydField("process", description="process (local subprocess), local (Docker + Traefik), eks or ecs.")


class DeployInput(DeploymentRef):
    image: str | None = PydField(None, description="A prebuilt image; default: build one (local) or use ECR.")
    env: dict[str, str] = PydField(default_factory=dict, description="Plain settings for the runtime.")
    secrets: dict[str, SecretStr] = PydField(
        default_factory=dict, description="Credentials by env name; given at run time, never echoed back."
    )
    runtime_config: dict[str, Any] = PydField(
        default_factory=dict, description="The runtime's config: mapping, endpoints, base URLs (no credentials)."
    )
    memory_mb: int = PydField(512, ge=16)
    cpu_cores: float = PydField(0.5, gt=0)
    replicas: int | None = PydField(None, ge=1, description="Default: 2 on eks, 1 elsewhere.")
    port: int | None = PydField(None, ge=1, le=65535)
    domain: str | None = None
    network_mode: str | None = PydField(None, description="Docker network mode for target local (`host` or a network).")

    def container_config(self) -> dict[str, Any]:
        fields = self.model_dump(exclude={"integration_id", "target", "secrets"}, exclude_none=True)
        return {**fields, "secrets": {k: v.get_secret_value() for k, v in self.secrets.items()}}


class LogsInput(DeploymentRef):
    lines: int = PydField(100, ge=1, le=10_000, description="How many of the last lines to return.")


class LogsOutput(BaseModel):
    integration_id: str
    target: str
    lines: int
    text: str


def _deployer(ref: DeploymentRef, deployers: Deployers | None, settings: Settings | None) -> Deployer:
    check_integration_id(ref.integration_id)
    if deployers is None:
        return DeployerPool(settings).get(ref.target)
    if isinstance(deployers, DeployerPool):
        return deployers.get(ref.target)
    found = deployers.get(ref.target)
    if found is None:
        raise ConfigError(f"No deployer for target {ref.target!r} here; available: {', '.join(sorted(deployers))}")
    return found


async def deploy_integration(
    request: DeployInput,
    *,
    deployers: Deployers | None = None,
    settings: Settings | None = None,
    sessions: Any = None,
) -> DeploymentInfo:
    """Deploy an integration's sync runtime to a target (process, local Docker + Traefik, eks, ecs).

    With only `integration_id` and `target`, the runtime is built from the integration's stored, proven
    mapping (and its stored credentials). Returns where it runs and its state; deploying again replaces
    the running deployment.
    """
    deployer = _deployer(request, deployers, settings)
    config = coerce_config(request.container_config())
    stored = None
    if not config.runtime_config and sessions is not None:
        config, stored = await _from_stored_integration(request.integration_id, config, sessions, settings)
    info = await deployer.deploy(request.integration_id, config)
    if stored is not None:
        await _record(request, info, sessions)
    return info


async def _from_stored_integration(
    integration_id: str, config: ContainerConfig, sessions: Any, settings: Settings | None
) -> tuple[ContainerConfig, Any]:
    """Fill the runtime config and secrets from the integration the database holds."""
    from vitesse.errors import NotFoundError
    from vitesse.persistence import credential_key, get_integration, load_credentials
    from vitesse.runtime.build import build_runtime_config

    settings = settings or Settings()
    async with sessions() as session:
        row = await get_integration(session=session, integration_id=integration_id, tenant=None)
        if row is None:
            raise NotFoundError(f"no integration {integration_id}")
        instance = row.to_schema()
        stored = await load_credentials(
            session=session, integration_id=integration_id, tenant=None, key=credential_key(settings)
        )
    if instance.mapping_logic is None or instance.source_spec is None or instance.dest_spec is None:
        raise ConfigError(f"integration {integration_id} has no proven mapping yet: create or test it first")
    env = dict(config.env)
    runtime = build_runtime_config(
        instance.mapping_logic,
        instance.source_spec,
        instance.dest_spec,
        integration_id=integration_id,
        source_base_url=env.pop("VITESSE_SOURCE_BASE_URL", None),
        dest_base_url=env.pop("VITESSE_DEST_BASE_URL", None),
        network={"allow_loopback": settings.allow_loopback, "allow_private": settings.allow_private_networks},
        **stored.runtime_references(),
    )
    secrets = {**stored.runtime_secrets(), **config.secret_values()}
    filled = config.model_copy(update={"runtime_config": runtime.model_dump(mode="json", by_alias=True), "env": env})
    return coerce_config({**filled.model_dump(exclude={"secrets"}), "secrets": secrets}), stored


async def _record(request: DeployInput, info: DeploymentInfo, sessions: Any) -> None:
    from vitesse.persistence import upsert_deployment

    async with sessions() as session, session.begin():
        await upsert_deployment(
            session=session,
            integration_id=request.integration_id,
            tenant=None,
            target=request.target,
            status=info.state.value,
            url=info.url,
            external_id=info.container_id,
        )


async def get_deployment_status(
    request: DeploymentRef, *, deployers: Deployers | None = None, settings: Settings | None = None
) -> DeploymentInfo:
    """Report whether an integration's deployed runtime is running, pending, degraded, stopped or failed."""
    return await _deployer(request, deployers, settings).get_status(request.integration_id)


async def destroy_deployment(
    request: DeploymentRef, *, deployers: Deployers | None = None, settings: Settings | None = None
) -> DeploymentInfo:
    """Remove an integration's deployed runtime and everything created for it (safe to repeat)."""
    return await _deployer(request, deployers, settings).destroy(request.integration_id)


async def get_deployment_logs(
    request: LogsInput, *, deployers: Deployers | None = None, settings: Settings | None = None
) -> LogsOutput:
    """Return the last lines an integration's deployed runtime wrote to its log."""
    text = await _deployer(request, deployers, settings).get_logs(request.integration_id, request.lines)
    return LogsOutput(integration_id=request.integration_id, target=request.target, lines=request.lines, text=text)
