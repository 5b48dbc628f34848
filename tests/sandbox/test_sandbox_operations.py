"""The operations off the main path, listings, and what the sandbox logs."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.support.sandbox_api import CHECK_V2, PULL, THOMAS_DEVOS, Api, messages

JOINT_REPORT = """
mutation Joint($input: JointCreditReportInput!) {
  jointCreditReport(input: $input) {
    data { creditReportId jointDebts { id applicantId coApplicantId ecoaCode }
           normalizedPrimaryApplicantReport { id } normalizedCoApplicantReport { id } }
    errors { message }
  }
}"""

CREATE_VERIFICATION = """
mutation Verify($input: CreateUserVerificationInput!) {
  createUserVerification(input: $input) { data { id status verificationSource } errors { message } }
}"""

CHECK_DEBTS = """
mutation Debts($type: ApplicationTypeInput!, $input: UwResultCheckDebtsInput!) {
  checkDebtsEligibility(applicationType: $type, input: $input) {
    data { id isLatestRevision debts { id eligibilityStatus isSelected duplicateDebtsCheck
                                       minimumDebtValueCheck } }
    errors { debtId message }
  }
}"""

DEBTS_RESULTS = """
query Results($where: UwDebtsResultWhereInput) {
  debtsUwResults(where: $where) {
    data { totalCount edges { node { id isLatestRevision } errors { debtId message } } }
    errors { message }
  }
}"""

REVIEWS = """
query Reviews($where: UwResultWhereInput, $first: Int, $after: String) {
  eligibilityReviews(where: $where, first: $first, after: $after) {
    data { totalCount pageInfo { hasNextPage endCursor }
           edges { cursor node { id revision } errors { debtId message } } }
    errors { message }
  }
}"""

UW_CONFIG = """
query Config($org: String!, $uwOrg: String, $state: String) {
  uwConfig(reqOrgId: $org, uwOrgId: $uwOrg, state: $state) {
    data { uwOrgId revision debtFilterConfig rootFilterConfig } errors { message }
  }
}"""

ENROLLMENT_ELIGIBILITY = """
mutation Eligible($ssn: String!) {
  checkEnrollmentEligibility(ssn: $ssn) { data { eligibility reason } errors { message } }
}"""

ENROLLMENT_PLAN = """
query Plan($state: String!) {
  enrollmentPlan(input: {primaryApplicantState: $state}) {
    data { servicingCompany } errors { message }
  }
}"""

LIVE_TRANSFER = """
mutation Transfer($id: ID!) {
  createLiveTransfer(input: {underwritingResultId: $id}) {
    data { sigmaLeadId dialerStatus dialerProvider marketingLeadId } errors { message }
  }
}"""

MINIMAL_TRANSFER = """
mutation Minimal($input: CreateMinimalLiveTransferInput!) {
  createMinimalLiveTransfer(input: $input) {
    data { sigmaLeadId dialerStatus dialerProvider } errors { message }
  }
}"""


async def _pull(api: Api, **overrides: str) -> dict[str, Any]:
    return await api.ok("credit", PULL, {"input": {**THOMAS_DEVOS, **overrides}})


async def test_joint_credit_report_merges_the_household_card(api: Api) -> None:
    home = {"creditReportSource": "CRS_EQUIFAX", "addressLine1": "5 BAY RD", "zip": "35401"}
    primary = await _pull(api, **home, ssn="100000001", firstName="AMY")
    secondary = await _pull(api, **home, ssn="100000002", firstName="BEN")
    joint = await api.ok(
        "credit",
        JOINT_REPORT,
        {
            "input": {
                "primaryReportId": primary["creditReportId"],
                "secondaryReportId": secondary["creditReportId"],
            }
        },
    )
    debts = joint["jointDebts"]
    assert len(debts) == len(primary["debts"]) + len(secondary["debts"]) - 1
    (shared,) = [d for d in debts if d["applicantId"] and d["coApplicantId"]]
    assert shared["ecoaCode"] == "J"
    assert joint["normalizedCoApplicantReport"]["id"] == secondary["creditReportId"]

    other_vendor = await _pull(api, ssn="100000003", creditReportSource="ARRAY_EQUIFAX")
    mismatch = await api.call(
        "credit",
        JOINT_REPORT,
        {
            "input": {
                "primaryReportId": primary["creditReportId"],
                "secondaryReportId": other_vendor["creditReportId"],
            }
        },
    )
    assert messages(mismatch)[0].startswith(
        "VALIDATION_ERROR: both reports must come from the same vendor"
    )


async def test_array_kba_pull_uses_a_user_verification(api: Api) -> None:
    verification = await api.ok(
        "credit",
        CREATE_VERIFICATION,
        {
            "input": {
                "reqOrgContactId": "contact-array",
                "firstName": "Ann",
                "lastName": "Lee",
                "dob": "1990-01-02",
                "ssn": "321654987",
                "fullAddress": "7 Pine St",
                "city": "Mesa",
                "state": "AZ",
                "zip": "85201",
                "phone": "4805550123",
                "email": "ann@example.com",
                "verificationType": "KBA",
            }
        },
    )
    assert verification["status"] == "PASSED" and verification["verificationSource"] == "ARRAY"
    report = await api.ok(
        "credit",
        PULL,
        {
            "input": {
                "reqOrgContactId": "contact-array",
                "creditReportSource": "ARRAY_EQUIFAX_KBA",
                "userVerificationId": verification["id"],
            }
        },
    )
    assert report["applicantResidenceState"] == "AZ"
    unknown = await api.call(
        "credit",
        PULL,
        {
            "input": {
                "reqOrgContactId": "c",
                "creditReportSource": "ARRAY_EQUIFAX_KBA",
                "userVerificationId": "x",
            }
        },
    )
    assert messages(unknown)[0].startswith("NOT_FOUND")


async def test_check_debts_eligibility_and_its_listing(api: Api) -> None:
    card = {
        "id": "d1",
        "accountNumber": "****1111",
        "accountType": "CREDIT_CARD",
        "currentBalance": 2000.0,
    }
    small = {
        "id": "d2",
        "accountNumber": "****2222",
        "accountType": "CREDIT_CARD",
        "currentBalance": 100.0,
    }
    variables = {
        "type": "SINGLE",
        "input": {
            "contactId": "contact-debts",
            "applicantInfo": {"applicantState": "FL"},
            "unenrolledDebts": [card, small],
            "enrolledDebts": [{"accountNumber": "****1111"}],
        },
    }
    first = await api.call("underwriting", CHECK_DEBTS, variables)
    verdicts = {d["id"]: d for d in first["data"]["debts"]}
    assert verdicts["d1"]["eligibilityStatus"] == "INELIGIBLE"  # already enrolled
    assert verdicts["d1"]["duplicateDebtsCheck"] is False
    assert verdicts["d2"]["minimumDebtValueCheck"] is False
    assert {e["debtId"] for e in first["errors"]} == {"d1", "d2"}

    variables["input"]["enrolledDebts"] = []
    second = await api.call("underwriting", CHECK_DEBTS, variables)
    assert second["data"]["debts"][0]["eligibilityStatus"] == "ELIGIBLE"

    listing = await api.ok(
        "underwriting", DEBTS_RESULTS, {"where": {"reqOrgContactId": "contact-debts"}}
    )
    assert listing["totalCount"] == 2
    assert [e["node"]["isLatestRevision"] for e in listing["edges"]] == [False, True]
    latest = await api.ok(
        "underwriting",
        DEBTS_RESULTS,
        {"where": {"reqOrgContactId": "contact-debts", "isLatestRevision": True}},
    )
    assert [e["node"]["id"] for e in latest["edges"]] == [second["data"]["id"]]


async def test_eligibility_reviews_list_every_revision_with_edge_errors(api: Api) -> None:
    page = await api.ok("underwriting", REVIEWS, {"where": {"uwResultId": "uw-xyz789"}, "first": 1})
    assert page["totalCount"] == 2
    (edge,) = page["edges"]
    assert edge["node"] == {"id": "uw-xyz789", "revision": 1}
    assert {e["debtId"] for e in edge["errors"]} == {"debt-004", "debt-005"}
    rest = await api.ok(
        "underwriting",
        REVIEWS,
        {"where": {"uwResultId": "uw-xyz789"}, "after": page["pageInfo"]["endCursor"]},
    )
    assert [e["node"]["revision"] for e in rest["edges"]] == [2]
    only_two = await api.ok(
        "underwriting", REVIEWS, {"where": {"revision": 2, "leadId": "lead-67890"}}
    )
    assert only_two["totalCount"] == 1


async def test_uw_config_enrollment_eligibility_and_enrollment_plan(api: Api) -> None:
    config = await api.ok("underwriting", UW_CONFIG, {"org": "org-alleviate", "state": "NY"})
    assert config["uwOrgId"] == "GLG" and config["revision"] == 1
    assert '"minimumBalance": "500.00"' in config["debtFilterConfig"]
    assert (await api.ok("underwriting", UW_CONFIG, {"org": "o", "state": "CA"}))[
        "uwOrgId"
    ] == "ALV"
    bad = await api.call("underwriting", UW_CONFIG, {"org": "o", "uwOrg": "XYZ"})
    assert messages(bad) == ["VALIDATION_ERROR: uwOrgId must be ALV or GLG"]

    assert (await api.ok("underwriting", ENROLLMENT_ELIGIBILITY, {"ssn": "666023511"}))[
        "eligibility"
    ] == "ELIGIBLE"
    elsewhere = await api.ok("underwriting", ENROLLMENT_ELIGIBILITY, {"ssn": "666020000"})
    assert elsewhere == {
        "eligibility": "INELIGIBLE",
        "reason": "ACTIVE_PROGRAM: enrolled in another program",
    }
    invalid = await api.call("underwriting", ENROLLMENT_ELIGIBILITY, {"ssn": "12"})
    assert messages(invalid) == ["VALIDATION_ERROR: ssn must be 9 digits without dashes"]

    assert (await api.ok("offers", ENROLLMENT_PLAN, {"state": "CA"}))["servicingCompany"].endswith(
        "(ALV)"
    )
    assert "GLG" in (await api.ok("offers", ENROLLMENT_PLAN, {"state": "NJ"}))["servicingCompany"]
    vermont = await api.call("offers", ENROLLMENT_PLAN, {"state": "VT"})
    assert vermont["errors"] == [
        {"message": ["STATE_NOT_SERVICED: no servicing company serves VT"]}
    ]


async def test_live_transfers(api: Api) -> None:
    no_phone = await api.ok("enrollment", LIVE_TRANSFER, {"id": "uw-xyz789"})
    assert no_phone["dialerStatus"].startswith("failed: ") and no_phone["sigmaLeadId"] is None

    report = await _pull(api)
    check = await api.call(
        "underwriting",
        CHECK_V2,
        {
            "type": "SINGLE",
            "input": {
                "primaryReportId": report["creditReportId"],
                "applicantContactInfo": {"applicantState": "AL", "phone": "+12055550123"},
            },
        },
    )
    transfer = await api.ok("enrollment", LIVE_TRANSFER, {"id": check["data"]["id"]})
    assert transfer["dialerStatus"] == "success"
    assert transfer["dialerProvider"] in ("regal", "convoso")
    assert transfer["sigmaLeadId"] and transfer["marketingLeadId"]

    person = {
        "firstName": "Ann",
        "lastName": "Lee",
        "email": "ann@example.com",
        "phone": "12135550123",
    }
    assert (await api.ok("enrollment", MINIMAL_TRANSFER, {"input": person}))[
        "dialerStatus"
    ] == "success"
    bad = await api.call("enrollment", MINIMAL_TRANSFER, {"input": {**person, "phone": "555-0123"}})
    assert messages(bad) == ["VALIDATION_ERROR: phone must be 10 or 11 digits or an E.164 number"]


async def test_applicant_data_never_reaches_the_logs(
    api: Api, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)

    leaked = THOMAS_DEVOS["ssn"]

    def crash(_title: str) -> bytes:
        raise ValueError("cannot render " + leaked)  # an exception message holding data

    monkeypatch.setattr("alleviate_debtcore.sandbox._credit_reports.tiny_pdf", crash)
    download = 'query { downloadCreditReport(input: {creditReportId: "cr-xyz789"}) { data } }'
    crashed = (await api.post("credit", download)).json()
    assert crashed["errors"][0]["path"] == ["downloadCreditReport"]
    assert "resolver downloadCreditReport raised ValueError" in caplog.text
    await api.ok("credit", PULL, {"input": THOMAS_DEVOS})
    rejected = await api.post(
        "credit", PULL, {"input": {**THOMAS_DEVOS, "ssn": 666023511, "dob": 19570906}}
    )
    assert rejected.status_code == 400
    assert "666023511" in rejected.text  # the client sees its own input quoted back...
    for secret in ("666023511", "1957-09-06", "19570906", "DEVOS", "THOMAS"):
        assert secret not in caplog.text  # ...the logs do not
    assert "GraphQL request rejected" in caplog.text
