"""The generated files: Dockerfile, runtime entry, Kubernetes manifests (validated offline), ECS task."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from vitesse.deployers import _ecs, _k8s
from vitesse.deployers.templates import (
    RUNTIME_PACKAGES,
    DockerfileGenerator,
    render_templates,
    write_build_context,
)
from vitesse.errors import ConfigError

ROOT = Path(__file__).resolve().parents[3]
K8S_VERSION = "1.37.0"
MAPPING = {"source_endpoint": "GET /customers", "dest_endpoint": "POST /contacts", "transformations": []}


def test_the_guides_dockerfile_call_defaults_to_the_official_slim_image():
    text = DockerfileGenerator.generate_base_dockerfile(integration_id="integ_abc123", python_version="3.12")
    assert "FROM python:3.12-slim\n" in text
    assert 'io.vitesse.integration-id="integ_abc123"' in text
    assert "USER 10001:10001" in text and 'CMD ["python", "/app/entry.py"]' in text
    assert "pip install --no-compile -r /app/runtime-requirements.txt" in text
    assert "{{" not in text


def test_the_base_image_is_configurable():
    text = DockerfileGenerator.generate_base_dockerfile("x1", base_image="registry.local/python:3.11")
    assert "FROM registry.local/python:3.11\n" in text


@pytest.mark.parametrize("version", ["3", "3.12; rm -rf /", "latest"])
def test_a_bad_python_version_is_refused(version):
    with pytest.raises(ConfigError, match="python_version"):
        DockerfileGenerator.generate_base_dockerfile("x1", version)


def test_the_entry_embeds_names_and_mapping_safely(tmp_path):
    """Quotes and newlines in names cannot break out of the generated script; its fallback config is the mapping."""
    tricky = 'Shop """ \n import os; os.system("x") #'
    entry = DockerfileGenerator.generate_integration_app_template(
        integration_id="integ_abc123",
        source_api_name=tricky,
        dest_api_name="Credo CRM",
        mapping_json=json.dumps(MAPPING),
    )
    script = tmp_path / "entry.py"
    script.write_text(entry)
    code = (
        "import json, runpy; m = runpy.run_path('entry.py');"
        "print(json.dumps([m['SOURCE_API_NAME'], json.load(open(m['config_path']()))]))"
    )
    env = {"VITESSE_RUNTIME_CONFIG": str(tmp_path / "missing.json"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    name, config = json.loads(out.stdout)
    assert name == tricky
    assert config == {"integration_id": "integ_abc123", "mapping": MAPPING}


def test_the_entry_prefers_inline_json_config(tmp_path):
    entry = DockerfileGenerator.generate_integration_app_template("i1", "a", "b", "{}")
    (tmp_path / "entry.py").write_text(entry)
    code = "import json, runpy; print(open(runpy.run_path('entry.py')['config_path']()).read())"
    env = {"VITESSE_RUNTIME_CONFIG_JSON": '{"from": "env"}', "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == {"from": "env"}


def test_the_entry_health_check_asks_healthz(tmp_path):
    class Healthy(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/healthz" else 404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Healthy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    (tmp_path / "entry.py").write_text(DockerfileGenerator.generate_integration_app_template("i1", "a", "b", "{}"))

    def run(port: int) -> int:
        command = [sys.executable, "entry.py", "--check"]
        return subprocess.run(command, cwd=tmp_path, env={"VITESSE_PORT": str(port)}, timeout=30).returncode

    try:
        assert run(server.server_address[1]) == 0
    finally:
        server.shutdown()
        server.server_close()
    assert run(server.server_address[1]) == 1


def test_invalid_mapping_json_is_a_config_error():
    with pytest.raises(ConfigError, match="mapping_json is not valid JSON"):
        DockerfileGenerator.generate_integration_app_template("i1", "a", "b", "{not json")


@pytest.mark.parametrize(
    "options",
    [
        {},
        {
            "env": {"MODE": "full"},
            "secrets": {"SOURCE_API_KEY": "x"},
            "runtime_config": MAPPING,
            "ingress_class": "alb",
        },
        {"command": ["python", "-m", "vitesse.runtime"], "memory_mb": 2048, "cpu_cores": 2, "namespace": "prod"},
    ],
)
def test_kubernetes_manifests_validate_strictly(options):
    text = DockerfileGenerator.generate_kubernetes_manifest(
        integration_id="integ_abc123", image_uri="123456789.dkr.ecr.us-east-1.amazonaws.com/vitesse:latest", replicas=3,
        **options,
    )  # fmt: skip
    docs = list(yaml.safe_load_all(text))
    assert [d["kind"] for d in docs] == list(_k8s.KINDS)
    for doc in docs:
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
    deployment = docs[2]
    assert deployment["spec"]["replicas"] == 3 and docs[5]["spec"]["minReplicas"] == 3
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
    assert container["resources"]["requests"] == container["resources"]["limits"]


def test_the_default_replica_count_is_two():
    docs = list(yaml.safe_load_all(DockerfileGenerator.generate_kubernetes_manifest("i1", "img:1")))
    assert docs[2]["spec"]["replicas"] == 2


def test_a_broken_manifest_is_caught_by_the_validator():
    """The validator really checks: a Deployment without its selector fails."""
    deployment = _k8s.deployment(_k8s.K8sSpec(integration_id="i1", image="img:1"))
    del deployment["spec"]["selector"]
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSION, strict=True)


@pytest.mark.parametrize(
    ("cpu", "memory", "expected"),
    [(0.25, 512, (256, 512)), (0.5, 512, (512, 1024)), (1, 3000, (1024, 3072)), (4, 30720, (4096, 30720))],
)
def test_fargate_sizes_round_up_to_a_valid_pair(cpu, memory, expected):
    assert _ecs.fargate_size(cpu, memory) == expected


def test_an_impossible_fargate_size_is_a_config_error():
    with pytest.raises(ConfigError, match="No Fargate size fits 8 vCPU"):
        _ecs.fargate_size(8, 1024)


def test_the_ecs_task_definition_references_secrets_and_logs():
    task = json.loads(
        DockerfileGenerator.generate_ecs_task_definition(
            "integ_abc123", "img:1", "eu-west-1", secret_arns={"SOURCE_API_KEY": "arn:aws:secretsmanager:x"}
        )
    )
    container = task["containerDefinitions"][0]
    assert container["secrets"] == [{"name": "SOURCE_API_KEY", "valueFrom": "arn:aws:secretsmanager:x"}]
    assert container["logConfiguration"]["options"]["awslogs-region"] == "eu-west-1"
    assert (task["cpu"], task["memory"], task["family"]) == ("512", "1024", "vitesse-integ-abc123")


def test_render_templates_writes_reusable_files_without_secret_values(tmp_path):
    files = render_templates(
        tmp_path / "out", "integ_abc123", runtime_config={"mapping": MAPPING}, secret_names=["SOURCE_API_KEY"],
        env={"MODE": "full"}, domain="apps.example.test",
    )  # fmt: skip
    names = sorted(p.name for p in files)
    assert names == sorted(
        [".dockerignore", "Dockerfile", "ecs-task-definition.json", "entry.py", "kubernetes.yaml",
         "runtime-config.json", "runtime-requirements.txt"]
    )  # fmt: skip
    docs = list(yaml.safe_load_all((tmp_path / "out" / "kubernetes.yaml").read_text()))
    assert docs[1]["data"] == {"SOURCE_API_KEY": ""}
    assert docs[4]["spec"]["rules"][0]["host"] == "vitesse-integ-abc123.apps.example.test"
    task = json.loads((tmp_path / "out" / "ecs-task-definition.json").read_text())
    assert task["containerDefinitions"][0]["secrets"][0]["valueFrom"] == "<arn of SOURCE_API_KEY>"
    assert json.loads((tmp_path / "out" / "runtime-config.json").read_text()) == {"mapping": MAPPING}
    compile((tmp_path / "out" / "entry.py").read_text(), "entry.py", "exec")


def test_the_build_context_holds_only_the_runtimes_part_of_the_package(tmp_path):
    ca = tmp_path / "ca.crt"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    folder = write_build_context(
        tmp_path / "ctx",
        "i1",
        runtime_config={"mapping": MAPPING},
        ca_bundle=ca,
        pip_index_url="https://pypi.example/simple",
    )
    top = sorted(p.name for p in (folder / "vitesse").iterdir())
    assert set(RUNTIME_PACKAGES) <= set(top)
    assert not {"graph", "api", "deployers", "persistence", "cli.py"} & set(top)
    assert not list(folder.rglob("__pycache__"))
    assert (folder / "build-extras" / "ca-certificates.crt").read_text() == ca.read_text()
    assert "index-url = https://pypi.example/simple" in (folder / "build-extras" / "pip.conf").read_text()


def _names(path: Path) -> set[str]:
    lines = [ln.split("#")[0].strip() for ln in path.read_text().splitlines()]
    return {ln.split(">")[0].split("<")[0].split("[")[0].strip().lower() for ln in lines if ln}


def test_the_image_requirements_match_the_runtimes_list():
    runtime = ROOT / "vitesse" / "runtime" / "requirements.txt"
    if not runtime.exists():
        pytest.skip("the runtime has no requirements.txt")
    ours = ROOT / "vitesse" / "deployers" / "templates" / "runtime-requirements.txt"
    assert _names(ours) == _names(runtime)
