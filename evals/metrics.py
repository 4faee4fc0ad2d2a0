"""Deterministic deepeval metrics over one mapped golden pair (no model, no network)."""

from __future__ import annotations

from collections.abc import Callable

from deepeval.metrics import BaseMetric
from deepeval.test_case import LLMTestCase

from evals.cases import case_score
from evals.scoring import PairScore


class _PairMetric(BaseMetric):
    name = "pair"
    pick: Callable[[PairScore], float | None] = staticmethod(lambda s: None)

    def __init__(self, threshold: float = 0.5) -> None:
        self.threshold = threshold
        self.async_mode = False
        self.include_reason = True

    def measure(self, test_case: LLMTestCase, *args: object, **kwargs: object) -> float:
        score = case_score(test_case)
        value = type(self).pick(score)
        self.skipped = value is None
        self.score = 1.0 if value is None else round(value, 4)
        self.success = self.score >= self.threshold
        self.reason = self.explain(score)
        return self.score

    async def a_measure(self, test_case: LLMTestCase, *args: object, **kwargs: object) -> float:
        return self.measure(test_case)

    def explain(self, score: PairScore) -> str:
        wrong = "; ".join(score.wrong[:6]) or "none"
        missed = ", ".join(score.missed[:6]) or "none"
        return f"tp={score.tp} fp={score.fp} fn={score.fn}; wrong: {wrong}; missed: {missed}"

    def is_successful(self) -> bool:
        return bool(self.success)

    @property
    def __name__(self) -> str:  # deepeval reads the metric's name here
        return self.name


class FieldPrecision(_PairMetric):
    name = "field precision"
    pick = staticmethod(lambda s: s.precision)


class FieldRecall(_PairMetric):
    name = "field recall"
    pick = staticmethod(lambda s: s.recall)


class FieldF1(_PairMetric):
    name = "field F1"
    pick = staticmethod(lambda s: s.f1)


class TransformTypeAccuracy(_PairMetric):
    name = "transform type accuracy"
    pick = staticmethod(lambda s: s.type_accuracy if s.tp else None)


class EndpointSelection(_PairMetric):
    name = "endpoint selection"
    pick = staticmethod(lambda s: s.endpoints_ok)


class UnmappedRequiredRecall(_PairMetric):
    name = "unmapped-required recall"
    pick = staticmethod(lambda s: s.required_hit / s.required_total if s.required_total else None)


class NeedsLookupRecall(_PairMetric):
    name = "needs-lookup recall"
    pick = staticmethod(lambda s: s.lookup_hit / s.lookup_total if s.lookup_total else None)


def all_metrics(f1_floor: float = 0.5) -> list[BaseMetric]:
    """Return one of each metric; per-pair thresholds are floors, the overall goal is checked by evals.run."""
    return [
        FieldPrecision(0.5), FieldRecall(0.5), FieldF1(f1_floor), TransformTypeAccuracy(0.5), EndpointSelection(0.5),
        UnmappedRequiredRecall(0.5), NeedsLookupRecall(0.5),
    ]  # fmt: skip
