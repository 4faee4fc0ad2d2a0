"""Sync runtime throughput and memory beside a plain httpx loop doing the same reads and writes.

Run: .venv/bin/python benchmarks/sync.py [--records 10000] [--repeat 1] [--memory 10000,100000]

Part 1, throughput: the shop sandbox (seeded with N customers) and the CRM sandbox (empty) serve on
loopback ports from a child process. In this process, first a plain httpx loop (cursor reads of 100,
a hand-written mapping, POSTs in batches of BATCH_SIZE with the same concurrency) and then the runtime
(`SyncEngine.run_once` with its SQLite ledger, retries, the SSRF-guarded client) each move all N
customers into the CRM, which is reset between runs. Printed: records/s of both, the ratio (goal ≥ 0.7)
and the time the runtime adds per record (goal < 1 ms).

Part 2, client cost: both sides again, against in-process fakes (no server time), CPU and wall time per
record: what the runtime adds on the client.

Part 3, memory: for each size, a child process syncs that many records through the runtime from an
in-memory source that makes each page on demand to a destination that keeps nothing, and reports its
peak RSS (and, with --traced, its peak traced Python allocation); goal: flat from 10k to 100k.

It prints and never asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.unit.runtime.helpers import golden_mapping, specs  # noqa: E402
from vitesse.net import NetPolicy, make_client  # noqa: E402
from vitesse.runtime import StateStore, SyncEngine, build_runtime_config  # noqa: E402

KEYS = {"SHOP_KEY": "bench-shop-key", "CRM_TOKEN": "bench-crm-token"}
BATCH_SIZE, CONCURRENCY, PAGE = 100, 8, 100
SERVE = """
import asyncio, json, sys, threading, time
import uvicorn
from vitesse.examples import CRM_SPEC, SHOP_SPEC
from vitesse.graph.ingestor import ingest_path
from vitesse.sandbox import Sandbox

def serve(sandbox):
    # uvicorn binds host/port itself: it sets TCP_NODELAY on the sockets it accepts (start_sandbox's pre-bound
    # socket does not get it, which costs ~40 ms per request here through Nagle and delayed ACKs)
    config = uvicorn.Config(sandbox.app, host="127.0.0.1", port=0, log_level="error", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    return "http://127.0.0.1:%d" % server.servers[0].sockets[0].getsockname()[1]

shop = serve(Sandbox(ingest_path(SHOP_SPEC), seed=5, records_per_collection=int(sys.argv[1])))
crm = serve(Sandbox(ingest_path(CRM_SPEC), seed=6, records_per_collection=0))
print(json.dumps({"shop": shop, "crm": crm}), flush=True)
sys.stdin.read()
"""
STAGES = {"active": "CUSTOMER", "invited": "LEAD", "disabled": "CHURNED"}


# -- the plain loop ---------------------------------------------------------------------------------


def e164(phone: str) -> str | None:
    digits = re.sub(r"\D", "", phone)
    if phone.strip().startswith("+"):
        return "+" + digits
    if len(digits) == 10:
        return "+1" + digits
    return "+" + digits if len(digits) == 11 and digits.startswith("1") else None


def hand_map(c: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"given_name": c.get("first_name"), "family_name": c.get("last_name"),
                           "primary_email": c.get("email"), "external_ref": c["id"]}  # fmt: skip
    if c.get("phone") and e164(c["phone"]):
        out["phone_numbers"] = [{"number": e164(c["phone"])}]
    if c.get("company") is not None:
        out["organization"] = c["company"]
    if c.get("status") in STAGES:
        out["lifecycle_stage"] = STAGES[c["status"]]
    if c.get("accepts_marketing") is not None:
        out["marketing_opt_in"] = c["accepts_marketing"]
    if c.get("tags") is not None:
        out["labels"] = c["tags"]
    bill = c.get("billing_address") or {}
    pairs = (("street", "line1"), ("street2", "line2"), ("locality", "city"), ("region", "province_code"),
             ("postal_code", "zip"), ("country", "country_code"))  # fmt: skip
    address = {dest: bill[src] for dest, src in pairs if bill.get(src) is not None}
    if address:
        out["mailing_address"] = address
    return {k: v for k, v in out.items() if v is not None}


async def plain_loop(shop: str, crm: str, transport: httpx.AsyncBaseTransport | None = None) -> dict[str, int]:
    counts = {"read": 0, "ok": 0, "refused": 0}
    limits = httpx.Limits(max_connections=CONCURRENCY + 4, max_keepalive_connections=CONCURRENCY + 4)
    gate = asyncio.Semaphore(CONCURRENCY)
    async with httpx.AsyncClient(limits=limits, timeout=60, transport=transport) as client:

        async def post(payload: dict[str, Any]) -> None:
            async with gate:
                r = await client.post(
                    crm + "/contacts", json=payload, headers={"Authorization": f"Bearer {KEYS['CRM_TOKEN']}"}
                )
            counts["ok" if r.status_code < 300 else "refused"] += 1

        cursor = None
        while True:
            params: dict[str, Any] = {"limit": PAGE, **({"starting_after": cursor} if cursor else {})}
            body = (
                await client.get(shop + "/customers", params=params, headers={"X-API-Key": KEYS["SHOP_KEY"]})
            ).json()
            records = body["data"]
            counts["read"] += len(records)
            for start in range(0, len(records), BATCH_SIZE):
                await asyncio.gather(*(post(hand_map(r)) for r in records[start : start + BATCH_SIZE]))
            if not body["has_more"]:
                return counts
            cursor = body["next_cursor"]


# -- the runtime ------------------------------------------------------------------------------------


def runtime_config(shop: str, crm: str, integration: str) -> Any:
    shop_spec, crm_spec = specs()
    options = {"batch_size": BATCH_SIZE, "concurrency": CONCURRENCY, "schedule_interval_s": None}
    config = build_runtime_config(
        golden_mapping(), shop_spec, crm_spec, integration_id=integration, source_base_url=shop,
        dest_base_url=crm, source_secret="SHOP_KEY", dest_secret="CRM_TOKEN", options=options,
        network={"allow_loopback": True},
    )  # fmt: skip
    config.source.page_size = PAGE
    return config


async def runtime_run(config: Any, state_dir: Path, client: httpx.AsyncClient | None = None) -> dict[str, Any]:
    store = StateStore.open(config.integration_id, state_dir=state_dir)
    own = client or make_client(
        NetPolicy(allow_loopback=True), timeout=60, limits=httpx.Limits(max_connections=CONCURRENCY + 4)
    )
    try:
        report = await SyncEngine(config, store=store, client=own, environ=KEYS).run_once()
    finally:
        if client is None:
            await own.aclose()
        store.close()
    return report.to_dict()


# -- part 1 -----------------------------------------------------------------------------------------


def throughput(records: int, repeat: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "stderr": subprocess.DEVNULL}
    child = subprocess.Popen([sys.executable, "-c", SERVE, str(records)], cwd=ROOT, env=env, **pipes)
    try:
        urls = json.loads(child.stdout.readline())  # type: ignore[union-attr]
        shop, crm = urls["shop"], urls["crm"]
        started = time.perf_counter()
        httpx.get(shop + "/customers", params={"limit": 1}, headers={"X-API-Key": "x"}, timeout=900)
        print(f"sandboxes ready ({records} shop customers seeded in {time.perf_counter() - started:.1f}s)")
        best: dict[str, float] = {}
        for round_ in range(repeat):
            for name in ("plain", "runtime"):
                httpx.post(crm + "/__sandbox/reset", timeout=60)
                started = time.perf_counter()
                if name == "plain":
                    counts = asyncio.run(plain_loop(shop, crm))
                else:
                    with tempfile.TemporaryDirectory() as tmp:
                        report = asyncio.run(runtime_run(runtime_config(shop, crm, f"bench-{round_}"), Path(tmp)))
                    counts = {k: report[k] for k in ("read", "written", "failed", "duplicates", "pending")}
                elapsed = time.perf_counter() - started
                best[name] = min(best.get(name, elapsed), elapsed)
                stored = httpx.get(crm + "/__sandbox/records", params={"collection": "/contacts"}, timeout=60).json()
                rate = records / elapsed
                print(f"  {name:8s} {elapsed:7.2f}s  {rate:8.0f} records/s  {counts}  crm holds {stored['count']}")
        ratio = best["plain"] / best["runtime"]
        added_ms = (best["runtime"] - best["plain"]) / records * 1000
        print(f"plain loop {records / best['plain']:.0f} records/s, runtime {records / best['runtime']:.0f} records/s")
        print(f"ratio runtime/plain {ratio:.2f} (goal >= 0.7); time added per record {added_ms:.3f} ms (goal < 1 ms)")
    finally:
        child.stdin.close()  # type: ignore[union-attr]
        child.wait(timeout=30)


# -- part 2 -----------------------------------------------------------------------------------------

FAKE_SHOP, FAKE_CRM = "https://api.acmeshop.example/v1", "https://api.orbitcrm.example/api/v2"


def fake_api(total: int) -> Any:
    """An in-memory shop list (pages made on demand) and a CRM that answers 201 and keeps nothing."""
    from tests.unit.runtime.fakes import customer

    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(201, json={"id": 1})
        after = request.url.params.get("starting_after")
        start = int(after[4:]) if after else 0
        page = [customer(i) for i in range(start + 1, min(start + PAGE, total) + 1)]
        more = start + PAGE < total
        return httpx.Response(
            200, json={"data": page, "has_more": more, "next_cursor": page[-1]["id"] if more else None}
        )

    return handle


def _timed(fn: Any) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def client_cost(records: int, repeat: int) -> None:
    """Both sides against in-process fakes (no server time): what each spends per record on the client.

    CPU time is the steadier figure on a shared machine; wall time includes waiting for the CPU.
    """
    from tests.unit.runtime.helpers import mock_client

    handle = fake_api(records)
    best: dict[str, tuple[float, float]] = {}

    def keep(name: str, timing: tuple[float, float]) -> None:
        old = best.get(name, (1e9, 1e9))
        best[name] = (min(old[0], timing[0]), min(old[1], timing[1]))

    for round_ in range(repeat):
        keep("plain", _timed(lambda: asyncio.run(plain_loop(FAKE_SHOP, FAKE_CRM, httpx.MockTransport(handle)))))
        with tempfile.TemporaryDirectory() as tmp:
            config = runtime_config(FAKE_SHOP, FAKE_CRM, f"cost-{round_}")
            run = runtime_run(config, Path(tmp), mock_client(handle))
            keep("runtime", _timed(lambda run=run: asyncio.run(run)))
    (pw, pc), (rw, rc) = ((w / records * 1000, c / records * 1000) for w, c in (best["plain"], best["runtime"]))
    print(f"client-side cost per record, in-process fakes, {records} records, best of {repeat}:")
    print(f"  plain   cpu {pc:.3f} ms  wall {pw:.3f} ms")
    print(f"  runtime cpu {rc:.3f} ms  wall {rw:.3f} ms  (SSRF-guarded client, ledger, hashing, retries wrapper)")
    print(f"  added   cpu {rc - pc:.3f} ms  wall {rw - pw:.3f} ms per record (goal < 1 ms)")


MEMORY_CHILD = """
import asyncio, json, resource, sys, tempfile, time, tracemalloc
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from benchmarks.sync import FAKE_CRM, FAKE_SHOP, fake_api, runtime_config, runtime_run
from tests.unit.runtime.helpers import mock_client

total, traced = int(sys.argv[1]), sys.argv[3] == "1"
config = runtime_config(FAKE_SHOP, FAKE_CRM, "memory")
if traced:
    tracemalloc.start()
started = time.perf_counter()
with tempfile.TemporaryDirectory() as tmp:
    report = asyncio.run(runtime_run(config, Path(tmp), mock_client(fake_api(total))))
elapsed = time.perf_counter() - started
peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else None
# VmHWM is this process's own peak; ru_maxrss would carry the forking parent's peak across exec
status = open("/proc/self/status").read() if sys.platform == "linux" else ""
hwm = [line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")]
rss = int(hwm[0]) / 1024 if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"records": total, "written": report["written"], "peak_traced_mb": peak, "peak_rss_mb": rss,
                  "seconds": elapsed}))
"""


def memory(sizes: list[int], traced: bool) -> None:
    print("memory: runtime syncing N records (in-memory source made page by page, destination keeps nothing)")
    for size in sizes:
        command = [sys.executable, "-c", MEMORY_CHILD, str(size), str(ROOT), "1" if traced else "0"]
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=7200)
        if done.returncode != 0:
            print(f"  {size}: failed: {done.stderr[-500:]}")
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        traced_text = f", peak traced {r['peak_traced_mb']:.1f} MB" if r["peak_traced_mb"] is not None else ""
        print(f"  {r['records']:>7} records: written {r['written']}, peak RSS {r['peak_rss_mb']:.1f} MB{traced_text}, "
              f"{r['seconds']:.1f}s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--memory", default="10000,100000", help="record counts for the memory runs ('' to skip)")
    parser.add_argument("--skip-sandbox", action="store_true", help="only the in-process parts")
    parser.add_argument("--traced", action="store_true", help="also trace Python allocations (about 10x slower)")
    args = parser.parse_args()
    if not args.skip_sandbox:
        throughput(args.records, args.repeat)
    client_cost(args.records, max(args.repeat, 3))
    sizes = [int(s) for s in args.memory.split(",") if s.strip()]
    if sizes:
        memory(sizes, args.traced)


if __name__ == "__main__":
    main()
