"""Retry policy, Retry-After and outcome classes of `vitesse.runtime.delivery`."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from tests.unit.runtime.helpers import Sleeps
from vitesse.runtime.delivery import Outcome, RetryPolicy, classify_status, deliver, retry_after_seconds

REQUEST = httpx.Request("POST", "https://api.example.com/things")


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, Outcome.OK), (201, Outcome.OK), (204, Outcome.OK), (409, Outcome.CONFLICT),
        (408, Outcome.TRANSIENT), (425, Outcome.TRANSIENT), (429, Outcome.TRANSIENT), (500, Outcome.TRANSIENT),
        (503, Outcome.TRANSIENT), (401, Outcome.FATAL), (403, Outcome.FATAL), (404, Outcome.FATAL),
        (405, Outcome.FATAL), (400, Outcome.PERMANENT), (422, Outcome.PERMANENT), (413, Outcome.PERMANENT),
    ],
)  # fmt: skip
def test_statuses_fall_into_their_outcome_class(status, outcome):
    assert classify_status(status) == outcome


def test_retry_after_reads_seconds_and_http_dates():
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(" 2.5 ") == 2.5
    assert retry_after_seconds(later, now=now.timestamp()) == pytest.approx(90.0)
    assert retry_after_seconds(format_datetime(now - timedelta(seconds=5), usegmt=True), now=now.timestamp()) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_backoff_grows_with_jitter_under_the_cap_and_honours_retry_after():
    policy = RetryPolicy(max_attempts=8, base_s=1.0, max_s=10.0, rng=random.Random(4))
    waits = [policy.backoff(attempt, None) for attempt in range(1, 8) for _ in range(50)]
    assert all(0 <= w <= 10.0 for w in waits)
    assert max(policy.backoff(1, None) for _ in range(50)) <= 1.0
    assert max(policy.backoff(6, None) for _ in range(200)) > 5.0  # the ceiling grew to the cap
    assert len({round(w, 6) for w in waits}) > 100  # jittered, not a fixed schedule
    assert policy.backoff(1, 4.0) >= 4.0
    assert policy.backoff(1, policy.retry_after_max_s + 1) is None


async def test_delivery_retries_transient_answers_and_waits_as_told():
    answers = [httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(503), httpx.Response(201)]
    sleeps = Sleeps()

    async def send():
        return answers.pop(0)

    result = await deliver(send, RetryPolicy(max_attempts=5, base_s=0.01, max_s=0.01, sleep=sleeps))
    assert (result.outcome, result.attempts, result.status) == (Outcome.OK, 3, 201)
    assert len(sleeps) == 2 and sleeps[0] >= 3.0 and sleeps[1] <= 0.01


async def test_delivery_gives_up_after_max_attempts_or_on_a_long_retry_after():
    sleeps = Sleeps()

    async def flaky():
        raise httpx.ConnectError("refused", request=REQUEST)

    result = await deliver(flaky, RetryPolicy(max_attempts=3, base_s=0, sleep=sleeps))
    assert (result.outcome, result.attempts, result.ambiguous) == (Outcome.TRANSIENT, 3, False)
    assert len(sleeps) == 2

    async def slow_down():
        return httpx.Response(429, headers={"Retry-After": "3600"})

    result = await deliver(slow_down, RetryPolicy(max_attempts=5, retry_after_max_s=60, sleep=sleeps))
    assert result.outcome == Outcome.TRANSIENT and result.attempts == 1
    assert "3600" in (result.error or "")


async def test_permanent_and_fatal_answers_are_not_retried():
    for status, outcome in ((422, Outcome.PERMANENT), (401, Outcome.FATAL), (409, Outcome.CONFLICT)):
        calls = []

        async def send(status=status, calls=calls):
            calls.append(1)
            return httpx.Response(status)

        result = await deliver(send, RetryPolicy(max_attempts=5, sleep=Sleeps()))
        assert (result.outcome, len(calls)) == (outcome, 1)


async def test_an_ambiguous_failure_is_checked_before_it_is_resent():
    sent, checks = [], []

    async def send():
        sent.append(1)
        raise httpx.ReadTimeout("no answer", request=REQUEST)

    async def landed():
        checks.append(1)
        return True

    result = await deliver(send, RetryPolicy(max_attempts=5, base_s=0, sleep=Sleeps()), landed=landed)
    assert (result.outcome, len(sent), len(checks)) == (Outcome.LANDED, 1, 1)

    async def refused():
        sent.append(1)
        raise httpx.ConnectError("refused", request=REQUEST)  # never reached the server: no check needed

    sent.clear(), checks.clear()
    result = await deliver(refused, RetryPolicy(max_attempts=3, base_s=0, sleep=Sleeps()), landed=landed)
    assert (result.outcome, len(sent), len(checks)) == (Outcome.TRANSIENT, 3, 0)


async def test_a_failing_check_means_resend():
    answers = [httpx.Response(502), httpx.Response(201)]

    async def send():
        return answers.pop(0)

    async def broken_check():
        raise httpx.ReadError("lookup failed", request=REQUEST)

    result = await deliver(send, RetryPolicy(max_attempts=3, base_s=0, sleep=Sleeps()), landed=broken_check)
    assert result.outcome == Outcome.OK and result.attempts == 2
