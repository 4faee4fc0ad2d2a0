"""Custom transform functions that fit values into a destination's limits (the heal repairs for length and range).

Registered in the transform engine's registry under `fit_text` and `fit_number` when the engine is
imported, so every process that compiles a healed mapping — the sync runtime included — has them.

fit_text   join several values (as `collect` does), then cut text to `max_length` characters and/or a
           list to `max_length` items; a value shorter than `min_length` becomes no value
fit_number round to `multiple_of`, then bring the number inside `minimum`/`maximum` (exclusive bounds
           too): clamp it onto the bound (`out_of_range="clamp"`) or leave it out (`"drop"`)
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from vitesse.transforms._registry import register_transform
from vitesse.transforms._values import stringify

OUT_OF_RANGE = ("clamp", "drop")


def _flat(values: tuple[Any, ...]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        out.extend(value if isinstance(value, list) else [value])
    return [v for v in out if v is not None and not (isinstance(v, str) and not v.strip())]


def _check_text(max_length: int | None = None, min_length: int | None = None, separator: str | None = None) -> None:
    for name, value in (("max_length", max_length), ("min_length", min_length)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ValueError(f"{name} must be a whole number ≥ 0, not {value!r}")
    if max_length is not None and min_length is not None and min_length > max_length:
        raise ValueError(f"min_length {min_length} is above max_length {max_length}")
    if separator is not None and not isinstance(separator, str):
        raise ValueError(f"separator must be text, not {separator!r}")


@register_transform("fit_text")
def fit_text(
    *values: Any, max_length: int | None = None, min_length: int | None = None, separator: str | None = None
) -> Any:
    """Cut text (or a list) to `max_length`; drop it when shorter than `min_length`; join several values first."""
    if separator is not None or len(values) > 1:
        parts = _flat(values)
        value: Any = (separator if separator is not None else " ").join(stringify(p) for p in parts) or None
    else:
        value = values[0] if values else None
    if value is None:
        return None
    if not isinstance(value, list):
        value = value if isinstance(value, str) else stringify(value)
    if max_length is not None and len(value) > max_length:
        value = value[:max_length]
        value = value.rstrip() if isinstance(value, str) else value
    if min_length is not None and len(value) < min_length:
        return None
    return value


fit_text.check_params = _check_text  # type: ignore[attr-defined]


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError("is not a number") from None
    if not number.is_finite():
        raise ValueError("is not a finite number")
    return number


def _check_number(out_of_range: str = "clamp", integer: bool = False, **bounds: Any) -> None:
    if not isinstance(integer, bool):
        raise ValueError(f"integer must be true or false, not {integer!r}")
    if out_of_range not in OUT_OF_RANGE:
        raise ValueError(f"out_of_range must be one of {', '.join(OUT_OF_RANGE)}, not {out_of_range!r}")
    for bound in bounds.values():
        if bound is not None:
            _number(bound)
    step = bounds.get("multiple_of")
    if step is not None and _number(step) <= 0:
        raise ValueError("multiple_of must be above 0")


def _inside(number: Decimal, integer: bool, low: Decimal | None, high: Decimal | None, open_low: bool,
            open_high: bool) -> Decimal | None:  # fmt: skip
    """Return the nearest number inside the bounds (None when the bounds leave no room)."""
    if low is not None and (number < low or (open_low and number <= low)):
        if not open_low:
            number = low
        else:
            number = low + 1 if integer else Decimal(repr(math.nextafter(float(low), math.inf)))
    if high is not None and (number > high or (open_high and number >= high)):
        if not open_high:
            number = high
        else:
            number = high - 1 if integer else Decimal(repr(math.nextafter(float(high), -math.inf)))
    if low is not None and number < low:
        return None
    return number


@register_transform("fit_number")
def fit_number(
    value: Any,
    minimum: Any = None,
    maximum: Any = None,
    exclusive_minimum: Any = None,
    exclusive_maximum: Any = None,
    multiple_of: Any = None,
    integer: bool = False,
    out_of_range: str = "clamp",
) -> Any:
    """Round to `multiple_of`, then clamp into the bounds (or give no value with `out_of_range="drop"`)."""
    number = _number(value)
    if multiple_of is not None:
        step = _number(multiple_of)
        number = (number / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
    low = _number(exclusive_minimum if exclusive_minimum is not None else minimum) if (
        exclusive_minimum is not None or minimum is not None) else None  # fmt: skip
    high = _number(exclusive_maximum if exclusive_maximum is not None else maximum) if (
        exclusive_maximum is not None or maximum is not None) else None  # fmt: skip
    fitted = _inside(number, integer, low, high, exclusive_minimum is not None, exclusive_maximum is not None)
    if fitted is None or (fitted != number and out_of_range == "drop"):
        return None
    if integer or (fitted == fitted.to_integral_value() and isinstance(value, int)):
        return int(fitted)
    return float(fitted)


fit_number.check_params = _check_number  # type: ignore[attr-defined]
