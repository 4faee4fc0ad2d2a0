"""Score all candidate (destination, source) pairs at once: the vectorised form of `scoring.score_pair`.

Every signal keeps its scalar definition in `signals`; here each is evaluated over arrays of pairs:
term-set similarities through `termsim` (bit-identical sums), fuzzy spelling from one rapidfuzz `cdist`,
description overlap as a sparse product, and the structural factors (roles, context, arrays, types,
forms) from small tables over the distinct keys the two sides present. `combine` is applied to whole
columns in the scalar order of operations.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from scipy import sparse

from vitesse.graph.mapper import signals
from vitesse.graph.mapper.classify import is_reference
from vitesse.graph.mapper.fields import FieldView
from vitesse.graph.mapper.lexicon import RELATED, WEAKENERS
from vitesse.graph.mapper.termsim import TermTable, match_table, pair_similarity, vocabulary

FUZZY_FLOOR = 0.8
"""Leaf names at least this alike (rapidfuzz ratio) are scored even without a shared term."""
PART_NAMES = ("weakener", "reference", "form", "name", "path", "fuzzy", "described", "context", "role", "array",
              "type", "description")  # fmt: skip


def incidence(
    rows: Sequence[Sequence[str]], vocab: dict[str, int], values: Sequence[Sequence[float]] | None = None
) -> sparse.csr_matrix:
    """Return a sparse rows × vocab matrix with 1 (or the given value) where a row holds a word."""
    r, c, v = [], [], []
    for i, words in enumerate(rows):
        for k, word in enumerate(words):
            j = vocab.get(word)
            if j is not None:
                r.append(i)
                c.append(j)
                v.append(values[i][k] if values is not None else 1.0)
    return sparse.csr_matrix((v, (r, c)), shape=(len(rows), max(len(vocab), 1)))


def overlap(dest_rows: Sequence[Sequence[str]], source_rows: Sequence[Sequence[str]]) -> np.ndarray:
    """Return a dense dest × source matrix: how many words each pair shares (0 for none)."""
    vocab: dict[str, int] = {}
    for words in source_rows:
        for word in words:
            vocab.setdefault(word, len(vocab))
    product = incidence(dest_rows, vocab) @ incidence(source_rows, vocab).T
    return np.asarray(product.toarray())


def _related_terms(term: str) -> list[str]:
    if not term.startswith("@"):
        return [term]
    name = term[1:]
    return [term] + ["@" + (set(pair) - {name}).pop() for pair, w in RELATED.items() if name in pair and w >= 0.5]


def _source_keys(s: FieldView) -> list[str]:
    keys = []
    for term, weight in s.leaf:
        if weight >= 0.3:
            keys.append(term)
            if len(term) >= 5 and not term.startswith("@"):
                keys.append("~" + term[:5])
    return keys


def _dest_keys(d: FieldView) -> list[str]:
    keys = []
    for term, weight in d.leaf:
        if weight < 0.3:
            continue
        keys.extend(_related_terms(term))
        if len(term) >= 5 and not term.startswith("@"):
            keys.append("~" + term[:5])
    keys.extend("@" + c for c in d.desc_concepts)
    return keys


def fuzzy_ratios(dest: list[FieldView], source: list[FieldView]) -> np.ndarray:
    """Return rapidfuzz's ratio (0–100) of every pair of leaf names."""
    if not dest or not source:
        return np.zeros((len(dest), len(source)))
    texts = ([d.leaf_text for d in dest], [s.leaf_text for s in source])
    return process.cdist(*texts, scorer=fuzz.ratio, dtype=np.float64, workers=-1)


def candidate_mask(dest: list[FieldView], source: list[FieldView], ratios: np.ndarray) -> np.ndarray:
    """Return which pairs share a term (or a related concept, a long stem, a described concept) or look alike."""
    shared = overlap([_dest_keys(d) for d in dest], [_source_keys(s) for s in source]) > 0
    return shared | (ratios >= FUZZY_FLOOR * 100)


def codes(keys: Sequence[Hashable]) -> tuple[np.ndarray, list[Hashable]]:
    """Number the distinct keys: (the code of each key, the distinct keys in code order)."""
    index: dict[Hashable, int] = {}
    out = np.fromiter((index.setdefault(k, len(index)) for k in keys), dtype=np.int64, count=len(keys))
    return out, list(index)


def table_signal(dest_keys: Sequence[Hashable], source_keys: Sequence[Hashable], value: Callable[[Any, Any], Any],
                 rows: np.ndarray, cols: np.ndarray) -> np.ndarray:  # fmt: skip
    """Evaluate `value(dest key, source key)` once per distinct key pair and spread it over the pairs."""
    if len(rows) == 0:
        return np.zeros(0)
    dc, dk = codes(dest_keys)
    sc, sk = codes(source_keys)
    combined = dc[rows] * len(sk) + sc[cols]
    distinct, inverse = np.unique(combined, return_inverse=True)
    values = [value(dk[int(u) // len(sk)], sk[int(u) % len(sk)]) for u in distinct]
    return np.array([np.nan if v is None else v for v in values], dtype=float)[inverse.reshape(-1)]


class Sides:
    """Per-field facts of both sides, computed once per matrix."""

    def __init__(self, dest: list[FieldView], source: list[FieldView]) -> None:
        self.dest, self.source = dest, source
        leaf_vocab_d = vocabulary([d.leaf + d.context for d in dest])
        leaf_vocab_s = vocabulary([s.leaf + s.context for s in source])
        self.table = match_table(leaf_vocab_d, leaf_vocab_s)
        self.leaf_d = TermTable([d.leaf for d in dest], leaf_vocab_d)
        self.leaf_s = TermTable([s.leaf for s in source], leaf_vocab_s)
        self.path_d = TermTable([d.leaf + d.context for d in dest], leaf_vocab_d)
        self.path_s = TermTable([s.leaf + s.context for s in source], leaf_vocab_s)
        self.refs = np.array([is_reference(s) for s in source], dtype=bool)


def _fuzzy(sides: Sides, ratios: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    dest, source = sides.dest, sides.source
    concepts = overlap([sorted(d.concepts) for d in dest], [sorted(s.concepts) for s in source])[rows, cols]
    has_d = np.array([bool(d.concepts) for d in dest], dtype=bool)[rows]
    has_s = np.array([bool(s.concepts) for s in source], dtype=bool)[cols]
    digits_d, _ = codes([frozenset(w for w in d.leaf_text.split() if w.isdigit()) for d in dest] +
                        [frozenset(w for w in s.leaf_text.split() if w.isdigit()) for s in source])  # fmt: skip
    same_digits = digits_d[: len(dest)][rows] == digits_d[len(dest) :][cols]
    disagree = (has_d & has_s & (concepts == 0)) | ~same_digits
    return np.where(disagree, 0.0, ratios[rows, cols] / 100.0)


def _described(sides: Sides, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    mine = [sorted(c for c in s.concepts if c not in ("name", "record_id")) for s in sides.source]
    shared = overlap([sorted(d.desc_concepts) for d in sides.dest], mine)
    return np.where(shared[rows, cols] > 0, 1.0, 0.0)


def lexical_signals(sides: Sides, ratios: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> dict[str, np.ndarray]:
    """Return the name, path, fuzzy and described signals of each pair (what the cheap pruning reads)."""
    return {
        "name": pair_similarity(sides.leaf_d, sides.leaf_s, sides.table, rows, cols),
        "path": pair_similarity(sides.path_d, sides.path_s, sides.table, rows, cols),
        "fuzzy": _fuzzy(sides, ratios, rows, cols),
        "described": _described(sides, rows, cols),
    }


def _types(sides: Sides, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    dest, source = sides.dest, sides.source
    values = table_signal([(d.kind, d.is_date) for d in dest], [(s.kind, s.is_date) for s in source],
                          signals.type_value, rows, cols)  # fmt: skip
    allowed: dict[int, float] = {}
    for p in np.flatnonzero(np.isnan(values)):  # a boolean beside another kind: read the other's values once
        other = dest[rows[p]] if source[cols[p]].kind == "boolean" else source[cols[p]]
        key = id(other)
        if key not in allowed:
            allowed[key] = signals.boolean_type_value(other)
        values[p] = allowed[key]
    return values


def _arrays(sides: Sides, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    values = np.ones(len(rows))
    in_array = np.array([bool(s.arrays) for s in sides.source], dtype=bool)[cols]
    if in_array.any():
        keys_d = [signals.array_key_dest(d) for d in sides.dest]
        keys_s = [signals.array_key_source(s) for s in sides.source]
        values[in_array] = table_signal(keys_d, keys_s, signals.array_value, rows[in_array], cols[in_array])
    return values


def _descriptions(sides: Sides, idf: dict[str, float], rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    words_d = [sorted(d.desc | d.all_words) for d in sides.dest]
    words_s = [sorted(s.desc | s.all_words) for s in sides.source]
    vocab: dict[str, int] = {}
    for words in words_d + words_s:
        for w in words:
            vocab.setdefault(w, len(vocab))
    weighted = incidence(words_d, vocab, [[idf.get(w, 1.0) for w in words] for words in words_d])
    shared = np.asarray((weighted @ incidence(words_s, vocab).T).toarray())[rows, cols]
    mass_d = np.array([sum(idf.get(w, 1.0) for w in d.desc | d.all_words) for d in sides.dest])
    mass_s = np.array([sum(idf.get(w, 1.0) for w in s.desc | s.all_words) for s in sides.source])
    norm = np.sqrt(mass_d[rows] * mass_s[cols])
    ratio = np.divide(shared, norm, out=np.zeros_like(shared), where=norm != 0)
    return np.where(norm != 0, np.minimum(1.0, ratio), 0.0)


def structural_signals(
    sides: Sides, idf: dict[str, float], rows: np.ndarray, cols: np.ndarray
) -> dict[str, np.ndarray]:
    """Return the factors that scale the lexical evidence, and the description overlap, for each pair."""
    dest, source = sides.dest, sides.source
    weak_d = np.array([any(w in WEAKENERS for w in d.all_words) for d in dest], dtype=bool)[rows]
    weak_s = np.array([any(w in WEAKENERS for w in s.all_words) for s in source], dtype=bool)[cols]
    ids_d = np.array([bool(d.concepts & {"@external_id", "@record_id"}) for d in dest], dtype=bool)[rows]
    return {
        "weakener": np.where(weak_d & ~weak_s, 0.75, 1.0),
        "reference": np.where(sides.refs[cols] & ~ids_d, 0.5, 1.0),
        "form": table_signal(
            [signals.form_key_dest(d) for d in dest],
            [signals.form_key_source(s) for s in source],
            signals.form_value,
            rows,
            cols,
        ),  # fmt: skip
        "context": table_signal(
            [d.context for d in dest], [(s.context, s.depth) for s in source], signals.context_value, rows, cols
        ),  # fmt: skip
        "role": table_signal([d.roles for d in dest], [s.roles for s in source], signals.role_value, rows, cols),
        "array": _arrays(sides, rows, cols),
        "type": _types(sides, rows, cols),
        "description": _descriptions(sides, idf, rows, cols),
    }


def combine_columns(parts: Mapping[str, np.ndarray]) -> np.ndarray:
    """Apply `scoring.combine` to whole columns, in its order of operations."""
    fuzzy = np.where(parts["fuzzy"] >= FUZZY_FLOOR, parts["fuzzy"] * 0.85, 0.0)
    lexical = np.maximum(np.maximum(parts["name"], fuzzy), 0.8 * parts["described"])
    if "embedding" in parts:
        lexical = np.maximum(lexical, parts["embedding"])
    else:
        lexical = np.maximum(lexical, 0.0)
    structure = parts["role"] * parts["array"] * parts["type"] * parts["weakener"] * parts["reference"] * parts["form"]
    lexical = np.maximum(lexical * parts["context"], 0.9 * parts["path"])
    score: np.ndarray = np.minimum(1.0, lexical * structure * (0.92 + 0.16 * parts["description"]))
    return score


class PairParts(Mapping[tuple[int, int], dict[str, float]]):
    """The signal values behind each scored pair, as `score_pair` returns them, built on demand."""

    def __init__(self, shape: tuple[int, int], rows: np.ndarray, cols: np.ndarray, columns: dict[str, np.ndarray]):
        self._where = np.full(shape, -1, dtype=np.int64)
        self._where[rows, cols] = np.arange(len(rows))
        self._rows, self._cols, self._columns = rows, cols, columns

    def __getitem__(self, key: tuple[int, int]) -> dict[str, float]:
        i, j = key
        if not (0 <= i < self._where.shape[0] and 0 <= j < self._where.shape[1]) or self._where[i, j] < 0:
            raise KeyError(key)
        k = int(self._where[i, j])
        return {name: float(column[k]) for name, column in self._columns.items()}

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return ((int(i), int(j)) for i, j in zip(self._rows, self._cols, strict=True))

    def __len__(self) -> int:
        return len(self._rows)
