"""The event log and the live fan-out: numbering per integration, watchers that lag, secrets scrubbed."""

from __future__ import annotations

from vitesse.api.events import Broker, EventLog, Signal, StoredEvent, Watcher, jsonable
from vitesse.api.runs import build_context, graph_input, scrub, secret_values
from vitesse.graph.context import Services
from vitesse.schemas import DeploymentConfig, DeploymentTarget, IntegrationStatus


def event(seq: int) -> StoredEvent:
    return StoredEvent(seq, "stage", {"integration_id": "a", "n": seq})


async def test_every_watcher_of_an_integration_gets_each_event_and_others_get_none():
    broker = Broker()
    first, second, other = broker.subscribe("a"), broker.subscribe("a"), broker.subscribe("b")
    broker.publish("a", event(1))
    assert [await first.next(), await second.next()] == [event(1), event(1)]
    assert other._queue.empty()
    assert broker.count == 3
    broker.unsubscribe("a", first)
    broker.unsubscribe("a", second)
    assert broker.count == 1


async def test_a_watcher_that_falls_behind_is_told_it_lagged_and_still_gets_later_signals():
    watcher = Watcher(maxsize=3)
    for seq in range(1, 5):
        watcher.push(event(seq))  # the fourth overflows: queued events are dropped
    assert await watcher.next() is Signal.LAGGED
    watcher.push(event(5))
    assert await watcher.next() == event(5)
    for seq in range(6, 9):
        watcher.push(event(seq))
    watcher.push(Signal.ENDED)  # overflowing with a signal keeps the signal
    assert [await watcher.next(), await watcher.next()] == [Signal.LAGGED, Signal.ENDED]


async def test_close_all_tells_every_watcher_to_stop():
    broker = Broker()
    watchers = [broker.subscribe(iid) for iid in ("a", "b", "b")]
    broker.close_all()
    assert [await w.next() for w in watchers] == [Signal.CLOSED] * 3


async def test_the_log_numbers_events_per_integration_and_a_new_log_goes_on_from_the_database(settings):
    from vitesse.persistence import (
        create_engine_from_settings,
        create_integration,
        init_db,
        session_factory,
    )
    from vitesse.schemas import IntegrationInstance

    engine = create_engine_from_settings(settings)
    try:
        await init_db(engine)
        sessions = session_factory(engine)
        async with sessions() as session, session.begin():
            for iid in ("a", "b"):
                await create_integration(session=session, instance=IntegrationInstance(id=iid))
        log = EventLog(sessions)
        stored = [await log.append("a", "stage", {"i": i}) for i in range(5)]
        assert [e.seq for e in stored] == [1, 2, 3, 4, 5]
        assert (await log.append("b", "done", {})).seq == 1
        restarted = EventLog(sessions)
        assert (await restarted.append("a", "done", {"status": IntegrationStatus.READY})).seq == 6
        replay = await restarted.after("a", 4)
        assert [(e.seq, e.event) for e in replay] == [(5, "stage"), (6, "done")]
        assert replay[-1].data == {"status": "ready"}
        assert await restarted.last("a") == 6 and await EventLog(sessions).last("b") == 1
    finally:
        await engine.dispose()


def test_scrub_masks_every_credential_value_in_nested_events():
    secrets = secret_values({"api_key": "sk_live_123456", "short": "abc"}, None, {"token": "tok-98765"})
    assert secrets == ["sk_live_123456", "tok-98765"]
    data = {"message": "GET /x?k=sk_live_123456 failed", "issues": ["tok-98765 rejected", 3], "n": 1}
    assert scrub(data, secrets) == {"message": "GET /x?k=**** failed", "issues": ["**** rejected", 3], "n": 1}
    assert scrub(data, []) is data


def test_jsonable_turns_enums_and_models_into_plain_json():
    config = DeploymentConfig(target=DeploymentTarget.PROCESS)
    assert jsonable({"status": IntegrationStatus.READY, "when": config})["status"] == "ready"


def test_stored_inputs_and_knobs_become_the_graphs_input_and_context(settings):
    inputs = graph_input({"user_intent": "x", "deployment_config": {"target": "process", "replicas": 2}})
    assert isinstance(inputs["deployment_config"], DeploymentConfig) and inputs["deployment_config"].replicas == 2
    context = build_context({"test_count": 7, "knob_of_a_future_version": 1}, Services(settings=settings))
    assert context.test_count == 7 and context.services is not None
    assert not hasattr(context, "knob_of_a_future_version")
