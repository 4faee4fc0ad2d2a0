"""Run the eval suite offline and print per-pair and overall tables (held-in / held-out): `python -m evals.run`."""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("DEEPEVAL_TELEMETRY_OPT_OUT", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from evals.cases import build_case, case_score  # noqa: E402
from evals.dataset import load_goldens  # noqa: E402
from evals.metrics import all_metrics  # noqa: E402
from evals.scoring import PairScore, micro  # noqa: E402
from vitesse.graph.mapper import MapperOptions  # noqa: E402

GOAL_F1 = 0.90


def _row(label: str, s: PairScore, metrics: dict[str, float | None], seconds: str = "") -> list[str]:
    def fmt(x: float | None) -> str:
        return "–" if x is None else f"{x:.2f}"

    return [label, str(s.tp), str(s.fp), str(s.fn), fmt(s.precision), fmt(s.recall), fmt(s.f1)] + [
        fmt(metrics.get(k)) for k in ("transform type accuracy", "endpoint selection", "unmapped-required recall",
                                      "needs-lookup recall")
    ] + [seconds]  # fmt: skip


def _summary(s: PairScore) -> dict[str, float | None]:
    return {
        "transform type accuracy": s.type_accuracy if s.tp else None,
        "endpoint selection": s.endpoints_ok,
        "unmapped-required recall": s.required_hit / s.required_total if s.required_total else None,
        "needs-lookup recall": s.lookup_hit / s.lookup_total if s.lookup_total else None,
    }


def main(argv: list[str] | None = None) -> int:
    """Map every golden, measure every metric, print the tables; exit 1 when overall F1 misses the goal."""
    parser = argparse.ArgumentParser(prog="python -m evals.run")
    parser.add_argument("--embeddings", action="store_true", help="add the local MiniLM embeddings signal")
    parser.add_argument("--only", nargs="*", help="golden ids to run")
    args = parser.parse_args(argv)
    options = MapperOptions(embeddings=args.embeddings)
    console = Console(width=max(Console().width, 170))
    table = Table(title="Mapper evals (offline" + (", embeddings)" if args.embeddings else ")"))
    for col in ("pair", "tp", "fp", "fn", "P", "R", "F1", "types", "endpoints", "unmapped req.", "lookup", "s"):
        table.add_column(col)
    scores: list[PairScore] = []
    for golden in load_goldens(tuple(args.only) if args.only else None):
        case = build_case(golden, options)
        measured = {}
        for metric in all_metrics():
            metric.measure(case)
            measured[metric.__name__] = None if metric.skipped else metric.score
        score = case_score(case)
        scores.append(score)
        label = f"{golden.id}{' (held-out)' if golden.held_out else ''}"
        table.add_row(*_row(label, score, measured, f"{(case.metadata or {}).get('seconds', 0):.2f}"))
    groups = {"held-in": [s for s in scores if not s.held_out], "held-out": [s for s in scores if s.held_out],
              "overall": scores}  # fmt: skip
    table.add_section()
    for name, members in groups.items():
        if members:
            total = micro(members)
            table.add_row(*_row(f"{name} ({len(members)} pairs)", total, _summary(total)))
    console.print(table)
    overall = micro(scores).f1 if scores else 0.0
    console.print(f"overall F1 {overall:.3f} (goal ≥ {GOAL_F1:.2f})")
    return 0 if overall >= GOAL_F1 or args.only else 1


if __name__ == "__main__":
    sys.exit(main())
