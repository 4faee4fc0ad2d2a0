"""Build value tables between two enums: exact and case-insensitive matches, then lifecycle meaning, then spelling."""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz

from vitesse.graph.mapper.tokens import normalise

LIFECYCLE: dict[str, frozenset[str]] = {
    "early": frozenset({"lead", "prospect", "new", "invited", "pending", "trial", "trialing", "draft", "subscriber",
                        "unverified", "opportunity", "todo", "open"}),
    "live": frozenset({"customer", "active", "enabled", "paying", "won", "verified", "subscribed", "in", "progress",
                       "doing", "approved", "paid"}),
    "ended": frozenset({"churned", "disabled", "closed", "inactive", "cancelled", "canceled", "archived", "lost",
                        "deleted", "former", "unsubscribed", "done", "completed", "expired", "void", "blocked"}),
}  # fmt: skip
"""Which stage of a record's life a status word names; used when two enums share no spelling."""


def _stage(value: Any) -> str | None:
    words = set(normalise(str(value)))
    hits = [stage for stage, names in LIFECYCLE.items() if words & names]
    return hits[0] if len(hits) == 1 else None


def _closest(value: Any, allowed: list[Any]) -> Any:
    key = str(value).strip().lower()
    for target in allowed:
        if str(target).strip().lower() == key:
            return target
    stage = _stage(value)
    same_stage = [t for t in allowed if stage is not None and _stage(t) == stage]
    if len(same_stage) == 1:
        return same_stage[0]
    return max(allowed, key=lambda t: fuzz.ratio(str(t).lower(), key))


def enum_table(source_values: list[Any], allowed: list[Any]) -> dict[str, Any]:
    """Map every source value onto one allowed destination value."""
    return {str(v): _closest(v, allowed) for v in source_values}
