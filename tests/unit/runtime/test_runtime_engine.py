"""The sync engine end to end against in-memory shop and CRM APIs: delivery, incremental reads, faults,
dead letters, crashes, leases."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from tests.unit.runtime.fakes import T0, FakeShop, Router, customer, raise_, status
from tests.unit.runtime.helpers import ENV, Sleeps, make_config, make_engine, mock_client
from vitesse.runtime import RetryPolicy, RunStatus, StateStore, SyncEngine, SyncInProgress
from vitesse.schemas import HttpMethod, Parameter, ParameterLocation


def later(minutes: int) -> str:
    return (T0 + timedelta(days=30, minutes=minutes)).isoformat().replace("+00:00", "Z")


async def test_a_full_sync_delivers_every_record_once_with_the_mapped_payload(tmp_path, shop, crm):
    shop.customers[0].update(company="Lopez Design", billing_address={"line1": "500 Market St", "city": "SF",
                             "province_code": "CA", "zip": "94105", "country_code": "US", "line2": None})  # fmt: skip
    engine = make_engine(tmp_path, shop, crm)
    report = await engine.run_once()
    assert (report.status, report.read, report.written, report.failed, report.duplicates) == (
        RunStatus.COMPLETED, 250, 250, 0, 0,
    )  # fmt: skip
    assert sorted(crm.refs()) == sorted(c["id"] for c in shop.customers)
    first = next(c for c in crm.contacts if c["external_ref"] == "cus_00001")
    assert first["phone_numbers"] == [{"number": "+14155550100"}] and first["lifecycle_stage"] == "CUSTOMER"
    assert first["mailing_address"] == {"street": "500 Market St", "locality": "SF", "region": "CA",
                                        "postal_code": "94105", "country": "US"}  # fmt: skip
    assert all(r.headers["X-API-Key"] == "shop-secret-key-123456" for r in shop.requests)
    assert engine.store.ledger_counts() == {"delivered": 250}
    assert engine.store.get_state()["mark"]["raw"] == customer(250)["updated_at"]


async def test_the_next_run_asks_only_for_records_changed_since_the_mark(tmp_path, shop, crm):
    engine = make_engine(tmp_path, shop, crm)
    await engine.run_once()
    shop.customers[4].update(email="new@example.com", updated_at=later(1))
    shop.customers.append(customer(251, minutes=60 * 24 * 30 + 2))
    before = len(shop.requests)
    report = await engine.run_once()
    assert shop.requests[before].url.params["updated_since"] == customer(250)["updated_at"]
    assert (report.read, report.written, report.duplicates, report.skipped) == (3, 1, 1, 1)
    # the changed record went out again; the create-only CRM answered 409 (already there): no duplicate
    assert len(crm.contacts) == 251 and len(set(crm.refs())) == 251


async def test_without_a_since_parameter_older_records_are_skipped_client_side(tmp_path, shop, crm):
    config = make_config()
    params = [p for p in config.source.endpoint.parameters if p.name != "updated_since"]
    config.source.endpoint = config.source.endpoint.model_copy(update={"parameters": params})
    engine = make_engine(tmp_path, shop, crm, config)
    await engine.run_once()
    shop.customers[9].update(updated_at=later(5), first_name="Changed")
    posts = crm.posts
    report = await engine.run_once()
    assert "updated_since" not in shop.requests[-1].url.params
    assert (report.read, report.skipped, report.duplicates) == (250, 249, 1)
    assert crm.posts == posts + 1


async def test_transient_faults_are_retried_and_retry_after_is_honoured(tmp_path, shop, crm):
    crm.faults = {3: status(429, **{"Retry-After": "2"}), 10: status(503), 20: raise_(httpx.ConnectError),
                  21: raise_(httpx.ConnectTimeout)}  # fmt: skip
    shop.faults = {1: status(500), 2: raise_(httpx.ReadError)}
    sleeps = Sleeps()
    report = await make_engine(tmp_path, shop, crm, sleeps=sleeps).run_once()
    assert report.status == RunStatus.COMPLETED and report.written == 250
    assert sorted(crm.refs()) == sorted(c["id"] for c in shop.customers)
    assert max(sleeps) >= 2.0 and len(sleeps) == 6


async def test_ambiguous_failures_are_looked_up_instead_of_sent_twice(tmp_path, shop, crm):
    crm.unique_refs = False  # a blind resend would create a second contact
    crm.faults = {5: crm.commit_then(httpx.ReadTimeout), 7: crm.commit_then(httpx.RemoteProtocolError)}
    crm.faults[9] = lambda request: (crm.create(request), httpx.Response(502))[1]
    report = await make_engine(tmp_path, shop, crm).run_once()
    assert (report.status, report.written, report.duplicates) == (RunStatus.COMPLETED, 247, 3)
    assert len(crm.contacts) == 250 and len(set(crm.refs())) == 250


async def test_a_run_killed_mid_batch_is_reconciled_by_the_next_one(tmp_path, shop, crm):
    crm.unique_refs = False
    landed = asyncio.Event()
    router = Router(shop, crm)

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and crm.posts == 120:
            crm.posts += 1
            crm.create(request)
            landed.set()
            await asyncio.sleep(3600)  # the process dies before the answer arrives
        return router(request)

    config = make_config(options={"concurrency": 1})
    store = StateStore.open(config.integration_id, state_dir=tmp_path)
    policy = RetryPolicy(2, 0, 0, sleep=Sleeps())
    first = SyncEngine(config, store=store, client=mock_client(handler), environ=ENV, policy=policy)
    task = asyncio.create_task(first.run_once())
    await asyncio.wait_for(landed.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert store.ledger_counts()["pending"] >= 1 and len(crm.contacts) == 121
    second = make_engine(tmp_path, shop, crm, config)
    report = await second.run_once()
    assert report.status == RunStatus.COMPLETED and report.resumed
    assert report.duplicates >= 1  # the in-doubt record was found at the CRM, not created again
    assert len(crm.contacts) == 250 and len(set(crm.refs())) == 250
    assert second.store.ledger_counts() == {"delivered": 250 - report.duplicates, "duplicate": report.duplicates}


async def test_refused_and_unmappable_records_become_dead_letters_once(tmp_path, shop, crm):
    shop.customers[2]["email"] = None  # the CRM requires primary_email: 422
    shop.customers[2]["api_token"] = "tok_live_abcdef123456"
    shop.customers[7]["phone"] = "call me maybe"  # the E.164 transform fails
    engine = make_engine(tmp_path, shop, crm)
    report = await engine.run_once()
    assert (report.status, report.written, report.failed) == (RunStatus.COMPLETED, 248, 2)
    letters = {d.source_id: d for d in engine.store.dead_letters()}
    refused, unmapped = letters["cus_00003"], letters["cus_00008"]
    assert refused.kind == "rejected" and refused.status_code == 422 and "primary_email" in refused.reason
    assert refused.record["api_token"] == "****" and refused.payload["external_ref"] == "cus_00003"
    assert unmapped.kind == "transform" and "phone_numbers[].number" in unmapped.reason and unmapped.payload is None
    again = await engine.run_once()
    assert again.failed == 0 and engine.store.count_dead_letters() == 2  # not dead-lettered twice


async def test_replay_delivers_dead_letters_once_the_cause_is_fixed(tmp_path, shop, crm):
    crm.faults = {n: status(422) for n in (0, 1, 2)}
    engine = make_engine(tmp_path, shop, crm)
    await engine.run_once()
    assert engine.store.count_dead_letters() == 3
    report = await engine.replay_dead_letters()
    assert (report.kind, report.written, report.failed) == ("replay", 3, 0)
    assert engine.store.count_dead_letters() == 0 and len(set(crm.refs())) == 250 == len(crm.contacts)
    replayed = [d for d in engine.store.dead_letters(include_resolved=True) if d.resolution == "replayed"]
    assert len(replayed) == 3
    assert (await engine.replay_dead_letters()).read == 0


async def test_replay_maps_again_with_a_fixed_mapping(tmp_path, shop, crm):
    shop.customers[0]["phone"] = "call me maybe"
    await make_engine(tmp_path, shop, crm).run_once()
    config = make_config()
    fixed = [t for t in config.mapping.transformations if t.dest_field != "phone_numbers[].number"]
    config.mapping = config.mapping.model_copy(update={"transformations": fixed})
    engine = make_engine(tmp_path, shop, crm, config)
    report = await engine.replay_dead_letters()
    assert report.written == 1 and "cus_00001" in crm.refs() and engine.store.count_dead_letters() == 0


async def test_wrong_credentials_stop_the_run_without_dead_letters_and_keep_the_position(tmp_path, shop, crm):
    config = make_config(options={"batch_size": 50})
    engine = make_engine(tmp_path, shop, crm, config)
    engine.environ = {**ENV, "CRM_TOKEN": "expired-token-000"}
    report = await engine.run_once()
    assert report.status == RunStatus.FAILED and "401" in (report.error or "")
    assert "expired-token-000" not in (report.error or "") and engine.store.count_dead_letters() == 0
    assert engine.last_error == report.error
    engine.environ = ENV
    report = await engine.run_once()
    assert report.status == RunStatus.COMPLETED and report.resumed and len(set(crm.refs())) == 250 == len(crm.contacts)


async def test_a_missing_credential_fails_the_run_with_the_variable_named(tmp_path, shop, crm):
    engine = make_engine(tmp_path, shop, crm)
    engine.environ = {"CRM_TOKEN": "x" * 10}
    report = await engine.run_once()
    assert report.status == RunStatus.FAILED and "SHOP_KEY" in (report.error or "")


async def test_bulk_destinations_get_whole_batches_and_bad_records_are_isolated(tmp_path, shop, crm):
    shop.customers[3]["email"] = None
    bodies = []

    def bulk(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/contacts/bulk"):
            import json

            contacts = json.loads(request.content)["contacts"]
            bodies.append(len(contacts))
            if any(not c.get("primary_email") for c in contacts):
                return httpx.Response(422, json={"message": "invalid"})
            crm.contacts.extend(contacts)
            return httpx.Response(200, json={"created": len(contacts)})
        return Router(shop, crm)(request)

    config = make_config(options={"batch_size": 40})
    config.mapping = config.mapping.model_copy(update={"dest_array_wrapper": "contacts[]"})
    config.dest.endpoint = config.dest.endpoint.model_copy(update={"path": "/contacts/bulk"})
    engine = make_engine(tmp_path, shop, crm, config)
    engine.client = mock_client(bulk)
    report = await engine.run_once()
    assert (report.written, report.failed) == (249, 1)
    assert len(crm.contacts) == 249 and len(set(c["external_ref"] for c in crm.contacts)) == 249
    # pages of 100 make batches of 40, 40, 20; cus_00004 sits in the last page's 10-record batch, sent again singly
    assert max(bodies) == 40 and bodies.count(1) == 10


async def test_idempotency_keys_are_stable_per_record_version(tmp_path, shop, crm):
    crm.faults = {4: status(503)}
    config = make_config()
    header = Parameter(name="Idempotency-Key", location=ParameterLocation.HEADER)
    config.dest.endpoint = config.dest.endpoint.model_copy(update={"parameters": [header]})
    await make_engine(tmp_path, shop, crm, config).run_once()
    posts = [r for r in crm.requests if r.method == "POST"]
    keys = [r.headers["Idempotency-Key"] for r in posts]
    assert len(posts) == 251 and len(set(keys)) == 250  # the retry reused its key
    assert keys[4] == keys[5] or keys.count(keys[4]) == 2


async def test_only_one_replica_runs_the_sync_at_a_time(tmp_path, shop, crm):
    a, b = make_engine(tmp_path, shop, crm), make_engine(tmp_path, shop, crm)
    assert a.store.acquire_lease(a.owner, 60)
    report = await b.run_once()
    assert report.status == RunStatus.SKIPPED and crm.posts == 0
    a.store.release_lease(a.owner)
    assert (await b.run_once()).written == 250


async def test_a_restarted_replica_with_the_same_id_takes_its_lease_back_at_once(tmp_path, shop, crm):
    crashed, restarted, other = (make_engine(tmp_path, shop, crm) for _ in range(3))
    crashed.environ = restarted.environ = {**ENV, "VITESSE_REPLICA_ID": "pod-7"}
    crashed.owner = restarted.owner = "pod-7"
    assert crashed.store.acquire_lease(crashed.owner, 600)  # killed while holding a fresh lease
    assert (await other.run_once()).status == RunStatus.SKIPPED
    assert (await restarted.run_once()).written == 250


async def test_the_replica_id_comes_from_the_environment(tmp_path, shop, crm):
    engine = make_engine(tmp_path, shop, crm)
    assert len(engine.owner) == 32  # a random id without VITESSE_REPLICA_ID
    from vitesse.runtime import SyncEngine as Engine

    named = Engine(engine.config, store=engine.store, client=engine.client, environ={**ENV, "VITESSE_REPLICA_ID": "p1"})
    assert named.owner == "p1"


async def test_a_second_run_in_the_same_process_is_refused(tmp_path, shop, crm):
    engine = make_engine(tmp_path, shop, crm)
    first = asyncio.create_task(engine.run_once())
    await asyncio.sleep(0)
    with pytest.raises(SyncInProgress):
        await engine.run_once()
    assert (await first).written == 250


async def test_a_stop_request_ends_the_run_after_a_page_and_the_next_run_resumes(tmp_path, shop, crm):
    engine = make_engine(tmp_path, shop, crm)
    original = engine._deliver

    async def deliver_then_stop(*args, **kwargs):
        await original(*args, **kwargs)
        engine.request_stop()

    engine._deliver = deliver_then_stop
    report = await engine.run_once()
    assert (report.status, report.pages, report.written) == (RunStatus.STOPPED, 1, 100)
    assert engine.store.get_state()["run"]["position"] == {"cursor": "cus_00151"}
    engine._deliver = original
    report = await engine.run_once()
    assert report.resumed and report.written == 150 and len(set(crm.refs())) == 250 == len(crm.contacts)


async def test_cursor_mode_starts_the_next_run_where_the_last_one_ended(tmp_path, crm):
    shop = FakeShop(customers=[customer(i) for i in range(1, 131)], newest_first=False)
    config = make_config()
    config.source.incremental.mode = "cursor"
    engine = make_engine(tmp_path, shop, crm, config)
    await engine.run_once()
    shop.customers += [customer(i) for i in range(131, 141)]
    report = await engine.run_once()
    assert shop.requests[-1].url.params["starting_after"] == "cus_00100"
    assert (report.read, report.written, report.skipped) == (40, 10, 30)
    assert len(crm.contacts) == 140


async def test_with_database_url_the_state_lives_in_postgresql_and_survives_a_restart(pg_database, shop, crm):
    from vitesse.runtime.app import open_store

    config = make_config()
    config.integration_id = f"pg-{id(shop)}"
    store = open_store(config, {"DATABASE_URL": pg_database})
    assert store.description.startswith("postgresql://") and not store.local
    client = mock_client(Router(shop, crm))
    first = SyncEngine(config, store=store, client=client, environ=ENV, policy=RetryPolicy(sleep=Sleeps()))
    assert (await first.run_once()).written == 250
    store.close()
    again = open_store(config, {"DATABASE_URL": pg_database})
    second = SyncEngine(config, store=again, client=client, environ=ENV, policy=RetryPolicy(sleep=Sleeps()))
    report = await second.run_once()
    assert (report.written, report.skipped) == (0, 1) and again.ledger_counts() == {"delivered": 250}
    assert len(crm.contacts) == 250
    again.close()


async def test_an_unexpected_error_fails_the_run_without_taking_the_runtime_down(
    tmp_path, shop, crm, caplog, monkeypatch
):
    from vitesse.runtime.prepare import Preparer

    engine = make_engine(tmp_path, shop, crm)

    def broken(self, records):
        raise KeyError("bug-token-1234567890abcdef")

    monkeypatch.setattr(Preparer, "prepare", broken)
    report = await engine.run_once()
    assert report.status == RunStatus.FAILED and "KeyError" in (report.error or "")
    assert "1234567890abcdef" not in (report.error or "")  # token-like text is masked
    assert engine.store.recent_runs(1)[0]["status"] == "failed" and "unexpectedly" in caplog.text


async def test_a_cancelled_run_is_recorded_as_stopped(tmp_path, shop, crm):
    engine = make_engine(tmp_path, shop, crm)
    task = asyncio.create_task(engine.run_once())
    for _ in range(200):
        await asyncio.sleep(0)
        if crm.posts:
            break
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert engine.store.recent_runs(1)[0]["status"] == "stopped" and not engine.running


async def test_an_upsert_endpoint_gets_its_path_parameter_from_the_payload(tmp_path, shop, crm):
    puts = {}

    def upsert(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            ref = request.url.path.rsplit("/", 1)[1]
            puts[ref] = puts.get(ref, 0) + 1
            return httpx.Response(200, json={"id": ref})
        return Router(shop, crm)(request)

    config = make_config()
    upsert_ep = {"method": HttpMethod.PUT, "path": "/contacts/{external_ref}"}
    config.dest.endpoint = config.dest.endpoint.model_copy(update=upsert_ep)
    engine = make_engine(tmp_path, shop, crm, config)
    engine.client = mock_client(upsert)
    report = await engine.run_once()
    assert report.written == 250 and set(puts) == {c["id"] for c in shop.customers} and set(puts.values()) == {1}
    assert engine.store.ledger(["cus_00007"])["cus_00007"].dest_ref == "cus_00007"
