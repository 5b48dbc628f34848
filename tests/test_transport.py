"""Retries, timeouts, request ids and the mapping of every fault to a typed error."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.support.doubles import StaticAuth

from alleviate_debtcore import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncDebtCore,
    AuthenticationError,
    BadRequestError,
    DebtCoreError,
    EndpointNotFoundError,
    GraphQLResponseError,
    InternalServerError,
    PayloadError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    ResponseValidationError,
    RetryPolicy,
    unwrap,
)

PLAN_OK = {"data": {"enrollmentPlan": {"data": {"servicingCompany": "ACME"}, "errors": None}}}
Fault = Callable[[httpx.Request], httpx.Response]


def status(code: int, headers: dict[str, str] | None = None, **kw: Any) -> Fault:
    return lambda request: httpx.Response(code, headers=headers, **kw)


def raise_(exc: type[httpx.TransportError]) -> Fault:
    def fault(request: httpx.Request) -> httpx.Response:
        raise exc("simulated", request=request)

    return fault


FAULTS: dict[str, tuple[Fault, type[DebtCoreError], int, int]] = {
    # name: (fault, error, attempts for a query, attempts for a mutation) with max_retries=2
    "connect-error": (raise_(httpx.ConnectError), APIConnectionError, 3, 3),
    "connect-timeout": (raise_(httpx.ConnectTimeout), APITimeoutError, 3, 3),
    "pool-timeout": (raise_(httpx.PoolTimeout), APITimeoutError, 3, 3),
    "read-timeout": (raise_(httpx.ReadTimeout), APITimeoutError, 3, 1),
    "remote-protocol-error": (raise_(httpx.RemoteProtocolError), APIConnectionError, 3, 1),
    "408": (status(408), APIStatusError, 3, 1),
    "429": (status(429), RateLimitError, 3, 3),
    "429-retry-after": (status(429, {"Retry-After": "0"}), RateLimitError, 3, 3),
    "429-retry-after-ms": (status(429, {"retry-after-ms": "1"}), RateLimitError, 3, 3),
    "500": (status(500), InternalServerError, 3, 1),
    "502": (status(502, text="<html>Bad gateway</html>"), InternalServerError, 3, 1),
    "503": (status(503), InternalServerError, 3, 1),
    "504": (status(504), InternalServerError, 3, 1),
    "400": (status(400, json={"errors": [{"message": "Syntax Error"}]}), BadRequestError, 1, 1),
    "401": (status(401), AuthenticationError, 1, 1),
    "403": (status(403), PermissionDeniedError, 1, 1),
    "404": (status(404, text="not found"), EndpointNotFoundError, 1, 1),
    "html-200": (status(200, text="<html>login</html>"), ResponseDecodeError, 1, 1),
    "truncated-json": (status(200, text='{"data": {"enrollm'), ResponseDecodeError, 1, 1),
    "json-array": (status(200, json=[1, 2]), ResponseDecodeError, 1, 1),
    "no-data-no-errors": (status(200, json={"extensions": {}}), ResponseDecodeError, 1, 1),
    "data-null-errors": (
        status(200, json={"data": None, "errors": [{"message": "boom", "path": ["x"]}]}),
        GraphQLResponseError,
        1,
        1,
    ),
    "schema-mismatch": (
        status(200, json={"data": {"unexpected": 1}}),
        ResponseValidationError,
        1,
        1,
    ),
}


class Recorder:
    def __init__(self, fault: Fault, then: dict[str, Any] | None = None, failures: int = 99):
        self.fault, self.then, self.failures = fault, then, failures
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if len(self.requests) <= self.failures or self.then is None:
            return self.fault(request)
        return httpx.Response(200, json=self.then)


async def call(debtcore: AsyncDebtCore, kind: str, **options: Any) -> Any:
    if kind == "query":
        return await debtcore.offers.enrollment_plan(primary_applicant_state="GA", **options)
    return await debtcore.enrollment.create_enrollment(
        og_id="og-1", lead_id="lead-1", contact_info={"job_classification": "W_2"}, **options
    )


@pytest.mark.parametrize("kind", ["query", "mutation"])
@pytest.mark.parametrize("name", list(FAULTS))
async def test_fault_raises_its_error_after_the_allowed_attempts(
    name: str, kind: str, static_debtcore: AsyncDebtCore, httpx_mock: HTTPXMock
) -> None:
    fault, error, query_attempts, mutation_attempts = FAULTS[name]
    recorder = Recorder(fault)
    httpx_mock.add_callback(recorder, is_reusable=True)
    with pytest.raises(error) as caught:
        await call(static_debtcore, kind)
    expected = query_attempts if kind == "query" else mutation_attempts
    assert len(recorder.requests) == expected
    assert caught.value.request_id  # type: ignore[attr-defined]
    # One client request id per logical call, the same on every attempt.
    assert len({r.headers["x-client-request-id"] for r in recorder.requests}) == 1


async def test_a_query_recovers_when_a_retry_succeeds(
    static_debtcore: AsyncDebtCore, httpx_mock: HTTPXMock
) -> None:
    recorder = Recorder(status(503), then=PLAN_OK, failures=2)
    httpx_mock.add_callback(recorder, is_reusable=True)
    plan = await call(static_debtcore, "query")
    assert plan.servicing_company == "ACME"
    assert len(recorder.requests) == 3


async def test_max_retries_per_call_and_per_client(httpx_mock: HTTPXMock) -> None:
    recorder = Recorder(status(503))
    httpx_mock.add_callback(recorder, is_reusable=True)
    async with AsyncDebtCore(
        auth=StaticAuth(), max_retries=0, retry_policy=RetryPolicy(initial_delay=0.001)
    ) as debtcore:
        with pytest.raises(InternalServerError):
            await call(debtcore, "query")
        assert len(recorder.requests) == 1
        with pytest.raises(InternalServerError):
            await call(debtcore, "query", max_retries=1)
        assert len(recorder.requests) == 3
        with pytest.raises(InternalServerError):
            await call(debtcore.with_options(max_retries=2), "query")
        assert len(recorder.requests) == 6


def _logged_delays(caplog: pytest.LogCaptureFixture) -> list[float]:
    delays = [
        float(record.getMessage().split(" in ")[1].split(" s ")[0])
        for record in caplog.records
        if record.getMessage().startswith("retrying")
    ]
    caplog.clear()
    return delays


async def test_backoff_delays_and_retry_after(
    httpx_mock: HTTPXMock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="alleviate_debtcore.transport")
    policy = RetryPolicy(initial_delay=0.04, max_delay=1.0)
    async with AsyncDebtCore(auth=StaticAuth(), max_retries=2, retry_policy=policy) as debtcore:
        httpx_mock.add_callback(Recorder(status(500)), is_reusable=True)
        with pytest.raises(InternalServerError):
            await call(debtcore, "query")
        first, second = _logged_delays(caplog)  # 0.04 * 2**n * U(0.75, 1), to 2 decimals
        assert 0.03 <= first <= 0.04 and 0.06 <= second <= 0.08
        httpx_mock.reset()
        httpx_mock.add_callback(Recorder(status(429, {"Retry-After": "0.05"})), is_reusable=True)
        with pytest.raises(RateLimitError) as caught:
            await call(debtcore, "mutation")
        assert _logged_delays(caplog) == [0.05, 0.05] and caught.value.retry_after == 0.05
        httpx_mock.reset()
        httpx_mock.add_callback(Recorder(status(429, {"retry-after-ms": "20"})), is_reusable=True)
        with pytest.raises(RateLimitError):
            await call(debtcore, "query")
        assert _logged_delays(caplog) == [0.02, 0.02]


async def test_retry_after_beyond_the_cap_fails_at_once(
    static_debtcore: AsyncDebtCore, httpx_mock: HTTPXMock
) -> None:
    recorder = Recorder(status(429, {"Retry-After": "3600"}))
    httpx_mock.add_callback(recorder, is_reusable=True)
    with pytest.raises(RateLimitError) as caught:
        await call(static_debtcore, "query")
    assert len(recorder.requests) == 1
    assert caught.value.retry_after == 3600.0


async def test_timeout_per_call_reaches_httpx(
    static_debtcore: AsyncDebtCore, httpx_mock: HTTPXMock
) -> None:
    # Each limit is the configured one, lowered to what is left of the call's budget.
    httpx_mock.add_response(json=PLAN_OK)
    await call(static_debtcore, "query", timeout=5)
    limits = httpx_mock.get_requests()[0].extensions["timeout"]
    assert set(limits) == {"connect", "read", "write", "pool"}
    assert all(4.0 < value <= 5.0 for value in limits.values())
    httpx_mock.add_response(json=PLAN_OK)
    await call(static_debtcore, "query")
    default = httpx_mock.get_requests()[1].extensions["timeout"]
    assert 9.0 < default["connect"] <= 10.0
    assert all(29.0 < default[phase] <= 30.0 for phase in ("read", "write", "pool"))


async def test_status_error_carries_response_and_server_request_id(
    static_debtcore: AsyncDebtCore, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(status_code=403, headers={"x-request-id": "srv-42"}, text="nope")
    with pytest.raises(PermissionDeniedError) as caught:
        await call(static_debtcore, "query")
    error = caught.value
    assert error.status_code == 403 and error.response.text == "nope"
    assert error.request_id == "srv-42" and "srv-42" in str(error)
    assert error.service == "offers" and error.operation == "EnrollmentPlan"


async def test_graphql_errors_keep_typed_partial_data(
    static_debtcore: AsyncDebtCore, httpx_mock: HTTPXMock
) -> None:
    body = PLAN_OK | {
        "errors": [
            {
                "message": "partial failure",
                "path": ["enrollmentPlan", "x"],
                "extensions": {"code": "INTERNAL_SERVER_ERROR"},
            },
            {"message": "second"},
        ]
    }
    httpx_mock.add_response(json=body)
    with pytest.raises(GraphQLResponseError) as caught:
        await call(static_debtcore, "query")
    error = caught.value
    assert [e.message for e in error.errors] == ["partial failure", "second"]
    assert error.errors[0].path == ["enrollmentPlan", "x"]
    assert error.errors[0].code == "INTERNAL_SERVER_ERROR"
    assert error.partial_data == PLAN_OK["data"]
    assert unwrap(error.partial.enrollment_plan).servicing_company == "ACME"
    assert "INTERNAL_SERVER_ERROR" in str(error) and "and 1 more" in str(error)


async def test_payload_business_errors_raise_from_the_method_and_through_unwrap(
    static_debtcore: AsyncDebtCore, httpx_mock: HTTPXMock
) -> None:
    body = {"data": {"createEnrollment": {"data": None, "errors": [{"message": "NOT_FOUND"}]}}}
    httpx_mock.add_response(json=body, headers={"x-request-id": "req-7"}, is_reusable=True)
    with pytest.raises(PayloadError) as caught:
        await call(static_debtcore, "mutation")
    assert caught.value.messages == ["NOT_FOUND"]
    assert caught.value.request_id == "req-7" and "req-7" in str(caught.value)
    payload = await static_debtcore.enrollment.with_payload.create_enrollment(
        og_id="og-1", lead_id="lead-1", contact_info={"job_classification": "W_2"}
    )
    assert payload.request_id == "req-7"
    assert [e.message for e in payload.errors or [] if e is not None] == ["NOT_FOUND"]
    with pytest.raises(PayloadError) as unwrapped:
        unwrap(payload)
    assert unwrapped.value.messages == ["NOT_FOUND"]


async def test_server_echoes_of_variable_values_are_redacted(
    static_debtcore: AsyncDebtCore, httpx_mock: HTTPXMock
) -> None:
    message = 'Variable "$input" got invalid value "666023511" at "input.ssn"; Expected type "Int".'
    httpx_mock.add_response(status_code=400, json={"errors": [{"message": message}]})
    with pytest.raises(BadRequestError) as caught:
        await call(static_debtcore, "query")
    assert "666023511" not in str(caught.value)
    assert "got invalid value <redacted>" in str(caught.value)
    httpx_mock.add_response(json={"data": None, "errors": [{"message": message}]})
    with pytest.raises(GraphQLResponseError) as caught_gql:
        await call(static_debtcore, "query")
    assert "666023511" not in str(caught_gql.value)
    assert "666023511" not in caught_gql.value.errors[0].message


async def test_validation_error_text_holds_no_values(
    static_debtcore: AsyncDebtCore, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(
        json={"data": {"enrollmentPlan": {"data": {"servicingCompany": {"ssn": "666023511"}}}}}
    )
    with pytest.raises(ResponseValidationError) as caught:
        await call(static_debtcore, "query")
    assert "666023511" not in str(caught.value)
    assert "enrollmentPlan.data.servicingCompany" in str(caught.value)


async def test_request_body_is_the_graphql_envelope(
    static_debtcore: AsyncDebtCore, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(json=PLAN_OK)
    await call(static_debtcore, "query")
    body = json.loads(httpx_mock.get_requests()[0].content)
    assert set(body) == {"query", "operationName", "variables"}
    assert body["variables"] == {"input": {"primaryApplicantState": "GA"}}


@pytest.mark.parametrize("jar", [{}, {"session": "s-1"}], ids=["no cookies", "cookies"])
async def test_the_callers_http_client_defaults_reach_the_request(
    jar: dict[str, str], httpx_mock: HTTPXMock
) -> None:
    # The request is built from the client's own headers (and cookies, params when it has
    # them), ours winning on a clash, as httpx.AsyncClient.build_request would merge them.
    httpx_mock.add_response(json=PLAN_OK)
    http = httpx.AsyncClient(
        headers={"User-Agent": "partner-app/2.1", "Apollo-Require-Preflight": "0", "X-Team": "t"},
        cookies=jar,
    )
    async with AsyncDebtCore(auth=StaticAuth(), http_client=http) as debtcore:
        await call(debtcore, "query", extra_headers={"x-team": "call"})
    (request,) = httpx_mock.get_requests()
    assert request.headers["user-agent"] == "partner-app/2.1"
    assert request.headers.get_list("apollo-require-preflight") == ["1"]
    assert request.headers.get_list("x-team") == ["call"]
    assert request.headers["content-type"] == "application/json"
    assert request.headers["content-length"] == str(len(request.content))
    assert request.headers.get("cookie") == ("session=s-1" if jar else None)
    await http.aclose()
