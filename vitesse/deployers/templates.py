"""Generate the files that run an integration: Dockerfile, runtime entry, Kubernetes manifests, ECS task.

`DockerfileGenerator` keeps the guide's names; `render_templates` writes every file into a folder
(what `vitesse deploy --dry-run` leaves for a person to read and reuse); `write_build_context`
prepares the folder the local target builds its image from.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import vitesse
from vitesse.deployers import _ecs, _k8s
from vitesse.deployers.base import RUNTIME_PORT, check_integration_id, resource_name
from vitesse.errors import ConfigError

TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT_PYTHON = "3.12"
PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
DOCKERIGNORE = "**/__pycache__\n**/*.pyc\n**/*.pyo\n"
RUNTIME_MODULES = ("__init__.py", "py.typed", "schemas.py", "errors.py", "net.py")
RUNTIME_PACKAGES = ("runtime", "transforms")
"""The parts of `vitesse` the runtime imports; only these go into the image."""


def fill(template: str, values: Mapping[str, Any]) -> str:
    """Replace `{{ name }}` placeholders; an unknown name is a bug in the template, so it raises."""

    def lookup(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"template placeholder {name!r} has no value")
        return str(values[name])

    return PLACEHOLDER.sub(lookup, template)


def _template(name: str) -> str:
    return (TEMPLATES / name).read_text()


class DockerfileGenerator:
    """The guide's generator of deployment files; every method returns text."""

    @staticmethod
    def generate_base_dockerfile(
        integration_id: str,
        python_version: str = DEFAULT_PYTHON,
        *,
        base_image: str | None = None,
        port: int = RUNTIME_PORT,
    ) -> str:
        """Return the Dockerfile (base: the official slim Python image unless `base_image` says otherwise)."""
        if not re.fullmatch(r"3\.\d{1,2}", python_version):
            raise ConfigError(f"python_version must look like '3.12', not {python_version!r}")
        values = {
            "integration_id": check_integration_id(integration_id),
            "slug": resource_name(integration_id),
            "base_image": base_image or f"python:{python_version}-slim",
            "python_version": python_version,
            "port": port,
        }
        return fill(_template("Dockerfile.tmpl"), values)

    @staticmethod
    def generate_integration_app_template(
        integration_id: str, source_api_name: str, dest_api_name: str, mapping_json: str, *, port: int = RUNTIME_PORT
    ) -> str:
        """Return the runtime entry script (`entry.py`) with the proved mapping embedded as a fallback config."""
        try:
            json.loads(mapping_json)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"mapping_json is not valid JSON ({exc}); pass json.dumps(mapping)") from None
        values = {
            "integration_id": check_integration_id(integration_id),
            "source_api_name": _one_line(source_api_name),
            "dest_api_name": _one_line(dest_api_name),
            "integration_id_literal": repr(integration_id),
            "source_api_name_literal": repr(source_api_name),
            "dest_api_name_literal": repr(dest_api_name),
            "mapping_json_literal": repr(mapping_json),
            "port": port,
        }
        return fill(_template("entry.py.tmpl"), values)

    @staticmethod
    def generate_requirements_txt() -> str:
        """Return the runtime's short requirements list (what the image installs)."""
        return _template("runtime-requirements.txt")

    @staticmethod
    def generate_kubernetes_manifest(integration_id: str, image_uri: str, replicas: int = 2, **options: Any) -> str:
        """Return the multi-document YAML: ConfigMap, Secret, Deployment, Service, Ingress, HorizontalPodAutoscaler.

        `options` are the other `K8sSpec` fields (namespace, domain, env, runtime_config …). Secret values
        given as `secrets` are written base64-encoded: keep such a file out of version control.
        """
        spec = _k8s.K8sSpec(
            integration_id=check_integration_id(integration_id), image=image_uri, replicas=replicas, **options
        )
        return _k8s.render_yaml(_k8s.build_manifests(spec))

    @staticmethod
    def generate_ecs_task_definition(
        integration_id: str, image_uri: str, region: str = "us-east-1", **options: Any
    ) -> str:
        """Return the ECS Fargate task definition as JSON (the input of `aws ecs register-task-definition`)."""
        spec = _ecs.TaskSpec(
            integration_id=check_integration_id(integration_id), image=image_uri, region=region, **options
        )
        return json.dumps(_ecs.task_definition(spec), indent=2)


def _one_line(text: str) -> str:
    return " ".join(str(text).split()).replace('"""', "'''")


def write_build_context(
    folder: Path,
    integration_id: str,
    *,
    runtime_config: Mapping[str, Any],
    base_image: str | None = None,
    python_version: str = DEFAULT_PYTHON,
    source_api_name: str = "source",
    dest_api_name: str = "destination",
    ca_bundle: Path | None = None,
    pip_index_url: str | None = None,
    port: int = RUNTIME_PORT,
) -> Path:
    """Write everything `docker build` needs into `folder`: Dockerfile, entry, config, requirements, package."""
    folder.mkdir(parents=True, exist_ok=True)
    mapping = runtime_config.get("mapping", {})
    files = {
        "Dockerfile": DockerfileGenerator.generate_base_dockerfile(
            integration_id, python_version, base_image=base_image, port=port
        ),
        "entry.py": DockerfileGenerator.generate_integration_app_template(
            integration_id, source_api_name, dest_api_name, json.dumps(mapping), port=port
        ),
        "runtime-requirements.txt": DockerfileGenerator.generate_requirements_txt(),
        "runtime-config.json": json.dumps(dict(runtime_config), indent=2, sort_keys=True),
        ".dockerignore": DOCKERIGNORE,
    }
    for name, text in files.items():
        (folder / name).write_text(text)
    copy_runtime_package(folder / "vitesse")
    extras = folder / "build-extras"
    extras.mkdir(exist_ok=True)
    if ca_bundle is not None:
        shutil.copyfile(ca_bundle, extras / "ca-certificates.crt")
    if pip_index_url:
        (extras / "pip.conf").write_text(f"[global]\nindex-url = {pip_index_url}\n")
    return folder


def copy_runtime_package(dest: Path) -> None:
    """Copy the runtime's part of the `vitesse` package source (no caches) to `dest`."""
    package = Path(vitesse.__file__).resolve().parent
    dest.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME_MODULES:
        if (package / name).exists():
            shutil.copyfile(package / name, dest / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in RUNTIME_PACKAGES:
        if (package / name).is_dir():
            shutil.copytree(package / name, dest / name, ignore=ignore, dirs_exist_ok=True)


def render_templates(
    output_dir: Path | str,
    integration_id: str,
    *,
    image: str | None = None,
    runtime_config: Mapping[str, Any] | None = None,
    source_api_name: str = "source",
    dest_api_name: str = "destination",
    env: Mapping[str, str] | None = None,
    secret_names: list[str] | None = None,
    replicas: int = 2,
    memory_mb: int = 512,
    cpu_cores: float = 0.5,
    python_version: str = DEFAULT_PYTHON,
    base_image: str | None = None,
    domain: str = "localhost",
    namespace: str = "default",
    region: str = "us-east-1",
) -> list[Path]:
    """Write the Dockerfile, entry, requirements, runtime config, Kubernetes YAML and ECS task JSON (a dry run).

    Credentials are named (`secret_names`) but never written: the Secret has empty values and the task
    definition references `<arn of NAME>` placeholders to fill in.
    """
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    config = dict(runtime_config or {})
    image = image or f"vitesse/integration-{resource_name(integration_id)}:latest"
    names = sorted(secret_names or [])
    shared = {"memory_mb": memory_mb, "cpu_cores": cpu_cores, "env": dict(env or {})}
    files = {
        "Dockerfile": DockerfileGenerator.generate_base_dockerfile(
            integration_id, python_version, base_image=base_image
        ),
        "entry.py": DockerfileGenerator.generate_integration_app_template(
            integration_id, source_api_name, dest_api_name, json.dumps(config.get("mapping", {}))
        ),
        "runtime-requirements.txt": DockerfileGenerator.generate_requirements_txt(),
        "runtime-config.json": json.dumps(config, indent=2, sort_keys=True) + "\n",
        ".dockerignore": DOCKERIGNORE,
        "kubernetes.yaml": DockerfileGenerator.generate_kubernetes_manifest(
            integration_id,
            image,
            replicas,
            secrets=_k8s.placeholder_secrets(names),
            runtime_config=config,
            domain=domain,
            namespace=namespace,
            **shared,
        ),
        "ecs-task-definition.json": DockerfileGenerator.generate_ecs_task_definition(
            integration_id,
            image,
            region,
            secret_arns={n: f"<arn of {n}>" for n in names},
            runtime_config_json=json.dumps(config, sort_keys=True),
            **shared,
        )
        + "\n",
    }
    written = []
    for name, text in files.items():
        (folder / name).write_text(text)
        written.append(folder / name)
    return written
