"""The enrollment service (``/enrollment-service/graphql``): enrollments and live transfers.

An enrollment runs its 8 steps one at a time, and every ``enrollmentStatus`` poll moves it on by
one step: the first poll shows ``qaCall`` IN_PROGRESS, each later poll completes the running step
and starts the next, so a run ends by the 9th poll. Steps with nothing to do are SKIPPED from
the start: ``createNotes`` without notes, ``createDocuments`` without documents,
``createBankAccount`` when the review has no routing and account number, ``createBudget`` when
neither the review nor ``planDetails`` has a budget. ``contactId`` appears once ``createContact``
is COMPLETED. A ``leadId`` ending in ``-fail-bank`` makes ``createBankAccount`` FAILED; the
steps after it are then SKIPPED and the payload carries a ``STEP_FAILED`` error. A scenario
(``Scenarios.fail_step``) can make any step fail, for one lead or for all.
"""

from __future__ import annotations

from ._constants import ENROLLMENT_FAIL_BANK_SUFFIX
from ._hashing import det_choice, det_digits
from ._payload_envelope import (
    NOT_FOUND,
    VALIDATION_ERROR,
    BusinessError,
    JsonDict,
    Payload,
    as_dicts,
    problem,
)
from ._records import Enrollment
from ._resolvers import RequestContext, ServiceResolvers
from ._reviews import find_review
from ._state import SandboxState
from ._validation import check_email, check_phone

resolvers = ServiceResolvers("enrollment")

STEPS = (
    "qaCall",
    "createContact",
    "createEnrollmentPlan",
    "createNotes",
    "createDebts",
    "createBudget",
    "createBankAccount",
    "createDocuments",
)
DIALERS = ("regal", "convoso")
LANGUAGES = ("1", "2")


def step_statuses(enrollment: Enrollment) -> tuple[dict[str, str], str | None]:
    """Each step's status after ``enrollment.polls`` polls, and the failed step if any."""
    runnable = [step for step in STEPS if step not in enrollment.skipped_steps]
    statuses = {step: "SKIPPED" for step in enrollment.skipped_steps}
    finished = enrollment.polls - 1  # steps done so far; the one after them is running
    failed: str | None = None
    for index, step in enumerate(runnable):
        if failed is not None:  # the run stopped: nothing after the failure happens
            statuses[step] = "SKIPPED"
        elif index < finished:
            if step == enrollment.failing_step:
                statuses[step], failed = "FAILED", step
            else:
                statuses[step] = "COMPLETED"
        else:
            statuses[step] = "IN_PROGRESS" if index == finished else "PENDING"
    return {step: statuses[step] for step in STEPS}, failed


def status_payload(enrollment: Enrollment) -> Payload:
    statuses, failed = step_statuses(enrollment)
    data: JsonDict = {
        **statuses,
        "contactId": enrollment.contact_id if statuses["createContact"] == "COMPLETED" else None,
    }
    errors = [problem("STEP_FAILED", f"{failed} failed in the CRM")] if failed else []
    return Payload(data, errors)


def start_enrollment(
    state: SandboxState,
    *,
    og_id: str,
    lead_id: str,
    has_notes: bool,
    has_documents: bool,
    has_plan_budget: bool,
    enrollment_id: str | None = None,
) -> Enrollment:
    saved = state.offers.get(og_id)
    if saved is None:
        raise BusinessError(NOT_FOUND, f"no saved offer with ogId {og_id}")
    review = find_review(state, saved.uw_result_id, "uwResultId")
    revision = review.revision(saved.revision) or review.latest
    contact = revision.applicant_contact
    skipped = {
        step
        for step, skip in (
            ("createNotes", not has_notes),
            ("createDocuments", not has_documents),
            (
                "createBankAccount",
                not (contact.get("routingNumber") and contact.get("bankAccountNumber")),
            ),
            ("createBudget", not (revision.budget or revision.budget_totals or has_plan_budget)),
        )
        if skip
    }
    failing = state.scenarios.failing_step(lead_id) or (
        "createBankAccount" if lead_id.endswith(ENROLLMENT_FAIL_BANK_SUFFIX) else None
    )
    if failing:
        skipped.discard(failing)
    enrollment_id = enrollment_id or state.new_id("enrollment", og_id, lead_id)
    report = state.reports.get(review.primary_report_id)
    ssn = contact.get("ssn") or (report.applicant.get("ssn") if report else None)
    enrollment = Enrollment(
        id=enrollment_id,
        og_id=og_id,
        lead_id=lead_id,
        created_at=state.now(),
        contact_id=det_digits(9, "crm-contact", enrollment_id),
        skipped_steps=frozenset(skipped),
        failing_step=failing,
        applicant_ssn=ssn if isinstance(ssn, str) else None,
    )
    state.enrollments[enrollment.id] = enrollment
    return enrollment


@resolvers.mutation("createEnrollment")
def create_enrollment(context: RequestContext, args: JsonDict) -> JsonDict:
    data: JsonDict = args["input"]
    state = context.state
    if not data["leadId"].strip():
        raise BusinessError(VALIDATION_ERROR, "leadId must not be empty")
    contact: JsonDict = data["contactInfo"]
    if contact.get("language") not in (None, *LANGUAGES):
        raise BusinessError(VALIDATION_ERROR, "contactInfo.language must be '1' or '2'")
    documents = as_dicts(contact.get("documents"))
    for document in documents:
        if not str(document["fileUrl"]).startswith(("https://", "http://")):
            raise BusinessError(VALIDATION_ERROR, "documents[].fileUrl must be an http(s) URL")
    existing = next((e for e in state.enrollments.values() if e.og_id == data["ogId"]), None)
    if existing:  # one enrollment per saved offer; asking again returns it
        return {"enrollmentId": existing.id}
    plan_details: JsonDict = data.get("planDetails") or {}
    enrollment = start_enrollment(
        state,
        og_id=data["ogId"],
        lead_id=data["leadId"],
        has_notes=any(contact.get("notes") or []),
        has_documents=bool(documents),
        has_plan_budget=bool(plan_details.get("income") or plan_details.get("expenses")),
    )
    return {"enrollmentId": enrollment.id}


@resolvers.query("enrollmentStatus")
def enrollment_status(context: RequestContext, args: JsonDict) -> Payload:
    enrollment = context.state.enrollments.get(args["enrollmentId"])
    if enrollment is None:
        raise BusinessError(NOT_FOUND, f"no enrollment with enrollmentId {args['enrollmentId']}")
    enrollment.polls += 1
    return status_payload(enrollment)


def _transfer(state: SandboxState, key: str, phone: str | None) -> JsonDict:
    provider = det_choice(DIALERS, "dialer", key)
    if not phone:
        return {
            "sigmaLeadId": None,
            "dialerStatus": "failed: the applicant has no phone number",
            "dialerProvider": provider,
            "marketingLeadId": None,
        }
    return {
        "sigmaLeadId": "00Q"
        + det_digits(12, "sigma-lead", key, state.new_id("live-transfer", key)),
        "dialerStatus": "success",
        "dialerProvider": provider,
        "marketingLeadId": state.new_id("marketing-lead", key),
    }


@resolvers.mutation("createLiveTransfer")
def create_live_transfer(context: RequestContext, args: JsonDict) -> JsonDict:
    review = find_review(
        context.state, args["input"]["underwritingResultId"], "underwritingResultId"
    )
    contact = review.latest.applicant_contact
    return _transfer(context.state, review.id, contact.get("cellPhone") or contact.get("phone"))


@resolvers.mutation("createMinimalLiveTransfer")
def create_minimal_live_transfer(context: RequestContext, args: JsonDict) -> JsonDict:
    data: JsonDict = args["input"]
    for name in ("firstName", "lastName"):
        if not data[name].strip():
            raise BusinessError(VALIDATION_ERROR, f"{name} must not be empty")
    check_phone(data["phone"])
    check_email(data["email"])
    return _transfer(context.state, data["email"].casefold(), data["phone"])
