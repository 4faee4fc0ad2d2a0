"""Convert values between JSON types the way every transform agrees on."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

NO_VALUE: Any = object()
"""Marks a FieldFailure that has no offending value to show."""

TRUE_WORDS = ("true", "yes", "y", "1", "on", "t")
FALSE_WORDS = ("false", "no", "n", "0", "off", "f")
_INT_TEXT = re.compile(r"[+-]?\d+")
_NUMBER_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


class FieldFailure(Exception):
    """One field of one record could not be produced; the engine turns it into a FieldError.

    The message never contains the value: the value travels separately and is shown masked and cut.
    """

    def __init__(self, message: str, value: Any = NO_VALUE) -> None:
        super().__init__(message)
        self.message = message
        self.value = value


_SUBJECT_VERBS = ("is ", "has ", "does ")


def describe(exc: BaseException) -> str:
    """Word a per-record failure for a FieldError (FieldFailure messages have the value as subject)."""
    if isinstance(exc, FieldFailure):
        return f"value {exc.message}" if exc.message.startswith(_SUBJECT_VERBS) else exc.message
    return f"{type(exc).__name__}: {exc}"


def is_empty(value: Any) -> bool:
    """Return True for null, a blank string, an empty list and an empty object."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | dict | tuple):
        return not value
    return False


def _float_text(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer():
        return str(int(value))
    return repr(value)


def stringify(value: Any) -> str:
    """Render any JSON value as text: 20.0 → "20", True → "true", objects and arrays → compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, Decimal):
        return str(int(value)) if value.is_finite() and value == value.to_integral_value() else format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None:
        return ""
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=stringify)
    return str(value)


def to_int(value: Any) -> int:
    """Convert to an integer without losing anything: 42, 42.0, "42", " 42.0 ", True → 1."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        if math.isfinite(value) and value == int(value):
            return int(value)
        raise FieldFailure("is not a whole number", value)
    if isinstance(value, str):
        text = value.strip()
        if _INT_TEXT.fullmatch(text):
            return int(text)
        if _NUMBER_TEXT.fullmatch(text):
            number = Decimal(text)
            if number == number.to_integral_value():
                return int(number)
        raise FieldFailure("is not a whole number", value)
    raise FieldFailure(f"cannot turn {a_type(value)} into an integer", value)


def to_number(value: Any) -> float:
    """Convert to a float: 19.99, "19.99", "1e3", True → 1.0; NaN and infinity are refused."""
    if type(value) is str:
        text = value.strip()
        # float() also takes underscores, non-ASCII digits, nan and inf: refuse the first two here,
        # the last two below, so the accepted texts are exactly plain decimal and exponent numbers.
        if not text.isascii() or "_" in text:
            raise FieldFailure("is not a number", value)
        try:
            number = float(text)
        except ValueError:
            raise FieldFailure("is not a number", value) from None
    elif isinstance(value, bool):
        return float(value)
    elif isinstance(value, int | float | Decimal):
        number = float(value)
    else:
        raise FieldFailure(f"cannot turn {a_type(value)} into a number", value)
    if not math.isfinite(number):
        raise FieldFailure("is not a finite number", value)
    return number


def to_decimal(value: Any) -> Decimal:
    """Convert a number or numeric text to an exact Decimal (floats through their shortest repr)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise FieldFailure(f"cannot turn {a_type(value)} into a number", value)
    text = value.strip() if isinstance(value, str) else repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, str) and not _NUMBER_TEXT.fullmatch(text):
        raise FieldFailure("is not a number", value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise FieldFailure("is not a number", value) from None
    if not number.is_finite():
        raise FieldFailure("is not a finite number", value)
    return number


class BoolWords:
    """The words that mean true and false, compared case-insensitively after trimming."""

    def __init__(self, true_words: Iterable[Any] = TRUE_WORDS, false_words: Iterable[Any] = FALSE_WORDS) -> None:
        self.true = frozenset(stringify(w).strip().lower() for w in true_words)
        self.false = frozenset(stringify(w).strip().lower() for w in false_words)
        overlap = self.true & self.false
        if overlap:
            raise ValueError(f"'{sorted(overlap)[0]}' is both a true and a false value")

    def __call__(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            key = "1" if value == 1 else "0"
        elif isinstance(value, str | int | float):
            key = stringify(value).strip().lower()
        else:
            raise FieldFailure(f"cannot turn {a_type(value)} into a boolean", value)
        if key in self.true:
            return True
        if key in self.false:
            return False
        words = f"true: {', '.join(sorted(self.true))}; false: {', '.join(sorted(self.false))}"
        raise FieldFailure(f"is not a recognised boolean ({words})", value)


to_bool = BoolWords()


def type_name(value: Any) -> str:
    """Name a value's JSON type for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float | Decimal):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def a_type(value: Any) -> str:
    """Name a value's JSON type with its article: "an array", "a string", "null"."""
    name = type_name(value)
    if name == "null":
        return name
    return ("an " if name[0] in "aeiou" else "a ") + name


CASTS: dict[str, Callable[[Any], Any]] = {
    "string": stringify,
    "integer": to_int,
    "number": to_number,
    "boolean": to_bool,
}
"""The `cast` targets of `direct` (and the simple `parse` targets)."""
