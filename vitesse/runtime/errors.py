"""Name the ways a sync run stops early (see `vitesse.errors` for the project-wide tree)."""

from __future__ import annotations

from vitesse.errors import VitesseError


class SyncAborted(VitesseError):
    """A run could not go on; `retryable` says whether the next run may simply try again.

    Transient causes (retries exhausted, a long Retry-After) are retryable; wrong credentials, a missing
    endpoint or a source that breaks its own pagination are not, and need a person.
    """

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class SyncInProgress(VitesseError):
    """A sync is already running in this process (POST /sync answers 409)."""


class LeaseHeld(VitesseError):
    """Another replica holds the sync lease (it runs the sync; this one waits for its turn)."""
