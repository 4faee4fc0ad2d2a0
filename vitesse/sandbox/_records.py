"""Shape records between a client's bodies, the store, and the spec's responses.

`build_record` makes a full stored record from a create or replace body (a generated record of the
collection's schema, overlaid with what the client sent, timestamps set to now); `wrap` puts a
record into an operation's response shape (`{"data": record}` and the like) when that shape is
not the record itself; `unwrap` finds the record inside a request body that wraps it
(`{"customer": {...}}`); `matches_filters` applies a list's query filters.
"""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime
from random import Random
from typing import Any

from vitesse.graph.guardian.synthetic import SchemaView, conforms, generate_value
from vitesse.graph.ingestor.schema import schema_type

WRAPPER_NAMES = ("data", "result", "record", "item", "object", "resource", "entity")
UNIQUE_NAME = re.compile(r"^(external_?(ref|id|key)|externalid|unique_?(id|key)|idempotency_?key)$", re.I)
SINCE = re.compile(r"(since|after|from|_min|_gte|start)$", re.I)
UNTIL = re.compile(r"(until|before|_to|_max|_lte|end)$", re.I)


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def properties(view: SchemaView, schema: Any) -> dict[str, Any]:
    resolved, _ = view.resolve(schema)
    props = resolved.get("properties")
    return props if isinstance(props, dict) else {}


def unwrap(view: SchemaView, body: Any, record_schema: Any) -> dict[str, Any]:
    """Return the record a request body carries (the body itself, or the one object it wraps)."""
    if not isinstance(body, dict):
        return {}
    props = properties(view, record_schema)
    if not props or any(k in props for k in body):
        return body
    inner = [v for v in body.values() if isinstance(v, dict) and any(k in props for k in v)]
    return inner[0] if len(inner) == 1 else body


def build_record(
    view: SchemaView, record_schema: Any, body: dict[str, Any], seed: str, base: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Return a stored record: `base` (or a generated record) overlaid with the body, timestamps now."""
    created = base is None
    if base is None:
        made = generate_value(record_schema or {}, view.schemas, Random(seed), profile="minimal")
        base = made if isinstance(made, dict) else {}
        _defaults(view, record_schema, base)
    record = copy.deepcopy(base)
    props = properties(view, record_schema)
    open_schema = view.resolve(record_schema or {})[0].get("additionalProperties") is not False
    for key, value in body.items():
        if key in props or (open_schema and not props):
            record[key] = copy.deepcopy(value)
    touch(view, record_schema, record, created=created)
    return record


def _defaults(view: SchemaView, record_schema: Any, record: dict[str, Any]) -> None:
    """Give optional fields the client left out their declared defaults (`lifecycle_stage: LEAD`)."""
    for name, prop in properties(view, record_schema).items():
        resolved, _ = view.resolve(prop)
        default = prop.get("default", resolved.get("default")) if isinstance(prop, dict) else None
        if name not in record and default is not None and conforms(default, prop, view.schemas):
            record[name] = copy.deepcopy(default)


def touch(view: SchemaView, record_schema: Any, record: dict[str, Any], *, created: bool) -> None:
    """Set `created…`/`updated…` timestamps (date-time strings or unix seconds) to now."""
    stamp = now_iso()
    seconds = int(datetime.now(UTC).timestamp())
    for name, prop in properties(view, record_schema).items():
        key = name.lower()
        is_created = key.startswith("creat") or key in ("created", "date_created", "createdat")
        is_updated = "updat" in key or "modif" in key
        if not (is_updated or (created and is_created)):
            continue
        resolved, _ = view.resolve(prop)
        kind = schema_type(resolved)
        if kind == "string" and resolved.get("format") == "date-time":
            record[name] = stamp
        elif kind == "integer" and conforms(seconds, prop, view.schemas):
            record[name] = seconds


def wrap(view: SchemaView, record: dict[str, Any], response_schema: Any, record_schema: Any, seed: str) -> Any:
    """Put a stored record into an operation's response shape."""
    if not response_schema or conforms(record, response_schema, view.schemas, mode="read"):
        return record
    _, record_names = view.resolve(record_schema or {})
    props = properties(view, response_schema)
    for name, prop in props.items():
        _, names = view.resolve(prop)
        if (record_names and set(names) & set(record_names)) or name.lower() in WRAPPER_NAMES:
            if schema_type(view.resolve(prop)[0]) not in ("object", None):
                continue
            body = generate_value(response_schema, view.schemas, Random(seed))
            if isinstance(body, dict):
                body[name] = record
                return body
    return record


def unique_conflict(view: SchemaView, record_schema: Any, body: dict[str, Any], records: Any) -> str | None:
    """Return the name of a unique-looking field whose value another record already has."""
    props = properties(view, record_schema)
    for name, value in body.items():
        if value in (None, "") or not _unique(view, name, props.get(name)):
            continue
        if any(r.get(name) == value for r in records):
            return name
    return None


def _unique(view: SchemaView, name: str, prop: Any) -> bool:
    if UNIQUE_NAME.match(name):
        return True
    resolved, _ = view.resolve(prop) if isinstance(prop, dict) else ({}, [])
    return "unique" in str(resolved.get("description") or "").lower()


def matches_filters(record: dict[str, Any], filters: dict[str, Any], timestamps: dict[str, str]) -> bool:
    """Equality filters on top-level fields; `*_since`/`*_after` and `*_until`/`*_before` on a timestamp."""
    for name, wanted in filters.items():
        have = record.get(name)
        if isinstance(have, list):
            if not any(_same(v, wanted) for v in have):
                return False
        elif not _same(have, wanted):
            return False
    for name, bound in timestamps.items():
        stamp = _timestamp(record)
        if stamp is None:
            continue
        moment = _parse(bound)
        if moment is None:
            continue
        if SINCE.search(name) and stamp < moment:
            return False
        if UNTIL.search(name) and stamp > moment:
            return False
    return True


def _same(have: Any, wanted: Any) -> bool:
    if isinstance(have, bool) or isinstance(wanted, bool):
        return str(have).lower() == str(wanted).lower()
    return str(have) == str(wanted)


def _timestamp(record: dict[str, Any]) -> datetime | None:
    for key in sorted(record, key=lambda k: (0 if ("updat" in k.lower() or "modif" in k.lower()) else 1, k)):
        if "updat" in key.lower() or "modif" in key.lower() or "creat" in key.lower():
            value = record[key]
            if isinstance(value, int) and not isinstance(value, bool):
                return datetime.fromtimestamp(value, UTC)
            parsed = _parse(value) if isinstance(value, str) else None
            if parsed is not None:
                return parsed
    return None


def _parse(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
