"""Typed failures at the edges of a client's life: closed during or before a call, waiting on
another thread's or task's token fetch, arguments JSON cannot carry, a sandbox that is not
running, and the blocking client inside an event loop."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
import warnings
from collections.abc import Callable

import httpx
import pytest

from tests.support.doubles import StaticAuth
from tests.support.raw_server import RawRequest, Step, answer, raw_server, silent

from alleviate_debtcore import (
    APIConnectionError,
    AsyncDebtCore,
    ClientClosedError,
    DebtCore,
    DebtCoreError,
    Environment,
    InputValidationError,
    RetryPolicy,
    TokenWaitTimeoutError,
)

REPORT = {"data": {"creditReport": {"data": None, "errors": None}}}
SLOW = 0.5  # the API's answer time while a test closes the client under the call
BUDGET = 30.0  # seconds: the most any wait here may take on a busy machine


def _refuse(request: httpx.Request) -> httpx.Response:
    raise AssertionError("a request was sent")


def _slow_503(request: RawRequest) -> list[Step]:
    return [SLOW, *answer(503, {"errors": [{"message": "busy"}]})]


# --- closed clients ---------------------------------------------------------------------------


def test_sync_calls_during_and_after_close_raise_client_closed_error() -> None:
    with raw_server(api=_slow_503) as raw:
        debtcore = DebtCore(
            auth=StaticAuth(),
            environment=raw.environment,
            retry_policy=RetryPolicy(initial_delay=0.01, max_delay=0.02),
        )
        outcomes: list[BaseException | None] = []

        def call() -> None:
            try:
                debtcore.credit.credit_report("cr-1", timeout=BUDGET)
            except BaseException as exc:  # what escapes is the finding
                outcomes.append(exc)

        threads = [threading.Thread(target=call) for _ in range(8)]
        for thread in threads:
            thread.start()
        _wait_for(lambda: len(raw.api_requests()) >= 8)
        debtcore.close()
        for thread in threads:
            thread.join(BUDGET)
        assert len(outcomes) == 8
        assert all(isinstance(exc, ClientClosedError) for exc in outcomes), outcomes
        with pytest.raises(ClientClosedError, match="closed"):
            debtcore.credit.credit_report("cr-1")


async def test_async_calls_during_and_after_aclose_raise_client_closed_error() -> None:
    with raw_server(api=_slow_503) as raw:
        debtcore = AsyncDebtCore(auth=StaticAuth(), environment=raw.environment)
        calls = [
            asyncio.create_task(debtcore.credit.credit_report("cr-1", timeout=BUDGET))
            for _ in range(8)
        ]
        await _await_for(lambda: len(raw.api_requests()) >= 8)
        await debtcore.aclose()
        results = await asyncio.gather(*calls, return_exceptions=True)
        assert all(isinstance(r, ClientClosedError) for r in results), results
        with pytest.raises(ClientClosedError):
            await debtcore.credit.credit_report("cr-1")


def test_a_closed_client_with_a_given_http_client_refuses_calls() -> None:
    http = httpx.Client(transport=httpx.MockTransport(_refuse))
    debtcore = DebtCore(auth=StaticAuth(), http_client=http)
    debtcore.close()
    assert not http.is_closed  # the caller's, left open
    with pytest.raises(ClientClosedError, match="this client is closed"):
        debtcore.credit.credit_report("cr-1")
    http.close()
    with pytest.raises(ClientClosedError, match="http_client given to this client is closed"):
        DebtCore(auth=StaticAuth(), http_client=http).credit.credit_report("cr-1")


async def test_async_with_a_closed_given_http_client() -> None:
    http = httpx.AsyncClient(transport=httpx.MockTransport(_refuse))
    await http.aclose()
    debtcore = AsyncDebtCore(auth=StaticAuth(), http_client=http)
    with pytest.raises(ClientClosedError, match="http_client given"):
        await debtcore.credit.credit_report("cr-1")
    other = AsyncDebtCore(auth=StaticAuth(), http_client=httpx.AsyncClient())
    await other.aclose()
    with pytest.raises(ClientClosedError, match="this client is closed"):
        await other.credit.credit_report("cr-1")


# --- waiting on another token fetch within the call's deadline --------------------------------


def test_a_sync_thread_behind_a_stalled_token_fetch_stops_at_its_timeout() -> None:
    with raw_server(token=silent(BUDGET)) as raw:
        debtcore = DebtCore(client_id="app", client_secret="s3cr3t", environment=raw.environment)
        first = threading.Thread(
            target=_swallow(lambda: debtcore.credit.credit_report("cr-1", timeout=BUDGET))
        )
        first.start()
        _wait_for(lambda: len(raw.token_requests()) == 1)
        started = time.monotonic()
        with pytest.raises(TokenWaitTimeoutError) as caught:
            debtcore.credit.credit_report("cr-2", timeout=3)
        took = time.monotonic() - started
    first.join(BUDGET)  # the stalled request ends when the server stops
    debtcore.close()
    assert 2.5 < took < 4.0
    assert caught.value.waited_for == "another thread's token request for this client"
    assert "another thread's token request" in str(caught.value)
    assert "s3cr3t" not in str(caught.value)
    assert len(raw.token_requests()) == 1  # the waiting call never asked itself


async def test_an_async_task_behind_a_stalled_token_fetch_stops_at_its_timeout() -> None:
    with raw_server(token=silent(BUDGET)) as raw:
        debtcore = AsyncDebtCore(
            client_id="app", client_secret="s3cr3t", environment=raw.environment
        )
        first = asyncio.create_task(debtcore.credit.credit_report("cr-1", timeout=BUDGET))
        await _await_for(lambda: len(raw.token_requests()) == 1)
        started = time.monotonic()
        with pytest.raises(TokenWaitTimeoutError) as caught:
            await debtcore.credit.credit_report("cr-2", timeout=3)
        took = time.monotonic() - started
        first.cancel()
        await asyncio.gather(first, return_exceptions=True)
        await debtcore.aclose()
    assert 2.5 < took < 4.0
    assert caught.value.waited_for == "another task's token request for this client"
    assert "s3cr3t" not in str(caught.value)


# --- arguments JSON cannot carry --------------------------------------------------------------


def test_a_lone_surrogate_is_an_input_validation_error_on_both_faces() -> None:
    http = httpx.Client(transport=httpx.MockTransport(_refuse))
    with (
        DebtCore(auth=StaticAuth(), http_client=http) as debtcore,
        pytest.raises(InputValidationError) as caught,
    ):
        debtcore.credit.credit_report("\ud800")
    assert "\ud800" not in str(caught.value) and "ud800" in str(caught.value)

    async def run() -> None:
        http = httpx.AsyncClient(transport=httpx.MockTransport(_refuse))
        async with AsyncDebtCore(auth=StaticAuth(), http_client=http) as debtcore:
            with pytest.raises(InputValidationError):
                await debtcore.credit.credit_report("cr-\udfff-1")

    asyncio.run(run())


# --- a loopback authority with nothing listening ------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# A retry would take 30 s: "fast" is then far from it, whatever the machine's load.
SLOW_RETRIES = RetryPolicy(initial_delay=30.0, max_delay=30.0)
FAST = 10.0


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_refused_loopback_connection_fails_fast_and_names_the_sandbox(host: str) -> None:
    environment = Environment.local(f"http://{host}:{_free_port()}")
    with DebtCore(auth=StaticAuth(), environment=environment, retry_policy=SLOW_RETRIES) as sync:
        started = time.monotonic()
        with pytest.raises(APIConnectionError, match="debtcore sandbox") as caught:
            sync.credit.credit_report("cr-1")
        assert time.monotonic() - started < FAST
    assert "refused" in str(caught.value)

    async def run() -> None:
        async with AsyncDebtCore(
            auth=StaticAuth(), environment=environment, retry_policy=SLOW_RETRIES
        ) as debtcore:
            started = time.monotonic()
            with pytest.raises(APIConnectionError, match="debtcore sandbox"):
                await debtcore.credit.credit_report("cr-1")
            assert time.monotonic() - started < FAST

    asyncio.run(run())


# --- the blocking client inside a running event loop -----------------------------------------


async def test_the_sync_client_warns_once_inside_a_running_event_loop() -> None:
    def ok(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=REPORT)

    http = httpx.Client(transport=httpx.MockTransport(ok))
    with DebtCore(auth=StaticAuth(), http_client=http) as debtcore:
        quick = debtcore.with_options(timeout=5)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for client in (debtcore, quick, debtcore):
                client.credit.with_payload.credit_report("cr-1")
    assert len(caught) == 1, [str(w.message) for w in caught]
    assert caught[0].category is RuntimeWarning
    assert "AsyncDebtCore" in str(caught[0].message)
    assert caught[0].filename == __file__  # points at the caller's line


def test_the_sync_client_is_silent_outside_an_event_loop() -> None:
    def ok(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=REPORT)

    with (
        DebtCore(
            auth=StaticAuth(), http_client=httpx.Client(transport=httpx.MockTransport(ok))
        ) as debtcore,
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("error")
        debtcore.credit.with_payload.credit_report("cr-1")


# --- helpers ------------------------------------------------------------------------------------


def _swallow(call: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        with contextlib.suppress(DebtCoreError):
            call()

    return run


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + BUDGET
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.01)


async def _await_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + BUDGET
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        await asyncio.sleep(0.01)
