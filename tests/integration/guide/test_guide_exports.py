"""Every name the guide imports from `app.*` comes from `vitesse`, and importing them stays light."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import vitesse
import vitesse.guide as guide

GUIDE_NAMES = {
    "AgentContext": "vitesse.guide",
    "VitesseIngestor": "vitesse.guide",
    "VitesseMapper": "vitesse.guide",
    "VitesseGuardian": "vitesse.guide",
    "VitesseOrchestrator": "vitesse.orchestrator",
    "DataTransformation": "vitesse.schemas",
    "DeploymentConfig": "vitesse.schemas",
    "DeploymentTarget": "vitesse.schemas",
    "Deployer": "vitesse.deployers.base",
    "DeployerFactory": "vitesse.deployers",
    "DeploymentMode": "vitesse.deployers.base",
    "register_deployer": "vitesse.deployers",
    "DockerfileGenerator": "vitesse.deployers.templates",
    "register_transform": "vitesse.transforms._registry",
}
HEAVY = ("langgraph", "langchain_core", "docker", "kubernetes", "boto3", "starlette", "sqlalchemy")


def test_the_guides_names_are_exported_by_vitesse_and_by_the_guide_module():
    assert set(GUIDE_NAMES) <= set(vitesse.__all__)
    for name, home in GUIDE_NAMES.items():
        value = getattr(vitesse, name)
        assert value.__module__ == home, name
        if name in guide.__all__:
            assert getattr(guide, name) is value, name
    assert {m.name for m in vitesse.DeploymentTarget} >= {"LOCAL", "CLOUD_EKS", "CLOUD_ECS", "PROCESS"}
    assert {m.name for m in vitesse.DeploymentMode} == {"LOCAL", "CLOUD_EKS", "CLOUD_ECS", "PROCESS", "AZURE"}


def test_importing_the_guides_agents_loads_no_graph_runtime_or_sdk():
    statement = (
        "import vitesse; from vitesse import AgentContext, VitesseIngestor, VitesseMapper, VitesseGuardian, "
        "DataTransformation, DeploymentConfig, DeploymentTarget, DeployerFactory, DeploymentMode, "
        "DockerfileGenerator, register_transform; AgentContext"
    )
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    tops = {name.split(".")[0] for name in json.loads(out.stdout)}
    assert [name for name in HEAVY if name in tops] == []


def test_an_unknown_name_is_an_attribute_error():
    for module in (vitesse, guide):
        with pytest.raises(AttributeError, match="has no attribute 'VitesseDiscoveryAgent'"):
            module.VitesseDiscoveryAgent  # noqa: B018
