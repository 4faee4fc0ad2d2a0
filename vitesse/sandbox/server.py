"""Run a sandbox as a real HTTP server: in the foreground (`vitesse mock`) or in a background thread.

`start_sandbox` binds 127.0.0.1 on a free port (or the one given) before uvicorn starts, so the
returned base URL is ready to use and no other process can take the port in between; the handle
stops the server (and can start it again on the same port with the same state, for kill/restart
tests). A dropped-connection fault is logged by uvicorn as an error; a filter keeps those expected
tracebacks out of the log.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from vitesse.errors import ConfigError
from vitesse.sandbox.app import ConnectionDropped, Sandbox
from vitesse.sandbox.faults import FaultPlan, parse_fault_flags
from vitesse.schemas import APISpecification

log = logging.getLogger(__name__)
START_TIMEOUT_S = 10.0


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


def _quiet_uvicorn() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietDrops) for f in logger.filters):
        logger.addFilter(_QuietDrops())


def _sandbox(spec: APISpecification | Sandbox, seed: int, faults: FaultPlan | None, options: dict[str, Any]) -> Sandbox:
    if isinstance(spec, Sandbox):
        if faults is not None:
            spec.set_faults(faults)
        return spec
    return Sandbox(spec, seed=seed, faults=faults, **options)


def _config(sandbox: Sandbox, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        sandbox.app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        log_config=None,
        lifespan="off",
        timeout_graceful_shutdown=1,
    )


def run_sandbox(
    spec: APISpecification | Sandbox,
    host: str = "127.0.0.1",
    port: int = 8765,
    seed: int = 0,
    faults: FaultPlan | None = None,
    **options: Any,
) -> None:
    """Serve a spec's sandbox with uvicorn until interrupted (blocking)."""
    _quiet_uvicorn()
    sandbox = _sandbox(spec, seed, faults, options)
    uvicorn.Server(_config(sandbox, host, port)).run()


class SandboxServer:
    """A sandbox served by uvicorn in a background thread; use as a context manager or call `stop()`."""

    def __init__(self, sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sandbox = sandbox
        self.host = host
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> SandboxServer:
        """Bind the port (a free one when 0) and serve until `stop()`; returns self."""
        if self.running:
            return self
        _quiet_uvicorn()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError as exc:
            sock.close()
            raise ConfigError(f"cannot listen on {self.host}:{self.port}: {exc}") from exc
        self.port = sock.getsockname()[1]
        server = uvicorn.Server(_config(self.sandbox, self.host, self.port))
        self._server = server
        self._thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise ConfigError(f"the sandbox did not start on {self.base_url}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving (in-flight requests get up to a second) and release the port."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_sandbox(
    spec: APISpecification | Sandbox,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    seed: int = 0,
    faults: FaultPlan | None = None,
    **options: Any,
) -> SandboxServer:
    """Start a spec's sandbox in a background thread on a free port; `.base_url` is ready to call."""
    return SandboxServer(_sandbox(spec, seed, faults, options), host, port).start()


def serve_mock(
    spec_source: str | Path, port: int = 8765, seed: int = 0, faults: FaultPlan | list[str] | None = None
) -> None:
    """`vitesse mock SPEC`: ingest a spec (file or URL) and serve its sandbox on 127.0.0.1:PORT."""
    from vitesse.config import Settings
    from vitesse.graph.ingestor import ingest, ingest_path

    plan = faults if isinstance(faults, FaultPlan) or faults is None else parse_fault_flags(faults)
    source = str(spec_source)
    settings = Settings()
    if source.startswith(("http://", "https://")):
        spec = asyncio.run(ingest(source, settings=settings))
    else:
        spec = ingest_path(source, settings=settings)
    print(f"Sandbox for {spec.title or spec.name}: http://127.0.0.1:{port} ({len(spec.endpoints)} operations)")
    print(f"Admin: http://127.0.0.1:{port}/__sandbox/records, /__sandbox/faults, /__sandbox/stats")
    run_sandbox(spec, host="127.0.0.1", port=port, seed=seed, faults=plan)
