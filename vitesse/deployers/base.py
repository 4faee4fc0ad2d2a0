"""Define what every deployment target does: deploy, update, destroy, get_status and get_logs.

A deployment is named after its integration: every method takes the integration id, and the
resources a target creates are called `vitesse-<id>` (`resource_name`). The guide's call works
as written: `await deployer.deploy(integration_id="integ_abc123", container_config={"image": ...,
"env": {...}})`; a plain dict is validated into a `ContainerConfig`.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError, model_validator
from pydantic import Field as PydField

from vitesse.config import Settings
from vitesse.errors import ConfigError
from vitesse.net import SENSITIVE_HEADER
from vitesse.schemas import DeploymentConfig

T = TypeVar("T")
INTEGRATION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")
RUNTIME_PORT = 8080
"""The port the runtime listens on inside a container (the process target picks a free one)."""


class DeploymentMode(StrEnum):
    """The deployment targets by name; a new target may use any other name (see `register_deployer`).

    `AZURE` names the guide's custom-target example: no deployer is built in for it, one is registered
    under it as `register_deployer(DeploymentMode.AZURE, AzureContainerInstancesDeployer)`.
    """

    PROCESS = "process"
    LOCAL = "local"
    CLOUD_EKS = "eks"
    CLOUD_ECS = "ecs"
    AZURE = "azure"


class DeploymentState(StrEnum):
    PENDING = "pending"
    """Created, not serving yet (starting, pulling, rolling out)."""
    RUNNING = "running"
    DEGRADED = "degraded"
    """Up, but unhealthy or with fewer ready replicas than wanted."""
    STOPPED = "stopped"
    FAILED = "failed"
    DESTROYED = "destroyed"


class ContainerConfig(BaseModel):
    """What to run for one integration; every field has a default, so `{}` is a valid config."""

    model_config = ConfigDict(extra="forbid")

    image: str | None = None
    """A prebuilt image; without it the local target builds one, the cloud targets use settings.ecr_registry_url."""
    env: dict[str, str] = PydField(default_factory=dict)
    """Plain settings for the runtime. Names that look like credentials (`*_API_KEY`, `*TOKEN*` …) move to secrets."""
    secrets: dict[str, SecretStr] = PydField(default_factory=dict)
    """Credentials, given to the runtime at run time only (env, Kubernetes Secret, Secrets Manager), never baked."""
    runtime_config: dict[str, Any] = PydField(default_factory=dict)
    """The runtime's JSON config (mapping, endpoints, base URLs); never holds credentials."""
    port: int | None = PydField(default=None, ge=1, le=65535)
    memory_mb: int = PydField(default=512, ge=16)
    cpu_cores: float = PydField(default=0.5, gt=0)
    replicas: int | None = PydField(default=None, ge=1)
    network_mode: str | None = None
    """Docker network mode for the local target: `host` runs on the host network (loopback ports)."""
    domain: str | None = None
    command: list[str] | None = None
    """Override of the runtime command; `{config}`, `{host}` and `{port}` are filled in."""

    @model_validator(mode="before")
    @classmethod
    def _move_credentials(cls, data: Any) -> Any:
        if not isinstance(data, Mapping) or not data.get("env"):
            return data
        data = dict(data)
        env, secrets = dict(data["env"]), dict(data.get("secrets") or {})
        for name in [n for n in env if SENSITIVE_HEADER.search(n)]:
            secrets[name] = env.pop(name)
        data["env"], data["secrets"] = env, secrets
        return data

    @classmethod
    def from_deployment_config(cls, config: DeploymentConfig, **extra: Any) -> ContainerConfig:
        """Build a container config from the shared `DeploymentConfig` (resources, env, image, port …)."""
        fields = config.model_dump(include={"memory_mb", "cpu_cores", "env", "image", "domain", "port", "network_mode"})
        fields["replicas"] = config.replicas
        return cls.model_validate({**fields, **extra})

    def secret_values(self) -> dict[str, str]:
        return {k: v.get_secret_value() for k, v in self.secrets.items()}

    def run_env(self) -> dict[str, str]:
        """Return the environment the runtime starts with: plain env plus the secrets."""
        return {**self.env, **self.secret_values()}

    def merged(self, updates: ContainerConfig | Mapping[str, Any]) -> ContainerConfig:
        """Return this config with `updates` applied: env and secrets merge (None removes a key), the rest replace."""
        raw = updates.model_dump(exclude_unset=True) if isinstance(updates, ContainerConfig) else dict(updates)
        env_changes = dict(raw.pop("env", None) or {})
        secret_changes = dict(raw.pop("secrets", None) or {})
        for name in [n for n in env_changes if SENSITIVE_HEADER.search(n)]:
            secret_changes[name] = env_changes.pop(name)
        current = self.model_dump(exclude={"env", "secrets"})
        env = _apply(self.env, env_changes)
        secrets = _apply(self.secret_values(), secret_changes)
        return coerce_config({**current, **raw, "env": env, "secrets": secrets})


def _apply(base: Mapping[str, str], changes: Mapping[str, Any]) -> dict[str, str]:
    result = dict(base)
    for name, value in changes.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
    return result


def coerce_config(config: ContainerConfig | Mapping[str, Any] | None) -> ContainerConfig:
    """Validate a container config, turning pydantic's errors into a ConfigError a person can act on."""
    if isinstance(config, ContainerConfig):
        return config
    try:
        return ContainerConfig.model_validate(dict(config or {}))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'config'}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"Invalid container config: {problems}") from None


class DeploymentInfo(BaseModel):
    """What a target reports about one deployment; never carries a secret value."""

    integration_id: str
    target: str
    state: DeploymentState
    name: str
    """The target's handle: container name, Kubernetes Deployment, ECS service or process id."""
    url: str | None = None
    image: str | None = None
    replicas: int | None = None
    ready_replicas: int | None = None
    message: str = ""
    details: dict[str, Any] = PydField(default_factory=dict)
    checked_at: datetime = PydField(default_factory=lambda: datetime.now(UTC))

    @property
    def container_id(self) -> str:
        """The guide's name for the deployment handle."""
        return str(self.details.get("container_id", self.name))


def check_integration_id(integration_id: str) -> str:
    """Return the id when it is usable in resource names (letters, digits, `-`, `_`, up to 63), else raise."""
    if not isinstance(integration_id, str) or not INTEGRATION_ID.match(integration_id):
        raise ConfigError(
            f"Integration id {integration_id!r} cannot name a deployment: use 1-63 letters, digits, '-' or '_', "
            "starting with a letter or digit"
        )
    return integration_id


def resource_name(integration_id: str, max_len: int = 63) -> str:
    """Return `vitesse-<id>` in DNS-label form (lower case, `_` → `-`), shortened with a hash when too long."""
    slug = check_integration_id(integration_id).lower().replace("_", "-")
    name = f"vitesse-{slug}"
    if len(name) <= max_len:
        return name
    digest = hashlib.sha256(integration_id.encode()).hexdigest()[:8]
    return f"{name[: max_len - 9].rstrip('-')}-{digest}"


class Deployer(ABC):
    """Base of every target: subclass it, implement the five methods, register it with `register_deployer`."""

    name: ClassVar[str] = ""

    def __init__(
        self,
        deployment_mode: DeploymentMode | str,
        config: Mapping[str, Any] | None = None,
        *,
        settings: Settings | None = None,
    ) -> None:
        self.deployment_mode = deployment_mode
        self.config: dict[str, Any] = dict(config or {})
        self.settings = settings if settings is not None else Settings()
        self.created_at = datetime.now(UTC)

    @property
    def target(self) -> str:
        mode = self.deployment_mode
        return mode.value if isinstance(mode, DeploymentMode) else str(mode)

    @abstractmethod
    async def deploy(
        self, integration_id: str, container_config: ContainerConfig | Mapping[str, Any] | None = None
    ) -> DeploymentInfo:
        """Start (or replace) the deployment of one integration and return where it runs."""

    @abstractmethod
    async def update(self, integration_id: str, updates: ContainerConfig | Mapping[str, Any]) -> DeploymentInfo:
        """Apply changes to a running deployment (env merges, other fields replace) and roll it."""

    @abstractmethod
    async def destroy(self, integration_id: str) -> DeploymentInfo:
        """Remove everything the deployment created; removing a missing deployment is not an error."""

    @abstractmethod
    async def get_status(self, integration_id: str) -> DeploymentInfo:
        """Report the deployment's state; raise NotFoundError when there is none."""

    @abstractmethod
    async def get_logs(self, integration_id: str, lines: int = 100) -> str:
        """Return the last `lines` lines the runtime wrote."""

    async def _blocking(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking SDK call in a worker thread so the event loop keeps serving."""
        return await asyncio.to_thread(fn, *args, **kwargs)

    def _info(self, integration_id: str, state: DeploymentState, name: str, **fields: Any) -> DeploymentInfo:
        return DeploymentInfo(integration_id=integration_id, target=self.target, state=state, name=name, **fields)


class ThreadedDeployer(Deployer):
    """A target whose SDK blocks (Docker, Kubernetes, boto3): update, destroy and status run in a thread."""

    async def update(self, integration_id: str, updates: ContainerConfig | Mapping[str, Any]) -> DeploymentInfo:
        return await self._blocking(self._update, integration_id, updates)

    async def destroy(self, integration_id: str) -> DeploymentInfo:
        return await self._blocking(self._destroy, integration_id)

    async def get_status(self, integration_id: str) -> DeploymentInfo:
        return await self._blocking(self._status, integration_id)

    @abstractmethod
    def _update(self, integration_id: str, updates: ContainerConfig | Mapping[str, Any]) -> DeploymentInfo: ...

    @abstractmethod
    def _destroy(self, integration_id: str) -> DeploymentInfo: ...

    @abstractmethod
    def _status(self, integration_id: str) -> DeploymentInfo: ...


M = TypeVar("M", bound=BaseModel)


def parse_options(model: type[M], config: Mapping[str, Any]) -> M:
    """Validate a deployer's `config` dict into its options model; unknown keys and bad values raise ConfigError."""
    try:
        return model.model_validate(dict(config))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'config'}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"Invalid {model.__name__}: {problems}") from None


def fill_command(command: list[str], values: Mapping[str, str]) -> list[str]:
    """Replace `{name}` markers for the given names only (other braces, say in `python -c` code, stay)."""
    filled = []
    for part in command:
        for name, value in values.items():
            part = part.replace("{" + name + "}", value)
        filled.append(part)
    return filled
