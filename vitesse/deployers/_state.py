"""Keep a deployment's small files under settings.data_dir/deployments/<id>/.

`state.json` holds what a later Deployer instance needs to find the deployment again (pid, port,
command, names of the env variables); `secrets.json` holds the credentials, readable by the owner
only; `runtime-config.json` is the runtime's config; `runtime.log` is what the runtime prints.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import deque
from pathlib import Path
from typing import Any

from vitesse.config import Settings
from vitesse.deployers.base import check_integration_id

STATE = "state.json"
SECRETS = "secrets.json"
RUNTIME_CONFIG = "runtime-config.json"
LOG = "runtime.log"


def deployment_dir(settings: Settings, integration_id: str) -> Path:
    return Path(settings.data_dir) / "deployments" / check_integration_id(integration_id)


def write_json(path: Path, payload: Any, mode: int = 0o644) -> None:
    """Write JSON atomically (temp file + rename) with the given permission bits."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as handle:
        json.dump(payload, handle, indent=2, sort_keys=True, default=str)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None


def tail(path: Path, lines: int) -> str:
    """Return the last `lines` lines of a text file ('' when it does not exist)."""
    if lines <= 0 or not path.exists():
        return ""
    with path.open(errors="replace") as handle:
        return "".join(deque(handle, maxlen=lines))


def remove_dir(path: Path) -> list[str]:
    """Remove a deployment folder and return the names of the files it held."""
    if not path.exists():
        return []
    names = sorted(p.name for p in path.iterdir())
    shutil.rmtree(path)
    return names
