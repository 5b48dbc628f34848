"""Logging, OpenTelemetry spans and the robustness property: only DebtCoreErrors escape."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pytest_httpx import HTTPXMock

from tests.support.doubles import StaticAuth

from alleviate_debtcore import AsyncDebtCore, DebtCoreError, InternalServerError, RetryPolicy
from alleviate_debtcore._logging import redact_headers
from alleviate_debtcore.credit import PullCreditReportInput
from alleviate_debtcore.offers import EnrollmentPlanInput

SSN, DOB, NAME = "666023511", "1957-09-06", "DEVOS"
PULL = PullCreditReportInput.model_validate(
    {"creditReportSource": "ARRAY_EQUIFAX", "reqOrgContactId": "c-1", "ssn": SSN, "dob": DOB,
     "lastName": NAME}
)  # fmt: skip


async def test_logs_name_the_call_and_never_the_applicant(
    httpx_mock: HTTPXMock, caplog: pytest.LogCaptureFixture
) -> None:
    httpx_mock.add_response(status_code=429, headers={"Retry-After": "0", "set-cookie": "s=1"})
    httpx_mock.add_response(
        json={"data": {"pullCreditReport": {"data": None, "errors": [{"message": "x"}]}}},
        headers={"x-request-id": "srv-9"},
    )
    caplog.set_level(logging.DEBUG, logger="alleviate_debtcore")
    async with AsyncDebtCore(auth=StaticAuth(), max_retries=1) as debtcore:
        await debtcore.credit.with_payload.pull_credit_report(input=PULL)
    text = "\n".join(r.getMessage() for r in caplog.records)
    retry = [r for r in caplog.records if "retrying" in r.getMessage()]
    assert len(retry) == 1 and retry[0].levelno == logging.INFO
    assert "credit PullCreditReport" in text and "-> 200" in text and "srv-9" in text
    assert "attempt 2" in text
    assert "'set-cookie': 'REDACTED'" in text
    for secret in (SSN, DOB, NAME, "test-access-token-value"):
        assert secret not in text


def test_header_allow_list() -> None:
    assert redact_headers({"X-Request-Id": "a", "Authorization": "Bearer t", "Cookie": "c"}) == {
        "x-request-id": "a",
        "authorization": "REDACTED",
        "cookie": "REDACTED",
    }


async def test_one_span_per_operation(httpx_mock: HTTPXMock) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    httpx_mock.add_response(status_code=500)
    httpx_mock.add_response(
        json={"data": {"enrollmentPlan": {"data": {"servicingCompany": "A"}, "errors": None}}},
        headers={"x-request-id": "srv-1"},
    )
    # As if the application had configured the SDK (set_tracer_provider works once per process).
    original = trace.get_tracer_provider
    trace.get_tracer_provider = lambda: provider  # type: ignore[assignment]
    try:
        async with AsyncDebtCore(auth=StaticAuth(), max_retries=0) as debtcore:
            plan = EnrollmentPlanInput(primary_applicant_state="GA")
            with pytest.raises(InternalServerError):
                await debtcore.offers.enrollment_plan(input=plan)
            await debtcore.offers.enrollment_plan(input=plan)
    finally:
        trace.get_tracer_provider = original  # type: ignore[assignment]
    failed, ok = exporter.get_finished_spans()
    assert ok.name == "query EnrollmentPlan"
    assert ok.attributes is not None
    assert ok.attributes["debtcore.service"] == "offers"
    assert ok.attributes["http.response.status_code"] == 200
    assert ok.attributes["debtcore.request_id"] == "srv-1"
    assert not failed.status.is_ok and failed.events[0].name == "exception"


bodies = st.one_of(
    st.binary(max_size=200),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda children: st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(["data", "errors", "message", "path",
                                           "enrollmentPlan", "servicingCompany"]), children,
                          max_size=4),
        max_leaves=20,
    ).map(lambda value: httpx.Response(200, json=value).content),
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(status=st.sampled_from([200, 201, 204, 301, 400, 401, 404, 408, 429, 500, 502, 503, 599]),
       body=bodies)  # fmt: skip
def test_any_response_ends_in_data_or_a_debtcore_error(status: int, body: bytes) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"Retry-After": "0"})

    async def run() -> Any:
        client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        async with AsyncDebtCore(
            auth=StaticAuth(), http_client=client, retry_policy=RetryPolicy(initial_delay=0)
        ) as debtcore:
            try:
                return await debtcore.offers.enrollment_plan(
                    input=EnrollmentPlanInput(primary_applicant_state="GA")
                )
            except DebtCoreError:
                return None
            finally:
                await client.aclose()

    asyncio.run(run())
