"""Where a credential goes for each auth scheme: one rule for the runtime and the Guardian's proofs."""

from __future__ import annotations

import base64

import pytest

from vitesse.errors import ConfigError
from vitesse.graph.guardian.target import auth_for
from vitesse.runtime import SecretRef
from vitesse.runtime.auth import place_credential, resolve_auth
from vitesse.runtime.config import ApiConfig, Credentials
from vitesse.schemas import APISpecification, AuthScheme, AuthType, Endpoint, HttpMethod, ParameterLocation


def key(location: ParameterLocation, name: str | None = "X-Key") -> AuthScheme:
    return AuthScheme(name="k", type=AuthType.API_KEY, location=location, parameter_name=name)


def http(word: str, kind: AuthType = AuthType.HTTP_OTHER) -> AuthScheme:
    return AuthScheme(name=word, type=kind, scheme=word)


def basic_of(header: str) -> bytes:
    return base64.b64decode(header.split()[1])


@pytest.mark.parametrize(
    ("scheme", "username", "headers", "params"),
    [
        (key(ParameterLocation.HEADER), None, {"X-Key": "s3"}, {}),
        (key(ParameterLocation.QUERY), None, {}, {"X-Key": "s3"}),
        (key(ParameterLocation.COOKIE), None, {"Cookie": "X-Key=s3"}, {}),
        (http("bearer", AuthType.HTTP_BEARER), None, {"Authorization": "Bearer s3"}, {}),
        (AuthScheme(name="o", type=AuthType.OAUTH2), None, {"Authorization": "Bearer s3"}, {}),
        (AuthScheme(name="oidc", type=AuthType.OPENID_CONNECT), None, {"Authorization": "Bearer s3"}, {}),
        (http("Bearer"), None, {"Authorization": "Bearer s3"}, {}),
        (http("token"), None, {"Authorization": "Token s3"}, {}),
    ],
)
def test_a_credential_goes_where_its_scheme_says(scheme, username, headers, params):
    placed = place_credential(scheme, "s3", username=username)
    assert placed is not None and (placed.headers, placed.params) == (headers, params)
    assert placed.secrets == ("s3",)


def test_basic_takes_a_user_and_password_or_a_joined_pair():
    scheme = http("basic", AuthType.HTTP_BASIC)
    both = place_credential(scheme, "pw:with:colons", username="ann")
    joined = place_credential(scheme, "bob:hunter2")
    assert both is not None and basic_of(both.headers["Authorization"]) == b"ann:pw:with:colons"
    assert joined is not None and basic_of(joined.headers["Authorization"]) == b"bob:hunter2"
    assert "hunter2" in joined.secrets, "the password is masked, not only the encoded pair"
    assert place_credential(http("Basic"), "bob:x") is not None, "an http scheme spelled Basic is basic"


@pytest.mark.parametrize(
    ("scheme", "secret"),
    [
        (http("basic", AuthType.HTTP_BASIC), "no-colon"),
        (http("basic", AuthType.HTTP_BASIC), ":pw-without-user"),
        (key(ParameterLocation.HEADER, name=None), "s3"),
        (http("digest"), "s3"),
        (http("Negotiate"), "s3"),
    ],
)
def test_what_a_scheme_cannot_carry_is_not_placed(scheme, secret):
    assert place_credential(scheme, secret) is None


def test_the_runtime_names_what_is_missing_and_the_guardian_skips_the_scheme():
    api = ApiConfig(
        base_url="https://api.example.com",
        endpoint=Endpoint(method=HttpMethod.GET, path="/x"),
        auth=http("digest"),
        credentials=Credentials(secret=SecretRef(env="S")),
    )
    with pytest.raises(ConfigError, match="digest auth\\) is not supported"):
        resolve_auth(api, {"S": "s3"}, side="source")
    spec = APISpecification(name="a", spec_version="3.0.3", auth_schemes=[http("digest")], security=[["digest"]])
    assert auth_for(spec, Endpoint(method=HttpMethod.GET, path="/x"), {"token": "s3"}).missing == ["digest"]


def test_the_guardian_sends_what_the_runtime_sends_and_joins_two_cookies():
    schemes = [
        key(ParameterLocation.COOKIE, "session"),
        AuthScheme(name="csrf", type=AuthType.API_KEY, location=ParameterLocation.COOKIE, parameter_name="csrf"),
    ]
    spec = APISpecification(name="a", spec_version="3.0.3", auth_schemes=schemes, security=[["k", "csrf"]])
    parts = auth_for(spec, Endpoint(method=HttpMethod.GET, path="/x"), {"k": "s1", "csrf": "c2"})
    assert parts.headers == {"Cookie": "session=s1; csrf=c2"} and parts.secrets == ["s1", "c2"]

    token = http("token")
    api = ApiConfig(
        base_url="https://api.example.com",
        endpoint=Endpoint(method=HttpMethod.GET, path="/x"),
        auth=token,
        credentials=Credentials(secret=SecretRef(env="S")),
    )
    runtime = resolve_auth(api, {"S": "t-9"}, side="source")
    spec = APISpecification(name="a", spec_version="3.0.3", auth_schemes=[token], security=[["token"]])
    proof = auth_for(spec, Endpoint(method=HttpMethod.GET, path="/x"), {"token": "t-9"})
    assert runtime.headers == proof.headers == {"Authorization": "Token t-9"}
