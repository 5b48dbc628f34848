"""The full enrollment flow, step by step: what ``debtcore demo`` runs.

Pull a credit report, check eligibility, price offers, store the chosen plan on the review, save
the offer, create the enrollment and poll it to the end (reference: the docs' full-enrollment
guide and the TypeScript SDK's smoke test). The applicant is the docs' sandbox sample; nothing
about the applicant is printed beyond counts and amounts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .._client import AsyncDebtCore
from .._graphql_response import unwrap
from ..credit import CREDIT_REPORT_PULL_SOURCE, PullCreditReportInput
from ..enrollment import enrollment_steps
from ..offers import plan_input

__all__ = ["FlowResult", "plan_input", "run_enrollment_flow"]  # plan_input: see .offers

# The full-enrollment guide's sandbox applicant (reference.md §11).
SAMPLE_APPLICANT = PullCreditReportInput.model_validate(
    {
        "credit_report_source": CREDIT_REPORT_PULL_SOURCE.ARRAY_EQUIFAX,
        "req_org_contact_id": "demo-contact-0001",
        "first_name": "THOMAS",
        "last_name": "DEVOS",
        "ssn": "666023511",
        "dob": "1957-09-06",
        "address_line1": "BEAR CREEK RD APT 110",
        "city": "TUSCALOOSA",
        "state": "AL",
        "zip": "35405",
    }
)
STATE = "AL"


@dataclass(frozen=True, slots=True)
class FlowResult:
    credit_report_id: str
    review_id: str
    revision: int
    offer_id: str
    enrollment_id: str
    steps: dict[str, str]


async def run_enrollment_flow(
    debtcore: AsyncDebtCore,
    say: Callable[[str], None] = print,
    *,
    poll_interval: float = 0.2,
    timeout: float = 30.0,
) -> FlowResult:
    """Run every step; ``say`` receives one line per completed step."""
    # 1. Credit report.
    pulled = await debtcore.credit.pull_credit_report(input=SAMPLE_APPLICANT)
    report_id = pulled.credit_report_id
    debts = pulled.debts or []
    say(f"1. credit report {report_id}: {len(debts)} debts, status {pulled.report_status}")

    # 2. Eligibility review (V2, first-pass rules). Per-debt findings (ineligible or conditional
    # debts) come in the payload's `errors` beside the review: read them through with_payload.
    review = await debtcore.underwriting.with_payload.check_applicant_eligibility_v2(
        application_type="SINGLE",
        primary_report_id=report_id,
        applicant_contact_info={"applicant_state": STATE},
        flow_type="OPENER",
    )
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
    plans = await debtcore.offers.offers(
        uw_result_id=checked.id,
        revision=checked.revision,
        first_payment_date=first_payment,
        frequency="M",
    )
    plan = next(p for p in plans if p is not None)
    payments = [p for p in plan.payments or [] if p is not None]
    say(
        f"3. {len(plans)} offer(s); chose plan {plan.enrollment_plan_id}: {plan.payment_term} "
        f"months, {len(payments)} payments of ${Decimal(payments[0].total_payment or '0'):,.2f}"
    )

    # 4. Store the chosen plan on the review; saveOffer reads it from there.
    updated = await debtcore.underwriting.update_applicant_eligibility_v2(
        application_type="SINGLE",
        id=checked.id,
        revision=checked.revision,
        updated_by="demo-agent",
        applicant_contact_info={"applicant_state": STATE},
        plan=plan_input(plan),
    )
    say(f"4. plan stored on the review: revision {checked.revision} -> {updated.revision}")

    # 5. Save the offer.
    offer = await debtcore.offers.save_offer(uw_result_id=updated.id, revision=updated.revision)
    say(f"5. offer saved: {offer.id}")

    # 6. Enrollment.
    enrollment = await debtcore.enrollment.create_enrollment(
        og_id=offer.id, lead_id="demo-lead-0001", contact_info={"job_classification": "W_2"}
    )
    say(f"6. enrollment created: {enrollment.enrollment_id}")

    # 7. Wait until no step is pending or running.
    status = await debtcore.enrollment.wait_for_enrollment(
        enrollment.enrollment_id,
        timeout=timeout,
        poll_interval=poll_interval or 0.001,
        max_poll_interval=max(poll_interval, 0.001),
    )
    steps = {name: str(value) for name, value in enrollment_steps(status).items()}
    say("7. enrollment finished:")
    for name, value in steps.items():
        say(f"     {name:<24} {value}")
    return FlowResult(
        report_id, updated.id, updated.revision, offer.id, enrollment.enrollment_id, steps
    )
