"""Eligibility reviews: opened from credit reports, edited into new revisions, judged each time.

A SINGLE review has one section (``applicant``) whose ID is the review ID. A JOINT review has
three: each applicant's own debts, and a ``joint`` section with the joint-ownership (ECOA J)
accounts found on both reports; the joint section's ID is the review ID.

Updates follow reference.md section 4 step 3: the update must name the latest revision
(otherwise ``STALE_REVISION``); report debts can be changed, never removed; a debt without ``id``
is added as MANUAL; a MANUAL debt left out of a section's ``debts`` list is removed (sections
that are not sent keep their debts); in V2 a debt ID may appear in one section only.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from ._constants import GLG_STATES
from ._credit_reports import find_report, joint_key
from ._dates import parse_iso_date, parse_payment_date
from ._payload_envelope import (
    NOT_FOUND,
    VALIDATION_ERROR,
    BusinessError,
    JsonDict,
    Problem,
    as_dict,
    as_dicts,
)
from ._records import SECTIONS, Review, ReviewDebt, Revision
from ._rules import Application, assess, balance, judge_debt
from ._schedule import check_frequency, normalize_intervals
from ._state import SandboxState
from ._validation import check_birth_date, check_ssn, check_state

Version = Literal["V1", "V2"]

SECTION_INPUTS: Mapping[Version, Mapping[str, str]] = {
    "V1": {
        "applicantUwResult": "applicant",
        "coApplicantUwResult": "coApplicant",
        "jointUwResult": "joint",
    },
    "V2": {
        "applicantEligibilityReview": "applicant",
        "coApplicantEligibilityReview": "coApplicant",
        "jointEligibilityReview": "joint",
    },
}
_CONTROL_KEYS = frozenset({"id", "isSelected", "coApplicantIsSelected", "exceptions"})
_HISTORY_FIELDS = (
    "creditorName",
    "originalCreditorName",
    "creditorType",
    "ecoaCode",
    "accountType",
    "portfolioType",
    "debtType",
    "openDate",
    "lastPaymentDate",
    "hasLastPayment",
    "currentBalance",
    "originalBalance",
    "narrativeCodes",
    "bankruptcyDateFiled",
    "nawSignedDate",
    "nawUrl",
    "hasProofOfLiability",
    "isCollection",
    "remarks",
    "monthlyPayment",
)
PLAN_FIELDS = (
    "frequency",
    "firstPaymentAmount",
    "secondPaymentAmount",
    "firstPaymentDate",
    "secondPaymentDate",
    "firstDraftException",
    "programTerm",
    "feePercentage",
    "epfReduction",
    "planId",
    "depositIntervals",
    "includeSentryFee",
)


def uw_org_for(state: str | None) -> str:
    return "GLG" if state in GLG_STATES else "ALV"


def find_review(state: SandboxState, review_id: str, field: str = "id") -> Review:
    review = state.reviews.get(review_id)
    if review is None:
        raise BusinessError(NOT_FOUND, f"no eligibility review with {field} {review_id}")
    return review


def find_revision(review: Review, number: int | None) -> Revision:
    revision = review.revision(number)
    if revision is None:
        raise BusinessError(NOT_FOUND, f"review {review.id} has no revision {number}")
    return revision


# --- Input normalization ----------------------------------------------------------------------


def normalize_plan(plan: Mapping[str, Any] | None) -> JsonDict | None:
    """A plan with its dates stored as YYYY-MM-DD; bad codes and dates are payload errors."""
    if plan is None:
        return None
    stored: JsonDict = {name: plan.get(name) for name in PLAN_FIELDS}
    if stored["frequency"] is not None:
        check_frequency(stored["frequency"])
    for name in ("firstPaymentDate", "secondPaymentDate"):
        if stored[name] is not None:
            day = parse_payment_date(stored[name], us_format=True)
            if day is None:
                raise BusinessError(
                    VALIDATION_ERROR, f"plan.{name} must be MM/DD/YYYY, YYYY/MM/DD or YYYY-MM-DD"
                )
            stored[name] = day.isoformat()
    term = stored["programTerm"]
    if term is not None and term <= 0:
        raise BusinessError(
            VALIDATION_ERROR, "plan.programTerm must be a positive number of months"
        )
    if stored["depositIntervals"] is not None and stored["firstPaymentDate"] is not None:
        first = parse_iso_date(stored["firstPaymentDate"])
        assert first is not None
        stored["depositIntervals"] = normalize_intervals(
            stored["frequency"] or "M", stored["depositIntervals"], first
        )
    return stored


def _checked_contact(contact: Mapping[str, Any], field: str) -> JsonDict:
    check_state(contact.get("applicantState"), f"{field}.applicantState")
    check_ssn(contact.get("ssn"), f"{field}.ssn")
    check_birth_date(contact.get("dob"), f"{field}.dob")
    return dict(contact)


def _debt_fields(debt: Mapping[str, Any]) -> JsonDict:
    return {
        key: value
        for key, value in debt.items()
        if key not in ("id", "applicantId", "coApplicantId", "applicantState")
    }


# --- Judging a revision -----------------------------------------------------------------------


def _item_sum(items: Mapping[str, Any] | None) -> Decimal | None:
    if not items:
        return None
    return sum((Decimal(str(v)) for v in items.values() if v is not None), Decimal(0))


def monthly_budget(revision: Revision) -> tuple[Decimal | None, Decimal | None]:
    if revision.budget:
        return _item_sum(revision.budget.get("income")), _item_sum(revision.budget.get("expenses"))
    totals = revision.budget_totals or {}
    income, expenses = totals.get("totalMonthlyIncome"), totals.get("totalMonthlyExpense")
    return (
        None if income is None else Decimal(str(income)),
        None if expenses is None else Decimal(str(expenses)),
    )


def is_selected(debt: ReviewDebt) -> bool:
    return bool(debt.is_selected) or bool(debt.co_applicant_is_selected)


def evaluate(state: SandboxState, review: Review, revision: Revision) -> None:
    """Judge every debt, default unset selections, and assess the application."""
    contacts = [revision.applicant_contact]
    if revision.co_applicant_contact is not None:
        contacts.append(revision.co_applicant_contact)
    include_unacceptable = bool((revision.additional_info or {}).get("includeUnacceptableCreditor"))
    revision.verdicts = {}
    for section in SECTIONS:
        owner = contacts[1] if section == "coApplicant" and len(contacts) > 1 else contacts[0]
        for debt in revision.sections.get(section, []):
            verdict = judge_debt(
                debt.fields,
                manual=debt.source == "MANUAL",
                employer=owner.get("employerName"),
                include_unacceptable=include_unacceptable,
            )
            revision.verdicts[debt.id] = verdict
            if debt.is_selected is None:
                debt.is_selected = verdict.status != "INELIGIBLE"
            if section == "joint" and debt.co_applicant_is_selected is None:
                debt.co_applicant_is_selected = verdict.status != "INELIGIBLE"
    selected = [debt for debt in revision.all_debts() if is_selected(debt)]
    total = sum((balance(debt.fields) or Decimal(0) for debt in selected), Decimal(0))
    eligible = sum(
        (
            balance(debt.fields) or Decimal(0)
            for debt in selected
            if revision.verdicts[debt.id].status == "ELIGIBLE"
        ),
        Decimal(0),
    )
    income, expenses = monthly_budget(revision)
    report = state.reports.get(review.primary_report_id)
    requested = report.report_requested_at if report else None
    revision.assessment = assess(
        Application(
            flow_type=revision.flow_type,
            contacts=tuple(contacts),
            plan=revision.plan,
            monthly_income=income,
            monthly_expenses=expenses,
            agent_assigned=revision.agent_assigned,
            report_requested_on=parse_iso_date(requested) if requested else None,
            today=state.now().date(),
            total_debt=total,
            total_eligible_debt=eligible,
        )
    )


def revision_problems(revision: Revision) -> list[Problem]:
    """Application-level problems, then one item per debt that is not ELIGIBLE."""
    assert revision.assessment is not None
    debt_problems = [
        Problem(verdict.reasons, debt.id)
        for debt in revision.all_debts()
        if (verdict := revision.verdicts[debt.id]).status != "ELIGIBLE"
    ]
    return revision.assessment.problems + debt_problems


# --- Opening a review -------------------------------------------------------------------------


def open_review(
    state: SandboxState,
    *,
    application_type: str,
    data: Mapping[str, Any],
    flow_type: str | None,
    version: Version,
    review_id: str | None = None,
    now: datetime | None = None,
) -> Review:
    primary = find_report(state, data["primaryReportId"], "primaryReportId")
    secondary_id = data.get("secondaryReportId") or data.get("coCreditReportId")
    if application_type == "SINGLE" and secondary_id:
        raise BusinessError(VALIDATION_ERROR, "a SINGLE application takes no secondaryReportId")
    if application_type == "JOINT" and not secondary_id:
        raise BusinessError(VALIDATION_ERROR, "a JOINT application needs secondaryReportId")
    secondary = find_report(state, secondary_id, "secondaryReportId") if secondary_id else None
    for report in (primary, secondary):
        if report is not None and report.report_status != "COMPLETED":
            raise BusinessError(
                "REPORT_NOT_COMPLETED", f"credit report {report.id} is not COMPLETED"
            )
    if secondary is not None:
        if secondary.id == primary.id:
            raise BusinessError(VALIDATION_ERROR, "primaryReportId and secondaryReportId are equal")
        if secondary.source != primary.source:
            raise BusinessError(VALIDATION_ERROR, "both reports must come from the same vendor")

    applicant = _checked_contact(data["applicantContactInfo"], "applicantContactInfo")
    co_applicant: JsonDict | None = None
    if application_type == "JOINT":
        assert secondary is not None
        given = data.get("coApplicantContactInfo")
        if given is None and version == "V2":
            raise BusinessError(
                VALIDATION_ERROR, "a JOINT application needs coApplicantContactInfo"
            )
        co_applicant = _checked_contact(
            given
            or {
                # V1 (the docs' joint example) may leave it out: take it from the second report.
                "firstName": secondary.applicant.get("firstName"),
                "lastName": secondary.applicant.get("lastName"),
                "applicantState": secondary.state or applicant["applicantState"],
            },
            "coApplicantContactInfo",
        )

    review_id = review_id or state.new_id("eligibility-review", primary.id, secondary_id)
    if application_type == "SINGLE":
        section_ids = {"applicant": review_id}
    else:
        section_ids = {
            "joint": review_id,
            "applicant": state.new_id("review-section", review_id, "applicant"),
            "coApplicant": state.new_id("review-section", review_id, "coApplicant"),
        }
    sections: dict[str, list[ReviewDebt]] = {name: [] for name in section_ids}
    shared = (
        {joint_key(debt) for debt in primary.debts} & {joint_key(debt) for debt in secondary.debts}
        if secondary
        else set[tuple[str, str] | None]()
    ) - {None}
    for debt in primary.debts:
        in_joint = joint_key(debt) in shared
        sections["joint" if in_joint else "applicant"].append(
            ReviewDebt(
                id=debt["id"],
                source="CREDIT_REPORT",
                fields=_debt_fields(debt),
                is_selected=None,
                applicant_id=section_ids["applicant"],
                co_applicant_id=section_ids["coApplicant"] if in_joint else None,
            )
        )
    for debt in secondary.debts if secondary else []:
        if joint_key(debt) not in shared:
            sections["coApplicant"].append(
                ReviewDebt(
                    id=debt["id"],
                    source="CREDIT_REPORT",
                    fields=_debt_fields(debt),
                    is_selected=None,
                    co_applicant_id=section_ids["coApplicant"],
                )
            )

    budget, budget_totals = _budgets(data.get("budget"), version)
    revision = Revision(
        number=1,
        created_at=now or state.now(),
        flow_type=flow_type,
        lead_id=data.get("leadId") or primary.lead_id,
        agent_assigned=data.get("agentAssigned"),
        updated_by=None,
        from_revision=None,
        applicant_contact=applicant,
        co_applicant_contact=co_applicant,
        plan=normalize_plan(data.get("plan")),
        budget=budget,
        budget_totals=budget_totals,
        additional_info=dict(data.get("additionalInfo") or {}) or None,
        sections=sections,
    )
    review = Review(
        id=review_id,
        application_type=application_type,
        req_org_id=state.req_org_id,
        req_org_contact_id=primary.req_org_contact_id,
        primary_report_id=primary.id,
        secondary_report_id=secondary.id if secondary else None,
        credit_report_source=primary.source,
        uw_org_id=uw_org_for(applicant["applicantState"]),
        section_ids=section_ids,
        revisions=[revision],
    )
    evaluate(state, review, revision)
    state.reviews[review.id] = review
    return review


def _budgets(
    budget: Mapping[str, Any] | None, version: Version
) -> tuple[JsonDict | None, JsonDict | None]:
    """(itemized V2 budget, V1 totals): a V1 input fills the totals, a V2 input the items."""
    if budget is None:
        return None, None
    if version == "V1":
        return None, dict(budget)
    return {"income": budget.get("income"), "expenses": budget.get("expenses")}, None


# --- Updating a review ------------------------------------------------------------------------


def _apply_edit(
    debt: ReviewDebt, edit: Mapping[str, Any], *, updated_by: str, from_revision: int
) -> None:
    changes = {key: value for key, value in edit.items() if key not in _CONTROL_KEYS}
    snapshot: JsonDict = {
        "isSelected": debt.is_selected,
        "coApplicantIsSelected": debt.co_applicant_is_selected,
        "exceptions": list(debt.exceptions),
        "source": debt.source,
        **{name: debt.fields.get(name) for name in _HISTORY_FIELDS},
        "updatedBy": updated_by,
        "fromRevision": from_revision,
    }
    changed = any(debt.fields.get(key) != value for key, value in changes.items())
    if "isSelected" in edit and edit["isSelected"] is not None:
        changed |= edit["isSelected"] != debt.is_selected
        debt.is_selected = edit["isSelected"]
    if "coApplicantIsSelected" in edit:
        changed |= edit["coApplicantIsSelected"] != debt.co_applicant_is_selected
        debt.co_applicant_is_selected = edit["coApplicantIsSelected"]
    if "exceptions" in edit:
        changed |= (edit["exceptions"] or []) != debt.exceptions
        debt.exceptions = list(edit["exceptions"] or [])
    if changes and debt.source == "CREDIT_REPORT":
        debt.is_overridden = debt.is_overridden or any(
            debt.fields.get(key) != value for key, value in changes.items()
        )
    debt.fields.update(changes)
    if changed:
        debt.history.append(snapshot)


def _check_edit(edit: Mapping[str, Any]) -> None:
    amount = edit.get("currentBalance")
    if amount is not None and amount < 0:
        raise BusinessError(VALIDATION_ERROR, "currentBalance must not be negative")


def _edit_sections(
    state: SandboxState,
    review: Review,
    revision: Revision,
    data: Mapping[str, Any],
    version: Version,
    updated_by: str,
    from_revision: int,
) -> None:
    sent = {
        section: as_dicts(as_dict(data.get(name))["debts"])
        for name, section in SECTION_INPUTS[version].items()
        if as_dict(data.get(name)).get("debts") is not None
    }
    for section in sent:
        if section not in review.section_ids:
            raise BusinessError(
                VALIDATION_ERROR, f"a {review.application_type} review has no {section} section"
            )
    if version == "V2":
        seen: dict[str, str] = {}
        for section, edits in sent.items():
            for edit in edits:
                debt_id = edit.get("id")
                if debt_id and seen.setdefault(debt_id, section) != section:
                    raise BusinessError(
                        VALIDATION_ERROR, f"debt {debt_id} appears in more than one section"
                    )
    for section, edits in sent.items():
        debts = revision.sections[section]
        by_id = {debt.id: debt for debt in debts}
        mentioned: set[str] = set()
        for edit in edits:
            _check_edit(edit)
            debt_id = edit.get("id")
            if debt_id:
                debt = by_id.get(debt_id)
                if debt is None:
                    raise BusinessError(
                        NOT_FOUND, f"debt {debt_id} is not in the {section} section"
                    )
                mentioned.add(debt_id)
                _apply_edit(debt, edit, updated_by=updated_by, from_revision=from_revision)
                continue
            new_debt = ReviewDebt(
                id=state.new_id("manual-debt", review.id, section),
                source="MANUAL",
                fields={key: value for key, value in edit.items() if key not in _CONTROL_KEYS},
                is_selected=edit.get("isSelected"),
                co_applicant_is_selected=edit.get("coApplicantIsSelected"),
                applicant_id=review.section_ids.get("applicant")
                if section != "coApplicant"
                else None,
                co_applicant_id=review.section_ids.get("coApplicant")
                if section != "applicant"
                else None,
                exceptions=list(edit.get("exceptions") or []),
            )
            mentioned.add(new_debt.id)
            debts.append(new_debt)
        revision.sections[section] = [
            debt for debt in debts if debt.source != "MANUAL" or debt.id in mentioned
        ]


def update_review(
    state: SandboxState,
    *,
    application_type: str,
    data: Mapping[str, Any],
    flow_type: str | None,
    version: Version,
    now: datetime | None = None,
) -> Review:
    review = find_review(state, data["id"])
    if application_type != review.application_type:
        raise BusinessError(
            VALIDATION_ERROR,
            f"review {review.id} is {review.application_type}; applicationType cannot change",
        )
    latest = review.latest
    sent_revision: int = data["revision"]
    if sent_revision < latest.number and sent_revision >= 1:
        raise BusinessError(
            "STALE_REVISION",
            f"revision {sent_revision} is not the latest revision ({latest.number}) of review "
            f"{review.id}; send the latest revision",
        )
    find_revision(review, sent_revision)
    updated_by: str = data["updatedBy"]

    revision = copy.deepcopy(latest)
    revision.number = latest.number + 1
    revision.created_at = now or state.now()
    revision.flow_type = flow_type
    revision.updated_by = updated_by
    revision.from_revision = latest.number
    revision.assessment = None
    revision.applicant_contact = {
        **latest.applicant_contact,
        **_checked_contact(data["applicantContactInfo"], "applicantContactInfo"),
    }
    co_contact = data.get("coApplicantContactInfo")
    if co_contact is not None:
        if review.application_type == "SINGLE":
            raise BusinessError(VALIDATION_ERROR, "a SINGLE review has no co-applicant")
        revision.co_applicant_contact = {
            **(latest.co_applicant_contact or {}),
            **_checked_contact(co_contact, "coApplicantContactInfo"),
        }
    for name, attribute in (("leadId", "lead_id"), ("agentAssigned", "agent_assigned")):
        if data.get(name) is not None:
            setattr(revision, attribute, data[name])
    if data.get("plan") is not None:
        revision.plan = normalize_plan(data["plan"])
    if data.get("budget") is not None:
        revision.budget, revision.budget_totals = _budgets(data["budget"], version)
    if data.get("additionalInfo") is not None:
        revision.additional_info = {**(latest.additional_info or {}), **data["additionalInfo"]}
    _edit_sections(state, review, revision, data, version, updated_by, latest.number)
    evaluate(state, review, revision)
    review.revisions.append(revision)
    return review
