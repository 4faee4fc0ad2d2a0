"""Read an integration intent: which words name the records on each side, and which name a container.

"Copy GitHub repository issues into a GitLab project" has a verb (copy), a source phrase whose head noun
names the records (issues) and whose other words name where they live (GitHub, repository), and a
destination phrase that names one container (a project) rather than records: the records keep the
source's kind, so the destination's resource is the source's head noun. "… to a Trello list as cards"
names the records after "as". Nothing here knows any particular API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vitesse.graph.mapper.tokens import normalise, singular

INTENT_VERBS = frozenset(
    "sync synchronise synchronize copy create add post record provision import export push send move mirror "
    "replicate migrate upload publish load pull transfer forward write insert put map backup archive clone "
    "duplicate feed turn convert".split()
)
"""Imperative verbs an intent may start with; they name the job, not the records."""
DETERMINERS = frozenset({"a", "an", "one", "my", "our", "your", "their", "this", "that", "the", "each", "every"})
"""A destination phrase opening with one of these and ending in a singular noun names one container."""
_FILLER = frozenset({"s", "of", "in", "on", "for", "with", "and", "all", "new", "its", "them"})
_TOKEN = re.compile(r"[A-Za-z0-9_\-]+")
_INTO = re.compile(r"\s(?:to|into|->|→|onto|towards)\s", re.I)
_FROM = re.compile(r"\sfrom\s", re.I)
_AS = re.compile(r"\sas\s", re.I)


@dataclass(frozen=True)
class IntentSide:
    """What one side of an intent says about the records and where they live."""

    words: frozenset[str]
    """Every normalised word of the side."""
    head: frozenset[str]
    """The words naming the records: the phrase after `as`, else its last noun."""
    modifiers: frozenset[str]
    """The other content words: the API's name, containers (`repository` in `repository issues`)."""
    container: bool = False
    """True when the phrase names one container (`a GitLab project`, `my CRM`), not the records."""


def _words(tokens: list[str]) -> frozenset[str]:
    return frozenset(w for t in tokens for w in normalise(t))


def _content(tokens: list[str]) -> list[str]:
    return [t for t in tokens if t.lower() not in _FILLER and t.lower() not in DETERMINERS]


def read_side(text: str, verb: str | None = None) -> IntentSide:
    """Return what one side's phrase names (`verb` is dropped when the phrase starts with it)."""
    tokens = _TOKEN.findall(text)
    all_words = _words(tokens)
    if verb and tokens and tokens[0].lower() == verb:
        tokens = tokens[1:]
    if _AS.search(f" {' '.join(tokens)} "):
        before, after = _AS.split(f" {' '.join(tokens)} ", maxsplit=1)
        head = _words(_content(_TOKEN.findall(after)))
        return IntentSide(all_words, head, _words(_content(_TOKEN.findall(before))) - head)
    opened = bool(tokens) and tokens[0].lower() in DETERMINERS
    tokens = _content(tokens)
    if not tokens:
        return IntentSide(all_words, frozenset(), frozenset())
    last = tokens[-1].lower()
    head = _words(tokens[-1:])
    container = opened and singular(last) == last and not last.isdigit()
    return IntentSide(all_words, head, _words(tokens[:-1]) - head, container)


def intent_verb(intent: str) -> str | None:
    """Return the intent's leading verb (`sync`, `copy` …) in lower case, or None."""
    tokens = _TOKEN.findall(intent)
    return tokens[0].lower() if tokens and tokens[0].lower() in INTENT_VERBS else None


def split_text(intent: str) -> tuple[str, str]:
    """Return the source and destination phrases: `X to/into Y`, `Y from X`, else `X as Y`, else both whole."""
    text = f" {intent.strip()} "
    if _INTO.search(text):
        src, dst = _INTO.split(text, maxsplit=1)
    elif _FROM.search(text):
        dst, src = _FROM.split(text, maxsplit=1)
    elif _AS.search(text):
        src, dst = _AS.split(text, maxsplit=1)
    else:
        src = dst = text
    return src, dst


def read_intent(intent: str) -> tuple[IntentSide, IntentSide, str | None]:
    """Return the source side, the destination side and the leading verb of an intent."""
    verb = intent_verb(intent)
    src, dst = split_text(intent)
    return read_side(src, verb), read_side(dst, verb), verb
