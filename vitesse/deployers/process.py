"""Run the sync runtime as a local subprocess: the embedded default target, no Docker needed.

Each deployment gets a free loopback port, its own process group and a folder under
settings.data_dir/deployments/<id>/ (see `_state`). The folder is the source of truth, so a new
ProcessDeployer (after the API server restarts) finds a running runtime again by its state file;
the process start time is recorded too, so a recycled pid is never mistaken for (or killed as) ours.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict

import vitesse
from vitesse.config import Settings
from vitesse.deployers import _state
from vitesse.deployers.base import (
    ContainerConfig,
    Deployer,
    DeploymentInfo,
    DeploymentMode,
    DeploymentState,
    coerce_config,
    fill_command,
    parse_options,
    resource_name,
)
from vitesse.errors import DeployError, NotFoundError
from vitesse.net import mask_secrets

PASSED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "SSL_CERT_FILE", "SSL_CERT_DIR", "HTTPS_PROXY", "NO_PROXY")
DEFAULT_COMMAND = ["{python}", "-m", "vitesse.runtime", "--config", "{config}", "--host", "{host}", "--port", "{port}"]


class ProcessOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    python: str = sys.executable
    health_path: str = "/healthz"
    start_timeout_s: float = 30.0
    stop_timeout_s: float = 10.0


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def proc_start_time(pid: int) -> str | None:
    """Return the kernel's start time of a process (field 22 of /proc/<pid>/stat), None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    return None if fields[0] == "Z" else fields[19]


_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}
"""Runtimes this process started, by pid: kept for the process's life (a runtime outlives the deployer
object that started it), so their exit can be reaped and no handle is garbage-collected while they run."""


class ProcessDeployer(Deployer):
    """Deploy the runtime as `python -m vitesse.runtime --config PATH --host 127.0.0.1 --port N`."""

    def __init__(self, config: Mapping[str, Any] | None = None, *, settings: Settings | None = None) -> None:
        super().__init__(DeploymentMode.PROCESS, config, settings=settings)
        self.options = parse_options(ProcessOptions, self.config)
        self._children = _CHILDREN

    # -- the five methods -------------------------------------------------------------------

    async def deploy(
        self, integration_id: str, container_config: ContainerConfig | Mapping[str, Any] | None = None
    ) -> DeploymentInfo:
        config = coerce_config(container_config)
        state = self._read_state(integration_id)
        if state is not None:
            await self._stop(state)
        return await self._start(integration_id, config, config.port or (state or {}).get("port"))

    async def update(self, integration_id: str, updates: ContainerConfig | Mapping[str, Any]) -> DeploymentInfo:
        state = self._require_state(integration_id)
        config = self._stored_config(integration_id, state).merged(updates)
        await self._stop(state)
        return await self._start(integration_id, config, config.port or state["port"])

    async def destroy(self, integration_id: str) -> DeploymentInfo:
        state = self._read_state(integration_id)
        if state is not None:
            await self._stop(state)
        removed = _state.remove_dir(self._folder(integration_id))
        return self._info(
            integration_id, DeploymentState.DESTROYED, resource_name(integration_id), details={"removed": removed}
        )

    async def get_status(self, integration_id: str) -> DeploymentInfo:
        state = self._require_state(integration_id)
        url = state["url"]
        if not self._alive(state):
            return self._describe(integration_id, state, DeploymentState.STOPPED, "the runtime process is not running")
        healthy = await self._healthy(url)
        if healthy:
            return self._describe(integration_id, state, DeploymentState.RUNNING, "healthy")
        return self._describe(integration_id, state, DeploymentState.DEGRADED, f"{url}{self.options.health_path} fails")

    async def get_logs(self, integration_id: str, lines: int = 100) -> str:
        self._require_state(integration_id)
        text = _state.tail(self._folder(integration_id) / _state.LOG, lines)
        secrets = _state.read_json(self._folder(integration_id) / _state.SECRETS) or {}
        return mask_secrets(text, secrets.values())

    # -- start and stop ---------------------------------------------------------------------

    async def _start(self, integration_id: str, config: ContainerConfig, port: int | None) -> DeploymentInfo:
        folder = self._folder(integration_id)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        port = port or free_port(self.options.host)
        _state.write_json(folder / _state.RUNTIME_CONFIG, config.runtime_config)
        _state.write_json(folder / _state.SECRETS, config.secret_values(), mode=0o600)
        command = self._command(config, folder, port)
        with (folder / _state.LOG).open("ab") as log:
            proc = subprocess.Popen(  # noqa: S603 - the command is ours or the operator's, never user text
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=folder,
                env=self._env(integration_id, config, folder, port),
                start_new_session=True,
            )
        self._children[proc.pid] = proc
        state = self._new_state(integration_id, config, proc.pid, port, command)
        _state.write_json(folder / _state.STATE, state)
        await self._wait_healthy(integration_id, state, config)
        return self._describe(integration_id, state, DeploymentState.RUNNING, "started")

    def _new_state(
        self, integration_id: str, config: ContainerConfig, pid: int, port: int, command: list[str]
    ) -> dict[str, Any]:
        return {
            "integration_id": integration_id,
            "pid": pid,
            "pgid": pid,
            "proc_start": proc_start_time(pid),
            "host": self.options.host,
            "port": port,
            "url": f"http://{self.options.host}:{port}",
            "command": command,
            "started_at": datetime.now(UTC).isoformat(),
            "container_config": config.model_dump(mode="json", exclude={"secrets", "runtime_config"}),
            "secret_names": sorted(config.secrets),
        }

    async def _wait_healthy(self, integration_id: str, state: dict[str, Any], config: ContainerConfig) -> None:
        deadline = time.monotonic() + self.options.start_timeout_s
        while time.monotonic() < deadline:
            if not self._alive(state):
                raise DeployError(self._start_failure(integration_id, config, "exited while starting"))
            if await self._healthy(state["url"]):
                return
            await asyncio.sleep(0.2)
        await self._stop(state)
        raise DeployError(
            self._start_failure(
                integration_id,
                config,
                f"did not answer {self.options.health_path} within {self.options.start_timeout_s:g}s and was stopped",
            )
        )

    def _start_failure(self, integration_id: str, config: ContainerConfig, what: str) -> str:
        log = _state.tail(self._folder(integration_id) / _state.LOG, 15)
        log = mask_secrets(log, config.secret_values().values())
        return f"The runtime for {integration_id} {what}. Last log lines:\n{log or '(empty)'}"

    async def _stop(self, state: dict[str, Any]) -> None:
        if not self._alive(state):
            return
        self._signal(state, signal.SIGTERM)
        deadline = time.monotonic() + self.options.stop_timeout_s
        while self._alive(state) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        if self._alive(state):
            self._signal(state, signal.SIGKILL)
            for _ in range(50):
                if not self._alive(state):
                    break
                await asyncio.sleep(0.1)

    def _signal(self, state: dict[str, Any], sig: signal.Signals) -> None:
        try:
            os.killpg(state["pgid"], sig)
        except ProcessLookupError:
            pass

    def _alive(self, state: dict[str, Any]) -> bool:
        pid = state["pid"]
        child = self._children.get(pid)
        if child is not None and child.poll() is not None:
            self._children.pop(pid, None)
            return False
        started = proc_start_time(pid)
        return started is not None and started == state.get("proc_start")

    async def _healthy(self, url: str) -> bool:
        try:
            async with httpx.AsyncClient(timeout=2.0, trust_env=False) as client:
                response = await client.get(url + self.options.health_path)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    # -- helpers ----------------------------------------------------------------------------

    def _command(self, config: ContainerConfig, folder: Path, port: int) -> list[str]:
        values = {
            "python": self.options.python,
            "config": str(folder / _state.RUNTIME_CONFIG),
            "host": self.options.host,
            "port": str(port),
        }
        return fill_command(config.command or DEFAULT_COMMAND, values)

    def _env(self, integration_id: str, config: ContainerConfig, folder: Path, port: int) -> dict[str, str]:
        # A minimal environment: the API server's own credentials never reach the runtime.
        env = {name: os.environ[name] for name in PASSED_ENV if name in os.environ}
        package_root = str(Path(vitesse.__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
        env.update(
            PYTHONUNBUFFERED="1",
            VITESSE_INTEGRATION_ID=integration_id,
            VITESSE_RUNTIME_CONFIG=str(folder / _state.RUNTIME_CONFIG),
            VITESSE_STATE_DIR=str(folder / "state"),
            VITESSE_PORT=str(port),
        )
        env.update(config.run_env())
        return env

    def _folder(self, integration_id: str) -> Path:
        return _state.deployment_dir(self.settings, integration_id)

    def _read_state(self, integration_id: str) -> dict[str, Any] | None:
        state = _state.read_json(self._folder(integration_id) / _state.STATE)
        return state if isinstance(state, dict) else None

    def _require_state(self, integration_id: str) -> dict[str, Any]:
        state = self._read_state(integration_id)
        if state is None:
            raise NotFoundError(
                f"No process deployment for integration {integration_id} under {self._folder(integration_id)}; "
                "deploy it first"
            )
        return state

    def _stored_config(self, integration_id: str, state: dict[str, Any]) -> ContainerConfig:
        folder = self._folder(integration_id)
        return coerce_config(
            {
                **state["container_config"],
                "runtime_config": _state.read_json(folder / _state.RUNTIME_CONFIG) or {},
                "secrets": _state.read_json(folder / _state.SECRETS) or {},
            }
        )

    def _describe(
        self, integration_id: str, state: dict[str, Any], status: DeploymentState, message: str
    ) -> DeploymentInfo:
        details = {
            "pid": state["pid"],
            "port": state["port"],
            "started_at": state["started_at"],
            "log_file": str(self._folder(integration_id) / _state.LOG),
            "env": sorted(state["container_config"].get("env", {})),
            "secrets": state.get("secret_names", []),
        }
        return self._info(
            integration_id,
            status,
            resource_name(integration_id),
            url=state["url"],
            replicas=1,
            ready_replicas=1 if status is DeploymentState.RUNNING else 0,
            message=message,
            details=details,
        )
