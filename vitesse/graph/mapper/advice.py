"""Say what a person can do about a thin mapping: endpoints guessed from a vague intent, required fields left empty.

"Sync Shopify customers to Credo CRM" names no records of the CRM, so its create endpoint is the best
available guess; the advice names the guess, the better-ranked alternatives and a clearer intent
("customers to contacts"). Required destination fields nothing maps to are named with what to do about each.
The lines go into `MappingLogic.warnings`; `rationale_note` is their short form for the rationale.
"""

from __future__ import annotations

import re

from vitesse.graph.mapper.options import EndpointChoice
from vitesse.schemas import MappingLogic, UnmappedField

__all__ = ["UNMAPPED_REQUIRED", "endpoint_advice", "rationale_note", "refresh_unmapped_advice", "unmapped_advice"]

UNMAPPED_REQUIRED = "Required destination fields left unmapped"
"""How the unmapped-fields warning begins (heal and the LLM merge replace that line when the fields change)."""
SHOWN = 3
"""Alternatives (and candidates) named per line."""
_WORD = re.compile(r"^[A-Za-z][A-Za-z_\-]*$")


def records_word(key: str) -> str | None:
    """The records an endpoint works on, as an intent would name them: `POST /v1/contacts` → `contacts`."""
    segments = [s for s in key.partition(" ")[2].split("/") if s and not s.startswith("{")]
    last = segments[-1] if segments else ""
    return last.replace("_", " ").replace("-", " ") if _WORD.match(last) else None


def _clearer_intent(choice: EndpointChoice) -> str | None:
    src_key = choice.source_alternatives[0] if choice.source_guessed and choice.source_alternatives else None
    dst_key = choice.dest_alternatives[0] if choice.dest_guessed and choice.dest_alternatives else None
    source, dest = records_word(src_key or choice.source_endpoint), records_word(dst_key or choice.dest_endpoint)
    return f"{source} to {dest}" if source and dest else None


def _guess_line(side: str, key: str, param: str, alternatives: list[str], example: str | None) -> str:
    others = f" (best alternatives: {', '.join(alternatives[:SHOWN])})" if alternatives else ""
    text = (
        f"The {side} endpoint {key} is a best-available guess: the intent names none of its records. "
        f"Name the endpoint with {param}{others}, or write an intent that names the records"
    )
    return text + (f', e.g. "{example}".' if example else ".")


def endpoint_advice(choice: EndpointChoice) -> list[str]:
    """One line per side whose endpoint was guessed rather than given or named by the intent."""
    example = _clearer_intent(choice)
    lines = []
    if choice.source_guessed:
        lines.append(
            _guess_line("source", choice.source_endpoint, "source_endpoint", choice.source_alternatives, example)
        )
    if choice.dest_guessed:
        lines.append(
            _guess_line("destination", choice.dest_endpoint, "dest_endpoint", choice.dest_alternatives, example)
        )
    return lines


def _why_empty(field: UnmappedField) -> str:
    if field.reason == "needs_lookup":
        return "it holds the destination's own ids: look them up in the destination"
    if field.reason == "below_threshold" and field.candidates:
        closest = ", ".join(f"{path} ({score:.2f})" for path, score in field.candidates[:SHOWN])
        return f"below the match threshold; closest source fields: {closest}"
    if field.reason == "no_candidate":
        return "no source field resembles it"
    return field.reason.replace("_", " ") or "nothing maps to it"


def unmapped_advice(logic: MappingLogic) -> list[str]:
    """One line naming the required destination fields nothing maps to, and what to do about them."""
    missing = [u for u in logic.unmapped_dest if u.required]
    if not missing:
        return []
    named = "; ".join(f"{u.dest_field} ({_why_empty(u)})" for u in missing)
    others = logic.alternatives.get("dest") or []
    elsewhere = f" (best alternatives: {', '.join(others[:SHOWN])})" if others else ""
    return [
        f"{UNMAPPED_REQUIRED} in {logic.dest_endpoint}: {named}. Map a source field to each, give it a constant "
        f"or default, or, if these records belong elsewhere, name another dest_endpoint{elsewhere}."
    ]


def refresh_unmapped_advice(logic: MappingLogic) -> None:
    """Replace the unmapped-fields line after the transformations changed (heal, LLM reranking)."""
    kept = [w for w in logic.warnings if not w.startswith(UNMAPPED_REQUIRED)]
    logic.warnings = kept + unmapped_advice(logic)


def rationale_note(choice: EndpointChoice, logic: MappingLogic) -> str:
    """The advice in brief, to follow the endpoint rationale."""
    notes = []
    for side, guessed, param, alternatives in (
        ("source", choice.source_guessed, "source_endpoint", choice.source_alternatives),
        ("destination", choice.dest_guessed, "dest_endpoint", choice.dest_alternatives),
    ):
        if guessed:
            others = f" (e.g. {', '.join(alternatives[:SHOWN])})" if alternatives else ""
            notes.append(f"{side} guessed: name {param}{others} or write an intent that names its records")
    if logic.unmapped_required:
        notes.append(f"required fields unmapped: {', '.join(logic.unmapped_required)}")
    return "".join(f"; {n}" for n in notes)
