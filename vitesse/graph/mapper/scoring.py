"""Build the score matrix of destination × source fields from the signals, pruning pairs with nothing in common."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from vitesse.graph.mapper import batch, signals
from vitesse.graph.mapper.batch import FUZZY_FLOOR
from vitesse.graph.mapper.fields import FieldView


@dataclass
class ScoreMatrix:
    dest: list[FieldView]
    source: list[FieldView]
    scores: np.ndarray
    """dest × source, 0 where a pair was pruned."""
    parts: Mapping[tuple[int, int], dict[str, float]]
    """The signal values behind each non-zero score, for rationales."""

    def ranked(self, row: int, k: int) -> list[tuple[int, float]]:
        """Return the k best source columns for a destination row, best first."""
        order = np.argsort(-self.scores[row])[:k]
        return [(int(c), float(self.scores[row, c])) for c in order if self.scores[row, c] > 0]


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
    """Score every candidate pair (vectorised, equal to `score_pair`); `embeddings` is a dest × source cosine matrix.

    Candidates share a term, a related concept, a long stem or a described concept, or have alike leaf names
    (or, with embeddings, similar meanings). Without embeddings a candidate whose name, path and described
    signals all stay below 0.3 and whose spelling is not alike is dropped before the costlier signals.
    """
    idf = signals.idf_weights(dest + source)
    scores = np.zeros((len(dest), len(source)))
    ratios = batch.fuzzy_ratios(dest, source)
    mask = batch.candidate_mask(dest, source, ratios) if dest and source else np.zeros(scores.shape, dtype=bool)
    if embeddings is not None:
        mask |= embeddings >= 0.6
    rows, cols = np.nonzero(mask)
    sides = batch.Sides(dest, source)
    lexical = batch.lexical_signals(sides, ratios, rows, cols)
    if embeddings is None:
        best = np.maximum(np.maximum(lexical["name"], lexical["path"]), lexical["described"])
        keep = ~((best < 0.3) & (lexical["fuzzy"] < FUZZY_FLOOR))
        rows, cols = rows[keep], cols[keep]
        lexical = {name: column[keep] for name, column in lexical.items()}
    columns = {**lexical, **batch.structural_signals(sides, idf, rows, cols)}
    columns = {name: columns[name] for name in batch.PART_NAMES}
    columns["score"] = batch.combine_columns(columns)
    if embeddings is not None:
        cosine = embeddings[rows, cols].astype(np.float64)
        columns["embedding"] = weight * np.maximum(0.0, (cosine - 0.35) / 0.65)
        columns["score"] = batch.combine_columns(columns)
    scores[rows, cols] = columns["score"]
    parts = batch.PairParts(scores.shape, rows, cols, columns)
    return ScoreMatrix(dest=dest, source=source, scores=scores, parts=parts)
