"""Read values out of API responses and records by the Ingestor's path notation.

`records_at` paths end in `[]` (`data[]`, `data.results[]`, `[]`); value paths are dot paths whose
segments may carry one index (`meta.next_cursor`, `data[-1].id`: the last record's id).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_SEGMENT = re.compile(r"^(?P<name>[^\[\]]*)(?:\[(?P<index>-?\d*)\])?$")


@lru_cache(maxsize=256)
def _segments(path: str) -> tuple[tuple[str, int | None], ...]:
    parts: list[tuple[str, int | None]] = []
    for raw in path.split("."):
        match = _SEGMENT.match(raw)
        if match is None:
            parts.append((raw, None))
            continue
        index = match.group("index")
        parts.append((match.group("name"), int(index) if index not in (None, "") else None))
    return tuple(parts)


def get_value(data: Any, path: str | None) -> Any:
    """Return the value at a dot path (with optional `[i]` / `[-1]` indexes), or None when absent."""
    if not path:
        return None
    current = data
    for name, index in _segments(path):
        if name:
            if not isinstance(current, dict):
                return None
            current = current.get(name)
        if index is not None:
            if not isinstance(current, list) or not current or not -len(current) <= index < len(current):
                return None
            current = current[index]
    return current


def records_in(body: Any, records_at: str | None) -> list[Any] | None:
    """Return the list of records a list response holds (None when the response has no such list)."""
    if records_at is None:
        return body if isinstance(body, list) else None
    path = records_at.strip()
    path = path[:-2] if path.endswith("[]") else path
    found = body if path in ("", "$") else get_value(body, path)
    return found if isinstance(found, list) else None


def record_value(record: Any, path: str) -> Any:
    """Return a record's value at a plain dot path (identity, updated-at)."""
    if "." not in path and "[" not in path:
        return record.get(path) if isinstance(record, dict) else None
    return get_value(record, path)


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Write a value at a plain dot path, creating objects on the way."""
    *parents, last = path.split(".")
    target = data
    for name in parents:
        target = target.setdefault(name, {})
    target[last] = value
