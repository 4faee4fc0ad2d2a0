"""Make shadow calls: one bounded, rate-limit-aware request at a time, each judged as a TestResult.

Every call goes through one shared `httpx.AsyncClient`; a semaphore bounds how many are in flight.
A 429 is recorded (category `rate_limit`), then the call waits as `Retry-After` asks (seconds or an
HTTP date; a bounded exponential backoff without one; never longer than `max_retry_wait_s`) and tries
again, up to `max_rate_limit_retries` times. While a side waits, no call of that side is sent, so
the whole run slows down as the API asked. Answers are classified:

| answer | category |
|---|---|
| 2xx | ok |
| 401, 403 | auth |
| 429 | rate_limit |
| 400, 422 and other 4xx | schema (with the field names of the body) |
| 404, 410 | not_found |
| 408, 504, client timeout | timeout |
| other 5xx | server |
| refused URL, connection error | connectivity |
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from vitesse.errors import BlockedURLError
from vitesse.graph.guardian.rejections import Rejection, parse_error_body
from vitesse.net import mask_secrets, mask_url
from vitesse.schemas import TestCategory, TestResult

__all__ = ["Call", "CallOutcome", "Gate", "ShadowCaller", "category_for", "retry_after_seconds"]

MESSAGE_MAX = 240
BACKOFF_BASE_S = 0.25


@dataclass
class Call:
    """One request to make."""

    method: str
    endpoint: str
    """The path template (`/contacts`), as TestResult.endpoint shows it."""
    url: str
    params: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = None
    data: dict[str, str] | None = None
    wrapper: str | None = None
    """The bulk wrapper, to read record indexes from refused field paths."""


@dataclass
class CallOutcome:
    """The final result of a call, the rate-limited attempts before it, and what the API answered."""

    result: TestResult
    attempts: list[TestResult] = field(default_factory=list)
    response: httpx.Response | None = None
    body: Any = None
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def results(self) -> list[TestResult]:
        return [*self.attempts, self.result]


async def _pause(seconds: float) -> None:
    """Wait (a module-level hook, so tests can watch the waits without spending the time)."""
    await asyncio.sleep(seconds)


class Gate:
    """Hold back one side's calls until the moment its last 429 asked to wait for."""

    def __init__(self) -> None:
        self.resume_at = 0.0
        self.waits: list[float] = []
        """Every wait a 429 asked for (after the cap), in order."""
        self.held_s = 0.0
        """How long this side's calls were held back in all (overlapping waits counted once)."""

    def block(self, seconds: float) -> None:
        now = time.monotonic()
        until = max(self.resume_at, now + seconds)
        self.held_s += until - max(self.resume_at, now)
        self.resume_at = until

    async def wait(self) -> None:
        delay = self.resume_at - time.monotonic()
        if delay > 0:
            await _pause(delay)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Read a Retry-After header: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def category_for(status: int) -> TestCategory:
    """Classify an HTTP status (see the module docstring's table)."""
    if 200 <= status < 300:
        return TestCategory.OK
    if status in (401, 403):
        return TestCategory.AUTH
    if status == 429:
        return TestCategory.RATE_LIMIT
    if status in (404, 410):
        return TestCategory.NOT_FOUND
    if status in (408, 504):
        return TestCategory.TIMEOUT
    if status >= 500:
        return TestCategory.SERVER
    return TestCategory.SCHEMA


class ShadowCaller:
    """Send calls through one client with a concurrency bound, waiting out rate limits."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        concurrency: int,
        timeout_s: float,
        max_retry_wait_s: float,
        max_rate_limit_retries: int = 5,
        secrets: list[str] | None = None,
    ) -> None:
        self.client = client
        self.semaphore = asyncio.Semaphore(max(1, concurrency))
        self.timeout_s = timeout_s
        self.max_retry_wait_s = max_retry_wait_s
        self.max_retries = max_rate_limit_retries
        self.secrets = [s for s in (secrets or []) if s]

    async def call(self, call: Call, gate: Gate) -> CallOutcome:
        """Make one call (retrying 429s as asked) and return its outcome."""
        attempts: list[TestResult] = []
        for attempt in range(self.max_retries + 1):
            await gate.wait()
            outcome = await self._once(call)
            if outcome.result.category is not TestCategory.RATE_LIMIT or attempt == self.max_retries:
                outcome.attempts = attempts
                return outcome
            wait = self._wait_for(outcome.response, attempt)
            gate.waits.append(wait)
            gate.block(wait)
            outcome.result.error_message = f"{outcome.result.error_message}; retried after {wait:.2f} s"
            attempts.append(outcome.result)
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait_for(self, response: httpx.Response | None, attempt: int) -> float:
        asked = retry_after_seconds(response.headers.get("retry-after")) if response is not None else None
        wait = asked if asked is not None else BACKOFF_BASE_S * (2**attempt)
        return min(wait, self.max_retry_wait_s)

    async def _once(self, call: Call) -> CallOutcome:
        request = self.client.build_request(
            call.method, call.url, params=call.params or None, headers=call.headers,
            json=call.json, data=call.data,
        )  # fmt: skip
        started = time.perf_counter()
        try:
            async with self.semaphore:
                started = time.perf_counter()
                response = await asyncio.wait_for(self.client.send(request), self.timeout_s)
        except (TimeoutError, httpx.TimeoutException) as exc:
            return self._failure(call, started, TestCategory.TIMEOUT, f"no answer within {self.timeout_s:g} s", exc)
        except BlockedURLError as exc:
            return self._failure(call, started, TestCategory.CONNECTIVITY, str(exc), exc)
        except Exception as exc:  # any transport or in-process failure is a failed call, never a crash
            return self._failure(call, started, TestCategory.CONNECTIVITY, f"{type(exc).__name__}: {exc}", exc)
        return self._judge(call, response, (time.perf_counter() - started) * 1000)

    def _failure(self, call: Call, started: float, category: TestCategory, text: str, exc: Exception) -> CallOutcome:
        elapsed = (time.perf_counter() - started) * 1000
        result = TestResult(
            endpoint=call.endpoint, method=call.method, status_code=None, response_time_ms=round(elapsed, 3),
            success=False, error_message=self._clean(text), category=category,
        )  # fmt: skip
        return CallOutcome(result)

    def _judge(self, call: Call, response: httpx.Response, elapsed_ms: float) -> CallOutcome:
        body = _json_or_none(response)
        category = category_for(response.status_code)
        rejections = parse_error_body(body, call.wrapper) if category is TestCategory.SCHEMA else []
        message = None if category is TestCategory.OK else self._message(response, body, rejections)
        result = TestResult(
            endpoint=call.endpoint, method=call.method, status_code=response.status_code,
            response_time_ms=round(elapsed_ms, 3), success=category is TestCategory.OK, error_message=message,
            category=category, fields=sorted({r.field for r in rejections}),
        )  # fmt: skip
        return CallOutcome(result, response=response, body=body, rejections=rejections)

    def _message(self, response: httpx.Response, body: Any, rejections: list[Rejection]) -> str:
        head = f"{response.status_code} {response.reason_phrase}".strip()
        if rejections:
            named = "; ".join(f"{r.field}: {r.message}" for r in rejections[:5])
            return self._clean(f"{head}: {named}")
        return self._clean(f"{head}: {_summary(body, response)}")

    def _clean(self, text: str) -> str:
        text = mask_secrets(text, self.secrets)
        return text if len(text) <= MESSAGE_MAX else text[: MESSAGE_MAX - 1] + "…"


def _json_or_none(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _summary(body: Any, response: httpx.Response) -> str:
    if isinstance(body, dict):
        for key in ("message", "detail", "error_description", "error", "title"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
            if isinstance(value, dict) and isinstance(value.get("message"), str):
                return str(value["message"])
    text = response.text.strip().replace("\n", " ") if response.content else ""
    return mask_url(text[:120]) if text else "no details"
