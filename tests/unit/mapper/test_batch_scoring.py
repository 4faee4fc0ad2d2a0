"""The vectorised score matrix equals the scalar `score_pair` definition on every pair it scores."""

from __future__ import annotations

import random

import numpy as np
import pytest

from tests.unit.mapper.helpers import f
from vitesse.graph.mapper import batch
from vitesse.graph.mapper.classify import is_reference
from vitesse.graph.mapper.fields import view
from vitesse.graph.mapper.scoring import build_matrix, combine, score_pair
from vitesse.graph.mapper.signals import idf_weights, set_similarity
from vitesse.graph.mapper.termsim import TermTable, match_table, pair_similarity, vocabulary

WORDS = ("first name last email phone mobile address billing shipping city zip postal country code iso company "
         "org note description title status tag external id customer created updated amount currency alternate "
         "addresses line items quantity price sku active enabled").split()  # fmt: skip
KINDS = ("string", "string", "integer", "number", "boolean", "array", "object")


def _fields(rng: random.Random, n: int) -> list:
    out, seen = [], set()
    while len(out) < n:
        segments = []
        for _ in range(rng.randint(1, 3)):
            seg = "_".join(rng.choice(WORDS) for _ in range(rng.randint(1, 2)))
            segments.append(seg + ("[]" if rng.random() < 0.15 else ""))
        path = ".".join(segments)
        if path in seen or path.endswith("[]"):
            continue
        seen.add(path)
        kind = rng.choice(KINDS)
        description = " ".join(rng.choices(WORDS, k=rng.randint(0, 9)))
        extra = {"format": "date-time"} if rng.random() < 0.1 else {}
        if rng.random() < 0.1:
            description += " Allowed values are: a, b, c."
        out.append(f(path, kind, description=description or None, **extra))
    return out


def _views(seed: int, n: int) -> tuple[list, list]:
    rng = random.Random(seed)
    return [view(x) for x in _fields(rng, n)], [view(x) for x in _fields(rng, n)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_scored_pair_has_the_scalar_signals_and_score(seed):
    """Each signal and the combined score equal score_pair's (descriptions to the last few bits)."""
    dest, source = _views(seed, 60)
    matrix = build_matrix(dest, source)
    idf = idf_weights(dest + source)
    assert len(matrix.parts) > 50
    for (i, j), parts in matrix.parts.items():
        expected = score_pair(dest[i], source[j], idf, is_reference(source[j]))
        assert list(parts) == list(expected)
        for name, value in expected.items():
            if name in ("description", "score"):
                assert parts[name] == pytest.approx(value, rel=1e-12, abs=1e-15), (name, i, j)
            else:
                assert parts[name] == value, (name, dest[i].path, source[j].path)
        assert matrix.scores[i, j] == parts["score"]
    unscored = np.ones(matrix.scores.shape, dtype=bool)
    for i, j in matrix.parts:
        unscored[i, j] = False
    assert not matrix.scores[unscored].any()


def test_embeddings_are_combined_like_the_scalar_score():
    """With an embedding matrix every pair above 0.6 cosine is scored, with the scalar combination."""
    dest, source = _views(7, 30)
    rng = np.random.default_rng(7)
    cosine = rng.uniform(0.0, 1.0, size=(len(dest), len(source))).astype(np.float32)
    matrix = build_matrix(dest, source, cosine, weight=0.85)
    for i, j in zip(*np.nonzero(cosine >= 0.6), strict=True):
        parts = matrix.parts[(int(i), int(j))]
        assert parts["embedding"] == 0.85 * max(0.0, (float(cosine[i, j]) - 0.35) / 0.65)
        assert parts["score"] == pytest.approx(combine(parts), rel=1e-12)


def test_term_set_similarity_is_bit_identical_to_the_scalar_one():
    """Padded, tabled term sums give exactly set_similarity, duplicates and empty tuples included."""
    dest, source = _views(11, 80)
    tuples_d = [d.leaf + d.context for d in dest] + [(), (("name", 1.0), ("name", 1.0))]
    tuples_s = [s.leaf + s.context for s in source] + [(("@first_name", 1.0),), ()]
    vd, vs = vocabulary(tuples_d), vocabulary(tuples_s)
    rows, cols = (a.ravel() for a in np.indices((len(tuples_d), len(tuples_s))))
    got = pair_similarity(TermTable(tuples_d, vd), TermTable(tuples_s, vs), match_table(vd, vs), rows, cols)
    expected = [set_similarity(tuples_d[i], tuples_s[j]) for i, j in zip(rows, cols, strict=True)]
    assert got.tolist() == expected


def test_pair_parts_behave_as_a_read_only_mapping():
    """Unknown pairs raise KeyError (and `.get` gives the default), known ones give a fresh dict."""
    dest, source = _views(5, 20)
    parts = build_matrix(dest, source).parts
    key = next(iter(parts))
    assert parts.get((-1, 0), {}) == {} and parts.get((len(dest), 0)) is None
    first = parts[key]
    first["score"] = -1.0
    assert parts[key]["score"] >= 0.0
    assert len(list(parts)) == len(parts)


def test_table_signal_evaluates_each_distinct_key_pair_once():
    """A factor is computed once per distinct (destination key, source key), then spread over the pairs."""
    calls = []

    def value(a, b):
        calls.append((a, b))
        return float(a + b)

    rows, cols = np.array([0, 1, 2, 0]), np.array([0, 0, 1, 1])
    got = batch.table_signal([1, 1, 2], [10, 20], value, rows, cols)
    assert got.tolist() == [11.0, 11.0, 22.0, 21.0]
    assert sorted(calls) == [(1, 10), (1, 20), (2, 20)]
