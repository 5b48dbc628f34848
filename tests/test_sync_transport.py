"""The sync engine on its own: the async transport's decisions over ``httpx.Client``, from many
threads at once. (The sync face, ``DebtCore``, builds on it.)"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.support.doubles import StaticAuth
from tests.support.raw_server import RawRequest, Step, answer, raw_server

from alleviate_debtcore import (
    APIConnectionError,
    ClientClosedError,
    InternalServerError,
    RateLimitError,
    RetryPolicy,
)
from alleviate_debtcore._options import TransportOptions
from alleviate_debtcore._transport import OperationKind, SyncGraphQLTransport
from alleviate_debtcore.auth import ClientSecretCredential, EntraAuth

URL = "https://api.test/og-service/graphql"
OK = {"data": {"enrollmentPlan": {"data": {"servicingCompany": "ACME"}}}}
FAST = RetryPolicy(initial_delay=0.001, max_delay=0.002)


def send(transport: SyncGraphQLTransport, kind: OperationKind = "query", **options: Any) -> Any:
    return transport.send(
        service="offers",
        url=URL if "url" not in options else options.pop("url"),
        query=f"{kind} EnrollmentPlan {{ enrollmentPlan {{ data {{ servicingCompany }} }} }}",
        operation_name="EnrollmentPlan",
        variables={"input": {"primaryApplicantState": "GA"}},
        kind=kind,
        **options,
    )


@pytest.fixture
def transport() -> Iterator[SyncGraphQLTransport]:
    sync = SyncGraphQLTransport(
        auth=StaticAuth(), options=TransportOptions.build(retry_policy=FAST)
    )
    yield sync
    sync.close()


def test_success_carries_data_and_request_ids(
    transport: SyncGraphQLTransport, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(json=OK, headers={"x-request-id": "srv-1"})
    result = send(transport)
    assert result.data == OK["data"] and result.request_id == "srv-1"
    request = httpx_mock.get_requests()[0]
    assert request.headers["authorization"] == "Bearer test-access-token-value"
    assert request.headers["content-type"] == "application/json"


@pytest.mark.parametrize(("kind", "attempts"), [("query", 3), ("mutation", 1)])
def test_same_retry_decisions_as_the_async_face(
    kind: OperationKind, attempts: int, transport: SyncGraphQLTransport, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(status_code=503, is_reusable=True)
    with pytest.raises(InternalServerError):
        send(transport, kind)
    assert len(httpx_mock.get_requests()) == attempts
    assert len({r.headers["x-client-request-id"] for r in httpx_mock.get_requests()}) == 1


def test_429_is_retried_for_a_mutation_and_honours_retry_after_ms(
    transport: SyncGraphQLTransport, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(status_code=429, headers={"retry-after-ms": "nan"}, is_reusable=True)
    with pytest.raises(RateLimitError) as caught:
        send(transport, "mutation", max_retries=1)
    assert caught.value.retry_after is None
    assert len(httpx_mock.get_requests()) == 2


def test_connect_errors_are_typed(transport: SyncGraphQLTransport, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_exception(httpx.ConnectError("refused"), is_reusable=True)
    with pytest.raises(APIConnectionError) as caught:
        send(transport, "mutation")
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert len(httpx_mock.get_requests()) == 3  # never reached the server: safe to resend


def test_with_options_shares_the_pool_and_close_spares_it(
    transport: SyncGraphQLTransport, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(status_code=503, is_reusable=True)
    derived = transport.with_options(max_retries=0)
    assert derived.http_client is transport.http_client
    with pytest.raises(InternalServerError):
        send(derived)
    assert len(httpx_mock.get_requests()) == 1
    derived.close()
    assert not transport.http_client.is_closed


def test_a_closed_transport_says_so() -> None:
    sync = SyncGraphQLTransport(auth=StaticAuth())
    sync.close()
    with pytest.raises(ClientClosedError, match="closed"):
        send(sync)


def test_sixteen_threads_share_one_token() -> None:
    barrier = threading.Barrier(16)

    def api(request: RawRequest) -> list[Step]:
        return answer(200, OK)

    with raw_server(api=api) as server:
        credential = ClientSecretCredential(
            tenant_id=server.environment.tenant_id,
            client_id="local-client",
            client_secret="threads-secret",
            authority=server.base_url,
        )
        sync = SyncGraphQLTransport(auth=EntraAuth(credential, scope=server.environment.scope))
        url = server.environment.url("offers")

        def one(_: int) -> Any:
            barrier.wait()
            return send(sync, url=url).data

        with ThreadPoolExecutor(16) as pool:
            results = list(pool.map(one, range(16)))
        sync.close()
        credential.close()
        assert results == [OK["data"]] * 16
        assert len(server.token_requests()) == 1
        assert len(server.api_requests()) == 16


def test_sync_body_over_the_limit(httpx_mock: HTTPXMock) -> None:
    from alleviate_debtcore import ResponseTooLargeError

    httpx_mock.add_response(content=b" " * 2048)
    sync = SyncGraphQLTransport(
        auth=StaticAuth(), options=TransportOptions.build(max_response_size=1024)
    )
    with pytest.raises(ResponseTooLargeError):
        send(sync)
    sync.close()
