"""Compile a MappingLogic into a CompiledMapping and run it over records and batches."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from vitesse.errors import TransformError
from vitesse.schemas import DataTransformation, MappingLogic
from vitesse.transforms import _builtins  # noqa: F401  (registers the built-in custom functions)
from vitesse.transforms._fast import NOVALUE, copy_block
from vitesse.transforms._paths import SKIP, conflict, first_array
from vitesse.transforms._program import Program, build_program
from vitesse.transforms._results import BatchResult, FieldError, RecordResult, excerpt, safe_message
from vitesse.transforms._values import NO_VALUE, FieldFailure, a_type

Run = Callable[[Mapping[str, Any], dict[str, Any]], None]


def _check_destinations(programs: list[Program]) -> None:
    for i, a in enumerate(programs):
        for b in programs[i + 1 :]:
            why = conflict(a.dest_segments, b.dest_segments)
            if why:
                raise TransformError(f"Destination fields '{a.dest}' and '{b.dest}' cannot both be written: {why}")


def _object_arrays(programs: tuple[Program, ...]) -> tuple[tuple[tuple[str, ...], str], ...]:
    """Where element-wise programs write arrays of objects: (parent names, array name)."""
    found: list[tuple[tuple[str, ...], str]] = []
    for program in programs:
        index = first_array(program.dest_segments)
        if program.each and index is not None and index + 1 < len(program.dest_segments):
            place = (tuple(name for name, _ in program.dest_segments[:index]), program.dest_segments[index][0])
            if place not in found:
                found.append(place)
    return tuple(found)


def _drop_empty_elements(payload: dict[str, Any], places: tuple[tuple[tuple[str, ...], str], ...]) -> None:
    for parents, name in places:
        target: Any = payload
        for parent in parents:
            target = target.get(parent) if isinstance(target, dict) else None
        items = target.get(name) if isinstance(target, dict) else None
        if isinstance(items, list) and {} in items:
            target[name] = [item for item in items if item != {}]


def _plan(programs: tuple[Program, ...]) -> dict[Run, Program]:
    """Order the runs; bare copies sharing a source and a destination object become one copy block."""
    blocks: dict[tuple[tuple[str, ...], tuple[str, ...]], list[Program]] = {}
    for program in programs:
        if program.plain_copy is not None:
            source, dest = program.plain_copy
            blocks.setdefault((source[:-1], dest[:-1]), []).append(program)
    plan: dict[Run, Program] = {}
    for program in programs:
        if program.plain_copy is None:
            plan[program.run] = program
            continue
        source, dest = program.plain_copy
        members = blocks.pop((source[:-1], dest[:-1]), None)
        if members is None:
            continue  # already planned with the first member of its block
        if len(members) == 1:
            plan[program.run] = program
            continue
        pairs = [(m.plain_copy[0][-1], m.plain_copy[1][-1]) for m in members if m.plain_copy]
        run = copy_block(source[:-1], dest[:-1], pairs)
        plan[run] = Program(
            ", ".join(m.dest for m in members),
            program.dest_segments,
            [s for m in members for s in m.sources],
            False,
            run,
            program.compute,
            lambda record: None,
            any(m.sensitive for m in members),
        )
    return plan


class CompiledMapping:
    """A mapping with every path parsed and every config checked; `apply` only runs closures.

    Element-wise transformations run first, so a scalar written into the same array (`items[].currency`
    from `currency`) reaches every element they created.
    """

    __slots__ = ("mapping", "programs", "_runs", "_by_run", "_object_arrays")

    def __init__(self, mapping: MappingLogic, programs: list[Program]) -> None:
        self.mapping = mapping
        self.programs = tuple(sorted(programs, key=lambda p: not p.each))
        self._by_run = _plan(self.programs)
        self._runs: tuple[Run, ...] = tuple(self._by_run)
        self._object_arrays = _object_arrays(self.programs)

    @property
    def dest_fields(self) -> list[str]:
        """The destination fields this mapping writes, in run order."""
        return [p.dest for p in self.programs]

    def _error(self, run: Run, exc: Exception, record: Mapping[str, Any]) -> FieldError:
        program = self._by_run[run]
        value = exc.value if isinstance(exc, FieldFailure) else NO_VALUE
        if value is NO_VALUE:
            try:
                value = program.first_source(record)
            except Exception:  # reporting must not fail on a strange record
                value = None
        shown = excerpt(value, sensitive=program.sensitive)
        return FieldError(program.dest, list(program.sources), safe_message(exc, value, program.sensitive), shown)

    def _fill(self, record: Any, payload: dict[str, Any]) -> list[FieldError] | None:
        if type(record) is not dict and not isinstance(record, Mapping):
            message = f"the record is {a_type(record)}, not an object"
            return [FieldError("*", [], message, excerpt(record))]
        errors = None
        for run in self._runs:
            try:
                run(record, payload)
            except Exception as exc:  # per-record failures are collected, never raised
                if errors is None:
                    errors = []
                errors.append(self._error(run, exc, record))
        if self._object_arrays:
            _drop_empty_elements(payload, self._object_arrays)
        return errors

    def apply(self, record: Mapping[str, Any]) -> RecordResult:
        """Map one source record; failed fields are left out of the payload and listed in `errors`."""
        payload: dict[str, Any] = {}
        errors = self._fill(record, payload)
        return RecordResult(payload, errors or [])

    def apply_batch(self, records: Iterable[Mapping[str, Any]]) -> BatchResult:
        """Map many records; one payload per record (same order), errors keyed by record index."""
        payloads: list[dict[str, Any]] = []
        failed: dict[int, list[FieldError]] = {}
        fill = self._fill
        for index, record in enumerate(records):
            payload: dict[str, Any] = {}
            errors = fill(record, payload)
            if errors:
                failed[index] = errors
            payloads.append(payload)
        return BatchResult(payloads, failed)


def compile_mapping(
    mapping: MappingLogic, *, registry: Mapping[str, Callable[..., Any]] | None = None
) -> CompiledMapping:
    """Compile every transformation of a mapping once.

    Args:
        mapping: the mapping to compile.
        registry: extra custom functions, looked up before the process-wide `CUSTOM_FUNCTIONS`.

    Returns:
        The compiled mapping.

    Raises:
        TransformError: a transformation is misconfigured (the message names the destination field and the
            bad key), or two destination fields cannot both be written.
    """
    programs = [build_program(t, registry or {}) for t in mapping.transformations]
    _check_destinations(programs)
    return CompiledMapping(mapping, programs)


def _public(value: Any) -> Any:
    if value is NOVALUE:
        return None
    if isinstance(value, list):
        return [None if v is SKIP else v for v in value]
    return value


def compile_transformation(
    t: DataTransformation, *, registry: Mapping[str, Callable[..., Any]] | None = None
) -> Callable[[Mapping[str, Any]], Any]:
    """Compile one transformation into a function from a source record to the value it would write.

    The function returns None when nothing would be written, a per-element list for element-wise
    transformations, and raises TransformError when the record makes the transformation fail.
    """
    program = build_program(t, registry or {})

    def value_of(record: Mapping[str, Any]) -> Any:
        if not isinstance(record, Mapping):
            raise TransformError(f"'{program.dest}': the record is {a_type(record)}, not an object")
        try:
            return _public(program.compute(record))
        except Exception as exc:
            shown = excerpt(exc.value if isinstance(exc, FieldFailure) else None, sensitive=program.sensitive)
            suffix = f" (value: {shown})" if shown is not None else ""
            value = exc.value if isinstance(exc, FieldFailure) else None
            message = safe_message(exc, value, program.sensitive)
            raise TransformError(f"'{program.dest}': {message}{suffix}") from None

    return value_of


def apply_transformation(t: DataTransformation, record: Mapping[str, Any]) -> Any:
    """Apply one transformation to one record (see `compile_transformation`): the mapper's single-field check."""
    return compile_transformation(t)(record)
