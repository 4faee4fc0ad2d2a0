"""Walk a source list endpoint page by page, the way its `Pagination` says, within a page budget.

The paging rule is the runtime's (`vitesse.runtime.paging`), so a proof reads a list as the deployed
sync will: cursors passed back until `has_more` is false or none comes, pages and offsets counted up
until a short or empty page or the total, links followed only on the list's own origin (credentials
never go to another host), and a cursor or link seen twice ends the walk with a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from vitesse.graph.guardian.shadow import Call, CallOutcome, Gate, ShadowCaller
from vitesse.runtime.paging import LinkElsewhere, Paging, Position, RepeatedCursor
from vitesse.runtime.paths import records_in
from vitesse.schemas import Endpoint, TestCategory

__all__ = ["ReadPass", "walk_pages"]


@dataclass
class ReadPass:
    """The calls a walk made, the records it collected, and what it could not follow."""

    outcomes: list[CallOutcome] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


async def walk_pages(
    caller: ShadowCaller, gate: Gate, first: Call, endpoint: Endpoint, *, max_pages: int, page_size: int | None
) -> ReadPass:
    """Read up to `max_pages` pages of a list endpoint, collecting their records."""
    walk = ReadPass()
    paging = Paging.of(endpoint, page_size)
    fixed = {k: v for k, v in first.params.items() if k not in paging.paging_names}
    position: Position = {}
    call = replace(first, params={**fixed, **paging.params(position)})
    for _ in range(max(1, max_pages)):
        outcome = await caller.call(call, gate)
        walk.outcomes.append(outcome)
        if not outcome.result.success:
            break
        page = records_in(outcome.body, endpoint.records_at)
        if page is None:
            _no_records(outcome, endpoint.records_at)
            break
        walk.records.extend(r for r in page if isinstance(r, dict))
        response = outcome.response
        try:
            following = paging.next(
                outcome.body,
                position,
                len(page),
                link_header=response.links.get("next", {}).get("url") if response is not None else None,
                url=str(response.request.url) if response is not None else call.url,
            )
        except LinkElsewhere:
            walk.warnings.append("the next-page link points to another host; Vitesse did not follow it")
            break
        except RepeatedCursor as exc:
            walk.warnings.append(f"{exc}; Vitesse stopped reading there")
            break
        if following is None:
            break
        position = following
        url = following.get("url")
        call = (
            replace(call, url=url, params=fixed) if url else replace(call, params={**fixed, **paging.params(position)})
        )
    return walk


def _no_records(outcome: CallOutcome, records_at: str | None) -> None:
    result = outcome.result
    result.success = False
    result.category = TestCategory.SCHEMA
    result.error_message = f"the answer has no list of records at {records_at or '[]'}"
