"""Read which fields a destination refused from its 400/422 body, whatever shape the API uses.

APIs word validation errors in many ways; this module looks for the common ones generically:

- a list of objects, each naming a field (`field`, `param`, `path`, `loc`, `name`, `pointer`,
  `property`, `attribute`, `source.pointer`) beside a reason (`message`, `detail`, `msg`, `reason`,
  `description`) and maybe a code (`code`, `type`, `kind`, `rule`, `keyword`), found anywhere in the
  body (`errors`, `error.fields`, FastAPI's `detail`, JSON:API's `errors[].source.pointer` …);
- an object of field → message(s) (`{"errors": {"email": ["is invalid"]}}`, Rails and Django).

Field names come back in the house path convention: `phone_numbers[0].number`, `phone_numbers.0.number`,
`/phone_numbers/0/number` and `["body", "phone_numbers", 0, "number"]` all become
`phone_numbers[].number`, together with the first array index seen (which record of a bulk body).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vitesse.net import SENSITIVE_HEADER, mask_value
from vitesse.schemas import IssueKind

__all__ = ["Rejection", "classify_reason", "excerpt", "normalise_field_path", "parse_error_body", "split_path"]

FIELD_KEYS = ("field", "param", "parameter", "path", "loc", "location", "name", "pointer", "property", "attribute")
MESSAGE_KEYS = ("message", "detail", "msg", "defaultMessage", "reason", "description", "error", "title")
CODE_KEYS = ("code", "type", "kind", "rule", "keyword", "error_code", "validator")
EXPECTED_KEYS = ("expected", "pattern", "format", "constraint")
ALLOWED_KEYS = ("allowed", "allowed_values", "enum", "choices", "permitted_values")
_STRONG_KEYS = ("field", "param", "loc", "pointer")  # `name` and `path` name other things at the top level
MAX_DEPTH = 6
MAX_REJECTIONS = 200
_ROOTS = frozenset({"body", "$", "#", "request", "payload", "json", "data_json", "requestbody"})
_INDEX = re.compile(r"\[(\d*)\]")


@dataclass
class Rejection:
    """One field a destination (or local validation, or the transform engine) refused, in one request."""

    field: str
    """House path convention: `phone_numbers[].number`."""
    kind: IssueKind
    message: str
    expected: str | None = None
    observed: str | None = None
    allowed: list[Any] | None = None
    index: int | None = None
    """The first array index in the reported path: the record's place in a bulk body."""
    raw_path: str | None = None


EXCERPT_MAX = 40


def excerpt(value: Any, field: str = "") -> str:
    """Show an offending value briefly (≤ 40 characters), masked when the field looks like a secret."""
    if isinstance(value, Mapping):
        return f"<object with {len(value)} keys>"
    if isinstance(value, list | tuple):
        return f"<array of {len(value)} items>"
    if isinstance(value, bool) or value is None:
        return "null" if value is None else str(value).lower()
    text = str(value)
    if field and SENSITIVE_HEADER.search(field.rsplit(".", 1)[-1]):
        return mask_value(text)
    if isinstance(value, str):
        text = repr(text)
    return text if len(text) <= EXCERPT_MAX else text[: EXCERPT_MAX - 1] + "…"


def split_path(raw: Any) -> list[str | int]:
    """Split a reported field location into names and indexes (`a[0].b`, `a.0.b`, `/a/0/b`, `["a", 0, "b"]`)."""
    if isinstance(raw, list | tuple):
        parts: list[str | int] = []
        for item in raw:
            parts.extend(split_path(item) if isinstance(item, str) else [item] if isinstance(item, int) else [])
        return parts
    if not isinstance(raw, str):
        return []
    text = raw.strip()
    if text.startswith("/") or text.startswith("#/"):
        pieces = [p.replace("~1", "/").replace("~0", "~") for p in text.lstrip("#").split("/") if p]
    else:
        pieces = [p for p in _INDEX.sub(lambda m: "." + (m.group(1) or "0") + ".", text).split(".") if p]
    return [int(p) if p.isdigit() else p for p in pieces]


def normalise_field_path(raw: Any, wrapper: str | None = None) -> tuple[str, int | None]:
    """Return a reported field location in the house convention, with the first array index seen.

    Args:
        raw: the location as the API reported it (text with `[0]` or `.0` indexes, a JSON pointer, a list).
        wrapper: the mapping's `dest_array_wrapper` (`contacts[]`); its prefix is removed from the path.

    Returns:
        (`phone_numbers[].number`, 0) for `phone_numbers[0].number`; the path is empty when nothing is named.
    """
    parts = split_path(raw)
    while parts and isinstance(parts[0], str) and parts[0].lower() in _ROOTS:
        parts = parts[1:]
    if parts[:2] == ["data", "attributes"]:  # JSON:API pointers
        parts = parts[2:]
    if wrapper:
        wrap = [p for p in split_path(wrapper.replace("[]", "")) if isinstance(p, str)]
        if [p for p in parts[: len(wrap)]] == wrap:
            parts = parts[len(wrap) :]
    index = next((p for p in parts if isinstance(p, int)), None)
    if wrapper and parts and isinstance(parts[0], int):
        parts = parts[1:]
    out: list[str] = []
    for part in parts:
        if isinstance(part, int):
            if out and not out[-1].endswith("[]"):
                out[-1] += "[]"
        else:
            out.append(part)
    return ".".join(out), index


_TYPE_NAMES = ("integer", "number", "string", "boolean", "object", "array", "int", "float", "bool")
_KIND_WORDS: tuple[tuple[IssueKind, tuple[str, ...]], ...] = (
    (IssueKind.MISSING_REQUIRED, ("required", "missing", "must be present", "blank", "cannot be empty", "not null")),
    (IssueKind.UNKNOWN_FIELD, ("unknown", "additional", "unexpected", "not permitted", "not allowed field", "extra")),
    (IssueKind.ENUM, ("enum", "one of", "choice", "not_in", "allowed value", "inclusion")),
    (
        IssueKind.TYPE_MISMATCH,
        ("type", *(f"not a {t}" for t in _TYPE_NAMES), *(f"not an {t}" for t in _TYPE_NAMES), "must be an integer"),
    ),
    (IssueKind.PATTERN, ("pattern", "regex", "does not match")),
    (IssueKind.FORMAT, ("format", "email", "e.164", "e164", "phone", "url", "uri", "date", "not a valid")),
    (IssueKind.LENGTH, ("length", "too long", "too short", "too_long", "too_short", "characters", "max_items")),
    (IssueKind.RANGE, ("range", "minimum", "maximum", "greater", "less than", "too large", "too small")),
)


def classify_reason(code: str | None, message: str | None) -> IssueKind:
    """Tell the kind of fault from an error's code (first) or its message."""
    for text in (code, message):
        lowered = (text or "").lower().replace("-", "_")
        for kind, words in _KIND_WORDS:
            if any(word.replace(" ", "_") in lowered.replace(" ", "_") for word in words):
                return kind
    return IssueKind.REJECTED


def parse_error_body(body: Any, wrapper: str | None = None) -> list[Rejection]:
    """Return every field a 400/422 body names, in the house path convention (generic over shapes).

    Args:
        body: the decoded JSON body (anything; non-JSON answers give nothing).
        wrapper: the mapping's `dest_array_wrapper`, stripped from reported paths.
    """
    found: list[Rejection] = []
    seen: set[tuple[str, str, int | None]] = set()
    for raw_path, message, code, extra in _entries(body, 0):
        field, index = normalise_field_path(raw_path, wrapper)
        if not field:
            continue
        key = (field, message, index)
        if key in seen:
            continue
        seen.add(key)
        found.append(_rejection(field, index, raw_path, message, code, extra))
        if len(found) >= MAX_REJECTIONS:
            break
    return found


def _rejection(
    field: str, index: int | None, raw: Any, message: str, code: str | None, extra: Mapping[str, Any]
) -> Rejection:
    kind = classify_reason(code, message)
    allowed = next((extra[k] for k in ALLOWED_KEYS if isinstance(extra.get(k), list)), None)
    expected = next((str(extra[k]) for k in EXPECTED_KEYS if isinstance(extra.get(k), str | int | float)), None)
    if allowed is not None and kind is IssueKind.REJECTED:
        kind = IssueKind.ENUM
    text = message if not code or code in message else f"{message} ({code})"
    return Rejection(field, kind, text, expected, None, allowed, index, str(raw))


def _entries(node: Any, depth: int) -> Iterator[tuple[Any, str, str | None, Mapping[str, Any]]]:
    if depth > MAX_DEPTH:
        return
    if isinstance(node, list):
        for item in node:
            if isinstance(item, Mapping) and (entry := _entry(item)) is not None:
                yield entry
            else:
                yield from _entries(item, depth + 1)
        return
    if not isinstance(node, Mapping):
        return
    if depth == 0 and any(_is_location(node.get(k)) for k in _STRONG_KEYS) and (entry := _entry(node)):
        yield entry  # a body that is one error object
        return
    yield from _field_map(node)
    for value in node.values():
        if isinstance(value, list | Mapping):
            yield from _entries(value, depth + 1)


def _entry(item: Mapping[str, Any]) -> tuple[Any, str, str | None, Mapping[str, Any]] | None:
    """One error object: a field location and a reason, else None."""
    location = next((item[k] for k in FIELD_KEYS if _is_location(item.get(k))), None)
    source = item.get("source")
    if location is None and isinstance(source, Mapping):
        location = next((source[k] for k in ("pointer", "parameter", "field") if _is_location(source.get(k))), None)
    if location is None:
        return None
    message = next((item[k] for k in MESSAGE_KEYS if isinstance(item.get(k), str) and item[k].strip()), None)
    code = next((str(item[k]) for k in CODE_KEYS if isinstance(item.get(k), str | int) and item.get(k) != ""), None)
    if message is None and isinstance(item.get("messages"), list):
        message = "; ".join(str(m) for m in item["messages"] if isinstance(m, str))
    return location, (message or code or "rejected"), code, item


def _is_location(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip()) and len(value) <= 300
    return isinstance(value, list | tuple) and 0 < len(value) <= 20 and all(isinstance(v, str | int) for v in value)


_MAP_PARENTS = ("errors", "fields", "field_errors", "validation_errors", "invalid_params", "details")


def _field_map(node: Mapping[str, Any]) -> Iterator[tuple[Any, str, str | None, Mapping[str, Any]]]:
    """`{"errors": {"email": ["is invalid"]}}`: field names as keys, messages as values."""
    for parent in _MAP_PARENTS:
        value = node.get(parent)
        if not isinstance(value, Mapping):
            continue
        for name, messages in value.items():
            texts = _texts(messages)
            if texts:
                yield name, "; ".join(texts), None, {}


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence) and not isinstance(value, bytes):
        return [v for v in value if isinstance(v, str)]
    return []
