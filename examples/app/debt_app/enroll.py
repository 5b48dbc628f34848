"""Enroll one applicant: report, eligibility, the first offer, enrollment; say how it ended."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from alleviate_debtcore import AsyncDebtCore, unwrap
from alleviate_debtcore.credit import PullCreditReportInput
from alleviate_debtcore.enrollment import (
    ContactInfoInput,
    CreateEnrollmentInput,
    EnrollmentStatus,
    JobClassification,
)
from alleviate_debtcore.offers import CreateOfferInput, OffersInput, OffersMutationOffersData
from alleviate_debtcore.underwriting import (
    ApplicantContactInfoInputV2,
    ApplicantContactInfoUpdateInputV2,
    ApplicationTypeInput,
    FlowType,
    PlanInputV2,
    UwResultCheckInputV2,
    UwResultUpdateInputV2,
)

_RUNNING = (EnrollmentStatus.PENDING, EnrollmentStatus.IN_PROGRESS)


@dataclass
class Outcome:
    """How an application ended: ENROLLED, DECLINED, REPORT_NOT_READY or ENROLLMENT_FAILED."""

    status: str
    eligible_debt: float = 0.0
    enrollment_id: str | None = None
    steps: dict[str, str] = field(default_factory=dict[str, str])


def _plan(offer: OffersMutationOffersData) -> PlanInputV2:
    payments = [p for p in offer.payments or [] if p is not None]
    return PlanInputV2(
        frequency=offer.frequency,
        first_payment_date=payments[0].payment_date if payments else None,
        program_term=int(offer.payment_term) if offer.payment_term else None,
        plan_id=offer.enrollment_plan_id,
        deposit_intervals=offer.frequency_interval,
    )


async def enroll(
    debtcore: AsyncDebtCore, applicant: PullCreditReportInput, *, lead_id: str, max_polls: int = 20
) -> Outcome:
    """Run the application; business outcomes are returned, API failures raise."""
    report = unwrap((await debtcore.credit.pull_credit_report(input=applicant)).pull_credit_report)
    if report.report_status != "COMPLETED":
        return Outcome("REPORT_NOT_READY")

    state = applicant.state or ""
    checked = (
        await debtcore.underwriting.check_applicant_eligibility_v2(
            application_type=ApplicationTypeInput.SINGLE,
            input=UwResultCheckInputV2(
                primary_report_id=report.credit_report_id or "",
                applicant_contact_info=ApplicantContactInfoInputV2(applicant_state=state),
            ),
            flow_type=FlowType.OPENER,
        )
    ).check_applicant_eligibility_v2
    review = unwrap(checked, partial=True)  # per-debt findings come beside the data
    summary = review.application_eligibility_review
    eligible = float(summary.total_eligible_debt or 0) if summary else 0.0
    if not summary or not summary.application_passable:
        return Outcome("DECLINED", eligible)

    first_payment = (date.today() + timedelta(days=7)).isoformat()
    offers = unwrap(
        (
            await debtcore.offers.offers(
                input=OffersInput(
                    uw_result_id=review.id,
                    revision=review.revision,
                    first_payment_date=first_payment,
                )
            )
        ).offers
    )
    offer = next(o for o in offers if o is not None)
    updated = unwrap(
        (
            await debtcore.underwriting.update_applicant_eligibility_v2(
                application_type=ApplicationTypeInput.SINGLE,
                updated_uw_fields=UwResultUpdateInputV2(
                    id=review.id,
                    revision=review.revision,
                    updated_by="debt-app",
                    applicant_contact_info=ApplicantContactInfoUpdateInputV2(applicant_state=state),
                    plan=_plan(offer),
                ),
            )
        ).update_applicant_eligibility_v2,
        partial=True,
    )
    saved = unwrap(
        (
            await debtcore.offers.save_offer(
                input=CreateOfferInput(uw_result_id=updated.id, revision=updated.revision)
            )
        ).save_offer
    )
    created = unwrap(
        (
            await debtcore.enrollment.create_enrollment(
                input=CreateEnrollmentInput(
                    og_id=saved.id,
                    lead_id=lead_id,
                    contact_info=ContactInfoInput(job_classification=JobClassification.W_2),
                )
            )
        ).create_enrollment
    )
    enrollment_id = created.enrollment_id
    steps: dict[str, str] = {}
    for _ in range(max_polls):
        payload = (
            await debtcore.enrollment.enrollment_status(enrollment_id=enrollment_id)
        ).enrollment_status
        if payload.data is None:
            break
        statuses = payload.data.model_dump(exclude={"contact_id"})
        steps = {name: str(value) for name, value in statuses.items()}
        if not any(value in _RUNNING for value in statuses.values()):
            break
    failed = "FAILED" in steps.values()
    return Outcome("ENROLLMENT_FAILED" if failed else "ENROLLED", eligible, enrollment_id, steps)
