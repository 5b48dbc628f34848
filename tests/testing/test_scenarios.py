"""The test kit's scenarios and inspection, through the typed client and the plugin fixtures."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from alleviate_debtcore import (
    AsyncDebtCore,
    GraphQLResponseError,
    InternalServerError,
    unwrap,
)
from alleviate_debtcore.credit import GetCreditReportInput
from alleviate_debtcore.enrollment import (
    ContactInfoInput,
    CreateEnrollmentInput,
    EnrollmentStatus,
    JobClassification,
)
from alleviate_debtcore.offers import CreateOfferInput, OffersInput
from alleviate_debtcore.testing import DebtCoreSandbox, SandboxClock, Tradeline
from alleviate_debtcore.underwriting import (
    ApplicantContactInfoInputV2,
    ApplicationTypeInput,
    EligibilityStatus,
    FlowType,
    UwResultCheckInputV2,
)


async def _check(debtcore: AsyncDebtCore, report_id: str):  # type: ignore[no-untyped-def]
    return await debtcore.underwriting.with_payload.check_applicant_eligibility_v2(
        application_type=ApplicationTypeInput.SINGLE,
        input=UwResultCheckInputV2(
            primary_report_id=report_id,
            applicant_contact_info=ApplicantContactInfoInputV2(applicant_state="TX"),
        ),
        flow_type=FlowType.OPENER,
    )


async def test_only_debt_a_mortgage_gives_no_eligible_debt(
    debtcore: AsyncDebtCore, debtcore_sandbox: DebtCoreSandbox
) -> None:
    applicant = debtcore_sandbox.applicant(
        tradelines=[Tradeline.mortgage("ROCKET MORTGAGE", 182_500)]
    )
    pulled = unwrap(
        await debtcore.credit.with_payload.pull_credit_report(input=applicant.pull_input())
    )  # fmt: skip
    assert [(d.creditor_name, d.account_type) for d in pulled.debts or [] if d] == [
        ("ROCKET MORTGAGE", "MORTGAGE_DEBT")
    ]
    payload = await _check(debtcore, pulled.credit_report_id or "")
    review = unwrap(payload, partial=True)
    summary = review.application_eligibility_review
    assert summary is not None and summary.total_eligible_debt == 0
    assert summary.application_passable is False
    debts = review.applicant_eligibility_review.debts or []  # type: ignore[union-attr]
    assert [d.eligibility_status for d in debts if d] == [EligibilityStatus.INELIGIBLE]


async def test_chosen_tradelines_decide_which_debts_are_eligible(
    debtcore: AsyncDebtCore, debtcore_sandbox: DebtCoreSandbox
) -> None:
    applicant = debtcore_sandbox.applicant(
        tradelines=[
            Tradeline.credit_card("CAPITAL ONE", 6_000),
            Tradeline.credit_card("DISCOVER BANK", "2500.50", delinquency="60_DAYS_LATE"),
            Tradeline("SMALL CARD CO", 120),  # under 500.00
            Tradeline("NAVY FEDERAL CR UNION", 3_000, creditor_type="CREDIT_UNION"),
        ]
    )
    pulled = unwrap(
        await debtcore.credit.with_payload.pull_credit_report(input=applicant.pull_input())
    )  # fmt: skip
    review = unwrap(await _check(debtcore, pulled.credit_report_id or ""), partial=True)
    debts = review.applicant_eligibility_review.debts or []  # type: ignore[union-attr]
    statuses = {d.creditor_name: d.eligibility_status for d in debts if d}
    assert statuses == {
        "CAPITAL ONE": EligibilityStatus.ELIGIBLE,
        "DISCOVER BANK": EligibilityStatus.ELIGIBLE,
        "SMALL CARD CO": EligibilityStatus.INELIGIBLE,
        "NAVY FEDERAL CR UNION": EligibilityStatus.CONDITIONAL,
    }
    summary = review.application_eligibility_review
    assert summary is not None and summary.total_eligible_debt == pytest.approx(8500.50)


async def test_failed_report_is_reported_as_failed(
    debtcore: AsyncDebtCore, debtcore_sandbox: DebtCoreSandbox
) -> None:
    applicant = debtcore_sandbox.applicant(tradelines=[], report_status="FAILED")
    pulled = unwrap(
        await debtcore.credit.with_payload.pull_credit_report(input=applicant.pull_input())
    )  # fmt: skip
    assert pulled.report_status == "FAILED"
    payload = await _check(debtcore, pulled.credit_report_id or "")
    assert payload.data is None
    assert any("REPORT_NOT_COMPLETED" in str(e.message) for e in payload.errors or [] if e)


async def test_pending_report_stays_pending(
    debtcore: AsyncDebtCore, debtcore_sandbox: DebtCoreSandbox
) -> None:
    applicant = debtcore_sandbox.applicant(report_status="PENDING")  # generated debts
    pulled = unwrap(
        await debtcore.credit.with_payload.pull_credit_report(input=applicant.pull_input())
    )  # fmt: skip
    assert pulled.report_status == "PENDING" and pulled.debts
    for _ in range(3):
        again = unwrap(
            await debtcore.credit.with_payload.credit_reports(
                where={"reqOrgContactId": applicant.contact_id}
            )  # type: ignore[arg-type]
        )
        assert [e.node.report_status for e in again.edges if e and e.node] == ["PENDING"]


async def _enroll(debtcore: AsyncDebtCore, sandbox: DebtCoreSandbox, lead_id: str) -> str:
    applicant = sandbox.applicant()
    pulled = unwrap(
        await debtcore.credit.with_payload.pull_credit_report(input=applicant.pull_input())
    )  # fmt: skip
    review = unwrap(await _check(debtcore, pulled.credit_report_id or ""), partial=True)
    from alleviate_debtcore.cli._demo import plan_input
    from alleviate_debtcore.underwriting import (
        ApplicantContactInfoUpdateInputV2,
        UwResultUpdateInputV2,
    )

    first_payment = sandbox.clock().date().isoformat()
    plans = unwrap(
        await debtcore.offers.with_payload.offers(
            input=OffersInput(
                uw_result_id=review.id,
                revision=review.revision,
                first_payment_date=first_payment,
            )
        )
    )
    plan = next(p for p in plans if p is not None)
    updated = unwrap(
        await debtcore.underwriting.with_payload.update_applicant_eligibility_v2(
            application_type=ApplicationTypeInput.SINGLE,
            updated_uw_fields=UwResultUpdateInputV2(
                id=review.id,
                revision=review.revision,
                updated_by="agent-1",
                applicant_contact_info=ApplicantContactInfoUpdateInputV2(
                    applicant_state="TX",
                    routing_number="021000021",
                    bank_account_number="000123456789",
                ),
                plan=plan_input(plan),
            ),
        ),
        partial=True,
    )
    offer = unwrap(
        await debtcore.offers.with_payload.save_offer(
            input=CreateOfferInput(uw_result_id=updated.id, revision=updated.revision)
        )
    )
    created = unwrap(
        await debtcore.enrollment.with_payload.create_enrollment(
            input=CreateEnrollmentInput(
                og_id=offer.id,
                lead_id=lead_id,
                contact_info=ContactInfoInput(job_classification=JobClassification.FIXED_INCOME),
            )
        )
    )
    return created.enrollment_id or ""


async def test_failing_enrollment_step_shows_failed(
    debtcore: AsyncDebtCore, debtcore_sandbox: DebtCoreSandbox
) -> None:
    debtcore_sandbox.fail_enrollment_step("createDebts", lead_id="lead-fails")
    enrollment_id = await _enroll(debtcore, debtcore_sandbox, "lead-fails")
    for _ in range(10):
        payload = await debtcore.enrollment.with_payload.enrollment_status(
            enrollment_id=enrollment_id
        )
        if payload.data and payload.data.create_debts not in (
            EnrollmentStatus.PENDING,
            EnrollmentStatus.IN_PROGRESS,
        ):
            break
    assert payload.data is not None
    assert payload.data.create_debts == EnrollmentStatus.FAILED
    assert payload.data.create_enrollment_plan == EnrollmentStatus.COMPLETED
    assert payload.data.create_bank_account == EnrollmentStatus.SKIPPED  # the run stopped
    assert any("STEP_FAILED" in str(e.message) for e in payload.errors or [] if e)
    # Another lead's enrollment is untouched.
    other = await _enroll(debtcore, debtcore_sandbox, "lead-fine")
    for _ in range(10):
        status = unwrap(
            await debtcore.enrollment.with_payload.enrollment_status(enrollment_id=other)
        )
    assert status.create_debts == EnrollmentStatus.COMPLETED


async def test_revoked_token_is_recovered_with_one_new_token_request(
    debtcore: AsyncDebtCore, debtcore_sandbox: DebtCoreSandbox
) -> None:
    applicant = debtcore_sandbox.applicant()
    await debtcore.credit.pull_credit_report(input=applicant.pull_input())
    assert debtcore_sandbox.token_requests == 1
    assert debtcore_sandbox.revoke_tokens() == 1
    pulled = unwrap(
        await debtcore.credit.with_payload.user_verification(applicant.contact_id)
    )  # fmt: skip
    assert pulled.req_org_contact_id == applicant.contact_id
    assert debtcore_sandbox.token_requests == 2


async def test_operation_fault_status_is_not_executed(debtcore_sandbox: DebtCoreSandbox) -> None:
    debtcore = debtcore_sandbox.client(max_retries=0)
    applicant = debtcore_sandbox.applicant()
    debtcore_sandbox.fail_operation("pullCreditReport", status=500)
    with pytest.raises(InternalServerError):
        await debtcore.credit.pull_credit_report(input=applicant.pull_input())
    assert debtcore_sandbox.mutation_executions()["pullCreditReport"] == 0
    await debtcore.credit.pull_credit_report(input=applicant.pull_input())  # only once
    assert debtcore_sandbox.mutation_executions()["pullCreditReport"] == 1


async def test_operation_fault_graphql_error(
    debtcore: AsyncDebtCore, debtcore_sandbox: DebtCoreSandbox
) -> None:
    debtcore_sandbox.fail_operation("creditors", graphql_error="boom", error_code="DOWNSTREAM")
    with pytest.raises(GraphQLResponseError, match="boom"):
        await debtcore.credit.creditors()
    assert debtcore_sandbox.executions()["creditors"] == 0


async def test_lost_response_mutation_ran_once_and_is_not_retried(
    debtcore: AsyncDebtCore, debtcore_sandbox: DebtCoreSandbox
) -> None:
    applicant = debtcore_sandbox.applicant()
    debtcore_sandbox.fail_operation("pullCreditReport", lost_response=True)
    with pytest.raises(Exception) as raised:
        await debtcore.credit.pull_credit_report(input=applicant.pull_input())
    assert raised.type.__name__ in {"InternalServerError", "APIStatusError"}
    assert debtcore_sandbox.mutation_executions() == {"pullCreditReport": 1}
    assert debtcore_sandbox.state.executions.repeated_mutations() == {}


async def test_operation_latency(
    debtcore: AsyncDebtCore, debtcore_sandbox: DebtCoreSandbox
) -> None:
    debtcore_sandbox.fail_operation("creditors", latency=0.3)
    started = time.monotonic()
    await debtcore.credit.creditors()
    assert time.monotonic() - started >= 0.3
    assert debtcore_sandbox.executions()["creditors"] == 1


async def test_requests_are_logged_with_applicant_fields_redacted(
    debtcore: AsyncDebtCore, debtcore_sandbox: DebtCoreSandbox
) -> None:
    applicant = debtcore_sandbox.applicant()
    await debtcore.credit.pull_credit_report(input=applicant.pull_input())
    (request,) = debtcore_sandbox.requests
    assert request.service == "credit" and request.fields == ("pullCreditReport",)
    sent = request.variables["input"]
    assert sent["reqOrgContactId"] == applicant.contact_id and sent["state"] == "TX"
    for field in ("firstName", "lastName", "ssn", "dob", "addressLine1"):
        assert sent[field] == "[redacted]"
    text = repr(debtcore_sandbox.requests) + repr(applicant) + repr(debtcore_sandbox)
    for secret in (applicant.ssn, applicant.last_name, applicant.dob):
        assert secret not in text
    assert debtcore_sandbox.operations() == ["pullCreditReport"]


async def test_ids_and_clock_are_deterministic() -> None:
    start = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    ids: list[tuple[str, str]] = []
    for _ in range(2):
        async with DebtCoreSandbox(clock=start) as sandbox:
            debtcore = sandbox.client()
            applicant = sandbox.applicant()
            report = await debtcore.credit.pull_credit_report(input=applicant.pull_input())
            ids.append((applicant.contact_id, report.credit_report_id or ""))
            query = GetCreditReportInput(credit_report_id=report.credit_report_id or "")
            fetched = unwrap(await debtcore.credit.with_payload.credit_report(input=query))
            assert str(fetched.created_at).startswith("2026-01-05")
            sandbox.clock.advance(days=40)
            assert sandbox.clock() == datetime(2026, 2, 14, 9, 30, tzinfo=UTC)
    assert ids[0] == ids[1]


def test_clock_follows_the_wall_clock_unless_frozen() -> None:
    clock = SandboxClock()
    assert abs((clock() - datetime.now(UTC)).total_seconds()) < 5
    assert (clock.advance(hours=2) - datetime.now(UTC)).total_seconds() > 7000


async def test_usable_without_pytest_fixtures_and_bad_options_are_configuration_errors() -> None:
    from alleviate_debtcore import ConfigurationError

    with DebtCoreSandbox() as sandbox:
        with pytest.raises(ConfigurationError):
            sandbox.fail_enrollment_step("notAStep")
        with pytest.raises(ConfigurationError):
            sandbox.fail_operation("creditors", status=500, lost_response=True)
        creditors = unwrap(await sandbox.client().credit.with_payload.creditors())
        assert creditors.total_count == 0  # no docs fixtures unless asked for
