"""Write the one-line reason behind each transformation."""

from __future__ import annotations

from vitesse.graph.mapper.fields import FieldView


def _evidence(d: FieldView, s: FieldView, parts: dict[str, float]) -> str:
    if parts.get("embedding", 0.0) > max(parts.get("name", 0.0), parts.get("fuzzy", 0.0)):
        return "similar meaning (embeddings)"
    if parts.get("name", 0.0) >= 0.99 and d.leaf_text == s.leaf_text:
        return "same name"
    if parts.get("name", 0.0) >= 0.5:
        shared = sorted({t[1:] for t, _ in d.leaf if t.startswith("@")} & {t[1:] for t, _ in s.leaf})
        return f"synonyms ({', '.join(shared)})" if shared else "names share their key words"
    if parts.get("fuzzy", 0.0) >= 0.72:
        return "similar spelling"
    if parts.get("described", 0.0):
        return "the destination's description names it"
    return "weak evidence"


def explain(d: FieldView, sources: list[FieldView], parts: dict[str, float], kind: str, why: str) -> str:
    """Return e.g. `given_name ← first_name: synonyms (first_name); direct: same kind of value`."""
    names = " + ".join(s.path for s in sources)
    if kind in ("collect", "split", "items"):
        return f"{d.path} ← {names}: {why}"
    evidence = _evidence(d, sources[0], parts)
    notes = []
    if parts.get("role", 1.0) < 1.0 or parts.get("context", 1.0) < 0.8:
        notes.append("context differs")
    if parts.get("array", 1.0) < 1.0:
        notes.append("first array element")
    extra = f" ({'; '.join(notes)})" if notes else ""
    return f"{d.path} ← {names}: {evidence}{extra}; {why}"
