"""Runtime config: credentials only by reference, env overrides, auth application, the config builder."""

from __future__ import annotations

import base64
import json

import pytest

from tests.unit.runtime.helpers import golden_mapping, make_config, specs
from vitesse.errors import ConfigError
from vitesse.runtime import SecretRef, build_runtime_config, load_config, parse_config
from vitesse.runtime.auth import resolve_auth
from vitesse.runtime.config import ApiConfig, Credentials
from vitesse.schemas import AuthScheme, AuthType, Endpoint, HttpMethod, ParameterLocation

EP = Endpoint(method=HttpMethod.GET, path="/x", records_at="[]")


def api(auth: AuthScheme | None, secret: SecretRef | None = None, username: SecretRef | None = None) -> ApiConfig:
    creds = Credentials(secret=secret, username=username) if secret or username else None
    return ApiConfig(base_url="https://api.example.com", endpoint=EP, auth=auth, credentials=creds)


def test_the_built_config_round_trips_through_json_and_holds_no_secret(tmp_path):
    config = make_config()
    text = config.model_dump_json()
    path = tmp_path / "runtime.json"
    path.write_text(text)
    again = load_config(path, environ={})
    assert again == config
    shop, crm = specs()
    source_fields = shop.find_endpoint(config.source.endpoint.key).record_fields
    dest_fields = crm.find_endpoint(config.dest.endpoint.key).body_fields()
    assert again.source.endpoint.record_fields == source_fields, "the fields travel: the named schemas stay behind"
    assert again.dest.endpoint.body_fields() == dest_fields
    assert any("." in f.path for f in source_fields), "nested fields, which only the spec's schemas could give"
    assert "shop-secret" not in text and "crm-token" not in text
    assert json.loads(text)["source"]["credentials"] == {
        "secret": {"env": "SHOP_KEY", "file": None},
        "username": None,
        "client_id": None,
        "token_url": None,
        "scopes": [],
    }


def test_the_builder_picks_auth_lookup_and_bases_from_the_specs():
    config = make_config()
    assert config.source.auth.parameter_name == "X-API-Key"
    assert config.dest.auth.type == AuthType.HTTP_BEARER
    assert config.dest.lookup is not None
    assert (config.dest.lookup.endpoint.key, config.dest.lookup.param) == ("GET /contacts", "external_ref")
    assert config.dest.idempotency_header_name() is None  # the CRM declares no Idempotency-Key
    shop, crm = specs()
    reverse = golden_mapping().model_copy(
        update={"source_endpoint": "GET /contacts", "dest_endpoint": "POST /customers"}
    )
    back = build_runtime_config(
        reverse, crm, shop, source_base_url="https://c.example", dest_base_url="https://s.example"
    )
    assert back.dest.idempotency_header_name() == "Idempotency-Key"


def test_the_builder_names_a_missing_endpoint():
    shop, crm = specs()
    wrong = golden_mapping().model_copy(update={"dest_endpoint": "POST /leads"})
    with pytest.raises(ConfigError, match="no endpoint 'POST /leads'.*POST /contacts"):
        build_runtime_config(wrong, shop, crm)


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"source": {"headers": {"X-API-Key": "abc"}}}, "looks like a credential"),
        ({"dest": {"params": {"access_token": "abc"}}}, "looks like a credential"),
        ({"dest": {"base_url": "https://user:pw@crm.example"}}, "user:password"),
        ({"source": {"base_url": "ftp://x"}}, "http"),
        ({"source": {"credentials": {"secret": {"env": "A", "file": "/b"}}}}, "exactly one"),
        ({"options": {"batch_size": 0}}, "batch_size"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_configs_are_refused_with_the_place_named(patch, message):
    data = json.loads(make_config().model_dump_json())
    for section, values in patch.items():
        if isinstance(values, dict) and isinstance(data.get(section), dict):
            data[section].update(values)
        else:
            data[section] = values
    with pytest.raises(ConfigError, match=message):
        parse_config(data, environ={})


def test_environment_overrides_batch_size_concurrency_and_interval():
    data = json.loads(make_config().model_dump_json())
    env = {"BATCH_SIZE": "25", "VITESSE_SYNC_CONCURRENCY": "8", "VITESSE_SYNC_INTERVAL_S": "off"}
    config = parse_config(data, environ=env)
    assert (config.options.batch_size, config.options.concurrency, config.options.schedule_interval_s) == (25, 8, None)
    assert data["options"]["batch_size"] == 100  # the caller's dict is untouched


def test_unreadable_config_files_get_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{nope")
    with pytest.raises(ConfigError, match="not JSON"):
        load_config(tmp_path / "bad.json")


def test_api_keys_go_where_the_scheme_says():
    for location, check in (
        (ParameterLocation.HEADER, lambda a: a.headers == {"X-Key": "s3cret-value"}),
        (ParameterLocation.QUERY, lambda a: a.params == {"X-Key": "s3cret-value"}),
        (ParameterLocation.COOKIE, lambda a: a.headers == {"Cookie": "X-Key=s3cret-value"}),
    ):
        scheme = AuthScheme(name="k", type=AuthType.API_KEY, location=location, parameter_name="X-Key")
        applied = resolve_auth(api(scheme, SecretRef(env="K")), {"K": "s3cret-value"}, side="source")
        assert check(applied) and applied.secrets == ("s3cret-value",)


def test_bearer_and_basic_credentials_from_env_and_secret_files(tmp_path):
    bearer = AuthScheme(name="b", type=AuthType.HTTP_BEARER, scheme="bearer")
    token_file = tmp_path / "token"
    token_file.write_text("tok-from-file\n")
    applied = resolve_auth(api(bearer, SecretRef(file=str(token_file))), {}, side="destination")
    assert applied.headers == {"Authorization": "Bearer tok-from-file"}

    basic = AuthScheme(name="basic", type=AuthType.HTTP_BASIC, scheme="basic")
    both = resolve_auth(
        api(basic, SecretRef(env="P"), SecretRef(env="U")), {"U": "ann", "P": "pw:with:colons"}, side="x"
    )
    assert base64.b64decode(both.headers["Authorization"].split()[1]) == b"ann:pw:with:colons"
    joined = resolve_auth(api(basic, SecretRef(env="UP")), {"UP": "bob:hunter2"}, side="x")
    assert base64.b64decode(joined.headers["Authorization"].split()[1]) == b"bob:hunter2"


def test_missing_credentials_name_the_variable_or_file_to_set(tmp_path):
    scheme = AuthScheme(name="k", type=AuthType.API_KEY, location=ParameterLocation.HEADER, parameter_name="X-Key")
    with pytest.raises(ConfigError, match="environment variable SHOP_KEY is empty or unset"):
        resolve_auth(api(scheme, SecretRef(env="SHOP_KEY")), {}, side="source")
    with pytest.raises(ConfigError, match="cannot read the secret file"):
        resolve_auth(api(scheme, SecretRef(file=str(tmp_path / "nope"))), {}, side="source")
    with pytest.raises(ConfigError, match="source API needs an API key in header X-Key"):
        resolve_auth(api(scheme), {}, side="source")
    basic = AuthScheme(name="basic", type=AuthType.HTTP_BASIC)
    with pytest.raises(ConfigError, match="user:password"):
        resolve_auth(api(basic, SecretRef(env="P")), {"P": "no-colon"}, side="x")


def test_an_open_api_needs_nothing():
    assert resolve_auth(api(None), {}, side="source").headers == {}
