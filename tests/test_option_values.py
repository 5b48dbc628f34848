"""Timeouts and retry counts, per call, per client and in ``with_options``: a value that is not a
positive, finite number of seconds (NaN in any form, infinities, strings, bools, an
``httpx.Timeout`` with such a limit) is a ``ConfigurationError`` before any request."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.support.doubles import StaticAuth

from alleviate_debtcore import AsyncDebtCore, ConfigurationError, DebtCore
from alleviate_debtcore._options import DEFAULT_TIMEOUT, resolve_timeout

PLAN_OK = {"data": {"enrollmentPlan": {"data": {"servicingCompany": "ACME"}, "errors": None}}}

BAD_TIMEOUTS = [
    "5",
    True,
    math.nan,
    math.inf,
    -math.inf,
    -2,
    0,
    1e12,  # overflows the platform's socket timeout (a raw OverflowError before)
    10**400,
    Decimal("NaN"),
    Decimal("sNaN"),
    Decimal("-1"),
    Decimal("Infinity"),
    httpx.Timeout(math.nan),
    httpx.Timeout(5, connect=math.nan),
    httpx.Timeout(5, read=-1),
    httpx.Timeout(5, pool=math.inf),
    httpx.Timeout(5, write=0),
    httpx.Timeout("5"),  # httpx takes it as it is
    httpx.Timeout(5, connect=Decimal("NaN")),
    [5],
]
BAD_RETRIES = [-1, 1.5, 2.0, math.nan, True, "2", Decimal("2"), None]
GOOD_TIMEOUTS = [
    (3, 3.0),
    (2.5, 2.5),
    (Decimal("1.5"), 1.5),
    (Fraction(1, 2), 0.5),
    (httpx.Timeout(4, connect=Decimal(1)), 4.0),
]


@pytest.fixture
async def debtcore() -> AsyncIterator[AsyncDebtCore]:
    async with AsyncDebtCore(auth=StaticAuth()) as client:
        yield client


@pytest.fixture
def debtcore_sync() -> Iterator[DebtCore]:
    with DebtCore(auth=StaticAuth()) as client:
        yield client


@pytest.mark.parametrize("value", BAD_TIMEOUTS, ids=repr)
async def test_a_bad_per_call_timeout_fails_before_any_request(
    value: Any, debtcore: AsyncDebtCore, debtcore_sync: DebtCore, httpx_mock: HTTPXMock
) -> None:
    with pytest.raises(ConfigurationError, match="timeout"):
        await debtcore.offers.enrollment_plan("GA", timeout=value)
    with pytest.raises(ConfigurationError, match="timeout"):
        await asyncio.to_thread(debtcore_sync.offers.enrollment_plan, "GA", timeout=value)
    assert httpx_mock.get_requests() == []


@pytest.mark.parametrize("value", BAD_TIMEOUTS, ids=repr)
def test_a_bad_client_timeout_fails_at_construction(value: Any) -> None:
    with pytest.raises(ConfigurationError, match="timeout"):
        AsyncDebtCore(auth=StaticAuth(), timeout=value)
    with pytest.raises(ConfigurationError, match="timeout"):
        DebtCore(auth=StaticAuth(), timeout=value)
    with DebtCore(auth=StaticAuth()) as debtcore, pytest.raises(ConfigurationError):
        debtcore.with_options(timeout=value)


@pytest.mark.parametrize("value", BAD_RETRIES, ids=repr)
async def test_a_bad_retry_count_fails_before_any_request(
    value: Any, debtcore: AsyncDebtCore, debtcore_sync: DebtCore, httpx_mock: HTTPXMock
) -> None:
    if value is not None:  # None per call means the client's own count
        with pytest.raises(ConfigurationError, match="max_retries"):
            await debtcore.offers.enrollment_plan("GA", max_retries=value)
        with pytest.raises(ConfigurationError, match="max_retries"):
            await asyncio.to_thread(debtcore_sync.offers.enrollment_plan, "GA", max_retries=value)
        with pytest.raises(ConfigurationError, match="max_retries"):
            debtcore_sync.with_options(max_retries=value)
    with pytest.raises(ConfigurationError, match="max_retries"):
        DebtCore(auth=StaticAuth(), max_retries=value)
    assert httpx_mock.get_requests() == []


@pytest.mark.parametrize(("value", "budget"), GOOD_TIMEOUTS, ids=repr)
async def test_real_numbers_reach_the_request_as_float_seconds(
    value: Any, budget: float, debtcore: AsyncDebtCore, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(json=PLAN_OK)
    await debtcore.offers.enrollment_plan("GA", timeout=value)
    limits = httpx_mock.get_requests()[0].extensions["timeout"]
    assert 0 < max(limits.values()) <= budget  # the call's budget, less what it spent already
    assert all(type(limit) is float for limit in limits.values())


def test_no_timeout_costs_nothing_and_a_checked_one_is_kept() -> None:
    # None (the common case) is the default itself; an httpx.Timeout of floats is not rebuilt.
    assert resolve_timeout(None) is DEFAULT_TIMEOUT
    custom = httpx.Timeout(5.0, connect=2.0)
    assert resolve_timeout(None, default=custom) is custom
    assert resolve_timeout(custom) is custom
    assert resolve_timeout(httpx.Timeout(None)).as_dict() == httpx.Timeout(None).as_dict()


def test_the_message_names_the_limit_and_never_dumps_a_huge_value() -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve_timeout(httpx.Timeout(5, read=math.nan))
    assert "timeout.read" in str(caught.value)
    with pytest.raises(ConfigurationError) as caught:
        resolve_timeout("9" * 10_000)
    assert len(str(caught.value)) < 300
