"""Parse a spec document (JSON or YAML) into plain JSON-compatible Python values, fast and safely.

JSON goes through orjson. YAML has two paths that give the same values:

- fast: rapidyaml parses, emits JSON and orjson reads it (Stripe's 3.9 MB spec in about 0.15 s, where
  PyYAML's C loader takes 2-4 s). It is taken only when nothing in the document can make that JSON differ
  from the safe path: no tags, directives or merge keys; aliases only after a node-by-node check that
  bounds what they add; no plain scalar that rapidyaml types otherwise (`~`, `True`, `0x1F`) unless the
  source shows it quoted; at most 64 levels; one document. Anything else goes to the safe path.
- safe: libyaml's event parser (PyYAML's C extension) feeding a small non-recursive builder that types
  scalars by the YAML 1.2 core schema (what OpenAPI 3.1 asks for: `yes`, `no`, `on`, `off` and dates stay
  strings), keeps mapping keys as written (`200:` gives "200"), refuses tags outside the JSON set, and
  bounds nesting depth and the nodes aliases add. Every error it raises carries a line and column.

One reading differs from YAML 1.2 on purpose: integers written with a leading zero (`012`) stay strings.
"""

from __future__ import annotations

import codecs
import functools
import importlib.metadata
import itertools
import json
import math
import re
from collections.abc import Iterator
from typing import Any

import orjson
import yaml

from vitesse.errors import IngestError, IngestReason

try:
    import ryml
except ImportError:  # pragma: no cover - rapidyaml is a dependency; the safe path still works without it
    ryml = None

__all__ = ["load_document", "MAX_DEPTH", "MAX_ALIAS_NODES", "ALIAS_RATIO"]

MAX_DEPTH = 200
MAX_ALIAS_NODES = 100_000  # nodes aliases may add, or ALIAS_RATIO times the nodes written out if that is more
ALIAS_RATIO = 10
_MB = 1024 * 1024
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)
_YAML_PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_document(data: bytes | str, *, source: str = "<memory>", max_bytes: int = 50 * _MB) -> dict[str, Any]:
    """Parse a spec document (JSON or YAML) into plain dicts/lists/str/int/float/bool/None.

    Args:
        data: the document's bytes (UTF-8, or UTF-16/32 with a BOM) or its text.
        source: where the document came from, named in error messages.
        max_bytes: documents larger than this are refused before parsing.

    Returns:
        The top-level mapping. Treat it as read-only: where the YAML used aliases, sub-objects may be shared.

    Raises:
        IngestError: TOO_LARGE, NOT_A_SPEC (not text, empty, not a mapping), MALFORMED (with line and column;
            also too deep, recursive aliases, unsupported tags) or ALIAS_BOMB.
    """
    raw = _utf8(data, source)
    if len(raw) > max_bytes:
        raise IngestError(
            IngestReason.TOO_LARGE,
            f"{source} is {_size(len(raw))}, over the {_size(max_bytes, exact=True)} limit (VITESSE_MAX_SPEC_BYTES)",
            source=source,
        )
    if b"\x00" in raw:
        _check_text(raw, source)  # names bad UTF-8 first, else the NUL
    first = _FIRST.match(raw)
    if first is None:
        raise IngestError(IngestReason.NOT_A_SPEC, f"{source} is empty", source=source)
    doc = _load_json_first(raw, source) if first.group(1) in (b"{", b"[") else _load_yaml(raw, source)
    if not isinstance(doc, dict):
        what = "empty" if doc is None else f"a {_kind(doc)}, not a mapping"
        raise IngestError(
            IngestReason.NOT_A_SPEC, f"{source} is {what}: a spec document is a mapping at the top level", source=source
        )
    return doc


def _size(n: int, *, exact: bool = False) -> str:
    if n >= _MB:
        return f"{n / _MB:g} MB" if exact else f"{n / _MB:.1f} MB"
    return f"{n:,} bytes"


def _kind(value: Any) -> str:
    return {list: "list", str: "string", bool: "boolean", int: "number", float: "number"}.get(type(value), "value")


def _utf8(data: bytes | str, source: str) -> bytes:
    """Return the document as UTF-8 bytes without a byte-order mark."""
    if isinstance(data, str):
        try:
            return data.removeprefix("\ufeff").encode("utf-8")
        except UnicodeEncodeError as exc:
            raise IngestError(IngestReason.NOT_A_SPEC, f"{source} is not valid Unicode text", source=source) from exc
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            if encoding == "utf-8":
                return data[len(bom) :]
            try:
                return data[len(bom) :].decode(encoding).encode("utf-8")
            except UnicodeError as exc:
                raise IngestError(
                    IngestReason.NOT_A_SPEC, f"{source} is not valid {encoding} text", source=source
                ) from exc
    return data


_FIRST = re.compile(rb"[ \t\r\n\f\v]*([^ \t\r\n\f\v])")
_CHECK_CHUNK = 1 << 14


def _check_text(raw: bytes, source: str) -> None:
    """Refuse bytes that are not UTF-8 text, without holding the whole text as a `str`.

    The fast paths check as they go (their JSON text is decoded strictly, and a failure sends the document
    here); the safe paths call this first. So a fast path does not look at the bytes of YAML comments,
    which rapidyaml drops. A spec with one character past Latin-1 (an emoji, a curly quote) would be held
    at two or four bytes per character, so only a megabyte at a time is decoded here.
    """
    view, at, end = memoryview(raw), 0, 0 if raw.isascii() else len(raw)
    try:
        while at < end:
            _, used = codecs.utf_8_decode(view[at : at + _CHECK_CHUNK], "strict", at + _CHECK_CHUNK >= end)
            at += used
    except UnicodeDecodeError as exc:
        raise IngestError(
            IngestReason.NOT_A_SPEC,
            f"{source} is not text: byte {at + exc.start} is not valid UTF-8; a spec is JSON or YAML "
            "in UTF-8 (or UTF-16/32 with a byte-order mark)",
            source=source,
        ) from exc
    if b"\x00" in raw:
        raise IngestError(IngestReason.NOT_A_SPEC, f"{source} is not text: it holds NUL characters", source=source)


# ---- JSON -------------------------------------------------------------------------------------------------------


def _load_json_first(raw: bytes, source: str) -> Any:
    try:
        doc = _load_json(raw, source)
    except ValueError as json_error:
        try:
            return _load_yaml(raw, source)  # YAML is a superset: `{a: 1}` and friends still load
        except IngestError as exc:
            if not isinstance(exc.__cause__, yaml.YAMLError):
                raise  # a refusal of our own (depth, aliases, tags) says more than the JSON syntax error
            line, column = getattr(json_error, "lineno", None), getattr(json_error, "colno", None)
            message = getattr(json_error, "msg", str(json_error))
            raise IngestError(
                IngestReason.MALFORMED,
                f"{source} is not valid JSON: {message}",
                source=source,
                line=line,
                column=column,
            ) from json_error
    _check_depth(doc, source)
    return doc


def _load_json(raw: bytes, source: str) -> Any:
    # The standard library's parser first: about as fast on specs, with a fraction of orjson's transient
    # memory. A document it refuses is read again by orjson, whose errors name the place precisely.
    try:
        return json.loads(_ascii(raw), parse_constant=_refuse_constant, parse_float=_finite_float)
    except (ValueError, RecursionError):
        pass
    _check_text(raw, source)
    if _has_long_integer(raw):
        return json.loads(raw, parse_constant=_refuse_constant)
    return orjson.loads(raw)


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number out of range: {text}")
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _check_depth(doc: Any, source: str) -> None:
    if _depth_over_limit(doc):
        raise _too_deep(source, None)


def _depth_over_limit(doc: Any) -> bool:
    stack = [(doc, 1)] if isinstance(doc, dict | list) else []
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        for child in node.values() if type(node) is dict else node:
            if type(child) is dict or type(child) is list:
                stack.append((child, depth + 1))
    return False


def _too_deep(source: str, mark: Any) -> IngestError:
    return _error(IngestReason.MALFORMED, f"{source} nests deeper than {MAX_DEPTH} levels", source, mark)


def _error(reason: IngestReason, message: str, source: str, mark: Any) -> IngestError:
    if mark is None:
        return IngestError(reason, message, source=source)
    return IngestError(reason, message, source=source, line=mark.line + 1, column=mark.column + 1)


# ---- YAML -------------------------------------------------------------------------------------------------------


def _load_yaml(raw: bytes, source: str) -> Any:
    doc = _load_yaml_fast(raw)
    if doc is not None:
        return doc
    _check_text(raw, source)
    return _load_yaml_safe(raw.decode("utf-8"), source)


# Plain scalars by the YAML 1.2 core schema, minus timestamps (they stay strings, as JSON would have them).
_SPECIAL: dict[str, Any] = {"": None, "~": None, "null": None, "Null": None, "NULL": None}
_SPECIAL.update(dict.fromkeys(("true", "True", "TRUE"), True) | dict.fromkeys(("false", "False", "FALSE"), False))
_SPECIAL.update(dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf))
_SPECIAL.update(
    dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf) | dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan)
)
_NUMBER_START = frozenset("0123456789+-.")
# Integers written with a leading zero (`012`) stay strings: YAML 1.1 reads them as octal, 1.2 as decimal, and in
# specs they are codes (zip, phone, account, file mode) whose digits matter.
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*|[0-9]+(?=[eE]))(?:[eE][-+]?[0-9]+)?")


def _plain(text: str) -> Any:
    """Type a plain (unquoted, untagged) scalar."""
    if text in _SPECIAL:
        return _SPECIAL[text]
    if text[0] not in _NUMBER_START:
        return text
    if _INT.fullmatch(text):
        if text[:2] in ("0o", "0x"):
            return int(text[2:], 8 if text[1] == "o" else 16)
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text


# ---- YAML, safe path --------------------------------------------------------------------------------------------

_TAG = "tag:yaml.org,2002:"
_NO_KEY = object()
_MERGE = object()


class _Frame:
    __slots__ = ("value", "key", "nodes", "anchor", "merges")

    def __init__(self, value: dict[str, Any] | list[Any], anchor: str | None) -> None:
        self.value = value
        self.key: Any = _NO_KEY
        self.nodes = 1
        self.anchor = anchor
        self.merges: list[Any] = []


class _Builder:
    """Build values from libyaml events without recursion, counting depth and the nodes aliases add."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.stack: list[_Frame] = []
        # an anchor names the last node written with it: (value, nodes), or the frame while that node is open
        self.anchors: dict[str, tuple[Any, int] | _Frame] = {}
        self.alias_nodes = 0
        self.written = 0
        self.documents = 0
        self.result: Any = None
        self.handlers = {
            yaml.ScalarEvent: self.scalar,
            yaml.MappingStartEvent: self.start,
            yaml.SequenceStartEvent: self.start,
            yaml.MappingEndEvent: self.end,
            yaml.SequenceEndEvent: self.end,
            yaml.AliasEvent: self.alias,
            yaml.DocumentStartEvent: self.document,
        }

    def run(self, events: Any) -> Any:
        handlers = self.handlers
        for event in events:
            handler = handlers.get(type(event))
            if handler is not None:
                handler(event)
        return self.result

    def refuse(self, message: str, event: Any, reason: IngestReason = IngestReason.MALFORMED) -> IngestError:
        return _error(reason, f"{self.source}: {message}", self.source, event.start_mark)

    def wants_key(self) -> bool:
        return bool(self.stack) and self.stack[-1].key is _NO_KEY and type(self.stack[-1].value) is dict

    def document(self, event: Any) -> None:
        self.documents += 1
        if self.documents > 1:
            raise self.refuse("holds more than one YAML document; a spec is a single document", event)

    def scalar(self, event: Any) -> None:
        if self.wants_key():
            if event.tag not in (None, "!", _TAG + "str"):
                raise self.refuse(f"mapping key {event.value!r} has tag {_short(event.tag)}; keys are strings", event)
            merge = event.value == "<<" and event.implicit[0]
            self.stack[-1].key = _MERGE if merge else event.value
            if event.anchor:
                self.anchors[event.anchor] = (event.value, 1)
            return
        value = self.typed(event)
        self.written += 1
        if event.anchor:
            self.anchors[event.anchor] = (value, 1)
        self.add(value, 1, event)

    def typed(self, event: Any) -> Any:
        text, tag = event.value, event.tag
        try:
            if tag is None:
                return _plain(text) if event.implicit[0] else text
            kind = tag.removeprefix(_TAG) if tag.startswith(_TAG) else None
            value: Any = text if tag == "!" or kind == "str" else _plain(text) if text else None
            ok = {"null": value is None, "bool": type(value) is bool, "int": type(value) is int}
            if tag == "!" or kind == "str" or ok.get(kind or "", False):
                return value
            if kind == "float" and type(value) in (int, float):
                return float(value)
        except ValueError:  # an integer of thousands of digits
            raise self.refuse(f"the number {text[:20]}... is too long", event) from None
        if kind in ("null", "bool", "int", "float"):
            raise self.refuse(f"{text!r} is not a valid !!{kind}", event)
        raise self.refuse(f"unsupported YAML tag {_short(tag)}: only JSON types may be tagged", event)

    def start(self, event: Any) -> None:
        if self.wants_key():
            raise self.refuse("a mapping key is a list or mapping; keys must be strings", event)
        is_map = type(event) is yaml.MappingStartEvent
        self.written += 1
        if event.tag not in (None, "!", _TAG + ("map" if is_map else "seq")):
            raise self.refuse(f"unsupported YAML tag {_short(event.tag)}: only JSON types may be tagged", event)
        frame = _Frame({} if is_map else [], event.anchor)
        self.stack.append(frame)
        if len(self.stack) > MAX_DEPTH:
            raise _too_deep(self.source, event.start_mark)
        if event.anchor:
            self.anchors[event.anchor] = frame

    def end(self, event: Any) -> None:
        frame = self.stack.pop()
        value = _merged(frame, self) if frame.merges else frame.value
        if frame.anchor and self.anchors.get(frame.anchor) is frame:  # not since given to a node inside it
            self.anchors[frame.anchor] = (value, frame.nodes)
        self.add(value, frame.nodes, event)

    def alias(self, event: Any) -> None:
        name = event.anchor
        if self.wants_key():
            raise self.refuse(f"alias *{name} is used as a mapping key; keys must be written out", event)
        target = self.anchors.get(name)
        if isinstance(target, _Frame):
            raise self.refuse(f"alias *{name} refers to a node that contains it (a cycle JSON cannot hold)", event)
        if target is None:
            raise self.refuse(f"alias *{name} names no anchor defined before it", event)
        value, nodes = target
        self.alias_nodes += nodes
        if self.alias_nodes > max(MAX_ALIAS_NODES, ALIAS_RATIO * self.written):
            raise self.refuse(
                f"aliases expand to over {self.alias_nodes:,} nodes from {self.written:,} written out "
                "(a 'billion laughs' document?)",
                event,
                IngestReason.ALIAS_BOMB,
            )
        self.add(value, nodes, event)

    def add(self, value: Any, nodes: int, event: Any) -> None:
        if not self.stack:
            self.result = value
            return
        frame = self.stack[-1]
        frame.nodes += nodes
        if isinstance(frame.value, list):
            frame.value.append(value)
        elif frame.key is _MERGE:
            frame.merges.append((value, event))
            frame.key = _NO_KEY
        else:
            frame.value[frame.key] = value
            frame.key = _NO_KEY


def _merged(frame: _Frame, builder: _Builder) -> dict[str, Any]:
    """Apply `<<` merge keys as PyYAML does: explicit keys win, then earlier merge sources."""
    merged: dict[str, Any] = {}
    for value, event in frame.merges:
        sources: list[Any] = [value] if type(value) is dict else list(reversed(value)) if type(value) is list else [0]
        if not all(type(source) is dict for source in sources):
            raise builder.refuse("a '<<' merge key needs a mapping or a list of mappings", event)
        for source in sources:
            merged.update(source)
    merged.update(frame.value)  # a frame with merges holds a mapping
    return merged


def _short(tag: str | None) -> str:
    return "!!" + tag[len(_TAG) :] if tag and tag.startswith(_TAG) else str(tag)


def _load_yaml_safe(text: str, source: str) -> Any:
    builder = _Builder(source)
    try:
        return builder.run(yaml.parse(text, Loader=_YAML_PARSER))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if "nesting depth" in str(exc.problem):  # libyaml's own limit, met first in flow style (it scans ahead)
            raise _too_deep(source, mark) from None
        problem = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise _error(IngestReason.MALFORMED, f"{source} is not valid YAML: {problem}", source, mark) from exc
    except yaml.YAMLError as exc:  # the reader's "unacceptable character", which carries a position only
        position = getattr(exc, "position", 0)
        line, column = text.count("\n", 0, position) + 1, position - text.rfind("\n", 0, position)
        raise IngestError(
            IngestReason.MALFORMED, f"{source} is not valid YAML: {exc}", source=source, line=line, column=column
        ) from exc


# ---- YAML, fast path --------------------------------------------------------------------------------------------

# A string token in rapidyaml's JSON that a plain scalar could have become while YAML 1.2 types it otherwise
# (`~`, `True`, `0x1F`, `.inf`; rapidyaml writes plain `inf` as ".inf"), or an unresolved alias.
_SUSPECT = re.compile(r'"(~|Null|NULL|True|TRUE|False|FALSE|[-+.0-9][-+.0-9a-zA-Z_]*|\*(?:[^"\\\s]|\\.)+)"')
# Plain scalars of this shape always come out of rapidyaml as JSON numbers, so a string like this was quoted.
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
_TOKEN_BEFORE = frozenset(b" \t\r\n[{,:")
_NODE_END = frozenset(b"\r\n#,]}:")
_ANCHOR = re.compile(rb"&[0-9A-Za-z_-]+(?:[\s?:,\]}%@`]|$)")
_ANCHOR_NAME = re.compile(r"[0-9A-Za-z_-]+")
_BLOCK_HEADER = re.compile(rb"(?:^|[\s:-])[|>][-+0-9]*[ \t]*$")
_MAX_SCANS = 16  # bounds on the work the checks may do before the safe path is the cheaper way
_MAX_SPOTS = 64
_MAX_LOOKBACK = 1000  # lines
_DIGIT_MASK = bytes(0 if 48 <= i <= 57 else 1 for i in range(256))
_INF_NAN_WORDS = [sign + word for sign in "+-" for word in ("inf", "Inf", "INF", "infinity", "Infinity", "nan", "NaN")]
_INF_NAN_WORDS += [sign[1:] for sign in _INF_NAN_WORDS if sign[0] == "+"]


def _stands_alone(raw: bytes, start: int, end: int) -> bool:
    """Whether raw[start:end] could be a whole plain scalar (or alias): a token with nothing after it on the line."""
    if start and raw[start - 1] not in _TOKEN_BEFORE:
        return False
    while end < len(raw) and raw[end] in b" \t":
        end += 1
    return end == len(raw) or raw[end] in _NODE_END


def _plain_spots(raw: bytes, token: bytes) -> Iterator[int]:
    """Where `token` stands alone in the source, unquoted (so it may be a plain scalar or an alias)."""
    at = raw.find(token)
    while at >= 0:
        if _stands_alone(raw, at, at + len(token)):
            yield at
        at = raw.find(token, at + 1)


def _in_block_scalar(raw: bytes, at: int) -> bool:
    """Whether the line holding `at` belongs to a `|` or `>` block scalar: its nearest less indented line opens one."""
    start = raw.rfind(b"\n", 0, at) + 1
    end = raw.find(b"\n", at)
    line = raw[start : len(raw) if end < 0 else end]
    indent = len(line) - len(line.lstrip(b" "))
    for _ in range(_MAX_LOOKBACK):
        if start <= 0:
            break
        above = raw.rfind(b"\n", 0, start - 1) + 1
        prev = raw[above : start - 1].rstrip(b"\r")
        if prev.strip() and len(prev) - len(prev.lstrip(b" ")) < indent:
            return _BLOCK_HEADER.search(prev.split(b" #")[0]) is not None
        start = above
    return False


def _has_long_integer(raw: bytes) -> bool:
    """Whether an integer of 19 or more digits stands alone (orjson would read it as a float)."""
    masked = raw.translate(_DIGIT_MASK)
    at = masked.find(b"\x00" * 19)
    while at >= 0:
        end = masked.find(b"\x01", at)
        end = len(raw) if end < 0 else end
        start = at - 1 if at and raw[at - 1] in b"+-" else at
        if _stands_alone(raw, start, end):
            return True
        at = masked.find(b"\x00" * 19, end)
    return False


# rapidyaml keeps a tab before `]` in a plain scalar and does not take a tab after `:` as separation.
_TAB_TROUBLE = re.compile(rb"[:?-]\t|\t[ \t]*[,\]}:#]")


def _needs_safe_path(raw: bytes) -> bool:
    """Whether the source has what rapidyaml reads differently or JSON cannot carry.

    That is directives, troublesome tabs, and integers of 19+ digits (orjson reads them as floats).
    """
    if _starts_a_line(raw, b"%") or (b"\t" in raw and _TAB_TROUBLE.search(raw)):
        return True
    return _has_long_integer(raw)


def _starts_a_line(raw: bytes, char: bytes) -> bool:
    """Whether a line begins with `char` (a directive's `%`).

    The char is rare, so look where it is rather than at every line break (0.1 ms instead of 2.4 ms on a
    spec of 100,000 lines).
    """
    at = raw.find(char)
    while at >= 0:
        if at == 0 or raw[at - 1] in b"\r\n":
            return True
        at = raw.find(char, at + 1)
    return False


def _marks_a_node(raw: bytes, char: bytes) -> bool:
    """Whether `char` (`!` or `&`) opens a tag or an anchor somewhere: where a node starts, as libyaml reads it."""
    at = raw.find(char)
    while at >= 0:
        i = at - 1
        while i >= 0 and raw[i] in b" \t":
            i -= 1
        indicator = i >= 0 and raw[i] in b":?-" and i < at - 1 and (raw[i] == 58 or i == 0 or raw[i - 1] in b" \t\r\n")
        if (i < 0 or raw[i] in b"\r\n[{," or indicator) and (char == b"!" or _ANCHOR.match(raw, at)):
            return True
        at = raw.find(char, at + 1)
    return False


@functools.cache
def _inf_nan_rewrites() -> dict[str, list[str]]:
    """Which plain words rapidyaml's JSON emitter rewrites to ".inf", "-.inf" or ".nan" (asked of rapidyaml itself)."""
    rewrites: dict[str, list[str]] = {}
    for word in _INF_NAN_WORDS:
        tree = ryml.parse_in_arena(f"k: {word}".encode())
        try:
            written = orjson.loads(ryml.emit_json_malloc(tree, tree.root_id()))["k"]
        except orjson.JSONDecodeError:  # written unquoted: the whole document then fails over to the safe path
            continue
        if written != word:
            rewrites.setdefault(written, []).append(word)
    return rewrites


def _version(name: str) -> tuple[int, ...] | None:
    try:
        return tuple(int(p) for p in importlib.metadata.version(name).split(".")[:3])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return None


_RYML_VERSION = _version("rapidyaml")


@functools.cache
def _emits_too_deep() -> bool:
    """Whether rapidyaml emits JSON deeper than MAX_DEPTH (0.15 stops at 64 levels; a later one may not)."""
    if _RYML_VERSION and _RYML_VERSION <= (0, 15, 2):
        # Known to stop at 64 levels; asking would make rapidyaml print its refusal on stderr.
        return False
    tree = ryml.parse_in_arena(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1))
    try:
        ryml.emit_json_malloc(tree, tree.root_id())
    except ryml.ExceptionBasic:
        return False
    return True


def _checked_json(js: str, raw: bytes) -> str | None:
    """Return rapidyaml's JSON fixed where it is known to differ from the safe path, or None if it may differ."""
    if '"<<":' in js:
        return None
    seen: set[str] = set()
    fixes: dict[str, str] = {}
    scans = 0
    for match in _SUSPECT.finditer(js):
        token = match.group(1)
        if token in seen or js[match.start() - 1] not in " [,\n{" or _JSON_NUMBER.fullmatch(token):
            continue
        seen.add(token)
        typed = _plain(token)
        special = type(typed) is float and not math.isfinite(typed)
        if type(typed) is str and token[0] != "*":
            continue  # a string either way
        scans += 1
        if scans > _MAX_SCANS:
            return None  # each check scans the source: past a few, the safe path is cheaper
        if special:
            word = _rewritten_word(token, raw)
            if word is None:
                return None
            fixes[f'"{token}"'] = f'"{word}"'
        elif token[0] == "*":
            if "\\u" in token:
                return None  # spelled with escapes here, so not findable as written in the source
            # An alias rapidyaml left alone (so undefined, which the safe path reports), or text in a block scalar.
            spots = list(itertools.islice(_plain_spots(raw, token.encode()), _MAX_SPOTS + 1))
            if len(spots) > _MAX_SPOTS or not all(_in_block_scalar(raw, at) for at in spots):
                return None
        elif any(_plain_spots(raw, token.encode())):
            return None
    for wrong, right in fixes.items():
        js = js.replace(wrong, right)
    return js


def _rewritten_word(token: str, raw: bytes) -> str | None:
    """The one plain word (`inf`, `nan` ...) that became `token`, if the source allows no other reading."""
    lowered = raw.lower()
    if any(text in lowered for text in (b".inf", b".nan", b"\\x2e", b"\\u002e", b"\\u0000002e", b".\\\n", b".\\\r")):
        return None  # a dotted spelling (a float in YAML 1.2) or an escape could also have written it
    words = [w for w in _inf_nan_rewrites().get(token, []) if any(_plain_spots(raw, w.encode()))]
    return words[0] if len(words) == 1 else None


def _load_yaml_fast(raw: bytes) -> dict[str, Any] | None:
    """Load through rapidyaml, or return None when the safe path must decide (or rapidyaml fails)."""
    if ryml is None or _needs_safe_path(raw):
        return None
    # Text that may hold a tag or an anchor sends the tree through a node-by-node check (and alias expansion).
    marked = _marks_a_node(raw, b"!") or _marks_a_node(raw, b"&")
    if marked and any(_plain_spots(raw, b"<<")):
        return None  # merge keys: rapidyaml's rules are not PyYAML's
    try:
        tree = ryml.parse_in_arena(raw)
        if marked and not _resolve_aliases(tree):
            return None
        node = tree.root_id()
        if tree.is_stream(node):
            if tree.num_children(node) != 1:
                return None
            node = tree.first_child(node)
        if not tree.is_map(node):
            return None
        js = _emit_json(tree, node, len(raw))
    except Exception:  # noqa: BLE001 - a syntax rapidyaml does not take, deeper than it emits: the safe path decides
        return None
    del tree  # rapidyaml's arena, before the Python objects are built
    checked = _checked_json(js, raw)
    if checked is None:
        return None
    try:
        # The standard library's parser, not orjson: as fast here (~50 ms for Stripe's 4.8 MB of JSON)
        # with a seventh of the transient memory (orjson's peak is ~15x its input).
        doc = json.loads(checked, parse_constant=_refuse_constant, parse_float=_finite_float)
    except ValueError:  # e.g. `+1`, control characters, numbers past a double's range
        return None
    if type(doc) is not dict or (_emits_too_deep() and _depth_over_limit(doc)):
        return None
    return doc


def _emit_json(tree: Any, node: int, size_hint: int) -> str:
    """Emit the tree as JSON text in ASCII (see `_ascii`), into a buffer sized from the source's length."""
    buf = bytearray(size_hint + size_hint // 2 + 4096)
    failed, size = ryml.emit_json_to_substr(tree, node, buf)
    if failed:
        buf = bytearray(size)
        failed, size = ryml.emit_json_to_substr(tree, node, buf)
        if failed:
            raise ValueError("rapidyaml could not emit the document as JSON")
    del buf[size:]
    return _ascii(buf)


def _ascii(utf8: bytes | bytearray) -> str:
    """Return UTF-8 JSON as ASCII text, non-ASCII characters written as JSON `u` escapes (backslash-u).

    Decoded as is, one emoji would make Python hold the whole text at four bytes per character; escaped,
    it stays at one, and the strings the JSON parser builds are the same. (Outside strings a non-ASCII
    byte is a syntax error either way.) A megabyte is decoded at a time, and encoded back to ASCII with
    the escapes written by an error handler, once per run of non-ASCII characters.
    """
    if utf8.isascii():
        return utf8.decode("ascii")
    view, at, end, parts = memoryview(utf8), 0, len(utf8), []
    while at < end:
        text, used = codecs.utf_8_decode(view[at : at + _CHECK_CHUNK], "strict", at + _CHECK_CHUNK >= end)
        parts.append(text.encode("ascii", _JSON_ESCAPE))
        at += used
    view.release()
    return b"".join(parts).decode("ascii")


def _json_escapes(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for char in exc.object[exc.start : exc.end]:
        code = ord(char)
        if code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:  # a surrogate pair, as JSON writes characters past the first plane
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
    return "".join(out), exc.end


_JSON_ESCAPE = "vitesse.json-escape"
codecs.register_error(_JSON_ESCAPE, _json_escapes)


def _resolve_aliases(tree: Any) -> bool:
    """Check every node for tags, anchors and aliases, and expand the aliases when they add few nodes.

    False sends the document to the safe path (which also reports cycles, undefined aliases and alias bombs).
    It costs one call into rapidyaml per node, which is why only documents whose text shows a tag or an
    anchor pay it. The budget is the safe path's, counted the same way before anything is expanded.
    """
    kind_of, refused = tree.type, ryml.KEYTAG | ryml.VALTAG | ryml.KEYREF | ryml.KEYANCH
    marks = refused | ryml.VALANCH | ryml.VALREF
    anchors: dict[str, list[int]] = {}
    refs: list[tuple[int, str]] = []
    node, seen, size, capacity = -1, 0, tree.size(), tree.capacity()
    while seen < size and node < capacity - 1:  # every node in use, wherever the tree put it
        node += 1
        kind = kind_of(node)
        seen += kind != ryml.NOTYPE
        if kind & marks:
            if kind & refused:
                return False
            if kind & ryml.VALANCH:
                anchors.setdefault(bytes(tree.val_anchor(node)).decode(), []).append(node)
            if kind & ryml.VALREF:
                refs.append((node, bytes(tree.val_ref(node)).decode()))
    if any(not _ANCHOR_NAME.fullmatch(name) for name in anchors):
        return False  # a name libyaml would end sooner
    targets = {node: max((a for a in anchors.get(name, ()) if a < node), default=-1) for node, name in refs}
    sizes: dict[int, int] = {}
    for anchor in sorted(set(targets.values())):
        if anchor < 0 or not _sized(tree, anchor, targets, sizes):
            return False
    added = 0
    for node, _ in refs:
        added += sizes[targets[node]]
        if added > max(MAX_ALIAS_NODES, ALIAS_RATIO * node):
            return False
    if refs:
        tree.resolve()
    return True


def _sized(tree: Any, anchor: int, targets: dict[int, int], sizes: dict[int, int]) -> bool:
    """Record the nodes `anchor` expands to; False on an alias inside it to itself or to a later anchor."""
    inside, stack = [], [anchor]
    while stack:
        node = stack.pop()
        inside.append(node)
        child = tree.first_child(node)
        while child != ryml.NONE:
            stack.append(child)
            child = tree.next_sibling(child)
    size = len(inside)
    for node in inside:
        if node in targets:
            if targets[node] not in sizes:
                return False
            size += sizes[targets[node]] - 1
    sizes[anchor] = size
    return True
