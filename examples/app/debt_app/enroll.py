"""Enroll one applicant: report, eligibility, the first offer, enrollment; say how it ended."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from alleviate_debtcore import AsyncDebtCore
from alleviate_debtcore.credit import PullCreditReportInput
from alleviate_debtcore.enrollment import EnrollmentStatus
from alleviate_debtcore.offers import OffersMutationOffersData
from alleviate_debtcore.underwriting import PlanInputV2

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
    report = await debtcore.credit.pull_credit_report(input=applicant)
    if report.report_status != "COMPLETED":
        return Outcome("REPORT_NOT_READY")

    state = applicant.state or ""
    # Per-debt findings come beside the data; the method returns the data.
    review = await debtcore.underwriting.check_applicant_eligibility_v2(
        application_type="SINGLE",
        primary_report_id=report.credit_report_id or "",
        applicant_contact_info={"applicant_state": state},
        flow_type="OPENER",
    )
    summary = review.application_eligibility_review
    eligible = float(summary.total_eligible_debt or 0) if summary else 0.0
    if not summary or not summary.application_passable:
        return Outcome("DECLINED", eligible)

    first_payment = (date.today() + timedelta(days=7)).isoformat()
    offers = await debtcore.offers.offers(
        uw_result_id=review.id, revision=review.revision, first_payment_date=first_payment
    )
    offer = next(o for o in offers if o is not None)
    updated = await debtcore.underwriting.update_applicant_eligibility_v2(
        application_type="SINGLE",
        id=review.id,
        revision=review.revision,
        updated_by="debt-app",
        applicant_contact_info={"applicant_state": state},
        plan=_plan(offer),
    )
    saved = await debtcore.offers.save_offer(uw_result_id=updated.id, revision=updated.revision)
    created = await debtcore.enrollment.create_enrollment(
        og_id=saved.id, lead_id=lead_id, contact_info={"job_classification": "W_2"}
    )
    enrollment_id = created.enrollment_id
    steps: dict[str, str] = {}
    for _ in range(max_polls):
        payload = await debtcore.enrollment.with_payload.enrollment_status(enrollment_id)
        if payload.data is None:
            break
        statuses = payload.data.model_dump(exclude={"contact_id"})
        steps = {name: str(value) for name, value in statuses.items()}
        if not any(value in _RUNNING for value in statuses.values()):
            break
    failed = "FAILED" in steps.values()
    return Outcome("ENROLLMENT_FAILED" if failed else "ENROLLED", eligible, enrollment_id, steps)
