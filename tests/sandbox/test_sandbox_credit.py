"""Credit service: deterministic reports, required fields, consent flows, paging, downloads."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from tests.support.sandbox_api import PULL, THOMAS_DEVOS, Api, messages

from alleviate_debtcore.sandbox import create_app

REPORTS = """
query Reports($where: CreditReportWhereInput, $order: [CreditReportOrder!], $search: String,
              $first: Int, $after: String, $last: Int, $before: String, $skip: Int) {
  creditReports(where: $where, order: $order, search: $search, first: $first, after: $after,
                last: $last, before: $before, skip: $skip) {
    data { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
           edges { cursor node { id reqOrgContactId createdAt } } }
    errors { message }
  }
}"""

CREDITORS = """
query Creditors($search: String, $first: Int, $after: String) {
  creditors(search: $search, first: $first, after: $after) {
    data { totalCount pageInfo { hasNextPage endCursor }
           edges { node { creditorId creditorName } } }
    errors { message }
  }
}"""

CREATE_CREDITOR = """
mutation Create($name: String!) {
  createCreditor(input: {creditorName: $name}) {
    data { creditorId creditorName parentCreditorId parentCreditorName } errors { message }
  }
}"""

SEND_SMS = """
mutation Send($input: SMSVerificationInput!) {
  sendSMSVerificationCode(input: $input) { data { message } errors { message } }
}"""
VERIFY_SMS = """
mutation Verify($input: VerifySMSCodeInput!) {
  verifySMSCode(input: $input) { data { message } errors { message } }
}"""
USER_VERIFICATION = """
query Status($id: String!) {
  userVerification(reqOrgContactId: $id) { data { status verificationType } errors { message } }
}"""
KBA_QUESTIONS = """
query Questions($input: KbaQuestionsInput!) {
  kbaQuestions(input: $input) { data { questions { id options { id } } } errors { message } }
}"""
KBA_ANSWERS = """
mutation Answers($input: SendKbaAnswersInput!) {
  sendKbaAnswers(input: $input) { data { message } errors { message } }
}"""
DOWNLOAD = """
query Download($id: String!) {
  downloadCreditReport(input: {creditReportId: $id}) { data errors { message } }
}"""
NORMALIZE = """
mutation Normalize($input: NormalizeRawReportInput!) {
  normalizeRawReport(input: $input) {
    data { creditReportId secondaryCreditReportId applicantResidenceState debts { id } }
    errors { message }
  }
}"""


def _content(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [{k: v for k, v in debt.items() if k != "id"} for debt in report["debts"]]


async def test_same_applicant_gets_the_same_report_across_servers(api: Api) -> None:
    first = await api.ok("credit", PULL, {"input": THOMAS_DEVOS})
    again = await api.ok("credit", PULL, {"input": THOMAS_DEVOS})
    assert again["creditReportId"] != first["creditReportId"]
    assert _content(again) == _content(first)

    other_app = create_app()
    transport = httpx.ASGITransport(app=other_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://other.test") as client:
        elsewhere = await Api(client).ok("credit", PULL, {"input": THOMAS_DEVOS})
    assert elsewhere == first  # a fresh server replays the same IDs too

    # the vendor does not change the tradelines, and ZIP+4 is the same ZIP
    crs = {**THOMAS_DEVOS, "creditReportSource": "CRS_EQUIFAX", "zip": "35405-1234"}
    assert _content(await api.ok("credit", PULL, {"input": crs})) == _content(first)

    someone_else = await api.ok("credit", PULL, {"input": {**THOMAS_DEVOS, "ssn": "666023512"}})
    assert _content(someone_else) != _content(first)


async def test_generated_reports_have_the_documented_mix(api: Api) -> None:
    report = await api.ok("credit", PULL, {"input": THOMAS_DEVOS})
    debts = report["debts"]
    assert 6 <= len(debts) <= 8
    assert (
        sum(d["accountType"] in {"MORTGAGE_DEBT", "AUTO_LOAN", "STUDENT_LOAN"} for d in debts) == 1
    )
    assert [d["ecoaCode"] for d in debts].count("J") == 1  # the household card
    assert all(isinstance(d["currentBalance"], float) for d in debts)


@pytest.mark.parametrize(
    ("source", "dropped", "expected"),
    [
        ("CRS_TRANSUNION", ("zip", "city"), "city, zip required for CRS_TRANSUNION"),
        ("CRS_EQUIFAX", ("ssn",), "ssn required for CRS_EQUIFAX"),
        ("ARRAY_EQUIFAX", ("dob", "zip"), "dob, zip required for ARRAY_EQUIFAX"),
        ("ARRAY_EQUIFAX_KBA", (), "userVerificationId required for ARRAY_EQUIFAX_KBA"),
        ("CRS_STANDARD_PREQUAL_VANTAGE4_TU", ("lastName",), "lastName required for"),
    ],
)
async def test_pull_reports_missing_required_fields(
    api: Api, source: str, dropped: tuple[str, ...], expected: str
) -> None:
    data = {k: v for k, v in THOMAS_DEVOS.items() if k not in dropped}
    payload = await api.call("credit", PULL, {"input": {**data, "creditReportSource": source}})
    assert payload["data"] is None
    (message,) = messages(payload)
    assert message.startswith(f"VALIDATION_ERROR: {expected}")


async def test_pull_checks_formats_without_echoing_them(api: Api) -> None:
    payload = await api.call("credit", PULL, {"input": {**THOMAS_DEVOS, "ssn": "666-02-3511"}})
    assert messages(payload) == ["VALIDATION_ERROR: ssn must be 9 digits without dashes"]


async def test_spinwheel_pull_needs_sms_consent(api: Api) -> None:
    contact = "contact-sms"
    spinwheel = {"reqOrgContactId": contact, "creditReportSource": "SPINWHEEL"}
    refused = await api.call("credit", PULL, {"input": spinwheel})
    assert messages(refused)[0].startswith("CONSENT_REQUIRED")
    status = await api.ok("credit", USER_VERIFICATION, {"id": contact})
    assert status == {"status": "NOT_STARTED", "verificationType": None}

    sms = {"phoneNumber": "+12135550100", "dateOfBirth": "1985-03-15", "reqOrgContactId": contact}
    sent = await api.ok("credit", SEND_SMS, {"input": sms})
    assert sent == {"message": "Verification code sent successfully"}
    wrong = await api.call(
        "credit", VERIFY_SMS, {"input": {"reqOrgContactId": contact, "verificationCode": "111111"}}
    )
    assert messages(wrong)[0].startswith("OTP_INCORRECT")
    assert (await api.ok("credit", USER_VERIFICATION, {"id": contact}))["status"] == "OTP_INCORRECT"
    right = await api.ok(
        "credit", VERIFY_SMS, {"input": {"reqOrgContactId": contact, "verificationCode": "123456"}}
    )
    assert right == {"message": "Verification successful"}
    assert await api.ok("credit", USER_VERIFICATION, {"id": contact}) == {
        "status": "PASSED",
        "verificationType": "SMS",
    }

    report = await api.ok("credit", PULL, {"input": spinwheel})
    assert report["source"] == "SPINWHEEL" and report["reportStatus"] == "COMPLETED"


@pytest.mark.parametrize(
    ("phone", "code", "status"),
    [
        ("+12135550000", None, "UNABLE_TO_SEND_SMS"),
        ("+12135550001", None, "REQUIRES_KBA"),
        ("+12135550100", "000000", "OTP_EXPIRED"),
    ],
)
async def test_sms_magic_values(api: Api, phone: str, code: str | None, status: str) -> None:
    contact = f"contact-{status.lower()}"
    sms = {"phoneNumber": phone, "dateOfBirth": "1985-03-15", "reqOrgContactId": contact}
    payload = await api.call("credit", SEND_SMS, {"input": sms})
    if code is not None:
        payload = await api.call(
            "credit", VERIFY_SMS, {"input": {"reqOrgContactId": contact, "verificationCode": code}}
        )
    assert messages(payload)[0].startswith(status)
    assert (await api.ok("credit", USER_VERIFICATION, {"id": contact}))["status"] == status


async def test_third_wrong_sms_code_locks_the_contact(api: Api) -> None:
    contact = "contact-locked"
    sms = {"phoneNumber": "+12135550100", "dateOfBirth": "1985-03-15", "reqOrgContactId": contact}
    await api.ok("credit", SEND_SMS, {"input": sms})
    codes = ["111111", "222222", "333333", "123456"]
    results = [
        messages(
            await api.call(
                "credit", VERIFY_SMS, {"input": {"reqOrgContactId": contact, "verificationCode": c}}
            )
        )[0].split(":")[0]
        for c in codes
    ]
    assert results == ["OTP_INCORRECT", "OTP_INCORRECT", "RETRY_AFTER_5MIN", "RETRY_AFTER_5MIN"]
    resend = await api.call("credit", SEND_SMS, {"input": sms})
    assert messages(resend)[0].startswith("RETRY_AFTER_5MIN")


async def test_kba_correct_answers_pass_and_wrong_ones_fail(api: Api) -> None:
    identity = {
        "firstName": "John",
        "lastName": "Doe",
        "dateOfBirth": "1985-03-15",
        "ssn": "123456789",
        "addressLine1": "1 Elm St",
        "city": "Reno",
        "state": "NV",
        "zip": "89501",
        "reqOrgContactId": "contact-kba",
    }
    early = await api.call(
        "credit", KBA_ANSWERS, {"input": {"reqOrgContactId": "contact-kba", "answers": []}}
    )
    assert messages(early)[0].startswith("BAD_REQUEST")
    questions = (await api.ok("credit", KBA_QUESTIONS, {"input": identity}))["questions"]
    assert [q["id"] for q in questions] == ["q1", "q2", "q3"]
    assert [o["id"] for o in questions[0]["options"]] == ["q1-a", "q1-b", "q1-c", "q1-d"]

    wrong = [{"questionId": "q1", "answerId": "q1-a"}, {"questionId": "q2", "answerId": "q2-a"}]
    failed = await api.call(
        "credit", KBA_ANSWERS, {"input": {"reqOrgContactId": "contact-kba", "answers": wrong}}
    )
    assert messages(failed) == ["KBA_FAILED: 2 of 3 answers were not correct"]

    right = [
        {"questionId": "q1", "answerId": "q1-b"},
        {"questionId": "q2", "answerId": "a2-option1"},  # the docs' id spelling
        {"questionId": "q3", "answerId": "q3-d"},
    ]
    passed = await api.ok(
        "credit", KBA_ANSWERS, {"input": {"reqOrgContactId": "contact-kba", "answers": right}}
    )
    assert passed == {"message": "KBA verification successful"}
    spinwheel = {"reqOrgContactId": "contact-kba", "creditReportSource": "SPINWHEEL"}
    assert (await api.ok("credit", PULL, {"input": spinwheel}))["applicantResidenceState"] == "NV"

    no_questions = await api.call(
        "credit", KBA_QUESTIONS, {"input": {**identity, "ssn": "000112222"}}
    )
    assert messages(no_questions)[0].startswith("UNABLE_TO_GET_KBA_QUESTIONS")


async def _pull_many(api: Api, contact: str, count: int) -> list[str]:
    ids = []
    for index in range(count):
        report = await api.ok(
            "credit",
            PULL,
            {"input": {**THOMAS_DEVOS, "reqOrgContactId": contact, "ssn": f"66602{index:04d}"}},
        )
        ids.append(report["creditReportId"])
    return ids


async def test_credit_reports_paginate_forward_and_backward(api: Api) -> None:
    ids = await _pull_many(api, "contact-pages", 5)
    where = {"reqOrgContactId": "contact-pages"}

    page1 = await api.ok("credit", REPORTS, {"where": where, "first": 2})
    assert page1["totalCount"] == 5
    assert [e["node"]["id"] for e in page1["edges"]] == ids[:2]
    assert page1["pageInfo"]["hasNextPage"] is True
    assert page1["pageInfo"]["hasPreviousPage"] is False
    page2 = await api.ok(
        "credit", REPORTS, {"where": where, "first": 2, "after": page1["pageInfo"]["endCursor"]}
    )
    assert [e["node"]["id"] for e in page2["edges"]] == ids[2:4]
    page3 = await api.ok(
        "credit", REPORTS, {"where": where, "first": 2, "after": page2["pageInfo"]["endCursor"]}
    )
    assert [e["node"]["id"] for e in page3["edges"]] == ids[4:]
    assert page3["pageInfo"]["hasNextPage"] is False

    back = await api.ok(
        "credit", REPORTS, {"where": where, "last": 2, "before": page3["pageInfo"]["startCursor"]}
    )
    assert [e["node"]["id"] for e in back["edges"]] == ids[2:4]
    assert back["pageInfo"]["hasPreviousPage"] is True

    skipped = await api.ok("credit", REPORTS, {"where": where, "skip": 3, "first": 10})
    assert [e["node"]["id"] for e in skipped["edges"]] == ids[3:]

    newest_first = await api.ok(
        "credit", REPORTS, {"where": where, "order": [{"field": "createdAt", "direction": "DESC"}]}
    )
    assert [e["node"]["id"] for e in newest_first["edges"]] == ids[::-1]

    found = await api.ok("credit", REPORTS, {"search": "CONTACT-PAGES", "first": 1})
    assert found["totalCount"] == 5 and len(found["edges"]) == 1


async def test_bad_paging_arguments_are_payload_errors(api: Api) -> None:
    for variables, expected in (
        (
            {"after": "bm90LWEtY3Vyc29y"},
            "VALIDATION_ERROR: the cursor is not one this server issued",
        ),
        ({"first": 101}, "VALIDATION_ERROR: first must be between 0 and 100"),
        ({"last": -1}, "VALIDATION_ERROR: last must be between 0 and 100"),
        (
            {"where": {"creditReportIds": [f"id-{i}" for i in range(21)]}},
            "VALIDATION_ERROR: creditReportIds",
        ),
    ):
        payload = await api.call("credit", REPORTS, variables)
        assert payload["data"] is None
        assert messages(payload)[0].startswith(expected)


async def test_creditors_search_page_and_create(api: Api) -> None:
    capital = await api.ok("credit", CREDITORS, {"search": "capital", "first": 2})
    assert capital["totalCount"] == 3
    assert [e["node"]["creditorName"] for e in capital["edges"]] == [
        "Capital One",
        "Capital One Auto Finance",
    ]
    rest = await api.ok(
        "credit",
        CREDITORS,
        {"search": "capital", "first": 2, "after": capital["pageInfo"]["endCursor"]},
    )
    assert [e["node"]["creditorId"] for e in rest["edges"]] == ["cred-003"]

    created = await api.ok("credit", CREATE_CREDITOR, {"name": "Capital One Venture Lending"})
    assert created["parentCreditorId"] == "cred-001"
    same = await api.ok("credit", CREATE_CREDITOR, {"name": "capital one venture lending"})
    assert same["creditorId"] == created["creditorId"]
    assert (await api.ok("credit", CREDITORS, {"search": "capital"}))["totalCount"] == 4


async def test_download_is_a_base64_pdf(api: Api) -> None:
    pdf = base64.b64decode(await api.ok("credit", DOWNLOAD, {"id": "cr-abc123def456"}))
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    assert b"cr-abc123def456" in pdf
    missing = await api.call("credit", DOWNLOAD, {"id": "cr-nope"})
    assert missing["data"] is None
    assert messages(missing) == ["NOT_FOUND: no credit report with creditReportId cr-nope"]


async def test_normalize_raw_report(api: Api) -> None:
    raw = {"consumer": {"firstName": "Clover", "lastName": "Fandango", "address": {"state": "GA"}}}
    base = {"reqOrgContactId": "contact-raw", "reportJson": raw}
    crs = await api.call(
        "credit", NORMALIZE, {"input": {**base, "reportType": "CRS_STANDARD_PREQUAL_VANTAGE4"}}
    )
    assert messages(crs)[0].startswith("VALIDATION_ERROR: reportRequestedAt")
    data = await api.ok(
        "credit",
        NORMALIZE,
        {
            "input": {
                **base,
                "reportType": "CRS_STANDARD_PREQUAL_VANTAGE4",
                "reportRequestedAt": "2026-01-05",
                "reqOrgSecondaryContactId": "contact-raw-co",
            }
        },
    )
    assert data["applicantResidenceState"] == "GA"
    assert data["secondaryCreditReportId"] and data["debts"]
    not_object = await api.call(
        "credit", NORMALIZE, {"input": {**base, "reportType": "SPINWHEEL", "reportJson": [1]}}
    )
    assert messages(not_object) == ["VALIDATION_ERROR: reportJson must be a JSON object"]


REPORT_DATE = """
query Report($id: String!) {
  creditReport(input: {creditReportId: $id}) { data { reportRequestedAt } errors { message } }
}"""


async def test_vantage4_raw_report_with_its_own_date_needs_no_report_requested_at(
    api: Api,
) -> None:
    # The peer TypeScript SDK's smoke test sends exactly this: a CRS standard prequal report whose
    # raw data carries dateRequested, and no reportRequestedAt (issue 15).
    raw = {"header": {"dateRequested": "2026-02-11T09:30:00Z"}, "consumer": {"state": "TX"}}
    data = await api.ok(
        "credit",
        NORMALIZE,
        {
            "input": {
                "reqOrgContactId": "contact-vantage4",
                "reportType": "CRS_STANDARD_PREQUAL_VANTAGE4",
                "reportJson": raw,
            }
        },
    )
    report = await api.ok("credit", REPORT_DATE, {"id": data["creditReportId"]})
    assert report["reportRequestedAt"] == "2026-02-11"  # the raw report's date is kept


async def test_crs_transunion_and_equifax_always_need_report_requested_at(api: Api) -> None:
    raw = {"dateRequested": "2026-02-11", "consumer": {"state": "TX"}}
    for report_type in ("CRS_TRANSUNION", "CRS_EQUIFAX"):
        payload = await api.call(
            "credit",
            NORMALIZE,
            {"input": {"reqOrgContactId": "c", "reportType": report_type, "reportJson": raw}},
        )
        assert messages(payload) == [
            f"VALIDATION_ERROR: reportRequestedAt (YYYY-MM-DD) is required for {report_type}"
        ]
    # Formats outside CRS fall back to the raw date, or today, and never ask for it.
    spinwheel = await api.ok(
        "credit",
        NORMALIZE,
        {"input": {"reqOrgContactId": "c", "reportType": "SPINWHEEL", "reportJson": {}}},
    )
    assert spinwheel["creditReportId"]
