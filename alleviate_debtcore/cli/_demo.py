"""The full enrollment flow, step by step: what ``debtcore demo`` runs.

Pull a credit report, check eligibility, price offers, store the chosen plan on the review, save
the offer, create the enrollment and poll it to the end (reference: the docs' full-enrollment
guide and the TypeScript SDK's smoke test). The applicant is the docs' sandbox sample; nothing
about the applicant is printed beyond counts and amounts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .._client import AsyncDebtCore
from .._payload import unwrap
from ..credit import CREDIT_REPORT_PULL_SOURCE, PullCreditReportInput
from ..enrollment import (
    ContactInfoInput,
    CreateEnrollmentInput,
    EnrollmentStatus,
    JobClassification,
)
from ..offers import CreateOfferInput, OffersInput, OffersMutationOffersData
from ..underwriting import (
    ApplicantContactInfoInputV2,
    ApplicantContactInfoUpdateInputV2,
    ApplicationTypeInput,
    FlowType,
    PlanInputV2,
    UwResultCheckInputV2,
    UwResultUpdateInputV2,
)

__all__ = ["FlowResult", "plan_input", "run_enrollment_flow"]

# The full-enrollment guide's sandbox applicant (reference.md §11).
SAMPLE_APPLICANT = PullCreditReportInput(
    credit_report_source=CREDIT_REPORT_PULL_SOURCE.ARRAY_EQUIFAX,
    req_org_contact_id="demo-contact-0001",
    first_name="THOMAS",
    last_name="DEVOS",
    ssn="666023511",
    dob="1957-09-06",
    address_line1="BEAR CREEK RD APT 110",
    city="TUSCALOOSA",
    state="AL",
    zip="35405",
)
STATE = "AL"
_RUNNING = {EnrollmentStatus.PENDING, EnrollmentStatus.IN_PROGRESS}


@dataclass(frozen=True, slots=True)
class FlowResult:
    credit_report_id: str
    review_id: str
    revision: int
    offer_id: str
    enrollment_id: str
    steps: dict[str, str]


def plan_input(offer: OffersMutationOffersData) -> PlanInputV2:
    """The review's ``plan`` for a calculated offer, mapped as the TypeScript SDK's smoke test
    does: saveOffer reads the plan from the review, not from its own input."""
    payments = [p for p in offer.payments or [] if p is not None]

    def amount(index: int) -> float | None:
        if len(payments) <= index or payments[index].total_payment is None:
            return None
        return float(Decimal(payments[index].total_payment or "0"))

    return PlanInputV2(
        frequency=offer.frequency,
        first_payment_amount=amount(0),
        second_payment_amount=amount(1),
        first_payment_date=payments[0].payment_date if payments else None,
        second_payment_date=payments[1].payment_date if len(payments) > 1 else None,
        program_term=int(offer.payment_term) if offer.payment_term else None,
        fee_percentage=float(offer.service_fee) if offer.service_fee is not None else None,
        plan_id=offer.enrollment_plan_id,
        deposit_intervals=offer.frequency_interval,
    )


async def run_enrollment_flow(
    debtcore: AsyncDebtCore,
    say: Callable[[str], None] = print,
    *,
    poll_interval: float = 0.2,
    max_polls: int = 50,
) -> FlowResult:
    """Run every step; ``say`` receives one line per completed step."""
    # 1. Credit report.
    pulled = unwrap(
        (await debtcore.credit.pull_credit_report(input=SAMPLE_APPLICANT)).pull_credit_report
    )
    report_id = pulled.credit_report_id
    debts = pulled.debts or []
    say(f"1. credit report {report_id}: {len(debts)} debts, status {pulled.report_status}")

    # 2. Eligibility review (V2, first-pass rules).
    review = (
        await debtcore.underwriting.check_applicant_eligibility_v2(
            application_type=ApplicationTypeInput.SINGLE,
            input=UwResultCheckInputV2(
                primary_report_id=report_id,
                applicant_contact_info=ApplicantContactInfoInputV2(applicant_state=STATE),
            ),
            flow_type=FlowType.OPENER,
        )
    ).check_applicant_eligibility_v2
    # Per-debt findings (ineligible or conditional debts) come in `errors` beside the review.
    checked = unwrap(review, partial=True)
    findings = [e for e in review.errors or [] if e is not None and e.debt_id]
    summary = checked.application_eligibility_review
    eligible = summary.total_eligible_debt if summary else None
    total = summary.total_debt if summary else None
    passable = summary.application_passable if summary else None
    say(
        f"2. eligibility review {checked.id} revision {checked.revision}: "
        f"eligible debt ${eligible or 0:,.2f} of ${total or 0:,.2f}, "
        f"{len(findings)} debt(s) set aside, passable: {passable}"
    )

    # 3. Offers: a pure calculator.
    first_payment = (date.today() + timedelta(days=7)).isoformat()
    plans = unwrap(
        (
            await debtcore.offers.offers(
                input=OffersInput(
                    uw_result_id=checked.id,
                    revision=checked.revision,
                    first_payment_date=first_payment,
                    frequency="M",
                )
            )
        ).offers
    )
    plan = next(p for p in plans if p is not None)
    payments = [p for p in plan.payments or [] if p is not None]
    say(
        f"3. {len(plans)} offer(s); chose plan {plan.enrollment_plan_id}: {plan.payment_term} "
        f"months, {len(payments)} payments of ${Decimal(payments[0].total_payment or '0'):,.2f}"
    )

    # 4. Store the chosen plan on the review; saveOffer reads it from there.
    updated = unwrap(
        (
            await debtcore.underwriting.update_applicant_eligibility_v2(
                application_type=ApplicationTypeInput.SINGLE,
                updated_uw_fields=UwResultUpdateInputV2(
                    id=checked.id,
                    revision=checked.revision,
                    updated_by="demo-agent",
                    applicant_contact_info=ApplicantContactInfoUpdateInputV2(applicant_state=STATE),
                    plan=plan_input(plan),
                ),
            )
        ).update_applicant_eligibility_v2,
        partial=True,
    )
    say(f"4. plan stored on the review: revision {checked.revision} -> {updated.revision}")

    # 5. Save the offer.
    offer = unwrap(
        (
            await debtcore.offers.save_offer(
                input=CreateOfferInput(uw_result_id=updated.id, revision=updated.revision)
            )
        ).save_offer
    )
    say(f"5. offer saved: {offer.id}")

    # 6. Enrollment.
    enrollment = unwrap(
        (
            await debtcore.enrollment.create_enrollment(
                input=CreateEnrollmentInput(
                    og_id=offer.id,
                    lead_id="demo-lead-0001",
                    contact_info=ContactInfoInput(job_classification=JobClassification.W_2),
                )
            )
        ).create_enrollment
    )
    say(f"6. enrollment created: {enrollment.enrollment_id}")

    # 7. Poll until no step is pending or running.
    steps: dict[str, str] = {}
    polls = 0
    while polls < max_polls:
        polls += 1
        status = unwrap(
            (
                await debtcore.enrollment.enrollment_status(enrollment_id=enrollment.enrollment_id)
            ).enrollment_status
        )
        steps = {
            name: str(value) for name, value in status.model_dump(exclude={"contact_id"}).items()
        }
        if not any(EnrollmentStatus(v) in _RUNNING for v in steps.values()):
            break
        await asyncio.sleep(poll_interval)
    else:
        raise TimeoutError(f"enrollment still running after {max_polls} polls")
    say(f"7. enrollment finished after {polls} status polls:")
    for name, value in steps.items():
        say(f"     {name:<24} {value}")
    return FlowResult(
        report_id, updated.id, updated.revision, offer.id, enrollment.enrollment_id, steps
    )
