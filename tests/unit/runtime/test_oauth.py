"""OAuth2 client credentials in the runtime: tokens fetched, reused, renewed on expiry and after a 401, refused
cleanly; the token endpoint is a third party's, so it is faked behind MockTransport like the APIs here."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from urllib.parse import parse_qs

import httpx
import pytest

from tests.unit.runtime.fakes import CRM_TOKEN, Router
from tests.unit.runtime.helpers import ENV, Sleeps, make_config, mock_client
from vitesse.errors import ConfigError
from vitesse.runtime import RetryPolicy, RunStatus, SecretRef, StateStore, SyncEngine
from vitesse.runtime.auth import resolve_auth
from vitesse.runtime.config import ApiConfig, Credentials
from vitesse.runtime.oauth import ClientCredentials, TokenRefused, TokenUnavailable
from vitesse.schemas import AuthScheme, AuthType, Endpoint, HttpMethod, OAuthFlow

TOKEN_URL = "https://auth.orbitcrm.example/oauth/token"
CLIENT = {"CRM_CLIENT_ID": "orbit-client-1", "CRM_CLIENT_SECRET": "orbit-client-secret-xyz"}


@dataclass
class TokenServer:
    """Issues the listed tokens in turn (the last one again when they run out), or answers `status`."""

    tokens: list[str]
    lifetime: int = 3600
    status: int = 200
    requests: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.status != 200:
            return httpx.Response(self.status, json={"error": "invalid_client", "secret": CLIENT["CRM_CLIENT_SECRET"]})
        token = self.tokens.pop(0) if len(self.tokens) > 1 else self.tokens[0]
        return httpx.Response(200, json={"access_token": token, "token_type": "Bearer", "expires_in": self.lifetime})

    def form(self, n: int) -> dict[str, list[str]]:
        return parse_qs(self.requests[n].content.decode())


def with_tokens(router: Router, server: TokenServer, sent: list[str]):
    def route(request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            return server.handle(request)
        if request.url.host == "api.orbitcrm.example":  # as sent: a retried request object is signed again
            sent.append(request.headers.get("Authorization", ""))
        return router(request)

    return route


def oauth_engine(tmp_path, shop, crm, server: TokenServer, sent: list[str] | None = None) -> SyncEngine:
    config = make_config()
    config.dest.credentials = Credentials(
        client_id=SecretRef(env="CRM_CLIENT_ID"),
        secret=SecretRef(env="CRM_CLIENT_SECRET"),
        token_url=TOKEN_URL,
        scopes=["contacts:write", "contacts:read"],
    )
    store = StateStore.open(config.integration_id, state_dir=tmp_path)
    client = mock_client(with_tokens(Router(shop, crm), server, sent if sent is not None else []))
    policy = RetryPolicy(3, 0.0, 0.0, sleep=Sleeps())
    return SyncEngine(config, store=store, client=client, environ={**ENV, **CLIENT}, policy=policy)


async def test_a_sync_fetches_one_token_and_a_fresh_one_when_the_api_refuses_it(tmp_path, shop, crm):
    server = TokenServer(tokens=["stale-token-0001", CRM_TOKEN])
    sent: list[str] = []
    report = await oauth_engine(tmp_path, shop, crm, server, sent).run_once()
    assert report.status == RunStatus.COMPLETED and report.written == 250 and report.failed == 0
    assert len(server.requests) == 2, "one token for all concurrent writes, one more after the API's 401s"
    basic = server.requests[0].headers["Authorization"].split()[1]
    assert base64.b64decode(basic) == b"orbit-client-1:orbit-client-secret-xyz"
    assert server.form(0) == {"grant_type": ["client_credentials"], "scope": ["contacts:write contacts:read"]}
    stale = sent.count("Bearer stale-token-0001")
    assert 1 <= stale <= 10, "the first writes (at most the concurrency) met the 401"
    assert sent[stale:] == [f"Bearer {CRM_TOKEN}"] * (len(sent) - stale) and len(crm.contacts) == 250


async def test_the_token_is_kept_for_the_next_run_while_it_is_valid(tmp_path, shop, crm):
    server = TokenServer(tokens=[CRM_TOKEN])
    engine = oauth_engine(tmp_path, shop, crm, server)
    first = await engine.run_once()
    shop.customers[0]["email"] = "changed@example.com"
    second = await engine.run_once()
    assert first.status == second.status == RunStatus.COMPLETED and len(server.requests) == 1


async def test_refused_client_credentials_fail_the_run_with_a_clear_masked_error(tmp_path, shop, crm):
    server = TokenServer(tokens=[CRM_TOKEN], status=401)
    report = await oauth_engine(tmp_path, shop, crm, server).run_once()
    assert report.status == RunStatus.FAILED and report.written == 0
    assert "token endpoint refused the client credentials (HTTP 401, invalid_client)" in (report.error or "")
    assert CLIENT["CRM_CLIENT_SECRET"] not in (report.error or "") and not crm.contacts


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_token_is_renewed_a_minute_before_it_expires_and_a_second_401_is_the_answer():
    server = TokenServer(tokens=["t-1", "t-2", "t-3", "t-4"], lifetime=600)
    seen: list[str] = []

    def api(request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            return server.handle(request)
        seen.append(request.headers["Authorization"])
        return httpx.Response(401 if request.url.path == "/denied" else 200, json={})

    clock = Clock()
    flow = ClientCredentials(TOKEN_URL, "id", "secret", clock=clock)
    async with httpx.AsyncClient(transport=httpx.MockTransport(api), auth=flow) as client:
        await client.get("https://api.example.test/a")
        clock.now += 539  # under 600 - 60 s: the same token
        await client.get("https://api.example.test/a")
        clock.now += 2  # past it: a new one
        await client.get("https://api.example.test/a")
        denied = await client.get("https://api.example.test/denied")
    assert seen == ["Bearer t-1", "Bearer t-1", "Bearer t-2", "Bearer t-2", "Bearer t-3"]
    assert denied.status_code == 401, "one fresh token and one more try, then the API's answer stands"
    assert flow.issued == ["t-1", "t-2", "t-3"] and flow.fetches == 3


@pytest.mark.parametrize(("status", "error"), [(503, TokenUnavailable), (429, TokenUnavailable), (400, TokenRefused)])
async def test_a_failing_token_endpoint_is_transient_or_refused_by_its_status(status, error):
    server = TokenServer(tokens=["t"], status=status)
    transport = httpx.MockTransport(lambda r: server.handle(r) if str(r.url) == TOKEN_URL else httpx.Response(200))
    async with httpx.AsyncClient(transport=transport, auth=ClientCredentials(TOKEN_URL, "id", "secret")) as client:
        with pytest.raises(error) as raised:
            await client.get("https://api.example.test/a")
    assert "secret" not in str(raised.value).replace("client credentials", "")
    assert issubclass(TokenUnavailable, httpx.ConnectError), "not sent: the retry policy may try again"


def api_with(scheme: AuthScheme, **creds) -> ApiConfig:
    return ApiConfig(
        base_url="https://api.example.test/v2",
        endpoint=Endpoint(method=HttpMethod.GET, path="/x"),
        auth=scheme,
        credentials=Credentials(client_id=SecretRef(env="ID"), secret=SecretRef(env="SECRET"), **creds),
    )


def test_the_token_url_comes_from_the_schemes_client_credentials_flow_or_the_config():
    flows = [OAuthFlow(flow="authorizationCode", token_url="https://x.example/code"),
             OAuthFlow(flow="clientCredentials", token_url="/oauth/token")]  # fmt: skip
    scheme = AuthScheme(name="oauth", type=AuthType.OAUTH2, flows=flows)
    env = {"ID": "client", "SECRET": "s3cret-value"}
    applied = resolve_auth(api_with(scheme), env, side="source")
    assert applied.flow is not None and applied.flow.token_url == "https://api.example.test/oauth/token"
    assert applied.headers == {} and applied.masked() == ("s3cret-value",)
    given = resolve_auth(api_with(scheme, token_url="https://auth.example/t"), env, side="source")
    assert given.flow is not None and given.flow.token_url == "https://auth.example/t"
    with pytest.raises(ConfigError, match="set credentials.token_url"):
        resolve_auth(api_with(AuthScheme(name="b", type=AuthType.HTTP_BEARER, scheme="bearer")), env, side="source")
