"""Fixtures for the sandbox tests: a fresh app per test, reached in-process through httpx."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.support.sandbox_api import Api

from alleviate_debtcore.sandbox import SandboxApp, create_app


@pytest.fixture
def app() -> SandboxApp:
    return create_app()


@pytest.fixture
async def client(app: SandboxApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as client:
        yield client


@pytest.fixture
def api(client: httpx.AsyncClient) -> Api:
    return Api(client)
