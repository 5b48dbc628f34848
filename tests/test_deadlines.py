"""``timeout`` bounds the whole call: token step, attempts, backoff and body, async and sync.

Real HTTP on 127.0.0.1 against servers that stall or trickle; bounds are the issue's (a call with
``timeout=2`` fails in under 3 s), checked on the wall clock.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Generator
from typing import Any

import httpx
import pytest

from tests.support.raw_server import RawServer, answer, raw_server, silent, trickle

from alleviate_debtcore import (
    APITimeoutError,
    AsyncDebtCore,
    Environment,
    RateLimitError,
    RetryPolicy,
    TokenEndpointError,
)
from alleviate_debtcore._transport import SyncGraphQLTransport
from alleviate_debtcore.auth import ClientSecretCredential, EntraAuth
from alleviate_debtcore.offers import EnrollmentPlanInput

SECRET = "deadline-test-secret"
PLAN_OK = {"data": {"enrollmentPlan": {"data": {"servicingCompany": "ACME"}, "errors": None}}}


def async_client(server: RawServer, **options: Any) -> AsyncDebtCore:
    return AsyncDebtCore(
        client_id="local-client",
        client_secret=SECRET,
        environment=server.environment,
        **options,
    )


def sync_transport(server: RawServer, **options: Any) -> SyncGraphQLTransport:
    from alleviate_debtcore._options import TransportOptions

    credential = ClientSecretCredential(
        tenant_id=server.environment.tenant_id,
        client_id="local-client",
        client_secret=SECRET,
        authority=server.base_url,
    )
    return SyncGraphQLTransport(
        auth=EntraAuth(credential, scope=server.environment.scope),
        options=TransportOptions.build(**options),
    )


async def query_async(debtcore: AsyncDebtCore, **options: Any) -> Any:
    return await debtcore.offers.enrollment_plan(
        input=EnrollmentPlanInput(primary_applicant_state="GA"), **options
    )


def query_sync(transport: SyncGraphQLTransport, server: RawServer, **options: Any) -> Any:
    return transport.send(
        service="offers",
        url=server.environment.url("offers"),
        query="query EnrollmentPlan { enrollmentPlan { data { servicingCompany } } }",
        operation_name="EnrollmentPlan",
        variables=None,
        kind="query",
        **options,
    )


async def test_silent_token_endpoint_async() -> None:
    with raw_server(token=silent()) as server:
        async with async_client(server) as debtcore:
            started = time.monotonic()
            with pytest.raises(TokenEndpointError):
                await query_async(debtcore, timeout=2)
            assert time.monotonic() - started < 3.0
        assert server.api_requests() == []


def test_silent_token_endpoint_sync() -> None:
    with raw_server(token=silent()) as server:
        transport = sync_transport(server)
        started = time.monotonic()
        with pytest.raises(TokenEndpointError):
            query_sync(transport, server, timeout=2)
        assert time.monotonic() - started < 3.0
        transport.close()


async def test_trickling_server_async() -> None:
    with raw_server(api=trickle()) as server:
        async with async_client(server) as debtcore:
            started = time.monotonic()
            with pytest.raises(APITimeoutError) as caught:
                await query_async(debtcore, timeout=2)
            assert time.monotonic() - started < 3.0
            assert "timeout of 2 s" in str(caught.value)


def test_trickling_server_sync() -> None:
    with raw_server(api=trickle()) as server:
        transport = sync_transport(server)
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            query_sync(transport, server, timeout=2)
        assert time.monotonic() - started < 3.0
        transport.close()


# "At once" against a budget far longer than any busy machine's delay: a call that waited would
# take its whole 20 s budget, one that did not ends long before 10 s, however loaded the machine.
FAR_RETRY_AFTER, BUDGET, AT_ONCE = "45", 20, 10.0  # 45 s: under the 60 s cap


async def test_token_retry_after_beyond_the_budget_fails_at_once() -> None:
    # Entra asks for 45 s; the call has 20 s: waiting cannot help, so the call ends now.
    def busy(request: Any) -> Any:
        return answer(429, {"error": "temporarily_unavailable"}, {"Retry-After": FAR_RETRY_AFTER})

    with raw_server(token=busy) as server:
        async with async_client(server) as debtcore:
            started = time.monotonic()
            with pytest.raises(TokenEndpointError) as caught:
                await query_async(debtcore, timeout=BUDGET)
            assert time.monotonic() - started < AT_ONCE
            assert caught.value.status_code == 429
        assert len(server.token_requests()) == 1


def test_token_retry_after_beyond_the_budget_fails_at_once_sync() -> None:
    def busy(request: Any) -> Any:
        return answer(429, {"error": "temporarily_unavailable"}, {"Retry-After": FAR_RETRY_AFTER})

    with raw_server(token=busy) as server:
        transport = sync_transport(server)
        started = time.monotonic()
        with pytest.raises(TokenEndpointError):
            query_sync(transport, server, timeout=BUDGET)
        assert time.monotonic() - started < AT_ONCE
        transport.close()


async def test_api_retry_after_beyond_the_budget_fails_at_once() -> None:
    with raw_server(api=lambda r: answer(429, {}, {"Retry-After": FAR_RETRY_AFTER})) as server:
        async with async_client(server) as debtcore:
            started = time.monotonic()
            with pytest.raises(RateLimitError) as caught:
                await query_async(debtcore, timeout=BUDGET)
            assert time.monotonic() - started < AT_ONCE
            assert caught.value.retry_after == 45.0
        assert len(server.api_requests()) == 1


async def test_backoff_counts_against_the_budget() -> None:
    # Backoff of about 1 s per retry and 10 retries allowed: the 2 s budget ends it first.
    policy = RetryPolicy(initial_delay=1.0, max_delay=1.0)
    with raw_server(api=lambda r: answer(503, "busy", content_type="text/plain")) as server:
        async with async_client(server, retry_policy=policy, max_retries=10) as debtcore:
            started = time.monotonic()
            with pytest.raises(Exception) as caught:
                await query_async(debtcore, timeout=2)
            assert time.monotonic() - started < 3.0
            assert type(caught.value).__name__ == "InternalServerError"
        assert 1 <= len(server.api_requests()) <= 3


async def test_a_generous_timeout_still_succeeds() -> None:
    with raw_server(api=lambda r: [0.3, *answer(200, PLAN_OK)]) as server:
        async with async_client(server) as debtcore:
            result = await query_async(debtcore, timeout=5)
            assert result is not None  # the plan's data


def test_sync_success_and_a_generous_timeout() -> None:
    with raw_server(api=lambda r: [0.3, *answer(200, PLAN_OK)]) as server:
        transport = sync_transport(server)
        result = query_sync(transport, server, timeout=5)
        assert result.data == PLAN_OK["data"]
        transport.close()


def test_no_deadline_leaks_into_the_caller_context() -> None:
    from alleviate_debtcore._deadline import current_deadline

    async def run() -> None:
        with raw_server(api=lambda r: answer(200, PLAN_OK)) as server:
            async with async_client(server) as debtcore:
                await query_async(debtcore)
                assert current_deadline.get() is None

    asyncio.run(run())


# --- an auth of the caller's own: wrapped by DeadlineAuth (EntraAuth reports its step itself) ----


class _StallingAuth(httpx.Auth):
    """A caller's auth whose token step takes ``stall`` seconds before the request goes out."""

    def __init__(self, stall: float) -> None:
        self.stall = stall

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        time.sleep(self.stall)
        request.headers["Authorization"] = "Bearer from-a-slow-issuer"
        yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        await asyncio.sleep(self.stall)
        request.headers["Authorization"] = "Bearer from-a-slow-issuer"
        yield request


async def test_a_foreign_auths_stalled_token_step_is_a_token_error_within_the_budget() -> None:
    # Nothing listens on the API port: the call must end in the token step, reported as such.
    environment = Environment.local("http://127.0.0.1:9")
    async with AsyncDebtCore(auth=_StallingAuth(30.0), environment=environment) as debtcore:
        started = time.monotonic()
        with pytest.raises(TokenEndpointError, match="no access token within"):
            await query_async(debtcore, timeout=1)
        assert time.monotonic() - started < 2.0


def test_a_foreign_auths_slow_token_step_is_a_token_error_sync() -> None:
    # A blocking flow cannot be interrupted: the step that outlasts the budget ends the call as
    # soon as it hands over the request, before anything is sent.
    transport = SyncGraphQLTransport(auth=_StallingAuth(0.4))
    with pytest.raises(TokenEndpointError, match="no access token within"):
        transport.send(
            service="offers",
            url="http://127.0.0.1:9/og-service/graphql",
            query="query EnrollmentPlan { enrollmentPlan { data { servicingCompany } } }",
            operation_name="EnrollmentPlan",
            variables=None,
            kind="query",
            timeout=0.2,
        )
    transport.close()


async def test_a_foreign_auths_token_step_leaves_the_rest_of_the_budget_to_the_request() -> None:
    # 0.3 s of a 2 s budget went to the token: the request's limits are what is left.
    with raw_server(api=lambda r: answer(200, PLAN_OK)) as server:
        async with AsyncDebtCore(
            auth=_StallingAuth(0.3), environment=server.environment
        ) as debtcore:
            seen: list[dict[str, float]] = []

            async def record(request: httpx.Request) -> None:
                seen.append(request.extensions["timeout"])

            http = debtcore._transport  # pyright: ignore[reportPrivateUsage]
            client = await http._client()  # pyright: ignore[reportPrivateUsage]
            client.event_hooks["request"].append(record)
            plan = await query_async(debtcore, timeout=2)
    assert plan.servicing_company == "ACME"
    assert all(0 < limit <= 1.75 for limit in seen[0].values())
