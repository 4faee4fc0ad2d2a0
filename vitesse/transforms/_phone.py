"""Normalise phone numbers to E.164 (`+14155550100`) for NANP and common countries.

This is a small, honest normaliser, not libphonenumber: it knows each listed region's country code,
trunk prefix and national number lengths, and NANP's structure (area code and exchange start with
2–9). It does not know which number ranges are assigned, mobile versus fixed, or every country's
length rules. Numbers that already carry a country code (`+…`, `00…`, NANP `011…`) are only checked
for E.164's length (8–15 digits) and, for `+1`, NANP's structure. Extensions (`x123`, `ext. 123`,
`#123`) are dropped, since E.164 has no place for them; letters (vanity numbers) are refused.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from vitesse.transforms._values import FieldFailure


class Region(NamedTuple):
    code: str
    """Country calling code, digits only."""
    trunk: str
    """Prefix dialled before national numbers inside the country ("0" in most of Europe), dropped in E.164."""
    lengths: tuple[int, int]
    """Shortest and longest national significant number, without the trunk prefix."""


_NANP = Region("1", "1", (10, 10))
REGIONS: dict[str, Region] = {
    "US": _NANP,
    "CA": _NANP,
    "PR": _NANP,
    "GB": Region("44", "0", (9, 10)),
    "IE": Region("353", "0", (7, 9)),
    "FR": Region("33", "0", (9, 9)),
    "DE": Region("49", "0", (6, 13)),
    "AT": Region("43", "0", (4, 13)),
    "CH": Region("41", "0", (9, 9)),
    "NL": Region("31", "0", (9, 9)),
    "BE": Region("32", "0", (8, 9)),
    "IT": Region("39", "", (6, 11)),  # Italian numbers keep their leading 0 after +39
    "ES": Region("34", "", (9, 9)),
    "PT": Region("351", "", (9, 9)),
    "SE": Region("46", "0", (7, 9)),
    "NO": Region("47", "", (8, 8)),
    "DK": Region("45", "", (8, 8)),
    "FI": Region("358", "0", (5, 12)),
    "PL": Region("48", "", (9, 9)),
    "AU": Region("61", "0", (9, 9)),
    "NZ": Region("64", "0", (8, 10)),
    "IN": Region("91", "0", (10, 10)),
    "JP": Region("81", "0", (9, 10)),
    "CN": Region("86", "0", (10, 11)),
    "SG": Region("65", "", (8, 8)),
    "HK": Region("852", "", (8, 8)),
    "BR": Region("55", "0", (10, 11)),
    "MX": Region("52", "", (10, 10)),
    "ZA": Region("27", "0", (9, 9)),
    "AE": Region("971", "0", (8, 9)),
    "IL": Region("972", "0", (8, 9)),
}
_EXTENSION = re.compile(r"\s*(?:#|x|ext\.?|extension)\s*\d+\s*$", re.IGNORECASE)
_ALLOWED = re.compile(r"[\d\s().\-/+]+")


def _nanp_ok(national: str) -> bool:
    return len(national) == 10 and national[0] in "23456789" and national[3] in "23456789"


def _international(digits: str, value: Any) -> str:
    if not 8 <= len(digits) <= 15 or digits[0] == "0":
        raise FieldFailure("is not a valid international number (E.164 has 8–15 digits after +)", value)
    if digits[0] == "1" and not _nanp_ok(digits[1:]):
        raise FieldFailure("is not a valid North American (+1) number", value)
    return "+" + digits


def to_e164(value: Any, default_region: str = "US") -> str:
    """Return the number in E.164; national numbers are read in `default_region` (ISO 3166 alpha-2).

    Raises:
        FieldFailure: the value is not a phone number this normaliser can place.
        ValueError: the region is not one it knows.
    """
    region = REGIONS.get(default_region.upper())
    if region is None:
        raise ValueError(f"unknown region '{default_region}' (known: {', '.join(sorted(REGIONS))})")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise FieldFailure("is not a phone number string", value)
    text = _EXTENSION.sub("", value.strip())
    if text.startswith("+"):
        text = text.replace("(0)", "")  # "+44 (0)20 …": the trunk 0 written beside the country code
    if not text or not _ALLOWED.fullmatch(text) or "+" in text[1:]:
        raise FieldFailure("is not a phone number (only digits, spaces, ()-./ and a leading + are allowed)", value)
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        return _international(digits, value)
    if digits.startswith("00") and region is not _NANP:
        return _international(digits[2:], value)
    if digits.startswith("011") and region is _NANP:
        return _international(digits[3:], value)
    return _national(digits, region, value)


def _national(digits: str, region: Region, value: Any) -> str:
    low, high = region.lengths
    if region.trunk and digits.startswith(region.trunk) and len(digits) - len(region.trunk) >= low:
        digits = digits[len(region.trunk) :]
    elif digits.startswith(region.code) and low <= len(digits) - len(region.code) <= high:
        digits = digits[len(region.code) :]  # written with the country code but without + or 00
    if not low <= len(digits) <= high:
        expected = str(low) if low == high else f"{low}–{high}"
        raise FieldFailure(f"has {len(digits)} digits; a +{region.code} national number has {expected}", value)
    if region is _NANP and not _nanp_ok(digits):
        raise FieldFailure("is not a valid North American number (area code and exchange start with 2–9)", value)
    return f"+{region.code}{digits}"
