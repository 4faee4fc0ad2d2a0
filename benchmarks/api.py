"""HTTP API under load: 50 SSE watchers on one run, then 10 concurrent creates on the example APIs.

Run: .venv/bin/python benchmarks/api.py [--watchers 50] [--creates 10] [--test-count 100]

The API (`vitesse.api.serve`) runs in a child process on a free loopback port with a SQLite database
in a temporary folder; this process is the client (httpx, one connection per stream).

Part 1: one integration is created and 50 clients attach to its event stream at once, over connections
opened beforehand. Printed: the time from the request to the first event (median, p95, max; goal
< 200 ms), beside 50 concurrent GET /healthz sent while the server's first run starts (that run pays the
process's one-time costs; the watchers attach to the second), and events lost per watcher (the ids each
watcher saw against the run's full log; goal 0).

Part 2: 10 integrations are created at once, each with `Accept: text/event-stream`. Printed: time from
the request to its first event, each run's duration, events lost against the replay, and the statuses.

Throughout, the server's resident memory is sampled from /proc (start, after part 1, peak).
It prints and never asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

API = "/api/v1/vitesse"
JWT_SECRET = "benchmark-only-secret-0123456789abcdef"
SERVER = "from vitesse.api import serve; serve(None, '127.0.0.1', {port})"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def start_server(folder: Path) -> tuple[subprocess.Popen[bytes], str, dict[str, str]]:
    port = free_port()
    env = {
        **os.environ,
        "VITESSE_DATA_DIR": str(folder / "data"),
        "DATABASE_URL": f"sqlite:///{folder / 'vitesse.db'}",
        "VITESSE_ALLOW_LOOPBACK": "true",
        "VITESSE_ENV": "test",
        "JWT_SECRET": JWT_SECRET,
        "SECRET_KEY": "benchmark-only-key",
        "OPENAI_API_KEY": "",
        "PYTHONPATH": str(ROOT),
    }
    log = (folder / "server.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-c", SERVER.format(port=port)], env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise SystemExit(f"the server did not start; see {folder / 'server.log'}")
    from vitesse.api import create_token
    from vitesse.config import Settings

    token = create_token(Settings(jwt_secret=JWT_SECRET), subject="bench", tenant="bench")
    return proc, url, {"Authorization": f"Bearer {token}"}


def body(test_count: int) -> dict[str, Any]:
    return {
        "source_api_url": "example:shop",
        "source_api_name": "Acme Shop",
        "dest_api_url": "example:crm",
        "dest_api_name": "Orbit CRM",
        "user_intent": "Sync Acme Shop customers into Orbit CRM contacts",
        "settings": {"test_count": test_count},
    }


async def stream(client: httpx.AsyncClient, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
    """Read one SSE response to its end: ids seen, time to the first event, total time."""
    started = time.perf_counter()
    first: float | None = None
    ids: list[int] = []
    last_data: dict[str, Any] = {}
    async with client.stream(method, url, **kwargs) as response:
        async for line in response.aiter_lines():
            if line.startswith("id:"):
                ids.append(int(line[3:].strip()))
                first = first if first is not None else time.perf_counter() - started
            elif line.startswith("data:"):
                last_data = json.loads(line[5:].strip())
    return {"ids": ids, "first_s": first, "total_s": time.perf_counter() - started, "last": last_data}


async def full_log(client: httpx.AsyncClient, url: str, headers: dict[str, str], iid: str) -> list[int]:
    replay = await stream(client, "GET", f"{url}{API}/integrations/{iid}/events", headers=headers)
    return list(replay["ids"])


def ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return (
        f"median {statistics.median(values) * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms  max {values[-1] * 1000:7.1f} ms"
    )


async def timed_get(client: httpx.AsyncClient, url: str) -> float:
    started = time.perf_counter()
    await client.get(url)
    return time.perf_counter() - started


async def watchers_part(url: str, headers: dict[str, str], watchers: int, test_count: int) -> None:
    limits = httpx.Limits(max_connections=watchers + 10, max_keepalive_connections=watchers + 10)
    async with httpx.AsyncClient(timeout=httpx.Timeout(30, read=300), limits=limits) as client:
        # Open the connections first (this Python client needs ~10 ms per new connection), then, for scale,
        # time 50 plain requests while the server's first run starts (it pays one-time costs: caches, tables).
        await asyncio.gather(*(timed_get(client, f"{url}/healthz") for _ in range(watchers)))
        await client.post(f"{url}{API}/integrations", headers=headers, json=body(test_count))
        floor = await asyncio.gather(*(timed_get(client, f"{url}/healthz") for _ in range(watchers)))
        await asyncio.sleep(15)  # let that run finish
        created = await client.post(f"{url}{API}/integrations", headers=headers, json=body(test_count))
        iid = created.json()["integration_id"]
        events_url = f"{url}{API}/integrations/{iid}/events"
        results = await asyncio.gather(*(stream(client, "GET", events_url, headers=headers) for _ in range(watchers)))
        log = await full_log(client, url, headers, iid)
    lost = [len(set(log) - set(r["ids"])) for r in results]
    firsts = [r["first_s"] for r in results if r["first_s"] is not None]
    print(f"\n{watchers} watchers on one run ({len(log)} events, test_count={test_count})")
    print(f"  time to first event: {ms(firsts)}  (goal < 200 ms)")
    print(f"  for scale, {watchers} concurrent GET /healthz during the server's first run: {ms(list(floor))}")
    print(f"  events lost: total {sum(lost)}, worst watcher {max(lost)}  (goal 0)")
    print(f"  duplicates: {sum(len(r['ids']) - len(set(r['ids'])) for r in results)}")


async def creates_part(url: str, headers: dict[str, str], creates: int, test_count: int) -> None:
    stream_headers = headers | {"Accept": "text/event-stream"}
    limits = httpx.Limits(max_connections=creates * 2 + 10)
    async with httpx.AsyncClient(timeout=httpx.Timeout(30, read=600), limits=limits) as client:
        started = time.perf_counter()
        results = await asyncio.gather(
            *(
                stream(client, "POST", f"{url}{API}/integrations", headers=stream_headers, json=body(test_count))
                for _ in range(creates)
            )
        )
        wall = time.perf_counter() - started
        lost = []
        for result in results:
            log = await full_log(client, url, headers, result["last"]["integration_id"])
            lost.append(len(set(log) - set(result["ids"])))
    statuses = [r["last"].get("status") for r in results]
    print(f"\n{creates} concurrent creates (each streamed, test_count={test_count})")
    print(f"  time to first event: {ms([r['first_s'] for r in results if r['first_s'] is not None])}")
    print(f"  run duration:        {ms([r['total_s'] for r in results])}")
    print(f"  all {creates} done in {wall:.1f} s; statuses {sorted(statuses)}; events lost {sum(lost)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watchers", type=int, default=50)
    parser.add_argument("--creates", type=int, default=10)
    parser.add_argument("--test-count", type=int, default=100)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="vitesse-api-bench-") as tmp:
        proc, url, headers = start_server(Path(tmp))
        try:
            start_rss = rss_kib(proc.pid)
            asyncio.run(watchers_part(url, headers, args.watchers, args.test_count))
            after_watchers = rss_kib(proc.pid)
            asyncio.run(creates_part(url, headers, args.creates, args.test_count))
            print("\nserver memory (RSS)")
            print(
                f"  at start {start_rss / 1024:.0f} MiB, after the watchers {after_watchers / 1024:.0f} MiB, ", end=""
            )
            print(f"now {rss_kib(proc.pid) / 1024:.0f} MiB, peak {rss_kib(proc.pid, 'VmHWM') / 1024:.0f} MiB")
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
