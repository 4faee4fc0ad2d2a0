"""Register the built-in custom functions (see `_registry` for the calling convention)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from vitesse.transforms._dates import WRITE_FORMATS, converter
from vitesse.transforms._phone import to_e164 as _to_e164
from vitesse.transforms._registry import register_transform
from vitesse.transforms._values import FieldFailure, is_empty, stringify, to_decimal

_MONEY = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")
_ADDRESS_KEYS = (
    ("line1", "address1", "address_line_1", "street", "street_address"),
    ("line2", "address2", "address_line_2"),
    ("city", "locality", "town"),
    ("state", "province", "region", "province_code", "state_code"),
    ("postal_code", "zip", "postcode", "zip_code"),
    ("country", "country_code"),
)
COUNTRY_CODES = {
    "united states": "US", "united states of america": "US", "usa": "US", "us": "US", "america": "US",
    "canada": "CA", "can": "CA", "mexico": "MX", "mex": "MX", "brazil": "BR", "brasil": "BR", "argentina": "AR",
    "chile": "CL", "colombia": "CO", "peru": "PE",
    "united kingdom": "GB", "great britain": "GB", "britain": "GB", "uk": "GB", "gbr": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "northern ireland": "GB", "ireland": "IE", "france": "FR", "fra": "FR",
    "germany": "DE", "deutschland": "DE", "deu": "DE", "spain": "ES", "españa": "ES", "espana": "ES",
    "portugal": "PT", "italy": "IT", "italia": "IT", "netherlands": "NL", "the netherlands": "NL", "holland": "NL",
    "belgium": "BE", "switzerland": "CH", "austria": "AT", "sweden": "SE", "norway": "NO", "denmark": "DK",
    "finland": "FI", "iceland": "IS", "poland": "PL", "czech republic": "CZ", "czechia": "CZ", "greece": "GR",
    "turkey": "TR", "türkiye": "TR", "russia": "RU", "russian federation": "RU", "ukraine": "UA",
    "israel": "IL", "united arab emirates": "AE", "uae": "AE", "saudi arabia": "SA", "egypt": "EG",
    "south africa": "ZA", "nigeria": "NG", "kenya": "KE", "india": "IN", "china": "CN",
    "people's republic of china": "CN", "japan": "JP", "south korea": "KR", "korea, republic of": "KR",
    "republic of korea": "KR", "singapore": "SG", "hong kong": "HK", "taiwan": "TW", "indonesia": "ID",
    "malaysia": "MY", "philippines": "PH", "thailand": "TH", "vietnam": "VN", "viet nam": "VN",
    "australia": "AU", "aus": "AU", "new zealand": "NZ",
}  # fmt: skip
_ALPHA2 = frozenset(COUNTRY_CODES.values())


def _check_timestamp(format: str = "ISO8601", timezone: str = "UTC") -> None:  # noqa: A002
    _timestamp_converter(format, timezone)


@lru_cache(maxsize=64)
def _timestamp_converter(format: str, timezone: str) -> Callable[[Any], Any]:  # noqa: A002
    write = format.lower() if format.lower() in WRITE_FORMATS + ("datetime",) else format
    return converter("auto", write, timezone)


@register_transform("parse_shopify_timestamp")
def parse_shopify_timestamp(value: Any, format: str = "ISO8601", timezone: str = "UTC") -> Any:  # noqa: A002
    """Read a Shopify timestamp (ISO 8601 with offset; epoch numbers too) and write it as `format` in `timezone`.

    `format` is ISO8601 (default), date, unix, unix_ms or a strftime pattern.
    """
    return _timestamp_converter(format, timezone)(value)


parse_shopify_timestamp.check_params = _check_timestamp  # type: ignore[attr-defined]


@register_transform("to_e164")
def to_e164(value: Any, default_region: str = "US") -> str:
    """Normalise a phone number to E.164, reading national numbers in `default_region`."""
    return _to_e164(value, default_region)


def _money_text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = value.strip()
    sign = "-" if text.startswith("-") else ""
    text = text.lstrip("+-").strip().lstrip("$€£¥").strip()
    if _MONEY.fullmatch(text):
        text = text.replace(",", "")
    return sign + text


@register_transform("money_to_cents")
def money_to_cents(value: Any, decimals: int = 2) -> int:
    """Turn an amount ("19.99", 19.99, "$1,234.50") into minor units (1999), rounding half up."""
    amount = to_decimal(_money_text(value))
    return int((amount * (Decimal(10) ** decimals)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@register_transform("cents_to_money")
def cents_to_money(value: Any, decimals: int = 2, as_string: bool = False) -> Any:
    """Turn minor units (1999) into an amount: 19.99, or "19.99" with `as_string`."""
    amount = (to_decimal(value) / (Decimal(10) ** decimals)).quantize(Decimal(1).scaleb(-decimals))
    return format(amount, "f") if as_string else float(amount)


@register_transform("lowercase")
def lowercase(value: Any) -> Any:
    """Lower-case a string; other values pass through."""
    return value.lower() if isinstance(value, str) else value


@register_transform("uppercase")
def uppercase(value: Any) -> Any:
    """Upper-case a string; other values pass through."""
    return value.upper() if isinstance(value, str) else value


@register_transform("trim")
def trim(value: Any) -> Any:
    """Strip surrounding whitespace from a string (a blank string becomes no value); others pass through."""
    if isinstance(value, str):
        return value.strip() or None
    return value


@register_transform("slugify")
def slugify(value: Any, separator: str = "-") -> str | None:
    """Make a lower-case ASCII slug: "Crème Brûlée!" → "creme-brulee"."""
    ascii_text = unicodedata.normalize("NFKD", stringify(value)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", separator, ascii_text.lower()).strip(separator)
    return slug or None


@register_transform("first_non_empty")
def first_non_empty(*values: Any) -> Any:
    """Return the first value that is not null, blank, an empty list or an empty object."""
    return next((v for v in values if not is_empty(v)), None)


@register_transform("country_name_to_code")
def country_name_to_code(value: Any) -> str:
    """Turn a country name or code ("United States", "usa", "gb") into ISO 3166 alpha-2 ("US", "GB")."""
    if not isinstance(value, str):
        raise FieldFailure("is not a country name", value)
    key = " ".join(value.strip().lower().replace(".", "").split())
    if key in COUNTRY_CODES:
        return COUNTRY_CODES[key]
    if len(key) == 2 and key.isalpha():
        return key.upper()
    raise FieldFailure("is not a country this table knows (pass an ISO code or use a mapping transform)", value)


def _address_parts(value: Any) -> list[Any]:
    if not isinstance(value, dict):
        return [value]
    parts = []
    for names in _ADDRESS_KEYS:
        parts.append(next((value[n] for n in names if not is_empty(value.get(n))), None))
    return parts


@register_transform("join_address")
def join_address(*values: Any, separator: str = ", ") -> str | None:
    """Join address parts into one line, skipping blanks; an address object is read line1 → country."""
    parts = [p for v in values for p in _address_parts(v)]
    text = separator.join(stringify(p).strip() for p in parts if not is_empty(p))
    return text or None
