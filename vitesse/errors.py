"""Name every way Vitesse can fail, in one tree.

```
VitesseError
├── ConfigError            a setting is missing or wrong
├── IngestError            a spec could not be fetched or read (carries an IngestReason)
├── NetworkError           an outbound request failed
│   └── BlockedURLError    the SSRF guard refused a URL
├── MappingError           no mapping could be built (no endpoint, bad feedback …)
├── TransformError         a transform is misconfigured (unknown function, bad expression)
├── GuardianError          the proof could not run at all
├── DeployError            a deployer failed
├── PersistenceError       the database or checkpointer failed
└── NotFoundError          an integration, endpoint or deployment does not exist
```

Every message names the problem and what to do about it; none carries a secret.
"""

from __future__ import annotations

from enum import Enum


class VitesseError(Exception):
    """Base of every error Vitesse raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(VitesseError):
    pass


class IngestReason(str, Enum):
    NOT_A_SPEC = "not_a_spec"
    MALFORMED = "malformed"
    UNSUPPORTED_VERSION = "unsupported_version"
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    TOO_LARGE = "too_large"
    ALIAS_BOMB = "alias_bomb"
    FORBIDDEN_REF = "forbidden_ref"
    BLOCKED_URL = "blocked_url"
    NOT_FOUND = "not_found"
    HTTP_ERROR = "http_error"


class IngestError(VitesseError):
    """A spec could not be read; `reason` says why, `tried` lists the locations discovery tried."""

    def __init__(
        self,
        reason: IngestReason,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
        tried: list[str] | None = None,
    ) -> None:
        where = ""
        if line is not None:
            where = f" (line {line}" + (f", column {column})" if column is not None else ")")
        super().__init__(f"{message}{where}")
        self.reason = reason
        self.source = source
        self.line = line
        self.column = column
        self.tried = tried or []


class NetworkError(VitesseError):
    pass


class BlockedURLError(NetworkError):
    """The SSRF guard refused to let a request go to this URL."""

    def __init__(self, url: str, why: str) -> None:
        super().__init__(f"Refused to contact {url}: {why}")
        self.url = url
        self.why = why


class MappingError(VitesseError):
    pass


class TransformError(VitesseError):
    pass


class GuardianError(VitesseError):
    pass


class DeployError(VitesseError):
    pass


class PersistenceError(VitesseError):
    pass


class NotFoundError(VitesseError):
    pass
