"""Fixtures shared across the suite. Nothing here reaches the network."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from _support import StaticAuth

from alleviate_debtcore import AsyncDebtCore, Environment, RetryPolicy

FAST_RETRIES = RetryPolicy(initial_delay=0.001, max_delay=0.002)


@pytest.fixture
async def debtcore() -> AsyncIterator[AsyncDebtCore]:
    """A sandbox client with a static token and no retry sleeps worth waiting for."""
    async with AsyncDebtCore(
        auth=StaticAuth(), environment=Environment.SANDBOX, retry_policy=FAST_RETRIES
    ) as client:
        yield client
