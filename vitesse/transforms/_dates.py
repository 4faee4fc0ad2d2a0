"""Read and write dates and times: unix epochs (s, ms), ISO 8601 and strftime patterns, in any IANA zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from vitesse.transforms._values import FieldFailure, to_decimal

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
READ_FORMATS = ("auto", "unix", "unix_ms", "iso8601")
WRITE_FORMATS = ("iso8601", "date", "unix", "unix_ms")
# In `auto`, an epoch number at or above this is read as milliseconds (1e11 s is the year 5138).
MS_THRESHOLD = 100_000_000_000
Parser = Callable[[Any], datetime]
Renderer = Callable[[datetime], Any]


@lru_cache(maxsize=256)
def get_zone(name: str) -> tzinfo:
    """Return the time zone for an IANA name (`UTC`, `Europe/Paris`); raise ValueError for unknown names."""
    if name.upper() in ("UTC", "Z", "GMT", "ETC/UTC"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"'{name}' is not a known time zone (use an IANA name such as UTC or Europe/Paris)") from None


def check_pattern(pattern: str) -> str:
    """Accept a strftime pattern if it holds a directive; raise ValueError otherwise."""
    if "%" not in pattern:
        raise ValueError(f"'{pattern}' is neither a named format nor a strftime pattern (no % directive)")
    datetime(2001, 2, 3, 4, 5, 6).strftime(pattern)
    return pattern


def _from_epoch(value: Any, scale: int) -> datetime:
    number = to_decimal(value)
    try:
        return EPOCH + timedelta(microseconds=int(number * 1_000_000 / scale))
    except (OverflowError, ValueError):
        raise FieldFailure("is out of the supported date range", value) from None


def _from_iso(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if not isinstance(value, str):
        raise FieldFailure("is not an ISO 8601 date or date-time string", value)
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise FieldFailure("is not an ISO 8601 date or date-time", value) from None


def _auto(value: Any) -> datetime:
    if isinstance(value, bool):
        raise FieldFailure("is a boolean, not a date", value)
    is_number = isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit())
    if is_number:
        scale = 1000 if abs(float(value)) >= MS_THRESHOLD else 1
        return _from_epoch(value, scale)
    return _from_iso(value)


def _strptime(pattern: str) -> Parser:
    def parse(value: Any) -> datetime:
        if not isinstance(value, str):
            raise FieldFailure(f"is not a string in the form {pattern}", value)
        try:
            return datetime.strptime(value.strip(), pattern)
        except ValueError:
            raise FieldFailure(f"does not match the date pattern {pattern}", value) from None

    return parse


def make_parser(fmt: str, source_zone: tzinfo) -> Parser:
    """Return a parser to an aware datetime; naive inputs are taken to be in `source_zone`."""
    raw: Parser
    if fmt == "auto":
        raw = _auto
    elif fmt == "unix":
        raw = lambda v: _from_epoch(v, 1)  # noqa: E731
    elif fmt == "unix_ms":
        raw = lambda v: _from_epoch(v, 1000)  # noqa: E731
    elif fmt == "iso8601":
        raw = _from_iso
    else:
        raw = _strptime(check_pattern(fmt))

    def parse(value: Any) -> datetime:
        moment = raw(value)
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=source_zone)

    return parse


def make_renderer(fmt: str, zone: tzinfo) -> Renderer:
    """Return a renderer of an aware datetime in `zone`: ISO 8601 (`Z` for UTC), date, epoch or a pattern."""
    if fmt in ("iso8601", "datetime"):
        if zone is UTC:
            return lambda dt: dt.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return lambda dt: dt.astimezone(zone).isoformat()
    if fmt == "date":
        return lambda dt: dt.astimezone(zone).date().isoformat()
    if fmt == "unix":
        return lambda dt: (dt - EPOCH) // timedelta(seconds=1)
    if fmt == "unix_ms":
        return lambda dt: (dt - EPOCH) // timedelta(milliseconds=1)
    pattern = check_pattern(fmt)
    return lambda dt: dt.astimezone(zone).strftime(pattern)


def converter(read: str, write: str, zone_name: str, source_zone_name: str | None = None) -> Callable[[Any], Any]:
    """Return one function from a source value to the written date/time; raise ValueError for bad settings."""
    zone = get_zone(zone_name)
    source_zone = get_zone(source_zone_name) if source_zone_name else zone
    parse = make_parser(read, source_zone)
    render = make_renderer(write, zone)

    def convert(value: Any) -> Any:
        return render(parse(value))

    if read in ("auto", "iso8601") and write in ("iso8601", "datetime", "date"):
        return _iso_fast_path(read == "auto", write == "date", zone, source_zone, convert)
    return convert


def _iso_fast_path(
    auto: bool, to_date: bool, zone: tzinfo, source_zone: tzinfo, slow: Callable[[Any], Any]
) -> Callable[[Any], Any]:
    """Convert ISO 8601 text to ISO 8601 text or a date in one call; anything else takes the slow path."""
    from_iso = datetime.fromisoformat
    utc = zone is UTC

    def convert(value: Any) -> Any:
        if type(value) is not str or (auto and value.isdigit()):
            return slow(value)
        try:
            moment = from_iso(value)
        except ValueError:
            return slow(value)  # surrounding blanks, or an error worded by the slow path
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=source_zone)
        moment = moment.astimezone(zone)
        if to_date:
            return moment.date().isoformat()
        text = moment.isoformat()
        return text[:-6] + "Z" if utc else text

    return convert
