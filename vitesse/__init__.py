"""Vitesse: an autonomous integration factory.

The package imports nothing heavy on its own (the sync runtime imports `vitesse.runtime` alone);
the names below load on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "Settings": "vitesse.config",
    "APISpecification": "vitesse.schemas",
    "DataTransformation": "vitesse.schemas",
    "DeploymentConfig": "vitesse.schemas",
    "DeploymentTarget": "vitesse.schemas",
    "HealthScore": "vitesse.schemas",
    "IntegrationInstance": "vitesse.schemas",
    "IntegrationStatus": "vitesse.schemas",
    "MappingLogic": "vitesse.schemas",
    "TestResult": "vitesse.schemas",
    # The implementation guide's Python API: vitesse/guide.py says (and loads lazily) where each one lives.
    **dict.fromkeys(
        (
            "AgentContext", "VitesseIngestor", "VitesseMapper", "VitesseGuardian", "VitesseOrchestrator",
            "Deployer", "DeployerFactory", "DeploymentMode", "register_deployer", "DockerfileGenerator",
            "CUSTOM_FUNCTIONS", "register_transform",
        ),
        "vitesse.guide",
    ),
}  # fmt: skip

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'vitesse' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
