"""The ECS target end to end with boto3 against moto in server mode (a real HTTP endpoint on 127.0.0.1).

The fixture builds the account the deployer needs (VPC, two subnets, a security group, an ALB with
an HTTP listener); the deployer then creates and removes everything else. moto never starts tasks,
so a service stays at 0 running tasks: the state is `pending`, which is what ECS would report too.
"""

from __future__ import annotations

import json
import time

import boto3
import pytest

from vitesse.config import Settings
from vitesse.deployers import DeployerFactory, DeploymentState
from vitesse.deployers.ecs import ECSDeployer
from vitesse.errors import ConfigError, NotFoundError

SECRET = "sk_live_0123456789abcdef"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/vitesse-integration:e2e"
REGION = "us-east-1"


@pytest.fixture(scope="module")
def moto_url():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="module")
def aws(moto_url):
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    return {
        name: session.client(name, endpoint_url=moto_url) for name in ("ec2", "ecs", "elbv2", "logs", "secretsmanager")
    }


@pytest.fixture(scope="module")
def network(aws):
    ec2, elbv2 = aws["ec2"], aws["elbv2"]
    vpc = ec2.create_vpc(CidrBlock="10.10.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.10.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in ((1, "a"), (2, "b"))
    ]
    group = ec2.create_security_group(GroupName="vitesse-e2e", Description="e2e", VpcId=vpc)["GroupId"]
    alb = elbv2.create_load_balancer(Name="vitesse-e2e", Subnets=subnets, SecurityGroups=[group], Type="application")
    listener = elbv2.create_listener(
        LoadBalancerArn=alb["LoadBalancers"][0]["LoadBalancerArn"], Protocol="HTTP", Port=80,
        DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}],
    )  # fmt: skip
    return {"vpc": vpc, "subnets": subnets, "group": group, "listener": listener["Listeners"][0]["ListenerArn"]}


@pytest.fixture
def deployer(moto_url, network, tmp_path) -> ECSDeployer:
    settings = Settings(
        data_dir=tmp_path, environment="test", aws_region=REGION, aws_endpoint_url=moto_url,
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip
    options = {
        "cluster": "vitesse-e2e", "subnets": network["subnets"], "security_groups": [network["group"]],
        "vpc_id": network["vpc"], "listener_arn": network["listener"], "domain": "apps.example.test",
        "execution_role_arn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
    }  # fmt: skip
    deployer = DeployerFactory.create_deployer("ecs", options, settings=settings)
    assert isinstance(deployer, ECSDeployer)
    return deployer


def _task(aws, arn):
    return aws["ecs"].describe_task_definition(taskDefinition=arn)["taskDefinition"]


def _our_rules(aws, network):
    rules = aws["elbv2"].describe_rules(ListenerArn=network["listener"])["Rules"]
    return [r for r in rules if not r["IsDefault"]]


async def test_ecs_lifecycle_against_moto(deployer, aws, network):
    """Deploy, read it back through boto3, logs from CloudWatch, update, idempotent redeploy, destroy."""
    config = {
        "image": IMAGE, "env": {"SYNC_LABEL": "first", "SOURCE_API_KEY": SECRET},
        "runtime_config": {"mapping": {"source_endpoint": "GET /customers"}}, "replicas": 2,
    }  # fmt: skip
    info = await deployer.deploy(integration_id="e2e-ecs", container_config=config)
    assert (info.state, info.replicas, info.ready_replicas, info.image) == (DeploymentState.PENDING, 2, 0, IMAGE)
    assert info.url == "http://vitesse-e2e-ecs.apps.example.test"
    assert SECRET not in info.model_dump_json()

    task = _task(aws, info.details["task_definition"])
    container = task["containerDefinitions"][0]
    assert (task["family"], task["cpu"], task["memory"], task["networkMode"]) == (
        "vitesse-e2e-ecs",
        "512",
        "1024",
        "awsvpc",
    )
    assert task["requiresCompatibilities"] == ["FARGATE"]
    env = {e["name"]: e["value"] for e in container["environment"]}
    assert env["SYNC_LABEL"] == "first" and "SOURCE_API_KEY" not in env and SECRET not in json.dumps(task)
    assert json.loads(env["VITESSE_RUNTIME_CONFIG_JSON"]) == {"mapping": {"source_endpoint": "GET /customers"}}
    (secret_ref,) = container["secrets"]
    assert secret_ref["name"] == "SOURCE_API_KEY"
    assert aws["secretsmanager"].get_secret_value(SecretId=secret_ref["valueFrom"])["SecretString"] == SECRET
    assert (container["readonlyRootFilesystem"], container["user"]) == (True, "10001:10001")
    assert container["logConfiguration"]["options"]["awslogs-group"] == "/vitesse/vitesse-e2e-ecs"

    service = aws["ecs"].describe_services(cluster="vitesse-e2e", services=["vitesse-e2e-ecs"])["services"][0]
    assert (service["desiredCount"], service["launchType"]) == (2, "FARGATE")
    (rule,) = _our_rules(aws, network)
    assert rule["Conditions"][0]["HostHeaderConfig"]["Values"] == ["vitesse-e2e-ecs.apps.example.test"]
    assert rule["Actions"][0]["TargetGroupArn"] == service["loadBalancers"][0]["targetGroupArn"]

    now = int(time.time() * 1000)
    aws["logs"].create_log_stream(logGroupName="/vitesse/vitesse-e2e-ecs", logStreamName="vitesse/runtime/task1")
    aws["logs"].put_log_events(
        logGroupName="/vitesse/vitesse-e2e-ecs", logStreamName="vitesse/runtime/task1",
        logEvents=[{"timestamp": now, "message": "sync started"}, {"timestamp": now + 1, "message": "sync done: 3"}],
    )  # fmt: skip
    assert await deployer.get_logs("e2e-ecs", lines=10) == "sync started\nsync done: 3\n"
    assert await deployer.get_logs("e2e-ecs", lines=1) == "sync done: 3\n"

    updated = await deployer.update("e2e-ecs", {"env": {"SYNC_LABEL": "second"}})
    new_task = _task(aws, updated.details["task_definition"])
    assert new_task["revision"] == task["revision"] + 1
    new_env = {e["name"]: e["value"] for e in new_task["containerDefinitions"][0]["environment"]}
    assert new_env["SYNC_LABEL"] == "second"
    assert new_env["VITESSE_RUNTIME_CONFIG_JSON"] == env["VITESSE_RUNTIME_CONFIG_JSON"]
    assert new_task["containerDefinitions"][0]["secrets"] == [secret_ref]
    assert (new_task["cpu"], new_task["memory"], updated.replicas) == ("512", "1024", 2)

    again = await deployer.deploy("e2e-ecs", {**config, "env": {"SYNC_LABEL": "third", "SOURCE_API_KEY": SECRET}})
    assert len(_our_rules(aws, network)) == 1 and again.details["target_groups"] == info.details["target_groups"]

    gone = await deployer.destroy("e2e-ecs")
    removed = gone.details["removed"]
    assert removed[0] == "service vitesse-e2e-ecs" and "target group vitesse-e2e-ecs" in removed
    assert (
        "secret vitesse/vitesse-e2e-ecs/SOURCE_API_KEY" in removed and "log group /vitesse/vitesse-e2e-ecs" in removed
    )
    assert sum(r.startswith("task definition") for r in removed) == 3
    assert _our_rules(aws, network) == []
    assert aws["ecs"].list_task_definitions(familyPrefix="vitesse-e2e-ecs", status="ACTIVE")["taskDefinitionArns"] == []
    assert aws["logs"].describe_log_groups(logGroupNamePrefix="/vitesse/vitesse-e2e-ecs")["logGroups"] == []
    with pytest.raises(NotFoundError, match="deploy it first"):
        await deployer.get_status("e2e-ecs")
    assert (await deployer.destroy("e2e-ecs")).details["removed"] == []


async def test_ecs_without_network_settings_is_a_config_error(moto_url, tmp_path):
    settings = Settings(data_dir=tmp_path, environment="test", aws_endpoint_url=moto_url,
                        aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip
    deployer = ECSDeployer({"cluster": "vitesse-bare"}, settings=settings)
    with pytest.raises(ConfigError, match="needs `subnets` and `security_groups`"):
        await deployer.deploy("e2e-bare", {"image": IMAGE, "env": {"SOURCE_API_KEY": SECRET}})
    assert (await deployer.destroy("e2e-bare")).details["removed"] == []  # nothing was created


async def test_ecs_without_an_image_or_registry_is_a_config_error(moto_url, tmp_path):
    settings = Settings(data_dir=tmp_path, environment="test", aws_endpoint_url=moto_url, ecr_registry_url=None,
                        aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip
    with pytest.raises(ConfigError, match="set ECR_REGISTRY_URL"):
        await ECSDeployer(settings=settings).deploy("e2e-noimage", {})
