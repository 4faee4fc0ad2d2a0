"""Describe the faults a sandbox injects, and decide each request's fate from the seed alone.

Request number `n` (counted from 0 since the plan was set, admin routes excluded) draws from
`Random(f"{seed}:fault:{n}")`, so a plan and a seed fix the outcome of every request: tests can
compute the expected counts with `FaultPlan.expected(n, seed)` and compare them with what they saw.
One uniform draw picks the outcome (drop, then timeout, then 429, then 5xx, each with its rate);
a second draw gives the latency.
"""

from __future__ import annotations

import fnmatch
from collections import Counter
from dataclasses import dataclass
from enum import Enum
from random import Random
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from vitesse.errors import ConfigError


class Outcome(str, Enum):
    OK = "ok"
    DROP = "drop"
    """The connection is closed in the middle of the response (a transport error for the client)."""
    TIMEOUT = "timeout"
    """The server holds the request for `timeout_s` before answering 504."""
    RATE_LIMITED = "rate_limited"
    """429 with a Retry-After header."""
    SERVER_ERROR = "server_error"
    """One of `error_statuses` (5xx)."""


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    status: int | None
    latency_s: float


class FaultPlan(BaseModel):
    """The faults of one run; every rate is a probability per request, their sum at most 1."""

    model_config = ConfigDict(extra="forbid")

    latency_ms: float = Field(0.0, ge=0)
    """Added to every answer (the centre of the distribution)."""
    latency_jitter_ms: float = Field(0.0, ge=0)
    """Spread around `latency_ms`: half-width (uniform), standard deviation (normal) or unused (fixed)."""
    latency_distribution: Literal["fixed", "uniform", "normal", "exponential"] = "uniform"
    error_rate: float = Field(0.0, ge=0, le=1)
    error_statuses: list[int] = Field(default_factory=lambda: [500, 502, 503])
    rate_limit_rate: float = Field(0.0, ge=0, le=1)
    retry_after_s: int = Field(1, ge=0)
    timeout_rate: float = Field(0.0, ge=0, le=1)
    timeout_s: float = Field(30.0, ge=0)
    drop_rate: float = Field(0.0, ge=0, le=1)
    fail_first: int = Field(0, ge=0)
    """The first N requests fail with `fail_first_status` whatever the rates say (retry tests)."""
    fail_first_status: int = 503
    methods: list[str] | None = None
    """Only requests with these methods see faults (all when None)."""
    paths: list[str] | None = None
    """Only requests whose path matches one of these glob patterns see faults (all when None)."""
    seed: int | None = None
    """Overrides the sandbox's seed for fault draws."""

    @model_validator(mode="after")
    def _check(self) -> FaultPlan:
        total = self.error_rate + self.rate_limit_rate + self.timeout_rate + self.drop_rate
        if total > 1.0 + 1e-9:
            raise ConfigError(f"fault rates add up to {total:.3f}; their sum must be at most 1")
        bad = [s for s in [*self.error_statuses, self.fail_first_status] if not 400 <= s <= 599]
        if bad:
            raise ConfigError(f"fault statuses must be 4xx or 5xx codes, not {bad}")
        if not self.error_statuses:
            raise ConfigError("error_statuses must name at least one status (500, 502, 503 …)")
        return self

    @property
    def active(self) -> bool:
        rates = self.error_rate + self.rate_limit_rate + self.timeout_rate + self.drop_rate
        return bool(rates or self.fail_first or self.latency_ms or self.latency_jitter_ms)

    def applies(self, method: str, path: str) -> bool:
        """Return whether requests of this method and path are subject to the plan."""
        if self.methods is not None and method.upper() not in {m.upper() for m in self.methods}:
            return False
        return self.paths is None or any(fnmatch.fnmatchcase(path, p) for p in self.paths)

    def decide(self, index: int, seed: int) -> Decision:
        """Return the fate of request number `index` (from 0) under this plan and seed."""
        rng = Random(f"{self.seed if self.seed is not None else seed}:fault:{index}")
        draw, latency = rng.random(), self._latency(rng)
        if index < self.fail_first:
            status = self.fail_first_status
            return Decision(Outcome.RATE_LIMITED if status == 429 else Outcome.SERVER_ERROR, status, latency)
        edge = 0.0
        for rate, outcome in (
            (self.drop_rate, Outcome.DROP),
            (self.timeout_rate, Outcome.TIMEOUT),
            (self.rate_limit_rate, Outcome.RATE_LIMITED),
            (self.error_rate, Outcome.SERVER_ERROR),
        ):
            edge += rate
            if draw < edge:
                return Decision(outcome, self._status(outcome, rng), latency)
        return Decision(Outcome.OK, None, latency)

    def expected(self, count: int, seed: int) -> Counter[Outcome]:
        """Return how many of the first `count` requests meet each outcome."""
        return Counter(self.decide(i, seed).outcome for i in range(count))

    def _status(self, outcome: Outcome, rng: Random) -> int | None:
        if outcome == Outcome.SERVER_ERROR:
            return self.error_statuses[rng.randrange(len(self.error_statuses))]
        return {Outcome.RATE_LIMITED: 429, Outcome.TIMEOUT: 504}.get(outcome)

    def _latency(self, rng: Random) -> float:
        centre, spread = self.latency_ms, self.latency_jitter_ms
        if self.latency_distribution == "uniform":
            value = rng.uniform(centre - spread, centre + spread)
        elif self.latency_distribution == "normal":
            value = rng.gauss(centre, spread)
        elif self.latency_distribution == "exponential":
            value = rng.expovariate(1.0 / centre) if centre > 0 else 0.0
        else:
            value = centre
        return max(0.0, value) / 1000.0


_ALIASES = {
    "latency": "latency_ms",
    "jitter": "latency_jitter_ms",
    "errors": "error_rate",
    "5xx": "error_rate",
    "rate_limit": "rate_limit_rate",
    "429": "rate_limit_rate",
    "retry_after": "retry_after_s",
    "timeouts": "timeout_rate",
    "drops": "drop_rate",
}
_LISTS = {"error_statuses", "methods", "paths"}


def parse_fault_flags(flags: list[str] | None) -> FaultPlan:
    """Build a plan from `--fault key=value` flags, e.g. `error_rate=0.1`, `latency=20..200`, `methods=POST`."""
    values: dict[str, object] = {}
    for flag in flags or []:
        key, sep, raw = flag.partition("=")
        key = _ALIASES.get(key.strip().lower(), key.strip().lower())
        if not sep or key not in FaultPlan.model_fields:
            known = ", ".join(sorted([*FaultPlan.model_fields, *_ALIASES]))
            raise ConfigError(f"unknown fault {flag!r}: use key=value with one of {known}")
        if key == "latency_ms" and ".." in raw:
            low, _, high = raw.partition("..")
            values["latency_ms"] = (float(low) + float(high)) / 2
            values["latency_jitter_ms"] = (float(high) - float(low)) / 2
            values["latency_distribution"] = "uniform"
        elif key in _LISTS:
            items = [v.strip() for v in raw.split(",") if v.strip()]
            values[key] = [int(v) for v in items] if key == "error_statuses" else items
        else:
            values[key] = raw.strip()
    try:
        return FaultPlan.model_validate(values)
    except ValueError as exc:
        raise ConfigError(f"bad --fault values: {exc}") from exc
