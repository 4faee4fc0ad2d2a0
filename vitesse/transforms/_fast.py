"""Fuse read → transform → write into one closure for the common one-source, one-value case.

This is the engine's hot path: most fields of a mapping are a plain path copied or converted into
another plain path, so these closures avoid every call that is not needed. The semantics are the
same as the generic path in `_program` (see the package docstring, rules R1–R3 and M1–M2).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from vitesse.transforms._paths import Segments, Writer, first_array, scalar_reader

NOVALUE: Any = object()
"""The field gets nothing written for this record."""
Run = Callable[[Mapping[str, Any], dict[str, Any]], None]


def _top_level_copy(key: str, write: Writer, missing: Callable[[], Any]) -> Run:
    def run(record: Mapping[str, Any], payload: dict[str, Any]) -> None:
        value = record.get(key)
        if value is None:
            value = missing()
            if value is NOVALUE:
                return
        write(payload, value)

    return run


def _copy(read: Callable[[Any], Any], write: Writer, missing: Callable[[], Any]) -> Run:
    def run(record: Mapping[str, Any], payload: dict[str, Any]) -> None:
        value = read(record)
        if value is None:
            value = missing()
            if value is NOVALUE:
                return
        write(payload, value)

    return run


def _convert(read: Callable[[Any], Any], fn: Callable[[Any], Any], write: Writer, missing: Callable[[], Any]) -> Run:
    def run(record: Mapping[str, Any], payload: dict[str, Any]) -> None:
        value = read(record)
        if value is not None:
            value = fn(value)
            if value is not None:
                write(payload, value)
                return
        value = missing()
        if value is not NOVALUE:
            write(payload, value)

    return run


def fused_run(fn: Callable[[Any], Any] | None, source: Segments, write: Writer, missing: Callable[[], Any]) -> Run:
    """Return one closure that reads `source`, applies `fn` (None: copy) and writes; records are Mappings."""
    if fn is None:
        if len(source) == 1 and first_array(source) is None:
            return _top_level_copy(source[0][0], write, missing)
        return _copy(scalar_reader(source), write, missing)
    if len(source) == 1 and first_array(source) is None:
        return _top_level_convert(source[0][0], fn, write, missing)
    return _convert(scalar_reader(source), fn, write, missing)


def _top_level_convert(key: str, fn: Callable[[Any], Any], write: Writer, missing: Callable[[], Any]) -> Run:
    def run(record: Mapping[str, Any], payload: dict[str, Any]) -> None:
        value = record.get(key)
        if value is not None:
            value = fn(value)
            if value is not None:
                write(payload, value)
                return
        value = missing()
        if value is not NOVALUE:
            write(payload, value)

    return run


def copy_block(source_parent: tuple[str, ...], dest_parent: tuple[str, ...], pairs: list[tuple[str, str]]) -> Run:
    """Return one closure for several bare copies that share a source object and a destination object.

    `pairs` are (source key, destination key). The source object is looked up once; the destination
    object is created only when one of the values is present, as the single-field writers would.
    """
    keys = tuple(pairs)

    def run(record: Mapping[str, Any], payload: dict[str, Any]) -> None:
        source: Any = record
        for name in source_parent:
            source = source.get(name) if type(source) is dict or isinstance(source, Mapping) else None
        if source is None or (type(source) is not dict and not isinstance(source, Mapping)):
            return
        target: Any = None
        for source_key, dest_key in keys:
            value = source.get(source_key)
            if value is not None:
                if target is None:
                    target = payload
                    for name in dest_parent:
                        child = target.get(name)
                        if type(child) is not dict:
                            child = target[name] = {}
                        target = child
                target[dest_key] = value

    return run
