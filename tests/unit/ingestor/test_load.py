"""The document loader: JSON or YAML bytes in, plain JSON-compatible values out, refusals with a reason."""

from __future__ import annotations

import json
import math
import os
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vitesse.errors import IngestError, IngestReason
from vitesse.graph.ingestor.load import MAX_DEPTH, _load_yaml_fast, _load_yaml_safe, load_document

BOMB = b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + b"".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n".encode() for i in range(8)
)


def nested_block(levels: int) -> bytes:
    return b"".join(b"  " * i + b"k:\n" for i in range(levels)) + b"  " * levels + b"v\n"


# (why, document, expected value, YAML path load_document takes: "fast", "safe" or None when it does not matter)
VALID: list[tuple[str, bytes | str, dict[str, Any] | None, str | None]] = [
    ("JSON object", b'{"openapi": "3.1.0", "paths": {}}', {"openapi": "3.1.0", "paths": {}}, None),
    ("JSON after a UTF-8 BOM", b'\xef\xbb\xbf{"a": [1, 2.5, null, true]}', {"a": [1, 2.5, None, True]}, None),
    (
        "YAML in UTF-16 LE with a BOM",
        "\ufeffopenapi: 3.0.0\nx: é\n".encode("utf-16-le"),
        {"openapi": "3.0.0", "x": "é"},
        "fast",
    ),
    ("YAML in UTF-16 BE with a BOM", "\ufeffopenapi: 3.0.0\n".encode("utf-16-be"), {"openapi": "3.0.0"}, "fast"),
    ("text with a BOM", "\ufeffa: 1\n", {"a": 1}, "fast"),
    (
        "dates and times stay strings",
        b"day: 2021-10-01\nat: 2001-12-14t21:59:43.10-05:00\n",
        {"day": "2021-10-01", "at": "2001-12-14t21:59:43.10-05:00"},
        "fast",
    ),
    (
        "status-code keys are strings",
        b"responses:\n  200: {description: ok}\n  default: {description: err}\n",
        {"responses": {"200": {"description": "ok"}, "default": {"description": "err"}}},
        "fast",
    ),
    (
        "keys keep their text",
        b"true: a\nFalse: b\n~: c\n0x10: d\n1.50: e\n",
        {"true": "a", "False": "b", "~": "c", "0x10": "d", "1.50": "e"},
        None,
    ),
    (
        "YAML 1.2: on/off/yes/no/y/n are strings",
        b"enum: [on, off, yes, no, y, n]\nflag: true\n",
        {"enum": ["on", "off", "yes", "no", "y", "n"], "flag": True},
        "fast",
    ),
    (
        "YAML 1.2 core: True, ~, Null, FALSE",
        b"a: True\nb: ~\nc: Null\nd: FALSE\n",
        {"a": True, "b": None, "c": None, "d": False},
        "safe",
    ),
    (
        "leading-zero integers stay strings",
        b"zip: 02134\nmode: 040000\nzero: 0\nneg: -0\n",
        {"zip": "02134", "mode": "040000", "zero": 0, "neg": 0},
        "fast",
    ),
    ("sexagesimal stays a string", b"end_time: 18:00\n", {"end_time": "18:00"}, "fast"),
    ("hex and octal integers", b"a: 0x1F\nb: 0o17\n", {"a": 31, "b": 15}, "safe"),
    (
        "numbers",
        b"i: 12\nn: -3\nf: 1.5\ne: 1e3\nh: .5\nt: 1.\n",
        {"i": 12, "n": -3, "f": 1.5, "e": 1000.0, "h": 0.5, "t": 1.0},
        "fast",
    ),
    (
        "the word inf stays a string (Stripe's up_to)",
        b"up_to: inf\ntiers: [inf, 10]\nname: nan\n",
        {"up_to": "inf", "tiers": ["inf", 10], "name": "nan"},
        "fast",
    ),
    (".inf is a float", b"max: .inf\nmin: -.Inf\n", {"max": math.inf, "min": -math.inf}, "safe"),
    (
        "integers beyond 64 bits stay exact",
        b"n: 123456789012345678901234\nm: -98765432109876543210\n",
        {"n": 123456789012345678901234, "m": -98765432109876543210},
        "safe",
    ),
    (
        "JSON integers beyond 64 bits stay exact",
        b'{"n": 123456789012345678901234}',
        {"n": 123456789012345678901234},
        None,
    ),
    (
        "long digit runs in strings are fine",
        b"id: '12345678901234567890123'\n",
        {"id": "12345678901234567890123"},
        "fast",
    ),
    (
        "a few anchors and aliases",
        b"base: &b {type: string}\nname: *b\nlist: [*b, *b]\n",
        {"base": {"type": "string"}, "name": {"type": "string"}, "list": [{"type": "string"}] * 2},
        "fast",
    ),
    (
        "an alias names the latest node with its anchor (YAML 1.2), even one inside the first",
        b"a: &x {k: &x 1, j: *x}\nb: *x\n",
        {"a": {"k": 1, "j": 1}, "b": 1},
        "fast",
    ),
    (
        "merge keys",
        b"base: &b {x: 1, y: 1}\nd:\n  <<: *b\n  y: 2\n",
        {"base": {"x": 1, "y": 1}, "d": {"x": 1, "y": 2}},
        "safe",
    ),
    ("YAML flow that looks like JSON", b"{openapi: 3.0.0, paths: {}}", {"openapi": "3.0.0", "paths": {}}, None),
    (
        "JSON-compatible tags",
        b"a: !!str 123\nb: !!int '7'\nc: !!float 1\nd: ! 5\ne: !!null ~\n",
        {"a": "123", "b": 7, "c": 1.0, "d": "5", "e": None},
        "safe",
    ),
    ("duplicate keys: the last wins", b"a: 1\na: 2\n", {"a": 2}, "fast"),
    ("document markers", b"---\na: 1\n...\n", {"a": 1}, "fast"),
    (
        "block scalars and escapes",
        b'a: |\n  one\n  two\nb: >-\n  folded\n  text\nc: "caf\\u00e9\\t"\n',
        {"a": "one\ntwo\n", "b": "folded text", "c": "caf\u00e9\t"},
        "fast",
    ),
    ("empty values are null", b"a:\nb: ''\nc: []\n", {"a": None, "b": "", "c": []}, "fast"),
    ("CRLF line ends", b"a: 1\r\nb: [x, y]\r\n", {"a": 1, "b": ["x", "y"]}, "fast"),
    (
        "markdown with * and ! is text",
        b"d: >-\n  *Conditional*\nt: |\n  | !=  | not equal |\n",
        {"d": "*Conditional*", "t": "| !=  | not equal |\n"},
        "fast",
    ),
    (
        "HTML entities are not anchors",
        b'e: "&quot;INV-001&quot;, &quot;INV-002&quot;"\n',
        {"e": "&quot;INV-001&quot;, &quot;INV-002&quot;"},
        "fast",
    ),
    ("100 levels: deeper than rapidyaml emits, within our limit", nested_block(100), None, "safe"),
    (
        "many quoted look-alikes: past 16 source scans the safe path is cheaper",
        "".join(f"h{i}: '0x{i:x}'\n" for i in range(40)),
        {f"h{i}": f"0x{i:x}" for i in range(40)},
        "safe",
    ),
]

# (expected message, reason, document, line, column); line None: the error has none
INVALID: list[tuple[str, IngestReason, bytes | str, int | None, int | None]] = [
    ("is not valid JSON: unexpected character", IngestReason.MALFORMED, b'{"a": [1, 2}', 1, 12),
    ("is not valid JSON", IngestReason.MALFORMED, b'{\n  "a": 1,\n  "b": [1, 2,\n}', 4, 1),
    ("mapping values are not allowed", IngestReason.MALFORMED, b"a: b\n c: d\n", 2, 3),
    ("did not find expected ',' or ']'", IngestReason.MALFORMED, b"openapi: 3.0.0\na: [1, 2\nb: 3\n", 3, 2),
    ("found unexpected end of stream", IngestReason.MALFORMED, b'a: "x\n', 2, 1),
    ("tab character", IngestReason.MALFORMED, b"a: b\n\tc: d\n", 2, 1),
    ("control characters are not allowed", IngestReason.MALFORMED, b"a: \x07\n", 1, 4),
    ("billion laughs", IngestReason.ALIAS_BOMB, BOMB, 6, 8),
    ("a cycle JSON cannot hold", IngestReason.MALFORMED, b"a: &a [*a]\n", 1, 8),
    ("alias *nope names no anchor", IngestReason.MALFORMED, b"a: *nope\n", 1, 4),
    (f"nests deeper than {MAX_DEPTH} levels", IngestReason.MALFORMED, nested_block(250), 201, 401),
    (f"nests deeper than {MAX_DEPTH} levels", IngestReason.MALFORMED, b"a: " + b"[" * 100_000, 1, None),
    (
        f"nests deeper than {MAX_DEPTH} levels",
        IngestReason.MALFORMED,
        b'{"a": ' + b"[" * 300 + b"]" * 300 + b"}",
        None,
        None,
    ),
    (
        "unsupported YAML tag !!python/object/apply:os.system",
        IngestReason.MALFORMED,
        b"a: !!python/object/apply:os.system ['echo hi']\n",
        1,
        4,
    ),
    ("unsupported YAML tag !!python/name:os.system", IngestReason.MALFORMED, b"a: !!python/name:os.system ''\n", 1, 4),
    ("unsupported YAML tag !Ref", IngestReason.MALFORMED, b"a: !Ref x\n", 1, 4),
    ("unsupported YAML tag !!binary", IngestReason.MALFORMED, b"a: !!binary aGk=\n", 1, 4),
    ("'abc' is not a valid !!int", IngestReason.MALFORMED, b"a: !!int abc\n", 1, 4),
    ("keys are strings", IngestReason.MALFORMED, b"!!int 1: a\n", 1, 1),
    ("keys must be strings", IngestReason.MALFORMED, b"? [a, b]\n: c\n", 1, 3),
    ("more than one YAML document", IngestReason.MALFORMED, b"a: 1\n---\nb: 2\n", 2, 1),
    ("is a list, not a mapping", IngestReason.NOT_A_SPEC, b"- a\n- b\n", None, None),
    ("is a list, not a mapping", IngestReason.NOT_A_SPEC, b"[1, 2]", None, None),
    ("is a string, not a mapping", IngestReason.NOT_A_SPEC, b'"openapi"', None, None),
    ("is a number, not a mapping", IngestReason.NOT_A_SPEC, b"42", None, None),
    ("is empty", IngestReason.NOT_A_SPEC, b"", None, None),
    ("is empty", IngestReason.NOT_A_SPEC, b"  \n\t\n", None, None),
    ("is empty", IngestReason.NOT_A_SPEC, b"# just a comment\n---\n", None, None),
    (
        "is not text: byte 0 is not valid UTF-8",
        IngestReason.NOT_A_SPEC,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        None,
        None,
    ),
    ("is not text: byte 128 is not valid UTF-8", IngestReason.NOT_A_SPEC, bytes(range(256)) * 4, None, None),
    ("is not text: it holds NUL characters", IngestReason.NOT_A_SPEC, b"a: 1\x00\x00", None, None),
    ("is not valid utf-16-le text", IngestReason.NOT_A_SPEC, b"\xff\xfe\x00\xd8a\x00", None, None),
    ("is not valid Unicode text", IngestReason.NOT_A_SPEC, "a: \ud800\n", None, None),
]


@pytest.mark.parametrize(("why", "data", "expected", "path"), VALID, ids=[case[0] for case in VALID])
def test_valid_documents_load_to_plain_json_values(why, data, expected, path):
    """Each valid document loads to exactly the expected plain values."""
    loaded = load_document(data, source="spec.yaml")
    if expected is None:  # the deep document: its shape is checked level by level
        node, depth = loaded, 1
        while isinstance(node, dict) and "k" in node:
            node, depth = node["k"], depth + 1
        assert (node, depth) == ("v", 101)
    else:
        assert _same(loaded, expected)


@pytest.mark.parametrize(
    ("why", "data", "expected", "path"), [c for c in VALID if c[3]], ids=[c[0] for c in VALID if c[3]]
)
def test_both_yaml_paths_give_the_same_values_and_the_expected_one_is_taken(why, data, expected, path):
    """The safe path gives the same values; the fast path either gives them too or declines, as the case says."""
    raw = _utf8(data)
    safe = _load_yaml_safe(raw.decode(), "spec.yaml")
    fast = _load_yaml_fast(raw)
    assert _same(safe, load_document(data))
    assert ("fast" if fast is not None else "safe") == path
    if fast is not None:
        assert _same(fast, safe)


@pytest.mark.parametrize(("message", "reason", "data", "line", "column"), INVALID, ids=[c[0][:40] for c in INVALID])
def test_bad_documents_are_refused_with_a_reason_and_a_place(message, reason, data, line, column):
    """Malformed, hostile or non-spec documents raise IngestError naming the reason, the source and the place."""
    with pytest.raises(IngestError) as info:
        load_document(data, source="spec.yaml")
    assert info.value.reason == reason
    assert message in str(info.value)
    assert "spec.yaml" in str(info.value)
    assert info.value.line == line
    if column is not None:
        assert info.value.column == column


def test_a_document_over_the_size_limit_is_refused_before_parsing():
    """The limit is checked on the bytes; the message gives both sizes and the setting to change."""
    with pytest.raises(IngestError) as small:
        load_document(b"a: " + b"x" * 97, source="s.yaml", max_bytes=10)
    assert small.value.reason == IngestReason.TOO_LARGE
    assert str(small.value) == "s.yaml is 100 bytes, over the 10 bytes limit (VITESSE_MAX_SPEC_BYTES)"
    with pytest.raises(IngestError) as large:
        load_document(b"{" * (3 * 1024 * 1024 // 2), source="big.json", max_bytes=1024 * 1024)
    assert str(large.value) == "big.json is 1.5 MB, over the 1 MB limit (VITESSE_MAX_SPEC_BYTES)"


def test_an_alias_bomb_is_refused_with_little_memory():
    """A billion-laughs document (10**9 nodes if expanded) is refused without building its expansion."""
    tracemalloc.start()
    try:
        with pytest.raises(IngestError) as info:
            load_document(BOMB)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.reason == IngestReason.ALIAS_BOMB
    assert peak < 5 * 1024 * 1024


def test_aliases_may_add_ten_times_the_nodes_a_large_document_writes_out():
    """The alias budget grows with the document: a big spec reusing an anchored schema loads; 10x more is refused."""
    schema = "{" + ", ".join(f"p{i}: {{type: string}}" for i in range(6000)) + "}"  # 12,001 nodes
    reused = f"base: &s {schema}\n" + "".join(f"u{i}: *s\n" for i in range(9))  # aliases add 108,009 nodes
    assert load_document(reused)["u8"]["p5999"] == {"type": "string"}
    with pytest.raises(IngestError) as info:
        load_document(reused + "".join(f"v{i}: *s\n" for i in range(2)))  # 132,011 > 10 x 12,012 written
    assert info.value.reason == IngestReason.ALIAS_BOMB


def test_nan_loads_as_a_float():
    """`.nan` is a float (JSON cannot hold it, but the value is a plain float)."""
    assert math.isnan(load_document(b"a: .nan\n")["a"])


def test_a_scalar_top_level_with_json_syntax_reports_the_json_error():
    """A document that starts like JSON and is neither JSON nor YAML gets the JSON parser's message."""
    with pytest.raises(IngestError) as info:
        load_document(b'{"a": 1,, "b": 2}')
    assert "not valid JSON" in str(info.value)
    assert (info.value.line, info.value.column) == (1, 9)


SCALARS = st.lists(
    st.sampled_from(list("0123456789.+-eExob_:~ *&!'\"#,[]{}\\\t") + ["inf", "nan", "True", "Null", "yes"]), max_size=6
).map("".join)


@settings(max_examples=400, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scalar=SCALARS, template=st.sampled_from(["k: {}\n", "k: [{}]\n", "- {}\n", "{}: v\n", "k:\n  - {}\n  - x\n"]))
def test_the_fast_path_never_reads_a_valid_scalar_differently(scalar, template):
    """Whatever rapidyaml accepts and libyaml reads too, both paths give the same value, key and type."""
    text = template.format(scalar)
    try:
        safe = _load_yaml_safe(text, "fuzz")
    except IngestError:
        return
    fast = _load_yaml_fast(text.encode())
    assert fast is None or repr(fast) == repr(safe)


@settings(max_examples=150, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    value=st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False)
        | st.text(max_size=12)
        | st.sampled_from(["inf", "nan", "yes", "012", "0x1F", "~", "True", "*a", "a: b", "1e5", "-"]),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
        max_leaves=20,
    ),
    flow=st.sampled_from([False, True, None]),
    width=st.sampled_from([20, 80]),
)
def test_dumped_documents_load_the_same_on_both_paths(value, flow, width):
    """Documents in every PyYAML dump style (flow, block, folded long lines) give the same values on both paths."""
    text = yaml.safe_dump({"root": value}, default_flow_style=flow, width=width, allow_unicode=True)
    fast = _load_yaml_fast(text.encode())
    assert fast is None or repr(fast) == repr(_load_yaml_safe(text, "dumped"))


def _corpus() -> list[str]:
    shared = Path(os.environ.get("VITESSE_SHARED_DIR", Path(__file__).resolve().parents[3].parent / "shared"))
    index = shared / "specs" / "index.json"
    return [entry["file"] for entry in json.loads(index.read_text())] if index.exists() else []


def test_the_corpus_is_there(specs_dir):
    """The corpus the next test walks exists (under CI it must)."""
    assert len(json.loads((specs_dir / "index.json").read_text())) >= 30


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("file", _corpus())
def test_every_corpus_spec_loads_as_pyyaml_reads_it(specs_dir, file):
    """Every real spec loads, equals PyYAML's (or the JSON module's) reading, and both YAML paths agree."""
    raw = (specs_dir / file).read_bytes()
    loaded = load_document(raw, source=file)
    if file.endswith(".json"):
        assert loaded == json.loads(raw)
        return
    reference = _normalised(yaml.load(raw, Loader=_Reference))
    assert _differences(reference, loaded) == []
    fast = _load_yaml_fast(raw)
    assert fast is None or fast == _load_yaml_safe(raw.decode(), file)


class _Reference(yaml.CSafeLoader):
    """PyYAML's C loader with timestamps left as written (the only reading we change on purpose)."""


_Reference.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def _normalised(value: Any) -> Any:
    if isinstance(value, dict):
        return {(str(k).lower() if isinstance(k, bool) else str(k)): _normalised(v) for k, v in value.items()}
    return [_normalised(v) for v in value] if isinstance(value, list) else value


def _differences(reference: Any, ours: Any, path: str = "") -> list[str]:
    """Where the two differ, except where YAML 1.1 (PyYAML) reads a number or boolean that YAML 1.2 leaves as text."""
    if isinstance(reference, dict) and isinstance(ours, dict) and reference.keys() == ours.keys():
        return [d for k in reference for d in _differences(reference[k], ours[k], f"{path}/{k}")]
    if isinstance(reference, list) and isinstance(ours, list) and len(reference) == len(ours):
        return [
            d for i, (r, o) in enumerate(zip(reference, ours, strict=True)) for d in _differences(r, o, f"{path}/{i}")
        ]
    if type(reference) is type(ours) and (reference == ours or reference != reference):
        return []
    yaml11_only = isinstance(ours, str) and isinstance(reference, int | float) and ":" in ours  # 18:00 -> 1080
    return [] if yaml11_only else [f"{path}: PyYAML {reference!r:.60} vs {ours!r:.60}"]


def _same(a: Any, b: Any) -> bool:
    return repr(a) == repr(b) if isinstance(a, dict) and isinstance(b, dict) else a == b


def _utf8(data: bytes | str) -> bytes:
    if isinstance(data, str):
        return data.removeprefix("\ufeff").encode()
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"), (b"\xef\xbb\xbf", "utf-8")):
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding).encode()
    return data


NON_ASCII = "é ü € ’ 中文 😀 𝔘"


@pytest.mark.parametrize(
    "text",
    [
        f"title: {NON_ASCII}\nlist: ['{NON_ASCII}', \"{NON_ASCII}\"]\n{NON_ASCII}: key\n",
        f"block: |\n  {NON_ASCII}\n  second line ✓\nflow: {{k: {NON_ASCII}}}\n",
    ],
)
def test_non_ascii_text_reads_the_same_on_the_fast_path_as_on_the_safe_one(text):
    """The fast path hands the JSON parser ASCII (escapes for the rest): the values are the same characters."""
    fast = _load_yaml_fast(text.encode())
    assert fast is not None, "the fast path takes this document"
    assert fast == _load_yaml_safe(text, "unicode")
    assert NON_ASCII in json.dumps(fast, ensure_ascii=False)


def test_non_ascii_json_reads_as_the_json_module_reads_it():
    raw = json.dumps({"a": NON_ASCII, NON_ASCII: [NON_ASCII]}, ensure_ascii=False).encode()
    assert load_document(raw) == json.loads(raw)


def test_invalid_utf8_past_the_first_megabyte_is_named_at_its_byte():
    """The text check decodes a megabyte at a time; the byte it names is still counted from the start."""
    head = ("k: " + "é" * 10 + "\n").encode() * 60_000  # about 1.4 MB, with two-byte characters across the chunk edge
    with pytest.raises(IngestError) as info:
        load_document(head + b"bad: \xff\n", source="big.yaml")
    assert info.value.reason == IngestReason.NOT_A_SPEC
    assert f"byte {len(head) + 5} is not valid UTF-8" in str(info.value)
    assert load_document(head + b"ok: yes\n")["ok"] == "yes"


def test_a_directive_line_sends_the_document_to_the_safe_path_and_a_percent_elsewhere_does_not():
    assert _load_yaml_fast(b"%YAML 1.2\n---\na: 1\n") is None
    assert _load_yaml_fast(b"# spec\r\n%YAML 1.2\r\n---\r\na: 1\r\n") is None
    assert load_document(b"%YAML 1.2\n---\na: 1\n") == {"a": 1}
    assert _load_yaml_fast(b"rate: 50%\nnote: '%d items'\n") == {"rate": "50%", "note": "%d items"}
