"""The eligibility-review service (``/eligibility-review-service/graphql``, also served at the
legacy ``/underwriting-service/graphql``): V1 and V2 checks and updates, listings, configuration.

One projection serves V1 and V2: it carries both spellings of the section keys
(``applicantUwResult`` and ``applicantEligibilityReview``, ...) and a budget with both the V1
totals and the V2 items; GraphQL picks the fields each type declares. The V1 check flags resolve
from each object's ``failedChecks`` set (see ``bind_check_flags``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from decimal import Decimal

from graphql import GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema

from ._connections import matches_search, page_args, paginate, sort_items
from ._constants import (
    CONDITIONAL_CREDITOR_TYPES,
    ELIGIBILITY_QUESTIONS,
    ENROLLED_ELSEWHERE_SSN_SUFFIX,
    INELIGIBLE_ACCOUNT_TYPES,
    INELIGIBLE_CREDITOR_TYPES,
    INELIGIBLE_ECOA_CODES,
    LONG_MAX_TERM,
    LONG_TERM_DEBT_THRESHOLD,
    MIN_DEBT_BALANCE,
    MIN_TOTAL_ELIGIBLE_DEBT,
    SHORT_MAX_TERM,
    UNACCEPTABLE_CREDITOR_TYPES,
    UNSERVICED_STATES,
)
from ._dates import timestamp
from ._hashing import det_uuid
from ._payload_envelope import (
    VALIDATION_ERROR,
    BusinessError,
    ErrorShape,
    JsonDict,
    Payload,
    Problem,
    as_dicts,
    problem,
)
from ._records import DebtsResult, Review, ReviewDebt, Revision
from ._resolvers import RequestContext, ServiceResolvers
from ._reviews import (
    is_selected,
    monthly_budget,
    open_review,
    revision_problems,
    update_review,
    uw_org_for,
)
from ._rules import judge_debt, tradeline_metadata
from ._state import SandboxState
from ._validation import check_ssn, check_state

resolvers = ServiceResolvers("underwriting")

_EDGE_ERRORS = ErrorShape(message_is_list=True, has_debt_id=True)
_FLAG_TYPES = (
    "ApplicationRootFilters",
    "ApplicantRootFilters",
    "UwResultDebt",
    "UwDebtsResultDebt",
)


def bind_check_flags(schema: GraphQLSchema) -> None:
    """V1 check flags are true unless named in the parent object's ``failedChecks``."""

    def flag(name: str) -> Callable[..., bool]:
        def resolve(parent: JsonDict, _info: GraphQLResolveInfo) -> bool:
            return name not in parent.get("failedChecks", frozenset())

        return resolve

    for type_name in _FLAG_TYPES:
        object_type = schema.type_map[type_name]
        assert isinstance(object_type, GraphQLObjectType)
        for field_name, field in object_type.fields.items():
            if field_name.endswith("Check"):
                field.resolve = flag(field_name)


# --- Projections ------------------------------------------------------------------------------


def _number(amount: Decimal | None) -> float | None:
    return None if amount is None else float(amount)


def _contact_out(contact: JsonDict | None, req_org_id: str) -> JsonDict | None:
    return None if contact is None else {**contact, "belongsToCompanyId": req_org_id}


def _applicant_info(state: SandboxState, review: Review, revision: Revision) -> JsonDict:
    income, expenses = monthly_budget(revision)
    report = state.reports.get(review.primary_report_id)
    itemized = revision.budget or {}
    budget = (
        None
        if revision.budget is None and revision.budget_totals is None
        else {
            "totalMonthlyIncome": _number(income),
            "totalMonthlyExpense": _number(expenses),
            "income": itemized.get("income"),
            "expenses": itemized.get("expenses"),
        }
    )
    return {
        "publicRecords": report.public_records if report else [],
        "applicantContactInfo": _contact_out(revision.applicant_contact, review.req_org_id),
        "coApplicantContactInfo": _contact_out(revision.co_applicant_contact, review.req_org_id),
        "agentAssigned": revision.agent_assigned,
        "plan": revision.plan,
        "budget": budget,
        "additionalInfo": revision.additional_info,
    }


def _debt_out(debt: ReviewDebt, revision: Revision) -> JsonDict:
    verdict = revision.verdicts[debt.id]
    return {
        **debt.fields,
        "id": debt.id,
        "applicantId": debt.applicant_id,
        "coApplicantId": debt.co_applicant_id,
        "isSelected": bool(debt.is_selected),
        "coApplicantIsSelected": debt.co_applicant_is_selected,
        "eligibilityStatus": verdict.status,
        "isOverridden": debt.is_overridden,
        "exceptions": debt.exceptions,
        "history": debt.history,
        "historyJson": debt.history,
        "source": debt.source,
        "failedChecks": verdict.failed_checks,
    }


def _root_history(state: SandboxState, review: Review, revision: Revision) -> list[JsonDict]:
    """One entry per earlier revision: what it held and who moved it on."""
    entries: list[JsonDict] = []
    for earlier, later in zip(
        review.revisions[: revision.number - 1], review.revisions[1 : revision.number], strict=True
    ):
        entries.append(
            {
                "applicantInfo": _applicant_info(state, review, earlier),
                "leadId": earlier.lead_id,
                "updatedBy": later.updated_by,
                "fromRevision": earlier.number,
            }
        )
    return entries


def _section_out(
    state: SandboxState, review: Review, revision: Revision, section: str
) -> JsonDict | None:
    if section not in review.section_ids:
        return None
    assert revision.assessment is not None
    co = section == "coApplicant"
    report_id = review.secondary_report_id if co else review.primary_report_id
    report = state.reports.get(report_id or "")
    if review.application_type == "SINGLE":
        label = "SINGLE"
    else:
        label = "JOINT_CO_APPLICANT" if co else "JOINT_APPLICANT"
    return {
        "id": review.section_ids[section],
        "uwOrgId": review.uw_org_id,
        "reqOrgId": review.req_org_id,
        "revision": revision.number,
        "reqOrgContactId": report.req_org_contact_id if report else review.req_org_contact_id,
        "creditReportId": report_id,
        "coCreditReportId": review.secondary_report_id,
        "leadId": revision.lead_id,
        "applicationType": label,
        "applicantInfo": _applicant_info(state, review, revision),
        "rootFilters": {"failedChecks": revision.assessment.failed_applicant_checks},
        "debts": [_debt_out(debt, revision) for debt in revision.sections[section]],
        "creditReportSource": review.credit_report_source,
        "rootHistory": _root_history(state, review, revision),
        "createdAt": timestamp(revision.created_at),
    }


def _joint_out(state: SandboxState, review: Review, revision: Revision) -> JsonDict | None:
    if "joint" not in review.section_ids:
        return None
    pointers = {
        name: {"id": review.section_ids[section], "revision": revision.number}
        for name, section in (
            ("primaryApplicantUwResult", "applicant"),
            ("primaryApplicantEligibilityReview", "applicant"),
            ("coApplicantUwResult", "coApplicant"),
            ("coApplicantEligibilityReview", "coApplicant"),
        )
    }
    contacts = {
        "applicantContactInfo": _contact_out(revision.applicant_contact, review.req_org_id),
        "coApplicantContactInfo": _contact_out(revision.co_applicant_contact, review.req_org_id),
    }
    return {
        **pointers,
        "id": review.section_ids["joint"],
        "uwOrgId": review.uw_org_id,
        "reqOrgId": review.req_org_id,
        "revision": revision.number,
        "leadId": revision.lead_id,
        "creditReportId": review.primary_report_id,
        "coCreditReportId": review.secondary_report_id,
        "applicantInfo": contacts,
        "debts": [_debt_out(debt, revision) for debt in revision.sections["joint"]],
        "creditReportSource": review.credit_report_source,
        # ApplicantInfo entries also carry the JointUwApplicantInfo fields (the two contacts).
        "rootHistory": _root_history(state, review, revision),
        "createdAt": timestamp(revision.created_at),
    }


def review_out(state: SandboxState, review: Review, revision: Revision) -> JsonDict:
    """``UwEligibilityResult`` (V1) and ``UwEligibilityResultV2`` in one dict."""
    assessment = revision.assessment
    assert assessment is not None
    metadata = tradeline_metadata(debt.fields for debt in revision.all_debts() if is_selected(debt))
    application = {
        "applicantPrequalified": assessment.prequalified,
        "applicationPassable": assessment.passable,
        "applicationType": review.application_type,
        "rootFilters": {"failedChecks": assessment.failed_application_checks},
        "totalDebt": float(assessment.total_debt),
        "totalEligibleDebt": float(assessment.total_eligible_debt),
        "tradelineMetadata": metadata,
    }
    applicant = _section_out(state, review, revision, "applicant")
    co_applicant = _section_out(state, review, revision, "coApplicant")
    joint = _joint_out(state, review, revision)
    return {
        "id": review.id,
        "revision": revision.number,
        "applicationUwResult": application,
        "applicationEligibilityReview": application,
        "applicantUwResult": applicant,
        "applicantEligibilityReview": applicant,
        "coApplicantUwResult": co_applicant,
        "coApplicantEligibilityReview": co_applicant,
        "jointUwResult": joint,
        "jointEligibilityReview": joint,
        "tradelineMetadata": metadata,
        "maxTerm": assessment.max_term,
        "createdAt": timestamp(revision.created_at),
    }


def _review_payload(state: SandboxState, review: Review) -> Payload:
    return Payload(review_out(state, review, review.latest), revision_problems(review.latest))


# --- Checks and updates -----------------------------------------------------------------------


@resolvers.mutation("checkApplicantEligibility")
def check_v1(context: RequestContext, args: JsonDict) -> Payload:
    review = open_review(
        context.state,
        application_type=args["applicationType"],
        data=args["input"],
        flow_type=None,
        version="V1",
    )
    return _review_payload(context.state, review)


@resolvers.mutation("checkApplicantEligibilityV2")
def check_v2(context: RequestContext, args: JsonDict) -> Payload:
    review = open_review(
        context.state,
        application_type=args["applicationType"],
        data=args["input"],
        flow_type=args.get("flowType"),
        version="V2",
    )
    return _review_payload(context.state, review)


@resolvers.mutation("updateApplicantEligibility")
def update_v1(context: RequestContext, args: JsonDict) -> Payload:
    review = update_review(
        context.state,
        application_type=args["applicationType"],
        data=args["updatedUWFields"],
        flow_type=None,
        version="V1",
    )
    return _review_payload(context.state, review)


@resolvers.mutation("updateApplicantEligibilityV2")
def update_v2(context: RequestContext, args: JsonDict) -> Payload:
    review = update_review(
        context.state,
        application_type=args["applicationType"],
        data=args["updatedUWFields"],
        flow_type=args.get("flowType"),
        version="V2",
    )
    return _review_payload(context.state, review)


# --- Listings ---------------------------------------------------------------------------------


def _list_reviews(context: RequestContext, args: JsonDict) -> JsonDict:
    state = context.state
    where: JsonDict = args.get("where") or {}
    rows: list[tuple[Review, Revision]] = [
        (review, revision)
        for review in state.reviews.values()
        for revision in review.revisions
        if where.get("reqOrgId") in (None, review.req_org_id)
        and where.get("reqOrgContactId") in (None, review.req_org_contact_id)
        and where.get("leadId") in (None, revision.lead_id)
        and where.get("uwResultId") in (None, review.id)
        and where.get("revision") in (None, revision.number)
        and matches_search(
            args.get("search"),
            (
                review.id,
                review.req_org_contact_id,
                revision.lead_id,
                revision.agent_assigned,
                revision.applicant_contact.get("firstName"),
                revision.applicant_contact.get("lastName"),
            ),
        )
    ]
    ordered = sort_items(
        rows,
        args.get("order"),
        {
            "createdAt": lambda row: row[1].created_at,
            "reqOrgContactId": lambda row: row[0].req_org_contact_id,
        },
    )
    page = paginate(ordered, lambda row: f"{row[0].id}#{row[1].number}", **page_args(args))
    return page.connection(
        lambda cursor, row: {
            "cursor": cursor,
            "node": review_out(state, *row),
            "errors": _EDGE_ERRORS.render(revision_problems(row[1])),
        }
    )


@resolvers.query("uwResults")
def uw_results(context: RequestContext, args: JsonDict) -> JsonDict:
    return _list_reviews(context, args)


@resolvers.query("eligibilityReviews")
def eligibility_reviews(context: RequestContext, args: JsonDict) -> JsonDict:
    return _list_reviews(context, args)


def _debts_result_out(state: SandboxState, result: DebtsResult) -> JsonDict:
    latest = [r for r in state.debts_results if r.req_org_contact_id == result.req_org_contact_id]
    return {
        "id": result.id,
        "reqOrgId": result.req_org_id,
        "uwOrgId": result.uw_org_id,
        "reqOrgContactId": result.req_org_contact_id,
        "leadId": result.lead_id,
        "configRevision": 1,
        "applicationType": result.application_type,
        "applicantInfo": {"applicantContactInfo": result.applicant_contact},
        "debts": result.debts,
        "isLatestRevision": latest[-1] is result,
        "updatedAt": timestamp(result.created_at),
        "createdAt": timestamp(result.created_at),
    }


@resolvers.query("debtsUwResults")
def debts_uw_results(context: RequestContext, args: JsonDict) -> JsonDict:
    state = context.state
    where: JsonDict = args.get("where") or {}
    rows = [
        (result, _debts_result_out(state, result))
        for result in state.debts_results
        if where.get("reqOrgId") in (None, result.req_org_id)
        and where.get("reqOrgContactId") in (None, result.req_org_contact_id)
        and where.get("leadId") in (None, result.lead_id)
        and where.get("uwResultId") in (None, result.id)
        and matches_search(
            args.get("search"), (result.id, result.req_org_contact_id, result.lead_id)
        )
    ]
    rows = [
        row for row in rows if where.get("isLatestRevision") in (None, row[1]["isLatestRevision"])
    ]
    ordered = sort_items(
        rows,
        args.get("order"),
        {
            "createdAt": lambda row: row[0].created_at,
            "reqOrgContactId": lambda row: row[0].req_org_contact_id,
        },
    )
    page = paginate(ordered, lambda row: row[0].id, **page_args(args))
    return page.connection(
        lambda cursor, row: {
            "cursor": cursor,
            "node": row[1],
            "errors": _EDGE_ERRORS.render(row[0].problems),
        }
    )


# --- The other operations ---------------------------------------------------------------------


def _config(value: object) -> str:
    return json.dumps(value, sort_keys=True)


def _codes(values: Iterable[str]) -> list[str]:
    return sorted(values)


@resolvers.query("uwConfig")
def uw_config(context: RequestContext, args: JsonDict) -> JsonDict:
    if not args["reqOrgId"].strip():
        raise BusinessError(VALIDATION_ERROR, "reqOrgId must not be empty")
    state_code: str | None = args.get("state")
    check_state(state_code)
    uw_org: str = args.get("uwOrgId") or uw_org_for(state_code)
    if uw_org not in ("ALV", "GLG"):
        raise BusinessError(VALIDATION_ERROR, "uwOrgId must be ALV or GLG")
    return {
        "id": det_uuid("uw-config", args["reqOrgId"], uw_org),
        "reqOrgId": args["reqOrgId"],
        "reqOrgName": context.state.req_org_id,
        "uwOrgId": uw_org,
        "revision": 1,
        "debtFilterConfig": _config(
            {
                "minimumBalance": f"{MIN_DEBT_BALANCE:.2f}",
                "ineligibleAccountTypes": _codes(INELIGIBLE_ACCOUNT_TYPES),
                "ineligibleCreditorTypes": _codes(INELIGIBLE_CREDITOR_TYPES),
                "unacceptableCreditorTypes": _codes(UNACCEPTABLE_CREDITOR_TYPES),
                "ineligibleEcoaCodes": _codes(INELIGIBLE_ECOA_CODES),
            }
        ),
        "rootFilterConfig": _config(
            {
                "minimumTotalEligibleDebt": f"{MIN_TOTAL_ELIGIBLE_DEBT:.2f}",
                "unservicedStates": _codes(UNSERVICED_STATES),
            }
        ),
        "aggregateDebtsFilterConfig": _config(
            {
                "maxTermThreshold": f"{LONG_TERM_DEBT_THRESHOLD:.2f}",
                "maxTermBelowThreshold": SHORT_MAX_TERM,
                "maxTermFromThreshold": LONG_MAX_TERM,
            }
        ),
        "postDebtFilterConfig": _config(
            {"conditionalCreditorTypes": _codes(CONDITIONAL_CREDITOR_TYPES)}
        ),
        "prescreenFilterConfig": _config({"mustAnswerNo": list(ELIGIBILITY_QUESTIONS)}),
        "uwSettingsConfig": _config({"flowTypes": ["OPENER", "FULL_REVIEW"], "stateOrg": uw_org}),
        "notesConfig": _config({}),
        "updatedBy": "sandbox",
    }


@resolvers.mutation("checkEnrollmentEligibility")
def check_enrollment_eligibility(context: RequestContext, args: JsonDict) -> JsonDict:
    ssn: str = args["ssn"]
    check_ssn(ssn)
    if ssn.endswith(ENROLLED_ELSEWHERE_SSN_SUFFIX):
        return {
            "eligibility": "INELIGIBLE",
            "reason": "ACTIVE_PROGRAM: enrolled in another program",
        }
    if any(e.applicant_ssn == ssn for e in context.state.enrollments.values()):
        return {"eligibility": "INELIGIBLE", "reason": "ALREADY_ENROLLED: an enrollment exists"}
    return {"eligibility": "ELIGIBLE", "reason": None}


@resolvers.mutation("checkDebtsEligibility")
def check_debts_eligibility(context: RequestContext, args: JsonDict) -> Payload:
    state = context.state
    data: JsonDict = args["input"]
    info: JsonDict = dict(data["applicantInfo"])
    check_state(info["applicantState"], "applicantInfo.applicantState")
    contact_id: str = data["contactId"]
    enrolled_accounts = frozenset(
        str(debt["accountNumber"])
        for debt in as_dicts(data.get("enrolledDebts"))
        if debt.get("accountNumber")
    )
    debts: list[JsonDict] = []
    problems: list[Problem] = []
    if info["applicantState"] in UNSERVICED_STATES:
        problems.append(
            problem(
                "STATE_NOT_SERVICED",
                f"the applicant's state {info['applicantState']} is not serviced",
            )
        )
    for given in as_dicts(data["unenrolledDebts"]):
        verdict = judge_debt(
            given,
            manual=False,
            employer=info.get("employerName"),
            enrolled_accounts=enrolled_accounts,
        )
        debt_id = given.get("id") or state.new_id("checked-debt", contact_id)
        selected = given.get("isSelected")
        debts.append(
            {
                **given,
                "id": debt_id,
                "isSelected": verdict.status != "INELIGIBLE" if selected is None else selected,
                "isOverridden": bool(given.get("isOverridden")),
                "eligibilityStatus": verdict.status,
                "exceptions": [],
                "failedChecks": verdict.failed_checks,
            }
        )
        if verdict.status != "ELIGIBLE":
            problems.append(Problem(verdict.reasons, debt_id))
    result = DebtsResult(
        id=state.new_id("debts-result", contact_id),
        req_org_id=state.req_org_id,
        req_org_contact_id=contact_id,
        lead_id=data.get("leadId"),
        uw_org_id=uw_org_for(info["applicantState"]),
        application_type=args["applicationType"],
        applicant_contact=info,
        debts=debts,
        created_at=state.now(),
        problems=problems,
    )
    state.debts_results.append(result)
    return Payload(_debts_result_out(state, result), problems)
