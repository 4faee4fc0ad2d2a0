"""Stored credentials reach a deployed runtime whole: a basic-auth user and an OAuth2 client, not only a secret."""

from __future__ import annotations

import base64

from tests.unit.runtime.helpers import golden_mapping, specs
from vitesse.persistence._credentials import Credentials as Stored
from vitesse.runtime import build_runtime_config
from vitesse.runtime.auth import resolve_auth
from vitesse.schemas import AuthScheme, AuthType, OAuthFlow


def with_scheme(spec, scheme: AuthScheme):
    return spec.model_copy(update={"auth_schemes": [scheme], "security": [[scheme.name]]})


def test_a_basic_auth_user_and_an_oauth_client_travel_by_reference_and_authenticate():
    shop, crm = specs()
    shop = with_scheme(shop, AuthScheme(name="basic", type=AuthType.HTTP_BASIC, scheme="basic"))
    flows = [OAuthFlow(flow="clientCredentials", token_url="https://auth.example.test/token")]
    crm = with_scheme(crm, AuthScheme(name="oauth", type=AuthType.OAUTH2, flows=flows))
    stored = Stored(
        source_auth={"username": "ann", "password": "pw-123456"},
        dest_auth={"client_id": "orbit-client", "client_secret": "client-secret-789"},
    )
    environ = stored.runtime_secrets()
    assert environ == {
        "SOURCE_API_KEY": "pw-123456",
        "SOURCE_API_USER": "ann",
        "DEST_API_KEY": "client-secret-789",
        "DEST_CLIENT_ID": "orbit-client",
    }
    refs = stored.runtime_references()
    assert refs == {"source_username": "SOURCE_API_USER", "dest_client_id": "DEST_CLIENT_ID"}

    config = build_runtime_config(
        golden_mapping(), shop, crm, source_base_url="https://shop.test", dest_base_url="https://crm.test", **refs
    )
    text = config.model_dump_json()
    assert "pw-123456" not in text and "client-secret-789" not in text, "names travel, values do not"
    source = resolve_auth(config.source, environ, side="source")
    assert base64.b64decode(source.headers["Authorization"].split()[1]) == b"ann:pw-123456"
    dest = resolve_auth(config.dest, environ, side="destination")
    assert dest.flow is not None and dest.flow.token_url == "https://auth.example.test/token"


def test_a_user_is_referenced_only_for_basic_auth_and_a_client_only_for_oauth2():
    shop, crm = specs()  # the shop takes an API key, the CRM a bearer token
    config = build_runtime_config(
        golden_mapping(), shop, crm, source_base_url="https://shop.test", dest_base_url="https://crm.test",
        source_username="SOURCE_API_USER", dest_client_id="DEST_CLIENT_ID",
    )  # fmt: skip
    assert config.source.credentials is not None and config.source.credentials.username is None
    assert config.dest.credentials is not None and config.dest.credentials.client_id is None
    assert Stored(source_auth={"api_key": "k-1"}).runtime_references() == {}
