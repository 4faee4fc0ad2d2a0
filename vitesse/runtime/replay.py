"""Replay dead letters: map each stored record again (the mapping may have been fixed) and deliver it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vitesse.runtime._records import DeadLetter, LedgerEntry
from vitesse.runtime.errors import SyncAborted
from vitesse.runtime.masking import has_masked, mask_text
from vitesse.runtime.prepare import content_hash
from vitesse.runtime.report import SyncReport
from vitesse.runtime.writer import Outgoing, Written, idempotency_key

if TYPE_CHECKING:
    from vitesse.runtime.engine import SyncEngine

REPLAY_LIMIT = 10_000


async def replay(engine: SyncEngine, report: SyncReport, ids: list[int] | None) -> None:
    """Replay open dead letters (all, or those with these ids) in batches; see `SyncEngine.replay_dead_letters`."""
    store = engine.store
    letters = await engine._db(lambda: store.dead_letters(ids=ids, limit=REPLAY_LIMIT))
    writer = engine._writer()
    size = engine.config.options.batch_size
    for start in range(0, len(letters), size):
        outgoing, by_source = [], {}
        for letter in letters[start : start + size]:
            item = await _remap(engine, report, letter)
            if item is not None:
                outgoing.append(item)
                by_source[item.source_id] = letter
        await engine._db(store.record, [LedgerEntry(o.source_id, o.content_hash, "pending") for o in outgoing])
        results = await writer.write(outgoing)
        for written in results:
            await _settle(engine, report, written, by_source[written.item.source_id])
        fatal = next((w.reason for w in results if w.status == "fatal"), None)
        if fatal:
            raise SyncAborted(f"the destination refused the runtime: {fatal}", retryable=False)


async def _remap(engine: SyncEngine, report: SyncReport, letter: DeadLetter) -> Outgoing | None:
    report.read += 1
    if has_masked(letter.record):
        report.skipped += 1  # its stored copy lost masked values: sync the record again from the source
        return None
    result = engine.compiled.apply(letter.record)
    if result.errors:
        reason = mask_text("the mapping failed: " + "; ".join(str(e) for e in result.errors))
        await engine._db(engine.store.retry_failed, letter.id, reason, None)
        report.failed += 1
        return None
    digest = content_hash(result.payload)
    key = idempotency_key(engine.config.integration_id, letter.source_id, digest)
    return Outgoing(letter.source_id, digest, result.payload, letter.record, key)


async def _settle(engine: SyncEngine, report: SyncReport, written: Written, letter: DeadLetter) -> None:
    store, item = engine.store, written.item
    if written.status in ("delivered", "duplicate"):
        entry = LedgerEntry(item.source_id, item.content_hash, written.status, written.dest_ref)
        await engine._db(lambda: store.record([entry], resolved=[(letter.id or 0, "replayed")]))
        report.written += written.status == "delivered"
        report.duplicates += written.status == "duplicate"
    elif written.status == "dead":
        await engine._db(store.record, [LedgerEntry(item.source_id, item.content_hash, "dead")])
        await engine._db(store.retry_failed, letter.id or 0, written.reason or "refused", written.status_code)
        report.failed += 1
    else:
        report.pending += 1
