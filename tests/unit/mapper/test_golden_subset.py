"""A fast slice of the eval suite: the two easiest golden pairs keep their F1 floors (needs ../shared)."""

from __future__ import annotations

import pytest

from tests.conftest import GOLDEN_DIR, need

pytestmark = pytest.mark.corpus


@pytest.mark.parametrize(
    ("golden_id", "floor"),
    [("asana-tasks-to-trello-cards", 1.0), ("shopify-customers-to-activecampaign-contacts", 0.85)],
)
def test_easy_golden_pairs_keep_their_f1_floor(golden_id, floor, specs_dir):
    need((GOLDEN_DIR / f"{golden_id}.json").exists(), f"golden {golden_id} is missing")
    from evals.cases import build_case, case_score
    from evals.dataset import load_goldens

    (golden,) = load_goldens((golden_id,))
    score = case_score(build_case(golden))
    assert score.f1 >= floor, f"F1 {score.f1:.2f} < {floor}: wrong {score.wrong}, missed {score.missed}"
    assert score.endpoints_ok == 1.0


def test_the_example_pair_golden_scores_fully():
    from evals.cases import build_case, case_score
    from evals.dataset import load_goldens

    (golden,) = load_goldens(("acme-shop-customers-to-orbit-crm-contacts",))
    score = case_score(build_case(golden))
    assert (score.precision, score.recall, score.lookup_hit) == (1.0, 1.0, 2)
