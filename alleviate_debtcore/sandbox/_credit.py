"""The credit service (``/credit-service/graphql``): reports, creditors and consumer consent."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Mapping
from typing import Any, cast

from ._constants import (
    KBA_CORRECT_ANSWERS,
    KBA_UNAVAILABLE_SSN_PREFIX,
    SMS_EXPIRED_CODE,
    SMS_LOCKOUT,
    SMS_MAX_FAILED_ATTEMPTS,
    SMS_PASS_CODE,
    SMS_REQUIRES_KBA_SUFFIX,
    SMS_UNABLE_TO_SEND_SUFFIX,
)
from ._dates import parse_iso_date, parse_timestamp, timestamp
from ._hashing import det_hex, det_uuid
from ._pagination import matches_search, paginate, sort_items
from ._payloads import NOT_FOUND, VALIDATION_ERROR, BusinessError, JsonDict
from ._pdf import tiny_pdf
from ._records import Creditor, CreditReport, Verification
from ._resolvers import RequestContext, ServiceResolvers
from ._state import SandboxState
from ._tradelines import score, tradelines
from ._validation import (
    check_birth_date,
    check_e164,
    check_email,
    check_identity,
    check_phone,
    check_ssn,
    check_state,
    check_zip,
    require_fields,
)

resolvers = ServiceResolvers("credit")

_NAME = ("firstName", "lastName")
_ADDRESS = ("addressLine1", "city", "state")
REQUIRED_PULL_FIELDS: Mapping[str, tuple[str, ...]] = {
    "SPINWHEEL": (),
    "CRS_TRANSUNION": (*_NAME, *_ADDRESS, "zip"),
    "CRS_EQUIFAX": (*_NAME, "ssn", *_ADDRESS),
    "ARRAY_EQUIFAX": (*_NAME, "ssn", "dob", *_ADDRESS, "zip"),
    "ARRAY_EQUIFAX_KBA": ("userVerificationId",),
    "CRS_STANDARD_PREQUAL_VANTAGE4_TU": (*_NAME, "ssn", *_ADDRESS, "zip"),
}
_TRANSUNION_SOURCES = frozenset(
    {"CRS_TRANSUNION", "CRS_STANDARD_PREQUAL_VANTAGE4_TU", "CRS_STANDARD_PREQUAL_VANTAGE4"}
)
_CRS_RAW_FORMATS = frozenset({"CRS_TRANSUNION", "CRS_EQUIFAX", "CRS_STANDARD_PREQUAL_VANTAGE4"})
_IDENTITY_FIELDS = (
    "firstName",
    "middleName",
    "lastName",
    "suffix",
    "ssn",
    "dob",
    "addressLine1",
    "addressLine2",
    "city",
    "state",
    "zip",
)
_FALLBACK_STATES = ("TX", "CA", "FL", "GA", "IL", "AZ")
MAX_REPORT_ID_FILTER = 20


# --- Reports ----------------------------------------------------------------------------------


def find_report(state: SandboxState, report_id: str, field: str = "creditReportId") -> CreditReport:
    report = state.reports.get(report_id)
    if report is None:
        raise BusinessError(NOT_FOUND, f"no credit report with {field} {report_id}")
    return report


def find_creditor_by_name(state: SandboxState, name: str) -> Creditor | None:
    wanted = name.strip().casefold()
    return next((c for c in state.creditors.values() if c.name.casefold() == wanted), None)


def add_creditor(state: SandboxState, name: str, creditor_id: str | None = None) -> Creditor:
    """The creditor called ``name`` (case-insensitive), created if it is new."""
    existing = find_creditor_by_name(state, name)
    if existing:
        return existing
    name = name.strip()
    # The longest existing name that prefixes this one is its parent ("Capital One Bank").
    parents = [
        c for c in state.creditors.values() if name.casefold().startswith(c.name.casefold() + " ")
    ]
    parent = max(parents, key=lambda c: len(c.name), default=None)
    creditor = Creditor(
        id=creditor_id or "cred-" + det_hex(10, "creditor", name.casefold()),
        name=name,
        created_at=state.now(),
        parent_id=parent.id if parent else None,
        parent_name=parent.name if parent else None,
    )
    state.creditors[creditor.id] = creditor
    return creditor


def store_report(
    state: SandboxState,
    *,
    contact: str,
    source: str,
    applicant: JsonDict,
    lead_id: str | None,
    requested_at: str | None,
    salt: str = "",
    report_id: str | None = None,
) -> CreditReport:
    """Build the applicant's deterministic file and store it as a completed report."""
    report_id = report_id or state.new_id("credit-report", contact, source)
    debts: list[JsonDict] = []
    for index, line in enumerate(tradelines(applicant, salt=salt)):
        creditor = add_creditor(state, line["creditorName"])
        debts.append(
            {
                **line,
                "id": det_uuid(report_id, "debt", index),
                "creditorId": creditor.id,
                "parentCreditorId": creditor.parent_id,
                "parentCreditorName": creditor.parent_name,
                "applicantState": applicant.get("state"),
                "applicantId": None,
                "coApplicantId": None,
                "bankruptcyDateFiled": None,
            }
        )
    bureau = "TransUnion" if source in _TRANSUNION_SOURCES else "Equifax"
    report = CreditReport(
        id=report_id,
        req_org_id=state.req_org_id,
        req_org_contact_id=contact,
        source=source,
        created_at=state.now(),
        applicant={name: applicant.get(name) for name in _IDENTITY_FIELDS},
        debts=debts,
        scores=[score(applicant, bureau)] if debts else [],
        credit_report_user_id="cru-" + det_hex(12, "credit-report-user", contact, source),
        lead_id=lead_id,
        report_requested_at=requested_at or state.now().date().isoformat(),
    )
    state.reports[report.id] = report
    return report


def _pull_applicant(state: SandboxState, data: JsonDict) -> tuple[JsonDict, str]:
    """The identity to build the file from, and a salt when that identity is thin."""
    source = data["creditReportSource"]
    given = {name: data.get(name) for name in _IDENTITY_FIELDS if data.get(name)}
    if source == "ARRAY_EQUIFAX_KBA":
        verification = state.verifications.get(data["userVerificationId"])
        if verification is None:
            raise BusinessError(
                NOT_FOUND, f"no user verification with id {data['userVerificationId']}"
            )
        if verification.status != "PASSED":
            raise BusinessError("CONSENT_REQUIRED", "the user verification has not PASSED")
        return {**verification.identity, **given}, ""
    if source == "SPINWHEEL":
        verification = _verification(state, data["reqOrgContactId"])
        if verification is None or verification.status != "PASSED":
            raise BusinessError(
                "CONSENT_REQUIRED",
                "SPINWHEEL pulls need PASSED SMS or KBA consent for this reqOrgContactId",
            )
        applicant = {**verification.identity, **given}
        return applicant, "" if applicant.get("ssn") else data["reqOrgContactId"]
    return given, ""


def _pull_result(report: CreditReport) -> JsonDict:
    return {
        "creditReportId": report.id,
        "reqOrgContactId": report.req_org_contact_id,
        "leadId": report.lead_id,
        "applicantResidenceState": report.state,
        "publicRecords": report.public_records,
        "source": report.source,
        "reportStatus": report.report_status,
        "fileStatus": report.file_status,
        "debts": report.debts,
    }


@resolvers.mutation("pullCreditReport")
def pull_credit_report(context: RequestContext, args: JsonDict) -> JsonDict:
    data: JsonDict = args["input"]
    source: str = data["creditReportSource"]
    require_fields(data, REQUIRED_PULL_FIELDS[source], f"for {source}")
    check_identity(data)
    applicant, salt = _pull_applicant(context.state, data)
    report = store_report(
        context.state,
        contact=data["reqOrgContactId"],
        source=source,
        applicant=applicant,
        lead_id=data.get("leadId"),
        requested_at=None,
        salt=salt,
    )
    return _pull_result(report)


def _walk(value: object, depth: int = 0) -> Iterator[tuple[str, object]]:
    if depth > 8:
        return
    if isinstance(value, dict):
        for key, item in value.items():  # pyright: ignore[reportUnknownVariableType]
            yield str(key), item  # pyright: ignore[reportUnknownArgumentType]
            yield from _walk(item, depth + 1)  # pyright: ignore[reportUnknownArgumentType]
    elif isinstance(value, list):
        for item in value:  # pyright: ignore[reportUnknownVariableType]
            yield from _walk(item, depth + 1)  # pyright: ignore[reportUnknownArgumentType]


def _raw_identity(raw: object) -> JsonDict:
    """Best-effort identity from a vendor report: the first plausible value for each field."""
    aliases = {
        "firstname": "firstName",
        "lastname": "lastName",
        "ssn": "ssn",
        "dob": "dob",
        "dateofbirth": "dob",
        "state": "state",
        "statecode": "state",
        "zip": "zip",
        "zipcode": "zip",
        "postalcode": "zip",
    }
    found: JsonDict = {}
    for key, value in _walk(raw):
        name = aliases.get(key.replace("_", "").casefold())
        if name and name not in found and isinstance(value, str) and value.strip():
            found[name] = value.strip()
    state = found.get("state")
    if not (isinstance(state, str) and len(state) == 2 and state.isalpha()):
        found.pop("state", None)
    return found


@resolvers.mutation("normalizeRawReport")
def normalize_raw_report(context: RequestContext, args: JsonDict) -> JsonDict:
    data: JsonDict = args["input"]
    report_type: str = data["reportType"]
    raw_json: object = data["reportJson"]
    if not isinstance(raw_json, dict):
        raise BusinessError(VALIDATION_ERROR, "reportJson must be a JSON object")
    raw = cast(JsonDict, raw_json)
    requested_at = data.get("reportRequestedAt")
    if report_type in _CRS_RAW_FORMATS and not requested_at:
        raise BusinessError(
            VALIDATION_ERROR, f"reportRequestedAt (YYYY-MM-DD) is required for {report_type}"
        )
    if requested_at is not None and parse_iso_date(requested_at) is None:
        raise BusinessError(VALIDATION_ERROR, "reportRequestedAt must be a date in YYYY-MM-DD form")
    salt = det_hex(16, "raw-report", report_type, raw)
    applicant = _raw_identity(raw)
    applicant["state"] = (
        applicant.get("state", "").upper() or _FALLBACK_STATES[int(salt[:4], 16) % 6]
    )
    state = context.state
    report = store_report(
        state,
        contact=data["reqOrgContactId"],
        source=report_type,
        applicant=applicant,
        lead_id=data.get("leadId"),
        requested_at=requested_at,
        salt=salt,
    )
    report.pdf = _decode_pdf(data.get("pdfBase64"))
    secondary_id = None
    secondary_contact = data.get("reqOrgSecondaryContactId")
    if secondary_contact:
        secondary = store_report(
            state,
            contact=secondary_contact,
            source=report_type,
            applicant={"state": applicant["state"]},
            lead_id=data.get("leadId"),
            requested_at=requested_at,
            salt=salt + ":co-applicant",
        )
        secondary_id = secondary.id
    return {
        "creditReportId": report.id,
        "secondaryCreditReportId": secondary_id,
        "reqOrgContactId": report.req_org_contact_id,
        "applicantResidenceState": report.state,
        "debts": report.debts,
    }


def _decode_pdf(text: str | None) -> bytes | None:
    """The uploaded PDF, or None when it is absent or not a base64 PDF (then one is made up)."""
    if not text:
        return None
    try:
        content = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return content if content.startswith(b"%PDF") else None


@resolvers.query("creditReport")
def credit_report(context: RequestContext, args: JsonDict) -> JsonDict:
    return find_report(context.state, args["input"]["creditReportId"]).node()


@resolvers.query("downloadCreditReport")
def download_credit_report(context: RequestContext, args: JsonDict) -> str:
    report = find_report(context.state, args["input"]["creditReportId"])
    pdf = report.pdf or tiny_pdf(f"Debt Core sandbox credit report {report.id}")
    return base64.b64encode(pdf).decode("ascii")


@resolvers.query("creditReports")
def credit_reports(context: RequestContext, args: JsonDict) -> JsonDict:
    where: JsonDict = args.get("where") or {}
    wanted_ids: list[str] | None = where.get("creditReportIds")
    if wanted_ids is not None and len(wanted_ids) > MAX_REPORT_ID_FILTER:
        raise BusinessError(
            VALIDATION_ERROR, f"creditReportIds takes at most {MAX_REPORT_ID_FILTER} IDs"
        )
    reports = [
        report
        for report in context.state.reports.values()
        if (where.get("reqOrgContactId") in (None, report.req_org_contact_id))
        and (where.get("source") in (None, report.source))
        and (wanted_ids is None or report.id in wanted_ids)
        and matches_search(
            args.get("search"),
            (
                report.id,
                report.req_org_contact_id,
                report.lead_id,
                report.source,
                report.applicant.get("firstName"),
                report.applicant.get("lastName"),
            ),
        )
    ]
    ordered = sort_items(
        reports,
        args.get("order"),
        {
            "createdAt": lambda report: report.created_at,
            "reqOrgContactId": lambda report: report.req_org_contact_id,
        },
    )
    page = paginate(ordered, lambda report: report.id, **_page_args(args))
    return page.connection(lambda cursor, report: {"cursor": cursor, "node": report.node()})


def _page_args(args: JsonDict) -> dict[str, Any]:
    return {name: args.get(name) for name in ("first", "last", "after", "before", "skip")}


@resolvers.mutation("addLeadIdToCreditReport")
def add_lead_id(context: RequestContext, args: JsonDict) -> JsonDict:
    data: JsonDict = args["input"]
    if not data["leadId"].strip():
        raise BusinessError(VALIDATION_ERROR, "leadId must not be empty")
    report = find_report(context.state, data["creditReportId"])
    report.lead_id = data["leadId"]
    return report.node()


def joint_key(debt: Mapping[str, Any]) -> tuple[str, str] | None:
    """Joint-ownership accounts are matched across two files by creditor and account number."""
    if debt.get("ecoaCode") != "J":
        return None
    return (str(debt.get("creditorName")), str(debt.get("accountNumber")))


@resolvers.mutation("jointCreditReport")
def joint_credit_report(context: RequestContext, args: JsonDict) -> JsonDict:
    data: JsonDict = args["input"]
    state = context.state
    primary = find_report(state, data["primaryReportId"], "primaryReportId")
    secondary = find_report(state, data["secondaryReportId"], "secondaryReportId")
    if primary.id == secondary.id:
        raise BusinessError(VALIDATION_ERROR, "primaryReportId and secondaryReportId are the same")
    if primary.source != secondary.source:
        raise BusinessError(
            VALIDATION_ERROR,
            f"both reports must come from the same vendor ({primary.source} vs {secondary.source})",
        )
    joint_id = state.new_id("joint-credit-report", primary.id, secondary.id)
    shared = {joint_key(debt) for debt in secondary.debts} - {None}
    merged: list[JsonDict] = []
    for debt in primary.debts:
        both = joint_key(debt) in shared
        merged.append(
            {**debt, "applicantId": primary.id, "coApplicantId": secondary.id if both else None}
        )
    primary_keys = {joint_key(debt) for debt in primary.debts} - {None}
    merged.extend(  # the co-applicant's debts, less the shared ones already listed
        {**debt, "applicantId": None, "coApplicantId": secondary.id}
        for debt in secondary.debts
        if joint_key(debt) not in primary_keys
    )
    joint = CreditReport(
        id=joint_id,
        req_org_id=state.req_org_id,
        req_org_contact_id=primary.req_org_contact_id,
        source=primary.source,
        created_at=state.now(),
        applicant=dict(primary.applicant),
        debts=merged,
        scores=primary.scores + secondary.scores,
        credit_report_user_id=primary.credit_report_user_id,
        lead_id=primary.lead_id,
        report_requested_at=primary.report_requested_at,
    )
    state.reports[joint.id] = joint
    return {
        "creditReportId": joint.id,
        "normalizedPrimaryApplicantReport": primary.node(),
        "normalizedCoApplicantReport": secondary.node(),
        "jointDebts": merged,
    }


# --- Creditors --------------------------------------------------------------------------------


def _creditor_node(creditor: Creditor) -> JsonDict:
    return {
        "creditorId": creditor.id,
        "creditorName": creditor.name,
        "createdAt": timestamp(creditor.created_at),
    }


@resolvers.query("creditors")
def creditors(context: RequestContext, args: JsonDict) -> JsonDict:
    where: JsonDict = args.get("where") or {}
    after_text = where.get("updatedAfter")
    updated_after = parse_timestamp(after_text) if after_text else None
    if after_text and updated_after is None:
        raise BusinessError(VALIDATION_ERROR, "updatedAfter must be an ISO-8601 timestamp")
    found = [
        creditor
        for creditor in context.state.creditors.values()
        if (updated_after is None or creditor.created_at > updated_after)
        and matches_search(args.get("search"), (creditor.name,))
    ]
    found.sort(key=lambda creditor: (creditor.created_at, creditor.name.casefold()))
    page = paginate(found, lambda creditor: creditor.id, **_page_args(args))
    return page.connection(
        lambda cursor, creditor: {"cursor": cursor, "node": _creditor_node(creditor)}
    )


@resolvers.mutation("createCreditor")
def create_creditor(context: RequestContext, args: JsonDict) -> JsonDict:
    name: str = args["input"]["creditorName"]
    if not name.strip():
        raise BusinessError(VALIDATION_ERROR, "creditorName must not be empty")
    creditor = add_creditor(context.state, name)
    return {
        "creditorId": creditor.id,
        "creditorName": creditor.name,
        "parentCreditorId": creditor.parent_id,
        "parentCreditorName": creditor.parent_name,
    }


# --- Consent: SMS, KBA and the Array verification ---------------------------------------------


def _verification(state: SandboxState, contact: str) -> Verification | None:
    verification_id = state.verification_by_contact.get(contact)
    return state.verifications.get(verification_id) if verification_id else None


def _spinwheel_verification(state: SandboxState, contact: str, kind: str) -> Verification:
    """The contact's Spinwheel consent record, started if there is none."""
    verification = _verification(state, contact)
    if verification is None or verification.source != "SPINWHEEL":
        verification = Verification(
            id=state.new_id("user-verification", contact),
            req_org_contact_id=contact,
            created_at=state.now(),
            verification_type=kind,
            source="SPINWHEEL",
        )
        state.verifications[verification.id] = verification
        state.verification_by_contact[contact] = verification.id
    return verification


@resolvers.query("userVerification")
def user_verification(context: RequestContext, args: JsonDict) -> JsonDict:
    contact: str = args["reqOrgContactId"]
    verification = _verification(context.state, contact)
    if verification is None:
        return {
            "id": None,
            "reqOrgContactId": contact,
            "creditReportUserId": None,
            "reqOrgId": context.state.req_org_id,
            "status": "NOT_STARTED",
            "verificationDate": None,
            "userConsentDate": None,
            "verificationType": None,
            "verificationSource": None,
        }
    return verification.node(context.state.req_org_id)


def _check_lock(state: SandboxState, verification: Verification) -> None:
    if verification.locked_until is not None and state.now() < verification.locked_until:
        raise BusinessError(
            "RETRY_AFTER_5MIN", "too many incorrect codes; try again after five minutes"
        )


@resolvers.mutation("sendSMSVerificationCode")
def send_sms_code(context: RequestContext, args: JsonDict) -> JsonDict:
    data: JsonDict = args["input"]
    state = context.state
    check_e164(data["phoneNumber"])
    check_birth_date(data["dateOfBirth"], "dateOfBirth")
    verification = _spinwheel_verification(state, data["reqOrgContactId"], "SMS")
    _check_lock(state, verification)
    verification.verification_type = "SMS"
    verification.identity = {**verification.identity, "dob": data["dateOfBirth"]}
    phone: str = data["phoneNumber"]
    if phone.endswith(SMS_UNABLE_TO_SEND_SUFFIX):
        verification.status = "UNABLE_TO_SEND_SMS"
        raise BusinessError("UNABLE_TO_SEND_SMS", "the carrier rejected the text message")
    if phone.endswith(SMS_REQUIRES_KBA_SUFFIX):
        verification.status = "REQUIRES_KBA"
        raise BusinessError("REQUIRES_KBA", "this consumer must verify by KBA (kbaQuestions)")
    verification.status = "IN_PROGRESS"
    verification.sms_pending = True
    verification.failed_attempts = 0
    verification.locked_until = None
    return {"message": "Verification code sent successfully"}


@resolvers.mutation("verifySMSCode")
def verify_sms_code(context: RequestContext, args: JsonDict) -> JsonDict:
    data: JsonDict = args["input"]
    state = context.state
    verification = _verification(state, data["reqOrgContactId"])
    if verification is None or verification.source != "SPINWHEEL":
        raise BusinessError(NOT_FOUND, "no verification code was sent to this reqOrgContactId")
    _check_lock(state, verification)
    if verification.status == "PASSED" and verification.verification_type == "SMS":
        return {"message": "Verification successful"}
    if not verification.sms_pending:
        raise BusinessError(NOT_FOUND, "no verification code is pending for this reqOrgContactId")
    code: str = data["verificationCode"]
    if code == SMS_PASS_CODE:
        verification.status = "PASSED"
        verification.sms_pending = False
        verification.verified_at = state.now()
        return {"message": "Verification successful"}
    if code == SMS_EXPIRED_CODE:
        verification.status = "OTP_EXPIRED"
        verification.sms_pending = False
        raise BusinessError("OTP_EXPIRED", "the code has expired; send a new one")
    verification.failed_attempts += 1
    if verification.failed_attempts >= SMS_MAX_FAILED_ATTEMPTS:
        verification.status = "RETRY_AFTER_5MIN"
        verification.sms_pending = False
        verification.locked_until = state.now() + SMS_LOCKOUT
        raise BusinessError(
            "RETRY_AFTER_5MIN", "too many incorrect codes; try again after five minutes"
        )
    verification.status = "OTP_INCORRECT"
    raise BusinessError("OTP_INCORRECT", "the code is not correct")


def kba_questions_for(address_line: str) -> list[JsonDict]:
    """The three questions every applicant gets (the docs example's), and their options."""
    questions = (
        (
            "Which of the following addresses have you been associated with?",
            ("123 Oak Street", "456 Pine Avenue", "789 Maple Drive", "None of the above"),
        ),
        (
            f"What county is associated with the address {address_line}?",
            ("Los Angeles County", "Orange County", "San Diego County", "None of the above"),
        ),
        (
            "Which of the following vehicles have you owned or leased?",
            ("2018 Honda Accord", "2020 Toyota Camry", "2019 Ford F-150", "None of the above"),
        ),
    )
    return [
        {
            "id": f"q{number}",
            "question": text,
            "options": [
                {"id": f"q{number}-{letter}", "text": option}
                for letter, option in zip("abcd", options, strict=True)
            ],
        }
        for number, (text, options) in enumerate(questions, start=1)
    ]


@resolvers.query("kbaQuestions")
def kba_questions(context: RequestContext, args: JsonDict) -> JsonDict:
    data: JsonDict = args["input"]
    check_ssn(data["ssn"])
    check_birth_date(data["dateOfBirth"], "dateOfBirth")
    check_state(data["state"])
    check_zip(data["zip"])
    verification = _spinwheel_verification(context.state, data["reqOrgContactId"], "KBA")
    if data["ssn"].startswith(KBA_UNAVAILABLE_SSN_PREFIX):
        verification.status = "UNABLE_TO_GET_KBA_QUESTIONS"
        raise BusinessError("UNABLE_TO_GET_KBA_QUESTIONS", "no questions could be built")
    verification.verification_type = "KBA"
    verification.status = "IN_PROGRESS"
    verification.kba_issued = True
    verification.identity = {
        "firstName": data["firstName"],
        "lastName": data["lastName"],
        "ssn": data["ssn"],
        "dob": data["dateOfBirth"],
        "addressLine1": data["addressLine1"],
        "addressLine2": data.get("addressLine2"),
        "city": data["city"],
        "state": data["state"],
        "zip": data["zip"],
    }
    return {"questions": kba_questions_for(data["addressLine1"])}


def _canonical_answer(question_id: str, answer_id: str) -> str:
    """Accept the docs' ``aN-optionM`` spelling as an alias of ``qN-<Mth letter>``."""
    prefix = f"a{question_id.removeprefix('q')}-option"
    if answer_id.startswith(prefix) and answer_id[len(prefix) :] in ("1", "2", "3", "4"):
        return f"{question_id}-{'abcd'[int(answer_id[len(prefix) :]) - 1]}"
    return answer_id


@resolvers.mutation("sendKbaAnswers")
def send_kba_answers(context: RequestContext, args: JsonDict) -> JsonDict:
    data: JsonDict = args["input"]
    state = context.state
    verification = _verification(state, data["reqOrgContactId"])
    if verification is None or not verification.kba_issued:
        raise BusinessError("BAD_REQUEST", "call kbaQuestions for this reqOrgContactId first")
    answers = {
        answer["questionId"]: _canonical_answer(answer["questionId"], answer["answerId"])
        for answer in data["answers"]
    }
    wrong = sum(answers.get(question) != right for question, right in KBA_CORRECT_ANSWERS.items())
    if wrong:
        verification.status = "FAILED"
        raise BusinessError(
            "KBA_FAILED", f"{wrong} of {len(KBA_CORRECT_ANSWERS)} answers were not correct"
        )
    verification.verification_type = "KBA"
    verification.status = "PASSED"
    verification.verified_at = state.now()
    return {"message": "KBA verification successful"}


@resolvers.mutation("createUserVerification")
def create_user_verification(context: RequestContext, args: JsonDict) -> JsonDict:
    data: JsonDict = args["input"]
    state = context.state
    check_ssn(data["ssn"])
    check_birth_date(data["dob"])
    check_state(data["state"])
    check_zip(data["zip"])
    check_phone(data["phone"])
    check_email(data["email"])
    contact: str = data["reqOrgContactId"]
    # The Array consumer flow happens outside the API; the sandbox treats it as passed at once.
    verification = Verification(
        id=state.new_id("user-verification", contact),
        req_org_contact_id=contact,
        created_at=state.now(),
        verification_type=data["verificationType"],
        source="ARRAY",
        status="PASSED",
        identity={
            "firstName": data["firstName"],
            "middleName": data.get("middleName"),
            "lastName": data["lastName"],
            "ssn": data["ssn"],
            "dob": data["dob"],
            "addressLine1": data["fullAddress"],
            "city": data["city"],
            "state": data["state"],
            "zip": data["zip"],
        },
        verified_at=state.now(),
    )
    state.verifications[verification.id] = verification
    state.verification_by_contact[contact] = verification.id
    return verification.node(state.req_org_id)
