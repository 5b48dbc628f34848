"""One ``AsyncDebtCore`` (or credential) across event loops: it works, or says what to do; it
never leaks a client, a socket or a ResourceWarning."""

from __future__ import annotations

import asyncio
import gc
import os
import threading
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.raw_server import RawServer, answer, raw_server

from alleviate_debtcore import AsyncDebtCore, EventLoopError
from alleviate_debtcore.auth import ClientSecretCredential
from alleviate_debtcore.offers import EnrollmentPlanInput

PLAN_OK = {"data": {"enrollmentPlan": {"data": {"servicingCompany": "ACME"}, "errors": None}}}


@pytest.fixture
def server() -> Iterator[RawServer]:
    with raw_server(api=lambda request: answer(200, PLAN_OK)) as running:
        yield running


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def client(server: RawServer) -> AsyncDebtCore:
    return AsyncDebtCore(
        client_id="local-client", client_secret="loop-secret", environment=server.environment
    )


async def plan(debtcore: AsyncDebtCore) -> str | None:
    result = await debtcore.offers.enrollment_plan(
        input=EnrollmentPlanInput(primary_applicant_state="GA")
    )
    return result.servicing_company


def test_one_client_across_many_asyncio_runs(server: RawServer) -> None:
    debtcore = client(server)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        assert asyncio.run(plan(debtcore)) == "ACME"
        fds = open_fds()
        for _ in range(20):  # the pattern of a sync view calling asyncio.run each time
            assert asyncio.run(plan(debtcore)) == "ACME"
        gc.collect()
        assert open_fds() <= fds + 2  # no socket or client left behind per loop
        asyncio.run(debtcore.aclose())
        gc.collect()
    # One token for all of it: the auth and its cache outlive the loops.
    assert len(server.token_requests()) == 1


def test_a_credential_across_many_asyncio_runs(server: RawServer) -> None:
    credential = ClientSecretCredential(
        tenant_id=server.environment.tenant_id,
        client_id="local-client",
        client_secret="loop-secret",
        authority=server.base_url,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        asyncio.run(credential.get_token(server.environment.scope))
        fds = open_fds()
        for _ in range(20):
            token = asyncio.run(credential.get_token(server.environment.scope))
            assert token.token == "good-token"
        gc.collect()
        assert open_fds() <= fds + 2
        asyncio.run(credential.aclose())
        gc.collect()
    assert len(server.token_requests()) == 21


def test_a_second_running_loop_gets_a_clear_error_and_aclose_works_from_anywhere(
    server: RawServer,
) -> None:
    debtcore = client(server)
    other = asyncio.new_event_loop()
    thread = threading.Thread(target=other.run_forever, daemon=True)
    thread.start()
    try:
        first = asyncio.run_coroutine_threadsafe(plan(debtcore), other).result(10)
        assert first == "ACME"
        # The pool now lives on the other thread's running loop.
        with pytest.raises(EventLoopError, match="one client per event loop"):
            asyncio.run(plan(debtcore))
        pool: Any = debtcore._transport.http_client  # pyright: ignore[reportPrivateUsage]
        assert pool is not None and not pool.is_closed
        asyncio.run(debtcore.aclose())  # closed on its own loop, from this one
        assert pool.is_closed
    finally:
        other.call_soon_threadsafe(other.stop)
        thread.join(5)
        other.close()


async def test_aclose_in_the_loop_that_used_it(server: RawServer) -> None:
    debtcore = client(server)
    assert await plan(debtcore) == "ACME"
    pool: Any = debtcore._transport.http_client  # pyright: ignore[reportPrivateUsage]
    await debtcore.aclose()
    assert pool.is_closed
