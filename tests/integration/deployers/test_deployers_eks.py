"""The EKS target's client calls against a recording fake of the Kubernetes API (HTTP on 127.0.0.1).

The real `kubernetes` client sends every request; the fake answers like an API server and records
them, so the tests assert the server-side apply requests themselves. A last test runs against a
real cluster when KUBECONFIG names one (skipped otherwise, also under CI).
"""

from __future__ import annotations

import base64
import os

import pytest
from fake_kube import FakeKube
from kubernetes import client as k8s_client

from vitesse.config import Settings
from vitesse.deployers import DeployerFactory, DeploymentState, _k8s
from vitesse.deployers.eks import EKSDeployer
from vitesse.errors import ConfigError, NotFoundError

SECRET = "sk_live_0123456789abcdef"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/vitesse-integration:e2e"
CONFIG = {
    "image": IMAGE,
    "env": {"SYNC_LABEL": "first", "SOURCE_API_KEY": SECRET},
    "runtime_config": {"mapping": {"source_endpoint": "GET /customers"}},
}


@pytest.fixture
def fake():
    server = FakeKube().start()
    yield server
    server.stop()


@pytest.fixture
def deployer(fake, tmp_path) -> EKSDeployer:
    configuration = k8s_client.Configuration(host=fake.url)
    api_client = k8s_client.ApiClient(configuration)
    settings = Settings(data_dir=tmp_path, environment="test", eks_cluster_name="vitesse-prod")
    options = {"namespace": "integrations", "domain": "apps.example.test", "ingress_class": "alb"}
    deployer = DeployerFactory.create_deployer("eks", options, settings=settings, api_client=api_client)
    assert isinstance(deployer, EKSDeployer)
    yield deployer
    api_client.close()


async def test_deploy_server_side_applies_every_object(deployer, fake):
    """Deploy sends one apply PATCH per object (namespace first) with our field manager, and reports running."""
    info = await deployer.deploy(integration_id="e2e-k8s", container_config=CONFIG)
    patches = fake.patches()
    assert [p["path"] for p in patches] == [
        "/api/v1/namespaces/integrations",
        "/api/v1/namespaces/integrations/configmaps/vitesse-e2e-k8s",
        "/api/v1/namespaces/integrations/secrets/vitesse-e2e-k8s",
        "/apis/apps/v1/namespaces/integrations/deployments/vitesse-e2e-k8s",
        "/api/v1/namespaces/integrations/services/vitesse-e2e-k8s",
        "/apis/networking.k8s.io/v1/namespaces/integrations/ingresses/vitesse-e2e-k8s",
        "/apis/autoscaling/v2/namespaces/integrations/horizontalpodautoscalers/vitesse-e2e-k8s",
    ]
    for patch in patches:
        assert patch["content_type"] == "application/apply-patch+yaml"
        assert (patch["query"]["fieldManager"], patch["query"]["force"]) == (["vitesse"], ["true"])
    expected = _k8s.build_manifests(deployer.spec("e2e-k8s", deployer_config()))
    assert [p["body"] for p in patches[1:]] == expected
    assert base64.b64decode(patches[2]["body"]["data"]["SOURCE_API_KEY"]).decode() == SECRET

    assert (info.state, info.replicas, info.ready_replicas, info.image) == (DeploymentState.RUNNING, 2, 2, IMAGE)
    assert info.url == "http://vitesse-e2e-k8s.apps.example.test"
    assert info.details["env"] == ["SYNC_LABEL"]
    assert SECRET not in info.model_dump_json()


def deployer_config():
    from vitesse.deployers import coerce_config

    return coerce_config(CONFIG)


async def test_applying_the_same_config_again_changes_nothing(deployer, fake):
    await deployer.deploy("e2e-k8s", CONFIG)
    first = [p["body"] for p in fake.patches()]
    versions = {path: obj["metadata"]["resourceVersion"] for path, obj in fake.objects.items()}
    await deployer.deploy("e2e-k8s", CONFIG)
    assert [p["body"] for p in fake.patches()[len(first) :]] == first
    assert {path: obj["metadata"]["resourceVersion"] for path, obj in fake.objects.items()} == versions


async def test_update_merges_env_and_keeps_secret_and_mapping(deployer, fake):
    """update reads the current objects back, merges the change and re-applies; the pod template rolls."""
    await deployer.deploy("e2e-k8s", {**CONFIG, "memory_mb": 768, "cpu_cores": 1.5, "replicas": 3})
    before = fake.objects["/apis/apps/v1/namespaces/integrations/deployments/vitesse-e2e-k8s"]
    info = await deployer.update("e2e-k8s", {"env": {"SYNC_LABEL": "second", "DEST_TOKEN": "tok-9876543210"}})
    deployment = fake.objects["/apis/apps/v1/namespaces/integrations/deployments/vitesse-e2e-k8s"]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert {e["name"]: e["value"] for e in container["env"]}["SYNC_LABEL"] == "second"
    assert container["resources"]["limits"] == {"memory": "768Mi", "cpu": "1500m"}
    assert deployment["spec"]["replicas"] == 3 and info.replicas == 3
    secret = fake.objects["/api/v1/namespaces/integrations/secrets/vitesse-e2e-k8s"]
    assert {k: base64.b64decode(v).decode() for k, v in secret["data"].items()} == {
        "SOURCE_API_KEY": SECRET,
        "DEST_TOKEN": "tok-9876543210",
    }
    config_map = fake.objects["/api/v1/namespaces/integrations/configmaps/vitesse-e2e-k8s"]
    assert '"source_endpoint": "GET /customers"' in config_map["data"]["runtime-config.json"]
    checksum = "vitesse.dev/checksum"
    assert (
        deployment["spec"]["template"]["metadata"]["annotations"][checksum]
        != before["spec"]["template"]["metadata"]["annotations"][checksum]
    )
    assert (
        fake.objects["/apis/networking.k8s.io/v1/namespaces/integrations/ingresses/vitesse-e2e-k8s"]["spec"]["rules"][
            0
        ]["host"]
        == "vitesse-e2e-k8s.apps.example.test"
    )


@pytest.mark.parametrize(
    ("status", "state", "message"),
    [
        (
            {"observedGeneration": 1, "readyReplicas": 0, "conditions": [
                {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
                 "message": 'ReplicaSet "x" has timed out progressing.'}]},
            DeploymentState.FAILED, 'ReplicaSet "x" has timed out progressing.',
        ),
        (
            {"observedGeneration": 1, "readyReplicas": 1, "updatedReplicas": 2, "conditions": [
                {"type": "Available", "status": "True"}, {"type": "Progressing", "status": "True"}]},
            DeploymentState.DEGRADED, "1/2 replicas ready, rollout in progress",
        ),
        (
            {"observedGeneration": 1, "conditions": [
                {"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable"},
                {"type": "Progressing", "status": "True", "message": "ReplicaSet is progressing."}]},
            DeploymentState.PENDING, "ReplicaSet is progressing.",
        ),
    ],
)  # fmt: skip
async def test_status_comes_from_the_deployment_conditions(deployer, fake, status, state, message):
    fake.deployment_status["vitesse-e2e-k8s"] = status
    await deployer.deploy("e2e-k8s", CONFIG)
    info = await deployer.get_status("e2e-k8s")
    assert (info.state, info.message) == (state, message)


async def test_logs_come_from_the_pods_merged_by_time(deployer, fake):
    await deployer.deploy("e2e-k8s", CONFIG)
    fake.logs["vitesse-e2e-k8s-5d8f7-0"] = "2026-01-01T00:00:01Z sync started\n2026-01-01T00:00:03Z sync done\n"
    fake.logs["vitesse-e2e-k8s-5d8f7-1"] = "2026-01-01T00:00:02Z idle\n"
    assert await deployer.get_logs("e2e-k8s", lines=10) == (
        "vitesse-e2e-k8s-5d8f7-0 | sync started\nvitesse-e2e-k8s-5d8f7-1 | idle\nvitesse-e2e-k8s-5d8f7-0 | sync done\n"
    )
    assert await deployer.get_logs("e2e-k8s", lines=1) == "vitesse-e2e-k8s-5d8f7-0 | sync done\n"
    log_requests = [r for r in fake.requests if r["path"].endswith("/log")]
    assert {r["query"]["container"][0] for r in log_requests} == {"runtime"}


async def test_destroy_deletes_everything_in_reverse_order(deployer, fake):
    await deployer.deploy("e2e-k8s", CONFIG)
    gone = await deployer.destroy("e2e-k8s")
    assert gone.details["removed"] == [
        "HorizontalPodAutoscaler vitesse-e2e-k8s", "Ingress vitesse-e2e-k8s", "Service vitesse-e2e-k8s",
        "Deployment vitesse-e2e-k8s", "Secret vitesse-e2e-k8s", "ConfigMap vitesse-e2e-k8s",
    ]  # fmt: skip
    assert [p for p in fake.objects if "vitesse-e2e-k8s" in p] == []
    deletes = [r["path"].split("/")[-2] for r in fake.requests if r["method"] == "DELETE"]
    assert deletes == ["horizontalpodautoscalers", "ingresses", "services", "deployments", "secrets", "configmaps"]
    with pytest.raises(NotFoundError, match="deploy it first"):
        await deployer.get_status("e2e-k8s")
    assert (await deployer.destroy("e2e-k8s")).details["removed"] == []


async def test_without_an_image_the_ecr_registry_from_settings_is_used(fake, tmp_path):
    api_client = k8s_client.ApiClient(k8s_client.Configuration(host=fake.url))
    settings = Settings(
        data_dir=tmp_path, environment="test", ecr_registry_url="123456789012.dkr.ecr.us-east-1.amazonaws.com"
    )
    info = await EKSDeployer(settings=settings, api_client=api_client).deploy("e2e-ecr", {})
    assert info.image == "123456789012.dkr.ecr.us-east-1.amazonaws.com/vitesse-integration:vitesse-e2e-ecr"
    bare = Settings(data_dir=tmp_path, environment="test", ecr_registry_url=None)
    with pytest.raises(ConfigError, match="set ECR_REGISTRY_URL"):
        await EKSDeployer(settings=bare, api_client=api_client).deploy("e2e-ecr", {})
    api_client.close()


async def test_against_a_real_cluster_when_kubeconfig_names_one(tmp_path):
    """Deploy, see the Deployment, destroy on the cluster KUBECONFIG points at (VITESSE_K8S_TEST_IMAGE: the image)."""
    kubeconfig = os.environ.get("KUBECONFIG")
    if not kubeconfig or not os.path.exists(kubeconfig):
        pytest.skip("KUBECONFIG does not name a cluster")
    image = os.environ.get("VITESSE_K8S_TEST_IMAGE", "python:3.12-slim")
    deployer = EKSDeployer(
        {"namespace": "vitesse-test", "kubeconfig": kubeconfig}, settings=Settings(data_dir=tmp_path)
    )
    try:
        info = await deployer.deploy("real-cluster-test", {"image": image, "replicas": 1})
        assert info.state in (DeploymentState.PENDING, DeploymentState.RUNNING, DeploymentState.DEGRADED)
        assert (await deployer.get_status("real-cluster-test")).name == "vitesse-real-cluster-test"
    finally:
        await deployer.destroy("real-cluster-test")
