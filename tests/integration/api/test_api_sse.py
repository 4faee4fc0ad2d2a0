"""Runs streamed as Server-Sent Events from a real uvicorn on 127.0.0.1: whole sequences, replay, resume, watchers."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.integration.api._support import API, PAUSING, body, read_sse

STREAM = {"Accept": "text/event-stream"}
RUN = ["stage"] * 8 + ["test_result", "health", "done"]
"""A run on the example APIs: the run starts, both ingests start and finish, map starts and finishes, the Guardian …"""
PAUSED = ["stage"] * 8 + ["test_result", "health", "review_needed"]


@pytest.fixture
async def http(live) -> Any:
    async with httpx.AsyncClient(base_url=live.url, timeout=httpx.Timeout(60, read=90)) as client:
        yield client


async def created_stream(http: httpx.AsyncClient, headers: dict[str, str], **overrides: Any):
    return await read_sse(http, "POST", f"{API}/integrations", headers=headers | STREAM, json=body(**overrides))


def stages(sse) -> list[tuple[str, str]]:
    return [(e["data"]["stage"], e["data"]["phase"]) for e in sse.events if e["event"] == "stage"]


async def test_creating_with_accept_event_stream_streams_the_whole_run_and_closes(http, acme):
    sse = await created_stream(http, acme)
    assert sse.status == 201
    assert sse.names == RUN
    assert sse.ids == list(range(1, len(RUN) + 1))
    assert sse.retry == 2000
    iid = sse.events[0]["data"]["integration_id"]
    assert all(e["data"]["integration_id"] == iid and e["data"]["event"] == e["event"] for e in sse.events)
    assert stages(sse)[0] == ("run", "started")
    assert sorted(stages(sse)[1:5]) == [
        ("ingest_dest", "finished"),
        ("ingest_dest", "started"),
        ("ingest_source", "finished"),
        ("ingest_source", "started"),
    ]
    assert stages(sse)[5:] == [("map", "started"), ("map", "finished"), ("guardian", "started")]
    done = sse.events[-1]["data"]
    assert done["status"] == "ready" and done["overall_score"] >= 70


async def test_a_finished_run_replays_its_events_and_closes_and_last_event_id_skips_what_was_seen(http, acme):
    first = await created_stream(http, acme)
    iid = first.events[0]["data"]["integration_id"]
    url = f"{API}/integrations/{iid}/events"
    replay = await read_sse(http, "GET", url, headers=acme)
    assert replay.status == 200 and replay.events == first.events
    tail = await read_sse(http, "GET", url, headers=acme | {"Last-Event-ID": "6"})
    assert tail.ids == list(range(7, len(RUN) + 1)) and tail.events == first.events[6:]
    by_query = await read_sse(http, "GET", url + f"?after={len(RUN) - 1}", headers=acme)
    assert by_query.names == ["done"]
    nothing = await read_sse(http, "GET", url, headers=acme | {"Last-Event-ID": str(len(RUN))})
    assert nothing.status == 200 and nothing.events == []


async def test_a_client_that_reconnects_with_last_event_id_gets_what_it_missed_then_live_events(http, acme):
    created = await http.post(f"{API}/integrations", headers=acme, json=body(settings={"test_count": 60}))
    iid = created.json()["integration_id"]
    url = f"{API}/integrations/{iid}/events"
    head = await read_sse(http, "GET", url, headers=acme, limit=2)
    assert head.ids == [1, 2]
    rest = await read_sse(http, "GET", url, headers=acme | {"Last-Event-ID": "2"})
    assert head.names + rest.names == RUN
    assert rest.ids == list(range(3, len(RUN) + 1))


async def test_several_watchers_of_one_run_see_the_same_events(http, acme):
    created = await http.post(f"{API}/integrations", headers=acme, json=body(settings={"test_count": 60}))
    url = f"{API}/integrations/{created.json()['integration_id']}/events"
    watchers = await asyncio.gather(*(read_sse(http, "GET", url, headers=acme) for _ in range(6)))
    assert all(w.names == RUN for w in watchers)
    assert all(w.events == watchers[0].events for w in watchers)


async def test_a_client_that_disconnects_does_not_stop_the_run(http, acme):
    first = await read_sse(
        http, "POST", f"{API}/integrations", headers=acme | STREAM, json=body(settings={"test_count": 60}), limit=1
    )
    iid = first.events[0]["data"]["integration_id"]
    later = await read_sse(http, "GET", f"{API}/integrations/{iid}/events", headers=acme | {"Last-Event-ID": "1"})
    assert first.names + later.names == RUN
    integration = (await http.get(f"{API}/integrations/{iid}", headers=acme)).json()["integration"]
    assert integration["status"] == "ready" and integration["run"]["state"] == "finished"


async def test_a_paused_run_keeps_the_stream_open_with_heartbeats_and_goes_on_after_the_review(http, acme):
    created = await http.post(f"{API}/integrations", headers=acme, json=body(settings=PAUSING))
    iid = created.json()["integration_id"]
    url = f"{API}/integrations/{iid}/events"

    async def approve_when_paused() -> None:
        for _ in range(300):
            detail = (await http.get(f"{API}/integrations/{iid}", headers=acme)).json()["integration"]
            if detail["run"]["state"] == "paused":
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # several heartbeats (every 0.3 s) while nothing happens
        answer = await http.post(f"{API}/integrations/{iid}/review", headers=acme, json={"action": "approve"})
        assert answer.status_code == 202

    watch = asyncio.create_task(read_sse(http, "GET", url, headers=acme))
    await approve_when_paused()
    sse = await watch
    # On resume the review node runs again from its start, so review_needed comes once more.
    assert sse.names == PAUSED + ["stage", "review_needed", "done"]
    assert stages(sse)[-1] == ("run", "reviewed")
    assert sse.events[-1]["data"]["status"] == "ready"
    assert sum(1 for c in sse.comments if c.startswith("ping")) >= 2


async def test_the_review_itself_can_stream_the_rest_of_the_run(http, acme):
    paused = await read_sse(
        http, "POST", f"{API}/integrations", headers=acme | STREAM, json=body(settings=PAUSING), until="review_needed"
    )
    assert paused.names == PAUSED
    iid = paused.events[0]["data"]["integration_id"]
    rest = await read_sse(
        http,
        "POST",
        f"{API}/integrations/{iid}/review",
        headers=acme | STREAM,
        json={"action": "abort", "reason": "no"},
    )
    assert rest.names == ["stage", "review_needed", "error", "done"]
    assert rest.events[0]["data"]["message"] == "review: abort"
    assert rest.ids[0] == len(PAUSED) + 1
    assert rest.events[-1]["data"]["status"] == "failed" and rest.events[-1]["data"]["error"] == "no"


async def test_a_failing_spec_url_streams_an_error_event_then_done(http, acme):
    sse = await created_stream(http, acme, dest_api_url="http://127.0.0.1:1/openapi.json")
    assert sse.names[-2:] == ["error", "done"]
    assert "dest API" in sse.events[-2]["data"]["message"]
    assert sse.events[-1]["data"]["status"] == "failed"


async def test_events_of_another_tenants_integration_are_not_found(http, acme, globex):
    created = await http.post(f"{API}/integrations", headers=acme, json=body())
    iid = created.json()["integration_id"]
    sse = await read_sse(http, "GET", f"{API}/integrations/{iid}/events", headers=globex)
    assert sse.status == 404
    bad = await read_sse(http, "GET", f"{API}/integrations/{iid}/events", headers=acme | {"Last-Event-ID": "x"})
    assert bad.status == 422


async def test_a_browser_event_source_may_give_the_token_in_the_query_string(http, acme):
    created = await http.post(f"{API}/integrations", params={"wait": "true"}, headers=acme, json=body())
    iid = created.json()["integration_id"]
    token = acme["Authorization"].removeprefix("Bearer ")
    url = f"{API}/integrations/{iid}/events?access_token={token}"
    sse = await read_sse(http, "GET", url, headers={"Accept": "text/event-stream"})
    assert sse.status == 200 and sse.names == RUN
    refused = await read_sse(http, "GET", f"{API}/integrations/{iid}/events?access_token=nope", headers={})
    assert refused.status == 401
    # Only the event stream takes it: everything else wants the header.
    assert (await http.get(f"{API}/integrations/{iid}?access_token={token}")).status_code == 401
