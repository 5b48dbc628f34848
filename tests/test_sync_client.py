"""``DebtCore``, the blocking face: against the local sandbox over real HTTP on 127.0.0.1, from
many threads, against stalling servers, and its lifetime and options."""

from __future__ import annotations

import inspect
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.support.doubles import StaticAuth
from tests.support.raw_server import RawServer, raw_server, silent, trickle

from alleviate_debtcore import (
    APITimeoutError,
    AsyncDebtCore,
    ClientClosedError,
    ConfigurationError,
    DebtCore,
    DebtCoreError,
    InternalServerError,
    Page,
    RetryPolicy,
    SyncPager,
    TokenEndpointError,
    WaitTimeoutError,
)
from alleviate_debtcore.enrollment import EnrollmentStatus
from alleviate_debtcore.offers import plan_input
from alleviate_debtcore.sandbox import SandboxServer

CLIENT_ID, CLIENT_SECRET = "local-client", "local-secret"
REPORT_ID = "cr-abc123def456"  # a docs fixture the sandbox preloads
FAST = RetryPolicy(initial_delay=0.001, max_delay=0.002)


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer() as running:
        yield running


@pytest.fixture
def debtcore(server: SandboxServer) -> Iterator[DebtCore]:
    with DebtCore(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, environment=server.environment
    ) as client:
        yield client


def _tokens(server: SandboxServer) -> int:
    return server.state.http_requests["token"]


def test_full_enrollment_flow(server: SandboxServer) -> None:
    tokens_before = _tokens(server)
    with DebtCore(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, environment=server.environment
    ) as debtcore:
        report = debtcore.credit.pull_credit_report(
            credit_report_source="ARRAY_EQUIFAX", req_org_contact_id="sync-contact-1",
            first_name="THOMAS", last_name="DEVOS", ssn="666023511", dob="1957-09-06",
            address_line1="BEAR CREEK RD APT 110", city="TUSCALOOSA", state="AL", zip="35405",
        )  # fmt: skip
        report = debtcore.credit.wait_for_credit_report(report.credit_report_id, poll_interval=0.01)
        assert report.report_status == "COMPLETED" and report.debts
        review = debtcore.underwriting.check_applicant_eligibility_v2(
            application_type="SINGLE", primary_report_id=report.id,
            applicant_contact_info={"applicant_state": "AL"}, flow_type="OPENER",
        )  # fmt: skip
        first = (date.today() + timedelta(days=7)).isoformat()
        plans = debtcore.offers.offers(uw_result_id=review.id, first_payment_date=first)
        updated = debtcore.underwriting.update_applicant_eligibility_v2(
            application_type="SINGLE", id=review.id, revision=review.revision,
            updated_by="agent-1", applicant_contact_info={"applicant_state": "AL"},
            plan=plan_input(plans[0]),
        )  # fmt: skip
        assert updated.revision == review.revision + 1
        offer = debtcore.offers.save_offer(uw_result_id=updated.id, revision=updated.revision)
        assert debtcore.offers.get_offer(offer.id).uw_result_revision == updated.revision
        enrollment = debtcore.enrollment.create_enrollment(
            og_id=offer.id, lead_id="sync-lead-1", contact_info={"job_classification": "W_2"}
        )
        status = debtcore.enrollment.wait_for_enrollment(
            enrollment.enrollment_id, poll_interval=0.01, max_poll_interval=0.02
        )
    steps = status.model_dump(exclude={"contact_id"})
    assert set(steps.values()) <= {"COMPLETED", "SKIPPED"} and "COMPLETED" in steps.values()
    assert status.contact_id
    assert _tokens(server) - tokens_before == 1  # one token served the whole flow


def test_sixteen_threads_cold_share_one_token_request(server: SandboxServer) -> None:
    barrier = threading.Barrier(16)
    tokens_before = _tokens(server)
    with DebtCore(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, environment=server.environment
    ) as debtcore:

        def one(_: int) -> tuple[str, str | None]:
            barrier.wait()  # all sixteen start together, with no token yet
            report = debtcore.credit.credit_report(REPORT_ID)
            return report.id, report.report_status

        with ThreadPoolExecutor(16) as pool:
            results = list(pool.map(one, range(16)))
    assert results == [(REPORT_ID, "COMPLETED")] * 16
    assert _tokens(server) - tokens_before == 1


def test_pagination_walks_every_node_across_pages(
    server: SandboxServer, debtcore: DebtCore
) -> None:
    for last in ("SYNCONE", "SYNCTWO", "SYNCTHREE"):
        debtcore.credit.pull_credit_report(
            credit_report_source="CRS_TRANSUNION", req_org_contact_id=f"sync-{last.lower()}",
            first_name="PAT", last_name=last, address_line1="1 MAIN ST", city="CHAMPAIGN",
            state="IL", zip="61820",
        )  # fmt: skip
    pager = debtcore.credit.credit_reports(first=2)
    assert isinstance(pager, SyncPager)
    page = pager.first_page()
    assert isinstance(page, Page)
    assert len(page.nodes) == 2 and page.total_count >= 5 and page.has_next_page
    before = server.state.executions.by_operation()["creditReports"]
    ids = [report.id for report in debtcore.credit.credit_reports(first=2)]
    pages = server.state.executions.by_operation()["creditReports"] - before
    assert len(ids) == page.total_count == len(set(ids))
    assert pages == -(-page.total_count // 2) >= 3  # every page fetched once
    assert ids[:2] == [n.id for n in page.nodes]


def test_with_payload_returns_the_whole_payload(debtcore: DebtCore) -> None:
    payload = debtcore.credit.with_payload.credit_report(REPORT_ID)
    assert payload.data is not None and payload.data.id == REPORT_ID
    assert payload.request_id


def _new_enrollment(debtcore: DebtCore) -> str:
    review = debtcore.underwriting.check_applicant_eligibility_v2(
        application_type="SINGLE",
        primary_report_id=REPORT_ID,
        applicant_contact_info={"applicant_state": "AL"},
    )
    first = (date.today() + timedelta(days=7)).isoformat()
    plans = debtcore.offers.offers(uw_result_id=review.id, first_payment_date=first)
    review = debtcore.underwriting.update_applicant_eligibility_v2(
        application_type="SINGLE",
        id=review.id,
        revision=review.revision,
        updated_by="agent",
        applicant_contact_info={"applicant_state": "AL"},
        plan=plan_input(plans[0]),
    )
    offer = debtcore.offers.save_offer(uw_result_id=review.id, revision=review.revision)
    enrollment = debtcore.enrollment.create_enrollment(
        og_id=offer.id, lead_id="sync-lead-wait", contact_info={"job_classification": "W_2"}
    )
    return enrollment.enrollment_id


def test_wait_for_enrollment_times_out_naming_the_pending_steps(debtcore: DebtCore) -> None:
    enrollment_id = _new_enrollment(debtcore)
    with pytest.raises(WaitTimeoutError) as caught:
        # The sandbox advances one step per poll; one poll leaves most steps pending.
        debtcore.enrollment.wait_for_enrollment(
            enrollment_id, timeout=0.05, poll_interval=1, max_poll_interval=1
        )
    error = caught.value
    assert error.pending and set(error.pending.values()) <= {"PENDING", "IN_PROGRESS"}
    assert enrollment_id in str(error)
    status = debtcore.enrollment.wait_for_enrollment(enrollment_id, poll_interval=0.01)
    assert isinstance(status.create_contact, EnrollmentStatus)


_REPORT_FIELDS = [
    "reqOrgId", "reqOrgContactId", "leadId", "applicantResidenceState", "publicRecords",
    "creditReportUserId", "source", "fileMetadata", "fileStatus", "createdAt",
    "applicantFirstName", "applicantMiddleName", "applicantLastName", "applicantSsn",
    "applicantDob", "applicantAlternativeNames", "scores", "reportRequestedAt",
]  # fmt: skip


def _report_answer(status: str) -> dict[str, Any]:
    report: dict[str, Any] = dict.fromkeys(_REPORT_FIELDS) | {
        "id": "cr-pending",
        "debts": [],
        "reportStatus": status,
    }
    return {"data": {"creditReport": {"data": report, "errors": None}}}


def test_wait_for_credit_report_polls_then_times_out(httpx_mock: HTTPXMock) -> None:
    for status in ("PENDING", "FAILED"):
        httpx_mock.add_response(json=_report_answer(status))
    httpx_mock.add_response(json=_report_answer("IN_PROGRESS"), is_reusable=True)
    with DebtCore(auth=StaticAuth(), max_retries=0) as debtcore:
        report = debtcore.credit.wait_for_credit_report(
            "cr-pending", timeout=30, poll_interval=0.01, max_poll_interval=0.02
        )
        assert report.report_status == "FAILED"  # returned, not raised
        with pytest.raises(WaitTimeoutError) as caught:
            debtcore.credit.wait_for_credit_report(
                "cr-pending", timeout=0.3, poll_interval=0.05, max_poll_interval=0.1
            )
    assert caught.value.pending == {"credit report cr-pending": "IN_PROGRESS"}
    polls = len(httpx_mock.get_requests()) - 2
    assert 2 <= polls < 0.3 / 0.05  # backed off
    sent = {json.dumps(json.loads(r.content)["variables"]) for r in httpx_mock.get_requests()}
    assert sent == {'{"input": {"creditReportId": "cr-pending"}}'}


# --- deadlines: the bound, a call with timeout=2 fails in under 3 s -----------------------


def _client(server: RawServer) -> DebtCore:
    return DebtCore(
        client_id="local-client", client_secret="deadline-secret", environment=server.environment
    )


def test_silent_token_endpoint_fails_within_the_call_timeout() -> None:
    with raw_server(token=silent()) as server, _client(server) as debtcore:
        started = time.monotonic()
        with pytest.raises(TokenEndpointError):
            debtcore.offers.enrollment_plan("GA", timeout=2)
        assert time.monotonic() - started < 3.0
        assert server.api_requests() == []


def test_trickling_server_fails_within_the_call_timeout() -> None:
    with raw_server(api=trickle()) as server, _client(server) as debtcore:
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            debtcore.offers.enrollment_plan("GA", timeout=2)
        assert time.monotonic() - started < 3.0


# --- options and lifetime -------------------------------------------------------------------------


def _parameters(function: Any) -> dict[str, tuple[Any, Any]]:
    return {
        name: (p.kind, p.default)
        for name, p in inspect.signature(function).parameters.items()
        if name != "self"
    }


@pytest.mark.parametrize("name", ["__init__", "from_env", "with_options"])
def test_same_constructor_from_env_and_with_options_as_the_async_face(name: str) -> None:
    sync, async_ = getattr(DebtCore, name), getattr(AsyncDebtCore, name)
    assert _parameters(sync) == _parameters(async_)
    hints = {
        n: str(p.annotation).replace("httpx.Client", "httpx.AsyncClient")
        for n, p in inspect.signature(sync).parameters.items()
    }
    assert hints == {n: str(p.annotation) for n, p in inspect.signature(async_).parameters.items()}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"client_id": "a", "client_secret": "b", "auth": StaticAuth()}, "only one of"),
        ({"client_id": "a"}, "client_secret is missing"),
        ({"auth": StaticAuth(), "max_retries": -1}, "max_retries"),
        ({"auth": StaticAuth(), "http_client": httpx.AsyncClient()}, "httpx.Client"),
    ],
)
def test_bad_arguments_raise_configuration_error(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        DebtCore(**options)


def test_from_env_reads_the_same_variables() -> None:
    environ = {
        "ALLEVIATE_CLIENT_ID": "env-client",
        "ALLEVIATE_CLIENT_SECRET": "env-secret",
        "ALLEVIATE_BASE_URL": "http://127.0.0.1:9",
    }
    with DebtCore.from_env(environ=environ) as debtcore:
        assert debtcore.environment.url("credit").startswith("http://127.0.0.1:9/")
        assert "env-secret" not in repr(debtcore) + repr(debtcore.auth)
    with pytest.raises(ConfigurationError, match="ALLEVIATE_CLIENT_SECRET"):
        DebtCore.from_env(environ={"ALLEVIATE_CLIENT_ID": "x"})


def test_with_options_shares_the_pool_and_closing_it_closes_nothing(
    httpx_mock: HTTPXMock,
) -> None:
    httpx_mock.add_response(status_code=503, is_reusable=True)
    debtcore = DebtCore(auth=StaticAuth(), retry_policy=FAST)
    quick = debtcore.with_options(max_retries=0, timeout=5)
    with pytest.raises(InternalServerError):
        quick.credit.credit_report(REPORT_ID)
    assert len(httpx_mock.get_requests()) == 1  # max_retries=0 from with_options
    with pytest.raises(InternalServerError):
        debtcore.credit.credit_report(REPORT_ID)
    assert len(httpx_mock.get_requests()) == 1 + 3  # the original keeps its two retries
    quick.close()
    with pytest.raises(InternalServerError):
        debtcore.credit.credit_report(REPORT_ID, max_retries=0)  # still open
    debtcore.close()
    debtcore.close()  # idempotent
    with pytest.raises(ClientClosedError, match="closed"):
        debtcore.credit.credit_report(REPORT_ID)


def test_a_given_http_client_is_left_open(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(json={"data": {"getOffer": {"data": None, "errors": None}}})
    http = httpx.Client()
    with DebtCore(auth=StaticAuth(), http_client=http) as debtcore, pytest.raises(DebtCoreError):
        debtcore.offers.get_offer("og-1")
    assert not http.is_closed
    http.close()


def test_readme_sync_quick_start_runs_against_the_sandbox(server: SandboxServer) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme[readme.index("### Sync or async") :]
    code = re.findall(r"```python\n(.*?)```", section, re.S)[0]
    assert "DebtCore.from_env()" in code
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALLEVIATE_")} | {
        "ALLEVIATE_BASE_URL": server.base_url,
        "ALLEVIATE_CLIENT_ID": CLIENT_ID,
        "ALLEVIATE_CLIENT_SECRET": CLIENT_SECRET,
    }
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"report {REPORT_ID}: COMPLETED\n")
    assert f"{REPORT_ID} COMPLETED" in done.stdout.splitlines()[1:]  # walked the pages
