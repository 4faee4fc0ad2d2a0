"""Heal length and range errors: fit the values into the limits the destination states.

The limit comes from the issue (`expected`: "at most 80 characters", "≥ 1", "a multiple of 0.01"; else
its message), else from the destination field's schema (maxLength, minimum …). A direct copy, a
joining `collect`, an earlier fit or a constant is rewritten as a `custom` call of `fit_text` /
`fit_number` (see `fitting`); other transforms cannot be followed by a second step in one
transformation, so those issues are reported as not repaired.

Off unless `MapperOptions.fit_limits` is set: the functions live in the Mapper's registry module, which the
sync runtime does not import yet.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from vitesse.graph.mapper import fitting
from vitesse.schemas import DataTransformation, FieldIssue, TransformType

if TYPE_CHECKING:
    from vitesse.graph.mapper.heal import _Healing

_NUM = r"(-?\d+(?:\.\d+)?(?:e-?\d+)?)"
_UNIT = r"\s*(?:characters|chars|items|elements)"
_MOST = r"(?:at most|no more than|up to|maximum(?: of)?|max(?:imum)? length(?: of| is)?)\s*"
_LEAST = r"(?:at least|no fewer than|minimum(?: of)?|min(?:imum)? length(?: of| is)?)\s*"
_LENGTH = (
    ("max_length", re.compile(_MOST + _NUM + _UNIT, re.I)),
    ("min_length", re.compile(_LEAST + _NUM + _UNIT, re.I)),
)
_RANGE = (
    ("minimum", re.compile(rf"(?:≥|>=|at least|no less than|minimum(?: of| is)?)\s*{_NUM}", re.I)),
    ("maximum", re.compile(rf"(?:≤|<=|at most|no more than|maximum(?: of| is)?)\s*{_NUM}", re.I)),
    ("exclusive_minimum", re.compile(rf"(?:(?<![≥<=])>(?!=)|greater than|more than|above)\s*{_NUM}", re.I)),
    ("exclusive_maximum", re.compile(rf"(?:(?<![≤>=])<(?!=)|less than|fewer than|below)\s*{_NUM}", re.I)),
    ("multiple_of", re.compile(rf"multiple of\s*{_NUM}", re.I)),
)
_FIT_TEXT, _FIT_NUMBER = "fit_text", "fit_number"
_COMMON = ("default", "keep_null", "each")
_NUMERIC = ("integer", "number")


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and "e" not in text.lower() and "." not in text else value


def _read(patterns: tuple[tuple[str, re.Pattern[str]], ...], issue: FieldIssue) -> dict[str, Any]:
    for text in (issue.expected or "", issue.message):
        found = {name: _number(m.group(1)) for name, rx in patterns if (m := rx.search(text))}
        if found:
            return found
    return {}


def length_limits(issue: FieldIssue, field: Any) -> dict[str, Any]:
    """Return `max_length`/`min_length` from the issue, else from the field's schema."""
    found = _read(_LENGTH, issue)
    if not found and field is not None:
        found = {k: v for k, v in (("max_length", field.max_length), ("min_length", field.min_length)) if v is not None}
    return {k: int(v) for k, v in found.items()}


def range_limits(issue: FieldIssue, field: Any) -> dict[str, Any]:
    """Return the numeric bounds from the issue, else `minimum`/`maximum` from the field's schema."""
    found = _read(_RANGE, issue)
    if not found and field is not None:
        found = {k: v for k, v in (("minimum", field.minimum), ("maximum", field.maximum)) if v is not None}
    return found


def fitted(t: DataTransformation, function: str, params: dict[str, Any]) -> DataTransformation | None:
    """Return `t` rewritten to pass its value through `function`, or None when its transform cannot be followed."""
    config = dict(t.transform_config or {})
    common = {k: config[k] for k in _COMMON if k in config}
    lists = any("[]" in s for s in t.source_fields)
    new = t.model_copy(deep=True)
    if t.transform_type is TransformType.CUSTOM and config.get("function") == function:
        new.transform_config = {**config, "params": {**config.get("params", {}), **params}}
    elif t.transform_type is TransformType.DIRECT and not config.get("cast"):
        new.transform_config = {"function": function, "params": params, **common}
    elif t.transform_type is TransformType.PARSE and function == _FIT_NUMBER and config.get("as") in _NUMERIC:
        params = {**params, "integer": params.get("integer", False) or config["as"] == "integer"}
        new.transform_config = {"function": function, "params": params, **common}
    elif t.transform_type is TransformType.COLLECT and function == _FIT_TEXT and config.get("as", "string") == "string":
        params = {**params, "separator": config.get("separator", " ")}
        new.transform_config = {"function": function, "params": params, "lists": lists, **common}
    elif t.transform_type is TransformType.CONSTANT:
        fit = fitting.fit_text if function == _FIT_TEXT else fitting.fit_number
        new.transform_config = {**config, "value": fit(config.get("value"), **params)}
        return new
    else:
        return None
    new.transform_type = TransformType.CUSTOM
    return new


def _repair(h: _Healing, issue: FieldIssue, path: str, function: str, params: dict[str, Any], what: str) -> None:
    t = h.by_dest.get(path)
    if not h.prep.options.fit_limits:
        h.unrepaired.append(f"{path}: {issue.kind.value} repairs are off (MapperOptions.fit_limits)")
        return
    if t is None:
        h.unrepaired.append(f"{path}: {issue.kind.value} error on a field the mapping does not fill")
        return
    if not params:
        h.unrepaired.append(f"{path}: {issue.kind.value} error without a known limit ({issue.message})")
        return
    new = fitted(t, function, params)
    if new is None:
        h.unrepaired.append(f"{path}: a {t.transform_type.value} transform cannot also {what}; map it directly")
        return
    shown = ", ".join(f"{k} {v}" for k, v in params.items())
    h.put(new, f"{issue.message} → {what} ({function}: {shown})")


def fix_length(h: _Healing, issue: FieldIssue, path: str) -> None:
    """Cut text or lists to the stated maximum; leave out values shorter than the minimum."""
    _repair(h, issue, path, _FIT_TEXT, length_limits(issue, h.field(path)), "fit the length")


def fix_range(h: _Healing, issue: FieldIssue, path: str) -> None:
    """Round to the stated step and clamp into the bounds (an optional field leaves out-of-range values out)."""
    field = h.field(path)
    params = range_limits(issue, field)
    if params:
        params["out_of_range"] = "clamp" if field is None or field.required else "drop"
        if field is not None and field.type == "integer":
            params["integer"] = True
    _repair(h, issue, path, _FIT_NUMBER, params, "fit the range")
