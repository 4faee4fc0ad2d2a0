"""Propose realistic strings from a property's name: names, emails, phones, addresses, companies.

Every object gets one `Persona` (a person, a company and a place drawn together), so a record's
email matches its names and its city matches its region, postal code and country. A proposal is
only a candidate: the generator keeps it when it satisfies the schema and falls back otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from random import Random

from vitesse.graph.guardian import _formats as formats
from vitesse.graph.guardian import _pools as pools

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@dataclass
class Persona:
    first: str
    last: str
    company: str
    street: str
    city: str
    region: str
    country: str
    postal: str
    phone: str

    @classmethod
    def draw(cls, rng: Random, unicode: bool = False) -> Persona:
        city, region, country, prefix = rng.choice(pools.CITIES)
        first = rng.choice(pools.UNICODE_FIRST_NAMES if unicode else pools.FIRST_NAMES)
        last = rng.choice(pools.UNICODE_LAST_NAMES if unicode else pools.LAST_NAMES)
        company = f"{rng.choice(pools.COMPANY_WORDS)} {rng.choice(pools.COMPANY_SUFFIXES)}"
        street_name = rng.choice(pools.UNICODE_STREETS if unicode else pools.STREETS)
        postal = prefix + "".join(rng.choice("0123456789") for _ in range(2 if prefix[-1].isdigit() else 3))
        shape = rng.choice(pools.PHONE_SHAPES)
        phone = shape.format(d4=f"{rng.randrange(100, 200):04d}", d3=f"{rng.randrange(100, 200):03d}")
        return cls(
            first=first,
            last=last,
            company=company,
            street=f"{rng.randrange(1, 999)} {street_name}",
            city=rng.choice(pools.UNICODE_CITIES) if unicode else city,
            region=region,
            country=country,
            postal=postal,
            phone=phone,
        )


@lru_cache(maxsize=4096)
def words(name: str) -> str:
    """Normalise a property name to snake case (`firstName` → `first_name`)."""
    return _CAMEL.sub("_", name).lower().replace("-", "_")


Rule = tuple[Callable[[str], bool], Callable[[Persona, Random, bool], str | list[str]]]
GENERIC_NAMES = frozenset({"number", "value", "code", "text", "id"})
"""Names that say little alone: `phone_numbers[].number` is read as `phone_numbers_number`."""


def _is(*names: str) -> Callable[[str], bool]:
    table = set(names)
    return lambda n: n in table


def _has(*parts: str) -> Callable[[str], bool]:
    return lambda n: any(p in n for p in parts)


def _sentence(rng: Random, unicode: bool) -> str:
    if unicode:
        return f"{rng.choice(pools.UNICODE_TEXT)} — {rng.choice(pools.WORDS)}"
    picked = [rng.choice(pools.WORDS) for _ in range(rng.randint(3, 7))]
    return " ".join(picked).capitalize() + "."


RULES: list[Rule] = [
    (_has("email", "e_mail"), lambda p, r, u: formats.email(r, p.first, p.last)),
    (_is("first_name", "firstname", "given_name", "givenname", "first", "fname", "forename"), lambda p, r, u: p.first),
    (_is("last_name", "lastname", "family_name", "familyname", "surname", "last", "lname"), lambda p, r, u: p.last),
    (_is("username", "user_name", "login", "handle"), lambda p, r, u: formats.email(r, p.first, p.last).split("@")[0]),
    (
        _has("company", "organization", "organisation", "employer", "business", "account_name"),
        lambda p, r, u: p.company,
    ),
    (_is("name", "full_name", "fullname", "display_name", "contact_name", "customer_name"), lambda p, r, u: _full(p)),
    (
        lambda n: _has("phone", "mobile", "fax")(n) or n in ("tel", "cell"),
        lambda p, r, u: [p.phone, formats.phone_e164(r)],
    ),
    (_has("price", "amount", "total", "subtotal", "spent", "cost", "balance", "tax"), lambda p, r, u: _money(r)),
    (_is("line2", "street2", "address2", "address_line2", "address_line_2", "apartment"), lambda p, r, u: "Suite 120"),
    (
        _is("street", "line1", "address1", "address_line1", "address_line_1", "street_address", "address"),
        lambda p, r, u: p.street,
    ),
    (_is("city", "locality", "town"), lambda p, r, u: p.city),
    (_is("province_code", "state_code", "region_code"), lambda p, r, u: p.region),
    (_is("province", "state", "region", "county"), lambda p, r, u: pools.PROVINCE_NAMES.get(p.region, p.region)),
    (_is("zip", "zip_code", "zipcode", "postal_code", "postcode", "postal"), lambda p, r, u: p.postal),
    (_is("country", "country_code", "countrycode", "country_iso"), lambda p, r, u: p.country),
    (_is("currency", "currency_code"), lambda p, r, u: r.choice(pools.CURRENCIES)),
    (_is("job_title", "jobtitle", "position", "role_title", "occupation"), lambda p, r, u: r.choice(pools.JOB_TITLES)),
    (
        lambda n: n.endswith(("url", "uri", "website", "homepage")) or n in ("href", "link"),
        lambda p, r, u: formats.make_format("uri", r) or "",
    ),
    (_is("domain", "hostname", "host"), lambda p, r, u: formats.make_format("hostname", r) or ""),
    (_is("locale", "language", "lang"), lambda p, r, u: r.choice(pools.LOCALES)),
    (_is("timezone", "time_zone", "tz"), lambda p, r, u: r.choice(pools.TIMEZONES)),
    (_is("tags", "tag", "labels", "label", "keywords"), lambda p, r, u: r.choice(pools.TAGS)),
    (_is("ip", "ip_address", "ipaddress"), lambda p, r, u: formats.make_format("ipv4", r) or ""),
    (
        _is("description", "notes", "note", "comment", "comments", "bio", "body", "message", "text", "content"),
        lambda p, r, u: _sentence(r, u),
    ),
    (_is("title", "subject", "summary", "headline"), lambda p, r, u: _sentence(r, u).rstrip(".")),
]


def _phones(persona: Persona, rng: Random) -> list[str]:
    return [persona.phone, formats.phone_e164(rng)]


def _street(persona: Persona, rng: Random, unicode: bool) -> str:
    return persona.street


def _money(rng: Random) -> str:
    return f"{rng.uniform(1, 500):.2f}"


def _full(p: Persona) -> str:
    return f"{p.first} {p.last}"


def propose(name: str | None, persona: Persona, rng: Random, unicode: bool = False) -> list[str]:
    """Return realistic candidates for a string property with this name (empty when none fits)."""
    index = _rule_for(name) if name else None
    if index is None:
        return []
    made = RULES[index][1](persona, rng, unicode)
    return made if isinstance(made, list) else [made]


@lru_cache(maxsize=4096)
def _rule_for(name: str) -> int | None:
    key = words(name)
    return next((i for i, (test, _) in enumerate(RULES) if test(key)), None)


def hint(parent: str | None, name: str) -> str:
    """Return the name a proposal should read: the parent's name joins a generic one."""
    if parent and words(name) in GENERIC_NAMES:
        return f"{words(parent)}_{words(name)}"
    return name
