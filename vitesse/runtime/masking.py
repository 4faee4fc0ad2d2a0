"""Mask what must never be stored or shown: credential-looking fields of records and known secret values."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

MASK = "****"
SECRET_FIELD = re.compile(
    r"(passw(or)?d|passwd|secret|token|api[-_]?key|credential|authorization|private[-_]?key|session[-_]?id"
    r"|cvv|cvc|card[-_]?number|iban|ssn)",
    re.IGNORECASE,
)
_LONG_TOKEN = re.compile(r"\b[A-Za-z0-9_\-]{24,}\b")
EXCERPT = 300


def mask_fields(value: Any, depth: int = 0) -> Any:
    """Return a copy with the values of credential-looking keys replaced by `****` (at any depth)."""
    if depth > 50:
        return MASK
    if isinstance(value, dict):
        return {
            k: (MASK if isinstance(k, str) and SECRET_FIELD.search(k) and v is not None else mask_fields(v, depth + 1))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [mask_fields(v, depth + 1) for v in value]
    return value


def has_masked(value: Any, depth: int = 0) -> bool:
    """Return True when a (stored) value holds a masked field, so it cannot be sent as it is."""
    if depth > 50:
        return False
    if isinstance(value, dict):
        return any(has_masked(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(has_masked(v, depth + 1) for v in value)
    return bool(value == MASK)


def mask_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Mask known secret values and long token-like runs that mix letters and digits; cap the length."""
    for secret in sorted((s for s in secrets if s and len(s) >= 4), key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _LONG_TOKEN.sub(_mask_token, text)
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def _mask_token(match: re.Match[str]) -> str:
    token = match.group()
    if any(c.isdigit() for c in token) and any(c.isalpha() for c in token):
        return token[:2] + MASK
    return token
