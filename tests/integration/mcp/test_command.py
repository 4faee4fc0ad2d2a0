"""`python -m vitesse.mcp_server` (what `vitesse mcp` runs): streamable HTTP on a chosen port, and bad settings."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys

from mcp import Client


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(tmp_path, **extra):
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "POSTGRES_", "OPENAI_", "VITESSE_"))
    }
    return {
        **env,
        "VITESSE_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'v.db'}",
        **extra,
    }


async def test_the_command_serves_streamable_http_on_the_port_and_path_given(tmp_path):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "vitesse.mcp_server", "--transport", "streamable-http", "--port", str(port),
         "--path", "/vitesse-mcp"],
        env=_env(tmp_path), cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        for _ in range(300):  # bounded: about 60 seconds for the imports and the lifespan
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            await asyncio.sleep(0.2)
        async with Client(f"http://127.0.0.1:{port}/vitesse-mcp") as client:
            listed = await client.call_tool("list_integrations", {})
        assert listed.structured_content == {"total": 0, "limit": 20, "offset": 0, "integrations": []}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stderr.close()


def test_settings_that_cannot_run_stop_the_command_with_a_message(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "vitesse.mcp_server"],
        env=_env(tmp_path, VITESSE_ENV="production"), cwd=tmp_path, capture_output=True, text=True, timeout=120,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 2
    assert "SECRET_KEY must be set" in done.stderr
