"""Compute `signals.set_similarity` for many (destination, source) pairs at once, with the same arithmetic.

Each side's term tuples become a padded matrix of term ids and weights; one table holds `term_match` for
every (destination term, source term). The sums run term by term in tuple order, exactly as the scalar
function adds them, so each value is bit-for-bit the scalar one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from vitesse.graph.mapper.fields import Term
from vitesse.graph.mapper.lexicon import RELATED

_GATHER_BUDGET = 2_000_000
"""How many (pair, destination term, source term) cells one gather may hold."""


class TermTable:
    """The term tuples of one side: padded term ids, weights, and each tuple's total weight."""

    def __init__(self, tuples: Sequence[tuple[Term, ...]], vocab: dict[str, int]) -> None:
        width = max((len(t) for t in tuples), default=0) or 1
        pad = len(vocab)
        self.ids = np.full((len(tuples), width), pad, dtype=np.int64)
        self.weights = np.zeros((len(tuples), width))
        self.totals = np.zeros(len(tuples))
        for row, terms in enumerate(tuples):
            total = 0.0
            for k, (term, weight) in enumerate(terms):
                self.ids[row, k] = vocab[term]
                self.weights[row, k] = weight
                total += weight
            self.totals[row] = total
        self.empty = np.array([not t for t in tuples], dtype=bool)


def vocabulary(tuples: Sequence[tuple[Term, ...]]) -> dict[str, int]:
    """Return an id for every term in the tuples, in order of first appearance."""
    vocab: dict[str, int] = {}
    for terms in tuples:
        for term, _ in terms:
            vocab.setdefault(term, len(vocab))
    return vocab


def match_table(dest_vocab: dict[str, int], source_vocab: dict[str, int]) -> np.ndarray:
    """Return `term_match` for every (destination term, source term), plus a zero row and column for padding."""
    table = np.zeros((len(dest_vocab) + 1, len(source_vocab) + 1))
    for term, i in dest_vocab.items():
        same = source_vocab.get(term)
        if same is not None:
            table[i, same] = 1.0
    for pair, weight in RELATED.items():
        a, b = sorted(pair)
        for x, y in ((a, b), (b, a)):
            row, col = dest_vocab.get("@" + x), source_vocab.get("@" + y)
            if row is not None and col is not None:
                table[row, col] = weight
    by_stem: dict[str, list[int]] = defaultdict(list)
    for term, j in source_vocab.items():
        if len(term) >= 5 and not term.startswith("@"):
            by_stem[term[:5]].append(j)
    for term, i in dest_vocab.items():
        if len(term) >= 5 and not term.startswith("@"):
            for j in by_stem.get(term[:5], ()):
                if table[i, j] == 0.0:
                    table[i, j] = 0.7
    return table


def _max_over(cells: np.ndarray, axis: int) -> np.ndarray:
    # numpy's reduce over a short inner axis is slow; a few element-wise maxima are not
    best: np.ndarray = np.take(cells, 0, axis=axis).copy()
    for k in range(1, cells.shape[axis]):
        np.maximum(best, np.take(cells, k, axis=axis), out=best)
    return best


def _cover(weights: np.ndarray, best: np.ndarray, totals: np.ndarray) -> np.ndarray:
    got = np.zeros(len(totals))
    for k in range(weights.shape[1]):  # term by term, as the scalar loop adds them
        got += weights[:, k] * best[:, k]
    out: np.ndarray = np.divide(got, totals, out=np.zeros_like(got), where=totals != 0)
    return out


def pair_similarity(
    dest: TermTable, source: TermTable, table: np.ndarray, rows: np.ndarray, cols: np.ndarray
) -> np.ndarray:
    """Return `set_similarity(dest tuple, source tuple)` for each pair (rows[p], cols[p])."""
    out = np.zeros(len(rows))
    width = dest.ids.shape[1] * source.ids.shape[1]
    step = max(1, _GATHER_BUDGET // width)
    for start in range(0, len(rows), step):
        r, c = rows[start : start + step], cols[start : start + step]
        flat = dest.ids[r][:, :, None] * table.shape[1] + source.ids[c][:, None, :]
        cells = table.ravel().take(flat)
        x = _cover(dest.weights[r], _max_over(cells, 2), dest.totals[r])
        y = _cover(source.weights[c], _max_over(cells, 1), source.totals[c])
        both = x + y
        harmonic = np.divide(x * y, both, out=np.zeros_like(both), where=both != 0)
        value = np.where(both != 0, harmonic + 0.5 * np.minimum(x, y), 0.0)
        out[start : start + step] = np.where(dest.empty[r] | source.empty[c], 0.0, value)
    return out
