"""Assign source fields to destination fields.

An optimal one-to-one assignment over the score matrix (Hungarian, scipy's linear_sum_assignment) above a
threshold, then the explicit many-to-one (collect, item arrays) and one-to-many (split) cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from vitesse.graph.mapper import signals
from vitesse.graph.mapper.fields import FieldView
from vitesse.graph.mapper.scoring import ScoreMatrix
from vitesse.graph.mapper.tokens import normalise

_LABEL_CONCEPTS = ("@title", "@name", "@description")
_PERSON_NAMES = frozenset({"@full_name", "@name"})


@dataclass
class Match:
    dest: int
    sources: list[int]
    score: float
    kind: str = "one"
    """one, collect (many sources → one field), split (one source → part of a name), items (array of objects)."""
    config: dict[str, object] = field(default_factory=dict)


def assign(matrix: ScoreMatrix, threshold: float) -> dict[int, Match]:
    """Return the optimal one-to-one matches scoring at least `threshold`, keyed by destination row."""
    if not matrix.dest or not matrix.source:
        return {}
    # Maximise the total margin over the threshold, so two weak matches never outweigh one strong one.
    eligible = np.where(matrix.scores >= threshold, matrix.scores - threshold + 1e-6, 0.0)
    rows, cols = linear_sum_assignment(eligible, maximize=True)
    out: dict[int, Match] = {}
    for r, c in zip(rows, cols, strict=True):
        score = float(matrix.scores[r, c])
        if score >= threshold:
            out[int(r)] = Match(dest=int(r), sources=[int(c)], score=score)
    return out


def _concept_fields(views: list[FieldView], concept: str) -> list[int]:
    return [j for j, v in enumerate(views) if concept in {t for t, w in v.leaf if w >= 0.5}]


def _parent(path: str) -> str:
    return path.rsplit(".", 1)[0] if "." in path else ""


def _structure(d: FieldView, s: FieldView) -> float:
    context = signals.context_factor(d, s) * signals.role_factor(d, s)
    return context * signals.array_factor(d, s) * signals.type_factor(d, s)


def add_collects(matrix: ScoreMatrix, matches: dict[int, Match], threshold: float) -> None:
    """Fill full-name fields from first + last name when no single source name matches as well."""
    firsts = _concept_fields(matrix.source, "@first_name")
    lasts = {_parent(matrix.source[j].rel_path): j for j in _concept_fields(matrix.source, "@last_name")}
    for i, d in enumerate(matrix.dest):
        terms = {t for t, _ in d.leaf}
        if not terms & _PERSON_NAMES or d.kind not in ("string", "any"):
            continue
        extra = {t for t, w in d.leaf if w >= 0.5} - _PERSON_NAMES
        best: tuple[float, int, int] | None = None
        for f in firsts:
            last = lasts.get(_parent(matrix.source[f].rel_path))
            if last is None or not extra <= {t for t, _ in matrix.source[f].context}:
                continue
            s = matrix.source[f]
            context = 1.0 if extra else signals.context_factor(d, s)
            score = 0.9 * context * signals.role_factor(d, s) * signals.array_factor(d, s)
            if best is None or score > best[0]:
                best = (score, f, last)
        current = matches[i].score if i in matches else 0.0
        if best is not None and best[0] >= threshold and best[0] > current + 0.02:
            matches[i] = Match(i, [best[1], best[2]], best[0], "collect", {"as": "string", "separator": " "})


def add_splits(matrix: ScoreMatrix, matches: dict[int, Match], threshold: float) -> None:
    """Split a single full name into first and last name when the destination has no full-name field."""
    dest_concepts = {t for d in matrix.dest for t, w in d.leaf if w >= 0.5}
    if dest_concepts & _PERSON_NAMES:
        return
    names = [j for j, s in enumerate(matrix.source) if {t for t, w in s.leaf if w >= 0.5} <= _PERSON_NAMES]
    for i, d in enumerate(matrix.dest):
        part = (
            "first"
            if "@first_name" in {t for t, _ in d.leaf}
            else "rest"
            if "@last_name" in {t for t, _ in d.leaf}
            else None
        )
        if part is None or i in matches:
            continue
        scored = [(0.85 * _structure(d, matrix.source[j]), j) for j in names]
        scored = [x for x in scored if x[0] >= threshold]
        if scored:
            score, j = max(scored)
            matches[i] = Match(i, [j], score, "split", {"part": part})


def _groups(source: list[FieldView]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for j, s in enumerate(source):
        head, sep, rest = s.rel_path.partition("[].")
        if sep and "." not in rest and "[]" not in rest and s.kind in ("string", "integer", "number"):
            groups.setdefault(head, []).append(j)
    return groups


def _core_members(source: list[FieldView], members: list[int]) -> list[int]:
    by_concept: dict[str, int] = {}
    for j in members:
        for term, weight in source[j].leaf:
            if weight >= 0.5:
                by_concept.setdefault(term, j)
    chosen = [by_concept[c] for c in _LABEL_CONCEPTS if c in by_concept][:1]
    chosen += [by_concept[c] for c in ("@quantity", "@unit_price", "rate", "amount") if c in by_concept]
    return list(dict.fromkeys(chosen))


def add_item_arrays(matrix: ScoreMatrix, matches: dict[int, Match], threshold: float) -> None:
    """Build an untyped destination array (`Line[]`) from the core fields of a matching source array."""
    groups = _groups(matrix.source)
    for i, d in enumerate(matrix.dest):
        if not d.rel_path.endswith("[]") or d.kind not in ("any", "object"):
            continue
        best: tuple[float, list[int]] | None = None
        for head, members in groups.items():
            words = normalise(head.rsplit(".", 1)[-1])
            dest_words = {t for t, w in d.leaf if w >= 0.5}
            from vitesse.graph.mapper.fields import match_concepts

            overlap = dest_words & set(match_concepts(words))
            core = _core_members(matrix.source, members)
            if overlap and len(core) >= 2:
                score = 0.9 if "." not in head else 0.75
                if best is None or score > best[0]:
                    best = (score, core)
        if best is not None and best[0] >= threshold and best[0] > (matches[i].score if i in matches else 0):
            keys = [matrix.source[j].rel_path.rsplit(".", 1)[-1] for j in best[1]]
            matches[i] = Match(i, best[1], best[0], "items", {"keys": keys})


def make_coherent(matrix: ScoreMatrix, matches: dict[int, Match], margin: float = 0.85) -> None:
    """Fill the fields of one destination object from one source object when the scores allow it.

    `mailing_address.street` should not come from `shipping_address` while its siblings come from
    `billing_address`: a member is moved to the object most siblings use when a source there scores at
    least `margin` times its current score and is free.
    """
    groups: dict[str, list[Match]] = {}
    for m in matches.values():
        if m.kind == "one" and "." in matrix.dest[m.dest].rel_path:
            groups.setdefault(_parent(matrix.dest[m.dest].rel_path), []).append(m)
    used = {j for m in matches.values() for j in m.sources}
    for members in groups.values():
        parents = [_parent(matrix.source[m.sources[0]].rel_path) for m in members]
        dominant = max(set(parents), key=lambda p: (parents.count(p), sum(m.score for m in members)))
        for m, parent in zip(members, parents, strict=True):
            if parent == dominant:
                continue
            options = [
                (float(matrix.scores[m.dest, j]), j)
                for j, s in enumerate(matrix.source)
                if j not in used and _parent(s.rel_path) == dominant and matrix.scores[m.dest, j] >= margin * m.score
            ]
            if options:
                score, j = max(options)
                used.discard(m.sources[0])
                used.add(j)
                m.sources, m.score = [j], score


def best_candidates(matrix: ScoreMatrix, row: int, k: int) -> list[tuple[str, float]]:
    """Return the k best source paths for a destination row with their rounded scores."""
    return [(matrix.source[c].path, round(s, 3)) for c, s in matrix.ranked(row, k)]


def unused_sources(matrix: ScoreMatrix, matches: dict[int, Match]) -> list[str]:
    used = {j for m in matches.values() for j in m.sources}
    return [s.path for j, s in enumerate(matrix.source) if j not in used]


__all__ = ["Match", "add_collects", "add_item_arrays", "add_splits", "assign", "best_candidates", "np"]
