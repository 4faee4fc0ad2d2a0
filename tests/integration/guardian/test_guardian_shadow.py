"""One shadow call at a time: classification of every answer, Retry-After reading, masking, timeouts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from vitesse.graph.guardian import shadow as shadow_module
from vitesse.graph.guardian.shadow import Call, Gate, ShadowCaller, category_for, retry_after_seconds
from vitesse.schemas import TestCategory

URL = "https://api.example.test/contacts"


def caller(handler: object, **kw: object) -> ShadowCaller:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))  # type: ignore[arg-type]
    options: dict[str, object] = {"concurrency": 4, "timeout_s": 5.0, "max_retry_wait_s": 2.0, **kw}
    return ShadowCaller(client, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "category"),
    [
        (200, TestCategory.OK),
        (201, TestCategory.OK),
        (204, TestCategory.OK),
        (400, TestCategory.SCHEMA),
        (401, TestCategory.AUTH),
        (403, TestCategory.AUTH),
        (404, TestCategory.NOT_FOUND),
        (408, TestCategory.TIMEOUT),
        (409, TestCategory.SCHEMA),
        (422, TestCategory.SCHEMA),
        (429, TestCategory.RATE_LIMIT),
        (500, TestCategory.SERVER),
        (503, TestCategory.SERVER),
        (504, TestCategory.TIMEOUT),
    ],
)
def test_statuses_are_classified(status: int, category: TestCategory) -> None:
    assert category_for(status) is category


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=7), usegmt=True), now=now) == 7.0
    assert retry_after_seconds(format_datetime(now - timedelta(seconds=7), usegmt=True), now=now) == 0.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


async def test_a_422_names_its_fields_and_keeps_the_message_short() -> None:
    body = {
        "message": "1 field is invalid",
        "errors": [{"field": "phone_numbers[0].number", "code": "invalid_format", "message": "must be E.164"}],
    }

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(422, json=body)

    outcome = await caller(handler).call(Call("POST", "/contacts", URL, json={}), Gate())
    result = outcome.result
    assert (result.category, result.status_code, result.success) == (TestCategory.SCHEMA, 422, False)
    assert result.fields == ["phone_numbers[].number"]
    assert result.error_message is not None and "phone_numbers[].number: must be E.164" in result.error_message


async def test_secrets_never_appear_in_error_messages() -> None:
    """An API that echoes the token back does not get it into the TestResult."""
    token = "tok_live_9f8e7d6c5b4a"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"message": f"token {request.headers['authorization']} is revoked"})

    call = Call("GET", "/contacts", URL, headers={"Authorization": f"Bearer {token}"})
    outcome = await caller(handler, secrets=[token]).call(call, Gate())
    assert outcome.result.category is TestCategory.AUTH
    assert token not in (outcome.result.error_message or "") and "****" in (outcome.result.error_message or "")


async def test_a_429_is_recorded_waited_for_and_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two 429s (Retry-After 1 and 30), then a 201: three results, waits of 1 s and the 2 s cap."""
    answers = iter([(429, {"Retry-After": "1"}), (429, {"Retry-After": "30"}), (201, {})])
    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)

    monkeypatch.setattr(shadow_module, "_pause", pause)

    def handler(request: httpx.Request) -> httpx.Response:
        status, headers = next(answers)
        return httpx.Response(status, headers=headers, json={})

    gate = Gate()
    outcome = await caller(handler).call(Call("POST", "/contacts", URL, json={}), gate)
    assert [r.status_code for r in outcome.results] == [429, 429, 201]
    assert [r.category for r in outcome.attempts] == [TestCategory.RATE_LIMIT] * 2
    assert outcome.result.success
    assert gate.waits == [1.0, 2.0]
    assert len(pauses) == 2 and all(0 < p <= w for p, w in zip(pauses, gate.waits, strict=True))


async def test_without_retry_after_the_backoff_grows_and_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    async def pause(seconds: float) -> None:
        return None

    monkeypatch.setattr(shadow_module, "_pause", pause)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429)

    gate = Gate()
    outcome = await caller(handler, max_rate_limit_retries=4, max_retry_wait_s=1.0).call(Call("GET", "/x", URL), gate)
    assert gate.waits == [0.25, 0.5, 1.0, 1.0]
    assert len(outcome.results) == 5 and outcome.result.category is TestCategory.RATE_LIMIT


async def test_transport_failures_and_slow_answers_are_results_not_crashes() -> None:
    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(1)
        return httpx.Response(200)

    failed = await caller(refused).call(Call("GET", "/x", URL), Gate())
    assert failed.result.category is TestCategory.CONNECTIVITY and failed.result.status_code is None
    assert "connection refused" in (failed.result.error_message or "")
    late = await caller(slow, timeout_s=0.05).call(Call("GET", "/x", URL), Gate())
    assert late.result.category is TestCategory.TIMEOUT and not late.result.success


async def test_the_semaphore_bounds_calls_in_flight() -> None:
    """Twenty calls through a caller bounded at 3: never more than 3 in the handler at once."""
    state = {"now": 0, "max": 0}

    async def handler(request: httpx.Request) -> httpx.Response:
        state["now"] += 1
        state["max"] = max(state["max"], state["now"])
        await asyncio.sleep(0.01)
        state["now"] -= 1
        return httpx.Response(200)

    shadow = caller(handler, concurrency=3)
    gate = Gate()
    await asyncio.gather(*(shadow.call(Call("GET", "/x", URL), gate) for _ in range(20)))
    assert state["max"] == 3


def test_overlapping_waits_hold_a_side_back_once() -> None:
    """Ten 429s asking for 1 s at the same moment hold the side back about 1 s, not 10."""
    gate = Gate()
    for _ in range(10):
        gate.block(1.0)
    assert 1.0 <= gate.held_s < 1.5
