"""Name the argument types the tools share, each with the description and examples a model reads."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$"

ApiRef = Annotated[
    str,
    Field(
        description="An OpenAPI/Swagger document: a spec URL, an API base URL (the spec is discovered at the "
        "common paths) or a local file path.",
        examples=["https://petstore3.swagger.io/api/v3/openapi.json", "./specs/shop.yaml"],
        min_length=1,
    ),
]
IntegrationId = Annotated[
    str,
    Field(
        description="The integration's id, as create_integration or list_integrations return it.",
        examples=["integ_3f9a1c2b7d10"],
        pattern=ID_PATTERN,
    ),  # fmt: skip
]
Credentials = Annotated[
    dict[str, str] | None,
    Field(
        description="Credentials for this API, stored encrypted and never shown again: by auth scheme name or "
        "the generic names api_key, token, username, password.",
        examples=[{"api_key": "sk_test_..."}],
    ),
]
TestCount = Annotated[int, Field(ge=1, le=1000, description="Shadow calls per proof (10-20 is a quick check).")]
HealAttempts = Annotated[int, Field(ge=0, le=10, description="Heal rounds before pausing for review.")]
