"""Build the score matrix of destination × source fields from the signals, pruning pairs with nothing in common."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from vitesse.graph.mapper import signals
from vitesse.graph.mapper.classify import is_reference
from vitesse.graph.mapper.fields import FieldView
from vitesse.graph.mapper.lexicon import RELATED

FUZZY_FLOOR = 0.8
"""Leaf names at least this alike (rapidfuzz ratio) are scored even without a shared term."""


@dataclass
class ScoreMatrix:
    dest: list[FieldView]
    source: list[FieldView]
    scores: np.ndarray
    """dest × source, 0 where a pair was pruned."""
    parts: dict[tuple[int, int], dict[str, float]]
    """The signal values behind each non-zero score, for rationales."""

    def ranked(self, row: int, k: int) -> list[tuple[int, float]]:
        """Return the k best source columns for a destination row, best first."""
        order = np.argsort(-self.scores[row])[:k]
        return [(int(c), float(self.scores[row, c])) for c in order if self.scores[row, c] > 0]


def _related_terms(term: str) -> list[str]:
    if not term.startswith("@"):
        return [term]
    name = term[1:]
    return [term] + ["@" + (set(pair) - {name}).pop() for pair, w in RELATED.items() if name in pair and w >= 0.5]


def _candidate_pairs(dest: list[FieldView], source: list[FieldView]) -> set[tuple[int, int]]:
    index: dict[str, list[int]] = defaultdict(list)
    for j, s in enumerate(source):
        for term, weight in s.leaf:
            if weight >= 0.3:
                index[term].append(j)
                if len(term) >= 5 and not term.startswith("@"):
                    index["~" + term[:5]].append(j)
    pairs: set[tuple[int, int]] = set()
    for i, d in enumerate(dest):
        for term, weight in d.leaf:
            if weight < 0.3:
                continue
            for related in _related_terms(term):
                pairs.update((i, j) for j in index.get(related, ()))
            if len(term) >= 5 and not term.startswith("@"):
                pairs.update((i, j) for j in index.get("~" + term[:5], ()))
        for concept in d.desc_concepts:
            pairs.update((i, j) for j in index.get("@" + concept, ()))
    if dest and source:
        fuzzy = process.cdist([d.leaf_text for d in dest], [s.leaf_text for s in source], scorer=fuzz.ratio)
        for i, j in zip(*np.nonzero(fuzzy >= FUZZY_FLOOR * 100), strict=True):
            pairs.add((int(i), int(j)))
    return pairs


def _hopeless(d: FieldView, s: FieldView) -> bool:
    """Return True when no signal can lift the pair to a useful score (cheap, cached checks only)."""
    best = max(signals.name_similarity(d, s), signals.path_similarity(d, s), signals.description_concept_bonus(d, s))
    return best < 0.3 and signals.fuzzy_similarity(d, s) < FUZZY_FLOOR


def score_pair(d: FieldView, s: FieldView, idf: dict[str, float], reference: bool = False) -> dict[str, float]:
    """Return every signal for one pair and their combination under `score`."""
    parts = {
        "weakener": signals.weakener_factor(d, s),
        "reference": signals.reference_factor(d, s, reference),
        "form": signals.form_factor(d, s),
        "name": signals.name_similarity(d, s),
        "path": signals.path_similarity(d, s),
        "fuzzy": signals.fuzzy_similarity(d, s),
        "described": signals.description_concept_bonus(d, s),
        "context": signals.context_factor(d, s),
        "role": signals.role_factor(d, s),
        "array": signals.array_factor(d, s),
        "type": signals.type_factor(d, s),
        "description": signals.description_similarity(d, s, idf),
    }
    parts["score"] = combine(parts)
    return parts


def combine(parts: dict[str, float]) -> float:
    """Combine the signals: the best lexical evidence, scaled by structure and types, nudged by descriptions."""
    fuzzy = parts["fuzzy"] * 0.85 if parts["fuzzy"] >= FUZZY_FLOOR else 0.0
    lexical = max(parts["name"], fuzzy, 0.8 * parts["described"], parts.get("embedding", 0.0))
    structure = parts["role"] * parts["array"] * parts["type"] * parts["weakener"] * parts["reference"] * parts["form"]
    lexical = max(lexical * parts["context"], 0.9 * parts["path"])
    return min(1.0, lexical * structure * (0.92 + 0.16 * parts["description"]))


def build_matrix(
    dest: list[FieldView], source: list[FieldView], embeddings: np.ndarray | None = None, weight: float = 0.85
) -> ScoreMatrix:
    """Score every candidate pair; `embeddings` is an optional dest × source cosine matrix."""
    idf = signals.idf_weights(dest + source)
    scores = np.zeros((len(dest), len(source)))
    parts: dict[tuple[int, int], dict[str, float]] = {}
    pairs = _candidate_pairs(dest, source)
    refs = {j for j, s in enumerate(source) if is_reference(s)}
    if embeddings is not None:
        for i, j in zip(*np.nonzero(embeddings >= 0.6), strict=True):
            pairs.add((int(i), int(j)))
    for i, j in pairs:
        if embeddings is None and _hopeless(dest[i], source[j]):
            continue
        p = score_pair(dest[i], source[j], idf, j in refs)
        if embeddings is not None:
            p["embedding"] = weight * max(0.0, (float(embeddings[i, j]) - 0.35) / 0.65)
            p["score"] = combine(p)
        parts[(i, j)] = p
        scores[i, j] = p["score"]
    return ScoreMatrix(dest=dest, source=source, scores=scores, parts=parts)
