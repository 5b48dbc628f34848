"""The records the docs' example operations refer to, so each example works on a fresh server.

- creditors ``cred-001`` Capital One, ``cred-002`` Capital One Auto Finance, ``cred-003`` Capital
  One Bank (plus one per creditor the generated reports use);
- credit reports ``cr-abc123def456`` (CRS_EQUIFAX, John Doe, CA, contact ``contact-12345``, lead
  ``lead-67890``; five debts ``debt-001`` to ``debt-005``) and ``cr-xyz789`` (CRS_TRANSUNION, the
  same applicant);
- a consent record for ``contact-12345`` with an SMS code sent and KBA questions issued;
- eligibility review ``uw-xyz789`` on ``cr-abc123def456``: revision 1 (total debt 25,000.00,
  eligible 22,500.00) and revision 2 (two debts deselected: 13,500.00 and 13,500.00, with a
  monthly 48-month plan stored);
- saved offers ``og-offer-123456`` and ``0195e1d8-7f3a-7000-8000-000000000001`` for that revision;
- enrollment ``enroll-abc123xyz`` of ``og-offer-123456``, every step COMPLETED.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from ._credit_reports import store_report
from ._creditors import add_creditor, find_creditor_by_name
from ._dates import parse_iso_date
from ._enrollment import STEPS
from ._offers import store_offer
from ._payload_envelope import JsonDict
from ._plans import calculate_offer
from ._records import Creditor, CreditReport, Enrollment, Verification
from ._reviews import open_review, update_review
from ._state import SandboxState
from ._tradelines import CREDITOR_NAMES

REPORT_ID = "cr-abc123def456"
SECOND_REPORT_ID = "cr-xyz789"
CONTACT_ID = "contact-12345"
LEAD_ID = "lead-67890"
REVIEW_ID = "uw-xyz789"
OFFER_ID = "og-offer-123456"
SECOND_OFFER_ID = "0195e1d8-7f3a-7000-8000-000000000001"
ENROLLMENT_ID = "enroll-abc123xyz"

JOHN_DOE: JsonDict = {
    "firstName": "John",
    "lastName": "Doe",
    "ssn": "123456789",
    "dob": "1985-03-15",
    "addressLine1": "123 Main Street",
    "city": "Los Angeles",
    "state": "CA",
    "zip": "90001",
}


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _debt(
    number: int,
    creditor: Creditor,
    account: str,
    balance: str,
    original: str,
    opened: str,
    **extra: object,
) -> JsonDict:
    return {
        "id": f"debt-{number:03d}",
        "creditorId": creditor.id,
        "creditorName": creditor.name,
        "parentCreditorId": creditor.parent_id,
        "parentCreditorName": creditor.parent_name,
        "accountNumber": account,
        "applicantState": "CA",
        "currentBalance": float(Decimal(balance)),
        "originalBalance": float(Decimal(original)),
        "accountType": "CREDIT_CARD",
        "portfolioType": "REVOLVING",
        "creditorType": "ORIGINATOR",
        "ecoaCode": "I",
        "isCollection": False,
        "openDate": opened,
        "lastPaymentDate": "2025-01-01",
        "hasLastPayment": True,
        "delinquency": "CURRENT",
        "monthlyPayment": float(Decimal(balance) * Decimal("0.03")),
        "narrativeCodes": [],
        "remarks": [],
        "debtType": None,
        "externalDebtId": None,
        "originalCreditorName": None,
        "forthDebtTypeId": None,
        "applicantId": None,
        "coApplicantId": None,
        "bankruptcyDateFiled": None,
        **extra,
    }


def _creditors(state: SandboxState) -> dict[str, Creditor]:
    capital_one = Creditor("cred-001", "Capital One", _at("2024-01-15T10:00:00"))
    docs = [
        capital_one,
        Creditor(
            "cred-002",
            "Capital One Auto Finance",
            _at("2024-02-20T14:30:00"),
            "cred-001",
            "Capital One",
        ),
        Creditor(
            "cred-003", "Capital One Bank", _at("2024-03-10T09:15:00"), "cred-001", "Capital One"
        ),
    ]
    for creditor in docs:
        state.creditors[creditor.id] = creditor
    for name in (
        *CREDITOR_NAMES,
        "Discover",
        "JPMCB Card Services",
        "Navy Federal Cr Union",
        "Toyota Motor Credit",
    ):
        if find_creditor_by_name(state, name) is None:
            add_creditor(state, name).created_at = _at("2023-06-01T00:00:00")
    return {creditor.name.casefold(): creditor for creditor in state.creditors.values()}


def _reports(state: SandboxState, creditors: dict[str, Creditor]) -> None:
    debts = [
        _debt(1, creditors["capital one"], "****1234", "5432.10", "6000", "2020-06-15"),
        _debt(2, creditors["discover"], "****9012", "8067.90", "10000", "2019-03-02"),
        _debt(3, creditors["jpmcb card services"], "****5521", "9000", "9500", "2018-11-20"),
        _debt(
            4,
            creditors["navy federal cr union"],
            "****7730",
            "2500",
            "3000",
            "2021-04-09",
            creditorType="CREDIT_UNION",
        ),
        _debt(
            5,
            creditors["toyota motor credit"],
            "****4410",
            "18000",
            "28000",
            "2022-08-01",
            accountType="AUTO_LOAN",
            portfolioType="INSTALLMENT",
            creditorType="AUTO",
        ),
    ]
    state.reports[REPORT_ID] = CreditReport(
        id=REPORT_ID,
        req_org_id=state.req_org_id,
        req_org_contact_id=CONTACT_ID,
        source="CRS_EQUIFAX",
        created_at=_at("2025-01-15T10:30:00"),
        applicant={**JOHN_DOE},
        debts=debts,
        scores=[
            {
                "modelName": "VantageScore 4.0",
                "sourceType": "Equifax",
                "scoreValue": "680",
                "scoreFactors": [],
                "scoreType": "VantageScore4",
                "score": 680,
            }
        ],
        credit_report_user_id="cr-user-456",
        lead_id=LEAD_ID,
        report_requested_at="2025-01-15",
    )
    second = store_report(
        state,
        contact=CONTACT_ID,
        source="CRS_TRANSUNION",
        applicant=JOHN_DOE,
        lead_id=LEAD_ID,
        requested_at="2025-01-10",
        report_id=SECOND_REPORT_ID,
    )
    second.created_at = _at("2025-01-10T14:20:00")


def _consent(state: SandboxState) -> None:
    verification = Verification(
        id="uv-abc123",
        req_org_contact_id=CONTACT_ID,
        created_at=_at("2025-01-15T10:28:00"),
        verification_type="SMS",
        source="SPINWHEEL",
        status="IN_PROGRESS",
        identity={**JOHN_DOE},
        sms_pending=True,
        kba_issued=True,
    )
    state.verifications[verification.id] = verification
    state.verification_by_contact[CONTACT_ID] = verification.id


def _review_offers_and_enrollment(state: SandboxState) -> None:
    review = open_review(
        state,
        application_type="SINGLE",
        data={
            "primaryReportId": REPORT_ID,
            "agentAssigned": "agent-12345",
            "applicantContactInfo": {
                "applicantState": "CA",
                "firstName": "John",
                "lastName": "Doe",
                "email": "john.doe@example.com",
                "homeAddress": "123 Main Street, Los Angeles, CA 90001",
                "hardship": "Significant decrease in income",
            },
        },
        flow_type=None,
        version="V2",
        review_id=REVIEW_ID,
        now=_at("2025-01-15T10:30:00"),
    )
    update_review(
        state,
        application_type="SINGLE",
        data={
            "id": REVIEW_ID,
            "revision": 1,
            "updatedBy": "user-12345",
            "applicantContactInfo": {"applicantState": "CA"},
            "applicantEligibilityReview": {
                "debts": [
                    {"id": "debt-003", "isSelected": False},
                    {"id": "debt-004", "isSelected": False},
                ]
            },
            "plan": {
                "frequency": "M",
                "firstPaymentDate": "2025/02/15",
                "depositIntervals": "15",
                "programTerm": 48,
                "planId": "plan-standard-48",
                "feePercentage": 25,
                "includeSentryFee": False,
            },
        },
        flow_type=None,
        version="V2",
        now=_at("2025-01-15T11:00:00"),
    )
    revision = review.latest
    assert revision.assessment is not None and revision.plan is not None
    first = parse_iso_date(revision.plan["firstPaymentDate"])
    assert first is not None
    offer = calculate_offer(
        enrolled_debt=revision.assessment.total_eligible_debt,
        term=48,
        max_term=revision.assessment.max_term,
        frequency="M",
        intervals="15",
        first_payment=first,
        include_sentry_fee=False,
    )
    for offer_id in (OFFER_ID, SECOND_OFFER_ID):
        store_offer(state, review, revision, offer, offer_id).created_at = revision.created_at
    state.enrollments[ENROLLMENT_ID] = Enrollment(
        id=ENROLLMENT_ID,
        og_id=OFFER_ID,
        lead_id=LEAD_ID,
        created_at=_at("2025-01-15T11:30:00"),
        contact_id="100234567",
        skipped_steps=frozenset(),
        failing_step=None,
        applicant_ssn=None,
        polls=len(STEPS) + 1,
    )


def load_docs_fixtures(state: SandboxState) -> None:
    creditors = _creditors(state)
    _reports(state, creditors)
    _consent(state)
    _review_offers_and_enrollment(state)
