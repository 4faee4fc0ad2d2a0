"""Every real third-party spec in ../shared/specs ingests, with every operation and declared auth found."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import SPECS_DIR, corpus_entries
from vitesse.config import Settings
from vitesse.graph.ingestor import ingest_path

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
ENTRIES = corpus_entries()
pytestmark = pytest.mark.corpus


def _raw(path: Path) -> dict[str, Any]:
    """Load the document independently of the Ingestor (PyYAML's C loader, or json)."""
    text = path.read_bytes()
    if path.suffix == ".json":
        return json.loads(text)
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _count_operations(doc: dict[str, Any]) -> int:
    return sum(
        1
        for item in (doc.get("paths") or {}).values()
        if isinstance(item, dict)
        for key, op in item.items()
        if key in METHODS and isinstance(op, dict)
    )


def _declared_schemes(doc: dict[str, Any]) -> set[str]:
    if "swagger" in doc:
        return set(doc.get("securityDefinitions") or {})
    return set(((doc.get("components") or {}).get("securitySchemes")) or {})


@pytest.fixture(scope="module")
def corpus_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("corpus"), spec_cache=False)


@pytest.mark.parametrize("entry", ENTRIES or [None], ids=[e["file"] for e in ENTRIES] or ["no-corpus"])
def test_every_corpus_spec_ingests_with_all_operations_and_auth(entry, specs_dir, corpus_settings, capsys):
    assert entry is not None, "index.json lists no specs"
    path = specs_dir / str(entry["file"])
    spec = ingest_path(path, settings=corpus_settings)
    doc = _raw(path)
    assert len(spec.endpoints) == _count_operations(doc)
    declared = _declared_schemes(doc)
    assert {s.name for s in spec.auth_schemes} == declared
    if declared:
        assert all(s.type.value != "none" for s in spec.auth_schemes)
    assert len(spec.digest) == 64
    lists = [e for e in spec.endpoints if e.is_list]
    paged = [e for e in lists if e.pagination is not None]
    with capsys.disabled():
        print(f"\n  {entry['file']}: {len(spec.endpoints)} endpoints, {len(lists)} lists, {len(paged)} paginated")


def test_the_corpus_index_is_present_under_ci():
    from tests.conftest import need

    need(bool(ENTRIES), f"the corpus index is missing at {SPECS_DIR / 'index.json'}")
    assert len(ENTRIES) >= 30
