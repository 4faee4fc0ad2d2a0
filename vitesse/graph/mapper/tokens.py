"""Split field names into normalised tokens: camel/snake/kebab case, digits, abbreviations, plurals."""

from __future__ import annotations

import re
from functools import lru_cache

from vitesse.graph.mapper.lexicon import ABBREVIATIONS, KEEP_PLURAL

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_TEXT_WORD = re.compile(r"[a-z][a-z0-9]+")
_TEXT_CASED = re.compile(r"[A-Za-z][A-Za-z0-9]+")
STOP_WORDS = frozenset(
    "the a an of to for is are be this that it its in on at by or and with as from which when if any can "
    "will was has have not no yes their there these those used use value values object field set e g eg "
    "must should may optional string number integer boolean also only".split()
)


def singular(token: str) -> str:
    """Return a simple singular form (`addresses` → `address`, `companies` → `company`)."""
    if len(token) <= 3 or token in KEEP_PLURAL or token.endswith("ss") or token.endswith("us"):
        return token
    if token.endswith("ies"):
        return token[:-3] + "y"
    if token.endswith(("sses", "xes", "ches", "shes", "zes")):
        return token[:-2]
    if token.endswith("s"):
        return token[:-1]
    return token


@lru_cache(maxsize=65536)
def split_name(name: str) -> tuple[str, ...]:
    """Split one name segment into lower-case words: `CountrySubDivisionCode` → country, sub, division, code."""
    return tuple(w.lower() for w in _WORD.findall(name.replace("[]", "")))


@lru_cache(maxsize=65536)
def normalise(name: str) -> tuple[str, ...]:
    """Split a name, expand abbreviations and singularise: `BillAddr` → billing, address."""
    out: list[str] = []
    for word in split_name(name):
        expanded = ABBREVIATIONS.get(word)
        if expanded is None:
            expanded = ABBREVIATIONS.get(singular(word), singular(word))
        out.extend(expanded.split())
    return tuple(out)


def path_segments(path: str) -> list[str]:
    """Return the segments of a house-convention path, without `[]`."""
    return [seg.removesuffix("[]") for seg in path.split(".") if seg]


@lru_cache(maxsize=65536)
def text_tokens(text: str) -> frozenset[str]:
    """Return the content words of a description, singularised, stop words removed."""
    words = _TEXT_WORD.findall(text.lower())
    return frozenset(singular(w) for w in words if w not in STOP_WORDS and len(w) > 2)


@lru_cache(maxsize=65536)
def text_sequence(text: str, limit: int = 40) -> tuple[str, ...]:
    """Return the first `limit` words of a description in order, normalised like names."""
    words = _TEXT_CASED.findall(text)[:limit]
    return tuple(w for word in words for w in normalise(word))
