"""EntraAuth and a 401 from the API: drop the rejected token, fetch one, replay once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import httpx
from pytest_httpx import HTTPXMock

from tests.support.entra import (
    API_URL,
    TOKEN_URL,
    FakeApi,
    FakeClock,
    bearer,
    make_auth,
    token_json,
)

from alleviate_debtcore.auth import AccessToken, EntraAuth, InMemoryTokenCache


def token_requests(httpx_mock: HTTPXMock) -> int:
    return len(httpx_mock.get_requests(url=TOKEN_URL))


def entra_issuing(httpx_mock: HTTPXMock, *tokens: str) -> None:
    for token in tokens:
        httpx_mock.add_response(url=TOKEN_URL, json=token_json(token))


def api_rejecting(httpx_mock: HTTPXMock, *rejected: str) -> FakeApi:
    api = FakeApi(*rejected)
    httpx_mock.add_callback(api, url=API_URL, is_reusable=True)
    return api


async def test_a_401_fetches_a_new_token_and_replays_once(httpx_mock: HTTPXMock) -> None:
    entra_issuing(httpx_mock, "tok-1", "tok-2")
    api = api_rejecting(httpx_mock, "tok-1")
    async with httpx.AsyncClient(auth=make_auth()) as client:
        response = await client.post(API_URL, json={"query": "{ a }"})
        assert response.status_code == 200
        assert [r.status_code for r in response.history] == [401]
        await client.post(API_URL, json={"query": "{ b }"})  # tok-2 is now cached
    assert api.tokens == ["tok-1", "tok-2", "tok-2"]
    assert token_requests(httpx_mock) == 2
    assert api.bodies[0] == api.bodies[1] == b'{"query":"{ a }"}'


def test_a_401_replays_once_sync(httpx_mock: HTTPXMock) -> None:
    entra_issuing(httpx_mock, "tok-1", "tok-2")
    api = api_rejecting(httpx_mock, "tok-1")
    with httpx.Client(auth=make_auth()) as client:
        assert client.post(API_URL, json={"query": "{ a }"}).status_code == 200
    assert api.tokens == ["tok-1", "tok-2"]


async def test_a_second_401_is_returned_as_is(httpx_mock: HTTPXMock) -> None:
    entra_issuing(httpx_mock, "tok-1", "tok-2")
    api = api_rejecting(httpx_mock, "tok-1", "tok-2")
    async with httpx.AsyncClient(auth=make_auth()) as client:
        response = await client.post(API_URL, json={"query": "{ a }"})
    assert response.status_code == 401
    assert api.tokens == ["tok-1", "tok-2"]
    assert response.json() == {"errors": [{"message": "UNAUTHORIZED"}]}
    assert len(httpx_mock.get_requests(url=API_URL)) == 2  # never loops
    assert token_requests(httpx_mock) == 2


def test_a_second_401_is_returned_as_is_sync(httpx_mock: HTTPXMock) -> None:
    entra_issuing(httpx_mock, "tok-1", "tok-2")
    api_rejecting(httpx_mock, "tok-1", "tok-2")
    with httpx.Client(auth=make_auth()) as client:
        assert client.get(API_URL).status_code == 401
    assert len(httpx_mock.get_requests(url=API_URL)) == 2


async def test_no_replay_when_entra_hands_back_the_rejected_token(httpx_mock: HTTPXMock) -> None:
    entra_issuing(httpx_mock, "tok-1", "tok-1")
    api_rejecting(httpx_mock, "tok-1")
    async with httpx.AsyncClient(auth=make_auth()) as client:
        assert (await client.get(API_URL)).status_code == 401
    assert len(httpx_mock.get_requests(url=API_URL)) == 1


async def test_a_token_already_replaced_is_not_dropped(httpx_mock: HTTPXMock) -> None:
    """Another request (or process) refreshed meanwhile: use its token, fetch none."""
    clock = FakeClock()
    cache = InMemoryTokenCache()
    auth = make_auth(clock=clock, cache=cache)
    entra_issuing(httpx_mock, "tok-1")
    api = FakeApi("tok-1")

    def replacing_api(request: httpx.Request) -> httpx.Response:
        if bearer(request) == "tok-1":
            cache.set(auth.cache_key, AccessToken("tok-2", clock.now + 3600, clock.now + 3300))
        return api(request)

    httpx_mock.add_callback(replacing_api, url=API_URL, is_reusable=True)
    async with httpx.AsyncClient(auth=auth) as client:
        assert (await client.get(API_URL)).status_code == 200
    assert api.tokens == ["tok-1", "tok-2"]
    assert token_requests(httpx_mock) == 1


async def test_many_concurrent_401s_fetch_one_new_token(httpx_mock: HTTPXMock) -> None:
    entra_issuing(httpx_mock, "tok-1", "tok-2")
    api = FakeApi("tok-1", delay=0.01)
    httpx_mock.add_callback(api.async_call, url=API_URL, is_reusable=True)
    async with httpx.AsyncClient(auth=make_auth()) as client:
        responses = await asyncio.gather(*(client.get(API_URL) for _ in range(100)))
    assert all(r.status_code == 200 for r in responses)
    assert token_requests(httpx_mock) == 2
    assert api.tokens.count("tok-1") == 100
    assert api.tokens.count("tok-2") == 100


async def test_a_streamed_body_is_replayed(httpx_mock: HTTPXMock) -> None:
    entra_issuing(httpx_mock, "tok-1", "tok-2")
    api = api_rejecting(httpx_mock, "tok-1")

    async def body() -> AsyncIterator[bytes]:
        yield b'{"query": '
        yield b'"{ a }"}'

    async with httpx.AsyncClient(auth=make_auth()) as client:
        response = await client.post(API_URL, content=body())
    assert response.status_code == 200
    assert api.tokens == ["tok-1", "tok-2"]
    assert api.bodies == [b'{"query": "{ a }"}'] * 2


def test_a_streamed_body_is_replayed_sync(httpx_mock: HTTPXMock) -> None:
    entra_issuing(httpx_mock, "tok-1", "tok-2")
    api = api_rejecting(httpx_mock, "tok-1")

    def body() -> Iterator[bytes]:
        yield b"abc"
        yield b"def"

    with httpx.Client(auth=make_auth()) as client:
        assert client.post(API_URL, content=body()).status_code == 200
    assert api.tokens == ["tok-1", "tok-2"]
    assert api.bodies == [b"abcdef"] * 2


def test_requires_request_body() -> None:
    assert EntraAuth.requires_request_body is True


async def test_other_error_statuses_are_not_replayed(httpx_mock: HTTPXMock) -> None:
    entra_issuing(httpx_mock, "tok-1")
    httpx_mock.add_response(url=API_URL, status_code=403)
    async with httpx.AsyncClient(auth=make_auth()) as client:
        assert (await client.get(API_URL)).status_code == 403
    assert len(httpx_mock.get_requests(url=API_URL)) == 1


async def test_the_rejected_token_is_dropped_from_the_cache(httpx_mock: HTTPXMock) -> None:
    entra_issuing(httpx_mock, "tok-1", "tok-2")
    httpx_mock.add_response(url=API_URL, status_code=401, is_reusable=True)
    cache = InMemoryTokenCache()
    auth = make_auth(cache=cache)
    async with httpx.AsyncClient(auth=auth) as client:
        await client.get(API_URL)
    stored = cache.get(auth.cache_key)
    assert stored is not None and stored.token == "tok-2"
