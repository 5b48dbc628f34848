"""The business flow end to end with raw GraphQL: single and joint applications, revisions."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.support.sandbox_api import (
    CHECK_V2,
    CREATE_ENROLLMENT,
    ENROLLMENT_STATUS,
    GET_OFFER,
    OFFERS,
    PULL,
    SAVE_OFFER,
    STEPS,
    THOMAS_DEVOS,
    UPDATE_V2,
    Api,
    messages,
    payment_date,
    plan_from_offer,
)

from alleviate_debtcore.sandbox import create_app


async def _pull(api: Api, **overrides: str) -> dict[str, Any]:
    return await api.ok("credit", PULL, {"input": {**THOMAS_DEVOS, **overrides}})


async def _check_single(api: Api, report_id: str, flow: str = "OPENER") -> dict[str, Any]:
    payload = await api.call(
        "underwriting",
        CHECK_V2,
        {
            "type": "SINGLE",
            "flow": flow,
            "input": {
                "primaryReportId": report_id,
                "applicantContactInfo": {"applicantState": "AL", "firstName": "THOMAS"},
            },
        },
    )
    assert payload["data"] is not None, payload["errors"]
    return payload


def _update(review: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "type": "SINGLE",
        "flow": "OPENER",
        "fields": {
            "id": review["id"],
            "revision": review["revision"],
            "updatedBy": "agent-7",
            "applicantContactInfo": {"applicantState": "AL"},
            **fields,
        },
    }


async def _poll_to_completion(api: Api, enrollment_id: str) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    for _ in range(12):
        status = await api.ok("enrollment", ENROLLMENT_STATUS, {"id": enrollment_id})
        seen.append(status)
        if not {status[step] for step in STEPS} & {"PENDING", "IN_PROGRESS"}:
            return seen
    pytest.fail(f"enrollment still running after 12 polls: {seen[-1]}")


async def test_single_applicant_flow_from_pull_to_completed_enrollment(api: Api) -> None:
    report = await _pull(api)
    assert report["reportStatus"] == "COMPLETED"
    assert report["applicantResidenceState"] == "AL"

    check = await _check_single(api, report["creditReportId"])
    review = check["data"]
    application = review["applicationEligibilityReview"]
    assert review["revision"] == 1
    assert application["applicantPrequalified"] is True
    assert application["applicationPassable"] is True
    debts = review["applicantEligibilityReview"]["debts"]
    eligible = sum(
        Decimal(str(d["currentBalance"]))
        for d in debts
        if d["isSelected"] and d["eligibilityStatus"] == "ELIGIBLE"
    )
    assert Decimal(str(application["totalEligibleDebt"])) == eligible >= Decimal(7500)
    mortgage_or_auto = [
        d for d in debts if d["accountType"] in {"MORTGAGE_DEBT", "AUTO_LOAN", "STUDENT_LOAN"}
    ]
    assert mortgage_or_auto and all(
        d["eligibilityStatus"] == "INELIGIBLE" for d in mortgage_or_auto
    )
    assert {e["debtId"] for e in check["errors"] or []} == {
        d["id"] for d in debts if d["eligibilityStatus"] != "ELIGIBLE"
    }

    first = payment_date(10)
    plans = await api.ok(
        "offers",
        OFFERS,
        {
            "input": {
                "uwResultId": review["id"],
                "revision": review["revision"],
                "firstPaymentDate": first,
                "frequency": "M",
                "programTerm": 36,
            }
        },
    )
    assert [plan["paymentTerm"] for plan in plans] == ["24", "36"]
    chosen = plans[-1]
    assert chosen["firstPaymentDate"] == first
    assert Decimal(chosen["enrolledDebt"]) == eligible.quantize(Decimal("0.01"))
    assert len(chosen["payments"]) == 36
    total = sum(Decimal(p["totalPayment"]) for p in chosen["payments"])
    assert total == Decimal(chosen["totals"]["totalPayment"])
    assert Decimal(chosen["totals"]["fee1"]) == chosen["serviceFee"]

    updated = await api.call(
        "underwriting",
        UPDATE_V2,
        _update(
            review,
            plan=plan_from_offer(chosen),
            applicantContactInfo={
                "applicantState": "AL",
                "routingNumber": "021000021",
                "bankAccountNumber": "123456789",
                "bankAccountHolderName": "THOMAS DEVOS",
            },
        ),
    )
    revised = updated["data"]
    assert revised["revision"] == 2
    stored_plan = revised["applicantEligibilityReview"]["applicantInfo"]["plan"]
    assert stored_plan["firstPaymentDate"] == first.replace("/", "-")
    assert stored_plan["planId"] == chosen["enrollmentPlanId"]

    saved = await api.ok(
        "offers", SAVE_OFFER, {"input": {"uwResultId": review["id"], "revision": 2}}
    )
    assert saved["uwResultId"] == review["id"] and saved["uwResultRevision"] == 2
    assert saved["payments"] == chosen["payments"]
    again = await api.ok(
        "offers", SAVE_OFFER, {"input": {"uwResultId": review["id"], "revision": 2}}
    )
    assert again["id"] == saved["id"]  # one offer per revision

    fetched = await api.ok("offers", GET_OFFER, {"ogId": saved["id"]})
    assert fetched == saved

    enrollment = await api.ok(
        "enrollment",
        CREATE_ENROLLMENT,
        {
            "input": {
                "ogId": saved["id"],
                "leadId": "lead-devos",
                "contactInfo": {"jobClassification": "FIXED_INCOME", "notes": [{"content": "hi"}]},
            }
        },
    )
    polls = await _poll_to_completion(api, enrollment["enrollmentId"])
    assert polls[0]["qaCall"] == "IN_PROGRESS"
    assert polls[0]["contactId"] is None
    assert all(polls[0][step] in ("PENDING", "SKIPPED") for step in STEPS[1:])
    final = polls[-1]
    assert {final[step] for step in STEPS} <= {"COMPLETED", "SKIPPED"}
    assert final["createDocuments"] == "SKIPPED"  # no documents were sent
    assert final["createNotes"] == final["createBankAccount"] == "COMPLETED"
    assert final["contactId"]
    assert len(polls) == 1 + sum(final[step] == "COMPLETED" for step in STEPS)


async def test_joint_flow_merges_the_shared_account_into_the_joint_section(api: Api) -> None:
    couple = {"addressLine1": "9 ELM ST", "city": "AUSTIN", "state": "TX", "zip": "73301"}
    primary = await _pull(api, firstName="ANA", lastName="REYES", ssn="123450001", **couple)
    secondary = await _pull(api, firstName="LUIS", lastName="REYES", ssn="123450002", **couple)

    check = await api.call(
        "underwriting",
        CHECK_V2,
        {
            "type": "JOINT",
            "flow": "OPENER",
            "input": {
                "primaryReportId": primary["creditReportId"],
                "secondaryReportId": secondary["creditReportId"],
                "applicantContactInfo": {"applicantState": "TX"},
                "coApplicantContactInfo": {"applicantState": "TX"},
            },
        },
    )
    review = check["data"]
    joint = review["jointEligibilityReview"]
    applicant = review["applicantEligibilityReview"]
    co_applicant = review["coApplicantEligibilityReview"]
    assert joint["id"] == review["id"]
    assert joint["primaryApplicantEligibilityReview"] == {"id": applicant["id"], "revision": 1}
    assert joint["coApplicantEligibilityReview"] == {"id": co_applicant["id"], "revision": 1}
    assert applicant["creditReportId"] == primary["creditReportId"]
    assert co_applicant["creditReportId"] == secondary["creditReportId"]
    (shared,) = joint["debts"]
    assert shared["applicantId"] == applicant["id"]
    assert shared["coApplicantId"] == co_applicant["id"]
    # every tradeline of both reports lands in exactly one section
    section_ids = [d["id"] for s in (applicant, co_applicant, joint) for d in s["debts"]]
    assert (
        len(section_ids)
        == len(set(section_ids))
        == len(primary["debts"]) + len(secondary["debts"]) - 1
    )
    eligible = sum(
        Decimal(str(d["currentBalance"]))
        for s in (applicant, co_applicant, joint)
        for d in s["debts"]
        if d["eligibilityStatus"] == "ELIGIBLE" and (d["isSelected"] or d["coApplicantIsSelected"])
    )
    assert Decimal(str(review["applicationEligibilityReview"]["totalEligibleDebt"])) == eligible

    # a debt ID may sit in one section only
    clash = await api.call(
        "underwriting",
        UPDATE_V2,
        {
            "type": "JOINT",
            "fields": {
                "id": review["id"],
                "revision": 1,
                "updatedBy": "agent-7",
                "applicantContactInfo": {"applicantState": "TX"},
                "applicantEligibilityReview": {"debts": [{"id": shared["id"]}]},
                "jointEligibilityReview": {"debts": [{"id": shared["id"], "isSelected": False}]},
            },
        },
    )
    assert clash["data"] is None
    assert messages(clash)[0].startswith("VALIDATION_ERROR: debt")

    plans = await api.ok(
        "offers",
        OFFERS,
        {"input": {"uwResultId": review["id"], "firstPaymentDate": payment_date(5, "-")}},
    )
    chosen = plans[-1]
    assert chosen["paymentTerm"] == str(review["maxTerm"])
    revised = await api.call(
        "underwriting",
        UPDATE_V2,
        {
            "type": "JOINT",
            "fields": {
                "id": review["id"],
                "revision": 1,
                "updatedBy": "agent-7",
                "applicantContactInfo": {"applicantState": "TX"},
                "plan": plan_from_offer(chosen),
            },
        },
    )
    assert revised["data"]["revision"] == 2
    assert revised["data"]["jointEligibilityReview"]["revision"] == 2
    saved = await api.ok(
        "offers", SAVE_OFFER, {"input": {"uwResultId": review["id"], "revision": 2}}
    )
    assert saved["enrolledDebt"] == chosen["enrolledDebt"]
    enrollment = await api.ok(
        "enrollment",
        CREATE_ENROLLMENT,
        {
            "input": {
                "ogId": saved["id"],
                "leadId": "lead-reyes",
                "contactInfo": {"jobClassification": "W_2"},
            }
        },
    )
    final = (await _poll_to_completion(api, enrollment["enrollmentId"]))[-1]
    assert final["createBankAccount"] == "SKIPPED"  # no bank details on the review


async def test_stale_revision_is_a_payload_error(api: Api) -> None:
    report = await _pull(api)
    review = (await _check_single(api, report["creditReportId"]))["data"]

    first = await api.call("underwriting", UPDATE_V2, _update(review))
    assert first["data"]["revision"] == 2

    stale = await api.call("underwriting", UPDATE_V2, _update(review))  # still says revision 1
    assert stale["data"] is None
    (message,) = messages(stale)
    assert message.startswith("STALE_REVISION: revision 1 is not the latest revision (2)")

    future = await api.call("underwriting", UPDATE_V2, _update({**review, "revision": 9}))
    assert messages(future)[0].startswith("NOT_FOUND")

    current = await api.call("underwriting", UPDATE_V2, _update({**review, "revision": 2}))
    assert current["data"]["revision"] == 3


async def test_debt_edit_rules(api: Api) -> None:
    report = await _pull(api)
    review = (await _check_single(api, report["creditReportId"]))["data"]
    debts = review["applicantEligibilityReview"]["debts"]
    card = next(
        d
        for d in debts
        if d["accountType"] == "CREDIT_CARD" and d["eligibilityStatus"] == "ELIGIBLE"
    )

    manual = {
        "creditorName": "DR SMITH DENTAL",
        "accountType": "MEDICAL_BILL",
        "currentBalance": 1200.0,
    }
    added = await api.call(
        "underwriting",
        UPDATE_V2,
        _update(
            review,
            applicantEligibilityReview={
                "debts": [manual, {"id": card["id"], "currentBalance": 300.0}]
            },
        ),
    )
    after = {d["id"]: d for d in added["data"]["applicantEligibilityReview"]["debts"]}
    assert set(after) > {d["id"] for d in debts}  # report debts all kept
    (new,) = [d for d in after.values() if d["source"] == "MANUAL"]
    assert new["eligibilityStatus"] == "CONDITIONAL"  # no proof of liability
    edited = after[card["id"]]
    assert edited["currentBalance"] == 300.0
    assert edited["eligibilityStatus"] == "INELIGIBLE"  # now under 500.00
    assert edited["isOverridden"] is True
    assert edited["history"] == [
        {"currentBalance": card["currentBalance"], "updatedBy": "agent-7", "fromRevision": 1}
    ]

    # leaving the manual debt out of the section's list removes it; report debts stay
    dropped = await api.call(
        "underwriting",
        UPDATE_V2,
        _update(added["data"], applicantEligibilityReview={"debts": []}),
    )
    remaining = {d["id"] for d in dropped["data"]["applicantEligibilityReview"]["debts"]}
    assert new["id"] not in remaining
    assert remaining == {d["id"] for d in debts}

    # an update that does not send the section keeps its manual debts
    readded = await api.call(
        "underwriting",
        UPDATE_V2,
        _update(dropped["data"], applicantEligibilityReview={"debts": [manual]}),
    )
    plan_only = await api.call("underwriting", UPDATE_V2, _update(readded["data"]))
    assert any(
        d["source"] == "MANUAL" for d in plan_only["data"]["applicantEligibilityReview"]["debts"]
    )

    unknown = await api.call(
        "underwriting",
        UPDATE_V2,
        _update(plan_only["data"], applicantEligibilityReview={"debts": [{"id": "nope"}]}),
    )
    assert messages(unknown)[0].startswith("NOT_FOUND: debt nope")


async def test_application_rules_decide_prequalified_and_passable(api: Api) -> None:
    report = await _pull(api)
    full = await _check_single(api, report["creditReportId"], flow="FULL_REVIEW")
    application = full["data"]["applicationEligibilityReview"]
    assert application["applicantPrequalified"] is False  # no bank details, plan or agent yet
    assert application["applicationPassable"] is True
    assert any(m.startswith("UPDATE_NEEDED") for m in messages(full))

    unserviced = await api.call(
        "underwriting",
        CHECK_V2,
        {
            "type": "SINGLE",
            "flow": "OPENER",
            "input": {
                "primaryReportId": report["creditReportId"],
                "applicantContactInfo": {"applicantState": "VT", "eligibilityReqMilitary": "YES"},
            },
        },
    )
    application = unserviced["data"]["applicationEligibilityReview"]
    assert application["applicationPassable"] is False
    found = messages(unserviced)
    assert any(m.startswith("STATE_NOT_SERVICED") for m in found)
    assert any(m.startswith("ELIGIBILITY_REQUIREMENT_NOT_MET") for m in found)

    legacy = await api.call(
        "underwriting",
        CHECK_V2,
        {
            "type": "SINGLE",
            "input": {
                "primaryReportId": report["creditReportId"],
                "applicantContactInfo": {"applicantState": "AL"},
            },
        },
    )
    assert legacy["data"]["applicationEligibilityReview"]["applicationPassable"] is None

    blocked = await api.call(
        "offers",
        OFFERS,
        {"input": {"uwResultId": unserviced["data"]["id"], "firstPaymentDate": payment_date(3)}},
    )
    assert blocked["data"] is None
    assert messages(blocked)[0].startswith("UNDERWRITING_NOT_PASSED")


async def test_no_hit_applicant_is_below_the_minimum(api: Api) -> None:
    report = await _pull(api, lastName="NOHIT")
    assert report["debts"] == []
    check = await _check_single(api, report["creditReportId"])
    assert check["data"]["applicationEligibilityReview"]["applicationPassable"] is False
    assert messages(check) == ["TOTAL_DEBT_BELOW_MINIMUM: selected eligible debt is under 7,500.00"]


@pytest.mark.parametrize(
    ("first_payment", "date_error"),
    [
        ("2026/03/11", False),
        ("2026-03-11", False),
        ("2026-03-01", False),  # today
        ("2026/04/15", False),  # 45 days ahead
        ("2026/02/28", True),  # yesterday
        ("2026/04/16", True),  # 46 days ahead
    ],
)
async def test_offers_flag_first_payment_dates_outside_the_window(
    first_payment: str, date_error: bool
) -> None:
    pinned = create_app(clock=lambda: datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    transport = httpx.ASGITransport(app=pinned)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as client:
        payload = await Api(client).call(
            "offers",
            OFFERS,
            {
                "input": {
                    "uwResultId": "uw-xyz789",
                    "revision": 2,
                    "firstPaymentDate": first_payment,
                    "frequency": "SM",
                    "depositIntervals": "1,15",
                    "includeSentryFee": False,
                }
            },
        )
    plans = payload["data"]
    assert [plan["paymentTerm"] for plan in plans] == ["24", "36", "48", "60"]
    assert all(plan["enrolledDebt"] == "13500.00" for plan in plans)
    assert all(plan["totals"]["fee2"] == "0.00" for plan in plans)
    assert len(plans[0]["payments"]) == 48  # semi-monthly: two drafts a month
    assert plans[0]["frequencyInterval"] == "1,15"
    assert plans[0]["firstPaymentDate"] == first_payment.replace("-", "/")
    if date_error:
        assert messages(payload)[0] == "INVALID_FIRST_PAYMENT_DATE"
    else:
        assert payload["errors"] is None


async def test_offers_and_save_offer_errors(api: Api) -> None:
    unknown = await api.call(
        "offers", OFFERS, {"input": {"uwResultId": "uw-nope", "firstPaymentDate": payment_date(3)}}
    )
    assert unknown["data"] is None and messages(unknown)[0].startswith("NOT_FOUND")
    no_revision = await api.call(
        "offers",
        OFFERS,
        {"input": {"uwResultId": "uw-xyz789", "revision": 7, "firstPaymentDate": payment_date(3)}},
    )
    assert messages(no_revision)[0].startswith("NOT_FOUND: review uw-xyz789 has no revision 7")
    garbled = await api.call(
        "offers", OFFERS, {"input": {"uwResultId": "uw-xyz789", "firstPaymentDate": "next tuesday"}}
    )
    assert garbled["data"] is None and messages(garbled)[0].startswith("INVALID_FIRST_PAYMENT_DATE")

    report = await _pull(api)
    review = (await _check_single(api, report["creditReportId"]))["data"]
    no_plan = await api.call("offers", SAVE_OFFER, {"input": {"uwResultId": review["id"]}})
    assert no_plan["data"] is None and messages(no_plan)[0].startswith("PLAN_REQUIRED")
    missing = await api.call("offers", GET_OFFER, {"ogId": "og-nope"})
    assert missing["data"] is None and messages(missing) == [
        "NOT_FOUND: no saved offer with ogId og-nope"
    ]


async def test_enrollment_needs_a_saved_offer_and_can_fail_a_step(api: Api) -> None:
    unknown = await api.call(
        "enrollment",
        CREATE_ENROLLMENT,
        {"input": {"ogId": "og-nope", "leadId": "l", "contactInfo": {"jobClassification": "W_2"}}},
    )
    assert unknown["data"] is None and messages(unknown)[0].startswith("NOT_FOUND")

    created = await api.ok(
        "enrollment",
        CREATE_ENROLLMENT,
        {
            "input": {
                "ogId": "og-offer-123456",
                "leadId": "lead-x-fail-bank",
                "contactInfo": {"jobClassification": "W_2"},
            }
        },
    )
    # the docs fixture already enrolled og-offer-123456: asking again returns that enrollment
    assert created["enrollmentId"] == "enroll-abc123xyz"

    second = await api.ok(
        "enrollment",
        CREATE_ENROLLMENT,
        {
            "input": {
                "ogId": "0195e1d8-7f3a-7000-8000-000000000001",
                "leadId": "lead-x-fail-bank",
                "contactInfo": {"jobClassification": "W_2"},
            }
        },
    )
    for _ in range(10):
        payload = await api.call("enrollment", ENROLLMENT_STATUS, {"id": second["enrollmentId"]})
        if payload["errors"]:
            break
    status = payload["data"]
    assert status["createBankAccount"] == "FAILED"
    assert status["createDocuments"] == "SKIPPED"
    assert messages(payload) == ["STEP_FAILED: createBankAccount failed in the CRM"]
