"""The state store keeps state, ledger, dead letters, leases and runs, in SQLite and in PostgreSQL alike."""

from __future__ import annotations

import time
import uuid

import pytest

from vitesse.errors import PersistenceError
from vitesse.runtime import DeadLetter, LedgerEntry, StateStore


@pytest.fixture(params=["sqlite", "postgresql"])
def open_store(request, tmp_path):
    opened = []

    def opener(integration_id: str = "it-1") -> StateStore:
        if request.param == "sqlite":
            store = StateStore.open(integration_id, state_dir=tmp_path)
        else:
            url = request.getfixturevalue("pg_database")
            store = StateStore.open(integration_id, database_url=url.replace("postgresql://", "postgresql+psycopg://"))
        opened.append(store)
        return store

    opener.dialect = request.param
    yield opener
    for store in opened:
        store.close()


def letter(source_id: str, reason: str = "refused") -> DeadLetter:
    return DeadLetter(source_id, "h1", "rejected", reason, {"id": source_id}, {"x": 1}, 422)


def test_state_keys_are_json_and_none_deletes(open_store):
    store = open_store(f"state-{uuid.uuid4().hex[:6]}")
    store.save_state(
        {"run": {"position": {"cursor": "c1"}, "since": ["updated_since", "2024"]}, "mark": {"epoch": 1.5}}
    )
    store.save_state({"mark": None})
    assert store.get_state() == {"run": {"position": {"cursor": "c1"}, "since": ["updated_since", "2024"]}}


def test_a_reopened_store_finds_everything_again(open_store):
    integration = f"reopen-{uuid.uuid4().hex[:6]}"
    first = open_store(integration)
    first.record([LedgerEntry("a", "h", "delivered", "17"), LedgerEntry("b", "h", "pending")], [letter("c")], {"k": 1})
    first.close()
    second = open_store(integration)
    assert second.get_state() == {"k": 1}
    assert second.ledger(["a", "b", "c", "zz"]) == {
        "a": LedgerEntry("a", "h", "delivered", "17"),
        "b": LedgerEntry("b", "h", "pending", None),
    }
    assert [d.source_id for d in second.dead_letters()] == ["c"]


def test_ledger_updates_keep_the_known_destination_id(open_store):
    store = open_store(f"ledger-{uuid.uuid4().hex[:6]}")
    store.record([LedgerEntry("a", "h1", "delivered", "9")])
    store.record([LedgerEntry("a", "h2", "pending")])
    assert store.ledger(["a"])["a"] == LedgerEntry("a", "h2", "pending", "9")
    many = [LedgerEntry(f"id{i}", "h", "delivered") for i in range(1200)]  # more than one IN (...) chunk
    store.record(many)
    assert len(store.ledger([e.source_id for e in many])) == 1200
    assert store.ledger_counts() == {"delivered": 1200, "pending": 1}


def test_each_record_has_at_most_one_open_dead_letter(open_store):
    store = open_store(f"dead-{uuid.uuid4().hex[:6]}")
    store.record([LedgerEntry("a", "h1", "dead")], [letter("a", "first")])
    store.record([LedgerEntry("a", "h2", "dead")], [letter("a", "second")])
    store.record([], [letter("b")])
    assert [(d.source_id, d.reason) for d in store.dead_letters()] == [("a", "second"), ("b", "refused")]
    store.record([LedgerEntry("b", "h3", "delivered")])  # delivered later: its dead letter is superseded
    assert [d.source_id for d in store.dead_letters()] == ["a"]
    resolved = {(d.source_id, d.resolution) for d in store.dead_letters(include_resolved=True) if d.resolved_at}
    assert resolved == {("a", "superseded"), ("b", "superseded")}
    open_id = store.dead_letters()[0].id
    store.retry_failed(open_id, "still refused", 400)
    assert (store.dead_letters()[0].attempts, store.dead_letters()[0].status_code) == (2, 400)
    store.record([LedgerEntry("a", "h4", "delivered")], resolved=[(open_id, "replayed")])
    assert store.count_dead_letters() == 0
    assert {d.resolution for d in store.dead_letters(include_resolved=True) if d.source_id == "a"} == {
        "superseded", "replayed"
    }  # fmt: skip


def test_one_owner_holds_the_lease_until_it_expires(open_store):
    store = open_store(f"lease-{uuid.uuid4().hex[:6]}")
    now = time.time()
    assert store.acquire_lease("replica-a", 30, now)
    assert not store.acquire_lease("replica-b", 30, now + 1)
    assert store.acquire_lease("replica-a", 30, now + 2)  # renewal
    assert store.acquire_lease("replica-b", 30, now + 40)  # a's lease expired
    store.release_lease("replica-b")
    assert store.acquire_lease("replica-a", 30, now + 41)


def test_integrations_sharing_a_database_do_not_see_each_other(open_store):
    suffix = uuid.uuid4().hex[:6]
    one, two = open_store(f"one-{suffix}"), open_store(f"two-{suffix}")
    one.record([LedgerEntry("a", "h", "delivered")], [letter("b")], {"k": "one"})
    assert (two.get_state(), two.ledger(["a"]), two.count_dead_letters()) == ({}, {}, 0)
    assert two.acquire_lease("x", 30) and one.acquire_lease("y", 30)


def test_runs_keep_only_the_most_recent(open_store):
    store = open_store(f"runs-{uuid.uuid4().hex[:6]}")
    for i in range(5):
        store.add_run(f"r{i}", float(i), {"n": i}, keep=3)
    assert [r["n"] for r in store.recent_runs(10)] == [4, 3, 2]


def test_unusable_databases_get_a_typed_error(tmp_path):
    with pytest.raises(PersistenceError, match="SQLite or PostgreSQL"):
        StateStore.open("x", database_url="mysql://db/x")
    (tmp_path / "file").write_text("")
    with pytest.raises(PersistenceError, match="cannot open"):
        StateStore.open("x", state_dir=tmp_path / "file")
    with pytest.raises(PersistenceError, match="cannot connect"):
        StateStore.open("x", database_url="postgresql://nobody@127.0.0.1:1/none")
