"""`deepeval test run evals/`: every golden pair must pass each metric's per-pair floor."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DEEPEVAL_TELEMETRY_OPT_OUT", "1")

from deepeval import assert_test  # noqa: E402

from evals.cases import build_case  # noqa: E402
from evals.dataset import load_goldens  # noqa: E402
from evals.metrics import all_metrics  # noqa: E402

GOLDENS = load_goldens()


@pytest.mark.parametrize("golden", GOLDENS, ids=[g.id for g in GOLDENS])
def test_golden_pair_meets_the_metric_floors(golden):
    assert_test(build_case(golden), all_metrics(f1_floor=0.6), run_async=False)
