"""Fault injection and the execution records an end-to-end test relies on."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.support.sandbox_api import PULL, THOMAS_DEVOS, TOKEN_FORM, TOKEN_PATH, Api

from alleviate_debtcore.sandbox import Faults, SandboxApp

PING = "query Ping { __typename }"
PULL_VARIABLES = {"input": THOMAS_DEVOS}


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_service_failures_are_not_executed(app: SandboxApp, api: Api, status: int) -> None:
    await api.token()
    app.sandbox.faults.service_failures = 2
    app.sandbox.faults.service_failure_status = status

    for _ in range(2):
        failed = await api.post("credit", PULL, PULL_VARIABLES)
        assert failed.status_code == status
        assert "retry-after" not in failed.headers
        assert failed.json()["errors"][0]["extensions"]["code"]
    assert app.sandbox.executions.by_operation()["pullCreditReport"] == 0

    served = await api.post("credit", PULL, PULL_VARIABLES)
    assert served.status_code == 200
    assert app.sandbox.executions.by_operation()["pullCreditReport"] == 1
    assert app.sandbox.http_requests["credit"] == 3


async def test_service_429_carries_retry_after(app: SandboxApp, api: Api) -> None:
    await api.token()
    app.sandbox.faults.service_failures = 1
    app.sandbox.faults.service_failure_status = 429
    app.sandbox.faults.retry_after = 7
    response = await api.post("offers", PING)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert (await api.post("offers", PING)).status_code == 200


@pytest.mark.parametrize(("status", "retry_after"), [(503, None), (429, "3")])
async def test_token_failures(
    app: SandboxApp, client: httpx.AsyncClient, status: int, retry_after: str | None
) -> None:
    app.sandbox.faults.token_failures = 1
    app.sandbox.faults.token_failure_status = status
    app.sandbox.faults.retry_after = 3
    failed = await client.post(TOKEN_PATH, data=TOKEN_FORM)
    assert failed.status_code == status
    assert failed.headers.get("retry-after") == retry_after
    body = failed.json()
    assert body["error"] == "temporarily_unavailable"
    assert body["error_description"].startswith("AADSTS90033: ")
    assert (await client.post(TOKEN_PATH, data=TOKEN_FORM)).status_code == 200
    assert app.sandbox.tokens.issued_count == 1
    assert app.sandbox.http_requests["token"] == 2


async def test_latency_applies_to_every_request(app: SandboxApp, api: Api) -> None:
    await api.token()
    app.sandbox.faults.latency = 0.2
    started = time.perf_counter()
    assert (await api.post("enrollment", PING)).status_code == 200
    assert time.perf_counter() - started >= 0.2


async def test_lost_responses_execute_then_answer_502(app: SandboxApp, api: Api) -> None:
    await api.token()
    app.sandbox.faults.lost_responses = 1
    lost = await api.post("credit", PULL, PULL_VARIABLES, headers={"x-client-request-id": "req-1"})
    assert lost.status_code == 502
    assert app.sandbox.executions.by_client_request_id() == {"req-1": {"pullCreditReport": 1}}
    assert app.sandbox.executions.repeated_mutations() == {}

    # a client that blindly retries the mutation under the same request id gets caught
    retried = await api.post(
        "credit", PULL, PULL_VARIABLES, headers={"x-client-request-id": "req-1"}
    )
    assert retried.status_code == 200
    assert app.sandbox.executions.repeated_mutations() == {"req-1": {"pullCreditReport": 2}}


async def test_executions_are_recorded_per_operation_and_request_id(
    app: SandboxApp, api: Api
) -> None:
    await api.post("credit", PING)  # introspection-only: no root resolver runs
    await api.post("credit", PULL, PULL_VARIABLES, headers={"x-client-request-id": "a"})
    await api.post("credit", PULL, PULL_VARIABLES, headers={"x-client-request-id": "b"})
    query = 'query { creditReport(input: {creditReportId: "cr-xyz789"}) { data { id } } }'
    await api.post("credit", query, headers={"x-client-request-id": "a"})
    await api.post("credit", query, headers={"x-client-request-id": "a"})

    log = app.sandbox.executions
    assert log.by_operation() == {"pullCreditReport": 2, "creditReport": 2}
    assert log.by_client_request_id() == {
        "a": {"pullCreditReport": 1, "creditReport": 2},
        "b": {"pullCreditReport": 1},
    }
    assert log.repeated_mutations() == {}  # repeated queries are fine
    (entry, *_) = log.entries
    assert (entry.service, entry.operation_type, entry.field) == (
        "credit",
        "mutation",
        "pullCreditReport",
    )


def test_faults_validate_their_settings() -> None:
    with pytest.raises(ValueError, match="service_failure_status"):
        Faults(service_failure_status=404)
    with pytest.raises(ValueError, match="token_failure_status"):
        Faults(token_failure_status=502)
    with pytest.raises(ValueError, match="negative"):
        Faults(latency=-1)


async def test_invalid_documents_are_http_400_with_graphql_errors(api: Api) -> None:
    response = await api.post("credit", "query { noSuchField }")
    assert response.status_code == 400
    body = response.json()
    assert body["data"] is None if "data" in body else True
    assert "Cannot query field 'noSuchField'" in body["errors"][0]["message"]

    coercion = await api.post("credit", PULL, {"input": {"reqOrgContactId": "x"}})
    assert coercion.status_code == 400
    assert "creditReportSource" in coercion.json()["errors"][0]["message"]


async def test_introspection_is_enabled(api: Api) -> None:
    body = (
        await api.post("underwriting", "{ __schema { mutationType { fields { name } } } }")
    ).json()
    names = {field["name"] for field in body["data"]["__schema"]["mutationType"]["fields"]}
    assert {"checkApplicantEligibilityV2", "updateApplicantEligibilityV2"} <= names
