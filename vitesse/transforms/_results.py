"""Describe what applying a mapping produced: payloads and per-field errors, with values masked."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from vitesse.transforms._values import describe, stringify

EXCERPT_MAX = 40
MESSAGE_MAX = 300
MASK = "****"
SENSITIVE_NAME = re.compile(
    r"(passw(or)?d|secret|token|api[-_]?key|credential|private[-_]?key|authorization|bearer|session|signature"
    r"|ssn|cvv|cvc|card[-_]?number|iban)",
    re.IGNORECASE,
)
# A run of 16+ key-like characters mixing letters and digits: API keys, tokens, JWT parts, hashes.
_TOKEN = re.compile(r"[A-Za-z0-9_\-+/=.]{16,}")


def _mask(text: str) -> str:
    return MASK if len(text) <= 8 else text[:2] + MASK


def _mask_token(match: re.Match[str]) -> str:
    text = match.group()
    if any(c.isdigit() for c in text) and any(c.isalpha() for c in text):
        return _mask(text)
    return text


def mask_secrets(text: str) -> str:
    """Mask every secret-looking token in a text."""
    return _TOKEN.sub(_mask_token, text)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def excerpt(value: Any, *, sensitive: bool = False) -> str | None:
    """Return a short, masked rendering of an offending value (≤ 40 characters)."""
    if value is None:
        return None
    if isinstance(value, dict):
        return f"<object with {len(value)} keys>"
    if isinstance(value, list | tuple):
        return f"<array of {len(value)} items>"
    try:
        text = stringify(value)
    except Exception:  # a value whose str() fails must not break error reporting
        return f"<{type(value).__name__}>"
    if sensitive:
        return _mask(text)
    return _cut(mask_secrets(text), EXCERPT_MAX)


def scrub(message: str) -> str:
    """Make a message safe to return: secret-looking tokens masked, length capped."""
    return _cut(mask_secrets(message), MESSAGE_MAX)


def safe_message(exc: BaseException, value: Any, sensitive: bool) -> str:
    """Word a failure for a FieldError: scrubbed, and without a credential field's value even when short."""
    try:
        message = describe(exc)
    except Exception:  # an exception whose str() fails
        message = f"{type(exc).__name__} (no message)"
    if sensitive and isinstance(value, str | int | float) and not isinstance(value, bool):
        text = stringify(value)
        if text:
            message = message.replace(text, MASK)
    return scrub(message)


def is_sensitive(*names: str) -> bool:
    """Return True when any field name looks like it holds a credential."""
    return any(SENSITIVE_NAME.search(name) for name in names)


@dataclass(slots=True)
class FieldError:
    """Why one destination field of one record could not be produced."""

    dest_field: str
    source_fields: list[str]
    message: str
    value_excerpt: str | None = None

    def __str__(self) -> str:
        sources = ", ".join(self.source_fields) or "no source"
        shown = f" (value: {self.value_excerpt})" if self.value_excerpt is not None else ""
        return f"{self.dest_field} ← {sources}: {self.message}{shown}"


@dataclass(slots=True)
class RecordResult:
    """One record's destination payload and the fields that failed (left out of the payload)."""

    payload: dict[str, Any]
    errors: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(slots=True)
class BatchResult:
    """A batch's payloads (one per input record, same order) and the errors of the records that had any."""

    payloads: list[dict[str, Any]]
    errors: dict[int, list[FieldError]] = field(default_factory=dict)

    @property
    def ok_count(self) -> int:
        """Records mapped without any field error."""
        return len(self.payloads) - len(self.errors)

    @property
    def failed_count(self) -> int:
        return len(self.errors)

    def __len__(self) -> int:
        return len(self.payloads)

    def ok_payloads(self) -> list[dict[str, Any]]:
        """Return the payloads of the records that had no field error, in order."""
        return [p for i, p in enumerate(self.payloads) if i not in self.errors]
