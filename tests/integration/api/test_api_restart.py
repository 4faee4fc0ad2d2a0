"""A server stopped in the middle of a run: the next server on the same database resumes and finishes it."""

from __future__ import annotations

import asyncio

import httpx

from tests.conftest import need
from tests.integration.api._support import API, LiveServer, bearer, body, make_settings, read_sse
from vitesse.api import create_token
from vitesse.api.runs import CONTEXT_FIELDS

SLOW = {"test_count": 20, "sandbox_faults": {"latency_ms": 700, "latency_distribution": "fixed"}}
"""Every sandbox answer takes 0.7 s, so the Guardian runs for a few seconds: time to stop the server."""


def stages(events: list[dict]) -> list[tuple[str, str]]:
    return [(e["data"]["stage"], e["data"]["phase"]) for e in events if e["event"] == "stage"]


async def test_a_restarted_server_resumes_the_unfinished_run_from_its_checkpoint(tmp_path):
    need("sandbox_faults" in CONTEXT_FIELDS, "the graph's Context has no sandbox_faults knob to slow the Guardian")
    settings = make_settings(tmp_path)
    token = bearer(create_token(settings, subject="ana", tenant="acme"))
    first = await asyncio.to_thread(LiveServer(settings).start)
    try:
        async with httpx.AsyncClient(base_url=first.url, timeout=60) as http:
            head = await read_sse(
                http, "POST", f"{API}/integrations", headers=token | {"Accept": "text/event-stream"},
                json=body(settings=SLOW), limit=8,
            )  # fmt: skip
    finally:
        await asyncio.to_thread(first.stop)
    assert stages(head.events)[-1] == ("guardian", "started")
    iid = head.events[0]["data"]["integration_id"]

    second = await asyncio.to_thread(LiveServer(settings).start)
    try:
        async with httpx.AsyncClient(base_url=second.url, timeout=60) as http:
            rest = await read_sse(
                http, "GET", f"{API}/integrations/{iid}/events", headers=token | {"Last-Event-ID": "8"}
            )
            integration = (await http.get(f"{API}/integrations/{iid}", headers=token)).json()["integration"]
    finally:
        await asyncio.to_thread(second.stop)
    assert rest.names == ["stage", "stage", "test_result", "health", "done"]
    assert stages(rest.events) == [("run", "resumed"), ("guardian", "started")]
    assert rest.ids == list(range(9, 14))
    assert rest.events[-1]["data"]["status"] == "ready"
    assert integration["status"] == "ready" and integration["run"]["state"] == "finished"
    assert integration["health_score"]["p50_ms"] >= 700  # the resumed proof ran against the slow sandboxes
