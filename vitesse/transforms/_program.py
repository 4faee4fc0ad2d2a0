"""Turn one DataTransformation into a program: paths parsed, config checked, closures ready to run."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from vitesse.errors import TransformError
from vitesse.schemas import DataTransformation, TransformType
from vitesse.transforms import _compound, _simple
from vitesse.transforms._config import ConfigReader, Kernel, Registry, fresh
from vitesse.transforms._fast import NOVALUE, Run, fused_run
from vitesse.transforms._paths import (
    SKIP,
    Reader,
    Segments,
    Writer,
    each_writer,
    element_reader,
    first_array,
    list_reader,
    outer_reader,
    parse_path,
    path_text,
    scalar_reader,
    writer,
)
from vitesse.transforms._results import is_sensitive
from vitesse.transforms._values import FieldFailure, describe

Compiler = Callable[[DataTransformation, Registry], Kernel]
COMPILERS: dict[TransformType, Compiler] = {
    TransformType.DIRECT: _simple.compile_direct,
    TransformType.MAPPING: _simple.compile_mapping,
    TransformType.ENUM: _simple.compile_enum,
    TransformType.PARSE: _simple.compile_parse,
    TransformType.STRINGIFY: _simple.compile_stringify,
    TransformType.PARSE_BOOL: _simple.compile_parse_bool,
    TransformType.SPLIT: _simple.compile_split,
    TransformType.DEFAULT: _simple.compile_default,
    TransformType.CONSTANT: _simple.compile_constant,
    TransformType.FLATTEN: _simple.compile_flatten,
    TransformType.COLLECT: _compound.compile_collect,
    TransformType.NEST: _compound.compile_nest,
    TransformType.CUSTOM: _compound.compile_custom,
    TransformType.FORMAT: _compound.compile_format,
    TransformType.EXPRESSION: _compound.compile_expression,
}
_ONE = (1, 1)
SOURCE_COUNTS: dict[TransformType, tuple[int, int | None]] = {
    **{kind: _ONE for kind in COMPILERS},
    TransformType.COLLECT: (1, None),
    TransformType.NEST: (1, None),
    TransformType.FORMAT: (1, None),
    TransformType.CUSTOM: (0, None),
    TransformType.EXPRESSION: (0, None),
    TransformType.CONSTANT: (0, 0),
}


@dataclass(frozen=True, slots=True)
class Program:
    """One compiled transformation, ready for the engine's loop."""

    dest: str
    dest_segments: Segments
    sources: list[str]
    each: bool
    """True when it maps element-wise: one destination element per source element."""
    run: Run
    """Compute the value and write it into the payload; raises on a per-record failure."""
    compute: Callable[[Mapping[str, Any]], Any]
    """Compute the value only (NOVALUE when nothing would be written; a list with SKIP holes for each)."""
    first_source: Reader
    sensitive: bool
    plain_copy: tuple[tuple[str, ...], tuple[str, ...]] | None = None
    """(source names, destination names) when this is a bare copy between array-free paths that omits
    missing values: the engine may then run it inside a copy block (see `_fast.copy_block`)."""


def _on_missing(t: DataTransformation, opts: ConfigReader, *, skip: Any) -> Callable[[], Any]:
    if opts.has("default"):
        return fresh(opts.config["default"])
    if opts.get("keep_null", bool, False):
        return lambda: None
    if t.required:

        def fail() -> Any:
            raise FieldFailure("the destination requires this field and the source has no value")

        return fail
    return lambda: skip


def _scalar_one(kernel: Kernel, read: Reader, missing: Callable[[], Any]) -> Callable[[Any], Any]:
    fn = kernel.fn
    if kernel.identity:

        def compute_identity(record: Any) -> Any:
            value = read(record)
            return value if value is not None else missing()

        return compute_identity

    def compute(record: Any) -> Any:
        value = read(record)
        if value is not None:
            value = fn(value)
            if value is not None:
                return value
        return missing()

    return compute


def _scalar_many(kernel: Kernel, sources: list[Segments], missing: Callable[[], Any]) -> Callable[[Any], Any]:
    fn = kernel.fn
    if all(len(s) == 1 and not s[0][1] for s in sources):
        keys = [s[0][0] for s in sources]

        def compute_top_level(record: Any) -> Any:
            values = list(map(record.get, keys))
            if values.count(None) != len(values):
                value = fn(values)
                if value is not None:
                    return value
            return missing()

        return compute_top_level
    make = list_reader if kernel.aggregate else scalar_reader
    readers = [make(s) for s in sources]

    def compute(record: Any) -> Any:
        values = [read(record) for read in readers]
        if values.count(None) != len(values):
            value = fn(values)
            if value is not None:
                return value
        return missing()

    return compute


def _scalar_compute(kernel: Kernel, sources: list[Segments], missing: Callable[[], Any]) -> Callable[[Any], Any]:
    if kernel.kind == "none":
        fn = kernel.fn
        return lambda record: v if (v := fn()) is not None else missing()
    if kernel.kind == "record":
        fn = kernel.fn
        return lambda record: v if (v := fn(record)) is not None else missing()
    if kernel.kind == "one":
        make = list_reader if kernel.aggregate else scalar_reader
        return _scalar_one(kernel, make(sources[0]), missing)
    return _scalar_many(kernel, sources, missing)


def _element_call(kernel: Kernel) -> Callable[[list[Any]], Any]:
    fn = kernel.fn
    if kernel.kind == "many":
        return fn
    if kernel.identity:
        return lambda values: values[0]
    return lambda values: fn(values[0])


def _each_compute(
    t: DataTransformation, kernel: Kernel, sources: list[Segments], missing: Callable[[], Any]
) -> Callable[[Any], Any]:
    starts = [first_array(s) for s in sources]
    outers = {s[: i + 1] for s, i in zip(sources, starts, strict=True) if i is not None}
    if len(outers) > 1:
        names = " and ".join(sorted(path_text(o) for o in outers))
        raise TransformError(
            f"Transformation for '{t.dest_field}': element-wise sources must iterate over one array, not {names} "
            "(use collect, or custom with lists: true)"
        )
    items_of = outer_reader(next(iter(outers)))
    inner = [
        None if i is None else element_reader(s[i + 1 :], aggregate=kernel.aggregate)
        for s, i in zip(sources, starts, strict=True)
    ]
    whole = list_reader if kernel.aggregate else scalar_reader
    broadcast = [whole(s) if i is None else None for s, i in zip(sources, starts, strict=True)]
    call = _element_call(kernel)

    def missing_array() -> Any:
        if t.required:
            raise FieldFailure("the destination requires this field and the source array is missing")
        return NOVALUE

    def one(values: list[Any]) -> Any:
        value = call(values) if values.count(None) != len(values) else None
        return value if value is not None else missing()

    def compute(record: Any) -> Any:
        items = items_of(record)
        if items is None:
            return missing_array()
        shared = [read(record) if read is not None else None for read in broadcast]
        out: list[Any] = []
        failures = 0
        first: tuple[int, Exception] | None = None
        for index, item in enumerate(items):
            values = [read(item) if read is not None else shared[j] for j, read in enumerate(inner)]
            try:
                out.append(one(values))
            except Exception as exc:  # one bad element fails the field, reported once with a count
                failures += 1
                first = first or (index, exc)
                out.append(SKIP)
        if first is not None:
            where, problem = first
            value = problem.value if isinstance(problem, FieldFailure) else None
            message = f"{failures} of {len(items)} elements failed; element {where}: {describe(problem)}"
            raise FieldFailure(message, value)
        return out

    return compute


def _generic_run(compute: Callable[[Any], Any], write: Writer) -> Run:
    def run(record: Mapping[str, Any], payload: dict[str, Any]) -> None:
        value = compute(record)
        if value is not NOVALUE:
            write(payload, value)

    return run


def _parse(t: DataTransformation, path: str, role: str) -> Segments:
    try:
        return parse_path(path)
    except ValueError as exc:
        raise TransformError(f"Transformation for '{t.dest_field}' ({t.transform_type.value}): {role} {exc}") from None


def _wants_each(
    t: DataTransformation, kernel: Kernel, opts: ConfigReader, dest: Segments, sources: list[Segments]
) -> bool:
    possible = (
        first_array(dest) is not None
        and any(first_array(s) is not None for s in sources)
        and kernel.kind in ("one", "many")
    )
    each = opts.get("each", bool, None)
    if each and not possible:
        raise opts.error("each", "needs a [] destination, a [] source and a transform that reads its sources")
    return possible and not kernel.aggregate if each is None else each


def build_program(t: DataTransformation, registry: Registry) -> Program:
    """Compile one transformation; raise TransformError naming the field for anything wrong with it."""
    kind = t.transform_type
    dest = _parse(t, t.dest_field, "dest_field")
    sources = [_parse(t, s, "source field") for s in t.source_fields]
    low, high = SOURCE_COUNTS[kind]
    if not low <= len(sources) <= (high if high is not None else len(sources)):
        wanted = f"exactly {low}" if low == high else f"at least {low}"
        raise TransformError(
            f"Transformation for '{t.dest_field}' ({kind.value}) takes {wanted} source field(s), not {len(sources)}"
        )
    kernel = COMPILERS[kind](t, registry)
    opts = ConfigReader(t, tuple(t.transform_config or ()))
    each = _wants_each(t, kernel, opts, dest, sources)
    if each:
        compute = _each_compute(t, kernel, sources, _on_missing(t, opts, skip=SKIP))
        run = _generic_run(compute, each_writer(dest))
    else:
        missing = _on_missing(t, opts, skip=NOVALUE)
        compute = _scalar_compute(kernel, sources, missing)
        if kernel.kind == "one" and not kernel.aggregate:
            run = fused_run(kernel.fn if not kernel.identity else None, sources[0], writer(dest), missing)
        else:
            run = _generic_run(compute, writer(dest))
    first = scalar_reader(sources[0]) if sources else (lambda record: None)
    plain = not each and kernel.identity and kernel.kind == "one" and not opts.has("default")
    plain = plain and not opts.get("keep_null", bool, False) and not t.required
    plain = plain and first_array(dest) is None and first_array(sources[0]) is None
    return Program(
        t.dest_field,
        dest,
        list(t.source_fields),
        each,
        run,
        compute,
        first,
        is_sensitive(t.dest_field, *t.source_fields),
        (tuple(n for n, _ in sources[0]), tuple(n for n, _ in dest)) if plain else None,
    )
