"""What the sandbox stores in memory: reports, creditors, consents, reviews, offers, enrollments.

Debts and other schema-shaped parts are kept as dicts with the schema's camelCase keys, so they
can be returned as they are; the records around them are dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from ._dates import timestamp
from ._payload_envelope import JsonDict, Problem


@dataclass
class CreditReport:
    id: str
    req_org_id: str
    req_org_contact_id: str
    source: str
    created_at: datetime
    applicant: JsonDict  # firstName, middleName, lastName, ssn, dob, state
    debts: list[JsonDict]
    scores: list[JsonDict]
    credit_report_user_id: str
    lead_id: str | None = None
    report_requested_at: str | None = None  # YYYY-MM-DD
    public_records: list[JsonDict] = field(default_factory=lambda: list[JsonDict]())
    pdf: bytes | None = None
    report_status: str = "COMPLETED"
    file_status: str = "COMPLETED"

    @property
    def state(self) -> str | None:
        value = self.applicant.get("state")
        return value if isinstance(value, str) else None

    def node(self) -> JsonDict:
        """The ``CreditReportNode`` view."""
        return {
            "id": self.id,
            "reqOrgId": self.req_org_id,
            "reqOrgContactId": self.req_org_contact_id,
            "leadId": self.lead_id,
            "applicantResidenceState": self.state,
            "publicRecords": self.public_records,
            "creditReportUserId": self.credit_report_user_id,
            "debts": self.debts,
            "source": self.source,
            "fileMetadata": {
                "reqOrgContactId": self.req_org_contact_id,
                "creditReportUserId": self.credit_report_user_id,
                "source": self.source,
                "uploadDate": timestamp(self.created_at),
                "fileName": f"{self.id}.pdf",
                "contentType": "application/pdf",
                "fileSize": None,
                "type": "CREDIT_REPORT",
            },
            "reportStatus": self.report_status,
            "fileStatus": self.file_status,
            "createdAt": timestamp(self.created_at),
            "applicantFirstName": self.applicant.get("firstName"),
            "applicantMiddleName": self.applicant.get("middleName"),
            "applicantLastName": self.applicant.get("lastName"),
            "applicantSsn": self.applicant.get("ssn"),
            "applicantDob": self.applicant.get("dob"),
            "applicantAlternativeNames": [],
            "scores": self.scores,
            "reportRequestedAt": self.report_requested_at,
        }


@dataclass
class Creditor:
    id: str
    name: str
    created_at: datetime
    parent_id: str | None = None
    parent_name: str | None = None


@dataclass
class Verification:
    """A contact's consent record (SMS or KBA at Spinwheel, or the Array flow)."""

    id: str
    req_org_contact_id: str
    created_at: datetime
    verification_type: str
    source: str
    status: str = "NOT_STARTED"
    identity: JsonDict = field(default_factory=lambda: dict[str, Any]())
    sms_pending: bool = False
    failed_attempts: int = 0
    locked_until: datetime | None = None
    kba_issued: bool = False
    verified_at: datetime | None = None

    def node(self, req_org_id: str) -> JsonDict:
        return {
            "id": self.id,
            "reqOrgContactId": self.req_org_contact_id,
            "creditReportUserId": f"cru-{self.id[:8]}",
            "reqOrgId": req_org_id,
            "status": self.status,
            "verificationDate": timestamp(self.verified_at) if self.verified_at else None,
            "userConsentDate": timestamp(self.created_at),
            "verificationType": self.verification_type,
            "verificationSource": self.source,
        }


@dataclass(frozen=True)
class Verdict:
    """The rules' outcome for one debt."""

    status: str  # EligibilityStatus
    failed_checks: frozenset[str] = frozenset()
    reasons: tuple[str, ...] = ()


@dataclass
class ReviewDebt:
    """A debt inside one section of one revision of an eligibility review."""

    id: str
    source: str  # CREDIT_REPORT or MANUAL
    fields: JsonDict  # the debt's own data: creditorName, accountType, currentBalance, ...
    is_selected: bool | None  # None until the rules pick the default (selected unless INELIGIBLE)
    co_applicant_is_selected: bool | None = None
    applicant_id: str | None = None
    co_applicant_id: str | None = None
    exceptions: list[str] = field(default_factory=lambda: list[str]())
    is_overridden: bool = False
    history: list[JsonDict] = field(default_factory=lambda: list[JsonDict]())


SECTIONS = ("applicant", "coApplicant", "joint")


@dataclass
class Assessment:
    """The application-level outcome of one revision."""

    prequalified: bool
    passable: bool | None  # None under the legacy rule configuration (flowType unset)
    hard_failed: bool  # some rule failed that no update of plan or bank data can fix
    total_debt: Decimal
    total_eligible_debt: Decimal
    max_term: int
    problems: list[Problem]
    failed_application_checks: frozenset[str]
    failed_applicant_checks: frozenset[str]


@dataclass
class Revision:
    number: int
    created_at: datetime
    flow_type: str | None
    lead_id: str | None
    agent_assigned: str | None
    updated_by: str | None
    from_revision: int | None
    applicant_contact: JsonDict
    co_applicant_contact: JsonDict | None
    plan: JsonDict | None
    budget: JsonDict | None  # itemized {income, expenses} (V2)
    budget_totals: JsonDict | None  # {totalMonthlyIncome, totalMonthlyExpense} (V1)
    additional_info: JsonDict | None
    sections: dict[str, list[ReviewDebt]]
    verdicts: dict[str, Verdict] = field(default_factory=lambda: dict[str, Verdict]())
    assessment: Assessment | None = None

    def all_debts(self) -> list[ReviewDebt]:
        return [debt for name in SECTIONS for debt in self.sections.get(name, [])]


@dataclass
class Review:
    """An eligibility review (uwResultId) and its revisions, oldest first."""

    id: str
    application_type: str  # SINGLE or JOINT
    req_org_id: str
    req_org_contact_id: str
    primary_report_id: str
    secondary_report_id: str | None
    credit_report_source: str
    uw_org_id: str
    section_ids: dict[str, str]
    revisions: list[Revision] = field(default_factory=lambda: list[Revision]())

    @property
    def latest(self) -> Revision:
        return self.revisions[-1]

    def revision(self, number: int | None) -> Revision | None:
        if number is None:
            return self.latest
        if 1 <= number <= len(self.revisions):
            return self.revisions[number - 1]
        return None


@dataclass
class DebtsResult:
    """One checkDebtsEligibility run."""

    id: str
    req_org_id: str
    req_org_contact_id: str
    lead_id: str | None
    uw_org_id: str
    application_type: str
    applicant_contact: JsonDict
    debts: list[JsonDict]
    created_at: datetime
    problems: list[Problem]


@dataclass
class SavedOffer:
    id: str
    uw_result_id: str
    revision: int
    offer: JsonDict  # the OfferResult fields
    created_at: datetime

    def node(self) -> JsonDict:
        return {
            **self.offer,
            "id": self.id,
            "uwResultId": self.uw_result_id,
            "uwResultRevision": self.revision,
        }


@dataclass
class Enrollment:
    id: str
    og_id: str
    lead_id: str
    created_at: datetime
    contact_id: str
    skipped_steps: frozenset[str]
    failing_step: str | None
    applicant_ssn: str | None
    polls: int = 0
