"""The full enrollment flow: report, eligibility, offers, plan, saved offer, enrollment."""

import asyncio
from datetime import date, timedelta

from alleviate_debtcore import AsyncDebtCore
from alleviate_debtcore.offers import plan_input


async def main() -> None:
    async with AsyncDebtCore.from_env() as debtcore:
        report = await debtcore.credit.pull_credit_report(
            credit_report_source="ARRAY_EQUIFAX", req_org_contact_id="contact-1",
            first_name="THOMAS", last_name="DEVOS", ssn="666023511", dob="1957-09-06",
            address_line1="BEAR CREEK RD APT 110", city="TUSCALOOSA", state="AL", zip="35405",
        )  # fmt: skip
        review = await debtcore.underwriting.check_applicant_eligibility_v2(
            application_type="SINGLE", primary_report_id=report.credit_report_id,
            applicant_contact_info={"applicant_state": "AL"}, flow_type="OPENER",
        )  # fmt: skip
        first = (date.today() + timedelta(days=7)).isoformat()
        plans = await debtcore.offers.offers(uw_result_id=review.id, first_payment_date=first)
        # saveOffer reads the chosen plan from the review: store it there first.
        review = await debtcore.underwriting.update_applicant_eligibility_v2(
            application_type="SINGLE", id=review.id, revision=review.revision, updated_by="agent-1",
            applicant_contact_info={"applicant_state": "AL"}, plan=plan_input(plans[0]),
        )  # fmt: skip
        offer = await debtcore.offers.save_offer(uw_result_id=review.id, revision=review.revision)
        enrollment = await debtcore.enrollment.create_enrollment(
            og_id=offer.id, lead_id="lead-1", contact_info={"job_classification": "W_2"}
        )
        status = await debtcore.enrollment.wait_for_enrollment(enrollment.enrollment_id)
        print(f"enrollment {enrollment.enrollment_id}: {status.model_dump(exclude={'contact_id'})}")


asyncio.run(main())
