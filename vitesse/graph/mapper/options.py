"""Define the Mapper's knobs and its endpoint choice."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel
from pydantic import Field as PydField


@dataclass(frozen=True, kw_only=True)
class MapperOptions:
    """Per-call settings of the offline matcher."""

    threshold: float = 0.55
    """A destination field whose best assigned score is below this stays unmapped (`below_threshold`)."""
    candidates: int = 3
    """How many ranked source candidates an unmapped destination field lists."""
    embeddings: bool = False
    """Add semantic similarity from the local all-MiniLM-L6-v2 model (optional extra; imports torch)."""
    embedding_weight: float = 0.85
    collect: bool = True
    """Allow many-to-one matches (first + last name → full name, line items → an untyped array)."""
    split: bool = True
    """Allow one-to-many matches (full name → first and last name)."""
    fit_limits: bool = True
    """Let heal repair length and range errors with the `fit_text` / `fit_number` custom transforms (built
    into the transform engine, so the sync runtime compiles healed mappings too)."""
    llm_top_k: int = 5
    llm_timeout_s: float = 30.0


class EndpointChoice(BaseModel):
    """The source list endpoint and destination create endpoint picked for an intent."""

    source_endpoint: str
    dest_endpoint: str
    source_records_at: str | None = None
    dest_array_wrapper: str | None = None
    rationale: str = ""
    source_alternatives: list[str] = PydField(default_factory=list)
    dest_alternatives: list[str] = PydField(default_factory=list)
    explicit: bool = False
    source_guessed: bool = False
    """True when the source endpoint was neither given nor named by the intent: the best available one."""
    dest_guessed: bool = False
    """True when the destination endpoint was neither given nor named by the intent."""
