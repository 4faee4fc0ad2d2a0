"""The Deployer contract: registry, factory, container config rules and resource names."""

from __future__ import annotations

from typing import Any

import pytest

import vitesse.deployers as deployers
from vitesse.deployers import (
    DEPLOYER_MAP,
    ContainerConfig,
    Deployer,
    DeployerFactory,
    DeploymentInfo,
    DeploymentMode,
    DeploymentState,
    coerce_config,
    get_deployer_class,
    register_deployer,
    resource_name,
)
from vitesse.deployers.process import ProcessDeployer
from vitesse.errors import ConfigError
from vitesse.schemas import DeploymentConfig, DeploymentTarget


def test_exported_names_are_pinned():
    assert sorted(deployers.__all__) == sorted(
        [
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
    )


def test_deployment_mode_values_match_the_shared_deployment_target():
    """Every built-in mode is a DeploymentTarget value, so a DeploymentConfig.target picks its deployer."""
    assert {m.value for m in DeploymentMode} - {"azure"} == {t.value for t in DeploymentTarget}
    assert DeploymentMode.CLOUD_EKS == "eks"


def test_azure_is_a_mode_for_the_guides_custom_target_with_no_deployer_built_in():
    assert DeploymentMode.AZURE == "azure"
    assert "azure" not in deployers.DEPLOYER_MAP
    with pytest.raises(ConfigError, match="Unknown deployment target 'azure'"):
        get_deployer_class(DeploymentMode.AZURE)


@pytest.mark.parametrize("target", ["process", "PROCESS", DeploymentMode.PROCESS, DeploymentTarget.PROCESS])
def test_factory_accepts_names_and_enums(target, settings):
    deployer = DeployerFactory.create_deployer(target, {}, settings=settings)
    assert isinstance(deployer, ProcessDeployer)
    assert deployer.target == "process"
    assert deployer.settings is settings


def test_unknown_target_lists_the_known_ones():
    with pytest.raises(
        ConfigError, match=r"Unknown deployment target 'azure'; known targets: ecs, eks, local, process"
    ):
        get_deployer_class("azure")


def test_a_new_target_is_one_class_and_one_registration(settings):
    """The guide's Azure example: subclass Deployer, register it, and the factory builds it."""

    @register_deployer("azure")
    class AzureContainerInstancesDeployer(Deployer):
        def __init__(self, config: dict[str, Any] | None = None, *, settings: Any = None) -> None:
            super().__init__("azure", config, settings=settings)

        async def deploy(self, integration_id, container_config=None):
            config = coerce_config(container_config)
            return self._info(
                integration_id, DeploymentState.RUNNING, resource_name(integration_id), image=config.image
            )

        async def update(self, integration_id, updates):
            return await self.deploy(integration_id, updates)

        async def destroy(self, integration_id):
            return self._info(integration_id, DeploymentState.DESTROYED, resource_name(integration_id))

        async def get_status(self, integration_id):
            return self._info(integration_id, DeploymentState.RUNNING, resource_name(integration_id))

        async def get_logs(self, integration_id, lines=100):
            return ""

    try:
        deployer = DeployerFactory.create_deployer("azure", {"region": "westeurope"}, settings=settings)
        assert isinstance(deployer, AzureContainerInstancesDeployer)
        assert (deployer.target, deployer.config, AzureContainerInstancesDeployer.name) == (
            "azure",
            {"region": "westeurope"},
            "azure",
        )
    finally:
        DEPLOYER_MAP.pop("azure")


async def test_the_guides_deploy_call_shape_works(settings):
    @register_deployer("echo")
    class EchoDeployer(Deployer):
        def __init__(self, config=None, *, settings=None):
            super().__init__("echo", config, settings=settings)

        async def deploy(self, integration_id, container_config=None):
            config = coerce_config(container_config)
            return self._info(
                integration_id,
                DeploymentState.RUNNING,
                resource_name(integration_id),
                image=config.image,
                details={"env": sorted(config.env), "secrets": sorted(config.secrets)},
            )

        update = destroy = get_status = get_logs = None  # type: ignore[assignment]

    try:
        deployer = EchoDeployer(settings=settings)
        result = await deployer.deploy(
            integration_id="integ_abc123",
            container_config={
                "image": "vitesse/integration:latest",
                "env": {"SOURCE_API_KEY": "sk_x", "DEST_API_KEY": "sk_y"},
            },
        )
    finally:
        DEPLOYER_MAP.pop("echo")
    assert isinstance(result, DeploymentInfo)
    assert (result.image, result.container_id) == ("vitesse/integration:latest", "vitesse-integ-abc123")
    assert result.details == {"env": [], "secrets": ["DEST_API_KEY", "SOURCE_API_KEY"]}


def test_registering_something_that_is_not_a_deployer_is_refused():
    with pytest.raises(ConfigError, match="not a Deployer subclass"):
        register_deployer("bad", object)  # type: ignore[arg-type]
    assert "bad" not in DEPLOYER_MAP


def test_a_deployer_missing_a_method_cannot_be_built():
    class Half(Deployer):
        async def deploy(self, integration_id, container_config=None):  # pragma: no cover
            raise AssertionError

    with pytest.raises(TypeError, match="abstract"):
        Half("half")  # type: ignore[abstract]


# -- ContainerConfig --------------------------------------------------------------------------


def test_credential_looking_env_moves_to_secrets_and_is_masked_in_dumps():
    config = coerce_config(
        {"env": {"SOURCE_API_KEY": "sk_live_abcdef123", "DEST_TOKEN": "t0k3n-value", "MODE": "full"}}
    )
    assert config.env == {"MODE": "full"}
    assert sorted(config.secrets) == ["DEST_TOKEN", "SOURCE_API_KEY"]
    assert config.run_env() == {"MODE": "full", "SOURCE_API_KEY": "sk_live_abcdef123", "DEST_TOKEN": "t0k3n-value"}
    dumped = config.model_dump_json() + repr(config)
    assert "sk_live_abcdef123" not in dumped and "t0k3n-value" not in dumped


def test_merge_updates_env_and_secrets_and_replaces_other_fields():
    base = coerce_config(
        {"env": {"A": "1", "B": "2", "SOURCE_API_KEY": "old-key-123"}, "memory_mb": 256, "image": "x:1"}
    )
    merged = base.merged({"env": {"B": None, "C": "3", "SOURCE_API_KEY": "new-key-456"}, "image": "x:2"})
    assert merged.env == {"A": "1", "C": "3"}
    assert merged.secret_values() == {"SOURCE_API_KEY": "new-key-456"}
    assert (merged.image, merged.memory_mb) == ("x:2", 256)
    assert base.image == "x:1"  # the original is not mutated
    removed = merged.merged({"secrets": {"SOURCE_API_KEY": None}})
    assert removed.secrets == {}


def test_merge_accepts_a_partial_container_config():
    base = coerce_config({"env": {"A": "1"}, "cpu_cores": 1.0})
    merged = base.merged(ContainerConfig(env={"B": "2"}))
    assert (merged.env, merged.cpu_cores) == ({"A": "1", "B": "2"}, 1.0)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"memory_mb": 1}, "memory_mb: Input should be greater than or equal to 16"),
        ({"port": 70000}, "port: Input should be less than or equal to 65535"),
        ({"replicas": 0}, "replicas: Input should be greater than or equal to 1"),
        ({"imagee": "typo"}, "imagee: Extra inputs are not permitted"),
    ],
)
def test_invalid_container_configs_raise_config_error_naming_the_field(config, message):
    with pytest.raises(ConfigError, match=f"Invalid container config: {message}"):
        coerce_config(config)


def test_container_config_from_the_shared_deployment_config():
    shared = DeploymentConfig(
        target=DeploymentTarget.LOCAL,
        memory_mb=1024,
        cpu_cores=1.5,
        replicas=3,
        env={"X_API_KEY": "secret-value-1"},
        network_mode="host",
        port=9000,
    )
    config = ContainerConfig.from_deployment_config(shared, runtime_config={"a": 1})
    assert (config.memory_mb, config.cpu_cores, config.replicas, config.network_mode, config.port) == (
        1024,
        1.5,
        3,
        "host",
        9000,
    )
    assert (config.env, sorted(config.secrets), config.runtime_config) == ({}, ["X_API_KEY"], {"a": 1})


# -- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("integration_id", "expected"),
    [
        ("integ_abc123", "vitesse-integ-abc123"),
        ("ABC", "vitesse-abc"),
        ("6f1c2a9e-1d2b-4c3d-9e8f-0a1b2c3d4e5f", "vitesse-6f1c2a9e-1d2b-4c3d-9e8f-0a1b2c3d4e5f"),
    ],
)
def test_resource_names_are_dns_labels(integration_id, expected):
    assert resource_name(integration_id) == expected


def test_long_names_are_shortened_with_a_stable_hash():
    name = resource_name("a" * 60, max_len=32)
    assert len(name) == 32 and name.startswith("vitesse-aaaa") and name == resource_name("a" * 60, max_len=32)
    assert name != resource_name("a" * 59 + "b", max_len=32)


@pytest.mark.parametrize("bad", ["", "-lead", "has space", "semi;colon", "x" * 64, "../etc"])
def test_unusable_integration_ids_are_refused(bad):
    with pytest.raises(ConfigError, match="cannot name a deployment"):
        resource_name(bad)
