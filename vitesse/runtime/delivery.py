"""Send one request until it succeeds or fails for good: backoff with jitter, Retry-After, outcome classes.

Outcomes of an HTTP answer:

- 2xx: `ok`.
- 409 Conflict: `conflict` — on a create it means the record is already there; the writer counts it as a
  delivered duplicate (suppressed), not a failure.
- 408, 425, 429 and 5xx, timeouts and dropped connections: `transient` — retried with exponential backoff
  and full jitter, never sooner than Retry-After says. A Retry-After longer than `retry_after_max_s`
  ends the attempt at once (the record stays pending for the next run).
- 401, 403, 404, 405: `fatal` — the runtime's credentials or endpoint are wrong, not the record; the run
  stops and nothing is dead-lettered. So is a token endpoint refusing the OAuth2 client credentials.
- any other 4xx: `permanent` — the record is refused; it goes to the dead-letter store.

A failure is *ambiguous* when the server may have acted on the request before it failed (a read
timeout, a dropped connection mid-answer, 500/502/504). Before resending after an ambiguous failure the
caller may check whether the write landed (`landed`), so a write without an idempotency key is not
repeated blindly.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from enum import Enum

import httpx

from vitesse.errors import BlockedURLError
from vitesse.runtime.oauth import TokenRefused

FATAL_STATUSES = frozenset({401, 403, 404, 405})
TRANSIENT_STATUSES = frozenset({408, 425, 429})
AMBIGUOUS_STATUSES = frozenset({500, 502, 504})
NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class Outcome(str, Enum):
    OK = "ok"
    CONFLICT = "conflict"
    TRANSIENT = "transient"
    PERMANENT = "permanent"
    FATAL = "fatal"
    LANDED = "landed"
    """An ambiguous failure after which the caller's check found the write at the destination."""


def classify_status(status: int) -> Outcome:
    """Return the outcome class of an HTTP status."""
    if 200 <= status < 300:
        return Outcome.OK
    if status == 409:
        return Outcome.CONFLICT
    if status in TRANSIENT_STATUSES or status >= 500:
        return Outcome.TRANSIENT
    if status in FATAL_STATUSES:
        return Outcome.FATAL
    return Outcome.PERMANENT


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Parse a Retry-After header (seconds or an HTTP date) into seconds from now; None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


@dataclass
class Delivery:
    """How one request ended after its retries."""

    outcome: Outcome
    response: httpx.Response | None = None
    error: str | None = None
    attempts: int = 0
    ambiguous: bool = False
    """The last failure may have reached the server (only meaningful for `transient`)."""

    @property
    def status(self) -> int | None:
        return self.response.status_code if self.response is not None else None


@dataclass
class RetryPolicy:
    max_attempts: int = 6
    base_s: float = 0.5
    max_s: float = 30.0
    retry_after_max_s: float = 120.0
    rng: random.Random | None = None
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    def backoff(self, attempt: int, retry_after: float | None) -> float | None:
        """Return the wait before attempt `attempt + 1` (full jitter, at least Retry-After); None: give up now."""
        if retry_after is not None and retry_after > self.retry_after_max_s:
            return None
        ceiling = min(self.max_s, self.base_s * (2 ** (attempt - 1)))
        jittered = (self.rng or random).uniform(0, ceiling)
        return max(jittered, retry_after or 0.0)


Send = Callable[[], Awaitable[httpx.Response]]
Landed = Callable[[], Awaitable[bool]]


async def deliver(send: Send, policy: RetryPolicy, *, landed: Landed | None = None) -> Delivery:
    """Send a request through the retry policy.

    Args:
        send: makes the request once (a fresh request each call).
        policy: attempts, backoff and Retry-After limits.
        landed: called before resending after an ambiguous failure; True means the write is already at the
            destination and ends with `Outcome.LANDED`.

    Returns:
        The final Delivery; only a BlockedURLError (a config problem) is raised.
    """
    last = Delivery(Outcome.TRANSIENT, error="not attempted")
    for attempt in range(1, policy.max_attempts + 1):
        last = await _attempt(send, attempt)
        if last.outcome != Outcome.TRANSIENT:
            return last
        if attempt == policy.max_attempts:
            break
        header = last.response.headers.get("retry-after") if last.response is not None else None
        wait = policy.backoff(attempt, retry_after_seconds(header))
        if wait is None:
            last.error = f"{last.error}; Retry-After {header}s is longer than the runtime waits within a run"
            return last
        await policy.sleep(wait)
        if last.ambiguous and landed is not None and await _check_landed(landed):
            return Delivery(Outcome.LANDED, last.response, last.error, attempt, True)
    return last


async def _check_landed(landed: Landed) -> bool:
    try:
        return await landed()
    except (httpx.HTTPError, ValueError):
        return False  # unknown: resend (a duplicate is then refused by 409 or the idempotency key, if any)


async def _attempt(send: Send, attempt: int) -> Delivery:
    try:
        response = await send()
    except BlockedURLError:
        raise
    except TokenRefused as exc:  # the runtime's client credentials are wrong, not the record
        return Delivery(Outcome.FATAL, error=_describe(exc), attempts=attempt)
    except NOT_SENT_ERRORS as exc:
        return Delivery(Outcome.TRANSIENT, error=_describe(exc), attempts=attempt)
    except httpx.TransportError as exc:
        return Delivery(Outcome.TRANSIENT, error=_describe(exc), attempts=attempt, ambiguous=True)
    except httpx.RequestError as exc:  # too many redirects, an undecodable body: retrying will not help
        return Delivery(Outcome.PERMANENT, error=_describe(exc), attempts=attempt)
    outcome = classify_status(response.status_code)
    error = None if outcome in (Outcome.OK, Outcome.CONFLICT) else f"HTTP {response.status_code}"
    ambiguous = response.status_code in AMBIGUOUS_STATUSES
    return Delivery(outcome, response, error, attempt, ambiguous)


def _describe(exc: httpx.RequestError) -> str:
    kind = type(exc).__name__
    detail = str(exc).strip()
    return f"{kind}: {detail[:200]}" if detail else kind
