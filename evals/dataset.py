"""Load the goldens (the shared hand-checked pairs plus our own in evals/goldens) and their specs, once per run."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from vitesse.config import Settings
from vitesse.examples import EXAMPLE_SPECS_DIR
from vitesse.graph.ingestor import ingest_path
from vitesse.schemas import APISpecification

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("VITESSE_SHARED_DIR", ROOT.parent / "shared"))
SHARED_GOLDENS = SHARED / "evals" / "golden"
SPECS_DIR = SHARED / "specs"
LOCAL_GOLDENS = Path(__file__).resolve().parent / "goldens"

HELD_OUT = frozenset({
    "square-customers-to-stripe-customers",
    "github-issues-to-gitlab-issues",
    "pipedrive-persons-to-intercom-contacts",
})  # fmt: skip
"""Picked before any golden was read (random.seed(2024) over the sorted file names) and kept out of tuning."""

EASIEST = ("asana-tasks-to-trello-cards", "shopify-customers-to-activecampaign-contacts")


@dataclass(frozen=True)
class Golden:
    data: dict[str, Any]
    held_out: bool
    needs_lookup: tuple[str, ...]

    @property
    def id(self) -> str:
        return str(self.data["id"])


def _lookup_labels() -> dict[str, list[str]]:
    path = LOCAL_GOLDENS / "needs_lookup.json"
    return json.loads(path.read_text()) if path.exists() else {}


def load_goldens(ids: tuple[str, ...] | None = None) -> list[Golden]:
    """Return every golden (shared first, then ours), or only those whose id is in `ids`."""
    files = sorted(SHARED_GOLDENS.glob("*.json")) + sorted(p for p in LOCAL_GOLDENS.glob("*.json")
                                                            if p.name != "needs_lookup.json")  # fmt: skip
    labels = _lookup_labels()
    out = []
    for path in files:
        data = json.loads(path.read_text())
        if ids is None or data["id"] in ids:
            out.append(Golden(data, data["id"] in HELD_OUT, tuple(labels.get(data["id"], ()))))
    return out


def spec_path(name: str) -> Path:
    """Resolve a golden's spec name: `stripe/spec3.yaml` in the shared corpus, `@examples/shop.yaml` bundled."""
    if name.startswith("@examples/"):
        return EXAMPLE_SPECS_DIR / name.removeprefix("@examples/")
    return SPECS_DIR / name


@cache
def load_spec(name: str) -> APISpecification:
    """Ingest a spec once per process (the ingestor's disk cache also helps across runs)."""
    return ingest_path(spec_path(name), settings=Settings())
