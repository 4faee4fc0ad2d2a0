"""Mask, in every tool result, the secrets the call itself carried (credentials, auth headers, secret env).

A last line of defence beside the tools' own care: whatever a tool, an error message or a third-party
answer echoes back, no value the caller passed under a credential-looking name leaves in the result.
"""

from __future__ import annotations

from typing import Any

from vitesse.net import SENSITIVE_HEADER, SENSITIVE_PARAM, mask_secrets

MIN_SECRET_CHARS = 6
"""Shorter values are not treated as secrets (they would mask ordinary words like `true`)."""


def argument_secrets(arguments: Any) -> list[str]:
    """Return every string value found under a credential-looking key, at any depth (with `Bearer x` → `x`)."""
    found: list[str] = []
    _collect(arguments, False, found)
    # `Bearer x`, `Basic x`: the scheme word is not secret, what follows it is.
    parts = [part for value in found for part in value.split()[1:] if len(part) >= MIN_SECRET_CHARS]
    return sorted({*found, *parts}, key=len, reverse=True)


def _collect(value: Any, secret: bool, found: list[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            name = str(key)
            _collect(item, secret or bool(SENSITIVE_PARAM.search(name) or SENSITIVE_HEADER.search(name)), found)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect(item, secret, found)
    elif secret and isinstance(value, str) and len(value) >= MIN_SECRET_CHARS:
        found.append(value)


def mask_result(value: Any, secrets: list[str]) -> Any:
    """Return `value` with every secret replaced in its string leaves (keys and structure unchanged)."""
    if not secrets:
        return value
    if isinstance(value, dict):
        return {key: mask_result(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_result(item, secrets) for item in value]
    if isinstance(value, str):
        return mask_secrets(value, secrets)
    return value


async def mask_tool_secrets(ctx: Any, call_next: Any) -> Any:
    """Server middleware: mask the call's own secrets in a `tools/call` result."""
    result = await call_next(ctx)
    if ctx.method != "tools/call" or not isinstance(result, dict):
        return result
    secrets = argument_secrets((ctx.params or {}).get("arguments") or {})
    return mask_result(result, secrets)
