"""The pollers' bounds: ``timeout`` bounds the whole wait, each poll clipped to what is left, and
bad timeouts and intervals are ``ConfigurationError`` before any request.

Over real HTTP on 127.0.0.1 (the sandbox with a slow ``creditReport``) for the deadline; with
pytest-httpx where a test needs a report that stays pending or to read each poll's timeout."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.support.doubles import StaticAuth

from alleviate_debtcore import (
    APITimeoutError,
    AsyncDebtCore,
    ConfigurationError,
    DebtCore,
    WaitTimeoutError,
)
from alleviate_debtcore.credit import GetCreditReportResponseFieldsData
from alleviate_debtcore.sandbox import OperationFault, SandboxServer

CLIENT_ID, CLIENT_SECRET = "local-client", "local-secret"
REPORT_ID = "cr-abc123def456"  # a docs fixture the sandbox preloads
SLOW_POLL = 8.0  # the 8 s poll response
# Generous upper bounds for "ends within": the 3 s for a 2 s wait.
WAIT = 2.0
ENDS_WITHIN = 3.0


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer() as running:
        yield running


@pytest.fixture
async def debtcore(server: SandboxServer) -> AsyncIterator[AsyncDebtCore]:
    async with AsyncDebtCore(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, environment=server.environment
    ) as client:
        yield client


@pytest.fixture
def debtcore_sync(server: SandboxServer) -> Iterator[DebtCore]:
    with DebtCore(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, environment=server.environment
    ) as client:
        yield client


def _slow_polls(server: SandboxServer, latency: float = SLOW_POLL) -> None:
    server.state.scenarios.add_fault("creditReport", OperationFault(latency=latency))


def _assert_wait_ran_out(error: WaitTimeoutError, elapsed: float) -> None:
    assert elapsed < ENDS_WITHIN, f"the wait took {elapsed:.2f} s"
    assert error.pending == {f"credit report {REPORT_ID}": "no answer"}
    assert WAIT <= error.waited < ENDS_WITHIN
    assert REPORT_ID in str(error) and "timeout of 2 s" in str(error)
    # The poll's own timeout is the cause: the wait cut it short.
    assert isinstance(error.__cause__, APITimeoutError)


# --- the case: a 2 s wait against an 8 s poll ------------------------------------------


async def test_a_slow_poll_ends_with_the_wait_async(
    server: SandboxServer, debtcore: AsyncDebtCore
) -> None:
    await debtcore.credit.credit_report(REPORT_ID)  # the token, so the wait is the poll alone
    _slow_polls(server)
    started = time.monotonic()
    with pytest.raises(WaitTimeoutError) as caught:
        await debtcore.credit.wait_for_credit_report(REPORT_ID, timeout=WAIT)
    _assert_wait_ran_out(caught.value, time.monotonic() - started)


def test_a_slow_poll_ends_with_the_wait_sync(
    server: SandboxServer, debtcore_sync: DebtCore
) -> None:
    debtcore_sync.credit.credit_report(REPORT_ID)
    _slow_polls(server)
    started = time.monotonic()
    with pytest.raises(WaitTimeoutError) as caught:
        debtcore_sync.credit.wait_for_credit_report(REPORT_ID, timeout=WAIT)
    _assert_wait_ran_out(caught.value, time.monotonic() - started)


async def test_a_cold_client_spends_its_token_step_inside_the_wait(
    server: SandboxServer, debtcore: AsyncDebtCore
) -> None:
    # No token yet: fetching it is part of the first poll, so part of the wait. The token
    # endpoint is slow too (the sandbox's latency applies to every request).
    server.state.faults.latency = SLOW_POLL
    try:
        started = time.monotonic()
        with pytest.raises(WaitTimeoutError) as caught:
            await debtcore.credit.wait_for_credit_report(REPORT_ID, timeout=WAIT)
        assert time.monotonic() - started < ENDS_WITHIN
    finally:
        server.state.faults.latency = 0.0
    assert caught.value.__cause__ is not None  # the token step's own error, chained


async def test_the_clients_shorter_request_timeout_is_its_own_error(
    server: SandboxServer, debtcore: AsyncDebtCore
) -> None:
    # The wait has a minute; the client's per-request timeout of 1 s ends the slow poll first.
    # That is the request's failure, not the wait running out: it is raised as it is.
    await debtcore.credit.credit_report(REPORT_ID)
    _slow_polls(server)
    quick = debtcore.with_options(timeout=1, max_retries=0)
    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        await quick.credit.wait_for_credit_report(REPORT_ID, timeout=60)
    assert time.monotonic() - started < ENDS_WITHIN


async def test_a_report_that_answers_in_time_is_returned(
    server: SandboxServer, debtcore: AsyncDebtCore
) -> None:
    _slow_polls(server, latency=0.2)
    report = await debtcore.credit.wait_for_credit_report(REPORT_ID, timeout=30)
    assert report.id == REPORT_ID and report.report_status == "COMPLETED"


# --- each poll's timeout: the client's, clipped to what is left of the wait --------------------


def _report_answer(status: str) -> dict[str, Any]:
    fields = GetCreditReportResponseFieldsData.model_fields.items()
    report = {field.alias or name: None for name, field in fields}
    report |= {"id": "cr-pending", "debts": [], "reportStatus": status}
    return {"data": {"creditReport": {"data": report, "errors": None}}}


@pytest.fixture
async def mocked() -> AsyncIterator[AsyncDebtCore]:
    async with AsyncDebtCore(auth=StaticAuth(), max_retries=0) as client:
        yield client


def _poll_limits(httpx_mock: HTTPXMock) -> list[float]:
    return [max(request.extensions["timeout"].values()) for request in httpx_mock.get_requests()]


async def test_each_poll_gets_no_more_than_the_wait_has_left(
    mocked: AsyncDebtCore, httpx_mock: HTTPXMock
) -> None:
    for status in ("PENDING", "IN_PROGRESS", "COMPLETED"):
        httpx_mock.add_response(json=_report_answer(status))
    await mocked.credit.wait_for_credit_report(
        "cr-pending", timeout=5, poll_interval=0.01, max_poll_interval=0.02
    )
    limits = _poll_limits(httpx_mock)
    assert len(limits) == 3 and all(limit <= 5 for limit in limits)
    assert limits == sorted(limits, reverse=True)  # less is left for each poll


async def test_a_long_wait_keeps_the_clients_request_timeout(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(json=_report_answer("COMPLETED"))
    client_timeout = httpx.Timeout(7, connect=3)
    async with AsyncDebtCore(auth=StaticAuth(), timeout=client_timeout) as debtcore:
        await debtcore.credit.wait_for_credit_report("cr-pending", timeout=600)
    (request,) = httpx_mock.get_requests()
    limits = request.extensions["timeout"]
    # The client's limits, not the wait's 600 s. The poll's own call deadline (7 s) lowers them
    # by whatever passed before the request went out (on a busy machine, more than its 50 ms).
    assert limits["connect"] == 3
    assert all(7 - 3 < limits[phase] <= 7 for phase in ("read", "write", "pool")), limits


def test_sync_polls_are_clipped_too(httpx_mock: HTTPXMock) -> None:
    for status in ("PENDING", "COMPLETED"):
        httpx_mock.add_response(json=_report_answer(status))
    with DebtCore(auth=StaticAuth(), max_retries=0) as debtcore:
        debtcore.credit.wait_for_credit_report("cr-pending", timeout=4, poll_interval=0.01)
    limits = _poll_limits(httpx_mock)
    assert len(limits) == 2 and all(limit <= 4 for limit in limits)


async def test_the_last_sleep_leaves_the_final_poll_time_to_answer(
    mocked: AsyncDebtCore, httpx_mock: HTTPXMock
) -> None:
    # Polls that take 0.3 s, an interval far beyond the wait: the second (final) poll must start
    # while about 0.3 s is left, not at the deadline when no answer could come in time.
    poll_starts: list[float] = []

    async def slow_pending(request: httpx.Request) -> httpx.Response:
        poll_starts.append(time.monotonic())
        await asyncio.sleep(0.3)
        return httpx.Response(200, json=_report_answer("IN_PROGRESS"))

    httpx_mock.add_callback(slow_pending, is_reusable=True)
    started = time.monotonic()
    with pytest.raises(WaitTimeoutError) as caught:
        await mocked.credit.wait_for_credit_report(
            "cr-pending", timeout=1.5, poll_interval=30, max_poll_interval=30
        )
    assert caught.value.pending == {"credit report cr-pending": "IN_PROGRESS"}
    assert len(poll_starts) == 2
    assert poll_starts[1] - started < 1.5 - 0.1  # started before the deadline, with time left
    assert caught.value.waited < 1.5 + 2.0  # generous: the mock ignores the poll's timeout


# --- bad timeouts and intervals: ConfigurationError at the call, before any request -------------

BAD_SECONDS = [
    "5",
    b"5",
    None,
    True,
    math.nan,
    -math.nan,
    math.inf,
    -1,
    0,
    -0.0,
    1e12,  # beyond the platform's sleep and socket limits
    10**400,
    Decimal("NaN"),
    Decimal("sNaN"),
    Decimal("Infinity"),
    Decimal("-2"),
    Decimal("1e-400"),  # rounds to 0.0
    [5],
]


@pytest.mark.parametrize("name", ["timeout", "poll_interval", "max_poll_interval"])
@pytest.mark.parametrize("value", BAD_SECONDS, ids=repr)
async def test_bad_wait_values_fail_before_any_poll(
    name: str, value: Any, mocked: AsyncDebtCore, httpx_mock: HTTPXMock
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        await mocked.credit.wait_for_credit_report("cr-pending", **{name: value})
    assert name in str(caught.value)
    assert httpx_mock.get_requests() == []


@pytest.mark.parametrize("value", [math.nan, "5", Decimal("NaN"), -3, math.inf], ids=repr)
def test_bad_wait_values_fail_before_any_poll_sync(value: Any, httpx_mock: HTTPXMock) -> None:
    with DebtCore(auth=StaticAuth()) as debtcore:
        for name in ("timeout", "poll_interval"):
            with pytest.raises(ConfigurationError):
                debtcore.enrollment.wait_for_enrollment("enroll-1", **{name: value})
    assert httpx_mock.get_requests() == []


async def test_intervals_must_be_in_order(mocked: AsyncDebtCore, httpx_mock: HTTPXMock) -> None:
    with pytest.raises(ConfigurationError, match="max_poll_interval"):
        await mocked.credit.wait_for_credit_report("cr-pending", poll_interval=20)  # max is 10
    with pytest.raises(ConfigurationError):
        await mocked.enrollment.wait_for_enrollment(
            "enroll-1", poll_interval=2, max_poll_interval=1
        )
    assert httpx_mock.get_requests() == []


@pytest.mark.parametrize(
    "value", [3, 3.0, Decimal("3"), Fraction(7, 2)], ids=["int", "float", "Decimal", "Fraction"]
)
async def test_numbers_of_any_real_kind_are_seconds(
    value: Any, mocked: AsyncDebtCore, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(json=_report_answer("PENDING"))
    httpx_mock.add_response(json=_report_answer("FAILED"))
    report = await mocked.credit.wait_for_credit_report(
        "cr-pending", timeout=value, poll_interval=Decimal("0.01"), max_poll_interval=value
    )
    assert report.report_status == "FAILED"
    assert all(limit <= float(value) for limit in _poll_limits(httpx_mock))


async def test_the_end_of_a_wait_never_polls_in_a_burst(
    mocked: AsyncDebtCore, httpx_mock: HTTPXMock
) -> None:
    # Fast answers near the deadline: at most one poll per interval, then the wait is over.
    httpx_mock.add_response(json=_report_answer("IN_PROGRESS"), is_reusable=True)
    with pytest.raises(WaitTimeoutError):
        await mocked.credit.wait_for_credit_report(
            "cr-pending", timeout=0.5, poll_interval=0.05, max_poll_interval=0.05
        )
    assert 2 <= len(httpx_mock.get_requests()) <= 0.5 / 0.05 + 1
