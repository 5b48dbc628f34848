"""EntraAuth single flight: one token request for any number of concurrent callers."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.support.entra import (
    API_URL,
    TOKEN_URL,
    FakeClock,
    api_tokens,
    error_json,
    make_auth,
    make_credential,
    token_json,
)

from alleviate_debtcore.errors import InvalidCredentialsError


def token_requests(httpx_mock: HTTPXMock) -> int:
    return len(httpx_mock.get_requests(url=TOKEN_URL))


def slow_async_entra(
    tokens: list[str], delay: float = 0.2
) -> tuple[list[str], Callable[[httpx.Request], Awaitable[httpx.Response]]]:
    """A token endpoint that takes ``delay`` seconds (without blocking the loop) per answer."""
    issued: list[str] = []

    async def callback(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(delay)
        token = tokens[len(issued)]
        issued.append(token)
        return httpx.Response(200, json=token_json(token))

    return issued, callback


@pytest.fixture
def api(httpx_mock: HTTPXMock) -> HTTPXMock:
    httpx_mock.add_response(url=API_URL, json={"data": {}}, is_reusable=True)
    return httpx_mock


async def test_hundreds_of_concurrent_requests_on_a_cold_cache_send_one_token_request(
    api: HTTPXMock,
) -> None:
    issued, callback = slow_async_entra(["tok-1"])
    api.add_callback(callback, url=TOKEN_URL, is_reusable=True)
    auth = make_auth()
    async with httpx.AsyncClient(auth=auth) as client:
        responses = await asyncio.gather(*(client.get(API_URL) for _ in range(300)))
    assert all(r.status_code == 200 for r in responses)
    assert token_requests(api) == 1
    assert issued == ["tok-1"]
    assert set(api_tokens(api.get_requests())) == {"tok-1"}
    await auth.aclose()


async def test_concurrent_requests_on_a_due_token_send_one_refresh_and_do_not_wait(
    api: HTTPXMock,
) -> None:
    issued, callback = slow_async_entra(["tok-1", "tok-2"])
    api.add_callback(callback, url=TOKEN_URL, is_reusable=True)
    clock = FakeClock()
    auth = make_auth(clock=clock)
    async with httpx.AsyncClient(auth=auth) as client:
        await client.get(API_URL)
        clock.advance(3400)  # due, still valid
        started = time.monotonic()
        await asyncio.gather(*(client.get(API_URL) for _ in range(200)))
        assert time.monotonic() - started < 5
        await client.get(API_URL)

    assert token_requests(api) == 2
    assert issued == ["tok-1", "tok-2"]
    tokens = api_tokens(api.get_requests())
    # The task that refreshed waited for tok-2; the others went on with tok-1.
    assert tokens[-1] == "tok-2"
    assert tokens[1:-1].count("tok-2") == 1
    assert tokens[1:-1].count("tok-1") == 199


async def test_the_async_flow_never_blocks_the_event_loop(api: HTTPXMock) -> None:
    _, callback = slow_async_entra(["tok-1"], delay=0.3)
    api.add_callback(callback, url=TOKEN_URL)
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    task = asyncio.create_task(ticker())
    async with httpx.AsyncClient(auth=make_auth()) as client:
        await asyncio.gather(*(client.get(API_URL) for _ in range(20)))
    stop.set()
    await task
    assert ticks >= 10  # the loop kept running during the 0.3 s token request


async def test_waiters_share_the_failure_instead_of_hammering_the_endpoint(
    httpx_mock: HTTPXMock,
) -> None:
    async def refuse(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.1)
        return httpx.Response(401, json=error_json("invalid_client", 7000215))

    httpx_mock.add_callback(refuse, url=TOKEN_URL, is_reusable=True)
    auth = make_auth()
    async with httpx.AsyncClient(auth=auth) as client:
        results = await asyncio.gather(
            *(client.get(API_URL) for _ in range(100)), return_exceptions=True
        )
    assert all(isinstance(r, InvalidCredentialsError) for r in results)
    assert token_requests(httpx_mock) == 1


async def test_a_cancelled_fetch_lets_the_next_caller_fetch(httpx_mock: HTTPXMock) -> None:
    issued, callback = slow_async_entra(["tok-1", "tok-2"], delay=0.2)
    httpx_mock.add_callback(callback, url=TOKEN_URL, is_reusable=True)
    auth = make_auth()
    leader = asyncio.create_task(auth.get_token())
    await asyncio.sleep(0.05)
    follower = asyncio.create_task(auth.get_token())
    await asyncio.sleep(0.01)
    leader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await leader
    # The follower does not hang on the abandoned fetch: it fetches for itself.
    assert (await asyncio.wait_for(follower, 2)).token == "tok-1"
    assert issued == ["tok-1"]


def test_threads_on_a_cold_cache_send_one_token_request(api: HTTPXMock) -> None:
    issued: list[str] = []
    lock = threading.Lock()

    def slow_entra(request: httpx.Request) -> httpx.Response:
        time.sleep(0.3)
        with lock:
            issued.append("tok-1")
        return httpx.Response(200, json=token_json("tok-1"))

    api.add_callback(slow_entra, url=TOKEN_URL, is_reusable=True)
    auth = make_auth()
    with httpx.Client(auth=auth) as client, ThreadPoolExecutor(max_workers=32) as pool:

        def call(_: int) -> int:
            return client.get(API_URL).status_code

        statuses = list(pool.map(call, range(96)))
    assert statuses == [200] * 96
    assert issued == ["tok-1"]
    assert token_requests(api) == 1
    assert set(api_tokens(api.get_requests())) == {"tok-1"}


def test_threads_on_a_due_token_send_one_refresh(api: HTTPXMock) -> None:
    tokens = iter(["tok-1", "tok-2"])

    def slow_entra(request: httpx.Request) -> httpx.Response:
        time.sleep(0.2)
        return httpx.Response(200, json=token_json(next(tokens)))

    api.add_callback(slow_entra, url=TOKEN_URL, is_reusable=True)
    clock = FakeClock()
    auth = make_auth(clock=clock)
    with httpx.Client(auth=auth) as client:

        def call(_: int) -> int:
            return client.get(API_URL).status_code

        call(0)
        clock.advance(3400)  # due, still valid
        with ThreadPoolExecutor(max_workers=16) as pool:
            assert list(pool.map(call, range(64))) == [200] * 64
        call(0)
    assert token_requests(api) == 2
    assert api_tokens(api.get_requests())[-1] == "tok-2"


def test_threads_share_a_failure(httpx_mock: HTTPXMock) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        time.sleep(0.2)
        return httpx.Response(400, json=error_json("unauthorized_client", 700016))

    httpx_mock.add_callback(refuse, url=TOKEN_URL, is_reusable=True)
    auth = make_auth()
    start = threading.Barrier(32)

    def call(_: int) -> BaseException | None:
        start.wait()
        try:
            auth.get_token_sync()
        except InvalidCredentialsError as exc:
            return exc
        return None

    # Every thread is waiting when the one request fails, so all share its outcome.
    with ThreadPoolExecutor(max_workers=32) as pool:
        outcomes = list(pool.map(call, range(32)))
    assert all(isinstance(o, InvalidCredentialsError) for o in outcomes)
    assert token_requests(httpx_mock) == 1


def test_one_auth_across_event_loops(api: HTTPXMock) -> None:
    """A lock and an owned client per loop: a second asyncio.run neither fails nor refetches."""
    tokens = iter(["tok-1", "tok-2"])
    api.add_callback(
        lambda request: httpx.Response(200, json=token_json(next(tokens))),
        url=TOKEN_URL,
        is_reusable=True,
    )
    clock = FakeClock()
    auth = make_auth(clock=clock, credential=make_credential(clock=clock))

    async def burst() -> list[str]:
        async with httpx.AsyncClient(auth=auth) as client:
            await asyncio.gather(*(client.get(API_URL) for _ in range(50)))
        return [(await auth.get_token()).token]

    assert asyncio.run(burst()) == ["tok-1"]
    assert asyncio.run(burst()) == ["tok-1"]
    clock.advance(3590)  # due: the second loop refreshes with a client of its own
    assert asyncio.run(burst()) == ["tok-2"]
    assert token_requests(api) == 2
