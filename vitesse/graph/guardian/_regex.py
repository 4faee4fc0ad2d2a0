r"""Generate strings that match a regular expression, from Python's own parse of the pattern.

Literals, classes (ranges, `\d \w \s`, negation), groups, alternation, bounded and unbounded
repeats and back-references are produced directly; anchors and look-arounds emit nothing and the
result is checked with `re.search` (the JSON Schema meaning of `pattern`). A pattern we cannot
satisfy after a few tries gives None, and the caller falls back honestly.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from functools import lru_cache
from random import Random
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser as P  # type: ignore[attr-defined]
from typing import Any

SAFE_CHARS = string.ascii_letters + string.digits + "-_."
PRINTABLE = string.ascii_letters + string.digits + " -_.,:;!?@#%&*+=/()[]"
_CATEGORY_CHARS = {
    C.CATEGORY_DIGIT: string.digits,
    C.CATEGORY_NOT_DIGIT: string.ascii_letters + "-_",
    C.CATEGORY_SPACE: " ",
    C.CATEGORY_NOT_SPACE: string.ascii_letters + string.digits,
    C.CATEGORY_WORD: string.ascii_letters + string.digits + "_",
    C.CATEGORY_NOT_WORD: " -.,",
}
_CATEGORY_TEST: dict[Any, Callable[[str], bool]] = {
    C.CATEGORY_DIGIT: str.isdigit,
    C.CATEGORY_NOT_DIGIT: lambda c: not c.isdigit(),
    C.CATEGORY_SPACE: str.isspace,
    C.CATEGORY_NOT_SPACE: lambda c: not c.isspace(),
    C.CATEGORY_WORD: lambda c: c.isalnum() or c == "_",
    C.CATEGORY_NOT_WORD: lambda c: not (c.isalnum() or c == "_"),
}


class _Unsupported(Exception):
    pass


@lru_cache(maxsize=2048)
def _compile(pattern: str) -> tuple[re.Pattern[str], Any] | None:
    try:
        return re.compile(pattern), P.parse(pattern)
    except (re.error, RecursionError, OverflowError, ValueError):
        return None


def pattern_compiles(pattern: str) -> bool:
    """Return whether Python's `re` accepts this pattern (ECMA-only syntax does not)."""
    return _compile(pattern) is not None


def matches(pattern: str, value: str) -> bool:
    """Return whether the value contains a match (JSON Schema semantics); uncompilable patterns pass."""
    compiled = _compile(pattern)
    return True if compiled is None else compiled[0].search(value) is not None


def from_regex(
    pattern: str, rng: Random, *, min_len: int = 0, max_len: int | None = None, long: bool = False
) -> str | None:
    """Return a string matching the pattern within the length bounds, or None when we cannot make one.

    `long` makes open repeats longer (identifiers: `cus_` then 6–12 characters rather than 0–3), so
    values drawn many times rarely collide.
    """
    compiled = _compile(pattern)
    if compiled is None:
        return None
    regex, tree = compiled
    plans = [(s, s // 2 if long else 0) for s in ((12, 6, 3, 1, 0) if long else (3, 1, 0, 6, 12, 40))]
    if min_len > 0:  # aim open repeats at the wanted length first
        plans.insert(0, (max(min_len, (max_len or min_len + 8)) - 1, max(0, min_len - 1)))
    for spread, floor in plans:
        for _ in range(3):
            try:
                text = _Emitter(rng, spread, floor).emit(tree)
            except (_Unsupported, RecursionError):
                return None
            if len(text) < min_len and not _end_anchored(tree):
                text += "".join(rng.choice(string.ascii_lowercase) for _ in range(min_len - len(text)))
            if regex.search(text) and len(text) >= min_len and (max_len is None or len(text) <= max_len):
                return text
    return None


def _end_anchored(tree: Any) -> bool:
    items = list(tree)
    return bool(items) and items[-1][0] == C.AT and items[-1][1] in (C.AT_END, C.AT_END_STRING)


class _Emitter:
    def __init__(self, rng: Random, spread: int, floor: int = 0) -> None:
        self.rng = rng
        self.spread = spread
        self.floor = floor
        self.groups: dict[int, str] = {}

    def emit(self, tree: Any) -> str:
        return "".join(self._node(op, av) for op, av in tree)

    def _node(self, op: Any, av: Any) -> str:
        if op == C.LITERAL:
            return chr(av)
        if op == C.NOT_LITERAL:
            return self.rng.choice([c for c in SAFE_CHARS if ord(c) != av])
        if op == C.ANY:
            return self.rng.choice(SAFE_CHARS)
        if op == C.IN:
            return self._in(av)
        if op == C.BRANCH:
            return self.emit(self.rng.choice(av[1]))
        if op == C.SUBPATTERN:
            text = self.emit(av[-1])
            if av[0] is not None:
                self.groups[av[0]] = text
            return text
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
            return self._repeat(av)
        if op == getattr(C, "ATOMIC_GROUP", None):
            return self.emit(av)
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            return ""
        if op == C.GROUPREF:
            return self.groups.get(av, "")
        if op == C.GROUPREF_EXISTS:
            group, yes, no = av
            return self.emit(yes) if group in self.groups else (self.emit(no) if no else "")
        raise _Unsupported(str(op))

    def _repeat(self, av: Any) -> str:
        low, high, sub = av
        top = low + self.spread if high == C.MAXREPEAT else min(high, low + self.spread)
        count = self.rng.randint(min(low + self.floor, max(low, top)), max(low, top))
        return "".join(self.emit(sub) for _ in range(count))

    def _in(self, items: Any) -> str:
        negate = bool(items) and items[0][0] == C.NEGATE
        if negate:
            allowed = [c for c in PRINTABLE if not _in_class(c, items[1:])]
            if not allowed:
                raise _Unsupported("empty negated class")
            return self.rng.choice(allowed)
        op, av = self.rng.choice(list(items))
        if op == C.LITERAL:
            return chr(av)
        if op == C.RANGE:
            low, high = av
            ascii_high = min(high, 126)
            return chr(self.rng.randint(low, ascii_high) if low <= ascii_high else low)
        if op == C.CATEGORY:
            return self.rng.choice(_CATEGORY_CHARS.get(av, SAFE_CHARS))
        raise _Unsupported(str(op))


def _in_class(char: str, items: Any) -> bool:
    code = ord(char)
    for op, av in items:
        if op == C.LITERAL and av == code:
            return True
        if op == C.RANGE and av[0] <= code <= av[1]:
            return True
        test = _CATEGORY_TEST.get(av) if op == C.CATEGORY else None
        if test is not None and test(char):
            return True
    return False
