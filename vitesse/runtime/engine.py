"""Run syncs: read the source page by page, map, deliver in batches, and move the state only after acks.

Zero loss, no duplicates, in order of strength:

1. The read position is stored after a page is settled (every record delivered, recognised as already
   there, skipped or dead-lettered), so a killed runtime re-reads at most the page it was on.
2. Before a batch is sent its records are marked `pending` in the ledger (write-ahead); the answers are
   recorded after. A re-read record whose ledger entry shows the same content delivered is skipped.
3. A record still `pending` after a crash is in doubt: it may have landed. With an idempotency key (the
   same key for the same content) it is simply resent; else, when the destination has a lookup (a list
   endpoint filtering on the mapped identity, e.g. CRM `external_ref`), it is looked up first; a 409
   Conflict on create also counts as "already there".
4. A lease in the store lets one replica at a time run the sync; it is renewed between batches, and a
   replica that finds it lost stops. A killed replica's lease expires after `lease_ttl_s`; a restarted
   one with the same `VITESSE_REPLICA_ID` takes it back at once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, TypeVar
from uuid import uuid4

import httpx

from vitesse.errors import BlockedURLError, ConfigError, PersistenceError
from vitesse.runtime._pages import prefetch
from vitesse.runtime._records import DeadLetter, LedgerEntry
from vitesse.runtime.auth import AppliedAuth, resolve_auth
from vitesse.runtime.batch import outcomes, triage
from vitesse.runtime.config import ApiConfig, RuntimeConfig
from vitesse.runtime.delivery import RetryPolicy
from vitesse.runtime.errors import LeaseHeld, SyncAborted, SyncInProgress
from vitesse.runtime.incremental import plan_incremental, since_value
from vitesse.runtime.masking import mask_text
from vitesse.runtime.oauth import ClientCredentials
from vitesse.runtime.prepare import Preparer
from vitesse.runtime.reader import SourceReader
from vitesse.runtime.report import Metrics, RunStatus, SyncReport
from vitesse.runtime.store import StateStore
from vitesse.runtime.writer import DestWriter, Outgoing
from vitesse.transforms import compile_mapping

T = TypeVar("T")
log = logging.getLogger("vitesse.runtime")


class _Stopped(Exception):
    pass


class SyncEngine:
    """The sync of one integration: `run_once()` for a run, `replay_dead_letters()` to retry refused records."""

    def __init__(
        self,
        config: RuntimeConfig,
        *,
        store: StateStore,
        client: httpx.AsyncClient,
        environ: Mapping[str, str] | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.client = client
        self.environ = os.environ if environ is None else environ
        self.compiled = compile_mapping(config.mapping)
        self.plan = plan_incremental(config.source)
        opts = config.options
        self.policy = policy or RetryPolicy(
            opts.max_attempts, opts.backoff_base_s, opts.backoff_max_s, opts.retry_after_max_s
        )
        self.metrics = Metrics()
        self.owner = self.environ.get("VITESSE_REPLICA_ID") or uuid4().hex
        self._renewed = 0.0
        self.id_field = config.source.id_field or config.source.endpoint.primary_key or "id"
        self.running = False
        self.last_report: SyncReport | None = None
        self.last_error: str | None = None
        self._lock = asyncio.Lock()
        self._stopping = False
        self._flows: dict[str, ClientCredentials] = {}

    async def _db(self, fn: Callable[..., T], *args: Any) -> T:
        if self.store.local:  # a local SQLite call takes well under a millisecond: a thread hop costs more
            return fn(*args)
        return await asyncio.to_thread(fn, *args)

    def request_stop(self) -> None:
        """Ask a running sync to stop after the page it is on (the next run resumes from there)."""
        self._stopping = True

    # -- runs -------------------------------------------------------------------------------

    async def run_once(self) -> SyncReport:
        """Run one sync now and return its report.

        Raises:
            SyncInProgress: a sync or replay is already running in this process.
        """
        return await self._exclusive("sync", self._sync)

    async def replay_dead_letters(self, ids: list[int] | None = None) -> SyncReport:
        """Map the open dead letters again with the current mapping and deliver them.

        Delivered (or already present) ones are resolved as `replayed`; the others stay open with the new
        reason. Letters whose stored record had secret-looking fields masked cannot be sent as stored and
        stay open.
        """
        from vitesse.runtime.replay import replay

        return await self._exclusive("replay", lambda report: replay(self, report, ids))

    async def _exclusive(self, kind: str, body: Callable[[SyncReport], Any]) -> SyncReport:
        if self._lock.locked():
            raise SyncInProgress("a sync is already running; wait for it to finish")
        async with self._lock:
            report = SyncReport(run_id=uuid4().hex, kind=kind)
            self._stopping = False
            self.running = True
            try:
                await self._guarded(report, body)
            finally:
                self.running = False
                await self._finish(report)
            return report

    async def _guarded(self, report: SyncReport, body: Callable[[SyncReport], Any]) -> None:
        try:
            if not await self._renew_lease(force=True):
                raise LeaseHeld("another replica holds the sync lease; it runs the sync")
            try:
                await body(report)
            finally:
                await self._db(self.store.release_lease, self.owner)
        except LeaseHeld as exc:
            report.status, report.error = RunStatus.SKIPPED, exc.message
        except _Stopped:
            report.status = RunStatus.STOPPED
        except SyncAborted as exc:
            report.status = RunStatus.PARTIAL if exc.retryable else RunStatus.FAILED
            report.error = exc.message
        except (ConfigError, PersistenceError, BlockedURLError) as exc:
            report.status, report.error = RunStatus.FAILED, exc.message
        except asyncio.CancelledError:
            report.status, report.error = RunStatus.STOPPED, "the run was cancelled"
            raise
        except Exception as exc:  # a bug must not take the runtime down; the state stays where it was
            log.exception("the sync run failed unexpectedly")
            report.status, report.error = RunStatus.FAILED, mask_text(f"unexpected error: {type(exc).__name__}: {exc}")

    async def _finish(self, report: SyncReport) -> None:
        report.finished_at = time.time()
        self.metrics.observe(report)
        self.last_report = report
        if report.error and report.status != RunStatus.SKIPPED:
            self.last_error = report.error
        elif report.status == RunStatus.COMPLETED:
            self.last_error = None
        try:
            await self._db(self.store.add_run, report.run_id, report.started_at, report.to_dict())
        except PersistenceError as exc:
            self.last_error = exc.message

    async def _sync(self, report: SyncReport) -> None:
        state = await self._db(self.store.get_state)
        run = state.get("run")
        if run is None:
            run = self._new_run(report, state)
            await self._db(self.store.save_state, {"run": run})
        else:
            report.resumed = True
        reader, writer = self._reader(run), self._writer()
        preparer = Preparer(
            self.compiled, self.config.integration_id, self.id_field, self.plan.updated_field, run.get("mark_epoch")
        )
        position = run.get("position")
        async for page in prefetch(reader.pages(position)):
            prepared = preparer.prepare(page.records)
            report.pages += 1
            report.read += len(page.records)
            report.skipped += prepared.filtered
            await self._deliver(prepared.outgoing, prepared.dead, writer, report)
            if prepared.newest and (run.get("newest") is None or prepared.newest[0] > run["newest"]["epoch"]):
                run["newest"] = {"epoch": prepared.newest[0], "raw": prepared.newest[1]}
            run["tail"], run["position"] = position, page.next_position
            position = page.next_position
            if position is not None:
                await self._checkpoint(run)
        await self._complete(run, state)

    def _new_run(self, report: SyncReport, state: dict[str, Any]) -> dict[str, Any]:
        mark = state.get("mark") if self.plan.mode == "updated" else None
        start = state.get("tail") if self.plan.mode == "cursor" else None
        since = since_value(self.plan, mark)
        return {
            "id": report.run_id,
            "started_at": report.started_at,
            "since": list(since) if since else None,
            "mark_epoch": mark["epoch"] if mark else None,
            "position": start,
            "newest": mark,
        }

    async def _checkpoint(self, run: dict[str, Any]) -> None:
        await self._db(self.store.save_state, {"run": run})
        await self._keep_lease()
        if self._stopping:
            raise _Stopped

    async def _renew_lease(self, *, force: bool = False) -> bool:
        ttl = self.config.options.lease_ttl_s
        if not force and time.monotonic() - self._renewed < ttl / 3:
            return True
        if await self._db(self.store.acquire_lease, self.owner, ttl):
            self._renewed = time.monotonic()
            return True
        return False

    async def _keep_lease(self) -> None:
        if not await self._renew_lease():
            raise SyncAborted("the sync lease was lost to another replica; stopping", retryable=True)

    async def _complete(self, run: dict[str, Any], state: dict[str, Any]) -> None:
        success = {"started_at": run["started_at"], "finished_at": time.time()}
        final: dict[str, Any] = {"run": None, "last_success": success}
        if self.plan.mode == "updated" and run.get("newest"):
            final["mark"] = run["newest"]
        if self.plan.mode == "cursor":
            final["tail"] = run.get("tail")
        await self._db(self.store.save_state, final)

    def _auth(self, api: ApiConfig, side: str) -> AppliedAuth:
        """The API's auth, read afresh each run; an OAuth2 token flow (and its token) is kept across runs."""
        applied = resolve_auth(api, self.environ, side=side)
        if applied.flow is None:
            return applied
        return replace(applied, flow=self._flows.setdefault(applied.flow.key, applied.flow))

    def _reader(self, run: dict[str, Any]) -> SourceReader:
        auth = self._auth(self.config.source, "source")
        since = tuple(run["since"]) if run.get("since") else None
        records_at = self.config.mapping.source_records_at
        return SourceReader(self.client, self.config.source, auth, self.policy, records_at=records_at, since=since)

    def _writer(self) -> DestWriter:
        auth = self._auth(self.config.dest, "destination")
        wrapper, concurrency = self.config.mapping.dest_array_wrapper, self.config.options.concurrency
        return DestWriter(
            self.client, self.config.dest, auth, self.policy, array_wrapper=wrapper, concurrency=concurrency
        )

    # -- delivery ---------------------------------------------------------------------------

    async def _deliver(
        self, items: list[Outgoing], dead: list[DeadLetter], writer: DestWriter, report: SyncReport
    ) -> None:
        size = self.config.options.batch_size
        for start in range(0, max(len(items), 1), size):
            await self._keep_lease()
            await self._deliver_batch(items[start : start + size], dead if start == 0 else [], writer, report)

    async def _deliver_batch(
        self, items: list[Outgoing], dead: list[DeadLetter], writer: DestWriter, report: SyncReport
    ) -> None:
        known = await self._db(self.store.ledger, [i.source_id for i in items] + [d.source_id for d in dead])
        look_up = writer.can_look_up and not writer.idempotent  # with a key, a plain resend is safe
        plan = triage(items, dead, known, look_up=look_up, report=report)
        found = await self._reconcile(plan.in_doubt, writer, report)
        send = plan.send + [item for item in plan.in_doubt if item.source_id not in found]
        intents = [LedgerEntry(i.source_id, i.content_hash, "pending") for i in send]
        intents += [LedgerEntry(d.source_id, d.content_hash, "dead") for d in plan.new_dead]
        intents += [LedgerEntry(i.source_id, i.content_hash, "duplicate", found[i.source_id])
                    for i in plan.in_doubt if i.source_id in found]  # fmt: skip
        await self._db(self.store.record, intents, plan.new_dead)
        result = outcomes(await writer.write(send), report)
        await self._db(self.store.record, result.entries, result.letters)
        if result.fatal:
            raise SyncAborted(f"the destination refused the runtime: {result.fatal}", retryable=False)
        if result.pending:
            left = len(result.pending)
            raise SyncAborted(f"{left} record(s) are left for the next run: {result.pending[0]}", retryable=True)

    async def _reconcile(self, items: list[Outgoing], writer: DestWriter, report: SyncReport) -> dict[str, str]:
        async def look(item: Outgoing) -> str | None:
            try:
                return await writer.find(item.payload)
            except (httpx.HTTPError, ValueError):
                return None  # unknown: resend; a 409 still stops a duplicate

        refs = await asyncio.gather(*(look(item) for item in items))
        found = {item.source_id: ref for item, ref in zip(items, refs, strict=True) if ref is not None}
        report.duplicates += len(found)
        return found
