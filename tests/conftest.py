"""Fixtures shared across the suite. Nothing here reaches the network."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.doubles import StaticAuth

from alleviate_debtcore import AsyncDebtCore, Environment, RetryPolicy

FAST_RETRIES = RetryPolicy(initial_delay=0.001, max_delay=0.002)


@pytest.fixture
async def static_debtcore() -> AsyncIterator[AsyncDebtCore]:
    """A client of the sandbox environment's URLs with a static token and no retry sleeps worth
    waiting for, for tests that answer with ``httpx_mock``. Not named ``debtcore``: that is the
    test kit plugin's fixture (a client of an in-process sandbox), which tests/testing uses."""
    async with AsyncDebtCore(
        auth=StaticAuth(), environment=Environment.SANDBOX, retry_policy=FAST_RETRIES
    ) as client:
        yield client
