"""Pick a deployment target by name: the registry, the factory and the shared types.

Built-in targets are registered by dotted path, so importing this package imports no SDK; a new
target is one class and one line:

```python
@register_deployer("azure")
class AzureContainerInstancesDeployer(Deployer):
    def __init__(self, config=None, *, settings=None):
        super().__init__("azure", config, settings=settings)
    ...
```
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any, cast, overload

from vitesse.config import Settings
from vitesse.deployers.base import (
    ContainerConfig,
    Deployer,
    DeploymentInfo,
    DeploymentMode,
    DeploymentState,
    coerce_config,
    resource_name,
)
from vitesse.errors import ConfigError

__all__ = [
    "DEPLOYER_MAP",
    "ContainerConfig",
    "Deployer",
    "DeployerFactory",
    "DeploymentInfo",
    "DeploymentMode",
    "DeploymentState",
    "coerce_config",
    "get_deployer_class",
    "register_deployer",
    "resource_name",
]

DEPLOYER_MAP: dict[str, type[Deployer] | str] = {
    DeploymentMode.PROCESS.value: "vitesse.deployers.process:ProcessDeployer",
    DeploymentMode.LOCAL.value: "vitesse.deployers.local:LocalDeployer",
    DeploymentMode.CLOUD_EKS.value: "vitesse.deployers.eks:EKSDeployer",
    DeploymentMode.CLOUD_ECS.value: "vitesse.deployers.ecs:ECSDeployer",
}


def _key(name: str | Enum) -> str:
    return (name.value if isinstance(name, Enum) else str(name)).strip().lower()


@overload
def register_deployer(name: str | Enum) -> Callable[[type[Deployer]], type[Deployer]]: ...
@overload
def register_deployer(name: str | Enum, cls: type[Deployer]) -> type[Deployer]: ...
def register_deployer(name: str | Enum, cls: type[Deployer] | None = None) -> Any:
    """Register a Deployer subclass under a target name; use as `@register_deployer("azure")` or call directly."""

    def add(klass: type[Deployer]) -> type[Deployer]:
        if not (isinstance(klass, type) and issubclass(klass, Deployer)):
            raise ConfigError(f"{klass!r} is not a Deployer subclass and cannot be registered as {name!r}")
        DEPLOYER_MAP[_key(name)] = klass
        klass.name = klass.name or _key(name)
        return klass

    return add if cls is None else add(cls)


def get_deployer_class(name: str | Enum) -> type[Deployer]:
    """Return the Deployer class registered under `name`; the error lists the known names."""
    entry = DEPLOYER_MAP.get(_key(name))
    if entry is None:
        known = ", ".join(sorted(DEPLOYER_MAP))
        raise ConfigError(f"Unknown deployment target {_key(name)!r}; known targets: {known}")
    if isinstance(entry, str):
        module, _, attr = entry.partition(":")
        entry = getattr(importlib.import_module(module), attr)
        DEPLOYER_MAP[_key(name)] = entry
    return entry


class DeployerFactory:
    """The guide's factory: `DeployerFactory.create_deployer("local", {...})`."""

    @staticmethod
    def create_deployer(
        target: str | Enum,
        config: Mapping[str, Any] | None = None,
        *,
        settings: Settings | None = None,
        **dependencies: Any,
    ) -> Deployer:
        """Build the deployer for a target; `dependencies` (an SDK client, …) go to its constructor."""
        cls = get_deployer_class(target)
        # Subclasses take (config, *, settings, ...): the target name is theirs to pass to Deployer.
        # A target written as the guide shows it (`__init__(self, config)`) gets no settings.
        parameters = inspect.signature(cls.__init__).parameters
        wants_settings = "settings" in parameters or any(p.kind == p.VAR_KEYWORD for p in parameters.values())
        extra = {"settings": settings} if wants_settings else {}
        built: Deployer = cast(Any, cls)(config, **extra, **dependencies)
        return built
