"""The call surface: flattened arguments, the model and dict forms, client-side validation,
methods returning the payload's data, ``with_payload``, pagination and the waiting helpers.

Against the sandbox over 127.0.0.1 where the behaviour is the server's; with pytest-httpx where
a test needs answers the sandbox does not give (a report that stays pending)."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.support.doubles import StaticAuth

from alleviate_debtcore import (
    AsyncDebtCore,
    DebtCoreError,
    Environment,
    InputValidationError,
    PayloadError,
    WaitTimeoutError,
    unwrap,
)
from alleviate_debtcore.credit import GetCreditReportInput, GetCreditReportResponseFieldsData
from alleviate_debtcore.offers import plan_input
from alleviate_debtcore.sandbox import SandboxServer
from alleviate_debtcore.underwriting import (
    ApplicantContactInfoInputV2,
    ApplicantContactInfoInputV2Dict,
)

CLIENT_ID, CLIENT_SECRET = "local-client", "local-secret"
REPORT_ID = "cr-abc123def456"  # a docs fixture the sandbox preloads
SSN = "666023511"


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


async def test_positional_flattened_and_model_forms_return_the_same_report(
    debtcore: AsyncDebtCore,
) -> None:
    by_position = await debtcore.credit.credit_report(REPORT_ID)
    by_keyword = await debtcore.credit.credit_report(credit_report_id=REPORT_ID)
    by_model = await debtcore.credit.credit_report(
        input=GetCreditReportInput(credit_report_id=REPORT_ID)
    )
    by_dict = await debtcore.credit.credit_report(input={"credit_report_id": REPORT_ID})
    assert isinstance(by_position, GetCreditReportResponseFieldsData)
    assert by_position.id == REPORT_ID and by_position.debts
    assert by_position == by_keyword == by_model == by_dict


async def test_nested_dicts_and_literal_enums_validate_into_models(
    debtcore: AsyncDebtCore,
) -> None:
    review = await debtcore.underwriting.check_applicant_eligibility_v2(
        application_type="SINGLE",
        primary_report_id=REPORT_ID,
        applicant_contact_info={"applicant_state": "AL"},
        flow_type="OPENER",
    )
    same = await debtcore.underwriting.check_applicant_eligibility_v2(
        application_type="SINGLE",
        primary_report_id=REPORT_ID,
        applicant_contact_info=ApplicantContactInfoInputV2(applicant_state="AL"),
    )
    assert review.id != same.id  # two reviews, same rules
    assert review.application_eligibility_review is not None
    assert same.application_eligibility_review is not None
    assert (
        review.application_eligibility_review.total_debt
        == same.application_eligibility_review.total_debt
        > 0
    )


async def test_with_payload_returns_findings_that_the_method_leaves_out(
    debtcore: AsyncDebtCore,
) -> None:
    # The sandbox lists ineligible debts in `errors` beside the review (data and errors both).
    payload = await debtcore.underwriting.with_payload.check_applicant_eligibility_v2(
        application_type="SINGLE",
        primary_report_id=REPORT_ID,
        applicant_contact_info={"applicant_state": "AL"},
    )
    findings = [e for e in payload.errors or [] if e is not None and e.debt_id]
    assert findings and payload.data is not None and payload.request_id
    review = await debtcore.underwriting.check_applicant_eligibility_v2(
        application_type="SINGLE",
        primary_report_id=REPORT_ID,
        applicant_contact_info={"applicant_state": "AL"},
    )
    assert review.revision == payload.data.revision  # data returned, not raised
    with pytest.raises(PayloadError):  # unwrap stays strict for payloads
        unwrap(payload)


async def test_a_payload_without_data_raises_payload_error(debtcore: AsyncDebtCore) -> None:
    with pytest.raises(PayloadError) as caught:
        await debtcore.enrollment.enrollment_status("no-such-enrollment")
    assert caught.value.messages and caught.value.request_id
    payload = await debtcore.enrollment.with_payload.enrollment_status("no-such-enrollment")
    assert payload.data is None and payload.errors


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def nowhere() -> AsyncIterator[AsyncDebtCore]:
    """A client whose every request would fail to connect: nothing listens on the port."""
    environment = Environment.local(f"http://127.0.0.1:{_closed_port()}")
    async with AsyncDebtCore(auth=StaticAuth(), environment=environment, max_retries=0) as client:
        yield client


BAD_CALLS: dict[str, tuple[Any, list[str]]] = {
    "unknown key": (
        lambda d: d.credit.credit_report(input={"credit_report_id": "x", "ssn": SSN}),
        ["input.ssn"],
    ),
    "missing field": (lambda d: d.credit.credit_report(input={}), ["input.credit_report_id"]),
    "wrong type": (
        lambda d: d.credit.credit_report(input={"credit_report_id": 123456789}),
        ["input.credit_report_id"],
    ),
    "nested unknown key": (
        lambda d: d.underwriting.check_applicant_eligibility_v2(
            application_type="SINGLE",
            primary_report_id="r",
            applicant_contact_info={"applicant_state": "AL", "social": SSN},
        ),
        ["applicant_contact_info.social"],
    ),
    "unknown enum literal": (
        lambda d: d.underwriting.check_applicant_eligibility_v2(
            application_type="SINGEL", primary_report_id="r", applicant_contact_info={}
        ),
        ["application_type"],
    ),
    "unknown enum in an input": (
        lambda d: d.credit.pull_credit_report(
            credit_report_source="NOT_A_SOURCE", req_org_contact_id="c", ssn=SSN
        ),
        ["credit_report_source"],
    ),
    "int for an id": (lambda d: d.enrollment.enrollment_status(12345), ["enrollment_id"]),
    "both forms": (
        lambda d: d.credit.credit_report("x", input={"credit_report_id": "x"}),
        ["input"],
    ),
    "dict for a list": (lambda d: d.credit.credit_reports(order={"field": "createdAt"}), ["order"]),
}


@pytest.mark.parametrize("case", list(BAD_CALLS))
async def test_bad_input_raises_before_anything_is_sent(
    case: str, nowhere: AsyncDebtCore, httpx_mock: HTTPXMock
) -> None:
    call, paths = BAD_CALLS[case]
    with pytest.raises(InputValidationError) as caught:
        await call(nowhere)
    error = caught.value
    assert isinstance(error, DebtCoreError) and isinstance(error, ValueError)
    assert [e.path for e in error.errors][: len(paths)] == paths
    assert all(e.reason for e in error.errors)
    # Paths and reasons only: no value, and no chained pydantic error (whose text quotes values).
    assert SSN not in str(error) and "123456789" not in str(error) and "SINGEL" not in str(error)
    assert error.__cause__ is None and error.__context__ is None
    assert httpx_mock.get_requests() == []


async def test_an_input_model_built_badly_raises_input_validation_error() -> None:
    with pytest.raises(InputValidationError) as caught:
        ApplicantContactInfoInputV2(applicant_state="AL", ssn_typo=SSN)  # type: ignore[call-arg]
    assert [e.path for e in caught.value.errors] == ["ssn_typo"]
    assert SSN not in str(caught.value) and caught.value.__context__ is None


async def test_pagination_walks_every_node_across_pages(
    server: SandboxServer, debtcore: AsyncDebtCore
) -> None:
    for last in ("PAGEONE", "PAGETWO", "PAGETHREE"):
        await debtcore.credit.pull_credit_report(
            credit_report_source="CRS_TRANSUNION",
            req_org_contact_id=f"pages-{last.lower()}",
            first_name="PAT",
            last_name=last,
            address_line1="1 MAIN ST",
            city="CHAMPAIGN",
            state="IL",
            zip="61820",
        )
    page = await debtcore.credit.credit_reports(first=2)
    assert len(page.nodes) == 2 and page.total_count >= 5 and page.has_next_page
    before = server.state.executions.by_operation()["creditReports"]
    ids = [report.id async for report in debtcore.credit.credit_reports(first=2)]
    pages = server.state.executions.by_operation()["creditReports"] - before
    assert len(ids) == page.total_count == len(set(ids))
    assert pages == -(-page.total_count // 2) >= 3  # every page fetched once
    assert ids[:2] == [n.id for n in page.nodes]


def _report_answer(status: str) -> dict[str, Any]:
    report = {
        "id": "cr-pending",
        "reqOrgId": None,
        "reqOrgContactId": None,
        "leadId": None,
        "applicantResidenceState": None,
        "publicRecords": None,
        "creditReportUserId": None,
        "debts": [],
        "source": None,
        "fileMetadata": None,
        "reportStatus": status,
        "fileStatus": None,
        "createdAt": None,
        "applicantFirstName": None,
        "applicantMiddleName": None,
        "applicantLastName": None,
        "applicantSsn": None,
        "applicantDob": None,
        "applicantAlternativeNames": None,
        "scores": None,
        "reportRequestedAt": None,
    }
    return {"data": {"creditReport": {"data": report, "errors": None}}}


@pytest.fixture
async def mocked() -> AsyncIterator[AsyncDebtCore]:
    async with AsyncDebtCore(auth=StaticAuth(), max_retries=0) as client:
        yield client


@pytest.mark.parametrize("final", ["COMPLETED", "FAILED"])
async def test_wait_for_credit_report_returns_the_terminal_report(
    final: str, mocked: AsyncDebtCore, httpx_mock: HTTPXMock
) -> None:
    for status in ("PENDING", "IN_PROGRESS", final):
        httpx_mock.add_response(json=_report_answer(status))
    report = await mocked.credit.wait_for_credit_report(
        "cr-pending", timeout=30, poll_interval=0.01, max_poll_interval=0.02
    )
    assert report.report_status == final  # a FAILED report is returned, not raised
    sent = [json.loads(r.content)["variables"] for r in httpx_mock.get_requests()]
    assert sent == [{"input": {"creditReportId": "cr-pending"}}] * 3


async def test_wait_for_credit_report_times_out_naming_the_status(
    mocked: AsyncDebtCore, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(json=_report_answer("IN_PROGRESS"), is_reusable=True)
    with pytest.raises(WaitTimeoutError) as caught:
        await mocked.credit.wait_for_credit_report(
            "cr-pending", timeout=0.3, poll_interval=0.05, max_poll_interval=0.1
        )
    error = caught.value
    assert isinstance(error, DebtCoreError) and isinstance(error, TimeoutError)
    assert error.pending == {"credit report cr-pending": "IN_PROGRESS"}
    assert "cr-pending" in str(error) and "IN_PROGRESS" in str(error)
    # Backoff: fewer polls than the timeout over the first interval would allow.
    assert 2 <= len(httpx_mock.get_requests()) < 0.3 / 0.05


async def _new_enrollment(debtcore: AsyncDebtCore) -> str:
    """A fresh enrollment (the docs fixture's is finished already): review, plan, offer."""
    contact: ApplicantContactInfoInputV2Dict = {"applicant_state": "AL"}
    review = await debtcore.underwriting.check_applicant_eligibility_v2(
        application_type="SINGLE", primary_report_id=REPORT_ID, applicant_contact_info=contact
    )
    first = (date.today() + timedelta(days=7)).isoformat()
    plans = await debtcore.offers.offers(uw_result_id=review.id, first_payment_date=first)
    review = await debtcore.underwriting.update_applicant_eligibility_v2(
        application_type="SINGLE",
        id=review.id,
        revision=review.revision,
        updated_by="agent",
        applicant_contact_info=contact,
        plan=plan_input(plans[0]),
    )
    offer = await debtcore.offers.save_offer(uw_result_id=review.id, revision=review.revision)
    enrollment = await debtcore.enrollment.create_enrollment(
        og_id=offer.id, lead_id="lead-wait", contact_info={"job_classification": "W_2"}
    )
    return enrollment.enrollment_id


async def test_wait_for_enrollment_polls_until_no_step_is_running(
    server: SandboxServer, debtcore: AsyncDebtCore
) -> None:
    enrollment_id = await _new_enrollment(debtcore)
    status = await debtcore.enrollment.wait_for_enrollment(
        enrollment_id, timeout=60, poll_interval=0.01, max_poll_interval=0.02
    )
    steps = status.model_dump(exclude={"contact_id"})
    assert set(steps.values()) <= {"COMPLETED", "SKIPPED", "FAILED"}
    assert status.contact_id  # the sandbox fills it once createContact completes


async def test_wait_for_enrollment_times_out_naming_the_pending_steps(
    debtcore: AsyncDebtCore,
) -> None:
    enrollment_id = await _new_enrollment(debtcore)
    with pytest.raises(WaitTimeoutError) as caught:
        # The sandbox advances one step per poll; the few polls that fit leave most pending.
        # Each poll is bounded by the wait too, so the wait leaves a loaded machine room for one.
        await debtcore.enrollment.wait_for_enrollment(
            enrollment_id, timeout=1.5, poll_interval=10, max_poll_interval=10
        )
    error = caught.value
    assert error.pending and set(error.pending.values()) <= {"PENDING", "IN_PROGRESS"}
    assert enrollment_id in str(error)
    assert all(name in str(error) for name in error.pending)


async def test_per_call_options_reach_the_request(
    mocked: AsyncDebtCore, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(json=_report_answer("COMPLETED"))
    await mocked.credit.credit_report("cr-1", timeout=5, max_retries=0, extra_headers={"x-a": "1"})
    (request,) = httpx_mock.get_requests()
    assert request.headers["x-a"] == "1"
    assert 0 < request.extensions["timeout"]["read"] <= 5  # a call-wide deadline counts down


def test_every_method_declares_the_options_and_no_kwargs() -> None:
    import inspect

    from alleviate_debtcore.credit import CreditClient
    from alleviate_debtcore.enrollment import EnrollmentClient
    from alleviate_debtcore.offers import OffersClient
    from alleviate_debtcore.underwriting import UnderwritingClient

    count = 0
    for client in (CreditClient, UnderwritingClient, OffersClient, EnrollmentClient):
        for name, method in inspect.getmembers(client, inspect.isfunction):
            if name.startswith("_") or name in ("execute", "parse_result", "payload"):
                continue
            params = inspect.signature(method).parameters
            kinds = {p.kind for p in params.values()}
            assert inspect.Parameter.VAR_KEYWORD not in kinds, name
            assert inspect.Parameter.VAR_POSITIONAL not in kinds, name
            if not name.startswith("wait_for"):
                assert {"timeout", "max_retries", "extra_headers"} <= set(params), name
                count += 1
    assert count == 33


async def test_the_transport_is_not_reached_with_a_closed_client_for_bad_input() -> None:
    # A bad dict on a client with a transport that fails every request: validation comes first.
    def boom(request: httpx.Request) -> httpx.Response:
        raise AssertionError("a request was sent")

    http = httpx.AsyncClient(transport=httpx.MockTransport(boom))
    async with AsyncDebtCore(auth=StaticAuth(), http_client=http) as debtcore:
        with pytest.raises(InputValidationError):
            await debtcore.offers.save_offer(input={"uw_result_id": None})
    await http.aclose()
