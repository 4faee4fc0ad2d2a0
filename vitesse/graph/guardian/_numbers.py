"""Make integers and numbers inside a schema's bounds, with realistic ranges guessed from the name.

Both forms of exclusive bounds are read (3.0 `exclusiveMinimum: true` beside `minimum`, 3.1
`exclusiveMinimum: 5`), and `multipleOf` is honoured. The `boundary` profile lands on a bound,
`maximal` on the upper one, `minimal` on the lower one.
"""

from __future__ import annotations

import math
from functools import lru_cache
from random import Random
from typing import Any

from vitesse.graph.guardian._formats import EPOCH_START, SPAN_SECONDS
from vitesse.graph.guardian._realistic import words

INT32 = 2**31 - 1
INT64 = 2**53 - 1  # the largest integer every JSON parser keeps exactly
_RANGES: tuple[tuple[tuple[str, ...], tuple[float, float]], ...] = (
    (("age",), (18, 90)),
    (("year",), (1990, 2025)),
    (("month",), (1, 12)),
    (("day",), (1, 28)),
    (("quantity", "qty", "count", "number_of", "seats"), (1, 20)),
    (("percent", "percentage", "rate"), (0, 100)),
    (("price", "amount", "total", "cost", "balance", "spent", "subtotal", "tax"), (1, 2000)),
    (("latitude", "lat"), (-60, 60)),
    (("longitude", "lng", "lon"), (-120, 120)),
)


def _bounds(schema: dict[str, Any], integer: bool) -> tuple[float | None, float | None]:
    low: float | None = schema["minimum"] if _num(schema.get("minimum")) else None
    high: float | None = schema["maximum"] if _num(schema.get("maximum")) else None
    ex_low, ex_high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    step = 1 if integer else 0.01
    if isinstance(ex_low, int | float) and not isinstance(ex_low, bool):
        low = ex_low + step if low is None else max(low, ex_low + step)
    elif ex_low is True and low is not None:
        low = low + step
    if isinstance(ex_high, int | float) and not isinstance(ex_high, bool):
        high = ex_high - step if high is None else min(high, ex_high - step)
    elif ex_high is True and high is not None:
        high = high - step
    if integer:
        low = math.ceil(low) if low is not None else None
        high = math.floor(high) if high is not None else None
    return low, high


def _num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@lru_cache(maxsize=4096)
def _guess(fmt: str, name: str | None, integer: bool) -> tuple[float, float]:
    key = words(name or "")
    if integer and (fmt in ("unix-time", "timestamp") or key.endswith(("_at", "_time", "timestamp")) or key in (
        "created", "updated", "time", "date"
    )):  # fmt: skip
        start = int(EPOCH_START.timestamp())
        return start, start + SPAN_SECONDS
    if key == "id" or key.endswith("_id"):
        return 1, 999_999
    for names, span in _RANGES:
        if any(n == key or key.endswith("_" + n) or key.startswith(n + "_") for n in names):
            return span
    return (0, 1000) if integer else (0, 1000)


def make_number(schema: dict[str, Any], name: str | None, rng: Random, profile: str | None, *, integer: bool) -> Any:
    """Return an int (integer) or a float with two decimals (number) inside the schema's bounds."""
    low, high = _bounds(schema, integer)
    guess_low, guess_high = _guess(str(schema.get("format") or ""), name, integer)
    if profile == "boundary":
        edge_high = high if high is not None else (INT32 if schema.get("format") == "int32" else INT64)
        edge_low = low if low is not None else (0 if rng.random() < 0.5 else -1)
        candidates = [edge_low, edge_high]
    elif profile == "maximal":
        candidates = [high if high is not None else max(guess_high, (low or 0) + 1)]
    elif profile == "minimal":
        candidates = [low if low is not None else min(guess_low, high if high is not None else guess_low)]
    else:
        lo = low if low is not None else (min(guess_low, high - 10) if high is not None else guess_low)
        hi = high if high is not None else max(guess_high, lo + 10)
        lo, hi = (max(lo, guess_low), min(hi, guess_high)) if lo <= guess_low <= guess_high <= hi else (lo, hi)
        candidates = [rng.randint(int(lo), int(hi)) if integer else round(rng.uniform(lo, hi), 2)]
    value = rng.choice(candidates)
    value = _snap(value, schema.get("multipleOf"), low, high, integer)
    return int(value) if integer else float(value)


def _snap(value: float, step: Any, low: float | None, high: float | None, integer: bool) -> float:
    if low is not None and value < low:
        value = low
    if high is not None and value > high:
        value = high
    if not _num(step) or step <= 0:
        return value
    k = math.floor(value / step)
    snapped = k * step
    if low is not None and snapped < low:
        snapped = (k + 1) * step
    snapped = round(snapped, 10)
    return int(round(snapped)) if integer and float(snapped).is_integer() else snapped
