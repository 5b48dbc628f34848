"""The typed client against the local sandbox over real HTTP on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from alleviate_debtcore import (
    AsyncDebtCore,
    AuthenticationError,
    InvalidCredentialsError,
    PayloadError,
    unwrap,
)
from alleviate_debtcore.cli._demo import run_enrollment_flow
from alleviate_debtcore.credit import PullCreditReportInputDict
from alleviate_debtcore.enrollment import EnrollmentStatus, JobClassification
from alleviate_debtcore.offers import plan_input
from alleviate_debtcore.sandbox import SandboxServer
from alleviate_debtcore.underwriting import FlowType, UwResultUpdateInputV2Dict

ROOT = Path(__file__).resolve().parent.parent
CLIENT_ID, CLIENT_SECRET = "local-client", "local-secret"


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


async def test_full_single_applicant_flow(server: SandboxServer, debtcore: AsyncDebtCore) -> None:
    tokens_before = server.state.http_requests["token"]
    lines: list[str] = []
    result = await run_enrollment_flow(debtcore, lines.append, poll_interval=0)
    assert [line.split(".")[0] for line in lines[:7]] == ["1", "2", "3", "4", "5", "6", "7"]
    assert result.revision == 2
    assert set(result.steps.values()) <= {"COMPLETED", "SKIPPED"}
    assert "COMPLETED" in result.steps.values()
    # One token served the whole flow (cache), fetched once.
    assert server.state.http_requests["token"] - tokens_before == 1
    # The saved offer reads back.
    offer = await debtcore.offers.get_offer(result.offer_id)
    assert offer.id == result.offer_id and offer.uw_result_revision == result.revision


def _applicant(first: str, last: str, ssn: str) -> PullCreditReportInputDict:
    return {
        "credit_report_source": "ARRAY_EQUIFAX",
        "req_org_contact_id": f"joint-{last.lower()}-{first.lower()}",
        "first_name": first,
        "last_name": last,
        "ssn": ssn,
        "dob": "1980-02-03",
        "address_line1": "12 HARBOR WAY",
        "city": "SAN DIEGO",
        "state": "CA",
        "zip": "92101",
    }


async def test_joint_application_flow(debtcore: AsyncDebtCore) -> None:
    primary = await debtcore.credit.pull_credit_report(input=_applicant("JOHN", "DOE", "999001111"))
    secondary = await debtcore.credit.pull_credit_report(
        input=_applicant("JANE", "DOE", "999002222")
    )
    review = await debtcore.underwriting.check_applicant_eligibility_v2(
        application_type="JOINT",
        primary_report_id=primary.credit_report_id,
        secondary_report_id=secondary.credit_report_id,
        applicant_contact_info={"applicant_state": "CA"},
        co_applicant_contact_info={"applicant_state": "CA"},
        flow_type=FlowType.OPENER,
    )
    assert review.applicant_eligibility_review is not None
    assert review.co_applicant_eligibility_review is not None
    # Same street and ZIP: the household's shared card lands in the joint section.
    assert review.joint_eligibility_review is not None

    first_payment = (date.today() + timedelta(days=10)).isoformat()
    plans = await debtcore.offers.offers(
        uw_result_id=review.id, revision=review.revision, first_payment_date=first_payment
    )
    plan = next(p for p in plans if p is not None)
    updated = await debtcore.underwriting.update_applicant_eligibility_v2(
        application_type="JOINT",
        id=review.id,
        revision=review.revision,
        updated_by="agent-7",
        applicant_contact_info={"applicant_state": "CA"},
        plan=plan_input(plan),
    )
    assert updated.revision == review.revision + 1
    offer = await debtcore.offers.save_offer(uw_result_id=updated.id, revision=updated.revision)
    enrollment = await debtcore.enrollment.create_enrollment(
        og_id=offer.id,
        lead_id="joint-lead-1",
        contact_info={"job_classification": JobClassification.FIXED_INCOME},
    )
    status = await debtcore.enrollment.enrollment_status(enrollment.enrollment_id)
    assert isinstance(status.qa_call, EnrollmentStatus)


async def test_stale_revision_is_a_payload_error(debtcore: AsyncDebtCore) -> None:
    pulled = await debtcore.credit.pull_credit_report(input=_applicant("AMY", "STALE", "999003333"))
    review = await debtcore.underwriting.check_applicant_eligibility_v2(
        application_type="SINGLE",
        primary_report_id=pulled.credit_report_id,
        applicant_contact_info={"applicant_state": "CA"},
    )
    update: UwResultUpdateInputV2Dict = {
        "id": review.id,
        "revision": review.revision,
        "updated_by": "agent-7",
        "applicant_contact_info": {"applicant_state": "CA"},
    }
    first = await debtcore.underwriting.update_applicant_eligibility_v2(
        application_type="SINGLE", updated_uw_fields=update
    )
    assert first.revision == 2
    with pytest.raises(PayloadError) as caught:
        await debtcore.underwriting.update_applicant_eligibility_v2(
            application_type="SINGLE", updated_uw_fields=update
        )
    assert any("STALE_REVISION" in m for m in caught.value.messages)
    assert caught.value.request_id
    # The same failure through with_payload: the payload, not an exception.
    again = await debtcore.underwriting.with_payload.update_applicant_eligibility_v2(
        application_type="SINGLE", updated_uw_fields=update
    )
    assert again.data is None and again.request_id
    with pytest.raises(PayloadError):
        unwrap(again)


async def test_wrong_secret_raises_the_typed_credential_error(server: SandboxServer) -> None:
    async with AsyncDebtCore(
        client_id=CLIENT_ID, client_secret="not-the-secret", environment=server.environment
    ) as debtcore:
        with pytest.raises(InvalidCredentialsError) as caught:
            await debtcore.offers.get_offer("og-offer-123456")
    error = caught.value
    assert error.oauth_error == "invalid_client" and error.aadsts_code == "AADSTS7000215"
    assert error.trace_id and error.correlation_id
    assert "not-the-secret" not in str(error) + repr(error)


async def test_revoked_token_is_recovered_by_exactly_one_refresh(
    server: SandboxServer, debtcore: AsyncDebtCore
) -> None:
    await debtcore.offers.get_offer("og-offer-123456")
    tokens = server.state.http_requests["token"]
    server.state.revoke_tokens()
    await debtcore.offers.get_offer("og-offer-123456")
    await debtcore.offers.get_offer("og-offer-123456")
    assert server.state.http_requests["token"] - tokens == 1


async def test_a_token_rejected_twice_is_an_authentication_error(server: SandboxServer) -> None:
    # A token the server never accepts: the refresh-and-replay happens once, then the 401 surfaces.
    from tests.support.doubles import StaticAuth

    async with AsyncDebtCore(auth=StaticAuth("forged"), environment=server.environment) as debtcore:
        with pytest.raises(AuthenticationError) as caught:
            await debtcore.offers.get_offer("og-offer-123456")
    assert caught.value.status_code == 401


def _run(
    args: list[str], env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("ALLEVIATE_")}


def test_debtcore_demo_runs_the_whole_flow() -> None:
    done = _run([str(Path(sys.executable).parent / "debtcore"), "demo"], _clean_env())
    assert done.returncode == 0, done.stderr
    assert "embedded sandbox at http://127.0.0.1:" in done.stdout
    for step in ("1. credit report", "2. eligibility review", "3. ", "5. offer saved",
                 "6. enrollment created", "7. enrollment finished", "Done:"):  # fmt: skip
        assert step in done.stdout
    assert "666023511" not in done.stdout + done.stderr  # the sample applicant's SSN


def test_demo_reports_a_failure_with_a_clear_message_and_exit_code(server: SandboxServer) -> None:
    env = _clean_env() | {
        "ALLEVIATE_BASE_URL": server.base_url,
        "ALLEVIATE_CLIENT_ID": CLIENT_ID,
        "ALLEVIATE_CLIENT_SECRET": "wrong",
    }
    done = _run([str(Path(sys.executable).parent / "debtcore"), "demo"], env)
    assert done.returncode == 1
    assert "InvalidCredentialsError" in done.stderr and "AADSTS7000215" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("example", sorted(p.name for p in (ROOT / "examples").glob("*.py")))
def test_examples_run_against_the_sandbox(example: str, server: SandboxServer) -> None:
    env = _clean_env() | {
        "ALLEVIATE_BASE_URL": server.base_url,
        "ALLEVIATE_CLIENT_ID": CLIENT_ID,
        "ALLEVIATE_CLIENT_SECRET": CLIENT_SECRET,
    }
    done = _run([sys.executable, str(ROOT / "examples" / example)], env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()
