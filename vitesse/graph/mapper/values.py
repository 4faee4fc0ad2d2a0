"""Read value-level facts from fields: allowed values in descriptions, date patterns, code-vs-name, polarity."""

from __future__ import annotations

import re
from typing import Any

from vitesse.graph.mapper.tokens import normalise, split_name
from vitesse.schemas import Field

_ALLOWED = re.compile(
    r"(?:allowed|valid|possible|supported)\s+values?\s*(?:are|include|is)?\s*[-:=]?\s*(?P<list>[^.\n]+)", re.I
)
_SPLIT = re.compile(r"\s*(?:,|\bor\b|\band\b)\s*")
_DATE_PATTERN = re.compile(r"\b(YYYY|yyyy)([-/.])(MM)\2(DD|dd)(?:[ T](HH|hh):(MM|mm)(?::(SS|ss))?)?")
NEGATIVE = frozenset({"none", "no", "false", "off", "0", "never", "disabled", "inactive", "n", "not", "unknown"})
NEGATING_WORDS = frozenset({"exempt", "disabled", "unsubscribed", "excluded", "out", "no", "not", "non", "blocked"})


def allowed_values(field: Field) -> list[Any] | None:
    """Return the enum of a field, or the values its description lists (`Allowed values are- A, B, C`)."""
    if field.enum:
        return list(field.enum)
    match = _ALLOWED.search(field.description or "")
    if not match:
        return None
    items = [i.strip(" `'\"[]()") for i in _SPLIT.split(match.group("list"))]
    items = [i for i in items if i and len(i) <= 40 and " " not in i]
    return items if len(items) >= 2 else None


def date_pattern(field: Field) -> str | None:
    """Return the strftime pattern a field's description asks for."""
    return pattern_in_text(field.description or "")


def pattern_in_text(text: str) -> str | None:
    """Return the strftime pattern a text names (`YYYY-MM-DD HH:MM:SS` → `%Y-%m-%d %H:%M:%S`)."""
    match = _DATE_PATTERN.search(text)
    if not match:
        return None
    sep = match.group(2)
    out = f"%Y{sep}%m{sep}%d"
    if match.group(5):
        out += " %H:%M" + (":%S" if match.group(7) else "")
    return out


def is_unix_time(field: Field) -> bool:
    """Return True for epoch timestamps (`unix-time`, or a number described as a Unix timestamp)."""
    if field.format == "unix-time":
        return True
    return field.type in ("integer", "number") and "unix" in (field.description or "").lower()


def is_date_only(field: Field) -> bool:
    """Return True when the field wants a date without a time."""
    if field.format == "date":
        return True
    pattern = date_pattern(field)
    return pattern is not None and "%H" not in pattern


def is_country_code(field: Field) -> bool:
    """Return True for a country field holding an ISO alpha-2 code."""
    text = (field.description or "").lower()
    return "code" in split_name(field.name) or "two-letter" in text or "alpha-2" in text or "3166-1 alpha-2" in text


def wants_country_name(field: Field) -> bool:
    """Return True when a country field asks for a name or an alpha-3 code rather than alpha-2."""
    text = (field.description or "").lower()
    if "two-letter" in text or "alpha-2" in text or "code" in split_name(field.name):
        return False
    return "country name" in text or "alpha-3" in text or "full name" in text


_E164_TEXT = re.compile(r"(?<!not necessarily )(?<!not )\be\.?164\b", re.I)


def wants_e164(field: Field) -> bool:
    """Return True when a field holds E.164 phone numbers (a strict plus-then-digits pattern, or says so)."""
    pattern = field.pattern or ""
    return pattern.startswith(r"^\+[1-9]") or bool(_E164_TEXT.search(field.description or ""))


def negated(field: Field) -> bool:
    """Return True when the field's name says the opposite of its concept (`tax_exempt`, `opted_out`)."""
    return bool(set(normalise(field.name)) & NEGATING_WORDS)


def truthy(value: Any) -> bool:
    """Return whether an enum value reads as yes (anything but none/no/false/off …)."""
    return str(value).strip().lower() not in NEGATIVE
