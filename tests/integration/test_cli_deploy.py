"""The deployment lifecycle from the command line: create, deploy (dry run and process), sync, status, logs, destroy."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.integration.test_cli import vitesse
from vitesse.config import Settings
from vitesse.examples import CRM_SPEC, SHOP_SPEC
from vitesse.graph.ingestor import ingest_path
from vitesse.sandbox import start_sandbox


def test_an_integration_is_deployed_synced_inspected_and_destroyed(tmp_path: Path):
    created = vitesse(
        "create", "--source", str(SHOP_SPEC), "--dest", str(CRM_SPEC),
        "--intent", "Sync shop customers to CRM contacts", "--test-count", "20", "--json",
        "--source-credential", "api_key=shop-test-key", "--dest-credential", "token=crm-test-token",
        "--source-credential", "username=shop-test-user",
        data_dir=tmp_path,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr[-2000:]
    iid = json.loads(created.stdout)["id"]

    files = tmp_path / "out"
    dry = vitesse("deploy", iid, "--dry-run", str(files), data_dir=tmp_path)
    assert dry.returncode == 0, dry.stderr
    names = {Path(p).name for p in json.loads(dry.stdout)["files"]}
    assert {"Dockerfile", "kubernetes.yaml", "ecs-task-definition.json", "runtime-config.json"} <= names
    assert "demo-crm" not in (files / "runtime-config.json").read_text()
    manifest = (files / "kubernetes.yaml").read_text()
    assert "SOURCE_API_USER" in manifest and "DEST_API_KEY" in manifest, "every stored part is named"
    assert "shop-test-user" not in manifest and "shop-test-key" not in manifest, "and none is written"

    settings = Settings(spec_cache=False)
    shop = ingest_path(SHOP_SPEC, settings=settings)
    crm = ingest_path(CRM_SPEC, settings=settings)
    with start_sandbox(shop, seed=3) as source, start_sandbox(crm, seed=4) as dest:
        deployed = vitesse(
            "deploy", iid, "--target", "process", "--schedule", "0",
            "--source-base-url", source.base_url, "--dest-base-url", dest.base_url,
            data_dir=tmp_path,
        )  # fmt: skip
        assert deployed.returncode == 0, deployed.stderr[-2000:]
        info = json.loads(deployed.stdout)
        assert info["status"] == "running" and info["url"].startswith("http://127.0.0.1:")
        try:
            status = json.loads(vitesse("status", iid, data_dir=tmp_path).stdout)
            assert status["state"] == "running"
            synced = vitesse("sync", iid, data_dir=tmp_path)
            assert synced.returncode == 0, synced.stderr
            assert json.loads(synced.stdout)["status"] == "completed"
            shop_ids = {
                r["id"]
                for r in httpx.get(f"{source.base_url}/__sandbox/records", params={"collection": "/customers"}).json()[
                    "records"
                ]
            }
            crm_refs = [
                r.get("external_ref")
                for r in httpx.get(f"{dest.base_url}/__sandbox/records", params={"collection": "/contacts"}).json()[
                    "records"
                ]
            ]
            assert shop_ids and shop_ids <= set(crm_refs), "every shop customer reached the CRM"
            assert all(crm_refs.count(ref) == 1 for ref in shop_ids), "and exactly once"
            logs = vitesse("logs", iid, data_dir=tmp_path)
            assert logs.returncode == 0 and logs.stdout.strip()
            assert "crm-test-token" not in logs.stdout and "shop-test-key" not in logs.stdout
        finally:
            destroyed = vitesse("destroy", iid, data_dir=tmp_path)
        assert destroyed.returncode == 0, destroyed.stderr
        assert json.loads(destroyed.stdout)["state"] == "destroyed"
