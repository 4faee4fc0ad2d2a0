"""The guide's deployment layer, container templates and custom transform snippets, only the imports changed.

Placeholders: EKS is a recording fake of the Kubernetes API named by a kubeconfig file, ECS is moto in
server mode (both on 127.0.0.1), the AWS/registry values are test values, and the deployers read their
settings from the environment as the guide's calls pass none.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.integration.deployers.fake_kube import FakeKube
from tests.integration.deployers.test_deployers_ecs_e2e import aws, moto_url, network  # noqa: F401 (fixtures)
from vitesse import (
    CUSTOM_FUNCTIONS,
    DataTransformation,
    Deployer,
    DeployerFactory,
    DeploymentMode,
    DockerfileGenerator,
    MappingLogic,
    register_deployer,
    register_transform,
)
from vitesse.deployers import DEPLOYER_MAP, DeploymentInfo, DeploymentState, coerce_config, resource_name
from vitesse.deployers._docker import traefik_labels
from vitesse.deployers.ecs import ECSDeployer
from vitesse.deployers.eks import EKSDeployer
from vitesse.deployers.local import LocalDeployer
from vitesse.transforms import compile_mapping

IMAGE = "123456789.dkr.ecr.us-east-1.amazonaws.com/vitesse:latest"
CONTAINER_CONFIG = {"image": IMAGE, "env": {"SOURCE_API_KEY": "sk_test_source", "DEST_API_KEY": "sk_test_dest"}}


@pytest.fixture
def fake_kube() -> Any:
    server = FakeKube().start()
    yield server
    server.stop()


def kubeconfig(tmp_path: Path, server_url: str) -> str:
    path = tmp_path / "kubeconfig"
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "vitesse-prod", "cluster": {"server": server_url}}],
                "users": [{"name": "ci", "user": {"token": "test-token"}}],
                "contexts": [{"name": "vitesse-prod", "context": {"cluster": "vitesse-prod", "user": "ci"}}],
                "current-context": "vitesse-prod",
            }
        )
    )
    return str(path)


async def test_the_deployer_interface_snippet_on_eks(guide_env, fake_kube, tmp_path):
    deployer = DeployerFactory.create_deployer(target="eks", config={"kubeconfig": kubeconfig(tmp_path, fake_kube.url)})

    result = await deployer.deploy(integration_id="integ_abc123", container_config=CONTAINER_CONFIG)

    assert isinstance(deployer, EKSDeployer) and deployer.deployment_mode is DeploymentMode.CLOUD_EKS
    assert isinstance(result, DeploymentInfo)
    assert (result.state, result.image, result.replicas) == (DeploymentState.RUNNING, IMAGE, 2)
    assert result.container_id == resource_name("integ_abc123") == "vitesse-integ-abc123"
    kinds = [p["body"]["kind"] for p in fake_kube.patches()]
    assert kinds == ["Namespace", "ConfigMap", "Secret", "Deployment", "Service", "Ingress", "HorizontalPodAutoscaler"]
    assert "sk_test_source" not in result.model_dump_json(), "credentials go to the Secret, never to the result"
    gone = await deployer.destroy("integ_abc123")
    assert gone.state is DeploymentState.DESTROYED


async def test_the_deployer_interface_snippet_on_ecs(guide_env, moto_url, network, monkeypatch):  # noqa: F811
    for name, value in {
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": moto_url,
    }.items():
        monkeypatch.setenv(name, value)
    config = {
        "cluster": "vitesse-guide",
        "subnets": network["subnets"],
        "security_groups": [network["group"]],
        "vpc_id": network["vpc"],
        "listener_arn": network["listener"],
        "execution_role_arn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
    }
    deployer = DeployerFactory.create_deployer(target="ecs", config=config)

    result = await deployer.deploy(integration_id="integ_abc123", container_config=CONTAINER_CONFIG)

    assert isinstance(deployer, ECSDeployer) and deployer.settings.aws_endpoint_url == moto_url
    assert (result.state, result.image, result.container_id) == (DeploymentState.PENDING, IMAGE, "vitesse-integ-abc123")
    task = deployer.aws.ecs.describe_task_definition(taskDefinition=result.details["task_definition"])
    container = task["taskDefinition"]["containerDefinitions"][0]
    assert sorted(s["name"] for s in container["secrets"]) == ["DEST_API_KEY", "SOURCE_API_KEY"]
    assert "sk_test_" not in json.dumps(task, default=str)
    gone = await deployer.destroy("integ_abc123")
    assert "service vitesse-integ-abc123" in gone.details["removed"]


def test_the_local_target_takes_the_guides_network_name(guide_env):
    deployer = DeployerFactory.create_deployer(target="local", config={"network": "vitesse-net"})
    assert isinstance(deployer, LocalDeployer) and deployer.options.network == "vitesse-net"
    assert deployer.deployment_mode is DeploymentMode.LOCAL


def test_the_local_target_takes_the_guides_host_docker_socket_and_traefik_config(guide_env, tmp_path):
    """`host` is where integrations are served, `docker_socket` the daemon, `traefik_config` more router config."""
    traefik = tmp_path / "traefik-dynamic.yml"
    traefik.write_text("tls:\n  certResolver: letsencrypt\nmiddlewares: [secure-headers@file]\n")
    config = {"host": "apps.localhost", "docker_socket": "/var/run/docker.sock", "traefik_config": str(traefik)}

    deployer = DeployerFactory.create_deployer(target="local", config=config)

    assert isinstance(deployer, LocalDeployer) and deployer.config == config
    assert (deployer.options.domain, deployer.options.docker_host) == ("apps.localhost", "unix:///var/run/docker.sock")
    container = coerce_config(CONTAINER_CONFIG)
    labels = traefik_labels("integ_abc123", container, 8080, deployer._domain(container), deployer.options)
    router = "traefik.http.routers.vitesse-integ-abc123"
    assert labels[f"{router}.rule"] == "Host(`vitesse-integ-abc123.apps.localhost`)"
    assert labels[f"{router}.tls.certResolver"] == "letsencrypt"
    assert labels[f"{router}.middlewares"] == "secure-headers@file"


async def test_a_new_deployment_target_as_in_the_guides_azure_example(guide_env):
    """Subclass Deployer, implement the five methods, register it; the factory then builds it by name."""

    @register_deployer(DeploymentMode.AZURE)
    class AzureContainerInstancesDeployer(Deployer):
        def __init__(self, config: dict[str, Any], **kwargs: Any):
            super().__init__(DeploymentMode.AZURE, config, **kwargs)

        async def deploy(self, integration_id, container_config=None):
            image = coerce_config(container_config).image
            return self._info(integration_id, DeploymentState.RUNNING, resource_name(integration_id), image=image)

        async def update(self, integration_id, updates):
            return await self.deploy(integration_id, updates)

        async def destroy(self, integration_id):
            return self._info(integration_id, DeploymentState.DESTROYED, resource_name(integration_id))

        async def get_status(self, integration_id):
            return self._info(integration_id, DeploymentState.RUNNING, resource_name(integration_id))

        async def get_logs(self, integration_id, lines=100):
            return ""

    try:
        deployer = DeployerFactory.create_deployer(target="azure", config={"resource_group": "vitesse"})
        result = await deployer.deploy(integration_id="integ_abc123", container_config=CONTAINER_CONFIG)
    finally:
        DEPLOYER_MAP.pop("azure")
    assert isinstance(deployer, AzureContainerInstancesDeployer)
    assert deployer.deployment_mode is DeploymentMode.AZURE
    assert (deployer.target, deployer.config) == ("azure", {"resource_group": "vitesse"})
    assert (result.target, result.state, result.image) == ("azure", DeploymentState.RUNNING, IMAGE)


def test_the_container_templates_snippet(example_specs):
    mapping_logic = {
        "source_endpoint": "GET /customers",
        "dest_endpoint": "POST /contacts",
        "transformations": [{"source_fields": ["email"], "dest_field": "primary_email"}],
    }

    dockerfile = DockerfileGenerator.generate_base_dockerfile(integration_id="integ_abc123", python_version="3.12")
    main_py = DockerfileGenerator.generate_integration_app_template(
        integration_id="integ_abc123",
        source_api_name="Shopify",
        dest_api_name="Credo CRM",
        mapping_json=json.dumps(mapping_logic),
    )
    k8s_manifest = DockerfileGenerator.generate_kubernetes_manifest(
        integration_id="integ_abc123",
        image_uri="123456789.dkr.ecr.us-east-1.amazonaws.com/vitesse:latest",
        replicas=3,
    )

    assert "FROM python:3.12-slim" in dockerfile
    compile(main_py, "main.py", "exec")
    assert "integ_abc123" in main_py and json.dumps(mapping_logic) in main_py
    documents = {doc["kind"]: doc for doc in yaml.safe_load_all(k8s_manifest)}
    deployment = documents["Deployment"]
    assert deployment["spec"]["replicas"] == 3
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == IMAGE
    assert {"Service", "Ingress", "HorizontalPodAutoscaler"} <= set(documents)


def test_the_guides_custom_transform_is_applied_by_the_transform_engine():
    transformation = DataTransformation(
        source_field="user_timestamp",
        dest_field="created_at",
        transform_type="custom",
        transform_config={
            "function": "parse_shopify_timestamp",
            "params": {"format": "ISO8601", "timezone": "UTC"},
        },
    )

    mapping = MappingLogic(
        source_endpoint="GET /customers", dest_endpoint="POST /contacts", transformations=[transformation]
    )
    result = compile_mapping(mapping).apply({"user_timestamp": "2024-03-05T09:30:00-05:00"})
    assert result.payload == {"created_at": "2024-03-05T14:30:00Z"} and result.errors == []
    assert transformation.source_field == "user_timestamp"


def test_a_transform_registered_by_the_user_is_applied_by_name():
    @register_transform("cents_to_units")
    def cents_to_units(value: Any, currency: str = "USD") -> dict[str, Any]:
        return {"amount": int(value) / 100, "currency": currency}

    try:
        transformation = DataTransformation(
            source_field="total_cents",
            dest_field="deal.value",
            transform_type="custom",
            transform_config={"function": "cents_to_units", "params": {"currency": "EUR"}},
        )
        mapping = MappingLogic(
            source_endpoint="GET /orders", dest_endpoint="POST /deals", transformations=[transformation]
        )
        result = compile_mapping(mapping).apply({"total_cents": "1999"})
    finally:
        CUSTOM_FUNCTIONS.pop("cents_to_units")
    assert result.payload == {"deal": {"value": {"amount": 19.99, "currency": "EUR"}}}
