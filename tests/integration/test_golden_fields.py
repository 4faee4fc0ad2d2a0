"""The flattened fields of the golden pairs' endpoints match the hand-checked paths of ../shared/evals."""

from __future__ import annotations

import json

import pytest

from tests.conftest import GOLDEN_DIR
from vitesse.config import Settings
from vitesse.graph.ingestor import ingest_path

GOLDENS = sorted(GOLDEN_DIR.glob("*.json")) if GOLDEN_DIR.is_dir() else []
pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def spec_cache(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("golden"), spec_cache=False)
    loaded = {}

    def get(specs_dir, name):
        if name not in loaded:
            loaded[name] = ingest_path(specs_dir / name, settings=settings)
        return loaded[name]

    return get


@pytest.mark.parametrize("golden_file", GOLDENS, ids=[g.stem for g in GOLDENS])
def test_golden_endpoints_are_found_with_the_golden_field_paths(golden_file, specs_dir, spec_cache):
    golden = json.loads(golden_file.read_text())
    source = spec_cache(specs_dir, golden["source"]["spec"])
    dest = spec_cache(specs_dir, golden["dest"]["spec"])
    src_ep = source.find_endpoint(golden["source"]["endpoint"])
    dst_ep = dest.find_endpoint(golden["dest"]["endpoint"])
    assert src_ep is not None and dst_ep is not None
    assert src_ep.records_at == golden["source"]["records_at"]
    source_paths = {f.path for f in src_ep.record_fields}
    for match in golden["matches"]:
        for alternative in [match["source"], *match.get("also_correct", [])]:
            missing = set(alternative) - source_paths
            assert not missing, f"source fields {missing} of {match['dest']} not among the record's fields"
    dest_paths = {f.path for f in dst_ep.body_fields()}
    golden_dest = {m["dest"] for m in golden["matches"]} | set(golden["unmapped_dest"])
    assert golden_dest <= dest_paths, f"destination leaves missing: {sorted(golden_dest - dest_paths)}"
    extra = dest_paths - golden_dest
    assert len(extra) <= max(2, len(golden_dest) // 10), f"unexpected destination leaves: {sorted(extra)}"
