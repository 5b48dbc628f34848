"""EntraAuth: caching, the refresh schedule, and keeping a valid token when a refresh fails."""

from __future__ import annotations

import logging

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.support.entra import (
    API_URL,
    CLIENT_ID,
    SCOPE,
    TENANT,
    TOKEN_URL,
    FakeClock,
    api_tokens,
    error_json,
    make_auth,
    make_credential,
    token_json,
)

from alleviate_debtcore.auth import AccessToken, EntraAuth, InMemoryTokenCache, TokenCache
from alleviate_debtcore.auth._entra_auth import (
    _random_jitter,  # pyright: ignore[reportPrivateUsage]
)
from alleviate_debtcore.errors import (
    ConfigurationError,
    InvalidCredentialsError,
    TokenEndpointError,
)


def token_requests(httpx_mock: HTTPXMock) -> int:
    return len(httpx_mock.get_requests(url=TOKEN_URL))


@pytest.fixture
def api(httpx_mock: HTTPXMock) -> HTTPXMock:
    httpx_mock.add_response(url=API_URL, json={"data": {}}, is_reusable=True)
    return httpx_mock


# --- cache ----------------------------------------------------------------------------------


async def test_one_token_serves_every_call_until_due(api: HTTPXMock) -> None:
    api.add_response(url=TOKEN_URL, json=token_json("tok-1"))
    clock = FakeClock()
    auth = make_auth(clock=clock)
    async with httpx.AsyncClient(auth=auth) as client:
        for _ in range(20):
            assert (await client.post(API_URL, json={"query": "{x}"})).status_code == 200
            clock.advance(60)  # 19 minutes in all: far from due
    assert token_requests(api) == 1
    assert api_tokens(api.get_requests()) == ["tok-1"] * 20
    await auth.aclose()


def test_sync_client_uses_the_same_cache(api: HTTPXMock) -> None:
    api.add_response(url=TOKEN_URL, json=token_json("tok-1"))
    auth = make_auth()
    with httpx.Client(auth=auth) as client:
        for _ in range(5):
            client.post(API_URL, json={"query": "{x}"})
    assert token_requests(api) == 1
    assert api_tokens(api.get_requests()) == ["tok-1"] * 5
    auth.close()


async def test_a_shared_cache_serves_other_auth_instances(api: HTTPXMock) -> None:
    api.add_response(url=TOKEN_URL, json=token_json("tok-1"))
    cache = InMemoryTokenCache()
    clock = FakeClock()
    first, second = make_auth(clock=clock, cache=cache), make_auth(clock=clock, cache=cache)
    async with httpx.AsyncClient() as client:
        await client.get(API_URL, auth=first)
        await client.get(API_URL, auth=second)
    assert token_requests(api) == 1
    assert len(cache) == 1


async def test_cache_keys_separate_identities_and_scopes() -> None:
    base = make_auth()
    other_scope = EntraAuth(make_credential(), scope="api://another-app/.default")
    other_client = EntraAuth(make_credential(client_id="other-client"), scope=SCOPE)
    other_tenant = EntraAuth(make_credential(tenant_id="other-tenant"), scope=SCOPE)
    keys = {base.cache_key, other_scope.cache_key, other_client.cache_key, other_tenant.cache_key}
    assert len(keys) == 4
    for part in ("https://login.microsoftonline.com", TENANT, CLIENT_ID, SCOPE):
        assert part in base.cache_key


def test_in_memory_cache() -> None:
    cache = InMemoryTokenCache()
    token = AccessToken("cached-value", expires_on=2.0, refresh_on=1.0)
    cache.set("k", token)
    assert cache.get("k") is token
    assert cache.get("other") is None
    assert "cached-value" not in repr(cache)
    cache.remove("k")
    cache.remove("k")  # no error when absent
    assert cache.get("k") is None
    assert len(cache) == 0


class RecordingCache:
    """A user-supplied TokenCache, as a shared store would be."""

    def __init__(self) -> None:
        self.store: dict[str, AccessToken] = {}
        self.calls: list[str] = []

    def get(self, key: str) -> AccessToken | None:
        self.calls.append("get")
        return self.store.get(key)

    def set(self, key: str, token: AccessToken) -> None:
        self.calls.append("set")
        self.store[key] = token

    def remove(self, key: str) -> None:
        self.calls.append("remove")
        self.store.pop(key, None)


async def test_a_custom_cache_is_used_and_a_token_stored_by_another_process_is_reused(
    api: HTTPXMock,
) -> None:
    clock = FakeClock()
    cache = RecordingCache()
    assert isinstance(cache, TokenCache)
    auth = make_auth(clock=clock, cache=cache)
    cache.store[auth.cache_key] = AccessToken("from-elsewhere", clock.now + 3000, clock.now + 2000)
    async with httpx.AsyncClient(auth=auth) as client:
        await client.get(API_URL)
    assert api_tokens(api.get_requests()) == ["from-elsewhere"]
    assert token_requests(api) == 0
    assert "set" not in cache.calls


# --- proactive refresh schedule -------------------------------------------------------------


@pytest.mark.parametrize(
    ("expires_in", "refresh_in", "jitter", "margin", "due_after"),
    [
        (3600, None, 0.0, 300.0, 3300.0),  # MSAL / azure-identity: 300 s before expiry
        (3600, None, 45.0, 300.0, 3255.0),  # plus the per-token jitter
        (3600, None, 60.0, 120.0, 3420.0),  # a custom margin
        (400, None, 30.0, 300.0, 200.0),  # short lifetime: half of it
        (86400, 43200, 10.0, 300.0, 43200.0),  # refresh_in comes first
        (3600, 3500, 0.0, 300.0, 3300.0),  # ... unless the margin comes earlier
    ],
)
async def test_refresh_schedule(
    httpx_mock: HTTPXMock,
    expires_in: int,
    refresh_in: int | None,
    jitter: float,
    margin: float,
    due_after: float,
) -> None:
    extra = {} if refresh_in is None else {"refresh_in": refresh_in}
    httpx_mock.add_response(url=TOKEN_URL, json=token_json("tok-1", expires_in, **extra))
    httpx_mock.add_response(url=TOKEN_URL, json=token_json("tok-2", expires_in))
    clock = FakeClock()
    start = clock.now
    auth = make_auth(clock=clock, jitter=jitter, refresh_margin=margin)

    first = await auth.get_token()
    assert first.refresh_on == start + due_after
    clock.now = start + due_after - 0.5
    assert (await auth.get_token()).token == "tok-1"
    assert token_requests(httpx_mock) == 1
    clock.now = start + due_after
    assert (await auth.get_token()).token == "tok-2"
    assert token_requests(httpx_mock) == 2


async def test_refresh_happens_before_the_request_is_sent(api: HTTPXMock) -> None:
    api.add_response(url=TOKEN_URL, json=token_json("tok-1"))
    api.add_response(url=TOKEN_URL, json=token_json("tok-2"))
    clock = FakeClock()
    auth = make_auth(clock=clock)
    async with httpx.AsyncClient(auth=auth) as client:
        await client.get(API_URL)
        clock.advance(3300)
        await client.get(API_URL)
    assert api_tokens(api.get_requests()) == ["tok-1", "tok-2"]
    order = [str(r.url) for r in api.get_requests()]
    assert order == [TOKEN_URL, API_URL, TOKEN_URL, API_URL]


def test_default_jitter_is_drawn_per_token_within_sixty_seconds() -> None:
    draws = [_random_jitter() for _ in range(500)]
    assert all(0.0 <= d <= 60.0 for d in draws)
    assert len(set(draws)) > 400  # drawn afresh, not a constant
    assert min(draws) < 10 and max(draws) > 50


async def test_default_jitter_moves_refresh_within_300_to_360_s_before_expiry(
    httpx_mock: HTTPXMock,
) -> None:
    httpx_mock.add_response(url=TOKEN_URL, json=token_json(), is_reusable=True)
    clock = FakeClock()
    margins: set[float] = set()
    for _ in range(20):
        auth = EntraAuth(make_credential(clock=clock), scope=SCOPE, _clock=clock)
        token = await auth.get_token()
        margins.add(token.expires_on - token.refresh_on)
    assert all(300.0 <= m <= 360.0 for m in margins)
    assert len(margins) > 1


def test_negative_margin_and_bad_scope_are_refused() -> None:
    with pytest.raises(ConfigurationError):
        make_auth(refresh_margin=-1)
    with pytest.raises(ConfigurationError):
        EntraAuth(make_credential(), scope="api://app")


# --- a failed refresh while the token is valid -------------------------------------------------


async def test_failed_refresh_keeps_the_valid_token_and_backs_off(
    api: HTTPXMock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api.add_response(url=TOKEN_URL, json=token_json("tok-1"))
    api.add_response(url=TOKEN_URL, status_code=503, json=error_json("x", 50001))
    api.add_response(url=TOKEN_URL, status_code=401, json=error_json("invalid_client", 7000222))
    api.add_response(url=TOKEN_URL, json=token_json("tok-2"))
    clock = FakeClock()
    auth = make_auth(clock=clock, credential=make_credential(clock=clock, max_retries=0))
    async with httpx.AsyncClient(auth=auth) as client:
        await client.get(API_URL)  # tok-1
        clock.advance(3300)  # due
        assert (await client.get(API_URL)).status_code == 200  # refresh fails: 503
        for _ in range(10):  # backing off: no new token requests
            await client.get(API_URL)
            clock.advance(2)
        clock.advance(10)  # 30 s after the failure
        await client.get(API_URL)  # refresh fails again: invalid_client, still valid
        clock.advance(30)
        await client.get(API_URL)  # refresh succeeds

    assert token_requests(api) == 4
    assert api_tokens(api.get_requests()) == ["tok-1"] * 13 + ["tok-2"]
    warnings = [
        r
        for r in caplog.records
        if r.levelno == logging.WARNING and "still using" in r.getMessage()
    ]
    assert len(warnings) == 2
    assert "TokenEndpointError, HTTP 503" in warnings[0].getMessage()
    assert (
        "InvalidCredentialsError, HTTP 401, invalid_client, AADSTS7000222"
        in warnings[1].getMessage()
    )
    assert all(r.name == "alleviate_debtcore.auth" for r in warnings)


def test_failed_refresh_keeps_the_valid_token_sync(api: HTTPXMock) -> None:
    api.add_response(url=TOKEN_URL, json=token_json("tok-1"))
    api.add_exception(httpx.ConnectError("down"), url=TOKEN_URL)
    clock = FakeClock()
    auth = make_auth(clock=clock, credential=make_credential(clock=clock, max_retries=0))
    with httpx.Client(auth=auth) as client:
        client.get(API_URL)
        clock.advance(3400)
        client.get(API_URL)
        client.get(API_URL)
    assert token_requests(api) == 2
    assert api_tokens(api.get_requests()) == ["tok-1"] * 3


async def test_once_expired_the_failure_reaches_the_caller(api: HTTPXMock) -> None:
    api.add_response(url=TOKEN_URL, json=token_json("tok-1"))
    api.add_response(url=TOKEN_URL, status_code=500)
    api.add_response(url=TOKEN_URL, status_code=500)
    clock = FakeClock()
    auth = make_auth(clock=clock, credential=make_credential(clock=clock, max_retries=0))
    async with httpx.AsyncClient(auth=auth) as client:
        await client.get(API_URL)
        clock.advance(3590)
        await client.get(API_URL)  # refresh fails, token still valid for 10 s
        clock.advance(10)  # expired, and within the back-off window: tried anyway
        with pytest.raises(TokenEndpointError):
            await client.get(API_URL)
    assert token_requests(api) == 3
    assert len(api.get_requests(url=API_URL)) == 2  # the failing call never reached the API


async def test_a_cold_cache_propagates_the_error(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=TOKEN_URL, status_code=400, json=error_json("invalid_scope", 70011))
    auth = make_auth()
    async with httpx.AsyncClient(auth=auth) as client:
        with pytest.raises(InvalidCredentialsError) as caught:
            await client.get(API_URL)
    assert caught.value.aadsts_code == "AADSTS70011"
    assert httpx_mock.get_requests(url=API_URL) == []


async def test_close_and_aclose_close_the_credential_clients(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=TOKEN_URL, json=token_json(), is_reusable=True)
    credential = make_credential()
    auth = EntraAuth(credential, scope=SCOPE)
    await auth.get_token()
    credential.get_token_sync(SCOPE)  # the auth's sync path would answer from the cache
    async_client = credential._async_client  # pyright: ignore[reportPrivateUsage]
    sync_client = credential._sync_client  # pyright: ignore[reportPrivateUsage]
    assert async_client is not None and sync_client is not None
    await auth.aclose()
    auth.close()
    assert async_client.is_closed and sync_client.is_closed
