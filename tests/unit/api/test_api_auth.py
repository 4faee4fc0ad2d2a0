"""Tokens: JWT signing and checking, the local signing secret, `vitesse token create` output, API keys."""

from __future__ import annotations

import asyncio
import inspect
import stat
from datetime import timedelta

import jwt
import pytest
from pydantic import SecretStr

import vitesse.api as api
from vitesse.api import Principal, create_api_key_token, create_token, decode_token, jwt_secret, token_create
from vitesse.api.auth import Authenticator, check_tenant
from vitesse.api.problems import ApiError
from vitesse.errors import ConfigError


def test_the_public_names_are_pinned():
    exported = [n for n in dir(api) if not n.startswith("_") and not inspect.ismodule(getattr(api, n))]
    assert sorted(api.__all__) == exported


def test_a_created_token_decodes_to_its_subject_and_tenant(settings):
    token = create_token(settings, subject="ana", tenant="acme")
    assert decode_token(token, jwt_secret(settings)) == Principal(subject="ana", tenant="acme", kind="jwt")
    claims = jwt.decode(token, jwt_secret(settings), algorithms=["HS256"], issuer="vitesse")
    assert claims["exp"] - claims["iat"] == 24 * 3600


def test_jwt_secret_prefers_the_setting_and_otherwise_keeps_a_private_key_file(settings):
    configured = settings.model_copy(update={"jwt_secret": SecretStr("a-configured-secret-of-some-length")})
    assert jwt_secret(configured) == "a-configured-secret-of-some-length"
    first = jwt_secret(settings)
    key_file = settings.data_dir / "jwt.key"
    assert first == jwt_secret(settings) == key_file.read_text().strip()
    assert len(first) >= 32 and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    token = create_token(configured, subject="ana")
    with pytest.raises(ApiError, match="Signature verification failed"):
        decode_token(token, first)


def test_a_damaged_key_file_is_reported(settings):
    settings.data_dir.mkdir(parents=True)
    (settings.data_dir / "jwt.key").write_text("short")
    with pytest.raises(ConfigError, match="damaged"):
        jwt_secret(settings)


@pytest.mark.parametrize("tenant", ["", "a" * 65, "acme/../x", "ac me"])
def test_tenant_names_are_checked(tenant):
    with pytest.raises(ConfigError, match="tenant"):
        check_tenant(tenant)


def test_tokens_need_a_subject_and_a_future_expiry(settings):
    with pytest.raises(ConfigError, match="subject"):
        create_token(settings, subject="")
    with pytest.raises(ConfigError, match="expire"):
        create_token(settings, subject="ana", expires_in=timedelta(0))


def test_an_expired_token_says_how_to_get_a_new_one(settings):
    token = create_token(settings, subject="ana", expires_in=timedelta(seconds=1))
    claims = jwt.decode(token, jwt_secret(settings), algorithms=["HS256"], issuer="vitesse")
    claims["exp"] = claims["iat"] - 10
    expired = jwt.encode(claims, jwt_secret(settings), algorithm="HS256")
    with pytest.raises(ApiError, match="vitesse token create") as caught:
        decode_token(expired, jwt_secret(settings))
    assert caught.value.status == 401


def test_token_create_prints_the_jwt_alone_on_the_last_line(settings):
    lines: list[str] = []
    assert token_create(settings, subject="ana", tenant="acme", expires_in_s=600, out=lines.append) == 0
    assert len(lines) == 2 and "ana" in lines[0] and "acme" in lines[0]
    assert decode_token(lines[-1], jwt_secret(settings)).tenant == "acme"


def test_token_create_with_api_key_stores_only_a_digest_and_the_key_authenticates(settings):
    lines: list[str] = []
    token_create(settings, subject="ci-bot", tenant="acme", api_key=True, out=lines.append)
    key = lines[-1]
    assert key.startswith("vk_") and " " not in key and "shown once" in lines[0]

    async def check() -> Principal:
        from vitesse.persistence import create_engine_from_settings, session_factory

        engine = create_engine_from_settings(settings)
        try:
            for path in settings.data_dir.parent.glob("vitesse.db*"):  # the file and its WAL
                assert key.encode() not in path.read_bytes()
            return await Authenticator(settings, session_factory(engine)).authenticate(f"Bearer {key}")
        finally:
            await engine.dispose()

    assert asyncio.run(check()) == Principal(subject="ci-bot", tenant="acme", kind="api_key")


def test_api_keys_refuse_a_bad_tenant_before_touching_the_database(settings):
    with pytest.raises(ConfigError, match="tenant"):
        asyncio.run(create_api_key_token(settings, subject="x", tenant="no spaces"))
    assert not (settings.data_dir.parent / "vitesse.db").exists()
