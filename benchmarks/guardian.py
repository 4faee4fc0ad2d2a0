"""Guardian shadow-call throughput beside Schemathesis on the same sandbox.

Run: .venv/bin/python benchmarks/guardian.py [--calls 100] [--repeat 5] [--no-cli]

The Guardian proves the example mapping (shop customers → CRM contacts) with `--calls` shadow calls:
first against in-process sandboxes (cold, then the median of warm runs), then with the CRM's sandbox
served by uvicorn on 127.0.0.1 as a "live" destination. Schemathesis 4 then sends the same number of
POST /contacts cases to that same served sandbox: through its Python API (a Hypothesis strategy per
operation, `case.call`) and, unless `--no-cli`, through `schemathesis run`. Calls are counted at the
sandbox. The Guardian's calls include source reads, synthetic records, transforms and local schema
checks; Schemathesis's include its data generation. It prints and never asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from vitesse.config import Settings
from vitesse.examples import CRM_SPEC, SHOP_SPEC
from vitesse.graph.guardian import GuardianOptions, GuardianReport, Target, run_guardian
from vitesse.graph.ingestor import ingest_path
from vitesse.sandbox.app import Sandbox
from vitesse.schemas import APISpecification, DataTransformation, MappingLogic, TransformType

STAGES = {"active": "CUSTOMER", "invited": "LEAD", "disabled": "CHURNED"}
ROWS = [
    ("given_name", "first_name", TransformType.DIRECT, {}),
    ("family_name", "last_name", TransformType.DIRECT, {}),
    ("primary_email", "email", TransformType.DIRECT, {}),
    ("phone_numbers[].number", "phone", TransformType.PARSE, {"as": "phone_e164", "default_region": "US"}),
    ("organization", "company", TransformType.DIRECT, {}),
    ("lifecycle_stage", "status", TransformType.ENUM, {"map": STAGES}),
    ("marketing_opt_in", "accepts_marketing", TransformType.DIRECT, {}),
    ("labels[]", "tags[]", TransformType.DIRECT, {}),
    ("mailing_address.street", "billing_address.line1", TransformType.DIRECT, {}),
    ("mailing_address.locality", "billing_address.city", TransformType.DIRECT, {}),
    ("mailing_address.country", "billing_address.country_code", TransformType.DIRECT, {}),
    ("external_ref", "id", TransformType.DIRECT, {}),
]  # fmt: skip
TOKEN = "bench-token"


def mapping() -> MappingLogic:
    return MappingLogic(
        source_endpoint="GET /customers",
        dest_endpoint="POST /contacts",
        transformations=[
            DataTransformation(dest_field=d, source_fields=[s], transform_type=t, transform_config=c)
            for d, s, t, c in ROWS
        ],
    )


class Served:
    """A sandbox served by uvicorn on a free 127.0.0.1 port, in a thread of its own."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.server = uvicorn.Server(
            uvicorn.Config(sandbox.app, host="127.0.0.1", port=0, log_level="error", lifespan="off", ws="none")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        for _ in range(500):
            if self.server.started:
                break
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


async def prove(shop: APISpecification, crm: APISpecification, calls: int, dest_url: str | None) -> GuardianReport:
    source = Target(shop, shop.find_endpoint("GET /customers"))  # type: ignore[arg-type]
    dest = Target(
        crm, crm.find_endpoint("POST /contacts"), base_url=dest_url, allow_writes=True,  # type: ignore[arg-type]
        credentials={"token": TOKEN},
    )  # fmt: skip
    settings = Settings(allow_loopback=True, spec_cache=False)
    return await run_guardian(mapping(), source, dest, options=GuardianOptions(test_count=calls), settings=settings)


def timed_guardian(
    shop: APISpecification, crm: APISpecification, calls: int, dest_url: str | None
) -> tuple[float, int, float]:
    started = time.perf_counter()
    report = asyncio.run(prove(shop, crm, calls, dest_url))
    wall = time.perf_counter() - started
    answered = sum(1 for r in report.test_results if r.status_code is not None)  # calls that reached a server
    return wall, answered, report.health.overall_score


def schemathesis_python(base_url: str, calls: int) -> tuple[float, int]:
    """Send `calls` generated POST /contacts cases through Schemathesis's Python API; return (wall, calls)."""
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings

    started = time.perf_counter()
    schema = schemathesis.openapi.from_path(str(CRM_SPEC))
    operation = schema["/contacts"]["POST"]
    made = 0

    @settings(
        max_examples=calls,
        phases=[Phase.generate],
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy())
    def send(case: Any) -> None:
        nonlocal made
        made += 1
        case.call(base_url=base_url, headers={"Authorization": f"Bearer {TOKEN}"})

    send()
    return time.perf_counter() - started, made


def schemathesis_cli(base_url: str, calls: int) -> float:
    """Run `schemathesis run` on POST /contacts with `calls` positive cases; return the wall time."""
    command = [
        str(Path(sys.executable).parent / "schemathesis"), "run", str(CRM_SPEC), "--url", base_url,
        "--include-path", "/contacts", "--include-method", "POST", "-n", str(calls), "-m", "positive",
        "--phases", "fuzzing", "--no-shrink", "--checks", "not_a_server_error", "--generation-database", "none",
        "-H", f"Authorization: Bearer {TOKEN}", "-w", "1",
    ]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, check=False, capture_output=True, timeout=600)
    return time.perf_counter() - started


def answered(sandbox: Sandbox) -> int:
    """Requests the sandbox answered (faults aside)."""
    return sum(v for k, v in sandbox.counts.items() if k.startswith("status:"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-cli", action="store_true", help="skip the `schemathesis run` subprocess")
    args = parser.parse_args()
    shop, crm = ingest_path(SHOP_SPEC), ingest_path(CRM_SPEC)

    cold, made, score = timed_guardian(shop, crm, args.calls, None)
    warm = [timed_guardian(shop, crm, args.calls, None)[0] for _ in range(args.repeat)]
    print(f"guardian, in-process sandboxes: {made} calls answered, score {score:.1f}")
    print(f"  cold {cold:.3f} s · warm median {statistics.median(warm):.3f} s (goal < 2 s)")
    print(f"  {1000 * statistics.median(warm) / made:.2f} ms/call")

    served = Sandbox(crm, seed=1, tokens={TOKEN})
    with Served(served) as base_url:
        before = answered(served)
        wall, made, _ = timed_guardian(shop, crm, args.calls, base_url)
        sent = answered(served) - before
        g_call = wall / max(1, made)
        print(
            f"guardian, CRM sandbox on {base_url}: {made} calls ({sent} POSTs to it, reads in-process) in {wall:.3f} s"
        )
        print(f"  {1000 * g_call:.2f} ms/call")

        before = answered(served)
        s_wall, cases = schemathesis_python(base_url, args.calls)
        reached = answered(served) - before
        s_call = s_wall / max(1, reached)
        print(f"schemathesis python API, same server: {cases} cases ({reached} reached it) in {s_wall:.3f} s")
        print(f"  {1000 * s_call:.2f} ms/call")
        print(f"  per-call ratio schemathesis / guardian: {s_call / g_call:.2f}x")

        if not args.no_cli:
            before = answered(served)
            c_wall = schemathesis_cli(base_url, args.calls)
            reached = answered(served) - before
            c_call = c_wall / max(1, reached)
            print(f"schemathesis run (CLI, incl. start-up), same server: {reached} calls in {c_wall:.3f} s")
            print(f"  {1000 * c_call:.2f} ms/call")
            print(f"  per-call ratio schemathesis CLI / guardian: {c_call / g_call:.2f}x")


if __name__ == "__main__":
    main()
