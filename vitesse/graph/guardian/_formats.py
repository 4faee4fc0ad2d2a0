"""Generate and check string formats (email, uuid, date-time, date, uri, ipv4 …) deterministically.

`FORMAT_CHECKS` holds the formats we check strictly (the JSON Schema ones a destination is likely
to enforce); any other format name is accepted as a plain string. `make_format` returns a value
for a format name, or None when the name is unknown to us.
"""

from __future__ import annotations

import base64
import ipaddress
import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from random import Random
from urllib.parse import urlsplit

from vitesse.graph.guardian import _pools as pools

EPOCH_START = datetime(2023, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 900 * 24 * 3600
EDGE_DATES = (datetime(1970, 1, 1, tzinfo=UTC), datetime(2038, 1, 19, 3, 14, 7, tzinfo=UTC))
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$")
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)


def _is_date_time(value: str) -> bool:
    if not _DATE_TIME.match(value):
        return False
    try:
        datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00").replace("t", "T"))
    except ValueError:
        return False
    return True


def _is_date(value: str) -> bool:
    try:
        return bool(_DATE.match(value)) and date.fromisoformat(value) is not None
    except ValueError:
        return False


def _is_ip(version: int) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        try:
            return ipaddress.ip_address(value).version == version
        except ValueError:
            return False

    return check


def _is_uri(value: str) -> bool:
    parts = urlsplit(value)
    return bool(parts.scheme) and bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*$", parts.scheme)) and " " not in value


FORMAT_CHECKS: dict[str, Callable[[str], bool]] = {
    "email": lambda v: bool(_EMAIL.match(v)),
    "uuid": lambda v: bool(_UUID.match(v)),
    "date-time": _is_date_time,
    "date": _is_date,
    "time": lambda v: bool(_TIME.match(v)),
    "ipv4": _is_ip(4),
    "ipv6": _is_ip(6),
    "uri": _is_uri,
    "url": _is_uri,
    "hostname": lambda v: bool(_HOSTNAME.match(v)),
}


def format_ok(fmt: str | None, value: str) -> bool:
    """Return whether a string satisfies a format we check (unknown formats always pass)."""
    check = FORMAT_CHECKS.get((fmt or "").lower())
    return True if check is None else check(value)


def moment(rng: Random, edge: str | None = None) -> datetime:
    """Return a deterministic moment in 2023–2025 (or an edge date for the boundary profile)."""
    if edge == "boundary":
        return EDGE_DATES[rng.randrange(len(EDGE_DATES))]
    return EPOCH_START + timedelta(seconds=rng.randrange(SPAN_SECONDS))


def iso(moment_: datetime) -> str:
    return moment_.strftime("%Y-%m-%dT%H:%M:%SZ")


def email(rng: Random, first: str | None = None, last: str | None = None) -> str:
    first = first or rng.choice(pools.FIRST_NAMES)
    last = last or rng.choice(pools.LAST_NAMES)
    local = re.sub(r"[^a-z0-9.]", "", _ascii(f"{first}.{last}").lower()) or "user"
    return f"{local}{rng.randrange(1, 1000)}@{rng.choice(pools.EMAIL_DOMAINS)}"


def _ascii(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def phone_e164(rng: Random) -> str:
    return f"+1{rng.choice(('415', '212', '617', '312', '206'))}555{rng.randrange(100, 200):04d}"


def _uri(rng: Random) -> str:
    return f"https://{rng.choice(pools.EMAIL_DOMAINS)}/{rng.choice(pools.WORDS)}/{rng.randrange(1, 10000)}"


_MAKERS: dict[str, Callable[[Random, str | None], str]] = {
    "email": lambda rng, edge: email(rng),
    "idn-email": lambda rng, edge: email(rng),
    "uuid": lambda rng, edge: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    "date-time": lambda rng, edge: iso(moment(rng, edge)),
    "datetime": lambda rng, edge: iso(moment(rng, edge)),
    "date": lambda rng, edge: moment(rng, edge).date().isoformat(),
    "yyyy-mm-dd": lambda rng, edge: moment(rng, edge).date().isoformat(),
    "time": lambda rng, edge: moment(rng, edge).strftime("%H:%M:%S"),
    "date-time-rfc-2822": lambda rng, edge: format_datetime(moment(rng, edge)),
    "uri": lambda rng, edge: _uri(rng),
    "url": lambda rng, edge: _uri(rng),
    "iri": lambda rng, edge: _uri(rng),
    "uri-reference": lambda rng, edge: f"/{rng.choice(pools.WORDS)}/{rng.randrange(1, 1000)}",
    "hostname": lambda rng, edge: f"{rng.choice(pools.WORDS)}.{rng.choice(pools.EMAIL_DOMAINS)}",
    "idn-hostname": lambda rng, edge: f"{rng.choice(pools.WORDS)}.{rng.choice(pools.EMAIL_DOMAINS)}",
    "ipv4": lambda rng, edge: f"192.0.2.{rng.randrange(1, 255)}",
    "ipv6": lambda rng, edge: f"2001:db8::{rng.randrange(1, 0xFFFF):x}",
    "byte": lambda rng, edge: base64.b64encode(rng.randbytes(12)).decode(),
    "binary": lambda rng, edge: "".join(rng.choice("abcdef0123456789") for _ in range(16)),
    "password": lambda rng, edge: f"S3cure-pass-{rng.randrange(1000, 9999)}",
    "duration": lambda rng, edge: f"P{rng.randrange(1, 30)}DT{rng.randrange(0, 24)}H",
    "iso-duration": lambda rng, edge: f"P{rng.randrange(1, 30)}D",
    "iso-country-code": lambda rng, edge: rng.choice(pools.COUNTRY_CODES),
    "currency": lambda rng, edge: rng.choice(pools.CURRENCIES),
    "phone-number": lambda rng, edge: phone_e164(rng),
    "phone": lambda rng, edge: phone_e164(rng),
    "decimal": lambda rng, edge: f"{rng.randrange(0, 100000) / 100:.2f}",
    "regex": lambda rng, edge: "^[a-z]+$",
}


def make_format(fmt: str | None, rng: Random, edge: str | None = None) -> str | None:
    """Return a value in this format, or None when we do not know the format."""
    maker = _MAKERS.get((fmt or "").lower())
    return maker(rng, edge) if maker else None
