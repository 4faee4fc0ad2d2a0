"""Parse field paths once and turn them into fast readers and writers.

A path is dot-separated property names; a name followed by `[]` is an array whose elements the
path goes through (`address.city`, `emails[].value`, `labels[]`). The rules the engine builds on
are written out in `vitesse.transforms` (the package docstring); this module implements them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Segment = tuple[str, bool]
"""One path step: the property name and whether it is an array (`[]`)."""
Segments = tuple[Segment, ...]
Reader = Callable[[Any], Any]
Writer = Callable[[dict[str, Any], Any], None]

SKIP: Any = object()
"""In an element-wise value list: this element has no value (nothing is written for it)."""


def parse_path(text: str) -> Segments:
    """Split a path into segments; raise ValueError when it does not follow the convention."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("a field path must be a non-empty string")
    segments: list[Segment] = []
    for part in text.strip().split("."):
        is_array = part.endswith("[]")
        name = part[:-2] if is_array else part
        if not name or "[" in name or "]" in name:
            raise ValueError(f"'{text}' is not a field path (bad segment '{part}'; use names, dots and a trailing [])")
        segments.append((name, is_array))
    return tuple(segments)


def path_text(segments: Segments) -> str:
    """Render segments back to the path convention."""
    return ".".join(name + ("[]" if arr else "") for name, arr in segments)


def first_array(segments: Segments) -> int | None:
    """Return the index of the first `[]` segment, or None when the path has none."""
    for i, (_, is_array) in enumerate(segments):
        if is_array:
            return i
    return None


def _get(obj: Any, name: str) -> Any:
    if type(obj) is dict or isinstance(obj, Mapping):
        return obj.get(name)
    return None


# --------------------------------------------------------------------------------------------
# Readers
# --------------------------------------------------------------------------------------------


def _plain_reader(names: tuple[str, ...]) -> Reader:
    if len(names) == 1:
        (a,) = names

        def read1(obj: Any) -> Any:
            return obj.get(a) if type(obj) is dict or isinstance(obj, Mapping) else None

        return read1
    if len(names) == 2:
        a, b = names

        def read2(obj: Any) -> Any:
            v = obj.get(a) if type(obj) is dict or isinstance(obj, Mapping) else None
            if type(v) is dict or isinstance(v, Mapping):
                return v.get(b)
            return None

        return read2

    def read_n(obj: Any) -> Any:
        for name in names:
            if type(obj) is not dict and not isinstance(obj, Mapping):
                return None
            obj = obj.get(name)
        return obj

    return read_n


def _collect(obj: Any, segments: Segments, start: int, out: list[Any]) -> None:
    for i in range(start, len(segments)):
        name, is_array = segments[i]
        obj = _get(obj, name)
        if obj is None:
            return
        if is_array:
            items = obj if isinstance(obj, list) else [obj]
            if i + 1 == len(segments):
                out.extend(item for item in items if item is not None)
            else:
                for item in items:
                    _collect(item, segments, i + 1, out)
            return
    out.append(obj)


def list_reader(segments: Segments) -> Reader:
    """Return a reader of every non-null value the path reaches, flattened; None when there is none.

    A path without `[]` reaches one value, which is returned as it is (collecting transforms flatten
    lists themselves).
    """
    if first_array(segments) is None:
        return _plain_reader(tuple(name for name, _ in segments))

    def read(obj: Any) -> Any:
        out: list[Any] = []
        _collect(obj, segments, 0, out)
        return out or None

    return read


def scalar_reader(segments: Segments) -> Reader:
    """Return a reader of one value: the value at the path, or the first non-null one through `[]` levels."""
    if first_array(segments) is None:
        return _plain_reader(tuple(name for name, _ in segments))
    read_all = list_reader(segments)

    def read_first(obj: Any) -> Any:
        values = read_all(obj)
        return values[0] if values else None

    return read_first


def element_reader(inner: Segments, *, aggregate: bool) -> Reader:
    """Return a reader for the part of a path inside one array element (empty: the element itself)."""
    if not inner:
        if aggregate:
            return lambda el: None if el is None else [el]
        return lambda el: el
    return list_reader(inner) if aggregate else scalar_reader(inner)


def outer_reader(outer: Segments) -> Reader:
    """Return a reader of the array a path iterates over: a list, or None when absent (a lone value is wrapped)."""
    read = _plain_reader(tuple(name for name, _ in outer))

    def read_items(obj: Any) -> Any:
        value = read(obj)
        if value is None or isinstance(value, list):
            return value
        return [value]

    return read_items


# --------------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------------


def writer(segments: Segments) -> Writer:
    """Return a writer of one value at the path (creating objects and arrays on the way)."""
    name, is_array = segments[0]
    if len(segments) == 1:
        if is_array:

            def write_leaf_array(target: dict[str, Any], value: Any) -> None:
                target[name] = value if isinstance(value, list) else [value]

            return write_leaf_array

        def write_leaf(target: dict[str, Any], value: Any) -> None:
            target[name] = value

        return write_leaf
    if len(segments) == 2 and not is_array and not segments[1][1]:
        leaf = segments[1][0]

        def write_two(target: dict[str, Any], value: Any) -> None:
            child = target.get(name)
            if type(child) is not dict:
                child = target[name] = {}
            child[leaf] = value

        return write_two
    sub = writer(segments[1:])
    if is_array:

        def write_into_elements(target: dict[str, Any], value: Any) -> None:
            items = target.get(name)
            if not isinstance(items, list):
                items = target[name] = [{}]
            for item in items:
                if isinstance(item, dict):
                    sub(item, value)

        return write_into_elements

    def write_into_object(target: dict[str, Any], value: Any) -> None:
        child = target.get(name)
        if not isinstance(child, dict):
            child = target[name] = {}
        sub(child, value)

    return write_into_object


def each_writer(segments: Segments) -> Writer:
    """Return a writer of a per-element value list into the path's first array (element i gets value i)."""
    index = first_array(segments)
    if index is None:
        raise ValueError(f"'{path_text(segments)}' has no [] to write elements into")
    parents, (name, _), inner = segments[:index], segments[index], segments[index + 1 :]
    sub = writer(inner) if inner else None

    def parent_of(target: dict[str, Any]) -> dict[str, Any]:
        for parent_name, _ in parents:
            child = target.get(parent_name)
            if not isinstance(child, dict):
                child = target[parent_name] = {}
            target = child
        return target

    def write_each(target: dict[str, Any], values: Any) -> None:
        parent = parent_of(target)
        if sub is None:
            parent[name] = [v for v in values if v is not SKIP]
            return
        items = parent.get(name)
        if not isinstance(items, list):
            items = parent[name] = []
        while len(items) < len(values):
            items.append({})
        for item, value in zip(items, values, strict=False):
            if value is not SKIP and isinstance(item, dict):
                sub(item, value)

    return write_each


def conflict(a: Segments, b: Segments) -> str | None:
    """Explain why two destination paths cannot both be written, or return None when they can."""
    if a == b:
        return "both write the same field"
    shared = min(len(a), len(b))
    for (name_a, arr_a), (name_b, arr_b) in zip(a[:shared], b[:shared], strict=True):
        if name_a != name_b:
            return None
        if arr_a != arr_b:
            return f"they disagree on whether '{name_a}' is an array"
    return "one writes inside the other"
