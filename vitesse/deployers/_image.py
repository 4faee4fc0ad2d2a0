"""Build the integration image with the Docker SDK from a generated context (see `templates.write_build_context`).

The tag carries a digest of the context, so deploying the same mapping twice reuses the image
instead of building it again.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vitesse.deployers.base import resource_name
from vitesse.deployers.templates import write_build_context
from vitesse.errors import DeployError

INTEGRATION_LABEL = "io.vitesse.integration-id"


@dataclass(frozen=True)
class BuildOptions:
    base_image: str | None = None
    python_version: str = "3.12"
    network_mode: str | None = None
    ca_bundle: Path | None = None
    pip_index_url: str | None = None
    timeout_s: int = 900


@dataclass(frozen=True)
class BuiltImage:
    tag: str
    image_id: str
    reused: bool
    seconds: float


def default_ca_bundle() -> Path | None:
    """The CA bundle pip uses here (PIP_CERT, else REQUESTS_CA_BUNDLE), so pip in the build trusts the same proxies."""
    for name in ("PIP_CERT", "REQUESTS_CA_BUNDLE"):
        value = os.environ.get(name)
        if value and Path(value).is_file():
            return Path(value)
    return None


def context_digest(folder: Path) -> str:
    """Return a short sha256 of every file in the context except the build-time extras."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "build-extras" not in p.parts):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def build_integration_image(
    client: Any, integration_id: str, runtime_config: Mapping[str, Any], options: BuildOptions
) -> BuiltImage:
    """Build (or reuse) `vitesse/integration-<id>:<digest>`; blocking, so call it in a worker thread."""
    import docker.errors

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="vitesse-build-") as tmp:
        folder = write_build_context(
            Path(tmp),
            integration_id,
            runtime_config=runtime_config,
            base_image=options.base_image,
            python_version=options.python_version,
            ca_bundle=options.ca_bundle,
            pip_index_url=options.pip_index_url,
        )
        tag = f"vitesse/integration-{resource_name(integration_id).removeprefix('vitesse-')}:{context_digest(folder)}"
        try:
            return BuiltImage(tag, client.images.get(tag).id, True, time.monotonic() - started)
        except docker.errors.ImageNotFound:
            pass
        try:
            image, _ = client.images.build(
                path=str(folder),
                tag=tag,
                rm=True,
                forcerm=True,
                pull=False,
                network_mode=options.network_mode,
                timeout=options.timeout_s,
            )
        except docker.errors.BuildError as exc:
            lines = [str(chunk.get("stream") or chunk.get("error") or "").rstrip() for chunk in exc.build_log]
            tail = "\n".join(line for line in lines if line)[-2000:]
            raise DeployError(f"Building the image for {integration_id} failed: {exc.msg}\n{tail}") from None
        except docker.errors.APIError as exc:
            raise DeployError(f"Building the image for {integration_id} failed: {exc.explanation or exc}") from None
    return BuiltImage(tag, image.id, False, time.monotonic() - started)
