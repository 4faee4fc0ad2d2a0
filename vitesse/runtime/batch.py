"""Decide what a batch sends (from the ledger) and what its answers mean for the ledger and the report."""

from __future__ import annotations

from dataclasses import dataclass, field

from vitesse.runtime._records import DeadLetter, LedgerEntry
from vitesse.runtime.masking import mask_fields
from vitesse.runtime.report import SyncReport
from vitesse.runtime.writer import Outgoing, Written

SETTLED = ("delivered", "duplicate")


@dataclass
class Triage:
    send: list[Outgoing] = field(default_factory=list)
    in_doubt: list[Outgoing] = field(default_factory=list)
    """Marked pending by an earlier run that never recorded the answer: look them up before resending."""
    new_dead: list[DeadLetter] = field(default_factory=list)


def triage(
    items: list[Outgoing], dead: list[DeadLetter], known: dict[str, LedgerEntry], *, look_up: bool, report: SyncReport
) -> Triage:
    """Split a batch by its ledger entries: skip what was settled with the same content, find the in-doubt."""
    out = Triage(new_dead=[d for d in dead if not _same(known.get(d.source_id), d.content_hash, ("dead",))])
    report.skipped += len(dead) - len(out.new_dead)
    report.failed += len(out.new_dead)
    for item in items:
        entry = known.get(item.source_id)
        if _same(entry, item.content_hash, (*SETTLED, "dead")):
            report.skipped += 1
        elif look_up and entry is not None and entry.status == "pending":
            out.in_doubt.append(item)
        else:
            out.send.append(item)
    return out


@dataclass
class Outcomes:
    entries: list[LedgerEntry] = field(default_factory=list)
    letters: list[DeadLetter] = field(default_factory=list)
    fatal: str | None = None
    """Why the destination refused the runtime itself (401/403/404/405), if it did."""
    pending: list[str] = field(default_factory=list)
    """Reasons of the records left for the next run."""


def outcomes(results: list[Written], report: SyncReport) -> Outcomes:
    """Turn the writer's answers into ledger entries and dead letters, counting them in the report."""
    out = Outcomes()
    for w in results:
        item = w.item
        if w.status in SETTLED:
            out.entries.append(LedgerEntry(item.source_id, item.content_hash, w.status, w.dest_ref))
            report.written += w.status == "delivered"
            report.duplicates += w.status == "duplicate"
        elif w.status == "dead":
            out.entries.append(LedgerEntry(item.source_id, item.content_hash, "dead"))
            record, payload = mask_fields(item.record), mask_fields(item.payload)
            letter = DeadLetter(
                item.source_id, item.content_hash, "rejected", w.reason or "refused", record, payload, w.status_code
            )
            out.letters.append(letter)
            report.failed += 1
        else:
            report.pending += 1
            out.pending.append(w.reason or "no answer")
            out.fatal = out.fatal or (w.reason if w.status == "fatal" else None)
    return out


def _same(entry: LedgerEntry | None, content_hash: str, statuses: tuple[str, ...]) -> bool:
    return entry is not None and entry.status in statuses and entry.content_hash == content_hash
