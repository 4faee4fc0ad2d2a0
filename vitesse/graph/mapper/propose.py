"""Build a MappingLogic for one source endpoint and one destination endpoint (the offline path)."""

from __future__ import annotations

import numpy as np

from vitesse.errors import MappingError
from vitesse.graph.mapper import assign as assigning
from vitesse.graph.mapper.advice import endpoint_advice, rationale_note, unmapped_advice
from vitesse.graph.mapper.classify import classify_dest, is_noise_source
from vitesse.graph.mapper.complexity import complexity_score
from vitesse.graph.mapper.fields import FieldView, common_wrapper, view
from vitesse.graph.mapper.options import EndpointChoice, MapperOptions
from vitesse.graph.mapper.rationale import explain
from vitesse.graph.mapper.scoring import ScoreMatrix, build_matrix
from vitesse.graph.mapper.transforms_choice import choose
from vitesse.schemas import APISpecification, DataTransformation, Endpoint, MappingLogic, UnmappedField

MAPPER_VERSION = "1"


class Prepared:
    """The fields of one endpoint pair, classified and scored, ready for assignment (and for heal)."""

    def __init__(self, src: Endpoint, dst: Endpoint, options: MapperOptions) -> None:
        dest_fields = dst.body_fields()
        wrapper = common_wrapper(dest_fields, dst.request_body.array_wrapper if dst.request_body else None)
        self.dest_all = [view(f, wrapper) for f in dest_fields]
        self.skips = {v.path: classify_dest(v) for v in self.dest_all}
        active = [v for v in self.dest_all if self.skips[v.path] is None]
        sources = [view(f) for f in src.record_fields]
        sources = [v for v in sources if not is_noise_source(v)]
        embeddings = _embeddings(active, sources) if options.embeddings else None
        self.matrix: ScoreMatrix = build_matrix(active, sources, embeddings, options.embedding_weight)
        self.options = options
        self._source_at = {}
        for s in reversed(self.matrix.source):  # the first field of a path wins, as a scan would find it
            self._source_at[s.path] = s
        self._row_of = {}
        for i in range(len(self.matrix.dest) - 1, -1, -1):
            self._row_of[self.matrix.dest[i].path] = i

    def source_view(self, path: str) -> FieldView | None:
        return self._source_at.get(path)

    def dest_row(self, path: str) -> int | None:
        return self._row_of.get(path)


def _embeddings(dest: list[FieldView], source: list[FieldView]) -> np.ndarray | None:
    from vitesse.graph.mapper.embeddings import similarity_matrix

    return similarity_matrix([_text(d) for d in dest], [_text(s) for s in source])


def _text(v: FieldView) -> str:
    words = " ".join(w for w in v.rel_path.replace("[]", "").replace(".", " ").replace("_", " ").split())
    return f"{words}. {(v.field.description or '')[:160]}"


def match_fields(prep: Prepared) -> dict[int, assigning.Match]:
    """Run the assignment and the collect/split/array rules over prepared fields."""
    m, t = prep.matrix, prep.options.threshold
    matches = assigning.assign(m, t)
    assigning.make_coherent(m, matches)
    if prep.options.collect:
        assigning.add_collects(m, matches, t)
        assigning.add_item_arrays(m, matches, t)
    if prep.options.split:
        assigning.add_splits(m, matches, t)
    return matches


def to_transformation(prep: Prepared, match: assigning.Match) -> DataTransformation:
    """Turn one match into a DataTransformation with transform, confidence and rationale."""
    d = prep.matrix.dest[match.dest]
    sources = [prep.matrix.source[j] for j in match.sources]
    kind, config, why = choose(d, sources, match.kind, match.config)
    parts = prep.matrix.parts.get((match.dest, match.sources[0]), {})
    confidence = round(min(1.0, match.score) * (0.97 if kind.value != "direct" else 1.0), 3)
    return DataTransformation(
        source_fields=[s.path for s in sources],
        dest_field=d.path,
        transform_type=kind,
        transform_config=config,
        confidence=confidence,
        rationale=explain(d, sources, parts, match.kind, why),
        required=d.field.required,
    )


def unmapped(prep: Prepared, matches: dict[int, assigning.Match]) -> list[UnmappedField]:
    """List every destination field left empty, with its reason and the best candidates."""
    mapped = {prep.matrix.dest[i].path for i in matches}
    out: list[UnmappedField] = []
    for v in prep.dest_all:
        if v.path in mapped:
            continue
        skip = prep.skips[v.path]
        row = prep.dest_row(v.path)
        cands = assigning.best_candidates(prep.matrix, row, prep.options.candidates) if row is not None else []
        reason = skip.value if skip else ("below_threshold" if cands else "no_candidate")
        out.append(UnmappedField(dest_field=v.path, required=v.field.required, reason=reason, candidates=cands))
    return out


def build_logic(prep: Prepared, matches: dict[int, assigning.Match], choice: EndpointChoice) -> MappingLogic:
    """Assemble the MappingLogic (transformations in destination order, unmapped lists, complexity, advice)."""
    order = {v.path: k for k, v in enumerate(prep.dest_all)}
    ts = sorted((to_transformation(prep, m) for m in matches.values()), key=lambda t: order.get(t.dest_field, 0))
    logic = MappingLogic(
        source_endpoint=choice.source_endpoint,
        dest_endpoint=choice.dest_endpoint,
        source_records_at=choice.source_records_at,
        dest_array_wrapper=choice.dest_array_wrapper,
        transformations=ts,
        unmapped_dest=unmapped(prep, matches),
        unmapped_source=assigning.unused_sources(prep.matrix, matches),
        produced_by="offline",
        rationale=choice.rationale,
        alternatives={"source": choice.source_alternatives, "dest": choice.dest_alternatives},
    )
    logic.complexity_score = complexity_score(logic)
    logic.warnings = endpoint_advice(choice) + unmapped_advice(logic)
    logic.rationale += rationale_note(choice, logic)
    return logic


def endpoints_of(source: APISpecification, dest: APISpecification, choice: EndpointChoice) -> tuple[Endpoint, Endpoint]:
    src, dst = source.find_endpoint(choice.source_endpoint), dest.find_endpoint(choice.dest_endpoint)
    if src is None or dst is None:
        raise MappingError(f"endpoint {choice.source_endpoint} or {choice.dest_endpoint} vanished from the spec")
    return src, dst
