"""Score one predicted mapping against one golden: field matches, transform types, endpoints, unmapped lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class PairScore:
    id: str
    held_out: bool
    tp: int = 0
    fp: int = 0
    fn: int = 0
    types_ok: int = 0
    endpoints_ok: float = 0.0
    required_hit: int = 0
    required_total: int = 0
    lookup_hit: int = 0
    lookup_total: int = 0
    wrong: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def type_accuracy(self) -> float:
        return self.types_ok / self.tp if self.tp else 1.0


def _accepted(match: dict[str, Any]) -> list[set[str]]:
    return [set(match["source"])] + [set(alt) for alt in match.get("also_correct", [])]


def score_pair(
    golden: dict[str, Any],
    mapping: dict[str, Any],
    *,
    chosen: tuple[str, str],
    dest_required: set[str],
    needs_lookup: tuple[str, ...],
    held_out: bool = False,
) -> PairScore:
    """Compare a MappingLogic (as JSON) with a golden; `chosen` is the endpoint pair picked from the intent alone."""
    score = PairScore(id=golden["id"], held_out=held_out)
    gold = {m["dest"]: m for m in golden["matches"]}
    predicted = {t["dest_field"]: t for t in mapping["transformations"]}
    for dest, t in predicted.items():
        if dest in gold and set(t["source_fields"]) in _accepted(gold[dest]):
            score.tp += 1
            score.types_ok += t["transform_type"] == gold[dest]["transform"]
        else:
            score.fp += 1
            score.wrong.append(f"{dest} ← {'+'.join(t['source_fields'])}")
    for dest in gold:
        if dest not in predicted or set(predicted[dest]["source_fields"]) not in _accepted(gold[dest]):
            score.missed.append(dest)
    score.fn = len(gold) - score.tp
    sides = (golden["source"]["endpoint"], golden["dest"]["endpoint"])
    score.endpoints_ok = sum(a == b for a, b in zip(chosen, sides, strict=True)) / 2
    reported_required = {u["dest_field"] for u in mapping["unmapped_dest"] if u["required"]}
    expected_required = set(golden["unmapped_dest"]) & dest_required
    score.required_total = len(expected_required)
    score.required_hit = len(expected_required & reported_required)
    reported_lookup = {u["dest_field"] for u in mapping["unmapped_dest"] if u["reason"] == "needs_lookup"}
    score.lookup_total = len(needs_lookup)
    score.lookup_hit = len(set(needs_lookup) & reported_lookup)
    return score


def micro(scores: list[PairScore]) -> PairScore:
    """Sum the counts of several pairs (micro-averaging)."""
    total = PairScore(id="all", held_out=False)
    for s in scores:
        for name in ("tp", "fp", "fn", "types_ok", "required_hit", "required_total", "lookup_hit", "lookup_total"):
            setattr(total, name, getattr(total, name) + getattr(s, name))
        total.endpoints_ok += s.endpoints_ok / max(len(scores), 1)
    return total
